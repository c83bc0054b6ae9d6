// End-to-end flow through the fakes with a real image tarball:
// kind create -> kind load (real `docker save` tarball; a bogus file is rejected) -> kubectl apply -> rollout status.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeEnv, type CallRecord, type FakeEnv } from '../helpers/fakes.js';

const run = `${process.pid}-${Date.now().toString(36)}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-flow-'));
const TAG = `localhost/fakeflow/gateway:e2e-${run}`;
const tarball = path.join(work, 'gateway.tar');
const bogus = path.join(work, 'bogus.tar');
const ROLLOUT_MS = 400;

async function buildBusybox(engine: 'docker' | 'podman', tag: string): Promise<void> {
  const ctx = path.join(work, `ctx-${engine}`);
  fs.mkdirSync(ctx, { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "sleep", "3600"]\n');
  await execa(engine, ['build', '--network', 'none', '-q', '-t', tag, ctx], { env: { DOCKER_BUILDKIT: '0' } });
}

let fake: FakeEnv;
const kc = path.join(work, 'kubeconfig');
const kindConfig = path.join(work, 'kind.yaml');
const manifest = path.join(work, 'app.yaml');

beforeAll(async () => {
  await buildBusybox('docker', TAG);
  await execa('docker', ['save', '-o', tarball, TAG]);
  fs.writeFileSync(bogus, 'this is not an image archive\n'.repeat(40));
  fs.mkdirSync(path.join(work, 'cover'));
  fs.writeFileSync(
    kindConfig,
    [
      'kind: Cluster',
      'apiVersion: kind.x-k8s.io/v1alpha4',
      'nodes:',
      '- role: control-plane',
      '  extraPortMappings:',
      '  - containerPort: 30080',
      '    hostPort: 38080',
      '- role: worker',
      '  extraMounts:',
      `  - hostPath: ${path.join(work, 'cover')}`,
      '    containerPath: /tmp/coverage',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    manifest,
    `apiVersion: v1
kind: Namespace
metadata:
  name: kubernaut
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
  namespace: kubernaut
spec:
  replicas: 2
  selector:
    matchLabels: {app: gateway}
  template:
    metadata:
      labels: {app: gateway, tier: api}
    spec:
      containers:
      - name: gateway
        image: ${TAG}
        imagePullPolicy: IfNotPresent
        ports: [{containerPort: 8080, name: http}]
---
apiVersion: v1
kind: Service
metadata: {name: gateway, namespace: kubernaut}
spec:
  selector: {app: gateway}
  ports: [{port: 80, targetPort: http}]
