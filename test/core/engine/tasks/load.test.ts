import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan, type LoadTask } from '../../../../src/core/plan/graph.js';
import { runLoad } from '../../../../src/core/engine/tasks/load.js';
import { engineContext, testRepo, type TestRepo } from '../../../helpers/engine.js';
import { memoryTools } from '../../../helpers/memory-tools.js';

let repo: TestRepo;
afterEach(() => repo?.cleanup());
const signal = new AbortController().signal;

function setup(loadFailures: Record<string, number> = {}) {
  repo = testRepo();
  const ctx = engineContext(repo, memoryTools({ kind: { loadFailures } }));
  ctx.tools.cluster.clusters.set('e2e-r1', { images: [], kubeconfig: ctx.kubeconfig });
  mkdirSync(ctx.tarballDir, { recursive: true });
  const tarball = path.join(ctx.tarballDir, 'gateway.tar');
  writeFileSync(tarball, 'x');
  const image = { service: 'gateway', repository: 'localhost/k/gateway', ref: 'localhost/k/gateway:e2e-r1-abcd1234', tarball };
  const t = buildPlan(repo.config).tasks.find((x) => x.id === 'load:gateway') as LoadTask;
  return { ctx, image, t, cluster: { name: 'e2e-r1', kubeconfig: ctx.kubeconfig } };
}

describe('load task', () => {
  it('imports the tarball it was handed into the cluster it was handed, deletes the tarball and passes the image on', async () => {
    const { ctx, image, t, cluster } = setup();
    const out = await runLoad(t, ctx, signal, image, cluster);
    expect(ctx.tools.log.of('kind', 'load')[0]!.args).toEqual([image.tarball, 'e2e-r1']);
    expect(existsSync(image.tarball)).toBe(false);
    expect(out).toEqual({ service: 'gateway', repository: 'localhost/k/gateway', ref: image.ref });
    expect(ctx.journal.get('load:gateway')).toMatchObject({ attempts: 1, image: image.ref });
  });

  it('retries a failed import once (parallel ctr imports exit 255), then names the image and the cluster', async () => {
    const once = setup({ gateway: 1 });
    await runLoad(once.t, once.ctx, signal, once.image, once.cluster);
    expect(once.ctx.journal.get('load:gateway').attempts).toBe(2);
    expect(once.ctx.reporter.warnings.join()).toMatch(/loading localhost\/k\/gateway:e2e-r1-abcd1234 failed .*retrying once/);
    repo.cleanup();

    const always = setup({ gateway: 5 });
    await expect(runLoad(always.t, always.ctx, signal, always.image, always.cluster)).rejects.toThrow(
      /could not load image localhost\/k\/gateway:e2e-r1-abcd1234 into cluster e2e-r1 after 2 attempts: .*exit status 255/s,
    );
  });
});
