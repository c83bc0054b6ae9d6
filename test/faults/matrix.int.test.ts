import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { createFakeEnv } from '../helpers/fakes.js';
import { runnableExample } from '../helpers/example.js';
import { down, FAST, leakCheck, readResults, startUp, waitForOutput } from './helpers.js';

describe('fault matrix (bundled CLI, real Docker, fake kind/kubectl)', () => {
  let ex: Awaited<ReturnType<typeof runnableExample>>;
  beforeAll(() => {
    ex = runnableExample();
  });
  afterAll(async () => {
    await ex.cleanup();
  });

  function patch(rel: string, edit: (s: string) => string): () => void {
    const f = path.join(ex.dir, rel);
    const original = readFileSync(f, 'utf8');
    writeFileSync(f, edit(original));
    return () => writeFileSync(f, original);
  }

  it("one of eleven builds fails: the others complete, the error carries the failing step's output, no cluster", async () => {
    const restore = patch('docker/aianalysis.Dockerfile', (s) =>
      s.replace('echo ok > /srv/health', "echo 'go: module not found: github.com/x/y' >&2; exit 1"),
    );
    const fake = createFakeEnv(FAST);
    try {
      const { proc, resultsFile } = startUp(ex.config, fake);
      const res = await proc;
      expect(res.exitCode).toBe(1);
      const r = readResults(resultsFile);
      const builds = r.tasks.filter((t) => t.phase === 'build');
      expect(builds).toHaveLength(11);
      expect(builds.filter((t) => t.outcome === 'success')).toHaveLength(10);
      const failed = builds.find((t) => t.outcome === 'failure')!;
      expect(failed.id).toBe('build:aianalysis');
      expect(failed.logTail!.join('\n')).toContain('go: module not found: github.com/x/y');
      expect(res.stderr).toMatch(/error: build:aianalysis: /);
      expect(r.tasks.find((t) => t.id === 'cluster')!.outcome).toBe('skipped');
      expect(fake.calls().filter((c) => c.tool === 'kind')).toEqual([]);
      await down(fake, r.runDir);
      await leakCheck(fake, r);
    } finally {
      restore();
      fake.cleanup();
    }
  });

  it('engine crash mid-build (build process killed): reported as such, and retried when builds.retries is set', async () => {
    // The step names this test run (the example's unique prefix), so no earlier run's layer cache can answer it.
    const restoreDf = patch('docker/redis.Dockerfile', (s) =>
      s.replace('ENTRYPOINT', `RUN ["/bin/busybox", "sh", "-c", "sleep 4 # ${ex.repoPrefix}"]\nENTRYPOINT`),
    );
    const restoreCfg = patch('hybrid-e2e.yaml', (s) => s.replace('  hostPorts: auto', '  hostPorts: auto\nbuilds:\n  retries: 1'));
    const fake = createFakeEnv(FAST);
    try {
      const { proc, resultsFile } = startUp(ex.config, fake, ['-s', 'redis']);
      await waitForOutput(proc, /▶ build:redis/);
      // Kill the engine client running this build, as an OOM kill or crash would.
      let killed = false;
      for (let i = 0; i < 50 && !killed; i++) {
        const ps = await execa('ps', ['-eo', 'pid,args'], { reject: false });
        const line = String(ps.stdout)
          .split('\n')
          .find((l) => /docker(\s|$).*build/.test(l) && l.includes('redis'));
        if (line) {
          process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
          killed = true;
        } else await new Promise((r) => setTimeout(r, 100));
      }
      expect(killed).toBe(true);
      const res = await proc;
      expect(res.all).toMatch(/build:redis: the build process was killed by SIGKILL \(engine crash or out of memory\); retrying/);
      expect(res.exitCode, String(res.all)).toBe(0);
      const r = readResults(resultsFile);
      expect(r.tasks.find((t) => t.id === 'build:redis')).toMatchObject({ outcome: 'success', attempts: 2 });
      await down(fake, r.runDir);
      await leakCheck(fake, r);
    } finally {
      restoreDf();
      restoreCfg();
      fake.cleanup();
    }
  });

  it('kind create failing persistently: clear error, kind logs exported, no cluster left', async () => {
    const fake = createFakeEnv({ ...FAST, fail: [{ op: 'create' }] });
    try {
      const { proc, resultsFile } = startUp(ex.config, fake, ['-s', 'redis']);
      const res = await proc;
      expect(res.exitCode).toBe(1);
      const r = readResults(resultsFile);
      const c = r.tasks.find((t) => t.id === 'cluster')!;
      expect(c.attempts).toBe(3); // 1 + cluster.retries (2)
      expect(c.error).toMatch(
        /^kind create cluster failed 3 time\(s\) with a known transient error \(the kubelet was not healthy in time\) \(kind logs: .*kind-create-attempt-3\): /,
      );
      const logs = path.join(r.runDir, 'diagnostics', 'kind-create-attempt-3');
      expect(readdirSync(logs).length).toBeGreaterThan(0);
      expect(fake.clusters()).toEqual([]);
      await down(fake, r.runDir);
      await leakCheck(fake, r);
    } finally {
      fake.cleanup();
    }
  });

  it('disk full while writing a tarball: the error names the directory and what to do; other tarballs removed', async () => {
    const mnt = path.join(ex.dir, '..', `tmpfs-${path.basename(ex.dir)}`);
    mkdirSync(mnt, { recursive: true });
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { reject: false });
    if (mounted.exitCode !== 0) throw new Error(`cannot mount a small tmpfs for this test: ${mounted.stderr}`);
    // past the disk guard (it would stop the run before any build: test/faults/lifecycle.int.test.ts), into a full disk
    const restore = patch('hybrid-e2e.yaml', (c) => `${c}builds:\n  minFreeDisk: 1MiB\n`);
    const fake = createFakeEnv(FAST);
    try {
      const { proc, resultsFile } = startUp(ex.config, fake, ['-s', 'datastorage', '--build-parallelism', '1'], { HYBRID_E2E_TMPDIR: mnt });
      const res = await proc;
      expect(res.exitCode).toBe(1);
      const r = readResults(resultsFile);
      const failed = r.tasks.filter((t) => t.outcome === 'failure');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed[0]!.error).toMatch(
        new RegExp(
          `^not enough disk space in ${mnt}/hybrid-e2e-\\S+/images for the archive of load wave \\d+ \\(\\d+ MiB free; .*\\)\\. Free space \\(e\\.g\\. docker system prune -f\\) or point HYBRID_E2E_TMPDIR`,
        ),
      );
      expect(existsSync(path.join(r.runDir, 'images'))).toBe(false);
      await down(fake, r.runDir);
      await leakCheck(fake, r);
    } finally {
      restore();
      await execa('umount', [mnt], { reject: false });
      rmSync(mnt, { recursive: true, force: true });
      fake.cleanup();
    }
  });

  it('a wait that times out names what was not ready; pod logs and describe land in diagnostics', async () => {
    const restore = patch('hybrid-e2e.yaml', (s) => s.replace(/( {2}redis:\n(?: {4}.*\n)*?) {4}waitTimeout: 2m/, '$1    waitTimeout: 2s'));
    const fake = createFakeEnv({ ...FAST, durations: { 'rollout:statefulset/redis': 60_000 } });
    try {
      const { proc, resultsFile } = startUp(ex.config, fake, ['-s', 'redis']);
      const res = await proc;
      expect(res.exitCode).toBe(1);
      const r = readResults(resultsFile);
      expect(r.tasks.find((t) => t.id === 'deploy:redis')!.error).toMatch(/^statefulset\/redis in namespace e2e was not ready within 2s: /);
      const diag = readdirSync(r.diagnosticsDir!);
      expect(diag.some((f) => /^e2e_redis-.*\.describe\.txt$/.test(f))).toBe(true);
      expect(diag.some((f) => /^e2e_redis-.*\.log$/.test(f))).toBe(true);
      await down(fake, r.runDir);
      await leakCheck(fake, r);
    } finally {
      restore();
      fake.cleanup();
    }
  });

  it('readiness race: a Service without ready endpoints is not ready although its workload is', async () => {
    const fake = createFakeEnv({ ...FAST, rolloutMs: 100, endpointsDelayMs: 2_500 });
    try {
      const { proc, resultsFile } = startUp(ex.config, fake, ['-s', 'datastorage']);
      const res = await proc;
      expect(res.exitCode, String(res.all)).toBe(0);
      const r = readResults(resultsFile);
      const calls = fake.calls();
      const api = calls.filter((c) => c.tool === 'apiserver');
      const redisReady = api.find((c) => c.op === 'ready' && c.kind === 'StatefulSet' && c.name === 'redis')!;
      const dsApply = api.find((c) => c.op === 'apply' && c.applied?.some((o) => o.kind === 'Deployment' && o.name === 'datastorage'))!;
      // The StatefulSet was rolled out long before its Service had a ready endpoint; datastorage waited for the endpoint.
      expect(dsApply.t! - redisReady.t!).toBeGreaterThanOrEqual(2_000);
      expect(api.some((c) => c.op === 'watch' && c.path === '/apis/discovery.k8s.io/v1/endpointslices')).toBe(true);
      await down(fake, r.runDir);
      await leakCheck(fake, r);
    } finally {
      fake.cleanup();
    }
  });

  it('two concurrent runs of the same config share no tag, temp path, kubeconfig or cluster, and both succeed', async () => {
    const fake = createFakeEnv(FAST);
    try {
      const a = startUp(ex.config, fake, ['-s', 'gateway']);
      const b = startUp(ex.config, fake, ['-s', 'gateway']);
      const [ra, rb] = await Promise.all([a.proc, b.proc]);
      expect(ra.exitCode, String(ra.all)).toBe(0);
      expect(rb.exitCode, String(rb.all)).toBe(0);
      const x = readResults(a.resultsFile);
      const y = readResults(b.resultsFile);
      expect(x.cluster.name).not.toBe(y.cluster.name);
      expect(x.cluster.kubeconfig).not.toBe(y.cluster.kubeconfig);
      expect(x.runDir).not.toBe(y.runDir);
      const tags = (r: typeof x) => r.tasks.filter((t) => t.phase === 'build').map((t) => t.image);
      for (const t of tags(x)) expect(tags(y)).not.toContain(t);
      const hostPorts = (r: typeof x) => (r.cluster.ports ?? []).map((p) => p.hostPort);
      for (const p of hostPorts(x)) expect(hostPorts(y)).not.toContain(p);
      expect(fake.clusters().sort()).toEqual([x.cluster.name, y.cluster.name].sort());
      await down(fake, x.runDir);
      await down(fake, y.runDir);
      await leakCheck(fake, x);
      await leakCheck(fake, y);
    } finally {
      fake.cleanup();
    }
  });
});
