import { describe, expect, it } from 'vitest';
import { historyFromResults, remainingBuildWall, shouldStartCluster } from '../../../src/core/engine/predict.js';
import { runGraph } from '../../../src/core/engine/scheduler.js';

describe('predictive cluster start', () => {
  it('computes the remaining build wall time on the slots (longest first)', () => {
    expect(remainingBuildWall([], [], 2)).toBe(0);
    expect(remainingBuildWall([5], [], 2)).toBe(5);
    expect(remainingBuildWall([5, 1], [3, 3], 2)).toBe(7); // slot B: 1 + 3 + 3
    expect(remainingBuildWall([], [4, 4, 4], 3)).toBe(4);
  });

  const base = { slots: 2, createMs: 10_000, marginMs: 30_000 };

  it('starts when the remaining build wall time falls to the predicted create time', () => {
    const history = { 'build:a': 30_000 };
    expect(shouldStartCluster({ ...base, now: 10_000, pending: [{ id: 'build:a', startedMs: 0 }], history })!.start).toBe(false); // 20 s left
    expect(shouldStartCluster({ ...base, now: 21_000, pending: [{ id: 'build:a', startedMs: 0 }], history })!.start).toBe(true); // 9 s left
  });

  it('cannot predict without history for every pending build', () => {
    expect(shouldStartCluster({ ...base, now: 0, pending: [{ id: 'build:x' }], history: {} })).toBeUndefined();
  });

  it('scales the history by how this run is going', () => {
    const history = { 'build:a': 10_000, 'build:b': 30_000 };
    // build:a took twice its history: build:b is expected to, too (60 s, 40 s left after 20 s).
    const slow = shouldStartCluster({
      ...base,
      now: 20_000,
      pending: [{ id: 'build:b', startedMs: 0 }],
      finished: [{ id: 'build:a', ms: 20_000 }],
      history,
    })!;
    expect(slow.factor).toBe(2);
    expect(slow.remainingMs).toBe(40_000);
    expect(slow.start).toBe(false);
  });

  it('an overrunning long build keeps a floor bounded by the create time, so the cluster still starts', () => {
    const history = { 'build:big': 200_000 };
    const r = shouldStartCluster({ ...base, now: 250_000, pending: [{ id: 'build:big', startedMs: 0 }], history })!;
    expect(r.remainingMs).toBe(5_000); // min(25% of 200 s, create/2)
    expect(r.start).toBe(true);
  });

  it('never starts while more build work than create + margin remains, whatever the slots', () => {
    const history = { 'build:a': 9_000, 'build:b': 9_000, 'build:c': 9_000, 'build:d': 9_000, 'build:e': 9_000 };
    const pending = Object.keys(history).map((id) => ({ id }));
    const r = shouldStartCluster({ ...base, slots: 8, marginMs: 20_000, now: 0, pending, history })!;
    expect(r.remainingMs).toBe(9_000);
    expect(r.start).toBe(false); // 45 s of work > 10 + 20 s
  });

  it('takes history from successful timed tasks only', () => {
    expect(
      historyFromResults({
        tasks: [
          { id: 'build:a', startMs: 1, endMs: 5, outcome: 'success' },
          { id: 'build:b', startMs: 1, endMs: 9, outcome: 'failure' },
          { id: 'load:a', outcome: 'skipped' },
        ],
      }),
    ).toEqual({ 'build:a': 4 });
  });
});

describe('runGraph and a shared signal', () => {
  it('removes its abort listener when done, so a signal can be reused across runs', async () => {
    const ac = new AbortController();
    ac.signal.addEventListener('abort', () => undefined);
    const before = listenerCount(ac.signal);
    expect(before).toBe(1); // the counter sees listeners
    for (let i = 0; i < 20; i++)
      await runGraph({
        tasks: [{ id: 'a', pool: 'p', deps: [] }],
        pools: {},
        signal: ac.signal,
        run: async () => ({ outcome: 'success' as const, output: undefined }),
      }).done;
    expect(listenerCount(ac.signal)).toBe(before);
  });
});

function listenerCount(signal: AbortSignal): number {
  // Node keeps EventTarget listeners internally; count them through the kEvents symbol.
  const sym = Object.getOwnPropertySymbols(signal).find((s) => s.description === 'kEvents');
  const events = sym ? (signal as unknown as Record<symbol, Map<string, { size: number }>>)[sym] : undefined;
  return events?.get('abort')?.size ?? 0;
}
