export const id = 595;
export const ids = [595];
export const modules = {

/***/ 3595:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runLint: () => (/* binding */ runLint)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/core/compliance/index.ts + 9 modules
var compliance = __webpack_require__(8791);
;// CONCATENATED MODULE: ./src/render/lint-text.ts
function lintCounts(report) {
    let errors = 0;
    let warnings = 0;
    let waived = 0;
    const files = new Set();
    for (const f of report.findings) {
        files.add(f.file);
        if (f.waived)
            waived++;
        else if (f.severity === 'error')
            errors++;
        else
            warnings++;
    }
    return { errors, warnings, waived, filesWithFindings: files.size };
}
/** Exit status of a lint run: 1 when any unwaived error, else 0. */
function lintExitCode(report) {
    return report.findings.some((f) => f.severity === 'error' && !f.waived) ? 1 : 0;
}
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', gray: '\x1b[90m', bold: '\x1b[1m', green: '\x1b[32m', reset: '\x1b[0m' };
function summaryLine(report) {
    const c = lintCounts(report);
    if (report.findings.length === 0)
        return `No problems in ${plural(report.files, 'Dockerfile')}.`;
    return `${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}, ${c.waived} waived in ${c.filesWithFindings} of ${plural(report.files, 'Dockerfile')}.`;
}
/**
 * `file:line rule [severity] message`, one line per finding, grouped by file (blank line between files), then a
 * one-line total. `fixable`: number of findings `--fix` would remove (adds a hint).
 */
function renderLintText(report, opts = {}) {
    const paint = (code, s) => (opts.color ? `${code}${s}${ANSI.reset}` : s);
    const out = [];
    let prev;
    for (const f of report.findings) {
        if (prev !== undefined && f.file !== prev)
            out.push('');
        prev = f.file;
        const tag = f.waived
            ? paint(ANSI.gray, '[waived]')
            : f.severity === 'error'
                ? paint(ANSI.red, '[error]')
                : paint(ANSI.yellow, '[warning]');
        const reason = f.waived ? (f.reason ? ` (waived: ${f.reason})` : ' (waived without a reason)') : '';
        out.push(`${paint(ANSI.bold, `${f.file}:${f.line}`)} ${f.rule} ${tag} ${f.message}${reason}`);
    }
    if (out.length)
        out.push('');
    const c = lintCounts(report);
    const total = summaryLine(report);
    out.push(c.errors ? paint(ANSI.red, total) : c.warnings ? paint(ANSI.yellow, total) : paint(ANSI.green, total));
    if (opts.fixable)
        out.push(`${plural(opts.fixable, 'finding')} can be fixed automatically: hybrid-e2e lint --fix (preview with --fix --dry-run).`);
    return out.join('\n') + '\n';
}
function cell(s) {
    return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
/** Markdown for job summaries and PR comments. */
function renderLintMarkdown(report, opts = {}) {
    const maxRows = opts.maxRows ?? 200;
    const c = lintCounts(report);
    const lines = [`### ${opts.title ?? 'Dockerfile compliance'}`, ''];
    if (report.findings.length === 0) {
        lines.push(`:white_check_mark: No problems in ${plural(report.files, 'Dockerfile')}.`, '');
        return lines.join('\n');
    }
    const icon = c.errors ? ':x:' : c.warnings ? ':warning:' : ':white_check_mark:';
    lines.push(`${icon} **${plural(c.errors, 'error')}**, ${plural(c.warnings, 'warning')}, ${c.waived} waived in ${c.filesWithFindings} of ${plural(report.files, 'Dockerfile')}.`, '');
    lines.push('| File | Line | Rule | Severity | Message |', '|---|---:|---|---|---|');
    const sorted = [...report.findings].sort((a, b) => rank(a) - rank(b));
    for (const f of sorted.slice(0, maxRows)) {
        const sev = f.waived ? `waived (${f.severity})` : f.severity;
        const msg = f.waived ? `${f.message} — waived: ${f.reason ?? '(no reason given)'}` : f.message;
        lines.push(`| \`${cell(f.file)}\` | ${f.line} | \`${f.rule}\` | ${sev} | ${cell(msg)} |`);
    }
    if (sorted.length > maxRows)
        lines.push('', `…and ${sorted.length - maxRows} more (run \`hybrid-e2e lint\` locally for the full list).`);
    lines.push('');
    return lines.join('\n');
}
function rank(f) {
    return f.waived ? 2 : f.severity === 'error' ? 0 : 1;
}
/** Exactly one JSON object: {"files": n, "findings": [...]} (plus `extra` keys when given). */
function renderLintJson(report, extra) {
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

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
;// CONCATENATED MODULE: ./src/render/sarif.ts
/** SARIF 2.1.0 rendering of a lint report, ready for github/codeql-action/upload-sarif. Pure. */



const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const FINGERPRINT_KEY = 'hybridE2eFinding/v1';
function fileUri(rel) {
    return rel
        .split('/')
        .map((seg) => (seg === '..' || seg === '.' ? seg : encodeURIComponent(seg)))
        .join('/');
}
/** Stable across line moves: rule, file, message, and the occurrence number of that triple in the file. */
function fingerprint(f, occurrence) {
    return (0,external_node_crypto_.createHash)('sha256').update(`${f.rule}\0${f.file}\0${f.message}\0${occurrence}`).digest('hex').slice(0, 32);
}
function renderSarif(report, opts = {}) {
    const rules = compliance/* RULES */.y0.map((r) => ({
        id: r.id,
        name: r.name,
        shortDescription: { text: r.description },
        fullDescription: { text: r.help },
        help: { text: r.help, markdown: r.helpMarkdown },
        defaultConfiguration: { level: r.defaultSeverity },
        properties: {
            tags: ['dockerfile', 'hybrid-e2e', r.id === 'no-package-upgrade' || r.id === 'base-image-policy' ? 'build-performance' : 'waiver'],
            precision: 'very-high',
        },
    }));
    const ruleIndex = new Map(compliance/* RULES */.y0.map((r, i) => [r.id, i]));
    const seen = new Map();
    const results = report.findings.map((f) => {
        const key = `${f.rule}\0${f.file}\0${f.message}`;
        const occurrence = seen.get(key) ?? 0;
        seen.set(key, occurrence + 1);
        const region = { startLine: f.line, endLine: Math.max(f.line, f.endLine) };
        if (f.column !== undefined)
            region.startColumn = f.column;
        const result = {
            ruleId: f.rule,
            level: f.severity,
            message: { text: f.message },
            locations: [
                {
                    physicalLocation: {
                        artifactLocation: { uri: fileUri(f.file), ...(opts.srcRoot ? { uriBaseId: '%SRCROOT%' } : {}) },
                        region,
                    },
                },
            ],
            partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f, occurrence) },
        };
        const idx = ruleIndex.get(f.rule);
        if (idx !== undefined)
            result.ruleIndex = idx;
        if (f.waived)
            result.suppressions = [{ kind: 'inSource', status: 'accepted', ...(f.reason ? { justification: f.reason } : {}) }];
        return result;
    });
    const driver = { name: 'hybrid-e2e', rules };
    if (opts.toolVersion)
        driver.version = opts.toolVersion;
    if (opts.informationUri)
        driver.informationUri = opts.informationUri;
    const run = { tool: { driver }, results, columnKind: 'utf16CodeUnits' };
    if (opts.srcRoot) {
        let uri = (0,external_node_url_.pathToFileURL)(opts.srcRoot).href;
        if (!uri.endsWith('/'))
            uri += '/';
        run.originalUriBaseIds = { '%SRCROOT%': { uri } };
    }
    return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

// EXTERNAL MODULE: ./src/core/version.ts
var version = __webpack_require__(3323);
;// CONCATENATED MODULE: ./src/cli/lint.ts
/** `hybrid-e2e lint [PATH...] [--config F] [--format text|json|sarif|markdown] [--fix [--dry-run]]` */






const FORMATS = ['text', 'json', 'sarif', 'markdown'];
/** Exit code: 0 no unwaived error, 1 any unwaived error, 2 usage error. */
async function runLint(opts, io) {
    const usage = (msg) => {
        io.stderr(`hybrid-e2e lint: ${msg}\n`);
        return 2;
    };
    if (!FORMATS.includes(opts.format))
        return usage(`unknown format "${String(opts.format)}"; use one of ${FORMATS.join(', ')}.`);
    if (opts.dryRun && !opts.fix)
        return usage('--dry-run only applies to --fix: use "hybrid-e2e lint --fix --dry-run" to preview fixes.');
    const color = io.isTTY && !io.env.NO_COLOR;
    // 1. Which files.
    let files;
    try {
        const set = new Set();
        for (const f of opts.serviceDockerfiles ?? []) {
            const abs = external_node_path_default().resolve(io.cwd, f);
            if (!(0,external_node_fs_.existsSync)(abs) || !(0,external_node_fs_.statSync)(abs).isFile())
                return usage(`the Dockerfile ${(0,compliance/* displayPath */.Gt)(abs, io.cwd)} built by a service in the config does not exist; fix the service's build.dockerfile (or build.context) in the config.`);
            set.add(abs);
        }
        const scan = opts.paths.length ? opts.paths : set.size ? [] : [io.cwd];
        for (const f of await (0,compliance/* discoverDockerfiles */.lA)(scan, { cwd: io.cwd }))
            set.add(f);
        files = [...set].sort();
    }
    catch (e) {
        if (e instanceof compliance/* ComplianceInputError */.G8)
            return usage(`${e.message}. Pass existing files or directories (relative to ${io.cwd}), or no path to scan the current directory.`);
        throw e;
    }
    // 2. Fix.
    let diff = '';
    const unfixed = [];
    if (opts.fix) {
        let fixes = 0;
        let changedFiles = 0;
        for (const abs of files) {
            const rel = (0,compliance/* displayPath */.Gt)(abs, io.cwd);
            let text;
            try {
                text = (0,external_node_fs_.readFileSync)(abs, 'utf8');
            }
            catch (e) {
                return usage(`cannot read ${rel}: ${e.message}`);
            }
            const r = (0,compliance/* fixText */.Xc)(text, rel, opts.policy);
            unfixed.push(...r.unfixed);
            if (!r.changed)
                continue;
            fixes += r.fixes;
            changedFiles++;
            if (opts.dryRun)
                diff += (0,compliance/* unifiedDiff */.WH)(text, r.text, `a/${rel}`, `b/${rel}`);
            else
                (0,external_node_fs_.writeFileSync)(abs, r.text);
        }
        const what = `${fixes} package upgrade${fixes === 1 ? '' : 's'} in ${changedFiles} file${changedFiles === 1 ? '' : 's'}`;
        io.stderr(opts.dryRun
            ? `hybrid-e2e lint --fix --dry-run: would remove ${what} (nothing written).\n`
            : `hybrid-e2e lint --fix: removed ${what}.\n`);
        for (const u of unfixed)
            io.stderr(`  ${u.finding.file}:${u.finding.line} not fixed automatically: ${u.reason}\n`);
    }
    // 3. Lint (after fixing, when files were written).
    let report;
    try {
        report = await (0,compliance/* lintFiles */.ji)(files, { cwd: io.cwd, ...(opts.policy ? { policy: opts.policy } : {}) });
    }
    catch (e) {
        if (e instanceof compliance/* ComplianceInputError */.G8)
            return usage(e.message);
        throw e;
    }
    // 4. Output.
    switch (opts.format) {
        case 'json':
            io.stdout(renderLintJson(report, opts.dryRun ? { diff } : undefined));
            break;
        case 'sarif':
            io.stdout(JSON.stringify(renderSarif(report, { srcRoot: io.cwd, toolVersion: version/* VERSION */.x }), null, 2) + '\n');
            if (opts.dryRun && diff)
                io.stderr(diff);
            break;
        case 'markdown':
            if (opts.dryRun)
                io.stdout(diff ? `\`\`\`diff\n${diff}\`\`\`\n\n` : '');
            io.stdout(renderLintMarkdown(report));
            break;
        case 'text':
            if (opts.dryRun)
                io.stdout(color ? colorDiff(diff) : diff);
            else {
                if (files.length === 0) {
                    io.stdout(`No Dockerfiles found in ${opts.paths.length ? opts.paths.join(', ') : io.cwd}.\n`);
                    break;
                }
                const fixable = opts.fix ? 0 : countFixable(report, files, io.cwd, opts.policy);
                io.stdout(renderLintText(report, { color, fixable }));
            }
            break;
    }
    return lintExitCode(report);
}
function colorDiff(diff) {
    return diff
        .split('\n')
        .map((l) => l.startsWith('+++') || l.startsWith('---')
        ? `\x1b[1m${l}\x1b[0m`
        : l.startsWith('+')
            ? `\x1b[32m${l}\x1b[0m`
            : l.startsWith('-')
                ? `\x1b[31m${l}\x1b[0m`
                : l.startsWith('@@')
                    ? `\x1b[36m${l}\x1b[0m`
                    : l)
        .join('\n');
}
/** How many unwaived findings `--fix` would remove (only computed for files with unwaived upgrade findings). */
function countFixable(report, files, cwd, policy) {
    const withUpgrades = new Set(report.findings.filter((f) => f.rule === 'no-package-upgrade' && !f.waived).map((f) => f.file));
    let n = 0;
    for (const abs of files) {
        const rel = (0,compliance/* displayPath */.Gt)(abs, cwd);
        if (!withUpgrades.has(rel))
            continue;
        n += (0,compliance/* fixText */.Xc)((0,external_node_fs_.readFileSync)(abs, 'utf8'), rel, policy).fixes;
    }
    return n;
}


/***/ })

};

//# sourceMappingURL=595.index.js.map