import { describe, expect, it } from 'vitest';
import { nextBackoffMs, podProblem } from '../../../src/core/engine/pod-health.js';
import type { KubeObject } from '../../../src/core/engine/interfaces.js';

const policy = { crashLoopRestarts: 3, configErrorGraceMs: 60_000 };
const pod = (cs: Record<string, unknown>, field = 'containerStatuses'): KubeObject => ({
  kind: 'Pod',
  metadata: { name: 'p', uid: 'u' },
  status: { [field]: [{ name: 'c', image: 'i:1', ...cs }] },
});
const crash = (restartCount: number, backoff: string) => ({
  name: 'c',
  restartCount,
  state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${backoff} restarting failed container=c pod=p` } },
});

describe('pod health', () => {
  it('reads the kubelet back-off from its message, else from the restart count (10 s doubling to 5 min)', () => {
    expect(nextBackoffMs(crash(4, '1m20s'))).toBe(80_000);
    expect(nextBackoffMs(crash(9, '5m0s'))).toBe(300_000);
    expect(nextBackoffMs({ name: 'c', restartCount: 1 })).toBe(10_000);
    expect(nextBackoffMs({ name: 'c', restartCount: 3 })).toBe(40_000);
    expect(nextBackoffMs({ name: 'c', restartCount: 12 })).toBe(300_000);
  });

  it('a crash loop is tolerated until crashLoopRestarts, or until the next back-off would outlast the wait', () => {
    const now = 1_000_000;
    expect(podProblem(pod(crash(2, '20s')), policy, now, now + 300_000, new Map())).toBeUndefined();
    expect(podProblem(pod(crash(3, '40s')), policy, now, now + 300_000, new Map())).toMatch(
      /after 3 restart\(s\) \(deploy.crashLoopRestarts: 3\)/,
    );
    expect(podProblem(pod(crash(1, '10s')), policy, now, now + 5_000, new Map())).toMatch(
      /its next restart is in 10s, after the wait timeout/,
    );
  });

  it('config errors get the grace period; image errors fail at once; init containers are named as such', () => {
    const seen = new Map<string, number>();
    const cfg = pod({ state: { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' } } });
    expect(podProblem(cfg, policy, 0, 1e9, seen)).toBeUndefined();
    expect(podProblem(cfg, policy, 59_999, 1e9, seen)).toBeUndefined();
    expect(podProblem(cfg, policy, 60_000, 1e9, seen)).toMatch(/CreateContainerConfigError: configmap "x" not found \(still after 60s/);
    // Recovered (the ConfigMap appeared), then a new error starts a new grace period.
    expect(podProblem(pod({ state: { running: {} } }), policy, 61_000, 1e9, seen)).toBeUndefined();
    expect(seen.size).toBe(0);
    expect(podProblem(cfg, policy, 100_000, 1e9, seen)).toBeUndefined();
    expect(
      podProblem(pod({ state: { waiting: { reason: 'ErrImageNeverPull', message: 'not present' } } }), policy, 0, 1e9, new Map()),
    ).toBe('pod p (container c, image i:1) is in ErrImageNeverPull: not present');
    expect(
      podProblem(pod({ state: { waiting: { reason: 'ImagePullBackOff' } } }, 'initContainerStatuses'), policy, 0, 1e9, new Map()),
    ).toBe('pod p (init container c, image i:1) is in ImagePullBackOff');
  });
});
