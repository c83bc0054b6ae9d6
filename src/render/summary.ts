/**
 * The job summary (GitHub-flavoured markdown): a pure function of a results object and options. No I/O, no clock.
 *
 * Sections, in order: outcome line, errors, phase table (start offset, duration, budget, status, delta against the
 * baseline), mermaid gantt of every timed task (or a note when there are too many), task table, Dockerfile compliance
 * table (file:line linked to the blob at the PR head), tool versions. The whole text stays under `maxBytes` (GitHub
 * rejects step summaries over 1 MiB): the compliance and task tables lose rows first, with a note saying so.
 */
import type { Finding } from '../core/compliance/types.js';
import type { Results, TaskResult } from '../core/engine/results.js';

import type { BudgetName, Budgets } from '../core/config/loader.js';
import type { Phase } from '../core/plan/graph.js';
import { unwaivedErrorCount } from './lint-text.js';

export type { BudgetName, Budgets };

/** A baseline run to compare against (saved on the default branch). */
export interface Baseline {
  results: Results;
  /** Where it came from, e.g. `main@1a2b3c4`. */
  label?: string;
}

export interface ToolVersion {
  name: string;
  version: string;
  /** How it was found: `PATH`, `tool-cache`, `downloaded`. */
  source?: string;
}

export interface SummaryOptions {
  budgets: Budgets;
  /** Link compliance findings to `<blobBase>/<file>#L<line>` (`https://github.com/<repo>/blob/<sha>`). */
  blobBase?: string;
  /** Tasks above this count drop the gantt chart (the tables remain). Default 100. */
  maxGanttTasks?: number;
  /** Hard cap on the summary's size in UTF-8 bytes. Default: 1 MiB less 16 KiB of headroom for other steps' text. */
  maxBytes?: number;
  title?: string;
  baseline?: Baseline;
  /** Flag a phase slower than the baseline by more than this fraction (default 0.2). */
  regressionThreshold?: number;
  tools?: ToolVersion[];
  /** Link to the run, shown when something was truncated. */
  runUrl?: string;
}

export const SUMMARY_LIMIT = 1024 * 1024;
export const DEFAULT_MAX_GANTT_TASKS = 100;
/** Slowdowns under this many ms are never called regressions (timing noise). */
export const REGRESSION_NOISE_MS = 1000;

export const OUTCOME_ICON: Record<string, string> = { success: '✅', failure: '❌', cancelled: '⏹️', skipped: '⏭️' };

/** `12.3s` under a minute, `4m 05s` above, `1h 02m 03s` above an hour. */
export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const neg = ms < 0;
  const abs = Math.abs(ms);
  let s: string;
  if (abs < 60_000) s = `${(abs / 1000).toFixed(1)}s`;
  else {
    const total = Math.round(abs / 1000);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const sec = String(total % 60).padStart(2, '0');
    s = h ? `${h}h ${String(m).padStart(2, '0')}m ${sec}s` : `${m}m ${sec}s`;
  }
  return neg ? `-${s}` : s;
}

/**
 * Escapes text for a markdown table cell (one line, no markup, no raw HTML), and makes it unable to notify or link:
 * text a pull request controls (build output, error lines, a results file in the fork flow) must not ping
 * `@user`/`@org/team` or cross-reference `#123`, `owner/repo#1`, `GH-123`.
 */
