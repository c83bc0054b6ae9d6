import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, visit as visitYaml, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem, UserError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { parseSize } from '../size.js';
import { didYouMean } from '../suggest.js';
import type { CompliancePolicy } from '../compliance/policy.js';
import { configSchema, DNS_LABEL, reportSchema, type ServiceConfig } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'hybrid-e2e.yaml';

export interface ResolvedBuild {
  context: string;
  dockerfile: string;
  image: string;
  args: Record<string, string>;
  target?: string;
  coverage: boolean;
  coverageArg: string;
}

export interface ResolvedService {
  name: string;
  /** Prebuilt image reference, when the service is not built. */
  image?: string;
  build?: ResolvedBuild;
  manifests: string[];
  namespace: string;
  dependsOn: string[];
  wait?: string[];
  waitTimeoutMs: number;
  e2e: boolean;
}

export interface ResolvedCluster {
  name: string;
  unique: boolean;
  /** Absolute path of the kind config. */
  kindConfig?: string;
  nodeImage?: string;
  hostPorts: 'keep' | 'auto';
  /** Unset: predictive when an earlier run's durations are known, else after-builds (decided by the plan). */
  start?: 'after-builds' | 'predictive' | 'with-builds';
  /** Absolute paths of CRD manifests applied before any service. */
  crds: string[];
  retries: number;
  /** `kind create cluster --wait`, and the cluster's readiness gates. */
  waitTimeoutMs: number;
}

export interface ResolvedBuilds {
  parallelism: number | 'auto';
  loadParallelism: number;
  deployParallelism: number;
  retries: number;
  cacheRef?: string;
  keepCached: number;
  /** Bytes; undefined: estimated from the previous run. */
  minFreeDisk?: number;
}

export interface ResolvedDeployPolicy {
  crashLoopRestarts: number;
  configErrorGraceMs: number;
}

export type BudgetName = 'setup' | 'build' | 'cluster' | 'load' | 'deploy';
/** Phase budgets in ms (`setup` spans the whole run). */
export type Budgets = Partial<Record<BudgetName, number>>;

export interface ResolvedReport {
  budgets: Budgets;
  regressionThreshold: number;
}

/**
 * A config file, validated and fully resolved: every duration in ms, every path absolute, every default applied.
 * Nothing downstream reads the raw YAML.
 */
export interface ResolvedConfig {
  /** Absolute path of the config file. */
  file: string;
  /** The path as the user should see it (relative to cwd when inside it). */
  displayFile: string;
  /** Directory that relative paths in the config are resolved against. */
  dir: string;
  /** Paths may not escape this directory. */
  workspace: string;
  cluster: ResolvedCluster;
  builds: ResolvedBuilds;
  deploy: ResolvedDeployPolicy;
  services: Record<string, ResolvedService>;
  compliance?: CompliancePolicy;
  report: ResolvedReport;
  /** Where a field is in the file (for errors found after loading); the nearest existing node when it is absent. */
  positionOf(path: Array<string | number>): { line: number; column: number };
}

/** The config as written is valid, but not for this run (e.g. the `registry` cache without builds.cacheRef). */
export function configProblem(config: ResolvedConfig, path: Array<string | number>, message: string): ConfigError {
  return new ConfigError([{ file: config.displayFile, ...config.positionOf(path), path: formatPath(path), message }]);
}

function resolveBudgets(raw: Partial<Record<BudgetName, string | number | undefined>>): Budgets {
  const out: Budgets = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k as BudgetName] = parseDuration(v)!;
  return out;
}

/** The report settings of a config with no `report:` section (for `report` runs without a config file). */
export const DEFAULT_REPORT: ResolvedReport = (() => {
  const r = reportSchema.parse({});
  return { budgets: resolveBudgets(r.budgets), regressionThreshold: r.regressionThreshold };
})();

export interface LoadOptions {
  cwd?: string;
  /** Root that config paths must stay inside. Default: GITHUB_WORKSPACE, else the nearest git work tree above the config, else its directory. */
  workspace?: string;
}

type PathSeg = string | number;

export function formatPath(segs: readonly PathSeg[]): string {
  let out = '';
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

class Positions {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lc: LineCounter,
  ) {}

  /** Position of the value at `segs` (or of its key with `key`), falling back to the deepest node that exists. */
  at(segs: readonly PathSeg[], key = false): { line: number; column: number } {
    let node: unknown = this.doc.contents;
    let best: Node | null = (this.doc.contents as Node | null) ?? null;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      const last = i === segs.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => {
          const k = p.key as { value?: unknown } | null;
          return k !== null && typeof k === 'object' && String(k.value) === String(seg);
        });
        if (!pair) break;
        if (last && key && pair.key) {
          best = pair.key as Node;
          break;
        }
        node = pair.value;
        best = (pair.value as Node | null) ?? (pair.key as Node);
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (!item) break;
        node = item;
        best = item as Node;
      } else break;
    }
    const offset = best?.range?.[0] ?? 0;
    const pos = this.lc.linePos(offset);
    return { line: pos.line, column: pos.col };
  }
}

