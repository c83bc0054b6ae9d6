/**
 * The sticky PR comment: one comment for a whole matrix (or a single run), a pure function of the legs' results.
 *
 * Layout: hidden marker, headline, totals line, one table row per leg, failures, regressions against the baseline,
 * the Dockerfile findings deduplicated across legs, then one collapsed section per leg (phases against the budget and
 * its tasks). GitHub rejects comments over 65,536 characters: task rows, then finding rows, are dropped to fit, with a
 * note linking to the run's summary.
 */
import type { Finding } from '../core/compliance/types.js';
import type { LintReport } from '../core/compliance/types.js';
import type { Results } from '../core/engine/results.js';
import {
  COMPLIANCE_HEAD,
  OUTCOME_ICON,
  TASK_HEAD,
  budgetCell,
  code,
  compareToBaseline,
  complianceRow,
  deltaCell,
  firstLine,
  fmtDuration,
  mdEscape,
  phaseDuration,
  phaseTable,
  renderComplianceTable,
  renderGantt,
  rowsThatFit,
  SUMMARY_LIMIT,
  DEFAULT_MAX_GANTT_TASKS,
  timedTasks,
  sortFindings,
  taskRow,
  type Baseline,
  type PhaseDelta,
} from './summary.js';
import type { Budgets } from '../core/config/loader.js';
import { unwaivedErrorCount } from './lint-text.js';

export const COMMENT_LIMIT = 65_536;
/** What we aim for: the limit less some headroom (GitHub counts characters a little differently than UTF-16 units). */
export const COMMENT_TARGET = 65_000;

/** Characters a marker may not contain (they would end the HTML comment or break the one-line match). */
const sanitizeMarkerPart = (s: string) => s.replace(/--+>?|[\r\n<>]/g, '-').trim() || '-';

/** `<!-- hybrid-e2e:<workflow>:<key> -->`: identifies our comment on a PR (one per workflow and key). */
export function commentMarker(workflow: string, key: string): string {
  return `<!-- hybrid-e2e:${sanitizeMarkerPart(workflow)}:${sanitizeMarkerPart(key)} -->`;
}

export interface Leg {
  /** Matrix leg name (the service, or the service list). */
  name: string;
  /** Missing when the leg produced no results (it crashed, was cancelled before writing them, or never ran). */
  results?: Results;
  baseline?: Baseline;
  /** Why there are no results, when known. */
  missingReason?: string;
}

export interface CommentOptions {
  marker: string;
  budgets: Budgets;
  /** Link to the run's job summary, used when the comment is truncated. */
  runUrl?: string;
  blobBase?: string;
  regressionThreshold?: number;
  maxChars?: number;
  title?: string;
}

/** Findings from several legs, each (file, line, rule) once: the first leg's copy wins. */
export function dedupeFindings(lists: ReadonlyArray<readonly Finding[]>): Finding[] {
  const seen = new Map<string, Finding>();
  for (const list of lists) {
    for (const f of list) {
      const k = `${f.file}\0${f.line}\0${f.rule}`;
      if (!seen.has(k)) seen.set(k, f);
    }
  }
  return sortFindings([...seen.values()]);
}

function phaseCell(r: Results, name: 'build' | 'cluster' | 'load' | 'deploy', budgets: Budgets): string {
  const p = r.phases.find((x) => x.name === name);
  const d = phaseDuration(r, name);
  if (!p || d === undefined) return '—';
  const st = budgetCell(d, budgets[name], p.outcome);
  const mark = st.startsWith('❌') ? ' ❌' : st.startsWith('⚠️') ? ' ⚠️' : '';
  return `${fmtDuration(d)}${mark}`;
}

function legRow(leg: Leg, budgets: Budgets, delta: PhaseDelta | undefined, withDelta: boolean): string {
  const r = leg.results;
  if (!r) return `| ${code(leg.name)} | ⚠️ no results | — | — | — | — | — | — |${withDelta ? ' — |' : ''}`;
  const total = r.endMs - r.startMs;
  const st = budgetCell(total, budgets.setup);
  const setup = `${fmtDuration(total)}${st.startsWith('❌') ? ' ❌' : st.startsWith('⚠️') ? ' ⚠️' : ''}`;
  const builds = r.tasks.filter((t) => t.phase === 'build');
  return `| ${code(leg.name)} | ${OUTCOME_ICON[r.outcome] ?? ''} ${r.outcome} | ${setup} | ${phaseCell(r, 'build', budgets)} | ${phaseCell(r, 'cluster', budgets)} | ${phaseCell(r, 'load', budgets)} | ${phaseCell(r, 'deploy', budgets)} | ${builds.filter((t) => t.cached).length}/${builds.length} |${withDelta ? ` ${deltaCell(delta)} |` : ''}`;
}

