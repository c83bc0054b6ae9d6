export const id = 781;
export const ids = [781];
export const modules = {

/***/ 3781:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runReportCommand: () => (/* binding */ runReportCommand)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
// EXTERNAL MODULE: ./src/commands/common.ts + 1 modules
var common = __webpack_require__(2998);
// EXTERNAL MODULE: ./src/core/config/loader.ts
var loader = __webpack_require__(2523);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
// EXTERNAL MODULE: ./src/core/plan/graph.ts
var graph = __webpack_require__(3743);
// EXTERNAL MODULE: ./src/render/summary.ts
var render_summary = __webpack_require__(1692);
// EXTERNAL MODULE: ./src/render/lint-text.ts
var lint_text = __webpack_require__(8464);
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
    return (0,render_summary/* sortFindings */.Tc)([...seen.values()]);
}
function phaseCell(r, name, budgets) {
    const p = r.phases.find((x) => x.name === name);
    const d = (0,render_summary/* phaseDuration */.__)(r, name);
    if (!p || d === undefined)
        return '—';
    const st = (0,render_summary/* budgetCell */.oT)(d, budgets[name], p.outcome);
    const mark = st.startsWith('❌') ? ' ❌' : st.startsWith('⚠️') ? ' ⚠️' : '';
    return `${(0,render_summary/* fmtDuration */.c5)(d)}${mark}`;
}
function legRow(leg, budgets, delta, withDelta) {
    const r = leg.results;
    if (!r)
        return `| ${(0,render_summary/* code */.aY)(leg.name)} | ⚠️ no results | — | — | — | — | — | — |${withDelta ? ' — |' : ''}`;
    const total = r.endMs - r.startMs;
    const st = (0,render_summary/* budgetCell */.oT)(total, budgets.setup);
    const setup = `${(0,render_summary/* fmtDuration */.c5)(total)}${st.startsWith('❌') ? ' ❌' : st.startsWith('⚠️') ? ' ⚠️' : ''}`;
    const builds = r.tasks.filter((t) => t.phase === 'build');
    return `| ${(0,render_summary/* code */.aY)(leg.name)} | ${render_summary/* OUTCOME_ICON */.bv[r.outcome] ?? ''} ${r.outcome} | ${setup} | ${phaseCell(r, 'build', budgets)} | ${phaseCell(r, 'cluster', budgets)} | ${phaseCell(r, 'load', budgets)} | ${phaseCell(r, 'deploy', budgets)} | ${builds.filter((t) => t.cached).length}/${builds.length} |${withDelta ? ` ${(0,render_summary/* deltaCell */.XN)(delta)} |` : ''}`;
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
            deltas.set(l.name, (0,render_summary/* compareToBaseline */.WD)(l.results, l.baseline.results, threshold));
    const withDelta = deltas.size > 0;
    const findings = dedupeFindings(withResults.map((l) => l.results.compliance?.findings ?? []));
    const errorsTotal = (0,lint_text/* unwaivedErrorCount */.Db)(findings);
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
        const st = (0,render_summary/* budgetCell */.oT)(slowest.ms, budgets.setup);
        totals.push(`${legs.length > 1 ? `slowest setup ${(0,render_summary/* code */.aY)(slowest.name)}` : 'setup'} **${(0,render_summary/* fmtDuration */.c5)(slowest.ms)}**${budgets.setup ? ` (budget ${(0,render_summary/* fmtDuration */.c5)(budgets.setup)} ${st.split(' ')[0]})` : ''}`);
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
            failures.push(`- ${(0,render_summary/* code */.aY)(l.name)}: no results${l.missingReason ? ` (${(0,render_summary/* mdEscape */.Li)(l.missingReason)})` : ' — the leg did not upload any; see its log'}`);
            continue;
        }
        const errs = l.results.errors.length ? l.results.errors : [`${l.results.outcome}`];
        for (const e of errs.slice(0, 3))
            failures.push(`- ${(0,render_summary/* code */.aY)(l.name)}: ${(0,render_summary/* mdEscape */.Li)((0,render_summary/* firstLine */.TM)(e, 300))}`);
        if (errs.length > 3)
            failures.push(`- ${(0,render_summary/* code */.aY)(l.name)}: … ${errs.length - 3} more error(s)`);
    }
    if (failures.length)
        head.push(['**Failures**', '', ...failures].join('\n'));
    // Regressions against the baseline.
    const regressions = [...deltas.entries()].flatMap(([name, ds]) => ds.filter((d) => d.regression).map((d) => `${(0,render_summary/* code */.aY)(name)} ${d.phase} ${(0,render_summary/* deltaCell */.XN)({ ...d, regression: false })}`));
    if (regressions.length)
        head.push(`🐢 **Slower than the baseline** (threshold ${Math.round(threshold * 100)}%): ${regressions.join(', ')}.`);
    // Compliance (deduplicated across legs).
    const findingRows = findings.map((f) => (0,render_summary/* complianceRow */._T)(f, opts.blobBase));
    const complianceSummary = `Dockerfile compliance: ${errorsTotal} error(s), ${findings.length} finding(s)${legs.length > 1 ? ' (deduplicated across legs)' : ''}`;
    // Per-leg details.
    const legParts = withResults.map((l) => {
        const r = l.results;
        const summary = `${render_summary/* OUTCOME_ICON */.bv[r.outcome] ?? ''} ${(0,render_summary/* mdEscape */.Li)(l.name)}: ${r.outcome} in ${(0,render_summary/* fmtDuration */.c5)(r.endMs - r.startMs)}, ${r.tasks.length} task(s)`;
        const errBlock = r.errors.length
            ? '\n\n' +
                r.tasks
                    .filter((t) => t.outcome === 'failure' && t.logTail?.length)
                    .slice(0, 2)
                    .map((t) => `${(0,render_summary/* code */.aY)(t.id)} output (last lines):\n\n\`\`\`text\n${t
                    .logTail.slice(-15)
                    .map((x) => x.replace(/```/g, "'''").slice(0, 300))
                    .join('\n')}\n\`\`\``)
                    .join('\n\n')
            : '';
        return {
            open: r.outcome !== 'success',
            summary,
            phases: (0,render_summary/* phaseTable */.m0)(r, budgets, deltas.get(l.name)),
            errBlock: errBlock.trim() ? errBlock : '',
            rows: r.tasks.map(render_summary/* taskRow */.W0),
        };
    });
    const assemble = (nFindings, nTasks, truncated) => {
        const out = [...head];
        if (findings.length) {
            const compBody = [...render_summary/* COMPLIANCE_HEAD */.fN, ...findingRows.slice(0, nFindings)].join('\n') +
                (nFindings < findingRows.length ? `\n\n_${findingRows.length - nFindings} more finding(s) not shown._` : '');
            out.push(`<details${errorsTotal ? ' open' : ''}><summary>${complianceSummary}</summary>\n\n${compBody}\n\n</details>`);
        }
        legParts.forEach((p, i) => {
            const n = nTasks[i] ?? 0;
            const tasks = [...render_summary/* TASK_HEAD */.$G, ...p.rows.slice(0, n)].join('\n') + (n < p.rows.length ? `\n\n_${p.rows.length - n} more task(s) not shown._` : '');
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
    const nFindings = (0,render_summary/* rowsThatFit */.YD)(findingRows, room, size);
    room -= findingRows.slice(0, nFindings).reduce((a, r) => a + r.length + 1, 0);
    // Failed legs' tasks matter most; then the rest in order.
    const order = legParts.map((p, i) => ({ p, i })).sort((a, b) => Number(b.p.open) - Number(a.p.open) || a.i - b.i);
    const nTasks = legParts.map(() => 0);
    for (const { p, i } of order) {
        const n = (0,render_summary/* rowsThatFit */.YD)(p.rows, room, size);
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
    const maxBytes = opts.maxBytes ?? render_summary/* SUMMARY_LIMIT */.Jt - 16 * 1024;
    const maxGantt = opts.maxGanttTasks ?? render_summary/* DEFAULT_MAX_GANTT_TASKS */.vS;
    const gantts = legs.flatMap((l) => {
        if (!l.results)
            return [];
        const n = (0,render_summary/* timedTasks */.CF)(l.results).length;
        if (n === 0)
            return [];
        return [
            n <= maxGantt
                ? `<details><summary>${(0,render_summary/* mdEscape */.Li)(l.name)} timeline</summary>\n\n${(0,render_summary/* renderGantt */.ZK)(l.results)}\n\n</details>`
                : `_${(0,render_summary/* mdEscape */.Li)(l.name)}: gantt chart omitted (${n} tasks are more than ${maxGantt})._`,
        ];
    });
    const tools = opts.tools?.length
        ? `Tools: ${opts.tools.map((t) => `${(0,render_summary/* mdEscape */.Li)(t.name)} ${(0,render_summary/* code */.aY)(t.version)}${t.source ? ` (${(0,render_summary/* mdEscape */.Li)(t.source)})` : ''}`).join(', ')}.`
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

;// CONCATENATED MODULE: ./src/commands/report.ts
/**
 * Matrix legs' results: reading and checking results files (they can come from a fork's artifacts, so every field the
 * renderers read is checked), naming legs and their artifacts, and aggregating them into one comment and summary.
 * Used by `hybrid-e2e report` and the action's `command: report`.
 */








/** Artifact names of the legs' results: `hybrid-e2e-results-<leg>`. */
const RESULTS_ARTIFACT_PREFIX = 'hybrid-e2e-results-';
const RESULTS_FILE_NAME = 'results.json';
const isStr = (x) => typeof x === 'string';
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const optNum = (x) => x === undefined || isNum(x);
const optStr = (x) => x === undefined || isStr(x);
const OUTCOMES = ['success', 'failure', 'skipped', 'cancelled'];
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
    if (!optStr(r['builder']) || !optStr(r['diagnosticsDir']) || !optNum(r['imageBytes']))
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
            !graph/* PHASES */.ZG.includes(t['phase']) ||
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
            !graph/* PHASES */.ZG.includes(p['name']) ||
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
/** The leg name of an `up` run: its service input (comma-joined), or `all`. */
function legName(services) {
    return services.length ? services.join(',') : 'all';
}
/** Characters the artifact service rejects in names, and anything that is not plain, become `-`. */
function artifactName(prefix, leg) {
    const clean = leg.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'all';
    return `${prefix}${clean}`.slice(0, 200);
}
const DIAGNOSTICS_ARTIFACT_PREFIX = 'hybrid-e2e-diagnostics-';
/** The one comment and summary for a set of legs. */
function renderReport(legs, o = {}) {
    const opts = {
        budgets: o.budgets ?? loader/* DEFAULT_REPORT */.JM.budgets,
        regressionThreshold: o.regressionThreshold ?? loader/* DEFAULT_REPORT */.JM.regressionThreshold,
        ...(o.runUrl ? { runUrl: o.runUrl } : {}),
        ...(o.blobBase ? { blobBase: o.blobBase } : {}),
    };
    const findings = dedupeFindings(legs.map((l) => l.results?.compliance?.findings ?? []));
    return {
        markdown: renderComment(legs, { ...opts, marker: o.marker ?? reportMarker('report') }),
        summary: renderMatrixSummary(legs, opts),
        failed: legs.filter((l) => !l.results || l.results.outcome !== 'success'),
        findings,
        violations: (0,lint_text/* unwaivedErrorCount */.Db)(findings),
    };
}
/** Legs from results paths, in the expected order; throws when none has results. */
function collectLegs(specs, cwd, expected = []) {
    const legs = withExpectedLegs(loadLegs(specs, cwd), expected);
    if (!legs.some((l) => l.results))
        throw new errors/* UserError */.yo(`no results files found in ${specs.join(', ')}.`);
    return legs;
}
/** The hidden marker of a report comment made outside a workflow (`hybrid-e2e report --marker-key`). */
function reportMarker(key) {
    return commentMarker('hybrid-e2e', key);
}

;// CONCATENATED MODULE: ./src/cli/report-args.ts
/** `hybrid-e2e report --results DIR... [--markdown FILE]`: the matrix report (commands/report.ts), offline. */





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
        io.stderr(`hybrid-e2e report: ${(0,common/* errorMessage */.gJ)(e).replace(/\. To specify.*$/s, '')}\n\n${USAGE}`);
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
        const report = values.config ? (0,common/* loadConfig */.Z9)(values.config, { cwd: io.cwd }).report : common/* DEFAULT_REPORT */.JM;
        const expected = (values.service ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
        const legs = collectLegs(specs, io.cwd, expected);
        const r = renderReport(legs, { ...report, marker: reportMarker(values['marker-key'] ?? 'report') });
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
        for (const l of legs) {
            io.stderr(l.results
                ? `${l.results.outcome === 'success' ? '✔' : '✘'} ${l.name}: ${l.results.outcome} in ${(0,render_summary/* fmtDuration */.c5)(l.results.endMs - l.results.startMs)}\n`
                : `✘ ${l.name}: no results\n`);
        }
        io.stderr(`${legs.length - r.failed.length}/${legs.length} legs passed; ${r.violations} Dockerfile error(s) in ${r.findings.length} finding(s)${values.markdown ? `; comment written to ${values.markdown}` : ''}\n`);
        return r.failed.length ? 1 : 0;
    }
    catch (e) {
        if (e instanceof common/* UserError */.yo) {
            io.stderr(`hybrid-e2e report: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
}


/***/ })

};

//# sourceMappingURL=781.index.js.map