/**
 * What a run shows on GitHub: the job summary, the sticky PR comment, annotations, baselines and the legs' results
 * artifacts. The action writes what these return with @actions/core; everything else (rendering, the REST API, the
 * cache and artifact services) happens here.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { artifactStoreFor, filesUnder, type ArtifactStore } from '../adapters/github-artifacts.js';
import { baselineKey, baselineStoreFor } from '../adapters/github-baseline.js';
import { blobBase, type RunContext } from '../adapters/github-context.js';
import type { Finding, LintReport } from '../core/compliance/lint-files.js';
import type { ResolvedConfig, ResolvedReport } from '../core/config/loader.js';
import { errorMessage, UserError } from '../core/errors.js';
import type { Results } from '../core/engine/results.js';
import { tempRoot } from '../core/run-id.js';
import { toAnnotations, type AnnotationSet } from '../render/annotations.js';
import { commentMarker, renderComment, renderLintComment, type Leg } from '../render/comment.js';
import { unwaivedErrorCount } from '../render/lint-text.js';
import { renderComplianceTable, renderSummary, type Baseline, type ToolVersion } from '../render/summary.js';
import type { Env } from './compose.js';
import { artifactName, DIAGNOSTICS_ARTIFACT_PREFIX, renderReport, RESULTS_ARTIFACT_PREFIX, RESULTS_FILE_NAME } from './report.js';

export { readRunContext, type RunContext } from '../adapters/github-context.js';

/** Where notes go (the action's log). Never gets the token. */
export interface GitHubLog {
  info(line: string): void;
  warning(line: string): void;
}

export interface CommentOutcome {
  posted: boolean;
  /** Markdown to add to the job summary when the comment could not be posted. */
  note?: string;
}

export const FORK_HINT =
  'Pull requests from forks get a read-only token: comment from a separate workflow triggered by `workflow_run` (see the README, "Pull requests from forks"). The job summary has the full report.';

/** One annotation per finding (GitHub shows 10 per kind and step; the rest are summarised in one line). */
export function annotationsFor(findings: Finding[], workspace: string, cwd: string): AnnotationSet {
  const prefix = path.relative(workspace, cwd).split(path.sep).join('/');
  return toAnnotations(findings, prefix ? { pathPrefix: prefix } : {});
}

/** The PR this run reports on, from the event; for a `workflow_run` of a fork, looked up by head SHA. */
async function pullRequestNumber(ctx: RunContext, token: string, log: GitHubLog): Promise<number | undefined> {
  if (ctx.prNumber) return ctx.prNumber;
  if (ctx.workflowRun?.headSha && ctx.owner && ctx.repo && token) {
    try {
      const { createGitHubClient } = await import('../adapters/github-client.js');
      const { findPullRequestForRun } = await import('../adapters/github-comment.js');
      const client = createGitHubClient(token, { baseUrl: ctx.apiUrl, log: (l) => log.info(l) });
      return await findPullRequestForRun(client, {
        owner: ctx.owner,
        repo: ctx.repo,
        headSha: ctx.workflowRun.headSha,
        ...(ctx.workflowRun.headRepository ? { headRepository: ctx.workflowRun.headRepository } : {}),
        ...(ctx.workflowRun.headBranch ? { headBranch: ctx.workflowRun.headBranch } : {}),
      });
    } catch (e) {
      log.warning(`hybrid-e2e: could not find the pull request of run ${ctx.workflowRun.id}: ${errorMessage(e)}`);
    }
  }
  return undefined;
}

/**
 * Creates or updates the sticky comment. Never fails the step: a 403/404 (fork PR, missing permission) or any other
 * API failure becomes a warning and a note for the summary.
 */
