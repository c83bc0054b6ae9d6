import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan, type CreateTask } from '../../../../src/core/plan/graph.js';
import { runCreate } from '../../../../src/core/engine/tasks/cluster.js';
import { configYaml, engineContext, testRepo, type TestRepo } from '../../../helpers/engine.js';
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
  it('creates the cluster with cluster.waitTimeout (7m → 420 s) and uses the same timeout for every readiness gate', async () => {
    repo = testRepo();
    const ctx = engineContext(repo);
    const info = await runCreate(createTask(), ctx, signal);
    expect(info).toEqual({ name: 'e2e-r1', kubeconfig: ctx.kubeconfig });
    const create = ctx.tools.log.of('kind', 'create')[0]!.args[0];
    expect(create).toMatchObject({ name: 'e2e-r1', kubeconfig: ctx.kubeconfig, waitMs: 420_000, retain: true });
    expect(ctx.tools.log.of('kube', 'rolloutStatus')[0]!.args).toEqual(['deployment/coredns', 'kube-system', 420_000]);
    // The services' namespaces are created, and each one's default ServiceAccount awaited.
    const nsFile = ctx.tools.kube.applied[0]!.file;
    expect(readFileSync(nsFile, 'utf8')).toMatch(/name: default[\s\S]*name: k-system|name: k-system[\s\S]*name: default/);
    expect(
      ctx.tools.log
        .of('kube', 'serviceAccountExists')
        .map((c) => c.args[1])
        .sort(),
    ).toEqual(['default', 'k-system']);
    expect(ctx.state.state.cluster).toEqual({ name: 'e2e-r1', kubeconfig: ctx.kubeconfig });
    expect(ctx.journal.get('cluster')).toMatchObject({ attempts: 1, created: true });
  });

  it('retries a known transient create failure with a fresh cluster, up to cluster.retries', async () => {
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools({ kind: { createFailures: [KUBELET_TIMEOUT] } }));
    await runCreate(createTask(), ctx, signal);
    expect(ctx.tools.log.calls.filter((c) => c.tool === 'kind').map((c) => c.op)).toEqual(['create', 'delete', 'create']);
    expect(ctx.tools.log.of('kind', 'delete')[0]!.args).toEqual(['e2e-r1', ctx.kubeconfig]);
    expect(ctx.reporter.warnings.join()).toMatch(/known transient error \(attempt 1\); retrying with a fresh cluster/);
    expect(ctx.journal.get('cluster').attempts).toBe(2);
  });

  it('a failure that persists exports kind logs, deletes the cluster and says how often it tried', async () => {
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools({ kind: { createFailures: [KUBELET_TIMEOUT, KUBELET_TIMEOUT, KUBELET_TIMEOUT] } }));
    await expect(runCreate(createTask(), ctx, signal)).rejects.toThrow(
      /kind create cluster failed 3 time\(s\) with a known transient error \(kind logs: .*kind-create-attempt-3\)/,
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
