/**
 * `npm run bench`: the performance benchmark of issue 6. Not part of CI (a full run takes ~15-20 minutes).
 *
 *   npm run bench                 full run: 5 interleaved rounds; writes test/bench/results/latest.json
 *   npm run bench -- --quick      smoke run: 1 round, fewer repetitions; writes to the temp dir
 *   options: --rounds N, --out FILE, --sections strategies,cache,load,action,lint,bundle
 *
 * What it measures (details and method next to each section below; the workload is in workload.ts):
 *   1. strategies: sequential, barrier, graph, predictive, interleaved A B C D A B C D ..., every run cold;
 *      wall time, the lower bound from the same round's measured task durations, cluster idle time and overlap;
 *   2. cache: cold vs warm (nothing changed) vs one service changed, real engine;
 *   3. load cost: bytes written per image, tarball path vs `--load` + `kind load docker-image`;
 *   4. action start → first engine command (bundled action, runner-style env);
 *   5. lint throughput (test/bench/lint.bench.ts), 6. bundle size.
 * Prints markdown tables with ✅/❌ per target, and writes every raw figure to the results JSON.
 * Requires: a Docker daemon (docker 20.10's built-in BuildKit or newer), podman (load-cost comparison only),
 * /bin/busybox (busybox-static), and dist/ (the bundled action).
 */
import { execa } from 'execa';
import { setMaxListeners } from 'node:events';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { detectBuilder } from '../../src/adapters/builders/detect.js';
import type { DetectedBuilder } from '../../src/adapters/builders/detect.js';
import { loadConfig, type ResolvedConfig } from '../../src/core/config/loader.js';
import { down as runDown } from '../../src/commands/down.js';
import { historyFromResults } from '../../src/core/engine/predict.js';
import type { Results } from '../../src/core/engine/results.js';
import { up as upSession } from '../../src/commands/up.js';
import { deriveBuildSlots } from '../../src/core/engine/run-up.js';
import { buildPlan } from '../../src/core/plan/graph.js';
import type { Strategy } from '../../src/core/plan/strategy.js';
import type { Reporter } from '../../src/core/reporter.js';
import { createFakeEnv, fakeBinDir, repoRoot } from '../helpers/fakes.js';
import { cpuBetween, cpuSnapshot } from './cpu.js';
import { daemonPids, ioAccountingAvailable, measureWrites, type Writes } from './diskio.js';
import { lowerBound, type LbTask, type LowerBound } from './lower-bound.js';
import { mb, ratio, sec, spread, summarise, median, type Summary } from './stats.js';
import {
  CHANGED_SERVICE,
  SCALE,
  SERVICES,
  USERS,
  createSmallWorkload,
  createWorkload,
  modelledSequentialUsersSeconds,
  type Workload,
} from './workload.js';
import { plainRun, type PlainService } from './plain.js';

// ---------------------------------------------------------------------------------------------------------------
// Options

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const QUICK = process.argv.includes('--quick');
const ROUNDS = Number(arg('--rounds') ?? (QUICK ? 1 : 5));
const SECTIONS = new Set((arg('--sections') ?? 'strategies,scale,cache,load,action,lint,bundle').split(','));
const OUT = path.resolve(
  arg('--out') ?? (QUICK ? path.join(os.tmpdir(), 'hybrid-e2e-bench-quick.json') : path.join(repoRoot, 'test/bench/results/latest.json')),
);
const REPS = { cache: 1, load: QUICK ? 1 : 3, action: QUICK ? 2 : 5, lint: QUICK ? 1 : 3 };
const LOAD_SERVICES = QUICK ? ['gateway'] : ['postgresql', 'gateway', 'datastorage'];
/** Interleaving order of every round (A B C D). */
const STRATEGIES: readonly Strategy[] = ['sequential', 'barrier', 'graph', 'predictive'];

const benchStart = Date.now();
/** Ctrl-C: cancels the running engine session (it cleans up after itself), then the harness removes the rest. */
const stop = new AbortController();
function checkStop(): void {
  if (stop.signal.aborted) throw new Error('interrupted');
}
const logFile = path.join(os.tmpdir(), `hybrid-e2e-bench-${benchStart}.log`);
const say = (s: string) => process.stdout.write(`${s}\n`);
const log = (s: string) => appendFileSync(logFile, `${s}\n`);
const elapsed = () => `${((Date.now() - benchStart) / 1000).toFixed(0).padStart(4)}s`;

