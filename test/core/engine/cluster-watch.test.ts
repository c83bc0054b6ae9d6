import { describe, expect, it } from 'vitest';
import { ClusterWatch, WaitFailed, WaitTimeout } from '../../../src/core/engine/cluster-watch.js';
import type { KubeClient, KubeObject, WatchEvent } from '../../../src/core/engine/interfaces.js';

const o = (name: string, status: Record<string, unknown> = {}): KubeObject => ({
  kind: 'Thing',
  metadata: { name, namespace: 'ns' },
  status,
});

/** A kube client whose watch of one path plays scripted sessions: each lists `list`, then runs `after`, then ends. */
function scripted(sessions: Array<{ list: KubeObject[]; after?: (emit: (e: WatchEvent) => void) => Promise<void> }>) {
  let n = 0;
  const kube = {
    async watch(_path: string, onEvent: (e: WatchEvent) => void, opts: { signal: AbortSignal; onSynced: () => void }) {
      const s = sessions[Math.min(n++, sessions.length - 1)]!;
      for (const x of s.list) onEvent({ type: 'ADDED', object: x });
      opts.onSynced();
      if (s.after) await s.after(onEvent);
      else await new Promise<void>((r) => opts.signal.addEventListener('abort', () => r(), { once: true }));
    },
  } as unknown as KubeClient;
  return { kube, sessions: () => n };
}

const signal = new AbortController().signal;

describe('cluster watch', () => {
  it('resolves on the first change that satisfies the check', async () => {
    const { kube } = scripted([
      {
        list: [o('a')],
        after: async (emit) => {
          await new Promise((r) => setTimeout(r, 20));
          emit({ type: 'MODIFIED', object: o('a', { ready: true }) });
          await new Promise((r) => setTimeout(r, 10_000));
        },
      },
    ]);
    const cw = new ClusterWatch(kube, 10);
    const v = await cw.until(
      ['/things'],
      (objs) => (objs('/things').get('ns/a')?.status?.ready ? { done: 'yes' } : { waiting: 'a not ready' }),
      { timeoutMs: 5000, signal, what: 'a' },
    );
    expect(v).toBe('yes');
    cw.close();
  });

  it('restarts a watch that ended: the new list replaces what the old one knew (deleted objects are gone)', async () => {
    const { kube, sessions } = scripted([{ list: [o('a'), o('b')], after: async () => undefined }, { list: [o('a')] }]);
    const cw = new ClusterWatch(kube, 10);
    await cw.until(['/things'], (objs) => (objs('/things').size === 1 ? { done: true } : { waiting: `${objs('/things').size} things` }), {
      timeoutMs: 5000,
      signal,
      what: 'relist',
    });
    expect(sessions()).toBeGreaterThanOrEqual(2);
    cw.close();
  });

  it('a failed verdict rejects with its message; a timeout names what it waited for and the last progress', async () => {
    const { kube } = scripted([{ list: [o('a')] }]);
    const cw = new ClusterWatch(kube, 10);
    await expect(cw.until(['/things'], () => ({ failed: 'a broke' }), { timeoutMs: 5000, signal, what: 'a' })).rejects.toEqual(
      new WaitFailed('a broke'),
    );
    const err = await cw
      .until(['/things'], () => ({ waiting: '0 of 1 ready' }), { timeoutMs: 200, signal, what: 'thing/a in namespace ns' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeout);
    expect((err as Error).message).toBe('thing/a in namespace ns was not ready within 0s: 0 of 1 ready');
    cw.close();
  });

  it('cancellation rejects at once', async () => {
    const { kube } = scripted([{ list: [] }]);
    const cw = new ClusterWatch(kube, 10);
    const ac = new AbortController();
    const p = cw.until(['/things'], () => ({ waiting: 'x' }), { timeoutMs: 60_000, signal: ac.signal, what: 'x' });
    ac.abort();
    await expect(p).rejects.toThrow('cancelled while waiting for x');
    cw.close();
  });
});