export function mdEscape(s: string): string {
  return neutralizeMentions(
    s
      .replace(/\r?\n/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[|\\`*_[\]#~]/g, (c) => `\\${c}`),
  );
}

/**
 * A WORD JOINER (U+2060, invisible, not a space) after `@` and before the number of `#123`/`GH-123`: GitHub links a
 * mention or reference only when the name or number follows the `@`/`#` at once, so the text reads the same and
 * links nothing. Code spans and fenced code blocks need none of this: GitHub does not link inside them.
 */
export function neutralizeMentions(s: string): string {
  return (
    s
      // a mention starts at a word boundary (`main@1a2b3c4`, `a@b.example` are none)
      .replace(/(?<![\w.])@(?=[A-Za-z0-9])/g, '@\u2060')
      .replace(/#(?=\d)/g, '#\u2060')
      .replace(/\b(GH-)(?=\d)/gi, '$1\u2060')
  );
}

/** Inline code that survives backticks in the text. */
export function code(s: string): string {
  const t = s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}

export const spanOf = (x: { startMs?: number; endMs?: number }): number | undefined =>
  x.startMs !== undefined && x.endMs !== undefined ? x.endMs - x.startMs : undefined;

/** Duration of a phase (`setup` = the whole run). */
export function phaseDuration(r: Results, name: BudgetName): number | undefined {
  if (name === 'setup') return r.endMs - r.startMs;
  const p = r.phases.find((x) => x.name === name);
  return p ? spanOf(p) : undefined;
}

export type BudgetStatus = 'ok' | 'near' | 'over' | 'failed' | 'none';

/** ✅ under 90% of the budget, ⚠️ from 90% to 100%, ❌ over it (or the phase failed). */
export function budgetStatus(ms: number | undefined, budget: number | undefined, outcome?: string): BudgetStatus {
  if (outcome === 'failure') return 'failed';
  if (ms === undefined || budget === undefined) return 'none';
  if (ms > budget) return 'over';
  return ms >= budget * 0.9 ? 'near' : 'ok';
}

export function budgetCell(ms: number | undefined, budget: number | undefined, outcome?: string): string {
  const st = budgetStatus(ms, budget, outcome);
  switch (st) {
    case 'failed':
      return '❌ failed';
    case 'over':
      return `❌ over by ${fmtDuration(ms! - budget!)}`;
    case 'near':
      return `⚠️ ${Math.round((ms! / budget!) * 100)}% of budget`;
    case 'ok':
      return '✅';
    default:
      if (!outcome || outcome === 'success') return outcome ? '✅' : '';
      return `${OUTCOME_ICON[outcome] ?? ''} ${outcome}`.trim();
  }
}

export interface PhaseDelta {
  phase: BudgetName;
  currentMs: number;
  baselineMs: number;
  deltaMs: number;
  /** deltaMs / baselineMs (0 when the baseline is 0). */
  ratio: number;
  regression: boolean;
}

/** Per-phase delta against a baseline; a regression is slower by more than `threshold` (fraction) and by ≥ 1 s. */
export function compareToBaseline(current: Results, baseline: Results, threshold = 0.2): PhaseDelta[] {
  const out: PhaseDelta[] = [];
  for (const phase of ['setup', ...runPhases(current)] as const) {
    const c = phaseDuration(current, phase);
    const b = phaseDuration(baseline, phase);
    if (c === undefined || b === undefined) continue;
    const deltaMs = c - b;
    const ratio = b > 0 ? deltaMs / b : 0;
    out.push({ phase, currentMs: c, baselineMs: b, deltaMs, ratio, regression: deltaMs >= REGRESSION_NOISE_MS && ratio > threshold });
  }
  return out;
}

export function deltaCell(d: PhaseDelta | undefined): string {
  if (!d) return '—';
  const sign = d.deltaMs > 0 ? '+' : d.deltaMs < 0 ? '-' : '±';
  const pct = d.baselineMs > 0 ? ` (${sign}${Math.abs(Math.round(d.ratio * 100))}%)` : '';
  return `${sign}${fmtDuration(Math.abs(d.deltaMs))}${pct}${d.regression ? ' 🐢' : ''}`;
}

/** One line naming the phases that regressed, or undefined. */
export function regressionLine(deltas: readonly PhaseDelta[], threshold: number): string | undefined {
  const reg = deltas.filter((d) => d.regression);
  if (!reg.length) return undefined;
  return `🐢 **Slower than the baseline** (threshold ${Math.round(threshold * 100)}%): ${reg.map((d) => `${d.phase} ${deltaCell({ ...d, regression: false })}`).join(', ')}.`;
}

/** The phases a run had, in order (its results list them so). */
export function runPhases(results: Pick<Results, 'phases'>): Phase[] {
  return results.phases.map((p) => p.name);
}

/** Tasks that have both a start and an end (the ones a gantt can draw). */
export function timedTasks(results: Results): TaskResult[] {
  return results.tasks.filter((t) => t.startMs !== undefined && t.endMs !== undefined);
}

/** A task label mermaid's gantt grammar accepts: no `:` `;` `#` or line breaks, never empty. */
export function ganttLabel(s: string): string {
  const t = s
    .replace(/[:;#\r\n`"<>{}]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t || 'task';
}

/** Mermaid gantt of every timed task (one bar each), offsets from the run start, one section per phase. */
export function renderGantt(results: Results): string {
  const t0 = results.startMs;
  const long = results.endMs - results.startMs >= 3_600_000;
  const lines = [
    '```mermaid',
    'gantt',
    `  title ${results.outcome === 'success' ? 'Setup timeline' : `Setup timeline (${results.outcome})`}`,
    '  dateFormat x',
    `  axisFormat ${long ? '%H:%M:%S' : '%M:%S'}`,
    '  todayMarker off',
  ];
  const tasks = timedTasks(results);
  let n = 0;
  for (const phase of runPhases(results)) {
    const ts = tasks.filter((t) => t.phase === phase).sort((a, b) => a.startMs! - b.startMs! || a.id.localeCompare(b.id));
    if (!ts.length) continue;
    lines.push(`  section ${phase}`);
    for (const t of ts) {
      const start = Math.max(0, t.startMs! - t0);
      const end = Math.max(t.endMs! - t0, start + 1);
      const tag = t.outcome === 'failure' ? 'crit, ' : t.cached ? 'done, ' : '';
      lines.push(`  ${ganttLabel(t.service ?? t.id)} :${tag}t${n++}, ${start}, ${end}`);
    }
  }
  lines.push('```');
  return lines.join('\n');
}

/** Link to a line range of a file at the blob base; the label is `file:line`. */
export function findingLocation(f: Finding, blobBase?: string): string {
  const loc = `${f.file}:${f.line}`;
  if (!blobBase) return code(loc);
  const href = `${blobBase}/${f.file.split('/').map(encodeURIComponent).join('/')}#L${f.line}${f.endLine > f.line ? `-L${f.endLine}` : ''}`;
  return `[${mdEscape(loc)}](${href})`;
}

export const COMPLIANCE_HEAD = ['| location | rule | severity | message | waived |', '| --- | --- | --- | --- | --- |'];

export function complianceRow(f: Finding, blobBase?: string): string {
  const waived = f.waived ? `yes: ${f.reason ? mdEscape(f.reason) : '_(no reason)_'}` : 'no';
  return `| ${findingLocation(f, blobBase)} | \`${f.rule}\` | ${f.severity} | ${mdEscape(f.message)} | ${waived} |`;
}

/** Findings in display order: unwaived errors, then warnings, then waived; each by file and line. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => (f.waived ? 2 : f.severity === 'error' ? 0 : 1);
  return [...findings].sort(
    (a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.rule.localeCompare(b.rule),
  );
}

/** The compliance table alone (lint's summary), all rows up to `limit`. */
export function renderComplianceTable(findings: readonly Finding[], blobBase?: string, limit = 500): string {
  if (findings.length === 0) return '_No Dockerfile findings._';
  const sorted = sortFindings(findings);
  const rows = [...COMPLIANCE_HEAD, ...sorted.slice(0, limit).map((f) => complianceRow(f, blobBase))];
  if (sorted.length > limit) rows.push('', `_${sorted.length - limit} more finding(s) not shown._`);
  return rows.join('\n');
}

export const TASK_HEAD = ['| task | outcome | duration | attempts | cached | note |', '| --- | --- | --- | --- | --- | --- |'];

export function taskRow(t: TaskResult): string {
  const note = t.error ? mdEscape(firstLine(t.error, 200)) : t.note ? mdEscape(firstLine(t.note, 200)) : '';
  const cached = t.phase === 'build' ? (t.cached ? 'yes' : 'no') : '';
  return `| ${code(t.id)} | ${OUTCOME_ICON[t.outcome] ?? ''} ${t.outcome} | ${fmtDuration(spanOf(t))} | ${t.attempts} | ${cached} | ${note} |`;
}

export function firstLine(s: string, max: number): string {
  const l = s.split('\n')[0] ?? '';
  return l.length > max ? `${l.slice(0, max - 1)}…` : l;
}

/** Rows that fit into `budget` units (measured by `size`), at least none; returns how many. */
export function rowsThatFit(rows: readonly string[], budget: number, size: (s: string) => number): number {
  let used = 0;
  for (let i = 0; i < rows.length; i++) {
    used += size(rows[i]!) + 1;
    if (used > budget) return i;
  }
  return rows.length;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Phase table rows (with the `setup` total first). */
export function phaseTable(results: Results, budgets: Budgets, deltas?: readonly PhaseDelta[]): string {
  const withDelta = Boolean(deltas);
  const rows = [
    `| phase | start | duration | budget | status |${withDelta ? ' vs baseline |' : ''}`,
    `| --- | --- | --- | --- | --- |${withDelta ? ' --- |' : ''}`,
  ];
  const total = results.endMs - results.startMs;
  const d = (name: BudgetName) => deltas?.find((x) => x.phase === name);
  rows.push(
    `| **setup** (total) | +0.0s | **${fmtDuration(total)}** | ${budgets.setup ? fmtDuration(budgets.setup) : '—'} | ${budgetCell(total, budgets.setup, results.outcome === 'failure' ? 'failure' : undefined) || (OUTCOME_ICON[results.outcome] ?? '')} |${withDelta ? ` ${deltaCell(d('setup'))} |` : ''}`,
  );
  for (const p of results.phases) {
    const dur = spanOf(p);
    const b = budgets[p.name];
    const start = p.startMs === undefined ? '—' : `+${fmtDuration(p.startMs - results.startMs)}`;
    rows.push(
      `| ${p.name} | ${start} | ${fmtDuration(dur)} | ${b ? fmtDuration(b) : '—'} | ${budgetCell(dur, b, p.outcome)} |${withDelta ? ` ${deltaCell(d(p.name))} |` : ''}`,
    );
  }
  return rows.join('\n');
}

/** The job summary: a pure function of the results. */
export function renderSummary(results: Results, opts: SummaryOptions): string {
  const max = opts.maxBytes ?? SUMMARY_LIMIT - 16 * 1024;
  const threshold = opts.regressionThreshold ?? 0.2;
  const total = results.endMs - results.startMs;
  const head: string[] = [];
  head.push(`## ${opts.title ?? 'hybrid-e2e'} ${OUTCOME_ICON[results.outcome] ?? ''} ${results.outcome}`);
  const services = results.services.map(code);
  head.push(
    `Setup took **${fmtDuration(total)}**${opts.budgets.setup ? ` (budget ${fmtDuration(opts.budgets.setup)} ${budgetCell(total, opts.budgets.setup).split(' ')[0]})` : ''} for ${results.services.length} service(s): ${services.length > 30 ? `${services.slice(0, 30).join(', ')} and ${services.length - 30} more` : services.join(', ')}.` +
      (results.builder ? ` Builder: ${mdEscape(results.builder)}.` : '') +
      ` Cluster: ${code(results.cluster.name)}${results.cluster.kept ? ' (kept for debugging)' : ''}.`,
  );
  if (results.errors.length) {
    const shown = results.errors.slice(0, 20).map((e) => `- ${mdEscape(firstLine(e, 500))}`);
    if (results.errors.length > 20) shown.push(`- … and ${results.errors.length - 20} more (see the results file)`);
    head.push(['**Errors**', '', ...shown].join('\n'));
    if (results.diagnosticsDir) head.push(`Diagnostics (pod logs, events, kind logs) were collected in ${code(results.diagnosticsDir)}.`);
  }
  const deltas = opts.baseline ? compareToBaseline(results, opts.baseline.results, threshold) : undefined;
  head.push(`### Phases\n\n${phaseTable(results, opts.budgets, deltas)}`);
  if (opts.baseline) {
    head.push(
      `Baseline: ${opts.baseline.label ? mdEscape(opts.baseline.label) : 'default branch'} (${fmtDuration(opts.baseline.results.endMs - opts.baseline.results.startMs)} setup).` +
        (regressionLine(deltas!, threshold) ? `\n\n${regressionLine(deltas!, threshold)}` : ''),
    );
  }
  const timed = timedTasks(results);
  const maxGantt = opts.maxGanttTasks ?? DEFAULT_MAX_GANTT_TASKS;
  let gantt = '';
  if (timed.length > 0 && timed.length <= maxGantt) gantt = `### Timeline\n\n${renderGantt(results)}`;
  else if (timed.length > 0)
    gantt = `### Timeline\n\n_Gantt chart omitted: ${timed.length} tasks are more than ${maxGantt}; the phase and task tables have the timings._`;

  const findings = results.compliance ? sortFindings(results.compliance.findings) : [];
  const complianceTitle = results.compliance
    ? `### Dockerfile compliance: ${unwaivedErrorCount(findings)} error(s), ${findings.length} finding(s) in ${results.compliance.files} file(s)`
    : '';
  const findingRows = findings.map((f) => complianceRow(f, opts.blobBase));
  const taskRows = results.tasks.map(taskRow);
  const tools = opts.tools?.length
    ? `Tools: ${opts.tools.map((t) => `${mdEscape(t.name)} ${code(t.version)}${t.source ? ` (${mdEscape(t.source)})` : ''}`).join(', ')}.`
    : '';

  const assemble = (nFindings: number, nTasks: number, withGantt: boolean): string => {
    const parts = [...head];
    if (withGantt && gantt) parts.push(gantt);
    else if (gantt) parts.push(`### Timeline\n\n_Gantt chart omitted to stay under GitHub's summary size limit._`);
    const taskNote =
      nTasks < taskRows.length
        ? `\n\n_${taskRows.length - nTasks} more task(s) not shown (summary size limit); the results file has all of them._`
        : '';
    parts.push(
      `<details><summary>${results.tasks.length} tasks</summary>\n\n${[...TASK_HEAD, ...taskRows.slice(0, nTasks)].join('\n')}${taskNote}\n\n</details>`,
    );
    if (results.compliance) {
      const body =
        findings.length === 0 ? '_No Dockerfile findings._' : [...COMPLIANCE_HEAD, ...findingRows.slice(0, nFindings)].join('\n');
      const note =
        nFindings < findingRows.length
          ? `\n\n_${findingRows.length - nFindings} more finding(s) not shown (summary size limit); run \`hybrid-e2e lint\` for all of them._`
          : '';
      parts.push(`${complianceTitle}\n\n${body}${note}`);
    }
    if (tools) parts.push(tools);
    return parts.join('\n\n') + '\n';
  };

  let md = assemble(findingRows.length, taskRows.length, true);
  if (bytes(md) <= max) return md;
  // Too big: drop the gantt, then give what is left to findings first, then task rows.
  const reserve = 512; // the truncation notes
  const fixed = bytes(assemble(0, 0, false)) + reserve;
  let room = Math.max(0, max - fixed);
  const nFindings = rowsThatFit(findingRows, room, bytes);
  room -= findingRows.slice(0, nFindings).reduce((a, r) => a + bytes(r) + 1, 0);
  const nTasks = rowsThatFit(taskRows, room, bytes);
  md = assemble(nFindings, nTasks, false);
  if (bytes(md) > max) {
    // The fixed part alone is too big (thousands of errors): cut at a line boundary and say so.
    const note = `\n\n_Summary truncated to stay under GitHub's 1 MiB limit; the results file has everything._\n`;
    const cut = Buffer.from(md)
      .subarray(0, Math.max(0, max - bytes(note)))
      .toString('utf8');
    md = cut.slice(0, Math.max(0, cut.lastIndexOf('\n'))).replace(/\uFFFD+$/, '') + note;
  }
  return md;
}