export async function postComment(ctx: RunContext, token: string, marker: string, body: string, log: GitHubLog): Promise<CommentOutcome> {
  if (!token) {
    log.info('hybrid-e2e: no github-token; not commenting.');
    return { posted: false };
  }
  const pr = await pullRequestNumber(ctx, token, log);
  if (!pr || !ctx.owner || !ctx.repo) {
    log.info(`hybrid-e2e: not a pull request run${ctx.eventName ? ` (${ctx.eventName})` : ''}; the report is in the job summary only.`);
    return { posted: false };
  }
  // The REST client (octokit) is loaded only to comment: most of a run never needs it.
  const { createGitHubClient } = await import('../adapters/github-client.js');
  const { upsertComment } = await import('../adapters/github-comment.js');
  const client = createGitHubClient(token, { baseUrl: ctx.apiUrl, log: (l) => log.info(l) });
  const r = await upsertComment(client, token, {
    owner: ctx.owner,
    repo: ctx.repo,
    issueNumber: pr,
    marker,
    body,
    log: (l) => log.info(l),
  });
  if (r.action !== 'skipped') {
    log.info(`hybrid-e2e: PR comment ${r.action}${r.url ? `: ${r.url}` : ''}`);
    return { posted: true };
  }
  const denied = r.status === 403 || r.status === 404;
  const why = denied
    ? `${r.reason}. ${ctx.fromFork ? 'This pull request comes from a fork. ' : 'The token needs `pull-requests: write` (or `issues: write`). '}`
    : `${r.reason}. `;
  log.warning(`hybrid-e2e: could not post the PR comment on #${pr}: ${why}${denied ? FORK_HINT : 'The job summary has the full report.'}`);
  return {
    posted: false,
    note: `> [!NOTE]\n> The PR comment could not be posted (${r.reason.replace(/\n/g, ' ')}).${denied ? ` ${ctx.fromFork ? 'This pull request comes from a fork: its token is read-only. ' : ''}See "Pull requests from forks" in the hybrid-e2e README for the \`workflow_run\` pattern.` : ''}\n`,
  };
}

/** Restores the baseline of one leg; never throws (a cache hiccup must not fail the run). */
export async function restoreBaseline(ctx: RunContext, leg: string, env: Env, log: GitHubLog): Promise<Baseline | undefined> {
  const store = await baselineStoreFor(env);
  if (!store) return undefined;
  try {
    const b = await store.restore(baselineKey(ctx.workflow, leg));
    if (!b) return undefined;
    const label = [b.ref?.replace(/^refs\/heads\//, ''), b.sha?.slice(0, 7)].filter(Boolean).join('@');
    return { results: b.results, ...(label ? { label } : {}) };
  } catch (e) {
    log.warning(`hybrid-e2e: could not restore the baseline for ${leg}: ${errorMessage(e)}`);
    return undefined;
  }
}

/** On the default branch, a successful run becomes the baseline of its leg. */
export async function saveBaseline(ctx: RunContext, leg: string, results: Results, env: Env, log: GitHubLog): Promise<boolean> {
  const store = await baselineStoreFor(env);
  if (!store || !ctx.onDefaultBranch || results.outcome !== 'success') return false;
  try {
    await store.save(baselineKey(ctx.workflow, leg), {
      results,
      ...(ctx.sha ? { sha: ctx.sha } : {}),
      ...(ctx.ref ? { ref: ctx.ref } : {}),
      ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
      savedAt: new Date(results.endMs).toISOString(),
    });
    log.info(`hybrid-e2e: saved the baseline for ${leg} (${store.kind})`);
    return true;
  } catch (e) {
    log.warning(`hybrid-e2e: could not save the baseline for ${leg}: ${errorMessage(e)}`);
    return false;
  }
}

export interface PublishUpOptions {
  ctx: RunContext;
  token: string;
  comment: boolean;
  config: ResolvedConfig;
  leg: string;
  services: string[];
  results: Results;
  baseline?: Baseline;
  tools: ToolVersion[];
  log: GitHubLog;
}

/** The summary (returned) and, unless `comment` is off, the sticky comment of one `up` run. */
export async function publishUp(o: PublishUpOptions): Promise<string> {
  const base = blobBase(o.ctx);
  const { budgets, regressionThreshold } = o.config.report;
  const links = { ...(base ? { blobBase: base } : {}), ...(o.ctx.runUrl ? { runUrl: o.ctx.runUrl } : {}) };
  let md = renderSummary(o.results, {
    budgets,
    regressionThreshold,
    ...links,
    ...(o.baseline ? { baseline: o.baseline } : {}),
    ...(o.tools.length ? { tools: o.tools } : {}),
  });
  if (o.comment) {
    const marker = commentMarker(o.ctx.workflow, `${o.ctx.job}/up${o.services.length ? `/${o.leg}` : ''}`);
    const body = renderComment([{ name: o.leg, results: o.results, ...(o.baseline ? { baseline: o.baseline } : {}) }], {
      marker,
      budgets,
      regressionThreshold,
      ...links,
    });
    const out = await postComment(o.ctx, o.token, marker, body, o.log);
    if (out.note) md += `\n${out.note}`;
  }
  return md;
}

/** The summary of a build-once run. */
export function buildSummary(config: ResolvedConfig, results: Results, imagesDir: string, tarballs: Record<string, string>): string {
  const saved = Object.keys(tarballs);
  let md = renderSummary(results, { budgets: { build: config.report.budgets.build! }, title: 'hybrid-e2e build' });
  md += `\n${saved.length} image(s) saved for the matrix legs in \`${imagesDir}\`: ${saved.map((s) => `\`${s}\``).join(', ') || 'none'}.\n`;
  return md;
}

/** The summary (returned) and the sticky comment of a `lint` step. */
export async function publishLint(o: {
  ctx: RunContext;
  token: string;
  comment: boolean;
  report: LintReport;
  services: string[];
  leg: string;
  log: GitHubLog;
}): Promise<string> {
  const base = blobBase(o.ctx);
  const violations = unwaivedErrorCount(o.report.findings);
  let md = `## hybrid-e2e lint: ${violations} error(s), ${o.report.findings.length} finding(s) in ${o.report.files} Dockerfile(s)\n\n${renderComplianceTable(o.report.findings, base)}\n`;
  if (o.comment) {
    const marker = commentMarker(o.ctx.workflow, `${o.ctx.job}/lint${o.services.length ? `/${o.leg}` : ''}`);
    const body = renderLintComment(o.report, {
      marker,
      ...(base ? { blobBase: base } : {}),
      ...(o.ctx.runUrl ? { runUrl: o.ctx.runUrl } : {}),
    });
    const out = await postComment(o.ctx, o.token, marker, body, o.log);
    if (out.note) md += `\n${out.note}`;
  }
  return md;
}