`,
  );
  fake = createFakeEnv({ rolloutMs: ROLLOUT_MS, kubeconfig: kc });
}, 60_000);

afterAll(async () => {
  fake?.cleanup();
  fs.rmSync(work, { recursive: true, force: true });
  await execa('docker', ['rmi', '-f', TAG], { reject: false });
});

describe('create -> load -> apply -> rollout', () => {
  it('models the whole flow and records it', async () => {
    // ---- create
    const create = await fake.run('kind', [
      'create',
      'cluster',
      '--name',
      'flow',
      '--config',
      kindConfig,
      '--kubeconfig',
      kc,
      '--wait',
      '30s',
    ]);
    expect(create.exitCode, create.stderr).toBe(0);
    expect(create.stderr).toContain('Set kubectl context to "kind-flow"');
    const c = fake.cluster('flow');
    expect(c?.status).toBe('ready');
    expect(c?.provider).toBe('docker');
    expect(c?.nodes.map((n) => [n.name, n.role])).toEqual([
      ['flow-control-plane', 'control-plane'],
      ['flow-worker', 'worker'],
    ]);
    expect(c?.nodes[0]?.extraPortMappings).toEqual([{ containerPort: 30080, hostPort: 38080, listenAddress: '0.0.0.0', protocol: 'TCP' }]);
    expect(c?.nodes[1]?.extraMounts[0]).toMatchObject({ containerPath: '/tmp/coverage', hostPathResolved: path.join(work, 'cover') });
    const cfg = parseYaml(fs.readFileSync(kc, 'utf8')) as {
      'current-context': string;
      clusters: { name: string; cluster: { server: string } }[];
    };
    expect(cfg['current-context']).toBe('kind-flow');
    // http, not https: the emulator has no TLS (test/fakes/README.md)
    expect(cfg.clusters.find((x) => x.name === 'kind-flow')?.cluster.server).toBe(`http://127.0.0.1:${c?.port}`);

    // ---- load: a bogus file is rejected the way ctr import rejects it, a real tarball is imported on every node
    const bad = await fake.run('kind', ['load', 'image-archive', bogus, '--name', 'flow']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(
      'ERROR: failed to load image: command "docker exec --privileged -i flow-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1',
    );
    expect(bad.stderr).toContain('Command Output: ctr: archive/tar: invalid tar header');
    const missing = await fake.run('kind', ['load', 'image-archive', path.join(work, 'nope.tar'), '--name', 'flow']);
    expect(missing.stderr).toBe(`ERROR: stat ${path.join(work, 'nope.tar')}: no such file or directory\n`);
    const load = await fake.run('kind', ['load', 'image-archive', tarball, '--name', 'flow']);
    expect(load.exitCode, load.stderr).toBe(0);
    for (const n of fake.cluster('flow')?.nodes ?? []) {
      expect(n.images[TAG]?.archive).toBe(tarball);
    }

    // ---- apply (server-side, with a field manager) and wait for the rollout
    const apply = await fake.run('kubectl', ['apply', '--server-side', '--field-manager=hybrid-e2e', '-f', manifest]);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stdout).toBe(
      'namespace/kubernaut serverside-applied\ndeployment.apps/gateway serverside-applied\nservice/gateway serverside-applied\n',
    );
    const rollout = await fake.run('kubectl', ['rollout', 'status', 'deployment/gateway', '-n', 'kubernaut', '--timeout=20s']);
    expect(rollout.exitCode, rollout.stderr).toBe(0);
    expect(rollout.stdout.trimEnd().split('\n').pop()).toBe('deployment "gateway" successfully rolled out');

    // ---- pods are real-shaped
    const pods = JSON.parse((await fake.run('kubectl', ['get', 'pods', '-n', 'kubernaut', '-l', 'app=gateway', '-o', 'json'])).stdout) as {
      kind: string;
      items: {
        metadata: { labels: Record<string, string>; ownerReferences: { kind: string; name: string }[] };
        spec: { nodeName: string };
        status: {
          phase: string;
          conditions: { type: string; status: string }[];
          containerStatuses: { ready: boolean; restartCount: number; image: string; state: Record<string, unknown> }[];
        };
      }[];
    };
    expect(pods.kind).toBe('List');
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.metadata.labels).toMatchObject({ app: 'gateway', tier: 'api' });
      expect(p.metadata.ownerReferences[0]?.kind).toBe('ReplicaSet');
      expect(p.metadata.ownerReferences[0]?.name).toMatch(/^gateway-[a-z0-9]{10}$/);
      expect(p.spec.nodeName).toBe('flow-worker'); // the control plane is tainted in a multi-node cluster
      expect(p.status.phase).toBe('Running');
      expect(p.status.conditions.find((x) => x.type === 'Ready')?.status).toBe('True');
      expect(p.status.containerStatuses[0]).toMatchObject({ ready: true, restartCount: 0, image: TAG });
      expect(p.status.containerStatuses[0]?.state).toHaveProperty('running');
    }
    const ep = JSON.parse((await fake.run('kubectl', ['get', 'endpoints', 'gateway', '-n', 'kubernaut', '-o', 'json'])).stdout) as {
      subsets: { addresses: unknown[]; ports: { port: number }[] }[];
    };
    expect(ep.subsets[0]?.addresses).toHaveLength(2);
    expect(ep.subsets[0]?.ports[0]?.port).toBe(8080);

    // ---- state: the applied objects are stored; readiness is relative to the apply time
    const dep = Object.values(fake.cluster('flow')?.objects ?? {}).find(
      (o) => o.obj.kind === 'Deployment' && o.obj.metadata.name === 'gateway',
    );
    expect(dep?.fieldManager).toBe('hybrid-e2e');
    expect(dep?.applyMode).toBe('ssa');

    // ---- call log: the fake kind's processes, and what the real kubectl asked the emulator
    const calls = fake.calls();
    const kindCalls = calls.filter((x) => x.tool === 'kind');
    expect(kindCalls.map((x) => `${x.op}:${x.exitCode}`)).toEqual([
      'kind:create-cluster:0',
      'kind:load-image-archive:1',
      'kind:load-image-archive:1',
      'kind:load-image-archive:0',
    ]);
    for (const x of kindCalls) {
      expect(x.env.KUBECONFIG).toBe(kc);
      expect(x.cwd).toBe(process.cwd());
      expect(x.endMs).toBeGreaterThanOrEqual(x.startMs);
      expect(x.ppid).toBeGreaterThan(0);
    }
    const loadCall = kindCalls[3] as CallRecord;
    expect(loadCall.loaded).toEqual([
      { archive: tarball, format: 'docker-archive', images: [TAG], nodes: ['flow-control-plane', 'flow-worker'] },
    ]);
    expect(kindCalls[1]?.stderrTail).toContain('invalid tar header');
    const api = calls.filter((x) => x.tool === 'apiserver');
    const applyCall = api.find((x) => x.op === 'apply' && x.applied?.some((a) => a.kind === 'Deployment'))!;
    expect(applyCall).toMatchObject({ fieldManager: 'hybrid-e2e', force: false, code: 201 });
    expect(applyCall.applied![0]).toEqual({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      name: 'gateway',
      namespace: 'kubernaut',
      action: 'created',
      containers: [{ name: 'gateway', image: TAG, imagePullPolicy: 'IfNotPresent' }],
      initContainers: [],
    });
    // rollout status is a list, then a watch from the list's resourceVersion, by name (kubectl rollout_status.go)
    const watch = api.find((x) => x.op === 'watch' && x.path === '/apis/apps/v1/namespaces/kubernaut/deployments')!;
    expect(new URLSearchParams(watch.query).get('fieldSelector')).toBe('metadata.name=gateway');
    const ready = api.find((x) => x.op === 'ready' && x.kind === 'Deployment' && x.name === 'gateway')!;
    expect(ready.t).toBeGreaterThanOrEqual((dep?.templateMs ?? 0) + ROLLOUT_MS);

    // ---- diagnostics and teardown
    const logsDir = path.join(work, 'kind-logs');
    const exp = await fake.run('kind', ['export', 'logs', logsDir, '--name', 'flow']);
    expect(exp.exitCode).toBe(0);
    expect(exp.stdout).toBe(`${logsDir}\n`);
    expect(fs.readFileSync(path.join(logsDir, 'flow-worker', 'images.log'), 'utf8')).toContain(TAG);
    expect(fs.existsSync(path.join(logsDir, 'flow-control-plane', 'kubelet.log'))).toBe(true);
    const kcCopy = `${kc}.copy`;
    fs.copyFileSync(kc, kcCopy);
    expect((await fake.run('kind', ['delete', 'cluster', '--name', 'flow'])).exitCode).toBe(0);
    expect(fake.clusters()).toEqual([]);
    // like real kind, delete removes the cluster's context from the kubeconfig ...
    const cfgAfter = parseYaml(fs.readFileSync(kc, 'utf8')) as { contexts: unknown[]; 'current-context': string };
    expect(cfgAfter.contexts).toEqual([]);
    expect(cfgAfter['current-context']).toBe('');
    // ... and a kubeconfig that still points at it gets connection refused
    const after = await fake.run('kubectl', ['--kubeconfig', kcCopy, 'get', 'pods', '-A']);
    expect(after.exitCode).toBe(1);
    expect(after.stderr).toContain(
      `The connection to the server 127.0.0.1:${c?.port} was refused - did you specify the right host or port?`,
    );
  });

  it('loads with docker-image after checking the image exists with docker', async () => {
    const f = createFakeEnv({ kubeconfig: path.join(work, 'kc-docker-image') });
    try {
      expect((await f.run('kind', ['create', 'cluster', '--name', 'di'])).exitCode).toBe(0);
      const absent = await f.run('kind', ['load', 'docker-image', `localhost/fakeflow/absent:${run}`, '--name', 'di']);
      expect(absent.exitCode).toBe(1);
      expect(absent.stderr).toBe(`ERROR: image: "localhost/fakeflow/absent:${run}" not present locally\n`);
      const ok = await f.run('kind', ['load', 'docker-image', TAG, '--name', 'di']);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(
        new RegExp(
          `Image: "${TAG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" with ID "sha256:[0-9a-f]{64}" not yet present on node "di-control-plane", loading...`,
        ),
      );
      expect(f.cluster('di')?.nodes[0]?.images[TAG]?.id).toMatch(/^sha256:/);
      // second time: already present, nothing to do
      const again = await f.run('kind', ['load', 'docker-image', TAG, '--name', 'di']);
      expect(again.stderr).toContain('found to be already present on all nodes');
    } finally {
      f.cleanup();
    }
  });
});

