import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { createFakeEnv } from '../../helpers/fakes.js';
import { runnableExample } from '../../helpers/example.js';
import { cli } from '../../helpers/cli.js';
import { FAST, upInProcess } from '../../helpers/up.js';
import { REPO_ROOT } from '../../helpers/tmp.js';

describe('prebuilt images and coverage', () => {
  let ex: Awaited<ReturnType<typeof runnableExample>>;
  let prebuilt: string;
  beforeAll(async () => {
    ex = runnableExample();
    // A "prebuilt" image that exists only locally (no registry here), like a pinned postgres image in CI caches.
    prebuilt = `${ex.repoPrefix}prebuilt-pg:16`;
    const ctx = path.join(ex.dir, 'prebuilt');
    mkdirSync(ctx);
    writeFileSync(
      path.join(ctx, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "5432"]\n',
    );
    writeFileSync(path.join(ctx, 'busybox'), readFileSync('/bin/busybox'));
    await execa('docker', ['build', '--network', 'none', '-t', prebuilt, ctx]);
  });
  afterAll(async () => {
    await ex.cleanup();
  });

  function useConfig(edit: (s: string) => string) {
    const cfg = path.join(ex.dir, 'hybrid-e2e.yaml');
    writeFileSync(cfg, edit(readFileSync(cfg, 'utf8')));
  }

  it('a prebuilt image present locally is loaded as is and never built', async () => {
    useConfig((s) => s.replace(/ {2}postgresql:\n {4}build: \{[^}]*\}\n/, `  postgresql:\n    image: ${prebuilt}\n`));
    writeFileSync(
      path.join(ex.dir, 'deploy/postgresql.yaml'),
      readFileSync(path.join(ex.dir, 'deploy/postgresql.yaml'), 'utf8').replace(/image: \S+/, `image: ${prebuilt}`),
    );
    const fake = createFakeEnv(FAST);
    try {
      const r = await upInProcess(ex, fake, ['--engine', 'docker', '-s', 'postgresql']);
      expect(r.code, r.stderr).toBe(0);
      const b = r.results!.tasks.find((t) => t.id === 'build:postgresql')!;
      expect(b).toMatchObject({ outcome: 'success', cached: true, note: 'local image', image: prebuilt });
      const load = fake.calls().find((c) => c.op === 'kind:load-image-archive')!;
      expect(load.loaded![0]!.images).toContain(prebuilt);
      const applied = fake
        .calls()
        .find(
          (c) => c.tool === 'apiserver' && c.op === 'apply' && c.applied?.some((o) => o.kind === 'StatefulSet' && o.name === 'postgresql'),
        )!;
      expect(applied.applied![0]!.containers![0]!.image).toBe(prebuilt);
      await cli(['down', '--run-dir', r.results!.runDir], { env: fake.env });
    } finally {
      fake.cleanup();
    }
  });

  it('a prebuilt image that is neither local nor pullable fails its task with the pull error; no cluster', async () => {
    useConfig((s) => s.replace(`image: ${prebuilt}`, `image: ${ex.repoPrefix}absent:1`));
    const fake = createFakeEnv(FAST);
    try {
      const r = await upInProcess(ex, fake, ['--engine', 'docker', '-s', 'postgresql']);
      expect(r.code).toBe(1);
      const b = r.results!.tasks.find((t) => t.id === 'build:postgresql')!;
      expect(b.outcome).toBe('failure');
      expect(r.stderr).toMatch(/build:postgresql: .*is not present locally; pulling/s);
      expect(fake.clusters()).toEqual([]);
      await cli(['down', '--run-dir', r.results!.runDir], { env: fake.env });
    } finally {
      useConfig((s) => s.replace(`image: ${ex.repoPrefix}absent:1`, `image: ${prebuilt}`));
      fake.cleanup();
    }
  });

  it('build.coverage passes GOFLAGS=-cover, mounts a run-unique GOCOVERDIR and down --collect-coverage copies it out', async () => {
    useConfig((s) => s.replace(/( {2}redis:\n {4}build: \{ )/, '$1coverage: true, '));
    const fake = createFakeEnv(FAST);
    try {
      const record = path.join(fake.stateDir, 'docker-argv.jsonl');
      const r = await upInProcess(ex, fake, ['--engine', 'docker', '-s', 'redis'], {
        HYBRID_E2E_DOCKER: path.join(REPO_ROOT, 'test/faults/bin/docker-recorder'),
        RECORD_ARGV_FILE: record,
      });
      expect(r.code, r.stderr).toBe(0);
      const res = r.results!;
      const build = readFileSync(record, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
        .find((a) => a.includes('build'))!;
      expect(build[build.indexOf('GOFLAGS=-cover') - 1]).toBe('--build-arg');
      const create = fake.calls().find((c) => c.op === 'kind:create-cluster')!;
      const kindConfig = parse(readFileSync(create.argv[create.argv.indexOf('--config') + 1]!, 'utf8'));
      const covDir = path.join(res.runDir, 'coverage');
      for (const n of kindConfig.nodes)
        expect(n.extraMounts).toContainEqual({ hostPath: covDir, containerPath: '/tmp/hybrid-e2e-coverage' });
      // The real kind node would write covdata files there; simulate one, then collect.
      writeFileSync(path.join(covDir, 'covmeta.1234'), 'coverage');
      const out = path.join(fake.stateDir, 'collected');
      const d = await cli(['down', '--run-dir', res.runDir, '--collect-coverage', out], { env: fake.env });
      expect(d.code, d.stderr).toBe(0);
      expect(readdirSync(out)).toEqual(['covmeta.1234']);
      expect(existsSync(res.runDir)).toBe(false);
    } finally {
      fake.cleanup();
    }
  });
});
