/**
 * `up`: runs a plan's tasks on the task graph (scheduler.ts) with the run's tools, then assembles the results.
 * Each task kind lives in tasks/; they share only the explicit EngineContext and hand their typed outputs on through
 * the scheduler (a BuiltImage from build to load to deploy, the ClusterInfo from the cluster to the loads).
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedBuilds } from '../config/loader.js';
import type { Plan, PlanTask } from '../plan/graph.js';
import type { Reporter } from '../reporter.js';
import { clusterNameFor } from '../run-id.js';
import { VERSION } from '../version.js';
import { ClusterStart } from './cluster-start.js';
import { ClusterWatch } from './cluster-watch.js';
import { inputOf, type BuiltImage, type EngineContext, type TaskOutput } from './context.js';
import { collectDiagnostics } from './diagnostics.js';
import type { CacheBackend, EngineTools, ImageBuilder } from './interfaces.js';
import { TaskJournal } from './journal.js';
import { LoadWaves } from './load-waves.js';
import { clusterTimings, summarisePhases, type Results, type TaskResult } from './results.js';
import type { RunStateFile } from './run-state.js';
import { runGraph, type SchedOutcome, type TaskRun } from './scheduler.js';
import { INPUTS_LABEL, runBuild, runPull } from './tasks/build.js';
import { runCreate } from './tasks/cluster.js';
import { runDeploy } from './tasks/deploy.js';
import { runLoad } from './tasks/load.js';
import { releaseClusterAfterFailure } from './teardown.js';

export interface UpOptions {
  plan: Plan;
  builds: ResolvedBuilds;
  runId: string;
  runDir: string;
  tools: EngineTools;
  /** How the builder was chosen (logged first). */
  builderReason: string;
  cache: CacheBackend;
  /** Root of the `local` cache backend. */
  cacheDir: string;
  reporter: Reporter;
  signal?: AbortSignal;
  keepClusterOnFailure?: boolean;
  /** Override the derived number of concurrent builds. */
  buildParallelism?: number;
  /** Network for RUN steps (tests use none). */
  buildNetwork: 'none' | 'default';
  /** Task durations (ms) from earlier runs: enables `cluster.start: predictive`. */
  history?: Record<string, number>;
  /** Write one tarball per image here and keep them (build-once for matrix legs); default: a run-private dir for load archives. */
  tarballDir?: string;
  /** Registry cache reference (builds.cacheRef). */
  cacheRef?: string;
  /** A content-addressed cache tag was made or reused. */
  onCacheTag?: (tag: string) => void;
  /** Bench/testing: override pool sizes (e.g. the sequential strategy). */
  pools?: Partial<Record<'build' | 'cluster' | 'load' | 'deploy', number>>;
  /** The run's record (written before anything is created; see run-state.ts). */
  state: RunStateFile;
}

/** Predictive start never starts while more than the predicted create time plus this much build work remains. */
const PREDICTIVE_MARGIN_MS = 30_000;

/** Concurrent builds: CPUs + 1, capped by free memory (1.5 GiB a build), 8 and the builder's own limit. */
export function deriveBuildSlots(builder: ImageBuilder, override?: number): number {
  if (override) return override;
  const cpu = os.availableParallelism?.() ?? os.cpus().length;
  const memSlots = Math.max(1, Math.floor(os.freemem() / (1.5 * 1024 ** 3)));
  const n = Math.max(1, Math.min(cpu + 1, memSlots, 8));
  return builder.caps.maxParallelBuilds ? Math.min(n, builder.caps.maxParallelBuilds) : n;
}

function runTask(t: PlanTask, ctx: EngineContext, signal: AbortSignal, inputs: ReadonlyMap<string, TaskOutput>): Promise<TaskOutput> {
  const image = async (p: Promise<BuiltImage>): Promise<TaskOutput> => {
    const img = await p;
    if (t.phase === 'build') ctx.waves.imageReady(img);
    return { kind: 'image', image: img };
  };
  switch (t.action) {
    case 'build':
      return image(runBuild(t, ctx, signal));
    case 'pull':
      return image(runPull(t, ctx, signal));
    case 'create':
      return runCreate(t, ctx, signal).then((cluster) => ({ kind: 'cluster' as const, cluster }));
    case 'load':
      return image(
        runLoad(t, ctx, signal, inputOf(inputs, `build:${t.service}`, 'image').image, inputOf(inputs, 'cluster', 'cluster').cluster),
      );
    case 'deploy': {
      const loaded = inputs.get(`load:${t.service}`);
      return runDeploy(t, ctx, signal, loaded?.kind === 'image' ? loaded.image : undefined).then(() => ({
        kind: 'deployed' as const,
        service: t.service,
      }));
    }
  }
}

