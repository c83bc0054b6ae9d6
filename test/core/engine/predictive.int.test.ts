import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createFakeEnv, type FakeEnv } from '../../helpers/fakes.js';
import { runnableExample } from '../../helpers/example.js';
import { cli } from '../../helpers/cli.js';
import type { Results } from '../../../src/core/engine/results.js';

describe('cluster.start: predictive', () => {
  let ex: Awaited<ReturnType<typeof runnableExample>>;
  let fake: FakeEnv;
  beforeAll(() => {
    ex = runnableExample();
    // redis: a build that takes ~3 s of real work, with a ROUND arg so each round really rebuilds.
    const df = path.join(ex.dir, 'docker/redis.Dockerfile');
    writeFileSync(
      df,
      readFileSync(df, 'utf8').replace(
        'ENTRYPOINT',
        'ARG ROUND\nRUN ["/bin/busybox", "sh", "-c", "echo round $ROUND; /bin/busybox sleep 3"]\nENTRYPOINT',
      ),
    );
    fake = createFakeEnv({
      createMs: 1_500,
      loadMs: 40,
      applyMs: 20,
      rolloutMs: 100,
      endpointsDelayMs: 30,
      nodeReadyMs: 30,
      saDelayMs: 10,
      pollMs: 50,
    });
  });
  afterAll(async () => {
    fake.cleanup();
    await ex.cleanup();
  });

  async function round(n: number, start: string, history?: string): Promise<Results> {
    const cfg = path.join(ex.dir, 'hybrid-e2e.yaml');
    let text = readFileSync(cfg, 'utf8')
      .replace(/\n {2}start: \S+/, '')
      .replace('  hostPorts: auto', `  hostPorts: auto\n  start: ${start}`);
    text = text.replace(/( {2}redis:\n {4}build: \{ )(args: \{[^}]*\}, )?/, `$1args: { ROUND: "${n}-${Math.random()}" }, `);
    writeFileSync(cfg, text);
    const results = path.join(fake.stateDir, `r${n}.json`);
    const r = await cli(
      [
        'up',
        '--config',
        cfg,
        '-s',
        'redis',
        '--results',
        results,
        '--cache',
        'none',
        '--engine',
        'docker',
        ...(history ? ['--history', history] : []),
      ],
      {
        env: { ...fake.env, HYBRID_E2E_BUILD_NETWORK: 'none', HYBRID_E2E_TMPDIR: fake.stateDir },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(results, 'utf8')) as Results;
    await cli(['down', '--run-dir', res.runDir], { env: fake.env });
    return { ...res, errors: [r.stderr] };
  }
  const t = (r: Results, id: string) => r.tasks.find((x) => x.id === id)!;

  it('without history it waits for the builds, like after-builds', async () => {
    const r = await round(1, 'predictive');
    expect(r.errors[0]).toMatch(/no duration history for every build and the cluster yet: creating it after the builds this time/);
    expect(t(r, 'cluster').startMs!).toBeGreaterThanOrEqual(t(r, 'build:redis').endMs!);
    expect(r.cluster.overlapMs).toBe(0);
  });

  it('with history it starts kind create while the last build runs, and the cluster is not left idle', async () => {
    const first = await round(2, 'after-builds');
    expect(t(first, 'cluster').startMs!).toBeGreaterThanOrEqual(t(first, 'build:redis').endMs!);
    const hist = path.join(fake.stateDir, 'r2.json');
    expect(existsSync(hist)).toBe(true);
    const r = await round(3, 'predictive', hist);
    const build = t(r, 'build:redis');
    const cluster = t(r, 'cluster');
    expect(build.cached).toBe(false);
    expect(cluster.startMs!).toBeLessThan(build.endMs!);
    expect(r.cluster.overlapMs!).toBeGreaterThan(500);
    expect(r.cluster.idleMs!).toBeLessThan(2_000);
    // Loads still wait for the cluster to be ready and for their own build.
    expect(t(r, 'load:redis').startMs!).toBeGreaterThanOrEqual(Math.max(cluster.endMs!, build.endMs!));
    expect(r.errors[0]).toMatch(/cluster: started with ~\d+\.\ds of build work left \(predicted create \d+\.\ds\)/);
  });
});
