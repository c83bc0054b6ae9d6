import { describe, expect, it } from 'vitest';
import { resolveWaitTarget } from '../../../src/core/engine/wait-targets.js';

describe('wait targets', () => {
  it('resolves every spelling kubectl accepts for the built-in kinds', () => {
    const cases: Array<[string, string]> = [
      ['deploy/x', 'deployment'],
      ['deployment/x', 'deployment'],
      ['deployments/x', 'deployment'],
      ['deployment.apps/x', 'deployment'],
      ['deployments.v1.apps/x', 'deployment'],
      ['sts/x', 'statefulset'],
      ['statefulset.apps/x', 'statefulset'],
      ['ds/x', 'daemonset'],
      ['daemonsets.apps/x', 'daemonset'],
      ['job/x', 'job'],
      ['job.batch/x', 'job'],
      ['jobs.v1.batch/x', 'job'],
      ['po/x', 'pod'],
      ['pods/x', 'pod'],
      ['svc/x', 'service'],
      ['service/x', 'service'],
    ];
    for (const [target, kind] of cases) expect(resolveWaitTarget(target), target).toMatchObject({ kind, name: 'x', text: `${kind}/x` });
  });

  it('anything else is a custom resource, waited for by its Ready condition', () => {
    expect(resolveWaitTarget('widget.example.com/w1')).toEqual({
      kind: 'other',
      type: 'widget.example.com',
      name: 'w1',
      text: 'widget.example.com/w1',
    });
    expect(resolveWaitTarget('replicaset/x').kind).toBe('other');
  });
});
