/**
 * Predictive cluster start: begin `kind create` so that the cluster becomes ready as the last build finishes,
 * instead of after it. Uses per-task durations from earlier runs (history) and the live progress of running builds.
 */

/** Makespan of the remaining build work on `slots` parallel slots (greedy list scheduling, longest first). */
export function remainingBuildWall(runningRemaining: readonly number[], queued: readonly number[], slots: number): number {
  const free = Array.from({ length: Math.max(1, slots) }, (_, i) => Math.max(0, runningRemaining[i] ?? 0));
  // Running builds beyond the slot count cannot exist; extra entries are folded in as queued work.
  const rest = [...runningRemaining.slice(free.length), ...queued].sort((a, b) => b - a);
  for (const d of rest) {
    let k = 0;
    for (let i = 1; i < free.length; i++) if (free[i]! < free[k]!) k = i;
    free[k]! += d;
  }
  return Math.max(0, ...free);
}

export interface PredictInput {
  now: number;
  slots: number;
  /** Build task ids still to run or running, with their start time when running. */
  pending: ReadonlyArray<{ id: string; startedMs?: number }>;
  /** Builds of this run that already finished, with how long they took: scales the history to this machine now. */
  finished?: ReadonlyArray<{ id: string; ms: number }>;
  history: Readonly<Record<string, number>>;
  /** Predicted time from `kind create` to a ready cluster. */
  createMs: number;
  /** Never start while more than `createMs + marginMs` of build work (summed over builds) remains. */
  marginMs: number;
}

/** `undefined` when there is not enough history to predict (the caller then waits for the builds). */
export function shouldStartCluster(i: PredictInput): { start: boolean; remainingMs: number; factor: number } | undefined {
  // How much slower or faster than in the history this run is going (a busier machine, a colder cache).
  let actual = 0;
  let predicted = 0;
  for (const f of i.finished ?? []) {
    const d = i.history[f.id];
    if (d === undefined || d <= 0) continue;
    actual += f.ms;
    predicted += d;
  }
  const factor = predicted > 0 ? Math.min(4, Math.max(0.25, actual / predicted)) : 1;
  const running: number[] = [];
  const queued: number[] = [];
  let work = 0;
  for (const p of i.pending) {
    const h = i.history[p.id];
    if (h === undefined) return undefined;
    const d = h * factor;
    if (p.startedMs !== undefined) {
      // A build running past its prediction is not done: it keeps a floor, bounded by the create time so that an
      // overrunning long build does not keep the cluster from ever starting.
      const r = Math.max(d - (i.now - p.startedMs), Math.min(d * 0.25, i.createMs / 2));
      running.push(r);
      work += r;
    } else {
      queued.push(d);
      work += d;
    }
  }
  const remainingMs = remainingBuildWall(running, queued, i.slots);
  return { start: remainingMs <= i.createMs && work <= i.createMs + i.marginMs, remainingMs, factor };
}

/** Task durations (ms) from a results object, for the next run's predictions. */
export function historyFromResults(results: {
  tasks: ReadonlyArray<{ id: string; startMs?: number; endMs?: number; outcome: string; cached?: boolean }>;
}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of results.tasks)
    if (t.outcome === 'success' && t.startMs !== undefined && t.endMs !== undefined) out[t.id] = t.endMs - t.startMs;
  return out;
}
