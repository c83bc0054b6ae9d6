import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan, type DeployTask } from '../../../../src/core/plan/graph.js';
import { runDeploy } from '../../../../src/core/engine/tasks/deploy.js';
import type { KubeObject } from '../../../../src/core/engine/interfaces.js';
import { configYaml, engineContext, testRepo, type TestRepo } from '../../../helpers/engine.js';
import { memoryTools, type MemoryKubeOptions } from '../../../helpers/memory-tools.js';

let repo: TestRepo;
afterEach(() => repo?.cleanup());
const signal = new AbortController().signal;

function setup(kube: MemoryKubeOptions = {}, o: { config?: string; files?: Record<string, string> } = {}) {
  repo = testRepo(o);
  const ctx = engineContext(repo, memoryTools({ kube }));
  const task = (svc: string) => buildPlan(repo.config).tasks.find((x) => x.id === `deploy:${svc}`) as DeployTask;
  return { ctx, task };
}

type Doc = { kind: string; spec: { template: { spec: { containers: Array<{ image: string; imagePullPolicy?: string }> } } } };

/** A pod of the gateway's Deployment with one container status. */
function gatewayPod(status: Record<string, unknown>, init = false): KubeObject {
  return {
    kind: 'Pod',
    metadata: { name: 'gateway-1', namespace: 'default', uid: 'u1', labels: { app: 'gateway' } },
    status: {
      phase: 'Pending',
      [init ? 'initContainerStatuses' : 'containerStatuses']: [
        { name: init ? 'migrate' : 'gateway', image: 'localhost/k/gateway:t', ...status },
      ],
    },
  };
}
const gwImage = { service: 'gateway', repository: 'localhost/k/gateway', ref: 'localhost/k/gateway:t' };