/** The sticky PR comment for one or more matrix legs: a pure function of their results. */
export function renderComment(legs: readonly Leg[], opts: CommentOptions): string {
  const max = opts.maxChars ?? COMMENT_TARGET;
  const threshold = opts.regressionThreshold ?? 0.2;
  const budgets = opts.budgets;
  const withResults = legs.filter((l): l is Leg & { results: Results } => Boolean(l.results));
  const passed = withResults.filter((l) => l.results.outcome === 'success');
  const failed = legs.filter((l) => !l.results || l.results.outcome !== 'success');
  const deltas = new Map<string, PhaseDelta[]>();
  for (const l of withResults) if (l.baseline) deltas.set(l.name, compareToBaseline(l.results, l.baseline.results, threshold));
  const withDelta = deltas.size > 0;
  const findings = dedupeFindings(withResults.map((l) => l.results.compliance?.findings ?? []));
  const errorsTotal = unwaivedErrorCount(findings);

  // Headline and totals.
  const ok = failed.length === 0;
  const head: string[] = [opts.marker];
  head.push(
    `### ${opts.title ?? 'hybrid-e2e'} ${ok ? '✅' : '❌'} ${legs.length === 1 ? (ok ? 'passed' : `${legs[0]!.results?.outcome ?? 'no results'}`) : `${passed.length}/${legs.length} legs passed`}`,
  );
  const slowest = withResults.reduce<{ name: string; ms: number } | undefined>((m, l) => {
    const ms = l.results.endMs - l.results.startMs;
    return !m || ms > m.ms ? { name: l.name, ms } : m;
  }, undefined);
  const builds = withResults.flatMap((l) => l.results.tasks.filter((t) => t.phase === 'build'));
  const totals: string[] = [];
  if (legs.length > 1) totals.push(`${legs.length} legs: ${passed.length} ✅${failed.length ? ` ${failed.length} ❌` : ''}`);
  if (slowest) {
    const st = budgetCell(slowest.ms, budgets.setup);
    totals.push(
      `${legs.length > 1 ? `slowest setup ${code(slowest.name)}` : 'setup'} **${fmtDuration(slowest.ms)}**${budgets.setup ? ` (budget ${fmtDuration(budgets.setup)} ${st.split(' ')[0]})` : ''}`,
    );
  }
  if (builds.length) totals.push(`${builds.filter((t) => t.cached).length}/${builds.length} builds cached`);
  if (withResults.some((l) => l.results.compliance))
    totals.push(findings.length ? `${errorsTotal} Dockerfile error(s), ${findings.length} finding(s)` : 'no Dockerfile findings');
  head.push(`**Totals:** ${totals.join(' · ')}`);

  // Leg table.
  const table = [
    `| leg | outcome | setup | build | cluster | load | deploy | cached |${withDelta ? ' setup vs baseline |' : ''}`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |${withDelta ? ' --- |' : ''}`,
    ...legs.map((l) =>
      legRow(
        l,
        budgets,
        deltas.get(l.name)?.find((d) => d.phase === 'setup'),
        withDelta,
      ),
    ),
  ];
  head.push(table.join('\n'));

  // Failures: the first errors of each failed leg.
  const failures: string[] = [];
  for (const l of failed) {
    if (!l.results) {
      failures.push(
        `- ${code(l.name)}: no results${l.missingReason ? ` (${mdEscape(l.missingReason)})` : ' — the leg did not upload any; see its log'}`,
      );
      continue;
    }
    const errs = l.results.errors.length ? l.results.errors : [`${l.results.outcome}`];
    for (const e of errs.slice(0, 3)) failures.push(`- ${code(l.name)}: ${mdEscape(firstLine(e, 300))}`);
    if (errs.length > 3) failures.push(`- ${code(l.name)}: … ${errs.length - 3} more error(s)`);
  }
  if (failures.length) head.push(['**Failures**', '', ...failures].join('\n'));

  // Regressions against the baseline.
  const regressions = [...deltas.entries()].flatMap(([name, ds]) =>
    ds.filter((d) => d.regression).map((d) => `${code(name)} ${d.phase} ${deltaCell({ ...d, regression: false })}`),
  );
  if (regressions.length)
    head.push(`🐢 **Slower than the baseline** (threshold ${Math.round(threshold * 100)}%): ${regressions.join(', ')}.`);

  // Compliance (deduplicated across legs).
  const findingRows = findings.map((f) => complianceRow(f, opts.blobBase));
  const complianceSummary = `Dockerfile compliance: ${errorsTotal} error(s), ${findings.length} finding(s)${legs.length > 1 ? ' (deduplicated across legs)' : ''}`;

  // Per-leg details.
  const legParts = withResults.map((l) => {
    const r = l.results;
    const summary = `${OUTCOME_ICON[r.outcome] ?? ''} ${mdEscape(l.name)}: ${r.outcome} in ${fmtDuration(r.endMs - r.startMs)}, ${r.tasks.length} task(s)`;
    const errBlock = r.errors.length
      ? '\n\n' +
        r.tasks
          .filter((t) => t.outcome === 'failure' && t.logTail?.length)
          .slice(0, 2)
          .map(
            (t) =>
              `${code(t.id)} output (last lines):\n\n\`\`\`text\n${t
                .logTail!.slice(-15)
                .map((x) => x.replace(/```/g, "'''").slice(0, 300))
                .join('\n')}\n\`\`\``,
          )
          .join('\n\n')
      : '';
    return {
      open: r.outcome !== 'success',
      summary,
      phases: phaseTable(r, budgets, deltas.get(l.name)),
      errBlock: errBlock.trim() ? errBlock : '',
      rows: r.tasks.map(taskRow),
    };
  });

  const assemble = (nFindings: number, nTasks: readonly number[], truncated: boolean): string => {
    const out = [...head];
    if (findings.length) {
      const compBody =
        [...COMPLIANCE_HEAD, ...findingRows.slice(0, nFindings)].join('\n') +
        (nFindings < findingRows.length ? `\n\n_${findingRows.length - nFindings} more finding(s) not shown._` : '');
      out.push(`<details${errorsTotal ? ' open' : ''}><summary>${complianceSummary}</summary>\n\n${compBody}\n\n</details>`);
    }
    legParts.forEach((p, i) => {
      const n = nTasks[i] ?? 0;
      const tasks =
        [...TASK_HEAD, ...p.rows.slice(0, n)].join('\n') + (n < p.rows.length ? `\n\n_${p.rows.length - n} more task(s) not shown._` : '');
      out.push(`<details${p.open ? ' open' : ''}><summary>${p.summary}</summary>\n\n${p.phases}${p.errBlock}\n\n${tasks}\n\n</details>`);
    });
    if (truncated)
      out.push(
        `_Comment shortened to fit GitHub's ${COMMENT_LIMIT.toLocaleString('en-US')}-character limit.${opts.runUrl ? ` [The run's summary](${opts.runUrl}) has everything.` : ' The job summary has everything.'}_`,
      );
    else if (opts.runUrl) out.push(`<sub>[Run details](${opts.runUrl})</sub>`);
    return out.join('\n\n') + '\n';
  };

  const full = assemble(
    findingRows.length,
    legParts.map((p) => p.rows.length),
    false,
  );
  if (full.length <= max) return full;
  // Too long: keep everything above the tables; give the rest to findings first, then to task rows, leg by leg.
  const size = (s: string) => s.length;
  const fixed =
    assemble(
      0,
      legParts.map(() => 0),
      true,
    ).length +
    64 * (legParts.length + 1);
  let room = Math.max(0, max - fixed);
  const nFindings = rowsThatFit(findingRows, room, size);
  room -= findingRows.slice(0, nFindings).reduce((a, r) => a + r.length + 1, 0);
  // Failed legs' tasks matter most; then the rest in order.
  const order = legParts.map((p, i) => ({ p, i })).sort((a, b) => Number(b.p.open) - Number(a.p.open) || a.i - b.i);
  const nTasks = legParts.map(() => 0);
  for (const { p, i } of order) {
    const n = rowsThatFit(p.rows, room, size);
    nTasks[i] = n;
    room -= p.rows.slice(0, n).reduce((a, r) => a + r.length + 1, 0);
  }
  let text = assemble(nFindings, nTasks, true);
  if (text.length > max) {
    // Even the fixed part is too long (hundreds of legs or errors): hard cut at a line, keep the marker and the link.
    const note = `\n\n_Comment truncated to fit GitHub's limit.${opts.runUrl ? ` [The run's summary](${opts.runUrl}) has everything.` : ''}_\n`;
    const cut = text.slice(0, max - note.length);
    text = cut.slice(0, cut.lastIndexOf('\n')) + note;
  }
  return text;
}

export interface MatrixSummaryOptions extends Omit<CommentOptions, 'marker' | 'maxChars'> {
  maxBytes?: number;
  maxGanttTasks?: number;
  tools?: { name: string; version: string; source?: string }[];
}

/**
 * The report job's summary: the comment's overview and per-leg details (without the size pressure of a comment),
 * then each leg's gantt chart. Stays under `maxBytes` (1 MiB less headroom).
 */
export function renderMatrixSummary(legs: readonly Leg[], opts: MatrixSummaryOptions): string {
  const maxBytes = opts.maxBytes ?? SUMMARY_LIMIT - 16 * 1024;
  const maxGantt = opts.maxGanttTasks ?? DEFAULT_MAX_GANTT_TASKS;
  const gantts = legs.flatMap((l) => {
    if (!l.results) return [];
    const n = timedTasks(l.results).length;
    if (n === 0) return [];
    return [
      n <= maxGantt
        ? `<details><summary>${mdEscape(l.name)} timeline</summary>\n\n${renderGantt(l.results)}\n\n</details>`
        : `_${mdEscape(l.name)}: gantt chart omitted (${n} tasks are more than ${maxGantt})._`,
    ];
  });
  const tools = opts.tools?.length
    ? `Tools: ${opts.tools.map((t) => `${mdEscape(t.name)} ${code(t.version)}${t.source ? ` (${mdEscape(t.source)})` : ''}`).join(', ')}.`
    : '';
  const tail = [gantts.length ? `### Timelines\n\n${gantts.join('\n\n')}` : '', tools].filter(Boolean).join('\n\n');
  const tailBytes = Buffer.byteLength(tail) + 2;
  const withTail = tailBytes < maxBytes / 2;
  const budget = maxBytes - (withTail ? tailBytes : 0);
  // Characters to bytes is at most 1:3 for what we render (emoji are 2 UTF-16 units and 4 bytes).
  for (let chars = budget; ; chars = Math.floor(chars * 0.8)) {
    const body = renderComment(legs, { ...opts, marker: '', maxChars: chars }).replace(/^\n+/, '');
    if (Buffer.byteLength(body) <= budget || chars < 1000) {
      return withTail && tail ? `${body}\n${tail}\n` : body;
    }
  }
}

/** The PR comment of `command: lint` (no run, just the Dockerfiles). */
export function renderLintComment(
  report: LintReport,
  opts: { marker: string; blobBase?: string; runUrl?: string; maxChars?: number; title?: string },
): string {
  const errors = unwaivedErrorCount(report.findings);
  const head = `${opts.marker}\n\n### ${opts.title ?? 'hybrid-e2e lint'} ${errors ? '❌' : '✅'} ${errors} error(s), ${report.findings.length} finding(s) in ${report.files} Dockerfile(s)\n\n`;
  const foot = opts.runUrl ? `\n\n<sub>[Run details](${opts.runUrl})</sub>\n` : '\n';
  const max = (opts.maxChars ?? COMMENT_TARGET) - head.length - foot.length;
  let limit = report.findings.length;
  let table = renderComplianceTable(report.findings, opts.blobBase, limit);
  while (table.length > max && limit > 0) {
    limit = Math.floor(limit * 0.8);
    table = renderComplianceTable(report.findings, opts.blobBase, limit);
  }
  return head + table + foot;
}
