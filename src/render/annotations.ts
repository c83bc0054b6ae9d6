/** Findings -> GitHub annotation objects (the action maps them to @actions/core error/warning/notice). Pure. */
import type { Finding } from '../core/compliance/lint-files.js';
import { isUnwaivedError } from './lint-text.js';

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file: string;
  startLine: number;
  endLine: number;
  title: string;
}

export interface AnnotationSet {
  annotations: Annotation[];
  /** Set when findings were left out: one line saying how many and where to find them. */
  summary?: string;
}

/** GitHub displays at most 10 annotations of a kind per step. */
export const ANNOTATION_LIMIT = 10;

/**
 * At most `limit` annotations: unwaived errors first, then warnings, then waived findings (as notices), each group
 * in file/line order. `pathPrefix` is prepended to file paths (findings are relative to the lint cwd; annotations
 * need paths relative to the repository root).
 */
export function toAnnotations(findings: Finding[], opts: { limit?: number; pathPrefix?: string } = {}): AnnotationSet {
  const limit = Math.max(0, opts.limit ?? ANNOTATION_LIMIT);
  const prefix = opts.pathPrefix ? opts.pathPrefix.replace(/\/+$/, '') + '/' : '';
  const rank = (f: Finding): number => (f.waived ? 2 : f.severity === 'error' ? 0 : 1);
  const sorted = [...findings].sort((a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line);
  const annotations = sorted.slice(0, limit).map((f): Annotation => ({
    level: f.waived ? 'notice' : f.severity,
    message: f.waived ? `${f.message}\nWaived: ${f.reason ?? '(no reason given)'}` : f.message,
    file: prefix + f.file,
    startLine: f.line,
    endLine: f.endLine,
    title: f.waived ? `${f.rule} (waived)` : `${f.rule} (${f.severity})`,
  }));
  const rest = sorted.slice(limit);
  if (!rest.length) return { annotations };
  const errors = rest.filter(isUnwaivedError).length;
  const warnings = rest.filter((f) => !f.waived && f.severity === 'warning').length;
  const waived = rest.length - errors - warnings;
  const parts = [
    errors && `${errors} error${errors === 1 ? '' : 's'}`,
    warnings && `${warnings} warning${warnings === 1 ? '' : 's'}`,
    waived && `${waived} waived`,
  ].filter(Boolean);
  return {
    annotations,
    summary: `${rest.length} more Dockerfile finding${rest.length === 1 ? '' : 's'} (${parts.join(', ')}) not shown as annotations (GitHub shows at most ${limit} per step): see the job summary, or run hybrid-e2e lint locally.`,
  };
}
