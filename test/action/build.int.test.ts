// command: build (the reusable workflow's build-once job) through the bundled action, then a matrix leg that
// loads the tarballs and runs up: its builds are reused, not rebuilt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { createFakeEnv } from '../helpers/fakes.js';
import { removeImagesWithPrefix, runnableExample } from '../helpers/example.js';
import { DIST, readCommandFile } from '../helpers/runner.js';

describe('command: build, then a leg that loads the images', () => {
  let ex: ReturnType<typeof runnableExample>;
  beforeAll(() => {
    ex = runnableExample();
  });
  afterAll(async () => {
    await ex.cleanup();
  });

  it('builds each image once into images-dir; a leg that docker-loads them reuses them', async () => {
    const fake = createFakeEnv({
      createMs: 60,
      loadMs: 20,
      applyMs: 10,
      rolloutMs: 60,
      endpointsDelayMs: 20,
      nodeReadyMs: 20,
      saDelayMs: 10,
      pollMs: 40,
    });
    try {
      const job = (name: string, inputs: Record<string, string>) => {
        const dir = path.join(fake.stateDir, name);
        mkdirSync(dir, { recursive: true });
        const files = {
          output: path.join(dir, 'output'),
          state: path.join(dir, 'state'),
          summary: path.join(dir, 'summary.md'),
          env: path.join(dir, 'env'),
        };
        for (const f of Object.values(files)) writeFileSync(f, '');
        const env: Record<string, string> = {
          ...(fake.env as Record<string, string>),
          GITHUB_WORKSPACE: ex.dir,
          GITHUB_OUTPUT: files.output,
          GITHUB_STATE: files.state,
          GITHUB_STEP_SUMMARY: files.summary,
          GITHUB_ENV: files.env,
          RUNNER_TEMP: dir,
          HYBRID_E2E_BUILD_NETWORK: 'none',

          INPUT_CONFIG: 'hybrid-e2e.yaml',
          INPUT_ENGINE: 'docker',
          INPUT_CACHE: 'none',
          INPUT_COMMENT: 'false',
          ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
        };
        return { env, files };
      };
      const post = async (j: ReturnType<typeof job>) => {
        const state = readCommandFile(j.files.state);
        const p = await execa(process.execPath, [path.join(DIST, 'post/index.js')], {
          env: { ...j.env, 'STATE_run-dir': state['run-dir']! },
          extendEnv: false,
          reject: false,
        });
        expect(p.exitCode, p.stdout + p.stderr).toBe(0);
      };

      const b = job('build', { command: 'build', service: 'datastorage' });
      const built = await execa(process.execPath, [path.join(DIST, 'index.js')], { env: b.env, extendEnv: false, reject: false });
      expect(built.exitCode, built.stdout + built.stderr).toBe(0);
      const imagesDir = readCommandFile(b.files.output)['images-dir']!;
      expect(imagesDir).toBe(path.join(fake.stateDir, 'build', 'hybrid-e2e-images'));
      expect(readdirSync(imagesDir).sort()).toEqual(['datastorage.tar', 'postgresql.tar', 'redis.tar']);
      expect(fake.clusters()).toEqual([]);
      expect(fake.calls().filter((c) => c.op === 'kind:create-cluster')).toHaveLength(0);
      expect(readFileSync(b.files.summary, 'utf8')).toContain('3 image(s) saved for the matrix legs');
      // The post step removes this run's tags; only the tarballs are left, as on a fresh leg runner.
      await post(b);
      await removeImagesWithPrefix(ex.repoPrefix);
      const left = await execa('docker', ['images', '--format', '{{.Repository}}', '--filter', `reference=${ex.repoPrefix}*`]);
      expect(left.stdout.trim()).toBe('');

      for (const f of readdirSync(imagesDir)) await execa('docker', ['load', '--input', path.join(imagesDir, f)]);
      const leg = job('leg', { command: 'up', service: 'datastorage' });
      const up = await execa(process.execPath, [path.join(DIST, 'index.js')], { env: leg.env, extendEnv: false, reject: false });
      expect(up.exitCode, up.stdout + up.stderr).toBe(0);
      const results = JSON.parse(readFileSync(readCommandFile(leg.files.output)['results-file']!, 'utf8')) as {
        outcome: string;
        tasks: { id: string; phase: string; cached?: boolean; note?: string }[];
      };
      expect(results.outcome).toBe('success');
      const builds = results.tasks.filter((t) => t.phase === 'build');
      expect(builds.map((t) => t.id).sort()).toEqual(['build:datastorage', 'build:postgresql', 'build:redis']);
      for (const t of builds) expect(t, t.id).toMatchObject({ cached: true });
      await post(leg);
    } finally {
      fake.cleanup();
    }
  });
});