describe('deploy task', () => {
  it('points the containers of its repository at the built tag (IfNotPresent), applies into its namespace, waits for rollout then endpoints', async () => {
    const { ctx, task } = setup({ readyMs: { 'deployment/datastorage': 30 } });
    const ref = 'localhost/k/datastorage:e2e-r1-0123abcd';
    await runDeploy(task('datastorage'), ctx, signal, { service: 'datastorage', repository: 'localhost/k/datastorage', ref });
    const applied = ctx.tools.kube.applied[0]!;
    expect(applied.namespace).toBe('k-system');
    const docs = parseAllDocuments(readFileSync(applied.file, 'utf8')).map((d) => d.toJS() as Doc);
    expect(docs.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0]).toMatchObject({
      image: ref,
      imagePullPolicy: 'IfNotPresent',
    });
    // Readiness comes from shared watches of the collections, not from a process per service.
    expect(ctx.tools.log.of('kube', 'watch').map((c) => c.args[0])).toEqual(
      expect.arrayContaining(['/apis/apps/v1/deployments', '/apis/discovery.k8s.io/v1/endpointslices', '/api/v1/pods']),
    );
    expect(ctx.journal.get('deploy:datastorage').note).toBe('ready: deployment/datastorage');
  });

  it('rewrites a manifest that lacks the localhost/ prefix too, with a warning that names the fix', async () => {
    const { ctx, task } = setup();
    await runDeploy(task('gateway'), ctx, signal, gwImage);
    expect(readFileSync(ctx.tools.kube.applied[0]!.file, 'utf8')).toContain('image: localhost/k/gateway:t');
    expect(ctx.reporter.warnings.join()).toMatch(/uses "k\/gateway", but the image is built as "localhost\/k\/gateway".*ErrImageNeverPull/);
  });

  it('a workload that does not become ready fails after the service waitTimeout with its last progress', async () => {
    const { ctx, task } = setup(
      { neverReady: ['deployment/gateway'] },
      { config: configYaml().replace('waitTimeout: 90s', 'waitTimeout: 1s') },
    );
    await expect(runDeploy(task('gateway'), ctx, signal, gwImage)).rejects.toThrow(
      'deployment/gateway in namespace default was not ready within 1s: Waiting for deployment spec update to be observed...',
    );
  });

  it('fails at once when a pod cannot start its image, naming the pod, container, image and reason', async () => {
    const msg = 'Container image "localhost/k/gateway:t" is not present with pull policy of Never';
    const { ctx, task } = setup({
      neverReady: ['deployment/gateway'],
      pods: [gatewayPod({ state: { waiting: { reason: 'ErrImageNeverPull', message: msg } } })],
    });
    const t0 = Date.now();
    await expect(runDeploy(task('gateway'), ctx, signal, gwImage)).rejects.toThrow(
      `pod gateway-1 (container gateway, image localhost/k/gateway:t) is in ErrImageNeverPull: ${msg}`,
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a failing init container fails fast too, named as such (its app container only says PodInitializing)', async () => {
    const pod = gatewayPod(
      {
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=migrate' } },
        lastState: { terminated: { exitCode: 2 } },
      },
      true,
    );
    (pod.status as Record<string, unknown>).containerStatuses = [
      { name: 'gateway', image: 'localhost/k/gateway:t', state: { waiting: { reason: 'PodInitializing' } } },
    ];
    const { ctx, task } = setup({ neverReady: ['deployment/gateway'], pods: [pod] });
    await expect(runDeploy(task('gateway'), ctx, signal, gwImage)).rejects.toThrow(
      /^pod gateway-1 \(init container migrate, image localhost\/k\/gateway:t\) is in CrashLoopBackOff after 3 restart\(s\), last exit code 2 \(deploy.crashLoopRestarts: 3\)/,
    );
  });

  it('a pod that crashed once while warming up does not fail the deploy: the kubelet restarts it', async () => {
    const { ctx, task } = setup({
      readyMs: { 'deployment/gateway': 300 },
      pods: [
        gatewayPod({
          restartCount: 1,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=gateway' } },
        }),
      ],
    });
    await runDeploy(task('gateway'), ctx, signal, gwImage);
    expect(ctx.journal.get('deploy:gateway').note).toBe('ready: deployment/gateway');
  });

  it('a crash loop whose next back-off would outlast the wait timeout fails now, saying so', async () => {
    const { ctx, task } = setup(
      {
        neverReady: ['deployment/gateway'],
        pods: [
          gatewayPod({
            restartCount: 2,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=gateway' } },
          }),
        ],
      },
      { config: configYaml().replace('waitTimeout: 90s', 'waitTimeout: 15s') },
    );
    await expect(runDeploy(task('gateway'), ctx, signal, gwImage)).rejects.toThrow(
      /after 2 restart\(s\): its next restart is in 20s, after the wait timeout/,
    );
  });

  it('a missing Secret (CreateContainerConfigError) is given deploy.configErrorGrace to appear', async () => {
    const waitingForSecret = gatewayPod({ state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "db" not found' } } });
    const config = configYaml('').replace('services:', 'deploy:\n  configErrorGrace: 1s\nservices:');
    const { ctx, task } = setup({ neverReady: ['deployment/gateway'], pods: [waitingForSecret] }, { config });
    const t0 = Date.now();
    await expect(runDeploy(task('gateway'), ctx, signal, gwImage)).rejects.toThrow(
      'pod gateway-1 (container gateway, image localhost/k/gateway:t) is in CreateContainerConfigError: secret "db" not found (still after 1s; deploy.configErrorGrace)',
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  it('waits for every alias of a target kubectl accepts, and for Jobs by Complete', async () => {
    const files = {
      'deploy/gw.yaml': `apiVersion: batch/v1
kind: Job
metadata: { name: migrate }
spec: { template: { spec: { restartPolicy: Never, containers: [{ name: m, image: localhost/k/gateway }] } } }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: cache }
spec:
  selector: { matchLabels: { app: cache } }
  updateStrategy: { type: OnDelete }
  template: { metadata: { labels: { app: cache } }, spec: { containers: [{ name: c, image: redis:7 }] } }
`,
    };
    const config = configYaml().replace('    waitTimeout: 90s\n', '    waitTimeout: 90s\n    wait: [job.batch/migrate, sts/cache]\n');
    const { ctx, task } = setup({}, { config, files });
    await runDeploy(task('gateway'), ctx, signal, gwImage);
    expect(ctx.journal.get('deploy:gateway').note).toBe('ready: job.batch/migrate, sts/cache');
    expect(ctx.tools.log.of('kube', 'waitFor')).toHaveLength(0);
  });

  it('a failed Job fails the deploy with its reason', async () => {
    const files = {
      'deploy/gw.yaml':
        'apiVersion: batch/v1\nkind: Job\nmetadata: { name: migrate }\nspec: { template: { spec: { containers: [{ name: m, image: x }] } } }\n',
    };
    const config = configYaml().replace('    waitTimeout: 90s\n', '    waitTimeout: 90s\n    wait: [job/migrate]\n');
    const { ctx, task } = setup({ neverReady: ['job/migrate'] }, { files, config });
    const run = runDeploy(task('gateway'), ctx, signal, gwImage);
    setTimeout(
      () =>
        ctx.tools.kube.put({
          kind: 'Job',
          metadata: { name: 'migrate', namespace: 'default', generation: 1 },
          status: {
            failed: 7,
            conditions: [
              { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
            ],
          },
        }),
      50,
    );
    await expect(run).rejects.toThrow('job "migrate" failed (BackoffLimitExceeded): Job has reached the specified backoff limit');
  });

  it('a custom resource target is waited for by its Ready condition through kubectl wait', async () => {
    const config = configYaml().replace('    waitTimeout: 90s\n', '    waitTimeout: 90s\n    wait: [widget.example.com/w1]\n');
    const { ctx, task } = setup({}, { config });
    await runDeploy(task('gateway'), ctx, signal, gwImage);
    expect(ctx.tools.log.of('kube', 'waitFor')[0]!.args).toEqual([
      'condition=Ready',
      ['widget.example.com/w1'],
      'default',
      expect.any(Number),
    ]);
  });
});
