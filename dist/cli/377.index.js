export const id = 377;
export const ids = [377];
export const modules = {

/***/ 377:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runReportCommand: () => (/* binding */ runReportCommand)
});

// UNUSED EXPORTS: RESULTS_ARTIFACT_PREFIX, RESULTS_FILE_NAME, buildReport, isResults, legNameFor, loadLegs, withExpectedLegs

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
// EXTERNAL MODULE: ./src/core/config/load.ts
var load = __webpack_require__(9168);
// EXTERNAL MODULE: ./src/core/duration.ts
var duration = __webpack_require__(8571);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
;// CONCATENATED MODULE: ./src/render/summary.ts
const SUMMARY_LIMIT = 1024 * 1024;
const DEFAULT_MAX_GANTT_TASKS = 100;
/** Slowdowns under this many ms are never called regressions (timing noise). */
const REGRESSION_NOISE_MS = 1000;
const OUTCOME_ICON = { success: '✅', failure: '❌', cancelled: '⏹️', skipped: '⏭️' };
/** `12.3s` under a minute, `4m 05s` above, `1h 02m 03s` above an hour. */
function fmtDuration(ms) {
    if (ms === undefined || !Number.isFinite(ms))
        return '—';
    const neg = ms < 0;
    const abs = Math.abs(ms);
    let s;
    if (abs < 60_000)
        s = `${(abs / 1000).toFixed(1)}s`;
    else {
        const total = Math.round(abs / 1000);
        const h = Math.floor(total / 3600);
        const m = Math.floor((total % 3600) / 60);
        const sec = String(total % 60).padStart(2, '0');
        s = h ? `${h}h ${String(m).padStart(2, '0')}m ${sec}s` : `${m}m ${sec}s`;
    }
    return neg ? `-${s}` : s;
}
/** Escapes text for a markdown table cell (one line, no markup, no raw HTML). */
function mdEscape(s) {
    return s
        .replace(/\r?\n/g, ' ')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/[|\\`*_[\]#~]/g, (c) => `\\${c}`);
}
/** Inline code that survives backticks in the text. */
function code(s) {
    const t = s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
    return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}
const spanOf = (x) => x.startMs !== undefined && x.endMs !== undefined ? x.endMs - x.startMs : undefined;
/** Duration of a phase (`setup` = the whole run). */
function phaseDuration(r, name) {
    if (name === 'setup')
        return r.endMs - r.startMs;
    const p = r.phases.find((x) => x.name === name);
    return p ? spanOf(p) : undefined;
}
/** ✅ under 90% of the budget, ⚠️ from 90% to 100%, ❌ over it (or the phase failed). */
function budgetStatus(ms, budget, outcome) {
    if (outcome === 'failure')
        return 'failed';
    if (ms === undefined || budget === undefined)
        return 'none';
    if (ms > budget)
        return 'over';
    return ms >= budget * 0.9 ? 'near' : 'ok';
}
function budgetCell(ms, budget, outcome) {
    const st = budgetStatus(ms, budget, outcome);
    switch (st) {
        case 'failed':
            return '❌ failed';
        case 'over':
            return `❌ over by ${fmtDuration(ms - budget)}`;
        case 'near':
            return `⚠️ ${Math.round((ms / budget) * 100)}% of budget`;
        case 'ok':
            return '✅';
        default:
            if (!outcome || outcome === 'success')
                return outcome ? '✅' : '';
            return `${OUTCOME_ICON[outcome] ?? ''} ${outcome}`.trim();
    }
}
/** Per-phase delta against a baseline; a regression is slower by more than `threshold` (fraction) and by ≥ 1 s. */
function compareToBaseline(current, baseline, threshold = 0.2) {
    const out = [];
    for (const phase of ['setup', 'build', 'cluster', 'load', 'deploy']) {
        const c = phaseDuration(current, phase);
        const b = phaseDuration(baseline, phase);
        if (c === undefined || b === undefined)
            continue;
        const deltaMs = c - b;
        const ratio = b > 0 ? deltaMs / b : 0;
        out.push({ phase, currentMs: c, baselineMs: b, deltaMs, ratio, regression: deltaMs >= REGRESSION_NOISE_MS && ratio > threshold });
    }
    return out;
}
function deltaCell(d) {
    if (!d)
        return '—';
    const sign = d.deltaMs > 0 ? '+' : d.deltaMs < 0 ? '-' : '±';
    const pct = d.baselineMs > 0 ? ` (${sign}${Math.abs(Math.round(d.ratio * 100))}%)` : '';
    return `${sign}${fmtDuration(Math.abs(d.deltaMs))}${pct}${d.regression ? ' 🐢' : ''}`;
}
/** One line naming the phases that regressed, or undefined. */
function regressionLine(deltas, threshold) {
    const reg = deltas.filter((d) => d.regression);
    if (!reg.length)
        return undefined;
    return `🐢 **Slower than the baseline** (threshold ${Math.round(threshold * 100)}%): ${reg.map((d) => `${d.phase} ${deltaCell({ ...d, regression: false })}`).join(', ')}.`;
}
const GANTT_PHASES = ['build', 'cluster', 'load', 'deploy'];
/** Tasks that have both a start and an end (the ones a gantt can draw). */
function timedTasks(results) {
    return results.tasks.filter((t) => t.startMs !== undefined && t.endMs !== undefined);
}
/** A task label mermaid's gantt grammar accepts: no `:` `;` `#` or line breaks, never empty. */
function ganttLabel(s) {
    const t = s
        .replace(/[:;#\r\n`"<>{}]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    return t || 'task';
}
/** Mermaid gantt of every timed task (one bar each), offsets from the run start, one section per phase. */
function renderGantt(results) {
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
    for (const phase of GANTT_PHASES) {
        const ts = tasks.filter((t) => t.phase === phase).sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
        if (!ts.length)
            continue;
        lines.push(`  section ${phase}`);
        for (const t of ts) {
            const start = Math.max(0, t.startMs - t0);
            const end = Math.max(t.endMs - t0, start + 1);
            const tag = t.outcome === 'failure' ? 'crit, ' : t.cached ? 'done, ' : '';
            lines.push(`  ${ganttLabel(t.service ?? t.id)} :${tag}t${n++}, ${start}, ${end}`);
        }
    }
    lines.push('```');
    return lines.join('\n');
}
/** Link to a line range of a file at the blob base; the label is `file:line`. */
function findingLocation(f, blobBase) {
    const loc = `${f.file}:${f.line}`;
    if (!blobBase)
        return code(loc);
    const href = `${blobBase}/${f.file.split('/').map(encodeURIComponent).join('/')}#L${f.line}${f.endLine > f.line ? `-L${f.endLine}` : ''}`;
    return `[${mdEscape(loc)}](${href})`;
}
const COMPLIANCE_HEAD = ['| location | rule | severity | message | waived |', '| --- | --- | --- | --- | --- |'];
function complianceRow(f, blobBase) {
    const waived = f.waived ? `yes: ${f.reason ? mdEscape(f.reason) : '_(no reason)_'}` : 'no';
    return `| ${findingLocation(f, blobBase)} | \`${f.rule}\` | ${f.severity} | ${mdEscape(f.message)} | ${waived} |`;
}
/** Findings in display order: unwaived errors, then warnings, then waived; each by file and line. */
function sortFindings(findings) {
    const rank = (f) => (f.waived ? 2 : f.severity === 'error' ? 0 : 1);
    return [...findings].sort((a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.rule.localeCompare(b.rule));
}
function unwaivedErrorCount(findings) {
    return findings.filter((f) => !f.waived && f.severity === 'error').length;
}
/** The compliance table alone (lint's summary), all rows up to `limit`. */
function summary_renderComplianceTable(findings, blobBase, limit = 500) {
    if (findings.length === 0)
        return '_No Dockerfile findings._';
    const sorted = sortFindings(findings);
    const rows = [...COMPLIANCE_HEAD, ...sorted.slice(0, limit).map((f) => complianceRow(f, blobBase))];
    if (sorted.length > limit)
        rows.push('', `_${sorted.length - limit} more finding(s) not shown._`);
    return rows.join('\n');
}
const TASK_HEAD = ['| task | outcome | duration | attempts | cached | note |', '| --- | --- | --- | --- | --- | --- |'];
function taskRow(t) {
    const note = t.error ? mdEscape(firstLine(t.error, 200)) : t.note ? mdEscape(firstLine(t.note, 200)) : '';
    const cached = t.phase === 'build' ? (t.cached ? 'yes' : 'no') : '';
    return `| ${code(t.id)} | ${OUTCOME_ICON[t.outcome] ?? ''} ${t.outcome} | ${fmtDuration(spanOf(t))} | ${t.attempts} | ${cached} | ${note} |`;
}
function firstLine(s, max) {
    const l = s.split('\n')[0] ?? '';
    return l.length > max ? `${l.slice(0, max - 1)}…` : l;
}
/** Rows that fit into `budget` units (measured by `size`), at least none; returns how many. */
function rowsThatFit(rows, budget, size) {
    let used = 0;
    for (let i = 0; i < rows.length; i++) {
        used += size(rows[i]) + 1;
        if (used > budget)
            return i;
    }
    return rows.length;
}
const bytes = (s) => Buffer.byteLength(s, 'utf8');
/** Phase table rows (with the `setup` total first). */
function phaseTable(results, budgets, deltas) {
    const withDelta = Boolean(deltas);
    const rows = [
        `| phase | start | duration | budget | status |${withDelta ? ' vs baseline |' : ''}`,
        `| --- | --- | --- | --- | --- |${withDelta ? ' --- |' : ''}`,
    ];
    const total = results.endMs - results.startMs;
    const d = (name) => deltas?.find((x) => x.phase === name);
    rows.push(`| **setup** (total) | +0.0s | **${fmtDuration(total)}** | ${budgets.setup ? fmtDuration(budgets.setup) : '—'} | ${budgetCell(total, budgets.setup, results.outcome === 'failure' ? 'failure' : undefined) || (OUTCOME_ICON[results.outcome] ?? '')} |${withDelta ? ` ${deltaCell(d('setup'))} |` : ''}`);
    for (const p of results.phases) {
        const dur = spanOf(p);
        const b = budgets[p.name];
        const start = p.startMs === undefined ? '—' : `+${fmtDuration(p.startMs - results.startMs)}`;
        rows.push(`| ${p.name} | ${start} | ${fmtDuration(dur)} | ${b ? fmtDuration(b) : '—'} | ${budgetCell(dur, b, p.outcome)} |${withDelta ? ` ${deltaCell(d(p.name))} |` : ''}`);
    }
    return rows.join('\n');
}
/** The job summary: a pure function of the results. */
function renderSummary(results, opts) {
    const max = opts.maxBytes ?? SUMMARY_LIMIT - 16 * 1024;
    const threshold = opts.regressionThreshold ?? 0.2;
    const total = results.endMs - results.startMs;
    const head = [];
    head.push(`## ${opts.title ?? 'hybrid-e2e'} ${OUTCOME_ICON[results.outcome] ?? ''} ${results.outcome}`);
    const services = results.services.map(code);
    head.push(`Setup took **${fmtDuration(total)}**${opts.budgets.setup ? ` (budget ${fmtDuration(opts.budgets.setup)} ${budgetCell(total, opts.budgets.setup).split(' ')[0]})` : ''} for ${results.services.length} service(s): ${services.length > 30 ? `${services.slice(0, 30).join(', ')} and ${services.length - 30} more` : services.join(', ')}.` +
        (results.builder ? ` Builder: ${mdEscape(results.builder)}.` : '') +
        ` Cluster: ${code(results.cluster.name)}${results.cluster.kept ? ' (kept for debugging)' : ''}.`);
    if (results.errors.length) {
        const shown = results.errors.slice(0, 20).map((e) => `- ${mdEscape(firstLine(e, 500))}`);
        if (results.errors.length > 20)
            shown.push(`- … and ${results.errors.length - 20} more (see the results file)`);
        head.push(['**Errors**', '', ...shown].join('\n'));
        if (results.diagnosticsDir)
            head.push(`Diagnostics (pod logs, events, kind logs) were collected in ${code(results.diagnosticsDir)}.`);
    }
    const deltas = opts.baseline ? compareToBaseline(results, opts.baseline.results, threshold) : undefined;
    head.push(`### Phases\n\n${phaseTable(results, opts.budgets, deltas)}`);
    if (opts.baseline) {
        head.push(`Baseline: ${opts.baseline.label ? mdEscape(opts.baseline.label) : 'default branch'} (${fmtDuration(opts.baseline.results.endMs - opts.baseline.results.startMs)} setup).` +
            (regressionLine(deltas, threshold) ? `\n\n${regressionLine(deltas, threshold)}` : ''));
    }
    const timed = timedTasks(results);
    const maxGantt = opts.maxGanttTasks ?? DEFAULT_MAX_GANTT_TASKS;
    let gantt = '';
    if (timed.length > 0 && timed.length <= maxGantt)
        gantt = `### Timeline\n\n${renderGantt(results)}`;
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
    const assemble = (nFindings, nTasks, withGantt) => {
        const parts = [...head];
        if (withGantt && gantt)
            parts.push(gantt);
        else if (gantt)
            parts.push(`### Timeline\n\n_Gantt chart omitted to stay under GitHub's summary size limit._`);
        const taskNote = nTasks < taskRows.length
            ? `\n\n_${taskRows.length - nTasks} more task(s) not shown (summary size limit); the results file has all of them._`
            : '';
        parts.push(`<details><summary>${results.tasks.length} tasks</summary>\n\n${[...TASK_HEAD, ...taskRows.slice(0, nTasks)].join('\n')}${taskNote}\n\n</details>`);
        if (results.compliance) {
            const body = findings.length === 0 ? '_No Dockerfile findings._' : [...COMPLIANCE_HEAD, ...findingRows.slice(0, nFindings)].join('\n');
            const note = nFindings < findingRows.length
                ? `\n\n_${findingRows.length - nFindings} more finding(s) not shown (summary size limit); run \`hybrid-e2e lint\` for all of them._`
                : '';
            parts.push(`${complianceTitle}\n\n${body}${note}`);
        }
        if (tools)
            parts.push(tools);
        return parts.join('\n\n') + '\n';
    };
    let md = assemble(findingRows.length, taskRows.length, true);
    if (bytes(md) <= max)
        return md;
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
/** Budgets in ms from the config's `report.budgets` (durations such as `6m`); unparseable values are left out. */
function budgetsFromConfig(report, parse) {
    const out = {};
    for (const [k, v] of Object.entries(report?.budgets ?? {})) {
        const ms = v === undefined ? undefined : parse(v);
        if (ms !== undefined)
            out[k] = ms;
    }
    return out;
}
/** The users' targets: setup within 6 minutes, builds within 3. */
const DEFAULT_BUDGETS = { setup: 6 * 60_000, build: 3 * 60_000 };

;// CONCATENATED MODULE: ./src/render/comment.ts

const COMMENT_LIMIT = 65_536;
/** What we aim for: the limit less some headroom (GitHub counts characters a little differently than UTF-16 units). */
const COMMENT_TARGET = 65_000;
/** Characters a marker may not contain (they would end the HTML comment or break the one-line match). */
const sanitizeMarkerPart = (s) => s.replace(/--+>?|[\r\n<>]/g, '-').trim() || '-';
/** `<!-- hybrid-e2e:<workflow>:<key> -->`: identifies our comment on a PR (one per workflow and key). */
function commentMarker(workflow, key) {
    return `<!-- hybrid-e2e:${sanitizeMarkerPart(workflow)}:${sanitizeMarkerPart(key)} -->`;
}
/** Findings from several legs, each (file, line, rule) once: the first leg's copy wins. */
function dedupeFindings(lists) {
    const seen = new Map();
    for (const list of lists) {
        for (const f of list) {
            const k = `${f.file}\0${f.line}\0${f.rule}`;
            if (!seen.has(k))
                seen.set(k, f);
        }
    }
    return sortFindings([...seen.values()]);
}
function phaseCell(r, name, budgets) {
    const p = r.phases.find((x) => x.name === name);
    const d = phaseDuration(r, name);
    if (!p || d === undefined)
        return '—';
    const st = budgetCell(d, budgets[name], p.outcome);
    const mark = st.startsWith('❌') ? ' ❌' : st.startsWith('⚠️') ? ' ⚠️' : '';
    return `${fmtDuration(d)}${mark}`;
}
function legRow(leg, budgets, delta, withDelta) {
    const r = leg.results;
    if (!r)
        return `| ${code(leg.name)} | ⚠️ no results | — | — | — | — | — | — |${withDelta ? ' — |' : ''}`;
    const total = r.endMs - r.startMs;
    const st = budgetCell(total, budgets.setup);
    const setup = `${fmtDuration(total)}${st.startsWith('❌') ? ' ❌' : st.startsWith('⚠️') ? ' ⚠️' : ''}`;
    const builds = r.tasks.filter((t) => t.phase === 'build');
    return `| ${code(leg.name)} | ${OUTCOME_ICON[r.outcome] ?? ''} ${r.outcome} | ${setup} | ${phaseCell(r, 'build', budgets)} | ${phaseCell(r, 'cluster', budgets)} | ${phaseCell(r, 'load', budgets)} | ${phaseCell(r, 'deploy', budgets)} | ${builds.filter((t) => t.cached).length}/${builds.length} |${withDelta ? ` ${deltaCell(delta)} |` : ''}`;
}
/** The sticky PR comment for one or more matrix legs: a pure function of their results. */
function renderComment(legs, opts) {
    const max = opts.maxChars ?? COMMENT_TARGET;
    const threshold = opts.regressionThreshold ?? 0.2;
    const budgets = opts.budgets;
    const withResults = legs.filter((l) => Boolean(l.results));
    const passed = withResults.filter((l) => l.results.outcome === 'success');
    const failed = legs.filter((l) => !l.results || l.results.outcome !== 'success');
    const deltas = new Map();
    for (const l of withResults)
        if (l.baseline)
            deltas.set(l.name, compareToBaseline(l.results, l.baseline.results, threshold));
    const withDelta = deltas.size > 0;
    const findings = dedupeFindings(withResults.map((l) => l.results.compliance?.findings ?? []));
    const errorsTotal = unwaivedErrorCount(findings);
    // Headline and totals.
    const ok = failed.length === 0;
    const head = [opts.marker];
    head.push(`### ${opts.title ?? 'hybrid-e2e'} ${ok ? '✅' : '❌'} ${legs.length === 1 ? (ok ? 'passed' : `${legs[0].results?.outcome ?? 'no results'}`) : `${passed.length}/${legs.length} legs passed`}`);
    const slowest = withResults.reduce((m, l) => {
        const ms = l.results.endMs - l.results.startMs;
        return !m || ms > m.ms ? { name: l.name, ms } : m;
    }, undefined);
    const builds = withResults.flatMap((l) => l.results.tasks.filter((t) => t.phase === 'build'));
    const totals = [];
    if (legs.length > 1)
        totals.push(`${legs.length} legs: ${passed.length} ✅${failed.length ? ` ${failed.length} ❌` : ''}`);
    if (slowest) {
        const st = budgetCell(slowest.ms, budgets.setup);
        totals.push(`${legs.length > 1 ? `slowest setup ${code(slowest.name)}` : 'setup'} **${fmtDuration(slowest.ms)}**${budgets.setup ? ` (budget ${fmtDuration(budgets.setup)} ${st.split(' ')[0]})` : ''}`);
    }
    if (builds.length)
        totals.push(`${builds.filter((t) => t.cached).length}/${builds.length} builds cached`);
    if (withResults.some((l) => l.results.compliance))
        totals.push(findings.length ? `${errorsTotal} Dockerfile error(s), ${findings.length} finding(s)` : 'no Dockerfile findings');
    head.push(`**Totals:** ${totals.join(' · ')}`);
    // Leg table.
    const table = [
        `| leg | outcome | setup | build | cluster | load | deploy | cached |${withDelta ? ' setup vs baseline |' : ''}`,
        `| --- | --- | --- | --- | --- | --- | --- | --- |${withDelta ? ' --- |' : ''}`,
        ...legs.map((l) => legRow(l, budgets, deltas.get(l.name)?.find((d) => d.phase === 'setup'), withDelta)),
    ];
    head.push(table.join('\n'));
    // Failures: the first errors of each failed leg.
    const failures = [];
    for (const l of failed) {
        if (!l.results) {
            failures.push(`- ${code(l.name)}: no results${l.missingReason ? ` (${mdEscape(l.missingReason)})` : ' — the leg did not upload any; see its log'}`);
            continue;
        }
        const errs = l.results.errors.length ? l.results.errors : [`${l.results.outcome}`];
        for (const e of errs.slice(0, 3))
            failures.push(`- ${code(l.name)}: ${mdEscape(firstLine(e, 300))}`);
        if (errs.length > 3)
            failures.push(`- ${code(l.name)}: … ${errs.length - 3} more error(s)`);
    }
    if (failures.length)
        head.push(['**Failures**', '', ...failures].join('\n'));
    // Regressions against the baseline.
    const regressions = [...deltas.entries()].flatMap(([name, ds]) => ds.filter((d) => d.regression).map((d) => `${code(name)} ${d.phase} ${deltaCell({ ...d, regression: false })}`));
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
                    .map((t) => `${code(t.id)} output (last lines):\n\n\`\`\`text\n${t
                    .logTail.slice(-15)
                    .map((x) => x.replace(/```/g, "'''").slice(0, 300))
                    .join('\n')}\n\`\`\``)
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
    const assemble = (nFindings, nTasks, truncated) => {
        const out = [...head];
        if (findings.length) {
            const compBody = [...COMPLIANCE_HEAD, ...findingRows.slice(0, nFindings)].join('\n') +
                (nFindings < findingRows.length ? `\n\n_${findingRows.length - nFindings} more finding(s) not shown._` : '');
            out.push(`<details${errorsTotal ? ' open' : ''}><summary>${complianceSummary}</summary>\n\n${compBody}\n\n</details>`);
        }
        legParts.forEach((p, i) => {
            const n = nTasks[i] ?? 0;
            const tasks = [...TASK_HEAD, ...p.rows.slice(0, n)].join('\n') + (n < p.rows.length ? `\n\n_${p.rows.length - n} more task(s) not shown._` : '');
            out.push(`<details${p.open ? ' open' : ''}><summary>${p.summary}</summary>\n\n${p.phases}${p.errBlock}\n\n${tasks}\n\n</details>`);
        });
        if (truncated)
            out.push(`_Comment shortened to fit GitHub's ${COMMENT_LIMIT.toLocaleString('en-US')}-character limit.${opts.runUrl ? ` [The run's summary](${opts.runUrl}) has everything.` : ' The job summary has everything.'}_`);
        else if (opts.runUrl)
            out.push(`<sub>[Run details](${opts.runUrl})</sub>`);
        return out.join('\n\n') + '\n';
    };
    const full = assemble(findingRows.length, legParts.map((p) => p.rows.length), false);
    if (full.length <= max)
        return full;
    // Too long: keep everything above the tables; give the rest to findings first, then to task rows, leg by leg.
    const size = (s) => s.length;
    const fixed = assemble(0, legParts.map(() => 0), true).length +
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
/**
 * The report job's summary: the comment's overview and per-leg details (without the size pressure of a comment),
 * then each leg's gantt chart. Stays under `maxBytes` (1 MiB less headroom).
 */
function renderMatrixSummary(legs, opts) {
    const maxBytes = opts.maxBytes ?? SUMMARY_LIMIT - 16 * 1024;
    const maxGantt = opts.maxGanttTasks ?? DEFAULT_MAX_GANTT_TASKS;
    const gantts = legs.flatMap((l) => {
        if (!l.results)
            return [];
        const n = timedTasks(l.results).length;
        if (n === 0)
            return [];
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
    for (let chars = budget;; chars = Math.floor(chars * 0.8)) {
        const body = renderComment(legs, { ...opts, marker: '', maxChars: chars }).replace(/^\n+/, '');
        if (Buffer.byteLength(body) <= budget || chars < 1000) {
            return withTail && tail ? `${body}\n${tail}\n` : body;
        }
    }
}
/** The PR comment of `command: lint` (no run, just the Dockerfiles). */
function renderLintComment(report, opts) {
    const errors = report.findings.filter((f) => !f.waived && f.severity === 'error').length;
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

;// CONCATENATED MODULE: ./src/cli/report.ts
/**
 * `hybrid-e2e report --results DIR... [--markdown FILE]`: aggregates the results files of matrix legs into the one
 * comment (markdown) that the action posts, offline. Also the loader the action's `command: report` uses.
 */








/** Artifact names of the legs' results: `hybrid-e2e-results-<leg>`. */
const RESULTS_ARTIFACT_PREFIX = 'hybrid-e2e-results-';
const RESULTS_FILE_NAME = 'results.json';
const isStr = (x) => typeof x === 'string';
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const optNum = (x) => x === undefined || isNum(x);
const optStr = (x) => x === undefined || isStr(x);
const OUTCOMES = ['success', 'failure', 'skipped', 'cancelled'];
const PHASES = ['build', 'cluster', 'load', 'deploy'];
/**
 * A results object as written by `up` (version 1), with every field the renderers read of the right type. Results
 * can come from artifacts of a fork's run (workflow_run): anything else is rejected, not rendered.
 */
function isResults(v) {
    const r = v;
    if (!r || typeof r !== 'object' || r['version'] !== 1)
        return false;
    if (!isNum(r['startMs']) ||
        !isNum(r['endMs']) ||
        !isStr(r['runId']) ||
        !['success', 'failure', 'cancelled'].includes(r['outcome']))
        return false;
    if (!optStr(r['builder']) || !optStr(r['diagnosticsDir']))
        return false;
    const cluster = r['cluster'];
    if (!cluster || typeof cluster !== 'object' || !isStr(cluster['name']))
        return false;
    if (!Array.isArray(r['services']) || !r['services'].every(isStr) || !Array.isArray(r['errors']) || !r['errors'].every(isStr))
        return false;
    const tasks = r['tasks'];
    if (!Array.isArray(tasks))
        return false;
    for (const t of tasks) {
        if (!t ||
            typeof t !== 'object' ||
            !isStr(t['id']) ||
            !PHASES.includes(t['phase']) ||
            !OUTCOMES.includes(t['outcome']))
            return false;
        if (!optNum(t['startMs']) ||
            !optNum(t['endMs']) ||
            !isNum(t['attempts']) ||
            !optStr(t['service']) ||
            !optStr(t['error']) ||
            !optStr(t['note']))
            return false;
        if (t['logTail'] !== undefined && !(Array.isArray(t['logTail']) && t['logTail'].every(isStr)))
            return false;
    }
    const phases = r['phases'];
    if (!Array.isArray(phases))
        return false;
    for (const p of phases) {
        if (!p ||
            typeof p !== 'object' ||
            !PHASES.includes(p['name']) ||
            !OUTCOMES.includes(p['outcome']) ||
            !optNum(p['startMs']) ||
            !optNum(p['endMs']))
            return false;
    }
    const c = r['compliance'];
    if (c !== undefined) {
        if (!c || typeof c !== 'object' || !isNum(c['files']) || !Array.isArray(c['findings']))
            return false;
        for (const f of c['findings']) {
            if (!f ||
                typeof f !== 'object' ||
                !isStr(f['file']) ||
                !isNum(f['line']) ||
                !isNum(f['endLine']) ||
                !isStr(f['rule']) ||
                !isStr(f['message']) ||
                !['error', 'warning'].includes(f['severity']) ||
                typeof f['waived'] !== 'boolean' ||
                !optStr(f['reason']))
                return false;
        }
    }
    return true;
}
/** The leg name for a results file: `NAME=` if given, else its directory (artifact) name, else the file name. */
function legNameFor(file) {
    const base = external_node_path_default().basename(file);
    const name = base === RESULTS_FILE_NAME ? external_node_path_default().basename(external_node_path_default().dirname(file)) : base.replace(/\.json$/i, '');
    return name.startsWith(RESULTS_ARTIFACT_PREFIX) ? name.slice(RESULTS_ARTIFACT_PREFIX.length) || name : name;
}
function jsonFilesUnder(dir, depth) {
    const out = [];
    for (const e of (0,external_node_fs_.readdirSync)(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = external_node_path_default().join(dir, e.name);
        if (e.isDirectory() && depth > 0 && !e.name.startsWith('.'))
            out.push(...jsonFilesUnder(p, depth - 1));
        else if (e.isFile() && e.name.endsWith('.json'))
            out.push(p);
    }
    return out;
}
/**
 * Legs from results files or directories (searched three levels deep for `*.json` results; other JSON is skipped).
 * `NAME=PATH` names a leg explicitly. A file given explicitly must be a results file.
 */
function loadLegs(specs, cwd) {
    const legs = [];
    const seen = new Map();
    for (const spec of specs) {
        const m = spec.match(/^([^=/\\]+)=(.+)$/);
        const explicitName = m && !(0,external_node_fs_.existsSync)(external_node_path_default().resolve(cwd, spec)) ? m[1] : undefined;
        const target = external_node_path_default().resolve(cwd, explicitName ? m[2] : spec);
        let files;
        let explicit = false;
        try {
            if ((0,external_node_fs_.statSync)(target).isDirectory())
                files = jsonFilesUnder(target, 3);
            else {
                files = [target];
                explicit = true;
            }
        }
        catch {
            throw new errors/* UserError */.yo(`results path ${spec} does not exist.`);
        }
        for (const f of files) {
            let data;
            try {
                data = JSON.parse((0,external_node_fs_.readFileSync)(f, 'utf8'));
            }
            catch (e) {
                if (explicit)
                    throw new errors/* UserError */.yo(`${external_node_path_default().relative(cwd, f) || f}: not JSON (${(0,errors/* errorMessage */.gJ)(e)}).`);
                continue;
            }
            if (!isResults(data)) {
                if (explicit)
                    throw new errors/* UserError */.yo(`${external_node_path_default().relative(cwd, f) || f}: not a hybrid-e2e results file (version 1).`);
                continue;
            }
            let name = explicitName && files.length === 1 ? explicitName : legNameFor(f);
            const n = (seen.get(name) ?? 0) + 1;
            seen.set(name, n);
            if (n > 1)
                name = `${name} #${n}`;
            legs.push({ name, results: data });
        }
    }
    return legs;
}
/** Orders legs as the expected list says and adds a "no results" leg for each expected one that is missing. */
function withExpectedLegs(legs, expected) {
    if (!expected.length)
        return [...legs];
    const byName = new Map(legs.map((l) => [l.name, l]));
    const out = expected.map((n) => byName.get(n) ?? { name: n });
    for (const l of legs)
        if (!expected.includes(l.name))
            out.push(l);
    return out;
}
const USAGE = `Usage: hybrid-e2e report --results PATH [--results PATH...] [options]

Aggregates the results files of several runs (matrix legs) into the PR comment the action posts.
PATH is a results file, a directory searched for results files (e.g. downloaded artifacts), or NAME=PATH.

Options:
  -r, --results PATH     Results file or directory (repeatable; positional PATHs work too)
      --markdown FILE    Write the comment markdown to FILE (default: print it to stdout)
      --summary FILE     Also write the full job summary markdown to FILE
  -c, --config FILE      Take report.budgets from this config (default: setup 6m, build 3m)
  -s, --service NAME     Expected legs (repeatable or comma-separated): missing ones are reported as such
      --marker-key KEY   Key in the hidden marker (default: report)

Exit codes: 0 every leg passed, 1 a leg failed or has no results, 2 usage error or no results found.
`;
/** Reads, aggregates and renders; no output. */
function buildReport(o) {
    const legs = withExpectedLegs(loadLegs(o.results, o.cwd), o.expected ?? []);
    if (!legs.some((l) => l.results))
        throw new errors/* UserError */.yo(`no results files found in ${o.results.join(', ')}.`);
    const opts = {
        budgets: o.budgets ?? DEFAULT_BUDGETS,
        ...(o.runUrl ? { runUrl: o.runUrl } : {}),
        ...(o.blobBase ? { blobBase: o.blobBase } : {}),
        ...(o.regressionThreshold !== undefined ? { regressionThreshold: o.regressionThreshold } : {}),
    };
    const markdown = renderComment(legs, { ...opts, marker: o.marker ?? commentMarker('hybrid-e2e', 'report') });
    const summary = renderMatrixSummary(legs, opts);
    return { markdown, summary, legs, failed: legs.filter((l) => !l.results || l.results.outcome !== 'success').length };
}
/** `hybrid-e2e report ...` (argv after the word `report`). */
async function runReportCommand(argv, io) {
    let values;
    let positionals;
    try {
        ({ values, positionals } = (0,external_node_util_.parseArgs)({
            args: [...argv],
            options: {
                results: { type: 'string', short: 'r', multiple: true },
                markdown: { type: 'string' },
                summary: { type: 'string' },
                config: { type: 'string', short: 'c' },
                service: { type: 'string', short: 's', multiple: true },
                'marker-key': { type: 'string' },
                help: { type: 'boolean', short: 'h' },
            },
            allowPositionals: true,
            strict: true,
        }));
    }
    catch (e) {
        io.stderr(`hybrid-e2e report: ${(0,errors/* errorMessage */.gJ)(e).replace(/\. To specify.*$/s, '')}\n\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        io.stdout(USAGE);
        return 0;
    }
    const specs = [...(values.results ?? []), ...positionals];
    if (!specs.length) {
        io.stderr(`hybrid-e2e report: give at least one --results PATH.\n\n${USAGE}`);
        return 2;
    }
    try {
        let budgets = DEFAULT_BUDGETS;
        let regressionThreshold;
        if (values.config) {
            const loaded = (0,load/* loadConfig */.Z9)(values.config, { cwd: io.cwd });
            budgets = budgetsFromConfig(loaded.config.report, duration/* parseDuration */.E9);
            regressionThreshold = loaded.config.report.regressionThreshold;
        }
        const expected = (values.service ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
        const r = buildReport({
            results: specs,
            cwd: io.cwd,
            budgets,
            expected,
            marker: commentMarker('hybrid-e2e', values['marker-key'] ?? 'report'),
            ...(regressionThreshold !== undefined ? { regressionThreshold } : {}),
        });
        const write = (file, text) => {
            const abs = external_node_path_default().resolve(io.cwd, file);
            (0,external_node_fs_.mkdirSync)(external_node_path_default().dirname(abs), { recursive: true });
            (0,external_node_fs_.writeFileSync)(abs, text);
        };
        if (values.markdown)
            write(values.markdown, r.markdown);
        else
            io.stdout(r.markdown);
        if (values.summary)
            write(values.summary, r.summary);
        const findings = dedupeFindings(r.legs.map((l) => l.results?.compliance?.findings ?? []));
        for (const l of r.legs) {
            io.stderr(l.results
                ? `${l.results.outcome === 'success' ? '✔' : '✘'} ${l.name}: ${l.results.outcome} in ${fmtDuration(l.results.endMs - l.results.startMs)}\n`
                : `✘ ${l.name}: no results\n`);
        }
        io.stderr(`${r.legs.length - r.failed}/${r.legs.length} legs passed; ${unwaivedErrorCount(findings)} Dockerfile error(s) in ${findings.length} finding(s)${values.markdown ? `; comment written to ${values.markdown}` : ''}\n`);
        return r.failed ? 1 : 0;
    }
    catch (e) {
        if (e instanceof errors/* UserError */.yo) {
            io.stderr(`hybrid-e2e report: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
}


/***/ })

};

//# sourceMappingURL=377.index.js.map