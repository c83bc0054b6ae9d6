import * as core from '@actions/core';
import path from 'node:path';
import type { Finding } from '../core/compliance/types.js';
import type { LoadedConfig } from '../core/config/load.js';
import { parseDuration } from '../core/duration.js';
import type { Results } from '../core/engine/results.js';
import { toAnnotations } from '../render/annotations.js';
import { renderSummary } from '../render/summary.js';
import { blobBase, readRunContext } from '../adapters/github.js';

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

export function budgetsOf(loaded: LoadedConfig): Partial<Record<'setup' | 'build' | 'cluster' | 'load' | 'deploy', number>> {
  const out: Partial<Record<'setup' | 'build' | 'cluster' | 'load' | 'deploy', number>> = {};
  for (const [k, v] of Object.entries(loaded.config.report.budgets)) {
    const ms = v === undefined ? undefined : parseDuration(v as string | number);
    if (ms !== undefined) out[k as keyof typeof out] = ms;
  }
  return out;
}

export async function writeJobSummary(results: Results, loaded: LoadedConfig): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const base = blobBase(readRunContext());
  const md = renderSummary(results, { budgets: budgetsOf(loaded), ...(base ? { blobBase: base } : {}) });
  await core.summary.addRaw(md).write();
}

export function unwaivedErrors(findings: readonly Finding[]): number {
  return findings.filter((f) => !f.waived && f.severity === 'error').length;
}
