import type { Outcome } from './results.js';

export interface SchedTask {
  id: string;
  pool: string;
  deps: readonly string[];
}

export interface SchedOutcome<O = unknown> {
  outcome: Outcome;
  startMs?: number;
  endMs?: number;
  /** What the task produced (successful tasks only): handed to the tasks that depend on it. */
  output?: O;
}

/** A task's result: success with its typed output, or failure. */
export type TaskRun<O> = { outcome: 'success'; output: O } | { outcome: 'failure' };

export interface RunGraphOptions<T extends SchedTask, O> {
  tasks: readonly T[];
  /** Slots per pool; a pool not listed has one slot. Can change while running (see `setPoolSize`). */
  pools: Record<string, number>;
  /** Runs one task; `inputs` holds the outputs of its dependencies, by task id. */
  run: (task: T, signal: AbortSignal, inputs: ReadonlyMap<string, O>) => Promise<TaskRun<O>>;
  signal?: AbortSignal;
  /** Extra readiness gate beyond deps (used by the predictive cluster start); re-checked on every event and poke. `skip` settles the task as skipped. */
  gate?: (task: T) => boolean | 'skip';
  /** Among tasks ready at once, higher first (default: the order of `tasks`). */
  priority?: (task: T) => number;
  /** Called when a task changes state, for progress output. */
  onEvent?: (e: { id: string; type: 'start' | 'end'; outcome?: Outcome }) => void;
  now?: () => number;
}

export interface GraphRun<O> {
  done: Promise<Map<string, SchedOutcome<O>>>;
  /** Re-evaluate gates (call after external state the gate depends on changes). */
  poke: () => void;
  setPoolSize: (pool: string, n: number) => void;
  running: () => string[];
}

/**
 * Runs tasks as soon as their dependencies succeeded and a slot in their pool is free. A task whose dependency
 * failed, was skipped or cancelled is skipped. There is no phase barrier other than the graph's own edges.
 * Failures do not stop independent tasks (every build runs to completion); cancellation stops everything.
 */
export function runGraph<T extends SchedTask, O>(opts: RunGraphOptions<T, O>): GraphRun<O> {
  const now = opts.now ?? Date.now;
  const results = new Map<string, SchedOutcome<O>>();
  const running = new Map<string, AbortController>();
  const inPool = new Map<string, number>();
  const pools = { ...opts.pools };
  const byId = new Map(opts.tasks.map((t) => [t.id, t]));
  // Stable: equal priorities keep the order of `tasks`.
  const order = opts.priority
    ? [...opts.tasks]
        .map((t, i) => ({ t, i, p: opts.priority!(t) }))
        .sort((a, b) => b.p - a.p || a.i - b.i)
        .map((x) => x.t)
    : opts.tasks;
  for (const t of opts.tasks) for (const d of t.deps) if (!byId.has(d)) throw new Error(`task ${t.id} depends on unknown task ${d}`);
  let resolveDone!: (m: Map<string, SchedOutcome<O>>) => void;
  const done = new Promise<Map<string, SchedOutcome<O>>>((r) => (resolveDone = r));
  let finished = false;

  const onAbort = () => pump();
  const finishIfIdle = () => {
    if (!finished && results.size === opts.tasks.length) {
      finished = true;
      opts.signal?.removeEventListener('abort', onAbort);
      resolveDone(results);
    }
  };

  const settle = (id: string, r: SchedOutcome<O>) => {
    results.set(id, r);
    opts.onEvent?.({ id, type: 'end', outcome: r.outcome });
  };

  const pump = () => {
    if (finished) return;
    const cancelled = opts.signal?.aborted ?? false;
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const t of order) {
        if (results.has(t.id) || running.has(t.id)) continue;
        if (cancelled) {
          settle(t.id, { outcome: 'cancelled' });
          progressed = true;
          continue;
        }
        const depStates = t.deps.map((d) => results.get(d)?.outcome);
        if (depStates.some((s) => s !== undefined && s !== 'success')) {
          settle(t.id, { outcome: depStates.includes('cancelled') ? 'cancelled' : 'skipped' });
          progressed = true;
          continue;
        }
        if (depStates.some((s) => s === undefined)) continue;
        if (opts.gate) {
          const g = opts.gate(t);
          if (g === 'skip') {
            settle(t.id, { outcome: 'skipped' });
            progressed = true;
            continue;
          }
          if (!g) continue;
        }
        const used = inPool.get(t.pool) ?? 0;
        if (used >= (pools[t.pool] ?? 1)) continue;
        inPool.set(t.pool, used + 1);
        const ac = new AbortController();
        running.set(t.id, ac);
        const startMs = now();
        opts.onEvent?.({ id: t.id, type: 'start' });
        const onAbort = () => ac.abort(opts.signal?.reason);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        const inputs = new Map<string, O>();
        for (const d of t.deps) {
          const out = results.get(d)?.output;
          if (out !== undefined) inputs.set(d, out);
        }
        void Promise.resolve()
          .then(() => opts.run(t, ac.signal, inputs))
          .catch((): TaskRun<O> => ({ outcome: 'failure' }))
          .then((r) => {
            opts.signal?.removeEventListener('abort', onAbort);
            running.delete(t.id);
            inPool.set(t.pool, (inPool.get(t.pool) ?? 1) - 1);
            const outcome: Outcome = opts.signal?.aborted ? 'cancelled' : r.outcome;
            settle(t.id, {
              outcome,
              startMs,
              endMs: now(),
              ...(r.outcome === 'success' && outcome === 'success' ? { output: r.output } : {}),
            });
            pump();
          });
      }
    }
    finishIfIdle();
  };

  opts.signal?.addEventListener('abort', onAbort, { once: true });
  queueMicrotask(pump);
  return {
    done,
    poke: () => pump(),
    setPoolSize: (pool, n) => {
      pools[pool] = n;
      pump();
    },
    running: () => [...running.keys()],
  };
}
