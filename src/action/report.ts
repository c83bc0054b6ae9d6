/** What the action shows: annotations, the job summary, the sticky PR comment, baselines. All I/O lives here. */
import * as core from '@actions/core';
import path from 'node:path';
import type { Finding } from '../core/compliance/types.js';
import type { LoadedConfig } from '../core/config/load.js';
import { parseDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import type { Results } from '../core/engine/results.js';
import { toAnnotations } from '../render/annotations.js';
import { budgetsFromConfig, type Baseline, type Budgets } from '../render/summary.js';
import type { RunContext } from '../adapters/github.js';
import { createGitHubClient } from '../adapters/github-client.js';
import { findPullRequestForRun, upsertComment } from '../adapters/github-comment.js';
import { baselineKey, type BaselineStore } from '../adapters/github-baseline.js';

/** One annotation per finding (GitHub shows 10 per kind and step; the rest are summarised in one line). */
export function annotate(findings: Finding[], workspace: string, cwd: string): void {
  const prefix = path.relative(workspace, cwd).split(path.sep).join('/');
  const set = toAnnotations(findings, prefix ? { pathPrefix: prefix } : {});
  for (const a of set.annotations) {
    const props = { file: a.file, startLine: a.startLine, endLine: a.endLine, title: a.title };
    if (a.level === 'error') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }
  if (set.summary) core.info(set.summary);
}

export function budgetsOf(loaded: LoadedConfig): Budgets {
  return budgetsFromConfig(loaded.config.report, parseDuration);
}

export function unwaivedErrors(findings: readonly Finding[]): number {
  return findings.filter((f) => !f.waived && f.severity === 'error').length;
}

/** Appends markdown to the job summary file (no-op outside a runner). */
export async function writeSummary(md: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(md.endsWith('\n') ? md : `${md}\n`).write();
}

export interface CommentOutcome {
  posted: boolean;
  /** Markdown to add to the job summary when the comment could not be posted. */
  note?: string;
}

export const FORK_HINT =
  'Pull requests from forks get a read-only token: comment from a separate workflow triggered by `workflow_run` (see the README, "Pull requests from forks"). The job summary has the full report.';

/** The PR this run reports on, from the event; for a `workflow_run` of a fork, looked up by head SHA. */
export async function pullRequestNumber(ctx: RunContext, token: string): Promise<number | undefined> {
  if (ctx.prNumber) return ctx.prNumber;
  if (ctx.workflowRun?.headSha && ctx.owner && ctx.repo && token) {
    try {
      const client = createGitHubClient(token, { baseUrl: ctx.apiUrl, log: (l) => core.info(l) });
      return await findPullRequestForRun(client, {
        owner: ctx.owner,
        repo: ctx.repo,
        headSha: ctx.workflowRun.headSha,
        ...(ctx.workflowRun.headRepository ? { headRepository: ctx.workflowRun.headRepository } : {}),
        ...(ctx.workflowRun.headBranch ? { headBranch: ctx.workflowRun.headBranch } : {}),
      });
    } catch (e) {
      core.warning(`hybrid-e2e: could not find the pull request of run ${ctx.workflowRun.id}: ${errorMessage(e)}`);
    }
  }
  return undefined;
}

/**
 * Creates or updates the sticky comment. Never fails the step: a 403/404 (fork PR, missing permission) or any other
 * API failure becomes a warning and a note for the summary.
 */
export async function postComment(ctx: RunContext, token: string, marker: string, body: string): Promise<CommentOutcome> {
  if (!token) {
    core.info('hybrid-e2e: no github-token; not commenting.');
    return { posted: false };
  }
  const pr = await pullRequestNumber(ctx, token);
  if (!pr || !ctx.owner || !ctx.repo) {
    core.info(`hybrid-e2e: not a pull request run${ctx.eventName ? ` (${ctx.eventName})` : ''}; the report is in the job summary only.`);
    return { posted: false };
  }
  const client = createGitHubClient(token, { baseUrl: ctx.apiUrl, log: (l) => core.info(l) });
  const r = await upsertComment(client, token, {
    owner: ctx.owner,
    repo: ctx.repo,
    issueNumber: pr,
    marker,
    body,
    log: (l) => core.info(l),
  });
  if (r.action !== 'skipped') {
    core.info(`hybrid-e2e: PR comment ${r.action}${r.url ? `: ${r.url}` : ''}`);
    return { posted: true };
  }
  const denied = r.status === 403 || r.status === 404;
  const why = denied
    ? `${r.reason}. ${ctx.fromFork ? 'This pull request comes from a fork. ' : 'The token needs `pull-requests: write` (or `issues: write`). '}`
    : `${r.reason}. `;
  core.warning(`hybrid-e2e: could not post the PR comment on #${pr}: ${why}${denied ? FORK_HINT : 'The job summary has the full report.'}`);
  return {
    posted: false,
    note: `> [!NOTE]\n> The PR comment could not be posted (${r.reason.replace(/\n/g, ' ')}).${denied ? ` ${ctx.fromFork ? 'This pull request comes from a fork: its token is read-only. ' : ''}See "Pull requests from forks" in the hybrid-e2e README for the \`workflow_run\` pattern.` : ''}\n`,
  };
}

/** Restores the baseline of one leg; never throws (a cache hiccup must not fail the run). */
export async function restoreBaseline(store: BaselineStore | undefined, ctx: RunContext, leg: string): Promise<Baseline | undefined> {
  if (!store) return undefined;
  try {
    const b = await store.restore(baselineKey(ctx.workflow, leg));
    if (!b) return undefined;
    const label = [b.ref?.replace(/^refs\/heads\//, ''), b.sha?.slice(0, 7)].filter(Boolean).join('@');
    return { results: b.results, ...(label ? { label } : {}) };
  } catch (e) {
    core.warning(`hybrid-e2e: could not restore the baseline for ${leg}: ${errorMessage(e)}`);
    return undefined;
  }
}

/** On the default branch, a successful run becomes the baseline of its leg. */
export async function saveBaseline(store: BaselineStore | undefined, ctx: RunContext, leg: string, results: Results): Promise<boolean> {
  if (!store || !ctx.onDefaultBranch || results.outcome !== 'success') return false;
  try {
    await store.save(baselineKey(ctx.workflow, leg), {
      results,
      ...(ctx.sha ? { sha: ctx.sha } : {}),
      ...(ctx.ref ? { ref: ctx.ref } : {}),
      ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
      savedAt: new Date(results.endMs).toISOString(),
    });
    core.info(`hybrid-e2e: saved the baseline for ${leg} (${store.kind})`);
    return true;
  } catch (e) {
    core.warning(`hybrid-e2e: could not save the baseline for ${leg}: ${errorMessage(e)}`);
    return false;
  }
}
