import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/core/plan/graph.js';
import { runUp, type UpOptions } from '../../../src/core/engine/run-up.js';
import { RunStateFile, type RunState } from '../../../src/core/engine/run-state.js';
import { captureReporter, configYaml, testRepo, type TestRepo } from '../../helpers/engine.js';
import { memoryTools, type MemoryTools } from '../../helpers/memory-tools.js';

let repo: TestRepo;
const runDirs: string[] = [];
afterEach(() => {
  repo?.cleanup();
  while (runDirs.length) rmSync(runDirs.pop()!, { recursive: true, force: true });
});

function options(tools: MemoryTools, over: Partial<UpOptions> = {}, onState?: (s: RunState) => void): UpOptions {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-runup-'));
  runDirs.push(runDir);
  return {
    state: new RunStateFile({ runId: 'r1', runDir, pid: process.pid, images: [] }, process.env, onState),
    plan: buildPlan(repo.config),
    builds: repo.config.builds,
    runId: 'r1',
    runDir,
    tools,
    builderReason: 'memory builder',
    cache: 'none',
    cacheDir: path.join(runDir, 'cache'),
    reporter: captureReporter(),
    buildNetwork: 'none',
    ...over,
  };
}

describe('runUp', () => {
  it('keeps the pattern: no cluster before the last build, loads after the cluster, deploys after their image and dependencies', async () => {
    repo = testRepo();
    const tools = memoryTools({
      builder: { buildMs: { datastorage: 40, gateway: 10 } },
      kind: { createMs: 20, loadMs: 10 },
      kube: { readyMs: { '*': 15 } },
    });
    const r = await runUp(options(tools));
    expect(r.outcome).toBe('success');
    expect(r.errors).toEqual([]);
    const lastBuild = Math.max(...tools.log.of('builder', 'build').map((c) => c.endMs!));
    const create = tools.log.of('kind', 'create')[0]!;
    expect(create.startMs).toBeGreaterThanOrEqual(lastBuild);
    for (const l of tools.log.of('kind', 'load')) expect(l.startMs).toBeGreaterThanOrEqual(r.tasks.find((t) => t.id === 'cluster')!.endMs!);
    const applyOf = (ns: string | undefined, file: string) =>
      tools.log.of('kube', 'apply').find((c) => c.args[1] === ns && String(c.args[0]).endsWith(file))!;
    const readyAt = (id: string) => r.tasks.find((t) => t.id === id)!.endMs!;
    expect(applyOf('k-system', 'datastorage.yaml').startMs).toBeGreaterThanOrEqual(readyAt('deploy:postgresql'));
    expect(applyOf('default', 'gateway.yaml').startMs).toBeGreaterThanOrEqual(readyAt('deploy:datastorage'));
    // One watch per collection for the whole run, whatever the number of services.
    const watched = tools.log.of('kube', 'watch').map((c) => c.args[0]);
    expect(new Set(watched).size).toBe(watched.length);
    // The built image flows from build to load to deploy: the gateway's manifests run exactly the tag built.
    const built = r.tasks.find((t) => t.id === 'build:gateway')!.image!;
    expect(readFileSync(String(applyOf('default', 'gateway.yaml').args[0]), 'utf8')).toContain(`image: ${built}`);
    // Every image the run built or needs is in the cluster.
    expect(tools.cluster.clusters.get('e2e-r1')!.images.sort()).toEqual(
      r.tasks
        .filter((t) => t.phase === 'build')
        .map((t) => t.image)
        .sort(),
    );
    expect(r.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['build', 'success'],
      ['cluster', 'success'],
      ['load', 'success'],
      ['deploy', 'success'],
    ]);
    expect(r.cluster).toMatchObject({ name: 'e2e-r1', start: 'after-builds' });
    expect(existsSync(path.join(r.runDir, 'images'))).toBe(false);
    // The results file names the release that wrote it: package.json's version.
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string };
    expect(r.toolVersion).toBe(pkg.version);
  });

  it('runs every build to completion when one fails, reports each failure, and creates no cluster', async () => {
    repo = testRepo();
    const tools = memoryTools({ builder: { fail: { datastorage: {} }, buildMs: { gateway: 30 } } });
    const r = await runUp(options(tools));
    expect(r.outcome).toBe('failure');
    expect(r.tasks.find((t) => t.id === 'build:gateway')!.outcome).toBe('success');
    expect(r.tasks.find((t) => t.id === 'cluster')!.outcome).toBe('skipped');
    expect(tools.log.of('kind')).toHaveLength(0);
    expect(r.errors).toEqual([expect.stringMatching(/^build:datastorage: build of datastorage failed/)]);
    expect(r.diagnosticsDir).toBeUndefined();
  });

  it('after a deploy failure: diagnostics from the live cluster, then the cluster is deleted (or kept when asked)', async () => {
    repo = testRepo({ config: configYaml().replace('waitTimeout: 90s', 'waitTimeout: 1s') });
    const failing = () =>
      memoryTools({
        kube: {
          neverReady: ['deployment/gateway'],
          pods: [
            {
              kind: 'Pod',
              metadata: { name: 'gateway-1', namespace: 'default', labels: { app: 'gateway' } },
              status: { phase: 'Pending' },
            },
          ],
        },
      });
    const tools = failing();
    const r = await runUp(options(tools));
    expect(r.outcome).toBe('failure');
    expect(r.errors).toEqual([expect.stringMatching(/^deploy:gateway: deployment\/gateway in namespace default was not ready within 1s/)]);
    expect(readFileSync(path.join(r.diagnosticsDir!, 'default_gateway-1.describe.txt'), 'utf8')).toBe('Name: gateway-1\n');
    expect(existsSync(path.join(r.diagnosticsDir!, 'kind-logs'))).toBe(true);
    const del = tools.log.of('kind', 'delete')[0]!;
    expect(del.startMs).toBeGreaterThanOrEqual(tools.log.of('kube', 'podLogs')[0]!.endMs!);
    expect(tools.cluster.clusters.size).toBe(0);
    expect(JSON.parse(readFileSync(path.join(r.runDir, 'state.json'), 'utf8')).cluster).toBeUndefined();

    const keep = failing();
    const k = await runUp(options(keep, { keepClusterOnFailure: true }));
    expect(k.cluster.kept).toBe(true);
    expect(keep.cluster.clusters.has('e2e-r1')).toBe(true);
    expect(JSON.parse(readFileSync(path.join(k.runDir, 'state.json'), 'utf8'))).toMatchObject({
      keepCluster: true,
      cluster: { name: 'e2e-r1' },
    });
  });

  it('cancellation stops the tasks, deletes the cluster and says so', async () => {
    repo = testRepo();
    const tools = memoryTools({ kube: { readyMs: { 'statefulset/postgresql': 10_000 } } });
    const ac = new AbortController();
    const o = options(tools, { signal: ac.signal });
    const run = runUp(o);
    const until = Date.now() + 10_000;
    while (!tools.log.of('kube', 'rolloutStatus').some((c) => c.args[0] === 'statefulset/postgresql') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const r = await run;
    expect(r.outcome).toBe('cancelled');
    expect(r.errors[0]).toBe('cancelled');
    expect(r.tasks.find((t) => t.id === 'deploy:gateway')!.outcome).toBe('cancelled');
    expect(tools.cluster.clusters.size).toBe(0);
  });

  it('records what it creates in the state file as it goes, and tells the caller each time', async () => {
    repo = testRepo();
    const states: string[] = [];
    const r = await runUp(options(memoryTools(), {}, (s) => states.push(JSON.stringify(s))));
    expect(states.length).toBeGreaterThan(2);
    const last = JSON.parse(states.at(-1)!);
    expect(last.images.sort()).toEqual(
      r.tasks
        .filter((t) => t.id.startsWith('build:') && t.image?.includes(':e2e-'))
        .map((t) => t.image)
        .sort(),
    );
    expect(last.cluster).toEqual({ name: 'e2e-r1', kubeconfig: path.join(r.runDir, 'kubeconfig') });
  });
});
