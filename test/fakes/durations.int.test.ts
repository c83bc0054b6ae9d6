// Modelled durations: the fakes really sleep, per op and per target, and readiness is time-based.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakeEnv, writeImageArchive, type CallRecord, type FakeEnv } from '../helpers/fakes.js';

const envs: FakeEnv[] = [];
function env(opts: Parameters<typeof createFakeEnv>[0]): FakeEnv {
  const f = createFakeEnv(opts);
  envs.push(f);
  return f;
}
afterAll(() => envs.forEach((f) => f.cleanup()));

const took = (c: CallRecord | undefined) => (c ? c.endMs - c.startMs : NaN);

function deployment(name: string, image: string, ns = 'default'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: ${name}, image: "${image}", imagePullPolicy: IfNotPresent}]
`;
}

describe.concurrent('durations', () => {
  it('create and load take the modelled time, with per-target overrides', async () => {
    const f = env({ createMs: 800, durations: { 'create:quick': 0, 'load:localhost/dur/slow': 600 } });
    await Promise.all([f.run('kind', ['create', 'cluster', '--name', 'slow']), f.run('kind', ['create', 'cluster', '--name', 'quick'])]);
    const creates = f.calls().filter((c) => c.op === 'kind:create-cluster');
    const slow = creates.find((c) => c.cluster === 'slow');
    const quick = creates.find((c) => c.cluster === 'quick');
    expect(slow?.exitCode).toBe(0);
    expect(quick?.exitCode).toBe(0);
    expect(took(slow)).toBeGreaterThanOrEqual(800);
    expect(took(quick)).toBeLessThan(400);
    // readiness stamps: the slow cluster became ready at least 800 ms after its create started
    const st = f.cluster('slow');
    expect((st?.readyMs ?? 0) - (st?.createStartMs ?? 0)).toBeGreaterThanOrEqual(800);

    const slowTar = path.join(f.stateDir, 'slow.tar');
    const fastTar = path.join(f.stateDir, 'fast.tar');
    await writeImageArchive(slowTar, ['localhost/dur/slow:1']);
    await writeImageArchive(fastTar, ['localhost/dur/fast:1']);
    await Promise.all([
      f.run('kind', ['load', 'image-archive', slowTar, '--name', 'quick']),
      f.run('kind', ['load', 'image-archive', fastTar, '--name', 'quick']),
    ]);
    const loads = f.calls().filter((c) => c.op === 'kind:load-image-archive');
    const ls = loads.find((c) => c.argv.includes(slowTar));
    const lf = loads.find((c) => c.argv.includes(fastTar));
    expect(ls?.exitCode).toBe(0);
    expect(took(ls)).toBeGreaterThanOrEqual(600);
    expect(took(lf)).toBeLessThan(300);
  });

  it('rollout status blocks until the pods are ready (relative to the apply), or times out', async () => {
    const f = env({ rolloutMs: 1500, durations: { 'rollout:deployment/slow': 60_000 } });
    const kc = path.join(f.stateDir, 'kc');
    expect((await f.run('kind', ['create', 'cluster', '--name', 'r', '--kubeconfig', kc])).exitCode).toBe(0);
    const tar = path.join(f.stateDir, 'img.tar');
    await writeImageArchive(tar, ['localhost/dur/app:1']);
    expect((await f.run('kind', ['load', 'image-archive', tar, '--name', 'r'])).exitCode).toBe(0);
    const m = path.join(f.stateDir, 'm.yaml');
    fs.writeFileSync(m, `${deployment('fast', 'localhost/dur/app:1')}---\n${deployment('slow', 'localhost/dur/app:1')}`);
    const k = (args: string[]) => f.run('kubectl', ['--kubeconfig', kc, ...args]);
    const timed = async (args: string[]) => {
      const startMs = Date.now();
      const r = await k(args);
      return { ...r, startMs, endMs: Date.now() };
    };
    expect((await k(['apply', '-f', m])).exitCode).toBe(0);

    const [fast, slowTimeout, slowOnce, waitSlow] = await Promise.all([
      timed(['rollout', 'status', 'deployment/fast', '--timeout=20s']),
      timed(['rollout', 'status', 'deployment/slow', '--timeout=300ms']),
      k(['rollout', 'status', 'deploy/slow', '-w=false']),
      k(['wait', '--for=condition=Available', 'deployment/slow', '--timeout=200ms']),
    ]);
    expect(fast.exitCode).toBe(0);
    expect(fast.stdout).toContain('Waiting for deployment "fast" rollout to finish: 0 of 1 updated replicas are available...\n');
    expect(fast.stdout.endsWith('deployment "fast" successfully rolled out\n')).toBe(true);
    const objs = Object.values(f.cluster('r')?.objects ?? {});
    const fastObj = objs.find((o) => o.obj.metadata.name === 'fast');
    expect(fast.endMs).toBeGreaterThanOrEqual((fastObj?.templateMs ?? Infinity) + 1500);

    expect(slowTimeout.exitCode).toBe(1);
    expect(slowTimeout.stderr).toBe('error: timed out waiting for the condition\n');
    expect(slowTimeout.endMs - slowTimeout.startMs).toBeGreaterThanOrEqual(300);
    expect(slowOnce.exitCode).toBe(0);
    expect(slowOnce.stdout).toBe('Waiting for deployment "slow" rollout to finish: 0 of 1 updated replicas are available...\n');
    expect(waitSlow.exitCode).toBe(1);
    expect(waitSlow.stderr).toBe('error: timed out waiting for the condition on deployments/slow\n');

    // re-applying the same manifest does not restart the rollout; a new template does
    const again = await k(['apply', '-f', m]);
    expect(again.stdout).toBe('deployment.apps/fast unchanged\ndeployment.apps/slow unchanged\n');
    expect((await k(['rollout', 'status', 'deployment/fast', '-w=false'])).stdout).toBe('deployment "fast" successfully rolled out\n');
    fs.writeFileSync(m, deployment('fast', 'localhost/dur/app:2'));
    await writeImageArchive(tar, ['localhost/dur/app:2']);
    expect((await f.run('kind', ['load', 'image-archive', tar, '--name', 'r'])).exitCode).toBe(0);
    expect((await k(['apply', '-f', m])).stdout).toBe('deployment.apps/fast configured\n');
    expect((await k(['rollout', 'status', 'deployment/fast', '-w=false'])).stdout).toMatch(
      /^Waiting for deployment "fast" rollout to finish/,
    );
  });

  it('models node, CoreDNS and default ServiceAccount readiness after create', async () => {
    const f = env({ nodeReadyMs: 500, corednsReadyMs: 300, saDelayMs: 400 });
    const kc = path.join(f.stateDir, 'kc');
    expect((await f.run('kind', ['create', 'cluster', '--name', 'n', '--kubeconfig', kc])).exitCode).toBe(0);
    const k = (args: string[], input?: string) => f.run('kubectl', ['--kubeconfig', kc, ...args], input === undefined ? {} : { input });
    const timed = async (args: string[]) => {
      const r = await k(args);
      return { ...r, endMs: Date.now() };
    };
    // (`kubectl create namespace` sends protobuf, which the emulator does not decode: apply sends JSON)
    const [nodesNow, ns] = await Promise.all([
      k(['get', 'nodes', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}']),
      k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n'),
    ]);
    const c = f.cluster('n');
    if (Date.now() < (c?.nodesReadyMs ?? 0)) expect(nodesNow.stdout).toBe('False');
    expect(ns.stdout).toBe('namespace/app created\n');
    const [waitNodes, dns, sa] = await Promise.all([
      timed(['wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=10s']),
      timed(['-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=10s']),
      timed(['wait', '--for=create', 'serviceaccount/default', '-n', 'app', '--timeout=10s']),
    ]);
    expect(waitNodes.stdout).toBe('node/n-control-plane condition met\n');
    expect(dns.stdout.endsWith('deployment "coredns" successfully rolled out\n')).toBe(true);
    expect(sa.stdout).toBe('serviceaccount/default condition met\n');
    expect(dns.endMs).toBeGreaterThanOrEqual((c?.nodesReadyMs ?? Infinity) + 300);
    expect(waitNodes.endMs).toBeGreaterThanOrEqual(c?.nodesReadyMs ?? Infinity);
    const nsObj = Object.values(f.cluster('n')?.objects ?? {}).find((o) => o.obj.kind === 'Namespace' && o.obj.metadata.name === 'app');
    expect(sa.endMs).toBeGreaterThanOrEqual((nsObj?.createdMs ?? Infinity) + 400);
  });
});
