import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan, type LoadTask } from '../../../../src/core/plan/graph.js';
import { waveLevels } from '../../../../src/core/engine/load-waves.js';
import { runLoad } from '../../../../src/core/engine/tasks/load.js';
import type { BuiltImage } from '../../../../src/core/engine/context.js';
import { engineContext, testRepo, type TestRepo } from '../../../helpers/engine.js';
import { memoryTools, type MemoryKindOptions, type MemoryBuilderOptions } from '../../../helpers/memory-tools.js';

let repo: TestRepo;
afterEach(() => repo?.cleanup());
const signal = new AbortController().signal;

const images: Record<string, BuiltImage> = {
  postgresql: { service: 'postgresql', repository: 'postgres:16-alpine', ref: 'postgres:16-alpine', prebuilt: true },
  datastorage: { service: 'datastorage', repository: 'localhost/k/datastorage', ref: 'localhost/k/datastorage:e2e-r1-1' },
  gateway: { service: 'gateway', repository: 'localhost/k/gateway', ref: 'localhost/k/gateway:e2e-r1-2' },
};

function setup(o: { kind?: MemoryKindOptions; builder?: MemoryBuilderOptions; config?: string; files?: Record<string, string> } = {}) {
  repo = testRepo({ ...(o.config ? { config: o.config } : {}), ...(o.files ? { files: o.files } : {}) });
  const builder = { images: Object.fromEntries(Object.values(images).map((i) => [i.ref, {}])), ...o.builder };
  const ctx = engineContext(repo, memoryTools({ builder, ...(o.kind ? { kind: o.kind } : {}) }));
  ctx.tools.cluster.clusters.set('e2e-r1', { images: [], kubeconfig: ctx.kubeconfig });
  const task = (svc: string) => buildPlan(repo.config).tasks.find((x) => x.id === `load:${svc}`) as LoadTask;
  const cluster = { name: 'e2e-r1', kubeconfig: ctx.kubeconfig };
  return { ctx, task, cluster };
}

describe('load waves', () => {
  it('group services by dependency depth: dependencies first', () => {
    repo = testRepo();
    expect([...waveLevels(buildPlan(repo.config))]).toEqual([
      ['postgresql', 0],
      ['datastorage', 1],
      ['gateway', 2],
    ]);
  });

  it('one archive and one import per wave, whatever the number of its images; the archive is gone once imported', async () => {
    // Two services on one dependency level: one wave of two images.
    const config = `version: 1
services:
  postgresql: { image: 'postgres:16-alpine', manifests: [deploy/pg.yaml] }
  datastorage: { build: { dockerfile: docker/ds.Dockerfile, image: localhost/k/datastorage }, manifests: [deploy/ds.yaml], dependsOn: [postgresql] }
  gateway: { build: { dockerfile: docker/gw.Dockerfile, image: localhost/k/gateway }, manifests: [deploy/gw.yaml], dependsOn: [postgresql] }
`;
    const { ctx, task, cluster } = setup({ config });
    ctx.waves.imageReady(images.postgresql!);
    ctx.waves.imageReady(images.datastorage!);
    const [ds, gw, pg] = await Promise.all([
      runLoad(task('datastorage'), ctx, signal, images.datastorage!, cluster),
      runLoad(task('gateway'), ctx, signal, images.gateway!, cluster),
      runLoad(task('postgresql'), ctx, signal, images.postgresql!, cluster),
    ]);
    expect([ds.ref, gw.ref, pg.ref]).toEqual([images.datastorage!.ref, images.gateway!.ref, images.postgresql!.ref]);
    const saves = ctx.tools.log.of('builder', 'save');
    expect(saves.map((c) => c.args[0])).toEqual([
      ['postgres:16-alpine'],
      ['localhost/k/datastorage:e2e-r1-1', 'localhost/k/gateway:e2e-r1-2'],
    ]);
    // A prebuilt image is saved for the nodes' platform.
    expect(saves[0]!.args[2]).toBe('linux/amd64');
    expect(ctx.tools.log.of('kind', 'load').map((c) => path.basename(String(c.args[0])))).toEqual(['wave-1.tar', 'wave-2.tar']);
    expect(ctx.tools.cluster.clusters.get('e2e-r1')!.images.sort()).toEqual(
      Object.values(images)
        .map((i) => i.ref)
        .sort(),
    );
    expect(ctx.journal.get('load:gateway').note).toBe('wave 2, one archive with datastorage');
    expect(readdirSync(ctx.tarballDir)).toEqual([]);
  });

  it('a wave is saved as soon as its images are built, before any load task asks (while the cluster is created)', async () => {
    const { ctx } = setup();
    ctx.waves.imageReady(images.postgresql!);
    await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(path.join(ctx.tarballDir, 'wave-1.tar'))).toBe(true);
    expect(ctx.tools.log.of('kind', 'load')).toHaveLength(0);
  });

  it('at most builds.loadParallelism imports at a time', async () => {
    const config = `version: 1
builds: { loadParallelism: 1 }
services:
  a: { image: 'a:1', manifests: [deploy/pg.yaml] }
  b: { image: 'b:1', manifests: [deploy/pg.yaml] }
  c: { image: 'c:1', manifests: [deploy/pg.yaml], dependsOn: [a] }
`;
    const imgs = ['a', 'b', 'c'].map((s): BuiltImage => ({ service: s, repository: `${s}:1`, ref: `${s}:1`, prebuilt: true }));
    const { ctx, task, cluster } = setup({ config, kind: { loadMs: 40 }, builder: { images: { 'a:1': {}, 'b:1': {}, 'c:1': {} } } });
    await Promise.all(imgs.map((i) => runLoad(task(i.service), ctx, signal, i, cluster)));
    const loads = ctx.tools.log.of('kind', 'load');
    expect(loads).toHaveLength(2);
    expect(loads[1]!.startMs).toBeGreaterThanOrEqual(loads[0]!.endMs!);
  });

  it('retries a failed import once (parallel ctr imports exit 255), then fails every service of the wave, naming the images and the cluster', async () => {
    const once = setup({ kind: { loadFailures: { 'wave-3': 1 } } });
    await runLoad(once.task('gateway'), once.ctx, signal, images.gateway!, once.cluster);
    expect(once.ctx.journal.get('load:gateway').attempts).toBe(2);
    expect(once.ctx.reporter.warnings.join()).toMatch(/load wave 3: importing wave-3.tar failed .*retrying once/);
    repo.cleanup();

    const always = setup({ kind: { loadFailures: { 'wave-3': 5 } } });
    await expect(runLoad(always.task('gateway'), always.ctx, signal, images.gateway!, always.cluster)).rejects.toThrow(
      /could not load image localhost\/k\/gateway:e2e-r1-2 into cluster e2e-r1 after 2 attempts: .*exit status 255/s,
    );
  });

  it('an image a builder wrote to its own tarball is imported as it is', async () => {
    const { ctx, task, cluster } = setup();
    mkdirSync(ctx.tarballDir, { recursive: true });
    const tarball = path.join(ctx.tarballDir, 'gateway.tar');
    writeFileSync(tarball, `archive of ${images.gateway!.ref}\n`);
    await runLoad(task('gateway'), ctx, signal, { ...images.gateway!, tarball }, cluster);
    expect(ctx.tools.log.of('builder', 'save')).toHaveLength(0);
    expect(ctx.tools.log.of('kind', 'load')[0]!.args[0]).toBe(tarball);
    expect(existsSync(tarball)).toBe(false);
  });
});
