import { readFileSync } from 'node:fs';

/** What the action needs to know about the workflow run, read from the runner's environment and event payload. */
export interface RunContext {
  serverUrl: string;
  repository?: string;
  sha?: string;
  /** The PR's head SHA on pull_request events (GITHUB_SHA is the merge commit there). */
  headSha?: string;
  prNumber?: number;
  /** The PR comes from a fork: its token cannot write comments. */
  fromFork: boolean;
  runUrl?: string;
  workflow: string;
  job: string;
}

export function readRunContext(env: Record<string, string | undefined> = process.env): RunContext {
  let event: { pull_request?: { number?: number; head?: { sha?: string; repo?: { full_name?: string } } } } = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
    } catch {
      event = {};
    }
  }
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const pr = event.pull_request;
  const repository = env.GITHUB_REPOSITORY;
  return {
    serverUrl,
    ...(repository ? { repository } : {}),
    ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
    ...(pr?.head?.sha ? { headSha: pr.head.sha } : {}),
    ...(pr?.number ? { prNumber: pr.number } : {}),
    fromFork: Boolean(pr?.head?.repo?.full_name && repository && pr.head.repo.full_name !== repository),
    ...(repository && env.GITHUB_RUN_ID ? { runUrl: `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` } : {}),
    workflow: env.GITHUB_WORKFLOW ?? 'workflow',
    job: env.GITHUB_JOB ?? 'job',
  };
}

/** `https://github.com/<repo>/blob/<sha>` for linking findings to the exact lines the PR changed. */
export function blobBase(ctx: RunContext): string | undefined {
  const sha = ctx.headSha ?? ctx.sha;
  return ctx.repository && sha ? `${ctx.serverUrl}/${ctx.repository}/blob/${sha}` : undefined;
}
