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
  history: Readonly<Record<string, number>>;
  /** Predicted time from `kind create` to a ready cluster. */
  createMs: number;
  /** Never start while more than `createMs + marginMs` of build work remains. */
  marginMs: number;
}

/** `undefined` when there is not enough history to predict (the caller then waits for the builds). */
export function shouldStartCluster(i: PredictInput): { start: boolean; remainingMs: number } | undefined {
  const running: number[] = [];
  const queued: number[] = [];
  for (const p of i.pending) {
    const d = i.history[p.id];
    if (d === undefined) return undefined;
    // A build running past its prediction still counts a quarter of it: the prediction was wrong, not done.
    if (p.startedMs !== undefined) running.push(Math.max(d * 0.25, d - (i.now - p.startedMs)));
    else queued.push(d);
  }
  const remainingMs = remainingBuildWall(running, queued, i.slots);
  return { start: remainingMs <= Math.min(i.createMs, i.createMs + i.marginMs), remainingMs };
}

/** Task durations (ms) from a results object, for the next run's predictions. */
export function historyFromResults(results: { tasks: ReadonlyArray<{ id: string; startMs?: number; endMs?: number; outcome: string; cached?: boolean }> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of results.tasks) if (t.outcome === 'success' && t.startMs !== undefined && t.endMs !== undefined) out[t.id] = t.endMs - t.startMs;
  return out;
}
