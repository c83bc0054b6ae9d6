/**
 * `hybrid-e2e report --results DIR... [--markdown FILE]`: aggregates the results files of matrix legs into the one
 * comment (markdown) that the action posts, offline. Also the loader the action's `command: report` uses.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Results } from '../core/engine/results.js';
import { loadConfig } from '../core/config/load.js';
import { parseDuration } from '../core/duration.js';
import { UserError, errorMessage } from '../core/errors.js';
import { commentMarker, dedupeFindings, renderComment, renderMatrixSummary, type Leg } from '../render/comment.js';
import { DEFAULT_BUDGETS, budgetsFromConfig, fmtDuration, unwaivedErrorCount, type Budgets } from '../render/summary.js';
import type { CliIO } from './io.js';

/** Artifact names of the legs' results: `hybrid-e2e-results-<leg>`. */
export const RESULTS_ARTIFACT_PREFIX = 'hybrid-e2e-results-';
export const RESULTS_FILE_NAME = 'results.json';

const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const optNum = (x: unknown) => x === undefined || isNum(x);
const optStr = (x: unknown) => x === undefined || isStr(x);
const OUTCOMES = ['success', 'failure', 'skipped', 'cancelled'];
const PHASES = ['build', 'cluster', 'load', 'deploy'];

/**
 * A results object as written by `up` (version 1), with every field the renderers read of the right type. Results
 * can come from artifacts of a fork's run (workflow_run): anything else is rejected, not rendered.
 */
export function isResults(v: unknown): v is Results {
  const r = v as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || r['version'] !== 1) return false;
  if (
    !isNum(r['startMs']) ||
    !isNum(r['endMs']) ||
    !isStr(r['runId']) ||
    !['success', 'failure', 'cancelled'].includes(r['outcome'] as string)
  )
    return false;
  if (!optStr(r['builder']) || !optStr(r['diagnosticsDir'])) return false;
  const cluster = r['cluster'] as Record<string, unknown> | null;
  if (!cluster || typeof cluster !== 'object' || !isStr(cluster['name'])) return false;
  if (!Array.isArray(r['services']) || !r['services'].every(isStr) || !Array.isArray(r['errors']) || !r['errors'].every(isStr))
    return false;
  const tasks = r['tasks'];
  if (!Array.isArray(tasks)) return false;
  for (const t of tasks as Record<string, unknown>[]) {
    if (
      !t ||
      typeof t !== 'object' ||
      !isStr(t['id']) ||
      !PHASES.includes(t['phase'] as string) ||
      !OUTCOMES.includes(t['outcome'] as string)
    )
      return false;
    if (
      !optNum(t['startMs']) ||
      !optNum(t['endMs']) ||
      !isNum(t['attempts']) ||
      !optStr(t['service']) ||
      !optStr(t['error']) ||
      !optStr(t['note'])
    )
      return false;
    if (t['logTail'] !== undefined && !(Array.isArray(t['logTail']) && t['logTail'].every(isStr))) return false;
  }
  const phases = r['phases'];
  if (!Array.isArray(phases)) return false;
  for (const p of phases as Record<string, unknown>[]) {
    if (
      !p ||
      typeof p !== 'object' ||
      !PHASES.includes(p['name'] as string) ||
      !OUTCOMES.includes(p['outcome'] as string) ||
      !optNum(p['startMs']) ||
      !optNum(p['endMs'])
    )
      return false;
  }
  const c = r['compliance'] as Record<string, unknown> | undefined;
  if (c !== undefined) {
    if (!c || typeof c !== 'object' || !isNum(c['files']) || !Array.isArray(c['findings'])) return false;
    for (const f of c['findings'] as Record<string, unknown>[]) {
      if (
        !f ||
        typeof f !== 'object' ||
        !isStr(f['file']) ||
        !isNum(f['line']) ||
        !isNum(f['endLine']) ||
        !isStr(f['rule']) ||
        !isStr(f['message']) ||
        !['error', 'warning'].includes(f['severity'] as string) ||
        typeof f['waived'] !== 'boolean' ||
        !optStr(f['reason'])
      )
        return false;
    }
  }
  return true;
}

/** The leg name for a results file: `NAME=` if given, else its directory (artifact) name, else the file name. */
export function legNameFor(file: string): string {
  const base = path.basename(file);
  const name = base === RESULTS_FILE_NAME ? path.basename(path.dirname(file)) : base.replace(/\.json$/i, '');
  return name.startsWith(RESULTS_ARTIFACT_PREFIX) ? name.slice(RESULTS_ARTIFACT_PREFIX.length) || name : name;
}

