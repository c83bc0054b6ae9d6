import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runGraph, type SchedTask } from '../../../src/core/engine/scheduler.js';

interface T extends SchedTask {
  ms: number;
  fails: boolean;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Runs a graph and records start/end of each task with a logical clock. */
async function execute(tasks: T[], pools: Record<string, number>, signal?: AbortSignal) {
  const log: Array<{ id: string; ev: 'start' | 'end'; seq: number }> = [];
  let seq = 0;
  const running = new Map<string, number>();
  let maxConcurrent: Record<string, number> = {};
  const g = runGraph({
    tasks,
    pools,
    ...(signal ? { signal } : {}),
    run: async (t, s) => {
      log.push({ id: t.id, ev: 'start', seq: seq++ });
      running.set(t.pool, (running.get(t.pool) ?? 0) + 1);
      maxConcurrent = { ...maxConcurrent, [t.pool]: Math.max(maxConcurrent[t.pool] ?? 0, running.get(t.pool)!) };
      await sleep(t.ms, s);
      running.set(t.pool, running.get(t.pool)! - 1);
      log.push({ id: t.id, ev: 'end', seq: seq++ });
      return t.fails ? { outcome: 'failure' as const } : { outcome: 'success' as const, output: undefined };
    },
  });
  const results = await g.done;
  return { results, log, maxConcurrent };
}

const dagArb = fc
  .integer({ min: 1, max: 14 })
  .chain((n) =>
    fc.tuple(
      fc.array(
        fc.record({
          pool: fc.constantFrom('build', 'load', 'deploy'),
          ms: fc.integer({ min: 0, max: 6 }),
          fails: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
        }),
        { minLength: n, maxLength: n },
      ),
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 }),
      fc.record({ build: fc.integer({ min: 1, max: 3 }), load: fc.integer({ min: 1, max: 2 }), deploy: fc.integer({ min: 1, max: 4 }) }),
    ),
  )
  .map(([specs, edges, pools]) => {
    const tasks: T[] = specs.map((s, i) => ({ id: `t${i}`, pool: s.pool, ms: s.ms, fails: s.fails, deps: [] as string[] }));
    for (const [a, b] of edges) {
      // Edges only from lower to higher index: always a DAG.
      if (a < b && !tasks[b]!.deps.includes(`t${a}`)) (tasks[b]!.deps as string[]).push(`t${a}`);
    }
    return { tasks, pools };
  });

describe('runGraph', () => {
  it('respects dependencies, pool sizes and failure propagation on random graphs', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, async ({ tasks, pools }) => {
        const { results, log, maxConcurrent } = await execute(tasks, pools);
        expect(results.size).toBe(tasks.length);
        const at = (id: string, ev: 'start' | 'end') => log.find((l) => l.id === id && l.ev === ev)?.seq;
        for (const t of tasks) {
          const r = results.get(t.id)!;
          const depOutcomes = t.deps.map((d) => results.get(d)!.outcome);
          if (depOutcomes.every((o) => o === 'success')) {
            expect(r.outcome).toBe(t.fails ? 'failure' : 'success');
            for (const d of t.deps) expect(at(d, 'end')!).toBeLessThan(at(t.id, 'start')!);
          } else {
            expect(r.outcome).toBe('skipped');
            expect(at(t.id, 'start')).toBeUndefined();
          }
        }
        for (const [pool, max] of Object.entries(maxConcurrent)) expect(max).toBeLessThanOrEqual(pools[pool as keyof typeof pools]);
      }),
      { numRuns: 60 },
    );
  });

  it('starts a task as soon as its own dependencies finish (no phase barrier)', async () => {
    const tasks: T[] = [
      { id: 'slow', pool: 'build', deps: [], ms: 80, fails: false },
      { id: 'fast', pool: 'build', deps: [], ms: 1, fails: false },
      { id: 'after-fast', pool: 'deploy', deps: ['fast'], ms: 1, fails: false },
    ];
    const { log } = await execute(tasks, { build: 2, deploy: 1 });
    const order = log.map((l) => `${l.ev}:${l.id}`);
    expect(order.indexOf('end:after-fast')).toBeLessThan(order.indexOf('end:slow'));
  });

  it('keeps running independent tasks after a failure', async () => {
    const tasks: T[] = [
      { id: 'b1', pool: 'build', deps: [], ms: 1, fails: true },
      { id: 'b2', pool: 'build', deps: [], ms: 20, fails: false },
      { id: 'cluster', pool: 'cluster', deps: ['b1', 'b2'], ms: 1, fails: false },
    ];
    const { results } = await execute(tasks, { build: 1, cluster: 1 });
    expect(results.get('b1')!.outcome).toBe('failure');
    expect(results.get('b2')!.outcome).toBe('success');
    expect(results.get('cluster')!.outcome).toBe('skipped');
  });

  it('cancels running and pending tasks when the signal aborts', async () => {
    const ac = new AbortController();
    const tasks: T[] = [
      { id: 'long', pool: 'build', deps: [], ms: 5_000, fails: false },
      { id: 'next', pool: 'deploy', deps: ['long'], ms: 1, fails: false },
    ];
    setTimeout(() => ac.abort(), 20);
    const t0 = Date.now();
    const { results } = await execute(tasks, { build: 1, deploy: 1 }, ac.signal);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(results.get('long')!.outcome).toBe('cancelled');
    expect(results.get('next')!.outcome).toBe('cancelled');
  });

  it('rejects a dependency on an unknown task', () => {
    expect(() =>
      runGraph({
        tasks: [{ id: 'a', pool: 'x', deps: ['nope'] }],
        pools: {},
        run: async () => ({ outcome: 'success' as const, output: undefined }),
      }),
    ).toThrow(/a depends on unknown task nope/);
  });
});

describe('priority', () => {
  it('starts the highest-priority ready task first; equal priorities keep the given order', async () => {
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((id) => ({ id, pool: 'p', deps: [] as string[] }));
    const weight: Record<string, number> = { a: 1, b: 5, c: 1, d: 9 };
    await runGraph({
      tasks,
      pools: { p: 1 },
      priority: (t) => weight[t.id]!,
      run: async (t) => {
        started.push(t.id);
        return { outcome: 'success' as const, output: undefined };
      },
    }).done;
    expect(started).toEqual(['d', 'b', 'a', 'c']);
  });
});