const hasPodman = (() => {
  try {
    return fs.existsSync('/usr/bin/podman') || fs.existsSync('/usr/local/bin/podman');
  } catch {
    return false;
  }
})();

describe.runIf(hasPodman)('podman provider', () => {
  it('keeps the localhost/ name of a podman-saved archive and uses podman for docker-image', async () => {
    const tag = `fakeflow/pod:e2e-${run}`; // podman names it localhost/fakeflow/pod:...
    const f = createFakeEnv({ provider: 'podman', kubeconfig: path.join(work, 'kc-podman') });
    const tar = path.join(work, 'podman.tar');
    try {
      await buildBusybox('podman', tag);
      await execa('podman', ['save', '-o', tar, tag]);
      expect((await f.run('kind', ['create', 'cluster', '--name', 'pm'])).exitCode).toBe(0);
      expect(f.cluster('pm')?.provider).toBe('podman');
      // a kind call without the provider does not see the podman cluster
      const other = await f.run('kind', ['get', 'clusters'], { env: { KIND_EXPERIMENTAL_PROVIDER: 'docker' } });
      expect(other.stdout).toBe('');
      const load = await f.run('kind', ['load', 'image-archive', tar, '--name', 'pm']);
      expect(load.exitCode, load.stderr).toBe(0);
      expect(Object.keys(f.cluster('pm')?.nodes[0]?.images ?? {})).toContain(`localhost/${tag}`);
      const di = await f.run('kind', ['load', 'docker-image', tag, '--name', 'pm']);
      expect(di.exitCode, di.stderr).toBe(0);
      expect(f.calls().find((x) => x.op === 'kind:load-docker-image')?.loaded?.[0]?.images).toEqual([`localhost/${tag}`]);
    } finally {
      f.cleanup();
      await execa('podman', ['rmi', '-f', `localhost/${tag}`], { reject: false });
    }
  });
});