export async function runUp(o: UpOptions): Promise<Results> {
  const { plan, runId, runDir, reporter, tools } = o;
  const startMs = Date.now();
  const clusterName = clusterNameFor(plan.cluster.baseName, plan.cluster.unique, runId);
  const caps = tools.builder.caps;
  const { state } = o;
  state.update((st) => {
    st.provider = caps.engine;
    st.engineBinary = caps.binary;
    if (caps.builderName) st.buildxBuilder = caps.builderName;
  });
  const journal = new TaskJournal(reporter);
  // Stops the load waves' saves and imports when the run is cancelled or over.
  const waveStop = new AbortController();
  o.signal?.addEventListener('abort', () => waveStop.abort(), { once: true });
  const ctx = engineContext(o, clusterName, state, journal, waveStop.signal);
  const { watch, tarballDir } = ctx;

  reporter.info(`builder: ${o.builderReason}`);
  if (caps.cacheNote) reporter.info(`cache: ${caps.cacheNote}`);
  const buildSlots = deriveBuildSlots(
    tools.builder,
    o.buildParallelism ?? (o.builds.parallelism === 'auto' ? undefined : o.builds.parallelism),
  );
  reporter.info(
    `run ${runId}: ${plan.services.length} services, ${plan.tasks.length} tasks, ${buildSlots} build slot(s), cluster ${clusterName}`,
  );
  // Loads wait for their wave (which bounds the imports itself), so every load task may wait at once.
  const loads = plan.tasks.filter((t) => t.phase === 'load').length;
  const pools = { build: buildSlots, cluster: 1, load: Math.max(1, loads), deploy: o.builds.deployParallelism, ...o.pools };
  const start = new ClusterStart({
    plan,
    buildSlots: pools.build,
    reporter,
    marginMs: PREDICTIVE_MARGIN_MS,
    ...(o.history ? { history: o.history } : {}),
  });
  const run = runGraph<PlanTask, TaskOutput>({
    tasks: plan.tasks,
    pools,
    gate: start.gate,
    priority: buildPriority(plan, o.history),
    ...(o.signal ? { signal: o.signal } : {}),
    onEvent: (e) => {
      start.onEvent(e);
      // A build that failed or was skipped leaves its load wave: the wave goes on with the others.
      if (e.type === 'end' && e.id.startsWith('build:') && e.outcome !== 'success') ctx.waves.imageMissing(e.id.slice(6));
      if (e.type === 'start') reporter.task(e.id, 'start');
      else
        reporter.task(e.id, 'end', {
          ...(e.outcome ? { outcome: e.outcome } : {}),
          ...(journal.get(e.id).note ? { note: journal.get(e.id).note! } : {}),
        });
    },
    run: async (t, signal, inputs): Promise<TaskRun<TaskOutput>> => {
      try {
        return { outcome: 'success', output: await runTask(t, ctx, signal, inputs) };
      } catch (e) {
        journal.fail(t.id, e);
        return { outcome: 'failure' };
      }
    },
  });
  start.attach(run);
  const sched = await run.done.finally(() => {
    start.stop();
    watch.close();
    waveStop.abort();
  });

  const tasks = plan.tasks.map((t) => taskResult(t, sched.get(t.id)!, journal));
  const cancelled = o.signal?.aborted ?? false;
  const outcome = cancelled ? 'cancelled' : tasks.some((t) => t.outcome === 'failure') ? 'failure' : 'success';
  const created = journal.get('cluster').created ?? false;
  const diagnosticsDir =
    outcome === 'failure' && created ? await collectDiagnostics(runDir, clusterName, tools.cluster, tools.kube, reporter) : undefined;
  // Tarballs are transient: whatever was not imported is removed now (unless the caller asked to keep them).
  if (!o.tarballDir) rmSync(tarballDir, { recursive: true, force: true });
  const kept =
    outcome !== 'success' &&
    (await releaseClusterAfterFailure({
      outcome,
      created,
      keepOnFailure: o.keepClusterOnFailure ?? false,
      state,
      kind: tools.cluster,
      reporter,
    }));
  const ports = journal.get('cluster').ports ?? [];
  return {
    version: 1,
    toolVersion: VERSION,
    runId,
    runDir,
    outcome,
    startMs,
    endMs: Date.now(),
    services: plan.services,
    builder: `${caps.kind} (${caps.binary} ${caps.version})`,
    cluster: {
      name: clusterName,
      kubeconfig: ctx.kubeconfig,
      start: plan.cluster.start,
      ...clusterTimings(tasks),
      ...(kept ? { kept } : {}),
      ...(ports.length ? { ports } : {}),
    },
    phases: summarisePhases(tasks),
    ...(ctx.waves.bytes ? { imageBytes: ctx.waves.bytes } : {}),
    tasks,
    ...(diagnosticsDir ? { diagnosticsDir } : {}),
    errors: cancelled ? ['cancelled', ...journal.errors()] : journal.errors(),
  };
}

