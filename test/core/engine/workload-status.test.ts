import { describe, expect, it } from 'vitest';
import {
  daemonSetReadiness,
  deploymentReadiness,
  jobReadiness,
  podReadiness,
  statefulSetReadiness,
} from '../../../src/core/engine/workload-status.js';
import type { KubeObject } from '../../../src/core/engine/interfaces.js';

const obj = (kind: string, spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2): KubeObject => ({
  kind,
  metadata: { name: 'x', namespace: 'ns', generation },
  spec,
  status,
});

describe('readiness by kind (as kubectl rollout status, plus what it refuses)', () => {
  it('Deployment: spec observed, every replica updated, no old ones left, all available; a passed progress deadline fails', () => {
    expect(deploymentReadiness(obj('Deployment', { replicas: 2 }, { observedGeneration: 1 }))).toMatchObject({
      state: 'waiting',
      message: 'Waiting for deployment spec update to be observed...',
    });
    expect(
      deploymentReadiness(obj('Deployment', { replicas: 2 }, { observedGeneration: 2, updatedReplicas: 1, replicas: 2 })).message,
    ).toBe('Waiting for deployment "x" rollout to finish: 1 out of 2 new replicas have been updated...');
    expect(
      deploymentReadiness(obj('Deployment', { replicas: 2 }, { observedGeneration: 2, updatedReplicas: 2, replicas: 3 })).message,
    ).toMatch(/1 old replicas are pending termination/);
    expect(
      deploymentReadiness(
        obj('Deployment', { replicas: 2 }, { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }),
      ).message,
    ).toMatch(/1 of 2 updated replicas are available/);
    expect(
      deploymentReadiness(
        obj('Deployment', { replicas: 2 }, { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }),
      ),
    ).toEqual({
      state: 'done',
      message: 'deployment "x" successfully rolled out',
    });
    expect(
      deploymentReadiness(
        obj(
          'Deployment',
          {},
          { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] },
        ),
      ),
    ).toEqual({
      state: 'failed',
      message: 'deployment "x" exceeded its progress deadline',
    });
  });

  it('StatefulSet RollingUpdate: ready replicas, then the partition (defaulted to 0) or the revisions', () => {
    const ru = { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } };
    expect(statefulSetReadiness(obj('StatefulSet', ru, { observedGeneration: 0 })).message).toBe(
      'Waiting for statefulset spec update to be observed...',
    );
    expect(statefulSetReadiness(obj('StatefulSet', ru, { observedGeneration: 2, readyReplicas: 1 })).message).toBe(
      'Waiting for 2 pods to be ready...',
    );
    expect(statefulSetReadiness(obj('StatefulSet', ru, { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 2 })).message).toBe(
      'Waiting for partitioned roll out to finish: 2 out of 3 new pods have been updated...',
    );
    expect(statefulSetReadiness(obj('StatefulSet', ru, { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 3 })).state).toBe(
      'done',
    );
    const noRu = { replicas: 1, updateStrategy: { type: 'RollingUpdate' } };
    expect(
      statefulSetReadiness(obj('StatefulSet', noRu, { observedGeneration: 2, readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' }))
        .state,
    ).toBe('waiting');
    expect(
      statefulSetReadiness(obj('StatefulSet', noRu, { observedGeneration: 2, readyReplicas: 1, currentRevision: 'b', updateRevision: 'b' }))
        .state,
    ).toBe('done');
  });

  it('StatefulSet OnDelete (which kubectl refuses): ready when the spec is observed and every replica is ready', () => {
    const od = { replicas: 2, updateStrategy: { type: 'OnDelete' } };
    expect(
      statefulSetReadiness(obj('StatefulSet', od, { observedGeneration: 2, readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' }))
        .state,
    ).toBe('waiting');
    expect(
      statefulSetReadiness(obj('StatefulSet', od, { observedGeneration: 2, readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' })),
    ).toMatchObject({ state: 'done' });
  });

  it('DaemonSet: RollingUpdate as kubectl; OnDelete by ready and available pods', () => {
    const ru = { updateStrategy: { type: 'RollingUpdate' } };
    expect(
      daemonSetReadiness(obj('DaemonSet', ru, { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 2 })).message,
    ).toMatch(/2 out of 3 new pods have been updated/);
    expect(
      daemonSetReadiness(
        obj('DaemonSet', ru, { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }),
      ).state,
    ).toBe('done');
    const od = { updateStrategy: { type: 'OnDelete' } };
    expect(
      daemonSetReadiness(
        obj('DaemonSet', od, {
          observedGeneration: 2,
          desiredNumberScheduled: 3,
          updatedNumberScheduled: 0,
          numberReady: 3,
          numberAvailable: 2,
        }),
      ).state,
    ).toBe('waiting');
    expect(
      daemonSetReadiness(
        obj('DaemonSet', od, {
          observedGeneration: 2,
          desiredNumberScheduled: 3,
          updatedNumberScheduled: 0,
          numberReady: 3,
          numberAvailable: 3,
        }),
      ).state,
    ).toBe('done');
  });

  it('Job: Complete or Failed; Pod: Ready, or failed', () => {
    expect(jobReadiness(obj('Job', {}, { active: 1 })).state).toBe('waiting');
    expect(jobReadiness(obj('Job', {}, { conditions: [{ type: 'Complete', status: 'True' }] })).state).toBe('done');
    expect(
      jobReadiness(
        obj(
          'Job',
          {},
          {
            conditions: [
              { type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' },
            ],
          },
        ),
      ),
    ).toEqual({
      state: 'failed',
      message: 'job "x" failed (DeadlineExceeded): Job was active longer than specified deadline',
    });
    expect(podReadiness(obj('Pod', {}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] })).state).toBe('done');
    expect(podReadiness(obj('Pod', {}, { phase: 'Failed', reason: 'Evicted' }))).toEqual({
      state: 'failed',
      message: 'pod "x" failed (Evicted)',
    });
  });
});
