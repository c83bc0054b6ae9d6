/** The `up` use case, shared by the action and the CLI: plan, detect the builder, run, write the results. */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { checkFreeSpace, freeBytes } from '../core/engine/disk.js';
import { errorMessage, RunBlockedError } from '../core/errors.js';
import { formatSize } from '../core/size.js';
import os from 'node:os';
import path from 'node:path';
import { configProblem, type ResolvedConfig } from '../core/config/loader.js';
import type { CacheBackend, EngineChoice, ImageBuilder } from '../core/engine/interfaces.js';
import type { Results } from '../core/engine/results.js';
import type { RunState } from '../core/engine/run-state.js';
import { runUp } from '../core/engine/run-up.js';
import { cacheTagsToDrop, readCacheUse, recordCacheUse } from '../core/engine/image-cache.js';
import { INPUTS_LABEL } from '../core/engine/tasks/build.js';
import { RunStateFile } from '../core/engine/run-state.js';
import { processStart } from '../adapters/process.js';
import { buildPlan, type Plan } from '../core/plan/graph.js';
import { applyStrategy, type Strategy } from '../core/plan/strategy.js';
import type { Reporter } from '../core/reporter.js';
import { defaultResultsFile, makeRunDir, makeRunId, tempRoot } from '../core/run-id.js';
import { detect, runTools, type Env } from './compose.js';
import { down } from './down.js';
import { lintServices } from './lint.js';

export interface UpCommandOptions {
  config: ResolvedConfig;
  services: string[];
  engine: EngineChoice;
  cache: CacheBackend;
  reporter: Reporter;
  /** Environment of every tool call, and the source of the HYBRID_E2E_* settings. */
  env: Env;
  signal?: AbortSignal;
  resultsFile?: string;
  keepClusterOnFailure?: boolean;
  buildParallelism?: number;
  runId?: string;
  onState?: (s: RunState) => void;
  /** Scheduling strategy (default: the config's cluster.start on the task graph). */
  strategy?: Strategy;
  /** Task durations of an earlier run (results file) for predictive start. */
  history?: Record<string, number>;
  /** Build only, and keep one tarball per image in this directory (build-once for matrix legs). */
  buildOnlyTo?: string;
  /** Root of the `local` cache backend (default: the system temp dir's hybrid-e2e-cache). */
  cacheDir?: string;
  /** Bytes of the images of an earlier run (its results), for the disk guard's estimate. */
  previousImageBytes?: number;
  /**
   * Makes kind and kubectl available once the builder is known and the disk checked, and returns the environment to
   * run them with (the CLI installs them when missing). A failure removes the run, as a missing builder does.
   */
  prepareTools?: (env: Env) => Promise<Env>;
}

export interface UpCommandResult {
  results: Results;
  resultsFile: string;
  runDir: string;
}

/** Enough free disk for the images and their archives, before anything is built. */
async function guardDisk(o: UpCommandOptions, builder: ImageBuilder, tmp: string): Promise<void> {
  const store = await builder.dataRoot().catch(() => undefined);
  const need = o.config.builds.minFreeDisk ?? (o.previousImageBytes ? 2 * o.previousImageBytes : DEFAULT_FREE_DISK);
  const basis =
    o.config.builds.minFreeDisk !== undefined
      ? 'builds.minFreeDisk'
      : o.previousImageBytes
        ? `twice the ${formatSize(o.previousImageBytes)} of images of the previous run`
        : `builds.minFreeDisk's default of ${formatSize(DEFAULT_FREE_DISK)}`;
  try {
    checkFreeSpace(
      {
        dirs: [...(store && existsSync(store) ? [{ dir: store, what: 'images' }] : []), { dir: tmp, what: 'image archives' }],
        needBytes: need,
        basis,
      },
      (dir) => ({ dev: statSync(dir).dev, ...(freeBytes(dir) !== undefined ? { free: freeBytes(dir)! } : {}) }),
    );
  } catch (e) {
    throw new RunBlockedError(errorMessage(e));
  }
}

/**
 * After a successful run: record which cache tags it used, then keep at most builds.keepCached of them per
 * repository it builds, the most recently used. Never fails the run (a removal that fails is a warning).
 */
async function trimImageCache(o: UpCommandOptions, plan: Plan, builder: ImageBuilder, used: string[], env: Env): Promise<void> {
  recordCacheUse(used, env);
  const repos = plan.tasks.flatMap((t) => (t.action === 'build' ? [t.build.image] : []));
  if (!repos.length || builder.caps.tarballOnly) return;
  try {
    const drop = cacheTagsToDrop(await builder.labelledImages(INPUTS_LABEL), repos, o.config.builds.keepCached, readCacheUse(env));
    if (!drop.length) return;
    await builder.removeImages(drop);
    o.reporter.info(
      `image cache: removed ${drop.length} older cached image(s) (builds.keepCached: ${o.config.builds.keepCached}): ${drop.join(', ')}`,
    );
  } catch (e) {
    o.reporter.warn(`image cache: could not remove older cached images: ${errorMessage(e)}`);
  }
}

