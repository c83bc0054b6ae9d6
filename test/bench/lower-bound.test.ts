import { describe, expect, it } from 'vitest';
import { lowerBound, type LbTask } from './lower-bound.js';

const t = (id: string, pool: string, ms: number, deps: string[] = []): LbTask => ({ id, pool, ms, deps });

describe('lowerBound (benchmark)', () => {
  it('is the critical path when the pools are wide enough', () => {
    const lb = lowerBound([t('a', 'build', 3), t('b', 'build', 5), t('c', 'cluster', 2, ['a', 'b']), t('d', 'deploy', 4, ['c'])], {
      build: 2,
      cluster: 1,
      deploy: 8,
    });
    expect(lb.criticalPathMs).toBe(11);
    expect(lb.criticalPath).toEqual(['b', 'c', 'd']);
    expect(lb.ms).toBe(11);
    expect(lb.binding).toBe('critical-path');
  });

  it('is the pool bound when a pool is the bottleneck: head + work / slots + smallest tail', () => {
    // Four builds of 4 on 2 slots need 8 before the cluster (2) and the deploy (1) can follow: 11, not the path's 7.
    const tasks = [
      ...['a', 'b', 'c', 'd'].map((id) => t(id, 'build', 4)),
      t('cluster', 'cluster', 2, ['a', 'b', 'c', 'd']),
      t('deploy', 'deploy', 1, ['cluster']),
    ];
    const lb = lowerBound(tasks, { build: 2 });
    expect(lb.criticalPathMs).toBe(7);
    expect(lb.pools.build).toBe(11);
    expect(lb.ms).toBe(11);
    expect(lb.binding).toBe('pool:build');
  });

  it('never exceeds the makespan of a feasible schedule', () => {
    // Loads on one slot after a cluster, deploys chained: a valid schedule takes 2 + 1 + 1 + 3 = 7 (load x, load y, deploy y after deploy x ...).
    const tasks = [
      t('cluster', 'cluster', 2),
      t('lx', 'load', 1, ['cluster']),
      t('ly', 'load', 1, ['cluster']),
      t('dx', 'deploy', 3, ['lx']),
      t('dy', 'deploy', 1, ['ly', 'dx']),
    ];
    const lb = lowerBound(tasks, { load: 1, deploy: 8 });
    // Feasible: cluster 0-2, lx 2-3, ly 3-4, dx 3-6, dy 6-7 → 7.
    expect(lb.ms).toBeLessThanOrEqual(7);
    expect(lb.ms).toBe(7);
  });

  it('rejects cycles and unknown dependencies', () => {
    expect(() => lowerBound([t('a', 'p', 1, ['b']), t('b', 'p', 1, ['a'])], {})).toThrow(/cycle/);
    expect(() => lowerBound([t('a', 'p', 1, ['zz'])], {})).toThrow(/unknown task zz/);
  });
});