/** Zod 4 internals, walked to list the allowed keys at a path for "did you mean". */
type ZodLike = { _zod: { def: Record<string, unknown> & { type: string } } };
function unwrap(s: ZodLike): ZodLike {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const def = cur._zod.def;
    const inner = (def.innerType ?? (def.type === 'pipe' ? def.in : undefined)) as ZodLike | undefined;
    if (!inner) return cur;
    cur = inner;
  }
  return cur;
}
function keysAt(schema: z.ZodType, segs: readonly PathSeg[]): string[] {
  let cur = unwrap(schema as unknown as ZodLike);
  for (const seg of segs) {
    const def = cur._zod.def;
    if (def.type === 'object') {
      const next = (def.shape as Record<string, ZodLike>)[String(seg)];
      if (!next) return [];
      cur = unwrap(next);
    } else if (def.type === 'record') cur = unwrap(def.valueType as ZodLike);
    else if (def.type === 'array') cur = unwrap(def.element as ZodLike);
    else return [];
  }
  return cur._zod.def.type === 'object' ? Object.keys(cur._zod.def.shape as object) : [];
}

function getIn(value: unknown, segs: readonly PathSeg[]): unknown {
  let cur = value;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[s as string];
  }
  return cur;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function zodProblems(error: z.ZodError, raw: unknown, pos: Positions, file: string): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const segs = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const p = pos.at([...segs, k], true);
        out.push({
          file,
          ...p,
          path: formatPath([...segs, k]),
          message: `unknown field "${k}"${didYouMean(k, keysAt(configSchema, segs))}`,
        });
      }
      continue;
    }
    const value = getIn(raw, segs);
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      message = value === undefined ? `required field is missing` : `expected ${issue.expected}, got ${describeType(value)}`;
    } else if (issue.code === 'invalid_value' && 'values' in issue) {
      message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeType(value)}`;
    } else if (issue.code === 'invalid_key') {
      const inner = (issue as { issues?: Array<{ message: string }> }).issues?.[0]?.message;
      message = `invalid name "${String(segs[segs.length - 1])}"${inner ? `: ${inner}` : ''}`;
    } else if (issue.code === 'invalid_union') {
      message = `invalid value ${describeType(value)}`;
    }
    if (value === undefined && segs.length > 0) {
      const p = pos.at(segs.slice(0, -1));
      out.push({ file, ...p, path: formatPath(segs), message });
    } else {
      out.push({ file, ...pos.at(segs), path: formatPath(segs), message });
    }
  }
  return out;
}

function findWorkspace(dir: string): string {
  if (process.env.GITHUB_WORKSPACE && isInside(dir, path.resolve(process.env.GITHUB_WORKSPACE)))
    return path.resolve(process.env.GITHUB_WORKSPACE);
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

function isInside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Reads, validates and resolves a hybrid-e2e.yaml. Throws ConfigError (every problem, positioned) or UserError. */
export function loadConfig(configPath: string, opts: LoadOptions = {}): ResolvedConfig {
  const cwd = opts.cwd ?? process.cwd();
  const file = path.resolve(cwd, configPath);
  const rel = path.relative(cwd, file);
  const displayFile = rel && !rel.startsWith('..') ? rel : file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `${displayFile}: config file not found. Create it (see the README's config reference) or pass --config PATH.`
        : `${displayFile}: cannot read config file (${code ?? String(e)}).`,
    );
  }
  return parseConfig(text, file, { ...opts, cwd, displayFile });
}