/**
 * With durations from an earlier run, the longest builds start first: a long build that starts last is what keeps
 * the build phase long. Without history, the plan's order (dependencies first).
 */
function buildPriority(plan: Plan, history: Record<string, number> | undefined): ((t: PlanTask) => number) | undefined {
  if (!history || !plan.tasks.some((t) => t.phase === 'build' && history[t.id] !== undefined)) return undefined;
  return (t) => (t.phase === 'build' ? (history[t.id] ?? 0) : 0);
}

function engineContext(o: UpOptions, clusterName: string, state: RunStateFile, journal: TaskJournal, stop: AbortSignal): EngineContext {
  const tarballDir = o.tarballDir ?? path.join(o.runDir, 'images');
  mkdirSync(tarballDir, { recursive: true });
  let labelled: Promise<Map<string, string>> | undefined;
  const ctx: EngineContext = {
    runId: o.runId,
    runDir: o.runDir,
    clusterName,
    kubeconfig: path.join(o.runDir, 'kubeconfig'),
    tarballDir,
    keepTarballs: o.tarballDir !== undefined,
    // One lookup of the local images for every build task, started at once, off the builds' critical path.
    localImages: () => (labelled ??= o.tools.builder.imagesByLabel(INPUTS_LABEL)),
    cache: o.cache,
    cacheDir: o.cacheDir,
    ...(o.cacheRef ? { cacheRef: o.cacheRef } : {}),
    ...(o.onCacheTag ? { onCacheTag: o.onCacheTag } : {}),
    buildRetries: o.builds.retries,
    buildNetwork: o.buildNetwork,
    watch: new ClusterWatch(o.tools.kube),
    waves: undefined as unknown as LoadWaves,
    tools: o.tools,
    reporter: o.reporter,
    state,
    journal,
  };
  ctx.waves = new LoadWaves(ctx, o.plan, o.builds.loadParallelism, stop);
  void ctx.localImages().catch(() => undefined);
  return ctx;
}

function taskResult(t: PlanTask, r: SchedOutcome, journal: TaskJournal): TaskResult {
  const extra = journal.get(t.id);
  return {
    id: t.id,
    phase: t.phase,
    ...('service' in t ? { service: t.service } : {}),
    ...(r.startMs !== undefined ? { startMs: r.startMs } : {}),
    ...(r.endMs !== undefined ? { endMs: r.endMs } : {}),
    outcome: r.outcome,
    attempts: extra.attempts ?? (r.startMs !== undefined ? 1 : 0),
    ...(t.phase === 'build' ? { cached: extra.cached ?? false } : {}),
    ...(extra.error ? { error: extra.error } : {}),
    ...(extra.logTail ? { logTail: extra.logTail } : {}),
    ...(extra.image ? { image: extra.image } : {}),
    ...(extra.note ? { note: extra.note } : {}),
  };
}
