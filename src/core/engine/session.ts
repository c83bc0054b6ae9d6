import os from 'node:os';
import path from 'node:path';
import { detectBuilder } from '../../adapters/builders/detect.js';
import type { CacheBackend, EngineChoice } from '../../adapters/builders/types.js';
import type { LoadedConfig } from '../config/load.js';
import { buildPlan } from '../plan/graph.js';
import { applyStrategy, type Strategy } from '../plan/strategy.js';
import { lintFiles } from '../compliance/index.js';
import type { Reporter } from '../report.js';
import { makeRunDir, makeRunId } from '../run.js';
import { runDown } from './down.js';
import type { Results } from './results.js';
import { runUp, writeResults, type RunState } from './up.js';

export interface UpSessionOptions {
  loaded: LoadedConfig;
  services: string[];
  engine: EngineChoice;
  cache: CacheBackend;
  reporter: Reporter;
  env: Record<string, string | undefined>;
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
}

export function defaultResultsFile(runId: string, env: Record<string, string | undefined>): string {
  return path.join(env.RUNNER_TEMP ?? env.HYBRID_E2E_TMPDIR ?? os.tmpdir(), 'hybrid-e2e-results', `${runId}.json`);
}

/** What every driver does for `up`: plan, detect the builder, run, write the results, clean up after a cancel. */
export async function upSession(
  o: UpSessionOptions & { buildOnlyTo?: string },
): Promise<{ results: Results; resultsFile: string; runDir: string }> {
  const full = buildPlan(o.loaded, o.services);
  // Build-only (the reusable workflow's build-once job): the build tasks alone, tarballs kept in `buildOnlyTo`.
  const base = o.buildOnlyTo ? { ...full, tasks: full.tasks.filter((t) => t.phase === 'build') } : full;
  const { plan, pools } = o.strategy ? applyStrategy(base, o.strategy) : { plan: base, pools: undefined };
  const runId = o.runId ?? makeRunId(o.env);
  const runDir = makeRunDir(runId, o.env.HYBRID_E2E_TMPDIR ?? o.env.RUNNER_TEMP ?? os.tmpdir());
  const resultsFile = o.resultsFile ?? defaultResultsFile(runId, o.env);
  const detected = await detectBuilder(o.engine, { env: { ...process.env, ...o.env }, cacheBackend: o.cache });
  // Compliance of exactly the Dockerfiles this run builds, reported with the timings (never blocks the run here).
  const dockerfiles = plan.services.flatMap((n) => (o.loaded.services[n]!.build ? [o.loaded.services[n]!.build!.dockerfile] : []));
  const compliance = dockerfiles.length
    ? await lintFiles(dockerfiles, {
        cwd: o.loaded.workspace,
        ...(o.loaded.config.compliance ? { policy: o.loaded.config.compliance } : {}),
      })
    : undefined;
  const results = await runUp({
    loaded: o.loaded,
    plan,
    runId,
    runDir,
    detected,
    cache: o.cache,
    reporter: o.reporter,
    env: { ...process.env, ...o.env },
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.keepClusterOnFailure ? { keepClusterOnFailure: true } : {}),
    ...(o.buildParallelism ? { buildParallelism: o.buildParallelism } : {}),
    ...(o.env.HYBRID_E2E_POLL_MS ? { pollMs: Number(o.env.HYBRID_E2E_POLL_MS) } : {}),
    ...(o.env.HYBRID_E2E_BUILD_NETWORK === 'none' ? { buildNetwork: 'none' as const } : {}),
    ...(o.onState ? { onState: o.onState } : {}),
    ...(pools ? { pools } : {}),
    ...(o.buildOnlyTo ? { tarballDir: o.buildOnlyTo } : {}),
    ...(o.history ? { history: o.history } : {}),
  });
  if (compliance) results.compliance = compliance;
  writeResults(resultsFile, results);
  if (results.outcome === 'cancelled') await runDown({ runDir, reporter: o.reporter, env: { ...process.env, ...o.env } });
  return { results, resultsFile, runDir };
}
