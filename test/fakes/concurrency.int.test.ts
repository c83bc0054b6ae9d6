// Many fake processes at once: no lost call-log lines, no lost state updates.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakeEnv, writeImageArchive, type FakeEnv } from '../helpers/fakes.js';

const envs: FakeEnv[] = [];
afterAll(() => envs.forEach((f) => f.cleanup()));

describe.concurrent('concurrency', () => {
  it('logs every one of 10 parallel calls and keeps every state update', async () => {
    const f = createFakeEnv({ maxParallelLoads: 0, loadMs: 1000, applyMs: 500 });
    envs.push(f);
    const kc = path.join(f.stateDir, 'kc');
    expect((await f.run('kind', ['create', 'cluster', '--name', 'par', '--kubeconfig', kc])).exitCode).toBe(0);
    const n = 10;
    const tars = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const p = path.join(f.stateDir, `img${i}.tar`);
        await writeImageArchive(p, [`localhost/par/svc${i}:1`]);
        const m = path.join(f.stateDir, `svc${i}.yaml`);
        fs.writeFileSync(
          m,
          `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc${i}}\nspec:\n  selector: {matchLabels: {app: svc${i}}}\n  template:\n    metadata: {labels: {app: svc${i}}}\n    spec:\n      containers: [{name: app, image: "localhost/par/svc${i}:1", imagePullPolicy: Never}]\n`,
        );
        return { tar: p, manifest: m };
      }),
    );
    const started = Date.now();
    const results = await Promise.all([
      ...tars.map((t) => f.run('kind', ['load', 'image-archive', t.tar, '--name', 'par'])),
      ...tars.map((t) => f.run('kubectl', ['--kubeconfig', kc, 'apply', '-f', t.manifest])),
    ]);
    expect(results.map((r) => r.exitCode)).toEqual(Array(2 * n).fill(0));

    const calls = f.calls();
    const kindCalls = calls.filter((c) => c.tool === 'kind');
    expect(kindCalls).toHaveLength(1 + n);
    const mine = kindCalls.filter((c) => c.startMs >= started - 1000 && c.op !== 'kind:create-cluster');
    expect(new Set(mine.map((c) => c.pid)).size).toBe(n);
    // the calls really overlapped
    const edges = mine.flatMap((c) => [[c.startMs, 1] as const, [c.endMs, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let running = 0;
    let peak = 0;
    for (const [, d] of edges) peak = Math.max(peak, (running += d));
    expect(peak).toBeGreaterThanOrEqual(4);

    const c = f.cluster('par');
    const images = Object.keys(c?.nodes[0]?.images ?? {}).filter((i) => i.startsWith('localhost/par/'));
    expect(images.sort()).toEqual(Array.from({ length: n }, (_, i) => `localhost/par/svc${i}:1`).sort());
    const deps = Object.values(c?.objects ?? {}).filter((o) => o.obj.kind === 'Deployment' && !o.system);
    expect(deps).toHaveLength(n);
    // one create per manifest reached the emulator (kubectl apply without --server-side: GET, then POST)
    const applied = calls.filter((x) => x.tool === 'apiserver' && x.op === 'post').flatMap((x) => x.applied ?? []);
    expect(applied.map((a) => a.containers?.[0]?.image).sort()).toEqual(images.sort());
    expect(f.running()).toEqual([]);

    // all of them roll out
    const ro = await Promise.all(
      tars.map((_, i) => f.run('kubectl', ['--kubeconfig', kc, 'rollout', 'status', `deployment/svc${i}`, '--timeout=10s'])),
    );
    expect(ro.map((r) => r.exitCode)).toEqual(Array(n).fill(0));
  });

  it('creates 6 clusters in parallel with distinct names, ports and kubeconfig entries', async () => {
    const f = createFakeEnv({ createMs: 300 });
    envs.push(f);
    const kc = path.join(f.stateDir, 'shared-kubeconfig');
    const names = Array.from({ length: 6 }, (_, i) => `run${i}`);
    const res = await Promise.all(names.map((nm) => f.run('kind', ['create', 'cluster', '--name', nm, '--kubeconfig', kc])));
    expect(res.map((r) => r.exitCode)).toEqual(Array(6).fill(0));
    expect(f.clusters()).toEqual(names);
    const ports = names.map((nm) => f.cluster(nm)?.port);
    expect(new Set(ports).size).toBe(6);
    // every cluster is reachable through its own context of the shared kubeconfig
    const out = await Promise.all(
      names.map((nm) => f.run('kubectl', ['--kubeconfig', kc, '--context', `kind-${nm}`, 'get', 'nodes', '-o', 'name'])),
    );
    expect(out.map((o) => o.stdout)).toEqual(names.map((nm) => `node/${nm}-control-plane\n`));
    // a second create of the same name while the others exist fails cleanly
    const dup = await f.run('kind', ['create', 'cluster', '--name', 'run3']);
    expect(dup.exitCode).toBe(1);
  });

  it('records a call killed by SIGTERM, releases its import slot, and leaves a half-created cluster behind like kind', async () => {
    const f = createFakeEnv({ loadMs: 20_000, createMs: 20_000 });
    envs.push(f);
    expect((await f.run('kind', ['create', 'cluster', '--name', 'sig'], { env: { FAKE_KIND_CREATE_MS: '0' } })).exitCode).toBe(0);
    const tar = path.join(f.stateDir, 'sig.tar');
    await writeImageArchive(tar, ['localhost/sig/img:1']);
    const load = execa('kind', ['load', 'image-archive', tar, '--name', 'sig'], { env: f.env, extendEnv: false, reject: false });
    const create = execa('kind', ['create', 'cluster', '--name', 'half'], { env: f.env, extendEnv: false, reject: false });
    // wait until the import holds its slot on the node and the second cluster exists
    for (let i = 0; i < 200 && !((f.cluster('sig')?.loadsInFlight.length ?? 0) > 0 && f.cluster('half')); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(
      f
        .running()
        .map((r) => r.pid)
        .sort(),
    ).toEqual([load.pid, create.pid].sort());
    load.kill('SIGTERM');
    create.kill('SIGTERM');
    const [l, c] = await Promise.all([load, create]);
    expect(l.exitCode).toBe(143);
    expect(c.exitCode).toBe(143);
    const recs = f.calls().filter((x) => x.signal);
    expect(recs.map((x) => [x.op, x.signal, x.exitCode]).sort()).toEqual([
      ['kind:create-cluster', 'SIGTERM', 143],
      ['kind:load-image-archive', 'SIGTERM', 143],
    ]);
    expect(f.cluster('sig')?.loadsInFlight).toEqual([]);
    expect(f.cluster('sig')?.nodes[0]?.images['localhost/sig/img:1']).toBeUndefined();
    expect(f.running()).toEqual([]);
    // an interrupted create leaves its nodes behind: they show up and must be deleted
    expect(f.cluster('half')?.status).toBe('creating');
    expect((await f.run('kind', ['get', 'clusters'])).stdout).toBe('half\nsig\n');
    const early = await f.run('kind', ['load', 'image-archive', tar, '--name', 'half']);
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toContain('ctr: failed to dial "/run/containerd/containerd.sock"');
    expect((await f.run('kind', ['delete', 'cluster', '--name', 'half'])).exitCode).toBe(0);
    expect(f.clusters()).toEqual(['sig']);
  });
});
