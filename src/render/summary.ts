import type { Finding } from '../core/compliance/types.js';
import type { Results, TaskResult } from '../core/engine/results.js';

export interface SummaryOptions {
  /** Phase budgets in ms (`setup` spans the whole run). */
  budgets: Partial<Record<'setup' | 'build' | 'cluster' | 'load' | 'deploy', number>>;
  /** Link compliance findings to `https://github.com/<repo>/blob/<sha>/<file>#L<line>`. */
  blobBase?: string;
  /** Tasks above this count drop the gantt chart (tables remain). */
  maxGanttTasks?: number;
  /** Hard cap on the summary's size (GitHub: 1 MiB per step). */
  maxBytes?: number;
  title?: string;
}

const ICON: Record<string, string> = { success: '✅', failure: '❌', cancelled: '⏹️', skipped: '⏭️' };
const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)}s`);

export function mdEscape(s: string): string {
  return s.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function budgetMark(ms: number | undefined, budget: number | undefined): string {
  if (ms === undefined || budget === undefined) return '';
  if (ms <= budget * 0.9) return '✅';
  return ms <= budget ? '⚠️' : '❌';
}

/** Mermaid gantt of every task, offsets from the run start. Task names are sanitised for mermaid's grammar. */
export function renderGantt(results: Results): string {
  const t0 = results.startMs;
  const lines = ['```mermaid', 'gantt', '  dateFormat x', '  axisFormat %M:%S', `  title ${results.outcome === 'success' ? 'Setup' : `Setup (${results.outcome})`}`];
  let section = '';
  let n = 0;
  const tasks = results.tasks.filter((t) => t.startMs !== undefined && t.endMs !== undefined);
  for (const phase of ['build', 'cluster', 'load', 'deploy']) {
    for (const t of tasks.filter((x) => x.phase === phase)) {
      if (section !== phase) {
        section = phase;
        lines.push(`  section ${phase}`);
      }
      const name = (t.service ?? t.id).replace(/[:;#]/g, ' ');
      const tag = t.outcome === 'failure' ? 'crit, ' : t.cached ? 'done, ' : '';
      lines.push(`  ${name} :${tag}t${n++}, ${t.startMs! - t0}, ${Math.max(t.endMs! - t0, t.startMs! - t0 + 1)}`);
    }
  }
  lines.push('```');
  return lines.join('\n');
}

export function renderComplianceTable(findings: readonly Finding[], blobBase?: string, limit = 200): string {
  if (findings.length === 0) return '_No Dockerfile findings._';
  const rows = ['| location | rule | severity | message |', '| --- | --- | --- | --- |'];
  for (const f of findings.slice(0, limit)) {
    const loc = `${f.file}:${f.line}`;
    const link = blobBase ? `[${mdEscape(loc)}](${blobBase}/${f.file.split('/').map(encodeURIComponent).join('/')}#L${f.line}${f.endLine > f.line ? `-L${f.endLine}` : ''})` : `\`${loc}\``;
    const sev = f.waived ? `waived${f.reason ? `: ${mdEscape(f.reason)}` : ''}` : f.severity;
    rows.push(`| ${link} | \`${f.rule}\` | ${sev} | ${mdEscape(f.message)} |`);
  }
  if (findings.length > limit) rows.push(`| … | | | ${findings.length - limit} more findings in the results file |`);
  return rows.join('\n');
}

function taskTable(tasks: readonly TaskResult[]): string {
  const rows = ['| task | outcome | duration | attempts | cached | note |', '| --- | --- | --- | --- | --- | --- |'];
  for (const t of tasks) {
    const d = t.startMs !== undefined && t.endMs !== undefined ? t.endMs - t.startMs : undefined;
    const note = t.error ? `❌ ${mdEscape(t.error.split('\n')[0]!.slice(0, 200))}` : t.note ? mdEscape(t.note) : '';
    rows.push(`| \`${t.id}\` | ${ICON[t.outcome] ?? ''} ${t.outcome} | ${seconds(d)} | ${t.attempts} | ${t.phase === 'build' ? (t.cached ? 'yes' : 'no') : ''} | ${note} |`);
  }
  return rows.join('\n');
}

/** The job summary: a pure function of the results. */
export function renderSummary(results: Results, opts: SummaryOptions): string {
  const total = results.endMs - results.startMs;
  const parts: string[] = [];
  parts.push(`## ${opts.title ?? 'hybrid-e2e'} ${ICON[results.outcome]} ${results.outcome}`);
  parts.push(
    `Setup took **${seconds(total)}**${opts.budgets.setup ? ` (budget ${seconds(opts.budgets.setup)} ${budgetMark(total, opts.budgets.setup)})` : ''} for ${results.services.length} service(s): ${results.services.map((s) => `\`${s}\``).join(', ')}.` +
      (results.builder ? ` Builder: ${mdEscape(results.builder)}.` : '') +
      ` Cluster: \`${results.cluster.name}\`.`,
  );
  if (results.errors.length) parts.push(['**Errors**', '', ...results.errors.slice(0, 20).map((e) => `- ${mdEscape(e.split('\n')[0]!)}`)].join('\n'));
  const phaseRows = ['| phase | start | duration | budget | |', '| --- | --- | --- | --- | --- |'];
  for (const p of results.phases) {
    const d = p.startMs !== undefined && p.endMs !== undefined ? p.endMs - p.startMs : undefined;
    const b = opts.budgets[p.name];
    phaseRows.push(`| ${p.name} | +${seconds(p.startMs === undefined ? undefined : p.startMs - results.startMs)} | ${seconds(d)} | ${b ? seconds(b) : '—'} | ${budgetMark(d, b) || (ICON[p.outcome] ?? '')} |`);
  }
  parts.push(phaseRows.join('\n'));
  const timed = results.tasks.filter((t) => t.startMs !== undefined);
  if (timed.length > 0 && timed.length <= (opts.maxGanttTasks ?? 100)) parts.push(renderGantt(results));
  else if (timed.length > 0) parts.push(`_Gantt chart omitted: ${timed.length} tasks is more than ${opts.maxGanttTasks ?? 100}; see the table._`);
  parts.push(`<details><summary>${results.tasks.length} tasks</summary>\n\n${taskTable(results.tasks)}\n\n</details>`);
  if (results.compliance) {
    const unwaived = results.compliance.findings.filter((f) => !f.waived && f.severity === 'error').length;
    parts.push(`### Dockerfile compliance: ${unwaived} error(s) in ${results.compliance.files} file(s)\n\n${renderComplianceTable(results.compliance.findings, opts.blobBase)}`);
  }
  let md = parts.join('\n\n') + '\n';
  const max = opts.maxBytes ?? 1024 * 1024 - 1024;
  if (Buffer.byteLength(md) > max) {
    const note = '\n\n_Summary truncated to stay under GitHub\'s 1 MiB limit; the full data is in the results file._\n';
    md = Buffer.from(md).subarray(0, max - Buffer.byteLength(note)).toString('utf8').replace(/\uFFFD$/, '') + note;
  }
  return md;
}