function fileReporter(label: string): Reporter {
  const t0 = Date.now();
  const w = (s: string) => log(`[${label} +${((Date.now() - t0) / 1000).toFixed(2)}s] ${s}`);
  return {
    info: (l) => w(l),
    warn: (l) => w(`warning: ${l}`),
    task: (id, e, d) => w(`${e === 'start' ? '▶' : '■'} ${id}${d?.outcome ? ` ${d.outcome}` : ''}${d?.note ? ` (${d.note})` : ''}`),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One engine run (upSession with the fakes), cleaned up afterwards

interface TaskRecord {
  id: string;
  phase: string;
  outcome: string;
  /** Start, relative to the engine's start. */
  startMs?: number;
  ms?: number;
  cached?: boolean;
}

interface RunRecord {
  label: string;
  strategy: Strategy;
  round?: number;
  ok: boolean;
  /** upSession call, start to end: what a user waits for (planning, builder detection, lint, every task). */
  wallMs: number;
  /** The engine's own span (results.startMs → endMs). */
  engineMs?: number;
  buildPhaseMs?: number;
  cachedBuilds?: number;
  cluster?: { start?: string; idleMs?: number; overlapMs?: number };
  errors: string[];
  loadavg: number[];
  tasks: TaskRecord[];
  history?: boolean;
  /** CPU seconds: ours (harness + children, dockerd, containerd) and other tenants', and others in cores. */
  cpu?: { oursS: number; othersS: number; otherCores: number };
  /** Lower bounds from this run's own task durations (engine pools): cluster after the builds, and cluster free. */
  bound?: { afterBuildsMs: number; freeMs: number; binding: string };
}

function phaseMs(r: Results, name: string): number | undefined {
  const p = r.phases.find((x) => x.name === name);
  return p?.startMs !== undefined && p.endMs !== undefined ? p.endMs - p.startMs : undefined;
}

async function engineRun(
  w: Pick<Workload, 'knobs' | 'engineEnv' | 'removeImages'>,
  loaded: ResolvedConfig,
  strategy: Strategy,
  label: string,
  o: { history?: Record<string, number>; keepImages?: boolean; round?: number; services?: string[] } = {},
): Promise<{ rec: RunRecord; results?: Results }> {
  checkStop();
  const fake = createFakeEnv(w.knobs());
  const env = { ...fake.env, ...w.engineEnv(), HYBRID_E2E_TMPDIR: fake.stateDir };
  const reporter = fileReporter(label);
  const loadavg = os.loadavg().map((x) => Number(x.toFixed(2)));
  const cpu0 = cpuSnapshot();
  const t0 = performance.now();
  let results: Results | undefined;
  let runDir: string | undefined;
  const errors: string[] = [];
  // A signal per run (the engine adds a listener per running task, and one per run that it never removes).
  const ac = new AbortController();
  setMaxListeners(100, ac.signal);
  const onStop = () => ac.abort();
  stop.signal.addEventListener('abort', onStop, { once: true });
  try {
    const r = await upSession({
      config: loaded,
      services: o.services ?? [],
      engine: 'docker',
      cache: 'none',
      reporter,
      env,
      strategy,
      signal: ac.signal,
      ...(o.history ? { history: o.history } : {}),
      resultsFile: path.join(fake.stateDir, 'results.json'),
    });
    results = r.results;
    runDir = r.runDir;
    errors.push(...r.results.errors);
  } catch (e) {
    errors.push(String((e as Error).message ?? e));
  } finally {
    stop.signal.removeEventListener('abort', onStop);
  }
  const wallMs = performance.now() - t0;
  const cpu = cpuBetween(cpu0, cpuSnapshot());
  try {
    if (runDir && existsSync(runDir)) await runDown({ runDir, reporter, env });
  } catch (e) {
    errors.push(`down: ${(e as Error).message}`);
  }
  if (!o.keepImages) await w.removeImages();
  fake.cleanup();
  const rec: RunRecord = {
    label,
    strategy,
    ...(o.round !== undefined ? { round: o.round } : {}),
    ok: results?.outcome === 'success',
    wallMs: Math.round(wallMs),
    errors,
    loadavg,
    tasks: [],
    ...(o.history ? { history: true } : {}),
    ...(cpu
      ? {
          cpu: {
            oursS: Number(cpu.oursS.toFixed(1)),
            othersS: Number(cpu.othersS.toFixed(1)),
            otherCores: Number((cpu.othersS / (wallMs / 1000)).toFixed(2)),
          },
        }
      : {}),
  };
  if (results) {
    rec.engineMs = results.endMs - results.startMs;
    const b = phaseMs(results, 'build');
    if (b !== undefined) rec.buildPhaseMs = b;
    rec.cachedBuilds = results.tasks.filter((t) => t.phase === 'build' && t.cached).length;
    rec.cluster = {
      ...(results.cluster.start ? { start: results.cluster.start } : {}),
      ...(results.cluster.idleMs !== undefined ? { idleMs: results.cluster.idleMs } : {}),
      ...(results.cluster.overlapMs !== undefined ? { overlapMs: results.cluster.overlapMs } : {}),
    };
    rec.tasks = results.tasks.map((t) => ({
      id: t.id,
      phase: t.phase,
      outcome: t.outcome,
      ...(t.startMs !== undefined ? { startMs: t.startMs - results!.startMs } : {}),
      ...(t.startMs !== undefined && t.endMs !== undefined ? { ms: t.endMs - t.startMs } : {}),
      ...(t.cached !== undefined ? { cached: t.cached } : {}),
    }));
  }
  say(
    `${elapsed()}  ${label.padEnd(24)} ${rec.ok ? 'ok    ' : 'FAILED'} wall ${sec(rec.wallMs)}${rec.buildPhaseMs !== undefined ? `, builds ${sec(rec.buildPhaseMs)}` : ''}${rec.cluster?.overlapMs ? `, overlap ${sec(rec.cluster.overlapMs)}` : ''}${rec.cluster?.idleMs !== undefined ? `, idle ${sec(rec.cluster.idleMs, 2)}` : ''}  (others used ${rec.cpu ? `${rec.cpu.otherCores} cores` : 'n/a'})`,
  );
  if (!rec.ok) for (const e of errors.slice(0, 5)) say(`        ${e.split('\n')[0]}`);
  return { rec, ...(results ? { results } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Strategies, interleaved rounds, lower bound

/** The plan's tasks with durations from `ms`; `free`: the cluster may start at any time (predictive's rule). */
function lbTasks(loaded: ResolvedConfig, ms: (id: string) => number | undefined, free: boolean): LbTask[] | undefined {
  const out: LbTask[] = [];
  for (const t of buildPlan(loaded, []).tasks) {
    const d = ms(t.id);
    if (d === undefined) return undefined;
    out.push({ id: t.id, pool: t.pool, deps: free && t.id === 'cluster' ? [] : t.deps, ms: d });
  }
  return out;
}

/**
 * Lower bound of one run from its own measured task durations, with the engine's pools (build slots as the engine
 * used them, loads 2, deploys 8, one cluster): how close the schedule came to the best schedule of those tasks.
 */
function runBound(rec: RunRecord, loaded: ResolvedConfig, slots: Record<string, number>): RunRecord['bound'] {
  const ms = (id: string) => rec.tasks.find((t) => t.id === id)?.ms;
  const a = lbTasks(loaded, ms, false);
  const f = lbTasks(loaded, ms, true);
  if (!a || !f) return undefined;
  const after = lowerBound(a, slots);
  return { afterBuildsMs: Math.round(after.ms), freeMs: Math.round(lowerBound(f, slots).ms), binding: after.binding };
}

interface RoundBound {
  round: number;
  /** The pattern's rule: cluster after every build. */
  afterBuilds: LowerBound;
  /** Cluster free to start at any time (what predictive may exploit). */
  free: LowerBound;
  /** Durations used (ms), by task id. */
  durations: Record<string, number>;
}

/**
 * Physical bound of a round: builds from the round's sequential run (one at a time, so uncontended) with the build
 * pool capped at the CPU count (the builds are CPU-bound); every other task the smallest duration measured in the
 * round (they are modelled sleeps plus process overhead).
 */
function roundBound(
  round: number,
  runs: readonly RunRecord[],
  loaded: ResolvedConfig,
  slots: Record<string, number>,
): RoundBound | undefined {
  const seq = runs.find((r) => r.strategy === 'sequential' && r.ok);
  if (!seq) return undefined;
  const durations: Record<string, number> = {};
  const ms = (id: string) => {
    const source = id.startsWith('build:') ? [seq] : runs.filter((r) => r.ok);
    const ds = source.flatMap((r) => r.tasks.filter((x) => x.id === id && x.ms !== undefined).map((x) => x.ms!));
    if (ds.length === 0) return undefined;
    return (durations[id] = Math.min(...ds));
  };
  const a = lbTasks(loaded, ms, false);
  const f = lbTasks(loaded, ms, true);
  if (!a || !f) return undefined;
  return { round, afterBuilds: lowerBound(a, slots), free: lowerBound(f, slots), durations };
}

async function strategiesSection(
  w: Workload,
  loaded: ResolvedConfig,
  slots: { engine: Record<string, number>; physical: Record<string, number> },
) {
  const runs: RunRecord[] = [];
  const bounds: RoundBound[] = [];
  let lastGraph: Results | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    const roundRuns: RunRecord[] = [];
    for (const strategy of STRATEGIES) {
      // Cold: a new marker before the work steps of every service, so every strategy does the same build work.
      w.mark(`${w.token}-r${round}-${strategy}`);
      // Predictive start needs history: the most recent graph run (this round's, just before) plays the baseline
      // a previous CI run would have saved.
      const history = strategy === 'predictive' && lastGraph?.outcome === 'success' ? historyFromResults(lastGraph) : undefined;
      const { rec, results } = await engineRun(w, loaded, strategy, `r${round} ${strategy}`, { round, ...(history ? { history } : {}) });
      if (strategy === 'graph' && results) lastGraph = results;
      if (rec.ok) {
        const b = runBound(rec, loaded, slots.engine);
        if (b) rec.bound = b;
      }
      roundRuns.push(rec);
      runs.push(rec);
    }
    const lb = roundBound(round, roundRuns, loaded, slots.physical);
    const per = roundRuns
      .map(
        (r) =>
          `${r.strategy} ${r.bound ? ratio(r.wallMs / (r.strategy === 'predictive' ? r.bound.freeMs : r.bound.afterBuildsMs)) : 'n/a'}`,
      )
      .join(', ');
    if (lb) {
      bounds.push(lb);
      say(
        `${elapsed()}  r${round} wall / own-duration bound: ${per}; physical bound ${sec(lb.afterBuilds.ms)} (${lb.afterBuilds.binding}), cluster free ${sec(lb.free.ms)}`,
      );
    } else say(`${elapsed()}  r${round} wall / own-duration bound: ${per}; no physical bound (the sequential run failed)`);
  }
  const by = (s: Strategy) => runs.filter((r) => r.strategy === s && r.ok);
  const perStrategy = Object.fromEntries(
    STRATEGIES.map((s) => {
      const rs = by(s);
      const physical = (r: RunRecord, free: boolean) => {
        const lb = bounds.find((b) => b.round === r.round);
        return lb ? [r.wallMs / (free ? lb.free.ms : lb.afterBuilds.ms)] : [];
      };
      return [
        s,
        {
          runs: rs.length,
          failed: runs.filter((r) => r.strategy === s && !r.ok).length,
          wallMs: summarise(rs.map((r) => r.wallMs)),
          engineMs: summarise(rs.map((r) => r.engineMs ?? NaN)),
          buildPhaseMs: summarise(rs.map((r) => r.buildPhaseMs ?? NaN)),
          /** Against the lower bound of the run's own durations, cluster after the builds. */
          wallOverLowerBound: summarise(rs.flatMap((r) => (r.bound ? [r.wallMs / r.bound.afterBuildsMs] : []))),
          /** Against the run's own-duration bound with the cluster free to start any time. */
          wallOverFreeBound: summarise(rs.flatMap((r) => (r.bound ? [r.wallMs / r.bound.freeMs] : []))),
          wallOverPhysicalBound: summarise(rs.flatMap((r) => physical(r, false))),
          wallOverPhysicalFreeBound: summarise(rs.flatMap((r) => physical(r, true))),
          otherTenantsCores: summarise(rs.map((r) => r.cpu?.otherCores ?? NaN)),
          idleMs: summarise(rs.map((r) => r.cluster?.idleMs ?? NaN)),
          overlapMs: summarise(rs.map((r) => r.cluster?.overlapMs ?? NaN)),
          withHistory: rs.filter((r) => r.history).length,
        },
      ];
    }),
  ) as Record<Strategy, StrategySummary>;
  /** Paired per-round ratio a/b (interleaving makes rounds comparable). */
  const paired = (a: Strategy, b: Strategy) =>
    summarise(
      [...new Set(runs.map((r) => r.round))].flatMap((round) => {
        const x = runs.find((r) => r.round === round && r.strategy === a && r.ok);
        const y = runs.find((r) => r.round === round && r.strategy === b && r.ok);
        return x && y ? [x.wallMs / y.wallMs] : [];
      }),
    );
  const seqs = by('sequential');
  const modelledShare = summarise(
    seqs.map((r) => {
      const modelled = r.tasks.filter((t) => t.phase !== 'build').reduce((a, t) => a + (t.ms ?? 0), 0);
      const builds = r.tasks.filter((t) => t.phase === 'build').reduce((a, t) => a + (t.ms ?? 0), 0);
      return modelled / (modelled + builds);
    }),
  );
  return {
    order: STRATEGIES,
    rounds: ROUNDS,
    runs,
    lowerBounds: bounds,
    physicalBoundMs: summarise(bounds.map((b) => b.afterBuilds.ms)),
    physicalFreeBoundMs: summarise(bounds.map((b) => b.free.ms)),
    perStrategy,
    ratios: {
      graphOverBarrier: paired('graph', 'barrier'),
      graphOverSequential: paired('graph', 'sequential'),
      predictiveOverGraph: paired('predictive', 'graph'),
      predictiveOverBarrier: paired('predictive', 'barrier'),
      barrierOverSequential: paired('barrier', 'sequential'),
    },
    /** Share of create/load/deploy in the sequential run's task time (users: ≈ 1/3; see workload.ts). */
    modelledShareOfSequential: modelledShare,
  };
}

interface StrategySummary {
  runs: number;
  failed: number;
  wallMs: Summary;
  engineMs: Summary;
  buildPhaseMs: Summary;
  wallOverLowerBound: Summary;
  wallOverFreeBound: Summary;
  wallOverPhysicalBound: Summary;
  wallOverPhysicalFreeBound: Summary;
  otherTenantsCores: Summary;
  idleMs: Summary;
  overlapMs: Summary;
  withHistory: number;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Cache: cold vs warm vs one service changed (graph strategy, real engine)

async function cacheSection(w: Workload, loaded: ResolvedConfig) {
  const reps: { cold: RunRecord; warm: RunRecord; oneChanged: RunRecord }[] = [];
  for (let rep = 1; rep <= REPS.cache; rep++) {
    w.mark(`${w.token}-cache-${rep}`);
    const cold = (await engineRun(w, loaded, 'graph', `cache${rep} cold`, { keepImages: true })).rec;
    const warm = (await engineRun(w, loaded, 'graph', `cache${rep} warm`, { keepImages: true })).rec;
    w.mark(`${w.token}-cache-${rep}-changed`, [CHANGED_SERVICE]);
    const oneChanged = (await engineRun(w, loaded, 'graph', `cache${rep} one changed`, { keepImages: true })).rec;
    await w.removeImages();
    reps.push({ cold, warm, oneChanged });
  }
  const ok = reps.filter((r) => r.cold.ok && r.warm.ok && r.oneChanged.ok);
  return {
    changedService: CHANGED_SERVICE,
    reps,
    buildPhaseMs: {
      cold: summarise(ok.map((r) => r.cold.buildPhaseMs ?? NaN)),
      warm: summarise(ok.map((r) => r.warm.buildPhaseMs ?? NaN)),
      oneChanged: summarise(ok.map((r) => r.oneChanged.buildPhaseMs ?? NaN)),
    },
    wallMs: {
      cold: summarise(ok.map((r) => r.cold.wallMs)),
      warm: summarise(ok.map((r) => r.warm.wallMs)),
      oneChanged: summarise(ok.map((r) => r.oneChanged.wallMs)),
    },
    cachedBuilds: {
      cold: ok.map((r) => r.cold.cachedBuilds),
      warm: ok.map((r) => r.warm.cachedBuilds),
      oneChanged: ok.map((r) => r.oneChanged.cachedBuilds),
    },
    warmOverCold: summarise(ok.map((r) => (r.warm.buildPhaseMs ?? NaN) / (r.cold.buildPhaseMs ?? NaN))),
    oneChangedOverCold: summarise(ok.map((r) => (r.oneChanged.buildPhaseMs ?? NaN) / (r.cold.buildPhaseMs ?? NaN))),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Load cost: bytes written per image, tarball path vs --load + kind load docker-image

/**
 * Per image (a dependency stand-in, a light and a heavy service), after a build with the engine's builder:
 *  - tarball path (what the engine does with this builder): `docker save --output <tar>` + `kind load image-archive`;
 *  - `--load` + `kind load docker-image`: the image handed to the daemon as an archive (`docker load`, what buildx's
 *    `--load` does; measured on a copy built by the classic builder so that its layers are really absent from the
 *    daemon: a BuildKit-built image's layers stay in the build cache after `docker rmi`), then what real
 *    `kind load docker-image` runs: `docker save -o <tmp>/images.tar`, then the import;
 *  - podman's tarball path (`podman save --format docker-archive`), for comparison.
 * The import into the node is the same for both paths and happens inside the kind node; the fake does not model
 * it, so it is counted for neither. Each path is measured REPS.load times; medians.
 */
async function loadSection(w: Workload, detected: DetectedBuilder) {
  if (!ioAccountingAvailable())
    return { available: false as const, reason: '/proc/<pid>/io of this process or of dockerd is not readable' };
  const builder = detected.builder;
  const docker = builder.caps.binary;
  const fake = createFakeEnv({});
  const cluster = 'bench-load';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-bench-load-'));
  const images: Record<string, unknown>[] = [];
  try {
    const c = await fake.run('kind', ['create', 'cluster', '--name', cluster]);
    if (c.exitCode !== 0) throw new Error(`fake kind create failed: ${c.stderr}`);
    for (const name of LOAD_SERVICES) {
      const spec = SERVICES.find((s) => s.name === name)!;
      w.mark(`${w.token}-load-${name}`, [name]);
      const ctx = path.join(w.dir, 'svc', name);
      const ref = `${w.repo(name)}:load`;
      const build = await measureWrites(() =>
        builder.build({
          service: name,
          context: ctx,
          dockerfile: path.join(ctx, 'Dockerfile'),
          image: w.repo(name),
          tag: ref,
          args: {},
          cache: { backend: 'none', scope: name },
          network: 'none',
        }),
      );
      const size = Number((await execa(docker, ['image', 'inspect', '--format', '{{.Size}}', ref])).stdout.trim());
      const tarball: Writes[] = [];
      const dockerLoad: Writes[] = [];
      const kindSave: Writes[] = [];
      const podmanSave: Writes[] = [];
      for (let r = 0; r < REPS.load; r++) {
        const tar = path.join(tmp, `${name}-${r}.tar`);
        tarball.push(
          (
            await measureWrites(async () => {
              await builder.save(ref, tar);
              const l = await fake.run('kind', ['load', 'image-archive', tar, '--name', cluster], { timeoutMs: 60_000 });
              if (l.exitCode !== 0) throw new Error(`fake kind load image-archive: ${l.stderr}`);
            })
          ).writes,
        );
        rmSync(tar, { force: true });
      }
      // --load: the same Dockerfile built by the classic builder (same content sizes), archived in memory.
      const legacyRef = `${w.repo(name)}:legacy`;
      await execa(docker, ['build', '--quiet', '--network', 'none', '--tag', legacyRef, '--file', path.join(ctx, 'Dockerfile'), ctx], {
        env: { DOCKER_BUILDKIT: '0' },
      });
      const legacySize = Number((await execa(docker, ['image', 'inspect', '--format', '{{.Size}}', legacyRef])).stdout.trim());
      const archive = (await execa(docker, ['save', legacyRef], { encoding: 'buffer', maxBuffer: 1 << 30 })).stdout;
      for (let r = 0; r < REPS.load; r++) {
        await execa(docker, ['rmi', legacyRef]);
        dockerLoad.push((await measureWrites(() => execa(docker, ['load', '--quiet'], { input: archive }))).writes);
        const tmpTar = path.join(tmp, `kind-${name}-${r}.tar`);
        kindSave.push(
          (
            await measureWrites(async () => {
              await execa(docker, ['save', '-o', tmpTar, ref]);
              const l = await fake.run('kind', ['load', 'docker-image', ref, '--name', cluster], { timeoutMs: 60_000 });
              if (l.exitCode !== 0) throw new Error(`fake kind load docker-image: ${l.stderr}`);
            })
          ).writes,
        );
        rmSync(tmpTar, { force: true });
      }
      await execa(docker, ['rmi', legacyRef], { reject: false });
      // podman: the same image imported from memory (not measured), then saved (measured).
      let podman: { bytes: number } | { error: string };
      try {
        const podArchive = (await execa(docker, ['save', ref], { encoding: 'buffer', maxBuffer: 1 << 30 })).stdout;
        await execa('podman', ['load', '--quiet'], { input: podArchive });
        for (let r = 0; r < REPS.load; r++) {
          const tar = path.join(tmp, `podman-${name}-${r}.tar`);
          podmanSave.push(
            (await measureWrites(() => execa('podman', ['save', '--quiet', '--format', 'docker-archive', '--output', tar, ref]))).writes,
          );
          rmSync(tar, { force: true });
        }
        await execa('podman', ['rmi', ref], { reject: false });
        podman = { bytes: median(podmanSave.map((x) => x.bytes)) };
      } catch (e) {
        podman = { error: (e as Error).message.split('\n')[0]! };
      }
      const tarBytes = median(tarball.map((x) => x.bytes));
      const loadBytes = median(dockerLoad.map((x) => x.bytes));
      const kindBytes = median(kindSave.map((x) => x.bytes));
      const entry = {
        service: name,
        class: spec.class,
        imageBytes: size,
        buildWrites: build.writes,
        tarballPath: { bytes: tarBytes, perImage: tarBytes / size, samples: tarball },
        loadPath: {
          bytes: loadBytes + kindBytes,
          perImage: (loadBytes + kindBytes) / size,
          dockerLoad: { bytes: loadBytes, perImage: loadBytes / legacySize, imageBytes: legacySize, samples: dockerLoad },
          kindLoadDockerImage: { bytes: kindBytes, perImage: kindBytes / size, samples: kindSave },
        },
        podmanTarballPath: 'bytes' in podman ? { bytes: podman.bytes, perImage: podman.bytes / size, samples: podmanSave } : podman,
      };
      images.push(entry);
      say(
        `${elapsed()}  load cost ${name.padEnd(12)} image ${mb(size)}: tarball path ${mb(tarBytes)} (${ratio(tarBytes / size)}×), --load + kind load docker-image ${mb(loadBytes + kindBytes)} (${ratio((loadBytes + kindBytes) / size)}×)${'bytes' in podman ? `, podman save ${ratio(podman.bytes / size)}×` : ''}`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    fake.cleanup();
    await w.removeImages();
  }
  const per = (k: 'tarballPath' | 'loadPath') => images.map((i) => (i[k] as { perImage: number }).perImage);
  return {
    available: true as const,
    method:
      'write_bytes of /proc/<pid>/io for this harness (with its reaped children: docker/podman CLIs, fake kind), dockerd and containerd',
    daemons: daemonPids(),
    builder: `${detected.builder.caps.kind} (${detected.builder.caps.binary} ${detected.builder.caps.version})`,
    images,
    tarballPerImage: summarise(per('tarballPath')),
    loadPathPerImage: summarise(per('loadPath')),
    podmanPerImage: summarise(
      images.flatMap((i) =>
        'perImage' in (i.podmanTarballPath as object) ? [(i.podmanTarballPath as { perImage: number }).perImage] : [],
      ),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2b. Scale (issue 12): the engine side by side with the plain script, at 9 and at 40 services; first-build
// latency; bytes handed to kind for images on one shared base

async function plainSide(
  services: PlainService[],
  knobs: ReturnType<Workload['knobs']>,
  docker: string,
  label: string,
): Promise<{ ok: boolean; wallMs: number; phases?: Record<string, number>; error?: string }> {
  checkStop();
  const fake = createFakeEnv(knobs);
  try {
    const r = await plainRun(services, {
      docker,
      cluster: `plain-${Math.random().toString(36).slice(2, 8)}`,
      dir: fake.stateDir,
      env: { ...fake.env, DOCKER_BUILDKIT: '1' },
    });
    say(
      `${elapsed()}  ${label.padEnd(24)} ok     wall ${sec(r.wallMs)} (${Object.entries(r.phases)
        .map(([k, v]) => `${k} ${sec(v)}`)
        .join(', ')})`,
    );
    return { ok: true, ...r };
  } catch (e) {
    const error = String((e as Error).message ?? e)
      .split('\n')
      .slice(0, 3)
      .join(' ');
    say(`${elapsed()}  ${label.padEnd(24)} FAILED ${error}`);
    return { ok: false, wallMs: NaN, error };
  } finally {
    fake.cleanup();
  }
}

async function scaleSection(w: Workload, loaded: ResolvedConfig, detected: DetectedBuilder) {
  const docker = detected.builder.caps.binary;
  const rounds = QUICK ? 1 : 3;
  const pairs: { services: number; round: number; engineMs: number; plainMs: number; engineOk: boolean; plainOk: boolean }[] = [];
  const refPlain: PlainService[] = SERVICES.map((s) => ({
    name: s.name,
    context: path.join(w.dir, 'svc', s.name),
    dockerfile: path.join(w.dir, 'svc', s.name, 'Dockerfile'),
    image: `${w.repo(s.name)}:latest`,
    manifest: path.join(w.dir, 'deploy', `${s.name}.yaml`),
    dependsOn: s.dependsOn,
  }));
  const small = createSmallWorkload(40);
  const smallLoaded = loadConfig(small.config, { workspace: small.dir });
  const smallPlain: PlainService[] = small.services.map((s) => ({
    name: s.name,
    context: path.join(small.dir, 'svc', s.name),
    dockerfile: path.join(small.dir, 'svc', s.name, 'Dockerfile'),
    image: `${small.repo(s.name)}:latest`,
    manifest: path.join(small.dir, 'deploy', `${s.name}.yaml`),
    dependsOn: [],
  }));
  try {
    for (let round = 1; round <= rounds; round++) {
      // engine and script alternate, each cold, in both orders across rounds
      const order = round % 2 === 1 ? ['engine', 'plain'] : ['plain', 'engine'];
      for (const [n, wl, cfg, plain] of [
        [SERVICES.length, w, loaded, refPlain],
        [40, small, smallLoaded, smallPlain],
      ] as const) {
        let engineMs = NaN;
        let plainMs = NaN;
        let engineOk = false;
        let plainOk = false;
        for (const side of order) {
          wl.mark(`${wl.token}-scale-r${round}-${side}`);
          if (side === 'engine') {
            const { rec } = await engineRun(wl, cfg, 'graph', `r${round} ${n} svc engine`);
            engineMs = rec.wallMs;
            engineOk = rec.ok;
          } else {
            const r = await plainSide([...plain], wl.knobs(), docker, `r${round} ${n} svc plain`);
            plainMs = r.wallMs;
            plainOk = r.ok;
            await wl.removeImages();
          }
        }
        pairs.push({ services: n, round, engineMs, plainMs, engineOk, plainOk });
      }
    }
  } finally {
    await small.removeImages();
    small.remove();
  }
  const ratioOf = (n: number) =>
    summarise(pairs.filter((p) => p.services === n && p.engineOk && p.plainOk).map((p) => p.engineMs / p.plainMs));
  const overheadOf = (n: number) =>
    summarise(pairs.filter((p) => p.services === n && p.engineOk && p.plainOk).map((p) => (p.engineMs - p.plainMs) / n));
  const firstBuild = await firstBuildLatency(w);
  const shared = await sharedLayers(detected);
  return {
    pairs,
    engineOverPlain: { reference: ratioOf(SERVICES.length), 40: ratioOf(40) },
    perServiceOverheadMs: { reference: overheadOf(SERVICES.length), 40: overheadOf(40) },
    firstBuild,
    shared,
  };
}

/**
 * First build: the bundled CLI (`up -s redis`) spawned with a docker wrapper first on PATH that logs when a build
 * starts; the figure is that moment minus the spawn.
 */
async function firstBuildLatency(w: Workload) {
  const cli = path.join(repoRoot, 'dist/cli/index.js');
  if (!existsSync(cli)) return { available: false as const, reason: 'dist/cli/index.js is missing (npm run bundle)' };
  const wrapDir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-bench-wrap-'));
  const baseDirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const tool of ['docker']) {
    const real = nextOnPath(tool, baseDirs);
    if (!real) continue;
    writeFileSync(
      path.join(wrapDir, tool),
      `#!/bin/sh\ncase " $* " in *" build "*|*" buildx "*) echo "$(date +%s%3N) ${tool} $1" >> "$HYBRID_BENCH_CALLS";; esac\nexec ${real} "$@"\n`,
      { mode: 0o755 },
    );
  }
  const samples: number[] = [];
  try {
    for (let r = 0; r < (QUICK ? 2 : 5); r++) {
      checkStop();
      w.mark(`${w.token}-first-${r}`, ['redis']);
      const fake = createFakeEnv(w.knobs());
      const calls = path.join(fake.stateDir, 'calls.log');
      writeFileSync(calls, '');
      const env: Record<string, string> = {
        ...fake.env,
        ...w.engineEnv(),
        PATH: `${wrapDir}${path.delimiter}${fake.env.PATH}`,
        HYBRID_BENCH_CALLS: calls,
        HYBRID_E2E_TMPDIR: fake.stateDir,
      };
      delete env.NODE_EXTRA_CA_CERTS;
      const results = path.join(fake.stateDir, 'results.json');
      const t0 = Date.now();
      const res = await execa(
        process.execPath,
        [cli, 'up', '--config', w.config, '-s', 'redis', '--engine', 'docker', '--cache', 'none', '--results', results],
        { env, extendEnv: false, reject: false, cwd: w.dir },
      );
      const first = readFileSync(calls, 'utf8').split('\n').filter(Boolean)[0];
      if (first) samples.push(Number(first.split(' ')[0]) - t0);
      if (res.exitCode !== 0) say(`        first build run failed: ${String(res.stderr).split('\n').slice(-2).join(' ')}`);
      if (existsSync(results)) {
        const runDir = (JSON.parse(readFileSync(results, 'utf8')) as Results).runDir;
        await execa(process.execPath, [cli, 'down', '--run-dir', runDir], { env, extendEnv: false, reject: false });
      }
      fake.cleanup();
    }
  } finally {
    rmSync(wrapDir, { recursive: true, force: true });
    await w.removeImages();
  }
  const ms = summarise(samples);
  say(`${elapsed()}  first build after process start: ${samples.map((x) => `${x} ms`).join(', ')}`);
  return { available: true as const, ms, samples };
}

/**
 * Nine services on one local base image (16 MiB layer): bytes of the archives the engine handed to kind (its load
 * waves: one archive per wave, each layer once) against one `docker save` per image.
 */
async function sharedLayers(detected: DetectedBuilder) {
  const docker = detected.builder.caps.binary;
  const sw = createSmallWorkload(9, { sharedBase: true });
  try {
    await sw.buildBase(docker);
    const loaded = loadConfig(sw.config, { workspace: sw.dir });
    const { rec, results } = await engineRun(sw, loaded, 'graph', '9 svc on one base', { keepImages: true });
    if (!rec.ok || !results?.imageBytes) return { available: false as const, reason: rec.errors[0] ?? 'no imageBytes in the results' };
    // The run's tags are gone with its `down`; the images stay (cache tags): save each service's image by its id.
    const tags: string[] = [];
    for (const svc of sw.services) {
      const r = await execa(docker, ['images', '--filter', `reference=${sw.repo(svc.name)}`, '--format', '{{.ID}}']);
      const id = String(r.stdout).split('\n')[0]?.trim();
      if (id) tags.push(id);
    }
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-bench-save-'));
    let perImage = 0;
    try {
      for (const [i, t] of tags.entries()) {
        const f = path.join(tmp, `${i}.tar`);
        await execa(docker, ['save', '-o', f, t]);
        perImage += statSync(f).size;
        rmSync(f);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    const ratioValue = results.imageBytes / perImage;
    say(
      `${elapsed()}  shared base: the engine handed kind ${mb(results.imageBytes)}, per-image archives ${mb(perImage)} (${ratio(ratioValue, 3)})`,
    );
    return { available: true as const, engineBytes: results.imageBytes, perImageBytes: perImage, ratio: ratioValue, images: tags.length };
  } finally {
    await sw.removeImages();
    sw.remove();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Action start → first engine command

function nextOnPath(name: string, dirs: string[]): string | undefined {
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * Runs the bundled action (dist/index.js) with a runner-style environment (INPUT_* variables, GITHUB_* files,
 * RUNNER_TEMP; no NODE_EXTRA_CA_CERTS) for one service of the workload, with `docker`, `podman` and `kind` wrappers
 * first on PATH that log their start time (ms) and exec the real tool (the fake for kind). The figure is the first
 * logged start minus the moment the harness spawned node. Then the post step (dist/post/index.js) cleans up.
 */
async function actionSection(w: Workload) {
  const main = path.join(repoRoot, 'dist/index.js');
  const post = path.join(repoRoot, 'dist/post/index.js');
  if (!existsSync(main)) return { available: false as const, reason: 'dist/index.js is missing (npm run bundle)' };
  const wrapDir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-bench-wrap-'));
  const baseDirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const tool of ['docker', 'podman', 'kind']) {
    const real = tool === 'kind' ? path.join(fakeBinDir, 'kind') : nextOnPath(tool, baseDirs);
    if (!real) continue;
    writeFileSync(path.join(wrapDir, tool), `#!/bin/sh\necho "$(date +%s%3N) ${tool}" >> "$HYBRID_BENCH_CALLS"\nexec ${real} "$@"\n`, {
      mode: 0o755,
    });
  }
  const samples: { ms: number; first: string; engineMs?: number; exitCode: number }[] = [];
  try {
    for (let r = 0; r < REPS.action; r++) {
      const fake = createFakeEnv({});
      const files = Object.fromEntries(
        ['output', 'state', 'summary', 'env', 'calls'].map((f) => [f, path.join(fake.stateDir, f)]),
      ) as Record<string, string>;
      for (const f of Object.values(files)) writeFileSync(f, '');
      const env: Record<string, string> = { ...fake.env };
      delete env.NODE_EXTRA_CA_CERTS;
      for (const k of Object.keys(env)) if (k.startsWith('INPUT_') || k.startsWith('GITHUB_') || k.startsWith('STATE_')) delete env[k];
      Object.assign(env, {
        PATH: `${wrapDir}${path.delimiter}${env.PATH}`,
        GITHUB_WORKSPACE: w.dir,
        GITHUB_OUTPUT: files.output!,
        GITHUB_STATE: files.state!,
        GITHUB_STEP_SUMMARY: files.summary!,
        GITHUB_ENV: files.env!,
        RUNNER_TEMP: fake.stateDir,
        HYBRID_BENCH_CALLS: files.calls!,
        ...w.engineEnv(),
        INPUT_COMMAND: 'up',
        INPUT_CONFIG: 'hybrid-e2e.yaml',
        INPUT_SERVICE: 'postgresql',
        INPUT_ENGINE: 'auto',
        INPUT_CACHE: 'none',
        INPUT_COMMENT: 'false',
      });
      const t0 = Date.now();
      const m = await execa(process.execPath, [main], { env, extendEnv: false, reject: false, cwd: w.dir });
      const calls = readFileSync(files.calls!, 'utf8')
        .split('\n')
        .map((l) => l.trim().split(' '))
        .filter((p) => p.length === 2 && /^\d+$/.test(p[0]!))
        .map(([t, tool]) => ({ t: Number(t), tool: tool! }))
        .sort((a, b) => a.t - b.t);
      const state = readFileSync(files.state!, 'utf8');
      const runDir = /^run-dir<<(.+)\n([\s\S]*?)\n\1$/m.exec(state)?.[2];
      if (runDir) await execa(process.execPath, [post], { env: { ...env, 'STATE_run-dir': runDir }, extendEnv: false, reject: false });
      fake.cleanup();
      const engine = calls.find((c) => c.tool === 'docker' || c.tool === 'podman');
      if (calls[0])
        samples.push({
          ms: calls[0].t - t0,
          first: calls[0].tool,
          ...(engine ? { engineMs: engine.t - t0 } : {}),
          exitCode: m.exitCode ?? -1,
        });
      else log(`action rep ${r}: no engine command logged; exit ${m.exitCode}\n${m.stdout}\n${m.stderr}`);
    }
  } finally {
    rmSync(wrapDir, { recursive: true, force: true });
    await w.removeImages();
  }
  const s = summarise(samples.map((x) => x.ms));
  const e = summarise(samples.map((x) => x.engineMs ?? NaN));
  say(
    `${elapsed()}  action start → first docker/podman/kind command: ${spread(s, (x) => `${Math.round(x)} ms`)} (${[...new Set(samples.map((x) => x.first))].join(', ')}); → first docker/podman command: ${spread(e, (x) => `${Math.round(x)} ms`)}`,
  );
  return { available: true as const, ms: s, engineMs: e, samples, bundleBytes: statSync(main).size };
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Lint throughput, 6. bundle size

async function lintSection() {
  const script = path.join(repoRoot, 'test/bench/lint.bench.ts');
  if (!existsSync(script)) return { available: false as const, reason: 'test/bench/lint.bench.ts is missing' };
  const samples: { files: number; seconds: number; filesPerSecond: number }[] = [];
  for (let r = 0; r < REPS.lint; r++) {
    const res = await execa(path.join(repoRoot, 'node_modules/.bin/tsx'), [script], { reject: false, cwd: repoRoot });
    const line = String(res.stdout)
      .split('\n')
      .reverse()
      .find((l) => l.trim().startsWith('{'));
    if (res.exitCode !== 0 || !line)
      return {
        available: false as const,
        reason: `lint.bench.ts failed (exit ${res.exitCode}): ${String(res.stderr).split('\n').slice(-3).join(' ')}`,
      };
    samples.push(JSON.parse(line) as { files: number; seconds: number; filesPerSecond: number });
  }
  const fps = summarise(samples.map((x) => x.filesPerSecond));
  say(`${elapsed()}  lint: ${samples[0]!.files} files, ${spread(fps, (x) => `${Math.round(x)}`)} files/s`);
  return { available: true as const, files: samples[0]!.files, filesPerSecond: fps.median, filesPerSecondSummary: fps, samples };
}

function bundleSection() {
  const out: Record<string, { bytes: number; gzipBytes: number }> = {};
  for (const f of ['dist/index.js', 'dist/post/index.js', 'dist/cli/index.js']) {
    const p = path.join(repoRoot, f);
    if (!existsSync(p)) continue;
    const buf = readFileSync(p);
    out[f] = { bytes: buf.length, gzipBytes: gzipSync(buf).length };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Machine, targets, tables

async function machine(detected: DetectedBuilder, buildSlots: number) {
  const osRelease = existsSync('/etc/os-release')
    ? (/^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '')
    : '';
  const podman = await execa('podman', ['--version'], { reject: false });
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    os: `${osRelease} (Linux ${os.release()})`,
    node: process.version,
    builder: detected.reason,
    podman: String(podman.stdout).trim() || 'not available',
    buildSlots,
    loadavgStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

interface Target {
  name: string;
  measured: string;
  goal: string;
  met: boolean | null;
  value: number | null;
}

function target(name: string, value: number, goal: string, met: (v: number) => boolean, fmt: (v: number) => string, detail = ''): Target {
  const ok = Number.isFinite(value);
  return { name, value: ok ? value : null, measured: ok ? `${fmt(value)}${detail}` : 'not measured', goal, met: ok ? met(value) : null };
}

const mark = (t: Target) => (t.met === null ? '—' : t.met ? '✅' : '❌');

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  say(`hybrid-e2e benchmark (${QUICK ? 'quick' : 'full'}: ${ROUNDS} round(s)); engine log: ${logFile}`);
  const detected = await detectBuilder('docker', { env: process.env, cacheBackend: 'none' });
  const buildSlots = deriveBuildSlots(detected.builder);
  const m = await machine(detected, buildSlots);
  say(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; node ${m.node}; load ${m.loadavgStart.join(' ')}`);
  say(`builder: ${m.builder}`);
  const w = createWorkload();
  let firstSignal = 0;
  const onSignal = () => {
    // One Ctrl-C can arrive twice (from the terminal and relayed by tsx): only a second one a moment later exits.
    if (stop.signal.aborted) {
      if (Date.now() - firstSignal > 1500) process.exit(130);
      return;
    }
    firstSignal = Date.now();
    say('interrupted: cancelling the run and cleaning up (Ctrl-C again to stop at once)');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const loaded = loadConfig(w.config, { workspace: w.dir });
  const cores = os.availableParallelism();
  const pools = { cluster: 1, load: loaded.builds.loadParallelism, deploy: loaded.builds.deployParallelism };
  const slots = { engine: { build: buildSlots, ...pools }, physical: { build: Math.min(buildSlots, cores), ...pools } };
  const out: Record<string, unknown> = {
    version: 1,
    date: new Date(benchStart).toISOString(),
    mode: QUICK ? 'quick' : 'full',
    machine: m,
    workload: {
      scale: SCALE,
      users: USERS,
      services: SERVICES,
      changedService: CHANGED_SERVICE,
      modelledSequentialUsersSeconds: modelledSequentialUsersSeconds(),
      builds: 'cold: a new marker file before the work steps of every service for every run',
      lowerBoundPools: slots,
    },
  };
  try {
    if (SECTIONS.has('strategies')) out.strategies = await strategiesSection(w, loaded, slots);
    checkStop();
    if (SECTIONS.has('scale')) out.scale = await scaleSection(w, loaded, detected);
    else if (SECTIONS.has('shared')) out.shared = await sharedLayers(detected);
    checkStop();
    if (SECTIONS.has('cache')) out.cache = await cacheSection(w, loaded);
    checkStop();
    if (SECTIONS.has('load')) out.loadCost = await loadSection(w, detected);
    checkStop();
    if (SECTIONS.has('action')) out.actionStart = await actionSection(w);
    checkStop();
    if (SECTIONS.has('lint')) out.lint = await lintSection();
    if (SECTIONS.has('bundle')) out.bundle = bundleSection();
  } finally {
    await w.removeImages();
    const freed = await w.pruneBuildCache(detected.builder.caps.binary);
    say(`${elapsed()}  cleanup: removed the workload's images and ${mb(freed)} of its build cache`);
    w.remove();
  }
  (out.machine as { loadavgEnd?: number[] }).loadavgEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  out.durationS = Math.round((Date.now() - benchStart) / 1000);

  // Targets (issue 6). Idle time is compared at the users' scale (measured × SCALE).
  const st = out.strategies as Awaited<ReturnType<typeof strategiesSection>> | undefined;
  const cache = out.cache as Awaited<ReturnType<typeof cacheSection>> | undefined;
  const load = out.loadCost as Awaited<ReturnType<typeof loadSection>> | undefined;
  const action = out.actionStart as Awaited<ReturnType<typeof actionSection>> | undefined;
  const lint = out.lint as Awaited<ReturnType<typeof lintSection>> | undefined;
  const scale = out.scale as Awaited<ReturnType<typeof scaleSection>> | undefined;
  const range = (s: Summary | undefined, f: (x: number) => string) => (s && s.n > 1 ? ` (${f(s.min)}–${f(s.max)})` : '');
  const r2 = (x: number) => ratio(x);
  const r3 = (x: number) => ratio(x, 3);
  const targets: Target[] = [
    target(
      '`graph` wall / lower bound',
      st?.perStrategy.graph.wallOverLowerBound.median ?? NaN,
      '≤ 1.05',
      (v) => v <= 1.05,
      r3,
      range(st?.perStrategy.graph.wallOverLowerBound, r3),
    ),
    target(
      '`graph` / `barrier` wall',
      st?.ratios.graphOverBarrier.median ?? NaN,
      '≤ 0.80',
      (v) => v <= 0.8,
      r3,
      range(st?.ratios.graphOverBarrier, r3),
    ),
    target(
      '`graph` / `sequential` wall',
      st?.ratios.graphOverSequential.median ?? NaN,
      '≤ 0.30',
      (v) => v <= 0.3,
      r3,
      range(st?.ratios.graphOverSequential, r3),
    ),
    target(
      'default with history (`graph` + predictive start) / `barrier` wall',
      st?.ratios.predictiveOverBarrier.median ?? NaN,
      '≤ 0.80',
      (v) => v <= 0.8,
      r3,
      range(st?.ratios.predictiveOverBarrier, r3),
    ),
    target(
      '`predictive` / `graph` wall',
      st?.ratios.predictiveOverGraph.median ?? NaN,
      '< 1.00',
      (v) => v < 1,
      r3,
      range(st?.ratios.predictiveOverGraph, r3),
    ),
    target(
      "`predictive` cluster idle (worst run, at users' scale)",
      st ? st.perStrategy.predictive.idleMs.max * SCALE : NaN,
      '≤ 10 s',
      (v) => v <= 10_000,
      (v) => sec(v),
      st ? ` (measured ${sec(st.perStrategy.predictive.idleMs.max, 2)} × ${SCALE})` : '',
    ),
    target(
      'reference workload (11 services): engine (`graph`) / plain script, side by side',
      scale?.engineOverPlain.reference.median ?? NaN,
      '—',
      () => true,
      r3,
      range(scale?.engineOverPlain.reference, r3),
    ),
    target(
      '40 small services: engine (`graph`) / plain script, side by side',
      scale?.engineOverPlain[40].median ?? NaN,
      '≤ 1.00',
      (v) => v <= 1,
      r3,
      `${range(scale?.engineOverPlain[40], r3)}${scale ? `; per-service overhead ${Math.round(scale.perServiceOverheadMs[40].median)} ms` : ''}`,
    ),
    target(
      'first build after process start (CLI)',
      scale?.firstBuild.available ? scale.firstBuild.ms.median : NaN,
      '≤ 0.5 s',
      (v) => v <= 500,
      (v) => `${Math.round(v)} ms`,
      range(scale?.firstBuild.available ? scale.firstBuild.ms : undefined, (v) => `${Math.round(v)}`),
    ),
    target(
      'bytes handed to kind, 9 images on one base / per-image archives',
      scale?.shared.available ? scale.shared.ratio : NaN,
      '≤ 0.50',
      (v) => v <= 0.5,
      r3,
    ),
    target('warm / cold build phase', cache?.warmOverCold.median ?? NaN, '≤ 0.10', (v) => v <= 0.1, r3, range(cache?.warmOverCold, r3)),
    target(
      'tarball path bytes written / image size (worst image)',
      load?.available ? load.tarballPerImage.max : NaN,
      '≤ 1.1',
      (v) => v <= 1.1,
      r3,
    ),
    target(
      'action start → first engine command (docker/podman/kind)',
      action?.available ? action.ms.median : NaN,
      '≤ 0.5 s',
      (v) => v <= 500,
      (v) => `${Math.round(v)} ms`,
      `${range(action?.available ? action.ms : undefined, (v) => `${Math.round(v)}`)}${action?.available ? `; first \`${action.samples[0]?.first ?? '?'}\`, first docker/podman at ${Math.round(action.engineMs.median)} ms` : ''}`,
    ),
    target(
      'lint throughput (10,000 Dockerfiles)',
      lint?.available ? lint.filesPerSecond : NaN,
      '≥ 5,000 files/s',
      (v) => v >= 5000,
      (v) => `${Math.round(v).toLocaleString('en-US')} files/s`,
      range(lint?.available ? lint.filesPerSecondSummary : undefined, (v) => Math.round(v).toLocaleString('en-US')),
    ),
  ];
  out.targets = targets;
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(out, null, 2) + '\n');

  // Tables
  const lines: string[] = [];
  lines.push('', `### hybrid-e2e benchmark, ${out.date as string} (${QUICK ? 'quick' : 'full'} run, ${out.durationS as number} s)`, '');
  lines.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}; load average ${m.loadavgStart.join(' ')} at start (shared machine). Builder: ${detected.builder.caps.kind} (${detected.builder.caps.binary} ${detected.builder.caps.version}), ${buildSlots} build slots. Modelled durations: users' ÷ ${SCALE}.`,
    '',
  );
  if (st) {
    lines.push(`Strategies, ${st.rounds} interleaved round(s), every build cold; median (min–max):`, '');
    lines.push(
      "| Strategy | Wall | Build phase | Wall / lower bound (run's own durations) | Wall / physical bound | Cluster idle | Create overlapping builds | Other tenants' CPU |",
      '|---|---|---|---|---|---|---|---|',
    );
    for (const s of STRATEGIES) {
      const p = st.perStrategy[s];
      const free = s === 'predictive' ? ' †' : '';
      lines.push(
        `| \`${s}\`${p.failed ? ` (${p.failed} failed)` : ''} | ${spread(p.wallMs, (x) => sec(x))} | ${spread(p.buildPhaseMs, (x) => sec(x))} | ${spread(free ? p.wallOverFreeBound : p.wallOverLowerBound, r2)}${free} | ${spread(free ? p.wallOverPhysicalFreeBound : p.wallOverPhysicalBound, r2)}${free} | ${spread(p.idleMs, (x) => sec(x, 2))} | ${spread(p.overlapMs, (x) => sec(x))} | ${spread(p.otherTenantsCores, (x) => x.toFixed(1))} cores |`,
      );
    }
    const lb0 = st.lowerBounds[0];
    lines.push(
      '',
      `Lower bound (run's own durations): critical path and pool bounds of the task graph with the engine's pools (${buildSlots} build slots, ${pools.load} loads, ${pools.deploy} deploys), cluster after the builds; † \`predictive\` against the same bound with the cluster free to start any time (\`graph\` / \`barrier\` / \`sequential\` against that one: ${['graph', 'barrier', 'sequential'].map((x) => ratio(st.perStrategy[x as Strategy].wallOverFreeBound.median)).join(' / ')}). Physical bound (per round): builds as measured one at a time in the round's \`sequential\` run, on ${Math.min(buildSlots, cores)} cores; other tasks the shortest measured in the round: ${spread(st.physicalBoundMs, (x) => sec(x))}${lb0 ? ` (bound by ${lb0.afterBuilds.binding})` : ''}, cluster free: ${spread(st.physicalFreeBoundMs, (x) => sec(x))}. Create/load/deploy share of the sequential run's task time: ${spread(st.modelledShareOfSequential, (x) => `${Math.round(x * 100)}%`)} (users: ≈ 1/3). Other tenants' CPU: busy CPU of the machine minus the benchmark's own processes, in cores (of ${cores}).`,
    );
  }
  if (cache) {
    lines.push(
      '',
      `Cache (\`graph\`, ${REPS.cache} repetition(s)); one service changed = ${CHANGED_SERVICE}:`,
      '',
      '| | Build phase | Wall | Builds reused |',
      '|---|---|---|---|',
    );
    lines.push(
      `| cold | ${spread(cache.buildPhaseMs.cold, (x) => sec(x))} | ${spread(cache.wallMs.cold, (x) => sec(x))} | ${cache.cachedBuilds.cold.join(', ')} of ${SERVICES.length} |`,
    );
    lines.push(
      `| warm (nothing changed) | ${spread(cache.buildPhaseMs.warm, (x) => sec(x))} | ${spread(cache.wallMs.warm, (x) => sec(x))} | ${cache.cachedBuilds.warm.join(', ')} of ${SERVICES.length} |`,
    );
    lines.push(
      `| one service changed | ${spread(cache.buildPhaseMs.oneChanged, (x) => sec(x))} | ${spread(cache.wallMs.oneChanged, (x) => sec(x))} | ${cache.cachedBuilds.oneChanged.join(', ')} of ${SERVICES.length} |`,
    );
  }
  if (load?.available) {
    lines.push(
      '',
      `Bytes written per image from built image to cluster (median of ${REPS.load}; ${load.method}):`,
      '',
      '| Image | Size | Tarball path (engine) | `--load` + `kind load docker-image` | podman tarball path |',
      '|---|---|---|---|---|',
    );
    for (const i of load.images as Array<{
      service: string;
      class: string;
      imageBytes: number;
      tarballPath: { bytes: number; perImage: number };
      loadPath: { bytes: number; perImage: number; dockerLoad: { bytes: number } };
      podmanTarballPath: { bytes?: number; perImage?: number };
    }>) {
      lines.push(
        `| ${i.service} (${i.class}) | ${mb(i.imageBytes)} | ${mb(i.tarballPath.bytes)} = ${ratio(i.tarballPath.perImage)}× | ${mb(i.loadPath.bytes)} = ${ratio(i.loadPath.perImage)}× (\`--load\` ${mb(i.loadPath.dockerLoad.bytes)}) | ${i.podmanTarballPath.bytes !== undefined ? `${mb(i.podmanTarballPath.bytes)} = ${ratio(i.podmanTarballPath.perImage!)}×` : 'n/a'} |`,
      );
    }
  } else if (load) lines.push('', `Load cost: not measured (${load.reason}).`);
  const bundle = out.bundle as ReturnType<typeof bundleSection> | undefined;
  if (bundle?.['dist/index.js'])
    lines.push('', `Bundle: dist/index.js ${mb(bundle['dist/index.js'].bytes)} (${mb(bundle['dist/index.js'].gzipBytes)} gzipped).`);
  if (lint && !lint.available) lines.push('', `Lint: not measured (${lint.reason}).`);
  if (action && !action.available) lines.push('', `Action start: not measured (${action.reason}).`);
  lines.push('', '| Target | Measured | Goal | Met |', '|---|---|---|---|');
  for (const t of targets) lines.push(`| ${t.name} | ${t.measured} | ${t.goal} | ${mark(t)} |`);
  lines.push('', `Results: ${path.relative(process.cwd(), OUT) || OUT}`);
  say(lines.join('\n'));
}

main().catch((e) => {
  if (stop.signal.aborted) {
    process.stderr.write('benchmark interrupted; nothing written\n');
    process.exitCode = 130;
    return;
  }
  process.stderr.write(`benchmark failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
