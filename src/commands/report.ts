/**
 * Matrix legs' results: reading and checking results files (they can come from a fork's artifacts, so every field the
 * renderers read is checked), naming legs and their artifacts, and aggregating them into one comment and summary.
 * Used by `hybrid-e2e report` and the action's `command: report`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_REPORT, type Budgets } from '../core/config/loader.js';
import type { Finding } from '../core/compliance/lint-files.js';
import { UserError, errorMessage } from '../core/errors.js';
import type { Results } from '../core/engine/results.js';
import { PHASES } from '../core/plan/graph.js';
import { commentMarker, dedupeFindings, renderComment, renderMatrixSummary, type Leg } from '../render/comment.js';
import { unwaivedErrorCount } from '../render/lint-text.js';

export { fmtDuration } from '../render/summary.js';

export type { Leg };

/** Artifact names of the legs' results: `hybrid-e2e-results-<leg>`. */
export const RESULTS_ARTIFACT_PREFIX = 'hybrid-e2e-results-';
export const RESULTS_FILE_NAME = 'results.json';

const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const optNum = (x: unknown) => x === undefined || isNum(x);
const optStr = (x: unknown) => x === undefined || isStr(x);
const OUTCOMES = ['success', 'failure', 'skipped', 'cancelled'];

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
  if (!optStr(r['builder']) || !optStr(r['diagnosticsDir']) || !optNum(r['imageBytes'])) return false;
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
      !(PHASES as readonly string[]).includes(t['phase'] as string) ||
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
      !(PHASES as readonly string[]).includes(p['name'] as string) ||
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

/** The leg name of an `up` run: its service input (comma-joined), or `all`. */
export function legName(services: readonly string[]): string {
  return services.length ? services.join(',') : 'all';
}

/** Characters the artifact service rejects in names, and anything that is not plain, become `-`. */
export function artifactName(prefix: string, leg: string): string {
  const clean = leg.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'all';
  return `${prefix}${clean}`.slice(0, 200);
}

export const DIAGNOSTICS_ARTIFACT_PREFIX = 'hybrid-e2e-diagnostics-';

export interface ReportRender {
  /** The sticky comment. */
  markdown: string;
  /** The report job's summary. */
  summary: string;
  /** Legs that failed or have no results. */
  failed: Leg[];
  /** Compliance findings of every leg, deduplicated. */
  findings: Finding[];
  violations: number;
}

export interface ReportOptions {
  budgets?: Budgets;
  regressionThreshold?: number;
  marker?: string;
  runUrl?: string;
  blobBase?: string;
}

/** The one comment and summary for a set of legs. */
export function renderReport(legs: readonly Leg[], o: ReportOptions = {}): ReportRender {
  const opts = {
    budgets: o.budgets ?? DEFAULT_REPORT.budgets,
    regressionThreshold: o.regressionThreshold ?? DEFAULT_REPORT.regressionThreshold,
    ...(o.runUrl ? { runUrl: o.runUrl } : {}),
    ...(o.blobBase ? { blobBase: o.blobBase } : {}),
  };
  const findings = dedupeFindings(legs.map((l) => l.results?.compliance?.findings ?? []));
  return {
    markdown: renderComment(legs, { ...opts, marker: o.marker ?? reportMarker('report') }),
    summary: renderMatrixSummary(legs, opts),
    failed: legs.filter((l) => !l.results || l.results.outcome !== 'success'),
    findings,
    violations: unwaivedErrorCount(findings),
  };
}

/** Legs from results paths, in the expected order; throws when none has results. */
export function collectLegs(specs: readonly string[], cwd: string, expected: readonly string[] = []): Leg[] {
  const legs = withExpectedLegs(loadLegs(specs, cwd), expected);
  if (!legs.some((l) => l.results)) throw new UserError(`no results files found in ${specs.join(', ')}.`);
  return legs;
}

/** The hidden marker of a report comment made outside a workflow (`hybrid-e2e report --marker-key`). */
export function reportMarker(key: string): string {
  return commentMarker('hybrid-e2e', key);
}
