import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan, type CreateTask } from '../../../../src/core/plan/graph.js';
import { runCreate } from '../../../../src/core/engine/tasks/cluster.js';
import { captureReporter, configYaml, engineContext, testRepo, type TestRepo } from '../../../helpers/engine.js';
import { memoryTools } from '../../../helpers/memory-tools.js';

let repo: TestRepo;
let server: Server | undefined;
afterEach(() => {
  repo?.cleanup();
  server?.close();
  server = undefined;
});
const signal = new AbortController().signal;
const createTask = () => buildPlan(repo.config).tasks.find((t) => t.id === 'cluster') as CreateTask;

const KUBELET_TIMEOUT = `ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged e2e-r1-control-plane kubeadm init" failed with error: exit status 1
Command Output: [kubelet-check] The HTTP call equal to 'curl -sSL http://localhost:10248/healthz' failed with error: context deadline exceeded`;

describe('cluster task', () => {
  it('creates the cluster with cluster.waitTimeout (7m → 420 s), then waits for nodes, CoreDNS, namespaces and their ServiceAccounts', async () => {
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools({ kube: { nodeReadyMs: 30 } }));
    const info = await runCreate(createTask(), ctx, signal);
    expect(info).toEqual({ name: 'e2e-r1', kubeconfig: ctx.kubeconfig });
    const create = ctx.tools.log.of('kind', 'create')[0]!.args[0];
    expect(create).toMatchObject({ name: 'e2e-r1', kubeconfig: ctx.kubeconfig, waitMs: 420_000, retain: true });
    expect(ctx.tools.log.of('kube', 'watch').map((c) => c.args[0])).toEqual([
      '/api/v1/nodes',
      '/apis/apps/v1/deployments',
      '/api/v1/serviceaccounts',
    ]);
    // The services' namespaces are created (their ServiceAccounts awaited) after the nodes and CoreDNS are ready.
    const nsFile = ctx.tools.kube.applied[0]!.file;
    expect(readFileSync(nsFile, 'utf8')).toMatch(/name: default[\s\S]*name: k-system|name: k-system[\s\S]*name: default/);
    expect(ctx.tools.kube.collections.get('/api/v1/serviceaccounts')!.has('k-system/default')).toBe(true);
    expect(ctx.state.state.cluster).toEqual({ name: 'e2e-r1', kubeconfig: ctx.kubeconfig });
    expect(ctx.journal.get('cluster')).toMatchObject({ attempts: 1, created: true });
  });

  it('every readiness gate waits cluster.waitTimeout, and says what it waited for', async () => {
    repo = testRepo({ config: configYaml().replace('waitTimeout: 7m', 'waitTimeout: 1s') });
    const ctx = engineContext(repo, memoryTools({ kube: { nodeReadyMs: 60_000 } }));
    const t0 = Date.now();
    await expect(runCreate(createTask(), ctx, signal)).rejects.toThrow('every node was not ready within 1s: 0 of 1 nodes Ready');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(ctx.tools.log.of('kind', 'create')[0]!.args[0]).toMatchObject({ waitMs: 1000 });
  });

  it('CRDs are applied and awaited by name', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec: { group: example.com, names: { kind: Widget, plural: widgets }, scope: Namespaced, versions: [{ name: v1, served: true, storage: true }] }
`;
    repo = testRepo({ files: { 'crds/widget.yaml': crd }, config: configYaml('  crds: [crds/widget.yaml]\n') });
    const ctx = engineContext(repo);
    await runCreate(createTask(), ctx, signal);
    expect(ctx.tools.kube.applied.map((a) => a.file)).toContain(path.join(repo.dir, 'crds/widget.yaml'));
    expect(ctx.tools.log.of('kube', 'waitFor').map((c) => c.args.slice(0, 3))).toEqual([
      ['condition=Established', ['crd/widgets.example.com'], undefined],
    ]);
  });

  it('retries a known transient create failure with a fresh cluster, up to cluster.retries', async () => {
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools({ kind: { createFailures: [KUBELET_TIMEOUT] } }));
    await runCreate(createTask(), ctx, signal);
    expect(ctx.tools.log.calls.filter((c) => c.tool === 'kind').map((c) => c.op)).toEqual(['create', 'delete', 'create']);
    expect(ctx.tools.log.of('kind', 'delete')[0]!.args).toEqual(['e2e-r1', ctx.kubeconfig]);
    expect(ctx.reporter.warnings.join()).toMatch(
      /known transient error \(the kubelet was not healthy in time; attempt 1\); retrying with a fresh cluster/,
    );
    expect(ctx.journal.get('cluster').attempts).toBe(2);
  });

  it('a failure that persists exports kind logs, deletes the cluster and says how often it tried', async () => {
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools({ kind: { createFailures: [KUBELET_TIMEOUT, KUBELET_TIMEOUT, KUBELET_TIMEOUT] } }));
    await expect(runCreate(createTask(), ctx, signal)).rejects.toThrow(
      /kind create cluster failed 3 time\(s\) with a known transient error \(the kubelet was not healthy in time\) \(kind logs: .*kind-create-attempt-3\)/,
    );
    expect(existsSync(path.join(ctx.runDir, 'diagnostics', 'kind-create-attempt-3'))).toBe(true);
    expect(ctx.tools.cluster.clusters.size).toBe(0);
    expect(ctx.journal.get('cluster').created).toBeUndefined();
  });

  it('a host port in use fails before kind runs (hostPorts: keep), and is replaced with a free port (hostPorts: auto)', async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const busy = (server.address() as { port: number }).port;
    const kindYaml = `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n    extraPortMappings: [{ containerPort: 30080, hostPort: ${busy}, listenAddress: 127.0.0.1 }]\n`;
    repo = testRepo({ files: { 'kind.yaml': kindYaml }, config: configYaml('  kindConfig: kind.yaml\n') });
    const ctx = engineContext(repo);
    await expect(runCreate(createTask(), ctx, signal)).rejects.toThrow(
      `host port ${busy} (kind extraPortMappings, containerPort 30080) is already in use`,
    );
    expect(ctx.tools.log.of('kind')).toHaveLength(0);

    repo.cleanup();
    repo = testRepo({ files: { 'kind.yaml': kindYaml }, config: configYaml('  kindConfig: kind.yaml\n  hostPorts: auto\n') });
    const auto = engineContext(repo);
    await runCreate(createTask(), auto, signal);
    const ports = auto.journal.get('cluster').ports!;
    expect(ports).toHaveLength(1);
    expect(ports[0]).toMatchObject({ containerPort: 30080, requested: busy });
    expect(ports[0]!.hostPort).not.toBe(busy);
    const written = parse(readFileSync(path.join(auto.runDir, 'kind-config.yaml'), 'utf8')) as {
      nodes: Array<{ extraPortMappings: Array<{ hostPort: number }> }>;
    };
    expect(written.nodes[0]!.extraPortMappings[0]!.hostPort).toBe(ports[0]!.hostPort);
    // The user's kind config is never modified.
    expect(readFileSync(path.join(repo.dir, 'kind.yaml'), 'utf8')).toBe(kindYaml);
  });

  it("a permanent failure is not retried, and keeps kind's own last lines", async () => {
    const PREFLIGHT = `ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged e2e-r1-control-plane kubeadm init" failed with error: exit status 1
Command Output: [preflight] Some fatal errors occurred:
	[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2
error execution phase preflight: [preflight] Some fatal errors occurred`;
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools({ kind: { createFailures: [PREFLIGHT, PREFLIGHT, PREFLIGHT] } }));
    const err = await runCreate(createTask(), ctx, signal).catch((e: unknown) => e);
    expect(ctx.tools.log.of('kind', 'create')).toHaveLength(1);
    expect((err as Error).message).toMatch(
      /^kind create cluster failed: kubeadm preflight checks failed \(kind logs: .*\): kind create cluster exited with 1:/,
    );
    expect((err as Error).message).toContain('[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2');
  });

  it('with hostPorts: auto, a port taken between the pick and kind create (another run) is picked again, not fatal', async () => {
    const kindYaml = `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n    extraPortMappings: [{ containerPort: 30080, hostPort: 8080, listenAddress: 127.0.0.1 }]\n`;
    repo = testRepo({ files: { 'kind.yaml': kindYaml }, config: configYaml('  kindConfig: kind.yaml\n  hostPorts: auto\n  retries: 0\n') });
    const taken =
      'ERROR: failed to create cluster: command "docker run ..." failed with error: exit status 125\nCommand Output: docker: Error response from daemon: Bind for 127.0.0.1:41000 failed: port is already allocated.';
    const ctx = engineContext(repo, memoryTools({ kind: { createFailures: [taken, taken] } }));
    const reporter = captureReporter();
    ctx.reporter = reporter;
    await runCreate(createTask(), ctx, signal);
    // two re-picks, then a create that succeeds; cluster.retries (0) is not spent on them
    expect(ctx.tools.log.of('kind', 'create')).toHaveLength(3);
    expect(reporter.lines.filter((l) => l.includes('picked free ports again'))).toHaveLength(2);
    const written = parse(readFileSync(path.join(ctx.runDir, 'kind-config.yaml'), 'utf8')) as {
      nodes: Array<{ extraPortMappings: Array<{ hostPort: number }> }>;
    };
    expect(written.nodes[0]!.extraPortMappings[0]!.hostPort).toBe(ctx.journal.get('cluster').ports![0]!.hostPort);
  });

  it('an occupied host port reported by kind is explained, with the setting that avoids it', async () => {
    repo = testRepo();
    const ctx = engineContext(
      repo,
      memoryTools({
        kind: { createFailures: ['ERROR: failed to create cluster: Bind for 0.0.0.0:8080 failed: port is already allocated'] },
      }),
    );
    await expect(runCreate(createTask(), ctx, signal)).rejects.toThrow(
      /a host port of the kind config is already in use.*cluster.hostPorts: auto/,
    );
  });
});
