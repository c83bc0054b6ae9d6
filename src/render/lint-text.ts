/** Text, Markdown and JSON renderings of a lint report. Pure functions. */
import type { Finding, LintReport } from '../core/compliance/lint-files.js';

export interface LintCounts {
  errors: number;
  warnings: number;
  waived: number;
  /** Files with at least one finding. */
  filesWithFindings: number;
}

/** A finding that fails a run: an error no waiver covers. The one definition of a violation. */
export function isUnwaivedError(f: Pick<Finding, 'severity' | 'waived'>): boolean {
  return f.severity === 'error' && !f.waived;
}

export function unwaivedErrorCount(findings: readonly Pick<Finding, 'severity' | 'waived'>[]): number {
  return findings.filter(isUnwaivedError).length;
}

export function lintCounts(report: LintReport): LintCounts {
  let errors = 0;
  let warnings = 0;
  let waived = 0;
  const files = new Set<string>();
  for (const f of report.findings) {
    files.add(f.file);
    if (f.waived) waived++;
    else if (isUnwaivedError(f)) errors++;
    else warnings++;
  }
  return { errors, warnings, waived, filesWithFindings: files.size };
}

/** Exit status of a lint run: 1 when any unwaived error, else 0. */
export function lintExitCode(report: LintReport): 0 | 1 {
  return report.findings.some(isUnwaivedError) ? 1 : 0;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', gray: '\x1b[90m', bold: '\x1b[1m', green: '\x1b[32m', reset: '\x1b[0m' };

export function summaryLine(report: LintReport): string {
  const c = lintCounts(report);
  if (report.findings.length === 0) return `No problems in ${plural(report.files, 'Dockerfile')}.`;
  return `${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}, ${c.waived} waived in ${c.filesWithFindings} of ${plural(report.files, 'Dockerfile')}.`;
}

/**
 * `file:line rule [severity] message`, one line per finding, grouped by file (blank line between files), then a
 * one-line total. `fixable`: number of findings `--fix` would remove (adds a hint).
 */
export function renderLintText(report: LintReport, opts: { color?: boolean; fixable?: number } = {}): string {
  const paint = (code: string, s: string): string => (opts.color ? `${code}${s}${ANSI.reset}` : s);
  const out: string[] = [];
  let prev: string | undefined;
  for (const f of report.findings) {
    if (prev !== undefined && f.file !== prev) out.push('');
    prev = f.file;
    const tag = f.waived
      ? paint(ANSI.gray, '[waived]')
      : f.severity === 'error'
        ? paint(ANSI.red, '[error]')
        : paint(ANSI.yellow, '[warning]');
    const reason = f.waived ? (f.reason ? ` (waived: ${f.reason})` : ' (waived without a reason)') : '';
    out.push(`${paint(ANSI.bold, `${f.file}:${f.line}`)} ${f.rule} ${tag} ${f.message}${reason}`);
  }
  if (out.length) out.push('');
  const c = lintCounts(report);
  const total = summaryLine(report);
  out.push(c.errors ? paint(ANSI.red, total) : c.warnings ? paint(ANSI.yellow, total) : paint(ANSI.green, total));
  if (opts.fixable)
    out.push(`${plural(opts.fixable, 'finding')} can be fixed automatically: hybrid-e2e lint --fix (preview with --fix --dry-run).`);
  return out.join('\n') + '\n';
}

/** One upgrade `--fix` removed. */
export interface FixedEntry {
  file: string;
  /** 1-based line of the removed command word. */
  line: number;
  /** The removed command, on one line. */
  removed: string;
}

/** `Fixed by --fix:` and one `file:line removed `cmd`` line per fix. */
export function renderFixList(entries: readonly FixedEntry[]): string {
  if (!entries.length) return '';
  return ['Fixed by --fix:', ...entries.map((e) => `  ${e.file}:${e.line} removed \`${e.removed}\``)].join('\n') + '\n';
}

function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Markdown for job summaries and PR comments. */
export function renderLintMarkdown(report: LintReport, opts: { title?: string; maxRows?: number } = {}): string {
  const maxRows = opts.maxRows ?? 200;
  const c = lintCounts(report);
  const lines = [`### ${opts.title ?? 'Dockerfile compliance'}`, ''];
  if (report.findings.length === 0) {
    lines.push(`:white_check_mark: No problems in ${plural(report.files, 'Dockerfile')}.`, '');
    return lines.join('\n');
  }
  const icon = c.errors ? ':x:' : c.warnings ? ':warning:' : ':white_check_mark:';
  lines.push(
    `${icon} **${plural(c.errors, 'error')}**, ${plural(c.warnings, 'warning')}, ${c.waived} waived in ${c.filesWithFindings} of ${plural(report.files, 'Dockerfile')}.`,
    '',
  );
  lines.push('| File | Line | Rule | Severity | Message |', '|---|---:|---|---|---|');
  const sorted = [...report.findings].sort((a, b) => rank(a) - rank(b));
  for (const f of sorted.slice(0, maxRows)) {
    const sev = f.waived ? `waived (${f.severity})` : f.severity;
    const msg = f.waived ? `${f.message} — waived: ${f.reason ?? '(no reason given)'}` : f.message;
    lines.push(`| \`${cell(f.file)}\` | ${f.line} | \`${f.rule}\` | ${sev} | ${cell(msg)} |`);
  }
  if (sorted.length > maxRows) lines.push('', `…and ${sorted.length - maxRows} more (run \`hybrid-e2e lint\` locally for the full list).`);
  lines.push('');
  return lines.join('\n');
}

function rank(f: Finding): number {
  return f.waived ? 2 : f.severity === 'error' ? 0 : 1;
}

/** Exactly one JSON object: {"files": n, "findings": [...]} (plus `extra` keys when given). */
export function renderLintJson(report: LintReport, extra?: Record<string, unknown>): string {
  const findings = report.findings.map((f) => ({
    file: f.file,
    line: f.line,
    endLine: f.endLine,
    ...(f.column !== undefined ? { column: f.column } : {}),
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    waived: f.waived,
    ...(f.waived && f.reason !== undefined ? { reason: f.reason } : {}),
  }));
  return JSON.stringify({ files: report.files, findings, ...extra }, null, 2) + '\n';
}
