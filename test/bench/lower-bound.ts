/**
 * Lower bound of the makespan of a task graph with resource pools, from measured task durations.
 *
 * Two classic bounds, both valid for any schedule that respects the edges and the pool sizes; the bound is their max:
 *   - critical path: the longest chain of durations through the edges (pools ignored);
 *   - per pool P with s slots: min over P of head(t) + (sum of durations in P) / s + min over P of tail(t),
 *     where head(t) is the longest chain before t can start and tail(t) the longest chain after t ends. P's work
 *     cannot start before its earliest head, needs at least sum/s with s slots, and the task that finishes last
 *     still has at least the smallest tail after it.
 * The benchmark uses the pool bound with the build pool's size capped at the CPU count: the workload's builds are
 * CPU-bound, so 3 build slots on 2 cores do not run more than 2 builds' worth of work at a time.
 */
export interface LbTask {
  id: string;
  pool: string;
  deps: readonly string[];
  ms: number;
}

export interface LowerBound {
  ms: number;
  /** `critical-path` or `pool:<name>`: which bound is the max. */
  binding: string;
  criticalPathMs: number;
  /** The critical path's task ids, in order. */
  criticalPath: string[];
  pools: Record<string, number>;
}

function topo(tasks: readonly LbTask[]): LbTask[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const out: LbTask[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (t: LbTask) => {
    const s = state.get(t.id);
    if (s === 2) return;
    if (s === 1) throw new Error(`cycle through ${t.id}`);
    state.set(t.id, 1);
    for (const d of t.deps) {
      const dt = byId.get(d);
      if (!dt) throw new Error(`${t.id} depends on unknown task ${d}`);
      visit(dt);
    }
    state.set(t.id, 2);
    out.push(t);
  };
  for (const t of tasks) visit(t);
  return out;
}

export function lowerBound(tasks: readonly LbTask[], slots: Readonly<Record<string, number>>): LowerBound {
  if (tasks.length === 0) return { ms: 0, binding: 'critical-path', criticalPathMs: 0, criticalPath: [], pools: {} };
  for (const t of tasks) if (!(t.ms >= 0)) throw new Error(`${t.id}: duration ${t.ms} is not a non-negative number`);
  const order = topo(tasks);
  const msOf = new Map(tasks.map((t) => [t.id, t.ms]));
  const head = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  for (const t of order) {
    let h = 0;
    let from: string | undefined;
    for (const d of t.deps) {
      const v = head.get(d)! + msOf.get(d)!;
      if (v > h) {
        h = v;
        from = d;
      }
    }
    head.set(t.id, h);
    via.set(t.id, from);
  }
  const succ = new Map<string, LbTask[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const d of t.deps) succ.get(d)!.push(t);
  const tail = new Map<string, number>();
  for (const t of [...order].reverse()) tail.set(t.id, Math.max(0, ...succ.get(t.id)!.map((s) => s.ms + tail.get(s.id)!)));

  let end: LbTask = order[0]!;
  for (const t of order) if (head.get(t.id)! + t.ms > head.get(end.id)! + end.ms) end = t;
  const criticalPathMs = head.get(end.id)! + end.ms;
  const criticalPath: string[] = [];
  for (let id: string | undefined = end.id; id !== undefined; id = via.get(id)) criticalPath.unshift(id);

  const pools: Record<string, number> = {};
  for (const pool of new Set(tasks.map((t) => t.pool))) {
    const ts = tasks.filter((t) => t.pool === pool);
    const s = Math.max(1, slots[pool] ?? 1);
    const work = ts.reduce((a, t) => a + t.ms, 0);
    pools[pool] = Math.min(...ts.map((t) => head.get(t.id)!)) + work / s + Math.min(...ts.map((t) => tail.get(t.id)!));
  }
  let ms = criticalPathMs;
  let binding = 'critical-path';
  for (const [p, v] of Object.entries(pools)) {
    if (v > ms) {
      ms = v;
      binding = `pool:${p}`;
    }
  }
  return { ms, binding, criticalPathMs, criticalPath, pools };
}
