import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { createFakeEnv, type FakeEnv } from '../../helpers/fakes.js';
import { FAST, upInProcess } from '../../helpers/up.js';
import { runnableExample } from '../../helpers/example.js';
import { cli } from '../../helpers/cli.js';
import type { Results } from '../../../src/core/engine/results.js';

const up = (ex: { dir: string; config: string }, fake: FakeEnv, args: string[]) => upInProcess(ex, fake, ['--engine', 'docker', ...args]);

/** Nothing of the run is left: no cluster, no tarball, no fake process still running. */
async function assertNoLeaks(fake: FakeEnv, r: Results) {
  expect(fake.clusters()).toEqual([]);
  expect(existsSync(path.join(r.runDir, 'images'))).toBe(false);
  expect(fake.running()).toEqual([]);
  const ps = await execa('ps', ['-eo', 'pid,args'], { reject: false });
  expect(String(ps.stdout)).not.toContain(r.runDir);
}

describe('failure paths', () => {
  let ex: Awaited<ReturnType<typeof runnableExample>>;
  beforeAll(() => {
    ex = runnableExample();
  });
  afterAll(async () => {
    await ex.cleanup();
  });

  it('one build failing: the others complete, every error is reported, no cluster is created', async () => {
    const df = path.join(ex.dir, 'docker/redis.Dockerfile');
    const original = readFileSync(df, 'utf8');
    writeFileSync(df, original.replace('echo ok > /srv/health', 'echo compiling; exit 3'));
    const fake = createFakeEnv(FAST);
    try {
      const r = await up(ex, fake, ['-s', 'gateway']);
      expect(r.code).toBe(1);
      const res = r.results!;
      expect(res.outcome).toBe('failure');
      const byId = Object.fromEntries(res.tasks.map((t) => [t.id, t]));
      expect(byId['build:redis']!.outcome).toBe('failure');
      expect(byId['build:redis']!.logTail?.join('\n')).toContain('compiling');
      for (const s of ['postgresql', 'datastorage', 'gateway']) expect(byId[`build:${s}`]!.outcome).toBe('success');
      expect(byId['cluster']!.outcome).toBe('skipped');
      expect(res.tasks.filter((t) => t.phase !== 'build').every((t) => t.outcome === 'skipped')).toBe(true);
      expect(fake.calls().filter((c) => c.tool === 'kind')).toEqual([]);
      expect(r.stderr).toMatch(/error: build:redis: /);
      await assertNoLeaks(fake, res);
      await cli(['down', '--run-dir', res.runDir], { env: fake.env });
    } finally {
      writeFileSync(df, original);
      fake.cleanup();
    }
  });

  it('kind create failing once with a transient error is retried with a fresh cluster', async () => {
    const fake = createFakeEnv({ ...FAST, fail: [{ op: 'create', times: 1 }] });
    try {
      const r = await up(ex, fake, ['-s', 'redis']);
      expect(r.code, r.stderr).toBe(0);
      const cluster = r.results!.tasks.find((t) => t.id === 'cluster')!;
      expect(cluster).toMatchObject({ outcome: 'success', attempts: 2 });
      const ops = fake
        .calls()
        .filter((c) => c.tool === 'kind' && /create|delete/.test(c.op ?? ''))
        .map((c) => `${c.op}:${c.exitCode}`);
      expect(ops).toEqual(['kind:create-cluster:1', 'kind:delete-cluster:0', 'kind:create-cluster:0']);
      expect(r.stderr).toMatch(/known transient error \(the kubelet was not healthy in time; attempt 1\); retrying with a fresh cluster/);
      await cli(['down', '--run-dir', r.results!.runDir], { env: fake.env });
      expect(fake.clusters()).toEqual([]);
    } finally {
      fake.cleanup();
    }
  });

  it('kind create failing with an unknown error fails at once, leaves no cluster', async () => {
    const fake = createFakeEnv({
      ...FAST,
      fail: [{ op: 'create', message: 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name', exit: 1 }],
    });
    try {
      const r = await up(ex, fake, ['-s', 'redis']);
      expect(r.code).toBe(1);
      expect(r.results!.tasks.find((t) => t.id === 'cluster')).toMatchObject({ outcome: 'failure', attempts: 1 });
      await assertNoLeaks(fake, r.results!);
    } finally {
      fake.cleanup();
    }
  });

  it('an image import failing once (exit 255) is retried', async () => {
    const fake = createFakeEnv({ ...FAST, fail: [{ op: 'load', match: 'redis', times: 1, exit: 255 }] });
    try {
      const r = await up(ex, fake, ['-s', 'redis']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.results!.tasks.find((t) => t.id === 'load:redis')).toMatchObject({ outcome: 'success', attempts: 2 });
      expect(
        fake
          .calls()
          .filter((c) => c.op === 'kind:load-image-archive')
          .map((c) => c.exitCode),
      ).toEqual([255, 0]);
      await cli(['down', '--run-dir', r.results!.runDir], { env: fake.env });
    } finally {
      fake.cleanup();
    }
  });

  it('an image import failing persistently names the image and the cluster', async () => {
    const fake = createFakeEnv({ ...FAST, fail: [{ op: 'load', match: 'redis', exit: 255 }] });
    try {
      const r = await up(ex, fake, ['-s', 'redis']);
      expect(r.code).toBe(1);
      const t = r.results!.tasks.find((x) => x.id === 'load:redis')!;
      expect(t.attempts).toBe(2);
      expect(t.error).toMatch(
        new RegExp(`could not load image ${ex.repoPrefix}redis:e2e-\\S+ into cluster ${r.results!.cluster.name} after 2 attempts`),
      );
      await assertNoLeaks(fake, r.results!);
    } finally {
      fake.cleanup();
    }
  });

  it('a deploy stuck in ImagePullBackOff fails early with the reason, with diagnostics', async () => {
    const m = path.join(ex.dir, 'deploy/redis.yaml');
    const original = readFileSync(m, 'utf8');
    writeFileSync(
      m,
      original.replace(
        '      containers:\n',
        '      containers:\n        - name: exporter\n          image: quay.io/nobody/redis-exporter:1\n',
      ),
    );
    const fake = createFakeEnv(FAST);
    try {
      const t0 = Date.now();
      const r = await up(ex, fake, ['-s', 'redis']);
      expect(r.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(60_000); // waitTimeout is 2m: it did not wait it out
      const t = r.results!.tasks.find((x) => x.id === 'deploy:redis')!;
      expect(t.outcome).toBe('failure');
      expect(t.error).toMatch(/pod redis-\S+ \(container exporter, image quay\.io\/nobody\/redis-exporter:1\) is in ImagePullBackOff/);
      const diag = r.results!.diagnosticsDir!;
      expect(existsSync(path.join(diag, 'events.txt'))).toBe(true);
      expect(existsSync(path.join(diag, 'kind-logs'))).toBe(true);
      await assertNoLeaks(fake, r.results!);
      const d = await cli(['down', '--run-dir', r.results!.runDir], { env: fake.env });
      expect(d.code).toBe(0);
      expect(existsSync(r.results!.runDir)).toBe(false);
    } finally {
      writeFileSync(m, original);
      fake.cleanup();
    }
  });

  it('a crash-looping deploy fails early and keep-cluster-on-failure keeps the cluster', async () => {
    const fake = createFakeEnv({ ...FAST, crash: ['statefulset/redis'] });
    try {
      const r = await up(ex, fake, ['-s', 'redis', '--keep-cluster-on-failure']);
      expect(r.code).toBe(1);
      expect(r.results!.tasks.find((x) => x.id === 'deploy:redis')!.error).toMatch(/is in CrashLoopBackOff/);
      expect(r.results!.cluster.kept).toBe(true);
      expect(fake.clusters()).toEqual([r.results!.cluster.name]);
      await cli(['down', '--run-dir', r.results!.runDir], { env: fake.env });
      expect(fake.clusters()).toEqual([]);
    } finally {
      fake.cleanup();
    }
  });
});