export function parseConfig(text: string, file: string, opts: LoadOptions & { displayFile?: string } = {}): ResolvedConfig {
  const displayFile = opts.displayFile ?? file;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const p = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
        const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { file: displayFile, line: p.line, column: p.col, path: '', message: `YAML syntax error: ${first}` };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Unresolved aliases, alias bombs: the document parsed but cannot be turned into data.
    let at = { line: 1, col: 1 };
    visitYaml(doc, {
      Alias(_, node) {
        if (node.resolve(doc) === undefined && node.range) {
          at = lc.linePos(node.range[0]);
          return visitYaml.BREAK;
        }
        return undefined;
      },
    });
    throw new ConfigError([
      { file: displayFile, line: at.line, column: at.col, path: '', message: `YAML error: ${(e as Error).message.split('\n')[0]}` },
    ]);
  }
  const pos = new Positions(doc, lc);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([
      {
        file: displayFile,
        ...pos.at([]),
        path: '',
        message: `expected a mapping with "version: 1" and "services:", got ${describeType(raw)}`,
      },
    ]);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(zodProblems(parsed.error, raw, pos, displayFile));
  const config = parsed.data;
  const dir = path.dirname(file);
  const workspace = opts.workspace ? path.resolve(opts.workspace) : findWorkspace(dir);
  const problems: ConfigProblem[] = [];
  const problem = (segs: PathSeg[], message: string, key = false) =>
    problems.push({ file: displayFile, ...pos.at(segs, key), path: formatPath(segs), message });

  const resolvePath = (segs: PathSeg[], p: string, kind: 'file' | 'dir' | 'any'): string => {
    const abs = path.resolve(dir, p);
    if (!isInside(abs, workspace)) {
      problem(segs, `path "${p}" resolves outside the workspace (${workspace}); keep build inputs and manifests inside the repository`);
      return abs;
    }
    let st;
    try {
      st = statSync(abs);
    } catch {
      problem(segs, `${kind === 'dir' ? 'directory' : 'file'} not found: ${p} (looked for ${abs})`);
      return abs;
    }
    if (kind === 'file' && !st.isFile()) problem(segs, `expected a file, but ${p} is a directory`);
    if (kind === 'dir' && !st.isDirectory()) problem(segs, `expected a directory, but ${p} is a file`);
    return abs;
  };

  const names = Object.keys(config.services);
  if (names.length === 0) problem(['services'], 'no services defined: add at least one under "services:"');
  const services: Record<string, ResolvedService> = {};
  const repoOwner = new Map<string, string>();
  for (const name of names) {
    const s: ServiceConfig = config.services[name]!;
    if (!DNS_LABEL.test(name) || name.length > 63) {
      problem(
        ['services', name],
        `service name "${name}" is not a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)`,
        true,
      );
    }
    s.dependsOn.forEach((dep, i) => {
      if (!(dep in config.services)) problem(['services', name, 'dependsOn', i], `unknown service "${dep}"${didYouMean(dep, names)}`);
      else if (dep === name) problem(['services', name, 'dependsOn', i], `a service cannot depend on itself`);
    });
    let build: ResolvedBuild | undefined;
    if (s.build) {
      const b = s.build;
      const context = resolvePath(['services', name, 'build', 'context'], b.context, 'dir');
      const dockerfile = resolvePath(['services', name, 'build', 'dockerfile'], b.dockerfile, 'file');
      const prior = repoOwner.get(b.image);
      if (prior)
        problem(
          ['services', name, 'build', 'image'],
          `image repository "${b.image}" is already built by service "${prior}"; give each service its own repository`,
        );
      else repoOwner.set(b.image, name);
      build = {
        context,
        dockerfile,
        image: b.image,
        args: { ...b.args },
        coverage: b.coverage,
        coverageArg: b.coverageArg,
        ...(b.target ? { target: b.target } : {}),
      };
    }
    const manifests = s.manifests.map((m, i) => resolvePath(['services', name, 'manifests', i], m, 'any'));
    services[name] = {
      name,
      ...(s.image ? { image: s.image } : {}),
      ...(build ? { build } : {}),
      manifests,
      namespace: s.namespace,
      dependsOn: [...s.dependsOn],
      ...(s.wait ? { wait: [...s.wait] } : {}),
      waitTimeoutMs: parseDuration(s.waitTimeout)!,
      e2e: s.e2e,
    };
  }
  // Cycles: report each cycle once, at the dependsOn entry that closes it.
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'visiting');
    stack.push(n);
    const deps = config.services[n]?.dependsOn ?? [];
    deps.forEach((d, i) => {
      if (!(d in config.services) || d === n) return;
      if (state.get(d) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(d)), d];
        problem(['services', n, 'dependsOn', i], `dependency cycle: ${cycle.join(' → ')}`);
      } else if (!state.has(d)) visit(d);
    });
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of names) if (!state.has(n)) visit(n);

  const kindConfig = config.cluster.kindConfig ? resolvePath(['cluster', 'kindConfig'], config.cluster.kindConfig, 'file') : undefined;
  const crds = config.cluster.crds.map((c, i) => resolvePath(['cluster', 'crds', i], c, 'any'));
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new ConfigError(problems);
  }
  const c = config.cluster;
  return {
    file,
    displayFile,
    dir,
    workspace,
    cluster: {
      name: c.name,
      unique: c.unique,
      ...(kindConfig ? { kindConfig } : {}),
      ...(c.nodeImage ? { nodeImage: c.nodeImage } : {}),
      hostPorts: c.hostPorts,
      ...(c.start ? { start: c.start } : {}),
      crds,
      retries: c.retries,
      waitTimeoutMs: parseDuration(c.waitTimeout)!,
    },
    builds: {
      parallelism: config.builds.parallelism,
      loadParallelism: config.builds.loadParallelism,
      deployParallelism: config.builds.deployParallelism,
      retries: config.builds.retries,
      keepCached: config.builds.keepCached,
      ...(config.builds.cacheRef ? { cacheRef: config.builds.cacheRef } : {}),
      ...(config.builds.minFreeDisk !== undefined ? { minFreeDisk: parseSize(config.builds.minFreeDisk)! } : {}),
    },
    deploy: { crashLoopRestarts: config.deploy.crashLoopRestarts, configErrorGraceMs: parseDuration(config.deploy.configErrorGrace)! },
    services,
    ...(config.compliance ? { compliance: config.compliance } : {}),
    report: { budgets: resolveBudgets(config.report.budgets), regressionThreshold: config.report.regressionThreshold },
    positionOf: (segs) => pos.at(segs),
  };
}
