import { readFileSync } from 'node:fs';

/** The parts of a webhook event payload the action reads (pull_request, push, workflow_run, issue_comment). */
export interface EventPayload {
  pull_request?: {
    number?: number;
    head?: { sha?: string; ref?: string; repo?: { full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
  issue?: { number?: number; pull_request?: unknown };
  repository?: { full_name?: string; default_branch?: string };
  workflow_run?: {
    id?: number;
    head_sha?: string;
    head_branch?: string;
    event?: string;
    conclusion?: string | null;
    head_repository?: { full_name?: string; owner?: { login?: string } } | null;
    pull_requests?: { number?: number; head?: { sha?: string } }[];
  };
}

/** What the action needs to know about the workflow run, read from the runner's environment and event payload. */
export interface RunContext {
  serverUrl: string;
  apiUrl: string;
  repository?: string;
  owner?: string;
  repo?: string;
  sha?: string;
  /** The PR's head SHA on pull_request events (GITHUB_SHA is the merge commit there); the triggering run's on workflow_run. */
  headSha?: string;
  prNumber?: number;
  /** The PR comes from a fork: its token cannot write comments. */
  fromFork: boolean;
  runId?: string;
  runUrl?: string;
  workflow: string;
  job: string;
  eventName?: string;
  /** `refs/heads/main`. */
  ref?: string;
  defaultBranch?: string;
  /** The run is a push to the default branch: results become the baseline. */
  onDefaultBranch: boolean;
  /** For `workflow_run` events: the run whose artifacts to read and the PR it belongs to. */
  workflowRun?: { id: number; headSha?: string; headBranch?: string; headRepository?: string; event?: string };
}

export function readEvent(env: Record<string, string | undefined>): EventPayload {
  if (!env.GITHUB_EVENT_PATH) return {};
  try {
    const v: unknown = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
    return v && typeof v === 'object' ? (v as EventPayload) : {};
  } catch {
    return {};
  }
}

export function readRunContext(env: Record<string, string | undefined> = process.env): RunContext {
  const event = readEvent(env);
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  const apiUrl = (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  const pr = event.pull_request;
  const repository = env.GITHUB_REPOSITORY ?? event.repository?.full_name;
  const [owner, repo] = repository?.includes('/') ? repository.split('/', 2) : [undefined, undefined];
  const wr = event.workflow_run;
  const issuePr = event.issue?.pull_request ? event.issue.number : undefined;
  const wrPr = wr?.pull_requests?.find((p) => p.number && (!wr.head_sha || !p.head?.sha || p.head.sha === wr.head_sha))?.number;
  const prNumber = pr?.number ?? issuePr ?? wrPr;
  const headRepo = pr?.head?.repo?.full_name ?? wr?.head_repository?.full_name ?? undefined;
  const defaultBranch = event.repository?.default_branch;
  const ref = env.GITHUB_REF;
  const eventName = env.GITHUB_EVENT_NAME;
  return {
    serverUrl,
    apiUrl,
    ...(repository ? { repository } : {}),
    ...(owner && repo ? { owner, repo } : {}),
    ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
    ...(pr?.head?.sha ? { headSha: pr.head.sha } : wr?.head_sha ? { headSha: wr.head_sha } : {}),
    ...(prNumber ? { prNumber } : {}),
    fromFork: Boolean(headRepo && repository && headRepo !== repository),
    ...(env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {}),
    ...(repository && env.GITHUB_RUN_ID ? { runUrl: `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` } : {}),
    workflow: env.GITHUB_WORKFLOW ?? 'workflow',
    job: env.GITHUB_JOB ?? 'job',
    ...(eventName ? { eventName } : {}),
    ...(ref ? { ref } : {}),
    ...(defaultBranch ? { defaultBranch } : {}),
    onDefaultBranch: Boolean(
      defaultBranch && ref === `refs/heads/${defaultBranch}` && eventName !== 'pull_request' && eventName !== 'pull_request_target',
    ),
    ...(wr?.id
      ? {
          workflowRun: {
            id: wr.id,
            ...(wr.head_sha ? { headSha: wr.head_sha } : {}),
            ...(wr.head_branch ? { headBranch: wr.head_branch } : {}),
            ...(wr.head_repository?.full_name ? { headRepository: wr.head_repository.full_name } : {}),
            ...(wr.event ? { event: wr.event } : {}),
          },
        }
      : {}),
  };
}

/** `https://github.com/<repo>/blob/<sha>` for linking findings to the exact lines the PR changed. */
export function blobBase(ctx: RunContext): string | undefined {
  const sha = ctx.headSha ?? ctx.sha;
  return ctx.repository && sha ? `${ctx.serverUrl}/${ctx.repository}/blob/${sha}` : undefined;
}
