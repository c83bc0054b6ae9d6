/**
 * The run's own docker-container builder: created when buildx's builder uses the `docker` driver (GitHub-hosted
 * runners) and a cache backend is asked for, used for every build, removed by `down` (and so by the post step and a
 * cancelled run). Driven against a stand-in docker with buildx (test/fixtures/bin/docker); no engine runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { down } from '../../src/commands/down.js';
import { up } from '../../src/commands/up.js';
import { readRunState } from '../../src/core/engine/run-state.js';
import { captureReporter, testRepo, type TestRepo } from '../helpers/engine.js';
import { REPO_ROOT } from '../helpers/tmp.js';

let repo: TestRepo;
afterEach(() => repo?.cleanup());

const fakeDocker = path.join(REPO_ROOT, 'test/fixtures/bin/docker');

function env(extra: Record<string, string> = {}) {
  const log = path.join(repo.dir, 'docker-calls.jsonl');
  return {
    log,
    env: {
      ...process.env,
      HYBRID_E2E_DOCKER: fakeDocker,
      HYBRID_E2E_TMPDIR: repo.dir,
      FAKE_DOCKER_LOG: log,
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/',
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ...extra,
    },
  };
}
const calls = (log: string) =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string | null> })
    : [];

describe('the run-scoped docker-container builder', () => {
  it('is created for the gha cache on a docker-driver buildx, builds export the cache and write tarballs, and down removes it', async () => {
    repo = testRepo();
    const { env: e, log } = env();
    const r = await up({
      config: repo.config,
      services: ['datastorage'],
      engine: 'docker',
      cache: 'gha',
      reporter: captureReporter(),
      env: e,
      runId: 'rb1',
    });
    // kind is not on this PATH: the run fails at the cluster, after the builds, and leaves its builder for down.
    expect(r.results.outcome).toBe('failure');
    const argvs = calls(log).map((c) => c.argv);
    expect(argvs).toContainEqual(['buildx', 'create', '--name', 'hybrid-e2e-rb1', '--driver', 'docker-container', '--bootstrap']);
    const build = calls(log).find((c) => c.argv[1] === 'build')!;
    expect(build.argv.slice(0, 4)).toEqual(['buildx', 'build', '--builder', 'hybrid-e2e-rb1']);
    const after = (flag: string) => build.argv.filter((_, i) => build.argv[i - 1] === flag);
    expect(after('--cache-from')).toEqual(['type=gha,scope=localhost_k_datastorage']);
    expect(after('--cache-to')).toEqual(['type=gha,scope=localhost_k_datastorage,mode=max,ignore-error=true']);
    expect(after('--output')[0]).toMatch(/^type=docker,dest=.*datastorage\.tar$/);
    // The gha cache backend reads the runner's cache service credentials from the build's environment.
    expect(build.env).toMatchObject({
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/',
      ACTIONS_CACHE_SERVICE_V2: 'true',
    });
    expect(readRunState(r.runDir).buildxBuilder).toBe('hybrid-e2e-rb1');

    const d = await down({ runDir: r.runDir, reporter: captureReporter(), env: e });
    expect(d.problems).toEqual([]);
    expect(d.removed).toContain('buildx builder hybrid-e2e-rb1');
    expect(calls(log).at(-1)!.argv).toEqual(['buildx', 'rm', 'hybrid-e2e-rb1']);
  });

  it('a cancelled run removes its builder itself', async () => {
    repo = testRepo();
    const { env: e, log } = env({ FAKE_DOCKER_BUILD_MS: '20000' });
    const ac = new AbortController();
    const running = up({
      config: repo.config,
      services: ['datastorage'],
      engine: 'docker',
      cache: 'gha',
      reporter: captureReporter(),
      env: e,
      runId: 'rb2',
      signal: ac.signal,
    });
    const until = Date.now() + 15_000;
    while (!calls(log).some((c) => c.argv[1] === 'build') && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    ac.abort();
    const r = await running;
    expect(r.results.outcome).toBe('cancelled');
    expect(calls(log).map((c) => c.argv)).toContainEqual(['buildx', 'rm', 'hybrid-e2e-rb2']);
    expect(existsSync(r.runDir)).toBe(false);
  });

  it('is not created without a cache backend, nor when the current builder can export already', async () => {
    repo = testRepo();
    const none = env();
    await up({
      config: repo.config,
      services: ['datastorage'],
      engine: 'docker',
      cache: 'none',
      reporter: captureReporter(),
      env: none.env,
      runId: 'rb3',
    });
    expect(calls(none.log).some((c) => c.argv[1] === 'create')).toBe(false);
    expect(calls(none.log).find((c) => c.argv[1] === 'build')!.argv).not.toContain('--builder');

    const container = env({ FAKE_DOCKER_DRIVER: 'docker-container', FAKE_DOCKER_LOG: path.join(repo.dir, 'container.jsonl') });
    await up({
      config: repo.config,
      services: ['datastorage'],
      engine: 'docker',
      cache: 'gha',
      reporter: captureReporter(),
      env: container.env,
      runId: 'rb4',
    });
    const c = calls(path.join(repo.dir, 'container.jsonl'));
    expect(c.some((x) => x.argv[1] === 'create')).toBe(false);
    expect(c.find((x) => x.argv[1] === 'build')!.argv).toContain('--cache-to');
  });
});