/** Free disk a run needs when neither the config nor an earlier run says more. */
const DEFAULT_FREE_DISK = 2 * 1024 ** 3;

function pidStartOf(pid: number): { pidStart?: string } {
  const start = processStart(pid);
  return start ? { pidStart: start } : {};
}

/** Where the `local` cache backend keeps its directories unless told otherwise. */
export function defaultCacheDir(): string {
  return path.join(os.tmpdir(), 'hybrid-e2e-cache');
}

export function writeResults(file: string, results: Results): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}

function planFor(o: UpCommandOptions): { plan: Plan; pools?: Partial<Record<'build' | 'load' | 'deploy', number>> } {
  const full = buildPlan(o.config, o.services, o.history ? { history: o.history } : {});
  const base = o.buildOnlyTo ? { ...full, tasks: full.tasks.filter((t) => t.phase === 'build') } : full;
  return o.strategy ? applyStrategy(base, o.strategy) : { plan: base };
}

/** Settings that are valid alone but not together with this run's options: a config error (exit 2, file:line). */
export function checkRunOptions(config: ResolvedConfig, cache: CacheBackend): void {
  if (cache === 'registry' && !config.builds.cacheRef) {
    throw configProblem(
      config,
      ['builds', 'cacheRef'],
      'the registry cache backend needs builds.cacheRef: the repository that keeps the layer cache, e.g. ghcr.io/org/app-cache (or use another cache backend)',
    );
  }
}

export async function up(o: UpCommandOptions): Promise<UpCommandResult> {
  checkRunOptions(o.config, o.cache);
  const { plan, pools } = planFor(o);
  const env = { ...process.env, ...o.env };
  const runId = o.runId ?? makeRunId(env);
  const runDir = makeRunDir(runId, tempRoot(env));
  const resultsFile = o.resultsFile ?? defaultResultsFile(runId, env);
  // The record comes first: a run killed at any later point can be found and cleaned up.
  const state = new RunStateFile(
    { runId, runDir, pid: process.pid, ...pidStartOf(process.pid), startedMs: Date.now(), config: o.config.file, images: [] },
    env,
    o.onState,
  );
  o.reporter.info(`run ${runId}: run directory ${runDir}`);
  o.reporter.info(`to remove what this run creates, also after a crash: hybrid-e2e down --run-dir ${runDir}`);
  let detected;
  let toolEnv = env;
  try {
    detected = await detect(o.engine, o.cache, env, runId);
    // Recorded at once: a run builder just created is removed by down also when the disk guard or the tools fail.
    const caps = detected.builder.caps;
    state.update((st) => {
      st.provider = caps.engine;
      st.engineBinary = caps.binary;
      if (caps.builderName) st.buildxBuilder = caps.builderName;
    });
    await guardDisk(o, detected.builder, tempRoot(env));
    if (o.prepareTools) toolEnv = await o.prepareTools(env);
  } catch (e) {
    await down({ runDir, reporter: o.reporter, env });
    throw e;
  }
  // Compliance of exactly the Dockerfiles this run builds, reported with the timings: checked while the run goes on,
  // never before the first build.
  const compliance = lintServices(o.config, plan.services);
  const usedCacheTags: string[] = [];
  compliance.catch(() => undefined);
  const results = await runUp({
    plan,
    builds: o.config.builds,
    runId,
    runDir,
    tools: runTools(detected.builder, runDir, toolEnv),
    builderReason: detected.reason,
    cache: o.cache,
    ...(o.config.builds.cacheRef ? { cacheRef: o.config.builds.cacheRef } : {}),
    cacheDir: o.cacheDir ?? defaultCacheDir(),
    reporter: o.reporter,
    buildNetwork: env.HYBRID_E2E_BUILD_NETWORK === 'none' ? 'none' : 'default',
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.keepClusterOnFailure ? { keepClusterOnFailure: true } : {}),
    ...(o.buildParallelism ? { buildParallelism: o.buildParallelism } : {}),
    state,
    onCacheTag: (t) => usedCacheTags.push(t),
    ...(pools ? { pools } : {}),
    ...(o.buildOnlyTo ? { tarballDir: o.buildOnlyTo } : {}),
    ...(o.history ? { history: o.history } : {}),
  });
  if (results.outcome === 'success' && !o.buildOnlyTo) await trimImageCache(o, plan, detected.builder, usedCacheTags, env);
  const report = await compliance;
  if (report) results.compliance = report;
  writeResults(resultsFile, results);
  if (results.outcome === 'cancelled') await down({ runDir, reporter: o.reporter, env });
  return { results, resultsFile, runDir };
}
