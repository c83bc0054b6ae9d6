/** The `up` use case, shared by the action and the CLI: plan, detect the builder, run, write the results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configProblem, type ResolvedConfig } from '../core/config/loader.js';
import type { CacheBackend, EngineChoice } from '../core/engine/interfaces.js';
import type { Results } from '../core/engine/results.js';
import type { RunState } from '../core/engine/run-state.js';
import { runUp } from '../core/engine/run-up.js';
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
}

export interface UpCommandResult {
  results: Results;
  resultsFile: string;
  runDir: string;
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
  const detected = await detect(o.engine, o.cache, env, runId);
  // Compliance of exactly the Dockerfiles this run builds, reported with the timings: checked while the run goes on,
  // never before the first build.
  const compliance = lintServices(o.config, plan.services);
  compliance.catch(() => undefined);
  const results = await runUp({
    plan,
    builds: o.config.builds,
    runId,
    runDir,
    tools: runTools(detected.builder, runDir, env),
    builderReason: detected.reason,
    cache: o.cache,
    ...(o.config.builds.cacheRef ? { cacheRef: o.config.builds.cacheRef } : {}),
    cacheDir: o.cacheDir ?? defaultCacheDir(),
    reporter: o.reporter,
    buildNetwork: env.HYBRID_E2E_BUILD_NETWORK === 'none' ? 'none' : 'default',
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.keepClusterOnFailure ? { keepClusterOnFailure: true } : {}),
    ...(o.buildParallelism ? { buildParallelism: o.buildParallelism } : {}),
    ...(o.onState ? { onState: o.onState } : {}),
    ...(pools ? { pools } : {}),
    ...(o.buildOnlyTo ? { tarballDir: o.buildOnlyTo } : {}),
    ...(o.history ? { history: o.history } : {}),
  });
  const report = await compliance;
  if (report) results.compliance = report;
  writeResults(resultsFile, results);
  if (results.outcome === 'cancelled') await down({ runDir, reporter: o.reporter, env });
  return { results, resultsFile, runDir };
}
