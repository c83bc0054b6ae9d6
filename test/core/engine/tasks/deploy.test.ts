import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan, type DeployTask } from '../../../../src/core/plan/graph.js';
import { runDeploy } from '../../../../src/core/engine/tasks/deploy.js';
import { engineContext, testRepo, type TestRepo } from '../../../helpers/engine.js';
import { memoryTools, type MemoryKubeOptions } from '../../../helpers/memory-tools.js';

let repo: TestRepo;
afterEach(() => repo?.cleanup());
const signal = new AbortController().signal;

function setup(kube: MemoryKubeOptions = {}, config?: string) {
  repo = testRepo(config ? { config } : {});
  const ctx = engineContext(repo, memoryTools({ kube }));
  const task = (svc: string) => buildPlan(repo.config).tasks.find((x) => x.id === `deploy:${svc}`) as DeployTask;
  return { ctx, task };
}

type Doc = { kind: string; spec: { template: { spec: { containers: Array<{ image: string; imagePullPolicy?: string }> } } } };

describe('deploy task', () => {
  it('points the containers of its repository at the built tag (IfNotPresent) and applies the rendered file into its namespace', async () => {
    const { ctx, task } = setup();
    const ref = 'localhost/k/datastorage:e2e-r1-0123abcd';
    await runDeploy(task('datastorage'), ctx, signal, { service: 'datastorage', repository: 'localhost/k/datastorage', ref });
    const applied = ctx.tools.kube.applied[0]!;
    expect(applied.namespace).toBe('k-system');
    const docs = parseAllDocuments(readFileSync(applied.file, 'utf8')).map((d) => d.toJS() as Doc);
    const c = docs.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0]!;
    expect(c).toMatchObject({ image: ref, imagePullPolicy: 'IfNotPresent' });
    // Ready: the workload rolled out, then the Service has ready endpoints.
    expect(ctx.tools.log.of('kube', 'rolloutStatus')[0]!.args).toEqual(['deployment/datastorage', 'k-system', 300_000]);
    expect(ctx.tools.log.of('kube', 'endpointsReady')[0]!.args).toEqual(['datastorage', 'k-system']);
    expect(ctx.tools.log.of('kube', 'endpointsReady')[0]!.startMs).toBeGreaterThanOrEqual(
      ctx.tools.log.of('kube', 'rolloutStatus')[0]!.endMs!,
    );
    expect(ctx.journal.get('deploy:datastorage').note).toBe('ready: deployment/datastorage');
  });

  it('rewrites a manifest that lacks the localhost/ prefix too, with a warning that names the fix', async () => {
    const { ctx, task } = setup();
    const ref = 'localhost/k/gateway:e2e-r1-0123abcd';
    await runDeploy(task('gateway'), ctx, signal, { service: 'gateway', repository: 'localhost/k/gateway', ref });
    expect(readFileSync(ctx.tools.kube.applied[0]!.file, 'utf8')).toContain(`image: ${ref}`);
    expect(ctx.reporter.warnings.join()).toMatch(/uses "k\/gateway", but the image is built as "localhost\/k\/gateway".*ErrImageNeverPull/);
  });

  it('uses the service waitTimeout and an explicit wait list', async () => {
    const { ctx, task } = setup();
    await runDeploy(task('gateway'), ctx, signal, { service: 'gateway', repository: 'localhost/k/gateway', ref: 'localhost/k/gateway:t' });
    expect(ctx.tools.log.of('kube', 'rolloutStatus')[0]!.args).toEqual(['deployment/gateway', 'default', 90_000]);
  });

  it('fails fast when a pod is in a state it will not leave, naming the pod, container, image and reason', async () => {
    const pods = {
      default: [
        {
          name: 'gateway-1',
          namespace: 'default',
          ready: false,
          containers: [
            {
              name: 'gateway',
              image: 'localhost/k/gateway:t',
              waitingReason: 'ErrImageNeverPull',
              waitingMessage: 'Container image "localhost/k/gateway:t" is not present with pull policy of Never',
            },
          ],
        },
      ],
    };
    const { ctx, task } = setup({ pods, readyMs: { '*': 60_000 } });
    const started = Date.now();
    await expect(
      runDeploy(task('gateway'), ctx, signal, { service: 'gateway', repository: 'localhost/k/gateway', ref: 'localhost/k/gateway:t' }),
    ).rejects.toThrow(
      'pod gateway-1 (container gateway, image localhost/k/gateway:t) is in ErrImageNeverPull: Container image "localhost/k/gateway:t" is not present with pull policy of Never',
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a workload that does not become ready fails with the target, namespace and timeout', async () => {
    const { ctx, task } = setup({ neverReady: ['statefulset/postgresql'] });
    await expect(
      runDeploy(task('postgresql'), ctx, signal, { service: 'postgresql', repository: 'postgres:16-alpine', ref: 'postgres:16-alpine' }),
    ).rejects.toThrow(/statefulset\/postgresql in namespace default was not ready within 300s: error: timed out waiting for the condition/);
  });
});
