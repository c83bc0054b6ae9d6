// Failure injection and the failure models of the fakes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakeEnv, writeImageArchive, type CreateFakeEnvOptions, type FakeEnv } from '../helpers/fakes.js';

const envs: FakeEnv[] = [];
afterAll(() => envs.forEach((f) => f.cleanup()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake env with a ready cluster "c" and a kubeconfig; `k` runs kubectl against it. */
async function withCluster(opts: CreateFakeEnvOptions = {}) {
  const f = createFakeEnv(opts);
  envs.push(f);
  const kc = path.join(f.stateDir, 'kubeconfig');
  const r = await f.run('kind', ['create', 'cluster', '--name', 'c', '--kubeconfig', kc]);
  expect(r.exitCode, r.stderr).toBe(0);
  const k = (args: string[]) => f.run('kubectl', ['--kubeconfig', kc, ...args]);
  const archive = async (name: string, tags: string[]) => {
    const p = path.join(f.stateDir, name);
    await writeImageArchive(p, tags);
    return p;
  };
  const apply = async (yaml: string) => {
    const p = path.join(f.stateDir, `m-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(p, yaml);
    const a = await k(['apply', '-f', p]);
    expect(a.exitCode, a.stderr).toBe(0);
    return a;
  };
  return { f, kc, k, archive, apply };
}

function deployment(name: string, image: string, policy?: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: ${name}
        image: "${image}"
${policy ? `        imagePullPolicy: ${policy}\n` : ''}${extra}---
`;
}

interface PodJson {
  metadata: { name: string; labels: Record<string, string> };
  status: {
    phase: string;
    conditions: { type: string; status: string }[];
    containerStatuses: {
      ready: boolean;
      restartCount: number;
      image: string;
      state: { waiting?: { reason: string; message?: string }; running?: object };
      lastState?: { terminated?: { exitCode: number } };
    }[];
  };
}

async function podsByApp(k: (a: string[]) => Promise<{ stdout: string }>): Promise<Record<string, PodJson>> {
  const list = JSON.parse((await k(['get', 'pods', '-o', 'json'])).stdout) as { items: PodJson[] };
  return Object.fromEntries(list.items.map((p) => [p.metadata.labels.app ?? p.metadata.name, p]));
}

describe.concurrent('FAKE_FAIL', () => {
  it('fails kind create once with the kubelet health message, then the retry succeeds', async () => {
    const f = createFakeEnv({ fail: [{ op: 'create', times: 1 }] });
    envs.push(f);
    const first = await f.run('kind', ['create', 'cluster', '--name', 'flaky']);
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toContain(
      'ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged flaky-control-plane kubeadm init',
    );
    expect(first.stderr).toContain("[kubelet-check] The HTTP call equal to 'curl -sSL http://localhost:10248/healthz' failed with error");
    expect(f.clusters()).toEqual([]); // kind removes the nodes of a failed create (no --retain)
    const second = await f.run('kind', ['create', 'cluster', '--name', 'flaky']);
    expect(second.exitCode).toBe(0);
    expect(f.clusters()).toEqual(['flaky']);
    expect(
      f
        .calls()
        .filter((c) => c.tool === 'kind')
        .map((c) => [c.exitCode, c.injected ?? false]),
    ).toEqual([
      [1, true],
      [0, false],
    ]);
  });

  it('matches rules by target, with custom message and exit code, and --retain keeps a failed cluster', async () => {
    const f = createFakeEnv({ fail: [{ op: 'kind:create', match: 'doomed', message: 'boom', exit: 3 }] });
    envs.push(f);
    expect((await f.run('kind', ['create', 'cluster', '--name', 'fine'])).exitCode).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await f.run('kind', ['create', 'cluster', '--name', 'doomed']);
      expect(r.exitCode).toBe(3);
      expect(r.stderr.endsWith('boom\n')).toBe(true);
    }
    const kept = await f.run('kind', ['create', 'cluster', '--name', 'doomed', '--retain']);
    expect(kept.exitCode).toBe(3);
    expect(f.cluster('doomed')?.status).toBe('failed');
    expect((await f.run('kind', ['get', 'clusters'])).stdout).toBe('doomed\nfine\n');
  });

  it('fails the matching image load once with exit 255; other images and the retry load', async () => {
    const { f, archive } = await withCluster({ fail: [{ op: 'load', match: 'gateway', times: 1, exit: 255 }] });
    const gw = await archive('a.tar', ['localhost/kubernaut/gateway:e2e-1']);
    const other = await archive('b.tar', ['localhost/kubernaut/datastorage:e2e-1']);
    expect((await f.run('kind', ['load', 'image-archive', other, '--name', 'c'])).exitCode).toBe(0);
    const bad = await f.run('kind', ['load', 'image-archive', gw, '--name', 'c']);
    expect(bad.exitCode).toBe(255);
    expect(bad.stderr).toContain(
      'ERROR: failed to load image: command "docker exec --privileged -i c-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 255',
    );
    const node = () => f.cluster('c')?.nodes[0]?.images ?? {};
    expect(node()['localhost/kubernaut/gateway:e2e-1']).toBeUndefined();
    expect(node()['localhost/kubernaut/datastorage:e2e-1']).toBeDefined();
    expect((await f.run('kind', ['load', 'image-archive', gw, '--name', 'c'])).exitCode).toBe(0);
    expect(node()['localhost/kubernaut/gateway:e2e-1']).toBeDefined();
  });

  it('fails API requests of the real kubectl (a write once; a list after the first one)', async () => {
    const { f, k } = await withCluster({
      fail: [
        { op: 'apply', times: 1 },
        { op: 'apiserver:list', match: '/api/v1/namespaces/default/pods', after: 1, times: 1 },
      ],
    });
    const m = path.join(f.stateDir, 'ns.yaml');
    fs.writeFileSync(m, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n');
    const first = await k(['apply', '-f', m]);
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toBe(
      `Error from server (InternalError): error when creating "${m}": Internal error occurred: injected by FAKE_FAIL rule 0\n`,
    );
    expect(Object.values(f.cluster('c')?.objects ?? {}).some((o) => o.obj.metadata.name === 'x')).toBe(false);
    expect((await k(['apply', '-f', m])).stdout).toBe('namespace/x created\n');
    const gets = [await k(['get', 'pods']), await k(['get', 'pods']), await k(['get', 'pods'])];
    expect(gets.map((g) => g.exitCode)).toEqual([0, 1, 0]);
  });
});

describe.concurrent('failure models', () => {
  it('fails an import beyond FAKE_KIND_MAX_PARALLEL_LOADS per node with exit status 255', async () => {
    const { f, archive } = await withCluster({ maxParallelLoads: 2, loadMs: 1500 });
    const tars = await Promise.all([0, 1, 2].map((i) => archive(`p${i}.tar`, [`localhost/par/img${i}:1`])));
    const results = await Promise.all(tars.map((t) => f.run('kind', ['load', 'image-archive', t, '--name', 'c'])));
    const failed = results.filter((r) => r.exitCode !== 0);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.exitCode).toBe(1);
    expect(failed[0]?.stderr).toContain('failed with error: exit status 255');
    expect(failed[0]?.stderr).toContain('locked: unavailable');
    const rec = f.calls().find((c) => c.overload);
    expect(rec?.overload).toEqual({ node: 'c-control-plane', inFlight: 2, max: 2 });
    expect(Object.keys(f.cluster('c')?.nodes[0]?.images ?? {}).filter((i) => i.startsWith('localhost/par/'))).toHaveLength(2);
    // one at a time, the same import succeeds
    const retry = tars[results.findIndex((r) => r.exitCode !== 0)] as string;
    expect((await f.run('kind', ['load', 'image-archive', retry, '--name', 'c'])).exitCode).toBe(0);
    expect(f.cluster('c')?.loadsInFlight).toEqual([]);
  });

  it('kills a cluster that stays idle longer than FAKE_KIND_IDLE_DEATH_MS', async () => {
    const { f, k, archive } = await withCluster({ idleDeathMs: 3000 });
    // activity keeps it alive (each call is well within 3 s of the previous one)
    for (let i = 0; i < 3; i++) expect((await k(['get', 'nodes'])).exitCode).toBe(0);
    const tar = await archive('late.tar', ['localhost/idle/x:1']);
    await sleep(3300);
    const port = f.cluster('c')?.port;
    const get = await k(['get', 'nodes']);
    expect(get.exitCode).toBe(1);
    // the API server went with its node: the real kubectl cannot connect
    expect(get.stderr).toContain(`dial tcp 127.0.0.1:${port}: connect: connection refused`);
    expect(f.cluster('c')?.dead).toMatchObject({ limitMs: 3000 });
    const load = await f.run('kind', ['load', 'image-archive', tar, '--name', 'c']);
    expect(load.exitCode).toBe(1);
    expect(load.stderr).toContain('is not running');
    expect(f.calls().at(-1)?.clusterDead).toBe(true);
    // still listed (its containers exist), logs can be exported, and it can be deleted
    expect((await f.run('kind', ['get', 'clusters'])).stdout).toBe('c\n');
    const logs = path.join(f.stateDir, 'logs');
    expect((await f.run('kind', ['export', 'logs', logs, '--name', 'c'])).exitCode).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(logs, 'c-control-plane', 'inspect.json'), 'utf8'))[0].State.Status).toBe('exited');
    expect((await f.run('kind', ['delete', 'cluster', '--name', 'c'])).exitCode).toBe(0);
    expect(f.clusters()).toEqual([]);
  });

  it('models image presence: ErrImageNeverPull, localhost/ prefixes, ImagePullBackOff, late loads', async () => {
    const { f, k, archive, apply } = await withCluster();
    const podmanStyle = await archive('podman.tar', ['localhost/kubernaut/gateway:t1']);
    const dockerStyle = await archive('docker.tar', ['gateway:t2']);
    const latest = await archive('latest.tar', ['localhost/kubernaut/latest']);
    for (const t of [podmanStyle, dockerStyle, latest])
      expect((await f.run('kind', ['load', 'image-archive', t, '--name', 'c'])).exitCode).toBe(0);
    expect(Object.keys(f.cluster('c')?.nodes[0]?.images ?? {})).toEqual(
      expect.arrayContaining(['localhost/kubernaut/gateway:t1', 'docker.io/library/gateway:t2', 'localhost/kubernaut/latest:latest']),
    );
    await apply(
      deployment('noprefix', 'kubernaut/gateway:t1', 'Never') + // -> docker.io/kubernaut/gateway:t1: not on the node
        deployment('prefixed', 'localhost/kubernaut/gateway:t1', 'Never') +
        deployment('short', 'gateway:t2', 'Never') +
        deployment('long', 'docker.io/library/gateway:t2', 'IfNotPresent') +
        deployment('absent', 'localhost/nothere:1') + // IfNotPresent (tagged) -> tries to pull
        deployment('latest', 'localhost/kubernaut/latest'), // no tag -> Always -> pull fails even though present
    );
    const pods = await podsByApp(k);
    const reason = (app: string) => pods[app]?.status.containerStatuses[0]?.state.waiting?.reason;
    expect(reason('noprefix')).toBe('ErrImageNeverPull');
    expect(pods.noprefix?.status.containerStatuses[0]?.state.waiting?.message).toBe(
      'Container image "kubernaut/gateway:t1" is not present with pull policy of Never',
    );
    expect(pods.noprefix?.status.phase).toBe('Pending');
    for (const app of ['prefixed', 'short', 'long']) {
      expect(pods[app]?.status.containerStatuses[0]?.ready, app).toBe(true);
      expect(pods[app]?.status.phase).toBe('Running');
    }
    expect(reason('absent')).toBe('ImagePullBackOff');
    expect(pods.absent?.status.containerStatuses[0]?.state.waiting?.message).toContain(
      'failed to pull and unpack image "localhost/nothere:1"',
    );
    expect(reason('latest')).toBe('ImagePullBackOff');
    const table = (await k(['get', 'pods'])).stdout;
    expect(table).toMatch(/noprefix-\S+\s+0\/1\s+ErrImageNeverPull\s+0/);
    const ev = (await k(['get', 'events', '--field-selector', 'reason=ErrImageNeverPull', '-o', 'jsonpath={.items[*].message}'])).stdout;
    expect(ev).toBe('Container image "kubernaut/gateway:t1" is not present with pull policy of Never');
    const logs = await k(['logs', 'deployment/noprefix']);
    expect(logs.exitCode).toBe(1);
    expect(logs.stderr).toMatch(/container "noprefix" in pod "noprefix-\S+" is waiting to start: image can't be pulled/);
    const ro = await k(['rollout', 'status', 'deployment/noprefix', '--timeout=300ms']);
    expect(ro.stderr).toBe('error: timed out waiting for the condition\n');
    // loading the missing name afterwards lets the pod start
    const late = await archive('late.tar', ['docker.io/kubernaut/gateway:t1']);
    expect((await f.run('kind', ['load', 'image-archive', late, '--name', 'c'])).exitCode).toBe(0);
    expect((await k(['rollout', 'status', 'deployment/noprefix', '--timeout=5s'])).exitCode).toBe(0);
  });

  it('rejects a multi-arch OCI archive that holds one platform, as ctr import --all-platforms does; a single-platform one loads', async () => {
    const { f } = await withCluster();
    const multi = path.join(f.stateDir, 'multi.tar');
    await writeImageArchive(multi, ['docker.io/library/postgres:16'], { format: 'oci', multiArch: true });
    const bad = await f.run('kind', ['load', 'image-archive', multi, '--name', 'c']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(
      /ERROR: failed to load image: command "docker exec --privileged -i c-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1\nCommand Output: ctr: content digest sha256:[0-9a-f]{64}: not found/,
    );
    expect(f.cluster('c')?.nodes[0]?.images['docker.io/library/postgres:16']).toBeUndefined();
    const single = path.join(f.stateDir, 'single.tar');
    await writeImageArchive(single, ['docker.io/library/postgres:16'], { format: 'oci' });
    expect((await f.run('kind', ['load', 'image-archive', single, '--name', 'c'])).exitCode).toBe(0);
    expect(f.cluster('c')?.nodes[0]?.images['docker.io/library/postgres:16']).toBeDefined();
  });

  it('puts FAKE_CRASH workloads into CrashLoopBackOff with restarts and crash logs', async () => {
    const { f, k, archive, apply } = await withCluster({ crash: ['deployment/crashy'], crashAfterMs: 50, crashRestartMs: 300 });
    expect(
      (await f.run('kind', ['load', 'image-archive', await archive('i.tar', ['localhost/crash/app:1']), '--name', 'c'])).exitCode,
    ).toBe(0);
    await apply(
      deployment('crashy', 'localhost/crash/app:1', 'IfNotPresent') + deployment('healthy', 'localhost/crash/app:1', 'IfNotPresent'),
    );
    // crash at 50 ms, back-off 300 ms (10 s scaled), run 350-400, back-off 600 ms, run 1000-1050, back-off 1200 ms
    await sleep(1200);
    const pods = await podsByApp(k);
    const cs = pods.crashy?.status.containerStatuses[0];
    expect(cs?.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(cs?.restartCount).toBeGreaterThanOrEqual(2);
    // the message carries the kubelet's (unscaled) back-off: 10 s doubling
    expect(cs?.state.waiting?.message).toMatch(/^back-off 40s restarting failed container=crashy pod=crashy-/);
    expect(cs?.lastState?.terminated?.exitCode).toBe(1);
    expect(cs?.ready).toBe(false);
    expect(pods.crashy?.status.phase).toBe('Running');
    expect(pods.healthy?.status.containerStatuses[0]?.ready).toBe(true);
    const logs = await k(['logs', 'deployment/crashy', '--tail=20']);
    expect(logs.stdout).toContain('panic: fake crash injected by FAKE_CRASH');
    expect((await k(['logs', pods.crashy?.metadata.name as string, '--previous'])).stdout).toContain('[previous instance]');
    expect((await k(['logs', pods.healthy?.metadata.name as string, '--previous'])).exitCode).toBe(1);
    const desc = (await k(['describe', 'pod', pods.crashy?.metadata.name as string])).stdout;
    expect(desc).toContain('CrashLoopBackOff');
    expect(desc).toContain('Back-off restarting failed container crashy');
    expect((await k(['rollout', 'status', 'deployment/crashy', '--timeout=200ms'])).exitCode).toBe(1);
  });

  it('publishes Service endpoints only FAKE_ENDPOINTS_DELAY_MS after the pods are Ready', async () => {
    const { f, k, archive, apply } = await withCluster({ endpointsDelayMs: 1500 });
    expect((await f.run('kind', ['load', 'image-archive', await archive('i.tar', ['localhost/race/api:1']), '--name', 'c'])).exitCode).toBe(
      0,
    );
    await apply(`${deployment('api', 'localhost/race/api:1', 'Never')}apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
`);
    expect((await k(['rollout', 'status', 'deployment/api', '--timeout=5s'])).exitCode).toBe(0);
    const [ep, slice] = await Promise.all([
      k(['get', 'endpoints', 'api', '-o', 'json']),
      k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=api', '-o', 'jsonpath={.items[0].endpoints[0].conditions.ready}']),
    ]);
    const subsets = (JSON.parse(ep.stdout) as { subsets: { addresses?: unknown[]; notReadyAddresses?: unknown[] }[] }).subsets;
    const dep = Object.values(f.cluster('c')?.objects ?? {}).find((o) => o.obj.metadata.name === 'api' && o.obj.kind === 'Deployment');
    if (Date.now() < (dep?.templateMs ?? 0) + 1500) {
      expect(subsets[0]?.addresses).toBeUndefined();
      expect(subsets[0]?.notReadyAddresses).toHaveLength(1);
      expect(slice.stdout).toBe('false');
    }
    const w = await k(['wait', '--for=jsonpath={.subsets[0].addresses[0].targetRef.kind}=Pod', 'endpoints/api', '--timeout=10s']);
    expect(w.stdout).toBe('endpoints/api condition met\n');
    expect(Date.now()).toBeGreaterThanOrEqual((dep?.templateMs ?? Infinity) + 1500);
  });

  it('rejects host port collisions between clusters, like docker', async () => {
    const f = createFakeEnv();
    envs.push(f);
    const cfg = path.join(f.stateDir, 'kind.yaml');
    fs.writeFileSync(
      cfg,
      'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraPortMappings:\n  - containerPort: 30080\n    hostPort: 38081\n',
    );
    expect((await f.run('kind', ['create', 'cluster', '--name', 'one', '--config', cfg])).exitCode).toBe(0);
    const two = await f.run('kind', ['create', 'cluster', '--name', 'two', '--config', cfg]);
    expect(two.exitCode).toBe(1);
    expect(two.stderr).toContain('Bind for 0.0.0.0:38081 failed: port is already allocated.');
    expect(f.clusters()).toEqual(['one']);
    const bad = path.join(f.stateDir, 'bad.yaml');
    fs.writeFileSync(bad, 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraMount: []\n');
    const strict = await f.run('kind', ['create', 'cluster', '--name', 'three', '--config', bad]);
    expect(strict.stderr).toBe(
      'ERROR: failed to create cluster: unable to decode config: error unmarshaling JSON: while decoding JSON: json: unknown field "extraMount"\n',
    );
  });

  it('with podman, a missing extraMounts hostPath fails the create', async () => {
    const f = createFakeEnv({ provider: 'podman' });
    envs.push(f);
    const cfg = path.join(f.stateDir, 'kind.yaml');
    const missing = path.join(f.stateDir, 'no-such-dir');
    fs.writeFileSync(
      cfg,
      `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraMounts:\n  - hostPath: ${missing}\n    containerPath: /cover\n`,
    );
    const r = await f.run('kind', ['create', 'cluster', '--name', 'pm', '--config', cfg]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`Command Output: Error: statfs ${missing}: no such file or directory`);
    expect(f.clusters()).toEqual([]);
    fs.mkdirSync(missing);
    expect((await f.run('kind', ['create', 'cluster', '--name', 'pm', '--config', cfg])).exitCode).toBe(0);
  });
});
