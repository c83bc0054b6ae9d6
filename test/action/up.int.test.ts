import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { createFakeEnv } from '../helpers/fakes.js';
import { runnableExample } from '../helpers/example.js';
import { DIST, readCommandFile } from '../helpers/runner.js';

describe('the bundled action (dist/index.js + dist/post/index.js) with runner env', () => {
  let ex: Awaited<ReturnType<typeof runnableExample>>;
  beforeAll(() => {
    ex = runnableExample();
  });
  afterAll(async () => {
    await ex.cleanup();
  });

  it('up: builds, deploys, sets outputs, writes the summary and annotations; post removes everything', async () => {
    const fake = createFakeEnv({
      createMs: 100,
      loadMs: 40,
      applyMs: 20,
      rolloutMs: 100,
      endpointsDelayMs: 30,
      nodeReadyMs: 30,
      saDelayMs: 10,
      pollMs: 50,
    });
    const files = { output: 'output', state: 'state', summary: 'summary.md', env: 'env' };
    const paths = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, path.join(fake.stateDir, f)])) as Record<
      keyof typeof files,
      string
    >;
    for (const p of Object.values(paths)) writeFileSync(p, '');
    // A Dockerfile with an upgrade: flagged as an annotation on its exact line.
    const df = path.join(ex.dir, 'docker/redis.Dockerfile');
    writeFileSync(
      df,
      readFileSync(df, 'utf8').replace(
        'COPY bin/busybox /bin/busybox\n',
        'COPY bin/busybox /bin/busybox\nSHELL ["/bin/busybox", "sh", "-c"]\n# microdnf update -y would go here\nRUN true || microdnf update -y\n',
      ),
    );
    const env = {
      ...fake.env,
      GITHUB_WORKSPACE: ex.dir,
      GITHUB_OUTPUT: paths.output,
      GITHUB_STATE: paths.state,
      GITHUB_STEP_SUMMARY: paths.summary,
      GITHUB_ENV: paths.env,
      RUNNER_TEMP: fake.stateDir,
      HYBRID_E2E_BUILD_NETWORK: 'none',

      INPUT_COMMAND: 'up',
      INPUT_CONFIG: 'hybrid-e2e.yaml',
      INPUT_SERVICE: 'redis',
      INPUT_ENGINE: 'docker',
      INPUT_CACHE: 'none',
      'INPUT_GITHUB-TOKEN': 'ghs_secret_token_value',
    };
    try {
      const main = await execa(process.execPath, [path.join(DIST, 'index.js')], { env, extendEnv: false, reject: false });
      expect(main.exitCode, main.stdout).toBe(0);
      expect(main.stdout).toContain('::add-mask::ghs_secret_token_value');
      expect(main.stdout.replace('::add-mask::ghs_secret_token_value', '')).not.toContain('ghs_secret_token_value');
      expect(main.stdout).toMatch(
        /^::error title=no-package-upgrade \(error\),file=docker\/redis\.Dockerfile,line=6,endLine=6::`microdnf update`/m,
      );
      expect(main.stdout).toMatch(/^::group::build: 1 task\(s\)\nbuild:redis +success +\d+\.\ds +\+0\.\ds( cached)?\n::endgroup::$/m);
      expect(main.stdout).toMatch(/^::group::deploy: 1 task\(s\)$/m);
      const outputs = readCommandFile(paths.output);
      expect(outputs['violations']).toBe('1');
      const results = JSON.parse(readFileSync(outputs['results-file']!, 'utf8'));
      expect(results.outcome).toBe('success');
      expect(outputs['cluster-name']).toBe(results.cluster.name);
      expect(outputs['kubeconfig']).toBe(results.cluster.kubeconfig);
      expect(Number(outputs['setup-seconds'])).toBeGreaterThan(0);
      expect(fake.clusters()).toEqual([results.cluster.name]);
      expect(readFileSync(paths.env, 'utf8')).toContain(results.cluster.kubeconfig);
      const summary = readFileSync(paths.summary, 'utf8');
      expect(summary).toMatch(/## hybrid-e2e ✅ success/);
      expect(summary).toContain('```mermaid\ngantt');
      expect(summary).toContain('`no-package-upgrade`');
      const state = readCommandFile(paths.state);
      expect(state['run-dir']).toBe(results.runDir);

      const post = await execa(process.execPath, [path.join(DIST, 'post/index.js')], {
        env: { ...env, 'STATE_run-dir': state['run-dir']! },
        extendEnv: false,
        reject: false,
      });
      expect(post.exitCode, post.stdout + post.stderr).toBe(0);
      expect(post.stdout).toMatch(/down \w+: removed cluster /);
      expect(fake.clusters()).toEqual([]);
      expect(existsSync(results.runDir)).toBe(false);
    } finally {
      fake.cleanup();
    }
  });
});