/** The matrix report: baselines per leg, the summary (returned) and the one sticky comment. */
export async function publishReport(o: {
  ctx: RunContext;
  token: string;
  comment: boolean;
  report: ResolvedReport;
  legs: Leg[];
  env: Env;
  log: GitHubLog;
}): Promise<{ summary: string; violations: number; failed: Leg[] }> {
  for (const l of o.legs) {
    if (!l.results) continue;
    const b = await restoreBaseline(o.ctx, l.name, o.env, o.log);
    if (b) l.baseline = b;
  }
  const base = blobBase(o.ctx);
  const marker = commentMarker(o.ctx.workflow, `${o.ctx.job}/report`);
  const r = renderReport(o.legs, {
    ...o.report,
    marker,
    ...(base ? { blobBase: base } : {}),
    ...(o.ctx.runUrl ? { runUrl: o.ctx.runUrl } : {}),
  });
  let summary = r.summary;
  if (o.comment) {
    const out = await postComment(o.ctx, o.token, marker, r.markdown, o.log);
    if (out.note) summary += `\n${out.note}`;
  }
  return { summary, violations: r.violations, failed: r.failed };
}

/** Uploads the leg's results (and diagnostics after a failure) for the report job; never fails the step. */
export async function uploadLeg(env: Env, leg: string, resultsFile: string, results: Results, log: GitHubLog): Promise<void> {
  const store: ArtifactStore | undefined = artifactStoreFor(env);
  if (!store) {
    log.info('hybrid-e2e: no artifact service (not on a GitHub runner); results stay in the results file.');
    return;
  }
  const name = artifactName(RESULTS_ARTIFACT_PREFIX, leg);
  const staging = path.join(tempRoot(env), `hybrid-e2e-upload-${process.pid}`, name);
  try {
    mkdirSync(staging, { recursive: true });
    copyFileSync(resultsFile, path.join(staging, RESULTS_FILE_NAME));
    await store.upload(name, [path.join(staging, RESULTS_FILE_NAME)], staging);
    log.info(`hybrid-e2e: uploaded the results as artifact ${name}`);
    if (results.diagnosticsDir && existsSync(results.diagnosticsDir)) {
      const diag = artifactName(DIAGNOSTICS_ARTIFACT_PREFIX, leg);
      const files = filesUnder(results.diagnosticsDir);
      if (files.length) {
        await store.upload(diag, files, results.diagnosticsDir);
        log.info(`hybrid-e2e: uploaded the diagnostics as artifact ${diag}`);
      }
    }
  } catch (e) {
    log.warning(`hybrid-e2e: could not upload the results artifact ${name}: ${errorMessage(e)}`);
  } finally {
    rmSync(path.dirname(staging), { recursive: true, force: true });
  }
}

/** Downloads every `hybrid-e2e-results-*` artifact of this run (or of the triggering run, on workflow_run). */
export async function downloadLegs(ctx: RunContext, token: string, env: Env, dest: string, log: GitHubLog): Promise<string | undefined> {
  const find =
    ctx.workflowRun && ctx.owner && ctx.repo && token
      ? { token, workflowRunId: ctx.workflowRun.id, repositoryOwner: ctx.owner, repositoryName: ctx.repo }
      : undefined;
  const store = artifactStoreFor(env, find);
  if (!store) {
    throw new UserError(
      'command "report" found no artifact service (run it on a GitHub runner) and no "results" input: give it the results files or directories to aggregate.',
    );
  }
  const names = await store.list(RESULTS_ARTIFACT_PREFIX);
  rmSync(dest, { recursive: true, force: true });
  for (const n of names) {
    try {
      await store.download(n, path.join(dest, n));
    } catch (e) {
      log.warning(`hybrid-e2e report: could not download artifact ${n}: ${errorMessage(e)}`);
    }
  }
  log.info(
    `hybrid-e2e report: ${names.length} results artifact(s)${find ? ` of run ${find.workflowRunId}` : ''}: ${names.join(', ') || '(none)'}`,
  );
  return names.length ? dest : undefined;
}