function jsonFilesUnder(dir: string, depth: number): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && depth > 0 && !e.name.startsWith('.')) out.push(...jsonFilesUnder(p, depth - 1));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out;
}

/**
 * Legs from results files or directories (searched three levels deep for `*.json` results; other JSON is skipped).
 * `NAME=PATH` names a leg explicitly. A file given explicitly must be a results file.
 */
export function loadLegs(specs: readonly string[], cwd: string): Leg[] {
  const legs: Leg[] = [];
  const seen = new Map<string, number>();
  for (const spec of specs) {
    const m = spec.match(/^([^=/\\]+)=(.+)$/);
    const explicitName = m && !existsSync(path.resolve(cwd, spec)) ? m[1]! : undefined;
    const target = path.resolve(cwd, explicitName ? m![2]! : spec);
    let files: string[];
    let explicit = false;
    try {
      if (statSync(target).isDirectory()) files = jsonFilesUnder(target, 3);
      else {
        files = [target];
        explicit = true;
      }
    } catch {
      throw new UserError(`results path ${spec} does not exist.`);
    }
    for (const f of files) {
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(f, 'utf8'));
      } catch (e) {
        if (explicit) throw new UserError(`${path.relative(cwd, f) || f}: not JSON (${errorMessage(e)}).`);
        continue;
      }
      if (!isResults(data)) {
        if (explicit) throw new UserError(`${path.relative(cwd, f) || f}: not a hybrid-e2e results file (version 1).`);
        continue;
      }
      let name = explicitName && files.length === 1 ? explicitName : legNameFor(f);
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      if (n > 1) name = `${name} #${n}`;
      legs.push({ name, results: data });
    }
  }
  return legs;
}

/** Orders legs as the expected list says and adds a "no results" leg for each expected one that is missing. */
export function withExpectedLegs(legs: readonly Leg[], expected: readonly string[]): Leg[] {
  if (!expected.length) return [...legs];
  const byName = new Map(legs.map((l) => [l.name, l]));
  const out: Leg[] = expected.map((n) => byName.get(n) ?? { name: n });
  for (const l of legs) if (!expected.includes(l.name)) out.push(l);
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

export interface ReportArgsResult {
  markdown: string;
  summary: string;
  legs: Leg[];
  failed: number;
}

/** Reads, aggregates and renders; no output. */
export function buildReport(o: {
  results: string[];
  cwd: string;
  budgets?: Budgets;
  expected?: string[];
  marker?: string;
  runUrl?: string;
  blobBase?: string;
  regressionThreshold?: number;
}): ReportArgsResult {
  const legs = withExpectedLegs(loadLegs(o.results, o.cwd), o.expected ?? []);
  if (!legs.some((l) => l.results)) throw new UserError(`no results files found in ${o.results.join(', ')}.`);
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
export async function runReportCommand(argv: readonly string[], io: CliIO): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
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
  } catch (e) {
    io.stderr(`hybrid-e2e report: ${errorMessage(e).replace(/\. To specify.*$/s, '')}\n\n${USAGE}`);
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
    let budgets: Budgets = DEFAULT_BUDGETS;
    let regressionThreshold: number | undefined;
    if (values.config) {
      const loaded = loadConfig(values.config, { cwd: io.cwd });
      budgets = budgetsFromConfig(loaded.config.report, parseDuration);
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
    const write = (file: string, text: string) => {
      const abs = path.resolve(io.cwd, file);
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    };
    if (values.markdown) write(values.markdown, r.markdown);
    else io.stdout(r.markdown);
    if (values.summary) write(values.summary, r.summary);
    const findings = dedupeFindings(r.legs.map((l) => l.results?.compliance?.findings ?? []));
    for (const l of r.legs) {
      io.stderr(
        l.results
          ? `${l.results.outcome === 'success' ? '✔' : '✘'} ${l.name}: ${l.results.outcome} in ${fmtDuration(l.results.endMs - l.results.startMs)}\n`
          : `✘ ${l.name}: no results\n`,
      );
    }
    io.stderr(
      `${r.legs.length - r.failed}/${r.legs.length} legs passed; ${unwaivedErrorCount(findings)} Dockerfile error(s) in ${findings.length} finding(s)${values.markdown ? `; comment written to ${values.markdown}` : ''}\n`,
    );
    return r.failed ? 1 : 0;
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`hybrid-e2e report: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
