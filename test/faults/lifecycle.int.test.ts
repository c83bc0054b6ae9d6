// Issue 14: runs that die without cleaning up are found and removed; cleanup can be retried; the image cache and the
// disk are bounded. The bundled CLI, real Docker builds, the fake kind and the real kubectl against the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { createFakeEnv, fakeBinDir, type FakeEnv } from '../helpers/fakes.js';
import { runnableExample } from '../helpers/example.js';
import { upEnv } from '../helpers/up.js';
import { CLI, FAST, leakCheck, readResults, startUp, waitForOutput } from './helpers.js';
import type { Results } from '../../src/core/engine/results.js';

/** The run id and run directory `up` prints before its first build (call it right after starting the process). */
function runOf(proc: ResultPromise): Promise<{ runId: string; runDir: string }> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no run directory line in:\n${seen}`)), 60_000);
    const on = (c: Buffer) => {
      seen += c.toString();
      const x = /run (\w+): run directory (\S+)\n/.exec(seen);
      if (!x) return;
      clearTimeout(timer);
      resolve({ runId: x[1]!, runDir: x[2]! });
    };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', on);
  });
}

/** `hybrid-e2e <args>` from `cwd` with the fake's environment. */
function hybrid(fake: FakeEnv, cwd: string, args: string[], extra: Record<string, string> = {}) {
  return execa(process.execPath, [CLI, ...args], { cwd, env: { ...upEnv(fake), ...extra }, extendEnv: false, reject: false, all: true });
}

const registry = () => path.join(process.env.XDG_STATE_HOME!, 'hybrid-e2e', 'runs');
const records = () => (existsSync(registry()) ? readdirSync(registry()).filter((f) => f.endsWith('.json')) : []);

describe('run lifecycle (bundled CLI)', () => {
  let ex: ReturnType<typeof runnableExample>;
  let originalConfig: string;
  beforeAll(() => {
    ex = runnableExample();
    originalConfig = readFileSync(ex.config, 'utf8');
  });
  afterAll(async () => {
    await ex.cleanup();
  });

  const phases = [
    { phase: 'build', marker: /▶ build:/, knobs: {} },
    { phase: 'cluster', marker: /▶ cluster/, knobs: { createMs: 4000 } },
    { phase: 'load', marker: /▶ load:/, knobs: { loadMs: 4000 } },
    { phase: 'deploy', marker: /▶ deploy:/, knobs: { rolloutMs: 8000 } },
  ] as const;

  for (const p of phases) {
    it(`SIGKILL during ${p.phase}, then \`down\` with no arguments leaves nothing`, async () => {
      const fake = createFakeEnv({ ...FAST, ...p.knobs });
      try {
        const { proc } = startUp(ex.config, fake, ['-s', 'datastorage']);
        const run = await runOf(proc);
        await waitForOutput(proc, p.marker);
        proc.kill('SIGKILL');
        await proc;
        expect(records()).toContain(`${run.runId}.json`);
        const d = await hybrid(fake, ex.dir, ['down']);
        expect(d.exitCode, d.all).toBe(0);
        expect(records()).not.toContain(`${run.runId}.json`);
        await leakCheck(fake, run as Results);
      } finally {
        fake.cleanup();
      }
    });
  }

  it('two killed runs of one config are both removed by one `down`; a live run is left alone', async () => {
    const fake = createFakeEnv({ ...FAST, rolloutMs: 6000 });
    try {
      const a = startUp(ex.config, fake, ['-s', 'redis']);
      const b = startUp(ex.config, fake, ['-s', 'redis']);
      const [ra, rb] = await Promise.all([runOf(a.proc), runOf(b.proc)]);
      await Promise.all([waitForOutput(a.proc, /▶ deploy:/), waitForOutput(b.proc, /▶ deploy:/)]);
      a.proc.kill('SIGKILL');
      b.proc.kill('SIGKILL');
      await Promise.all([a.proc, b.proc]);
      const live = startUp(ex.config, fake, ['-s', 'redis']);
      const rl = await runOf(live.proc);
      await waitForOutput(live.proc, /▶ deploy:/);
      const d = await hybrid(fake, ex.dir, ['down']);
      expect(d.exitCode, d.all).toBe(0);
      expect(d.all).toContain(`run ${rl.runId} is still running`);
      expect(records().sort()).toEqual([`${rl.runId}.json`]);
      for (const r of [ra, rb]) expect(existsSync(r.runDir)).toBe(false);
      // the live run was not touched: it finishes, and its own down removes it
      const res = await live.proc;
      expect(res.exitCode, String(res.all)).toBe(0);
      const results = readResults(live.resultsFile);
      const d2 = await hybrid(fake, ex.dir, ['down']);
      expect(d2.exitCode, d2.all).toBe(0);
      expect(records()).toEqual([]);
      for (const r of [ra, rb, results]) await leakCheck(fake, r as Results);
    } finally {
      fake.cleanup();
    }
  });

  it('a `down` that cannot reach kind keeps the record and names what is left; `down` again finishes', async () => {
    const fake = createFakeEnv({ ...FAST, rolloutMs: 6000 });
    try {
      const { proc } = startUp(ex.config, fake, ['-s', 'redis']);
      const run = await runOf(proc);
      await waitForOutput(proc, /▶ deploy:/);
      proc.kill('SIGKILL');
      await proc;
      // no kind on PATH, and the CLI must not install one
      const noKind = (upEnv(fake).PATH ?? '').split(path.delimiter).filter((d) => d !== fakeBinDir);
      const first = await hybrid(fake, ex.dir, ['down'], { PATH: noKind.join(path.delimiter), HYBRID_E2E_NO_INSTALL: '1' });
      expect(first.exitCode).toBe(1);
      expect(first.all).toMatch(/kind/);
      expect(first.all).toContain(`cluster `);
      expect(records()).toContain(`${run.runId}.json`);
      expect(existsSync(run.runDir)).toBe(true);
      const second = await hybrid(fake, ex.dir, ['down']);
      expect(second.exitCode, second.all).toBe(0);
      expect(records()).toEqual([]);
      await leakCheck(fake, run as Results);
    } finally {
      fake.cleanup();
    }
  });

  it('the disk guard stops a run before any build when the archive directory is too small, with the numbers and the fix', async () => {
    const mnt = path.join(ex.dir, '..', `tmpfs-guard-${path.basename(ex.dir)}`);
    mkdirSync(mnt, { recursive: true });
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { reject: false });
    if (mounted.exitCode !== 0) throw new Error(`cannot mount a small tmpfs for this test: ${mounted.stderr}`);
    const fake = createFakeEnv(FAST);
    try {
      const { proc, resultsFile } = startUp(ex.config, fake, ['-s', 'redis'], { HYBRID_E2E_TMPDIR: mnt });
      const res = await proc;
      expect(res.exitCode).toBe(1);
      expect(String(res.all)).toMatch(
        new RegExp(
          `not enough free disk for this run: ${mnt}\\S* \\(image archives\\) has \\d+(\\.\\d)? MiB free, needs about \\d+(\\.\\d)? GiB \\(builds\\.minFreeDisk's default of 2\\.0 GiB\\)\\. Free space first \\(hybrid-e2e prune`,
        ),
      );
      expect(String(res.all)).not.toMatch(/▶ build:/);
      expect(fake.calls().filter((c) => c.tool === 'kind')).toEqual([]);
      expect(existsSync(resultsFile) ? readResults(resultsFile).tasks.every((t) => t.outcome !== 'success') : true).toBe(true);
      expect(records()).toEqual([]);
    } finally {
      await execa('umount', [mnt], { reject: false });
      rmSync(mnt, { recursive: true, force: true });
      fake.cleanup();
    }
  });

  it('twelve up/down cycles, one service changing each time, keep at most builds.keepCached cache tags for it', async () => {
    const fake = createFakeEnv(FAST);
    const dockerfile = path.join(ex.dir, 'docker/redis.Dockerfile');
    const original = readFileSync(dockerfile, 'utf8');
    const repo = `${ex.repoPrefix}redis`;
    const cacheTags = async () =>
      String((await execa('docker', ['images', repo, '--format', '{{.Tag}}'])).stdout)
        .split('\n')
        .filter((t) => t.startsWith('cache-'));
    try {
      for (let i = 0; i < 12; i++) {
        writeFileSync(dockerfile, `${original}\n# cycle ${i}\n`);
        const { proc, resultsFile } = startUp(ex.config, fake, ['-s', 'redis']);
        const res = await proc;
        expect(res.exitCode, String(res.all)).toBe(0);
        const r = readResults(resultsFile);
        const d = await hybrid(fake, ex.dir, ['down', '--run-dir', r.runDir]);
        expect(d.exitCode, d.all).toBe(0);
        expect((await cacheTags()).length).toBeLessThanOrEqual(3);
      }
      expect((await cacheTags()).length).toBe(3);
    } finally {
      writeFileSync(dockerfile, original);
      writeFileSync(ex.config, originalConfig);
      fake.cleanup();
    }
  });
});
