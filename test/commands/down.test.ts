import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStart } from '../../src/adapters/process.js';
import { down, downStale, runDirFrom } from '../../src/commands/down.js';
import { UserError } from '../../src/core/errors.js';
import { listRuns, registryDir, RunStateFile, type RunState } from '../../src/core/engine/run-state.js';
import { captureReporter } from '../helpers/engine.js';
import { recorders, type Recorders } from '../helpers/recorder.js';

let rec: Recorders;
afterEach(() => rec?.cleanup());

/** A pid that no process has any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

/** A run recorded in the registry and its run dir, as `up` leaves it. */
function recordRun(state: Partial<RunState> & { runId: string }): RunState {
  const runDir = mkdtempSync(path.join(os.tmpdir(), `hybrid-e2e-down-${state.runId}-`));
  const full: RunState = { runDir, pid: deadPid(), images: [], ...state };
  new RunStateFile(full, process.env);
  return full;
}
const registered = () => listRuns(process.env).map((r) => r.runId);

describe('down', () => {
  it('deletes the cluster (on the run kubeconfig) and the image tags through the builder adapter (docker: rm --force), then the run dir and the record', async () => {
    rec = recorders();
    const docker = rec.add('docker');
    rec.add('kind');
    const r = recordRun({
      runId: 'd1',
      provider: 'docker',
      engineBinary: docker,
      cluster: { name: 'e2e-d1', kubeconfig: '/run/kubeconfig' },
      images: ['a:e2e-d1-1', 'b:e2e-d1-2'],
    });
    const res = await down({ runDir: r.runDir, env: rec.env, reporter: captureReporter() });
    expect(res.problems).toEqual([]);
    expect(rec.calls().map((c) => [c.tool, c.argv])).toEqual([
      ['kind', ['delete', 'cluster', '--name', 'e2e-d1', '--kubeconfig', '/run/kubeconfig']],
      ['docker', ['image', 'rm', '--force', 'a:e2e-d1-1', 'b:e2e-d1-2']],
    ]);
    expect(existsSync(r.runDir)).toBe(false);
    expect(registered()).not.toContain('d1');
  });

  it('podman runs: kind with the podman provider, podman rmi --ignore (no --force: it would remove containers)', async () => {
    rec = recorders();
    const podman = rec.add('podman');
    rec.add('kind');
    const r = recordRun({
      runId: 'd2',
      provider: 'podman',
      engineBinary: podman,
      cluster: { name: 'e2e-d2', kubeconfig: '/k' },
      images: ['a:t'],
    });
    await down({ runDir: r.runDir, env: rec.env, reporter: captureReporter() });
    expect(rec.calls().map((c) => [c.tool, c.argv, c.env.KIND_EXPERIMENTAL_PROVIDER])).toEqual([
      ['kind', ['delete', 'cluster', '--name', 'e2e-d2', '--kubeconfig', '/k'], 'podman'],
      ['podman', ['rmi', '--ignore', 'a:t'], null],
    ]);
  });

  it('a step that fails keeps the record of what is left; down again finishes', async () => {
    rec = recorders();
    const docker = rec.add('docker');
    const r = recordRun({
      runId: 'd3',
      provider: 'docker',
      engineBinary: docker,
      cluster: { name: 'e2e-d3', kubeconfig: '/k' },
      images: ['a:e2e-d3-1'],
    });
    // kind is not installed: the cluster stays; the image tags go.
    const first = await down({ runDir: r.runDir, env: rec.env, reporter: captureReporter() });
    expect(first.problems).toEqual([expect.stringMatching(/^could not delete cluster e2e-d3: kind: command not found on PATH/)]);
    expect(first.left).toEqual(['cluster e2e-d3']);
    expect(existsSync(path.join(r.runDir, 'state.json'))).toBe(true);
    const kept = listRuns(process.env).find((x) => x.runId === 'd3')!;
    expect(kept.cluster).toEqual({ name: 'e2e-d3', kubeconfig: '/k' });
    expect(kept.images).toEqual([]);
    // With kind back, a second down finishes: only the cluster is left to delete.
    rec.add('kind');
    const second = await down({ runDir: r.runDir, env: rec.env, reporter: captureReporter() });
    expect(second.problems).toEqual([]);
    expect(rec.calls().filter((c) => c.tool === 'docker')).toHaveLength(1);
    expect(existsSync(r.runDir)).toBe(false);
    expect(registered()).not.toContain('d3');
  });

  it('without arguments: every run of the config whose process is gone, and never a live one', async () => {
    rec = recorders();
    const docker = rec.add('docker');
    rec.add('kind');
    const config = '/repo/hybrid-e2e.yaml';
    const a = recordRun({
      runId: 'k1',
      config,
      provider: 'docker',
      engineBinary: docker,
      cluster: { name: 'e2e-k1', kubeconfig: '/k1' },
      images: ['x:e2e-k1-1'],
    });
    const b = recordRun({ runId: 'k2', config, provider: 'docker', engineBinary: docker, images: ['x:e2e-k2-1'] });
    const live = recordRun({
      runId: 'k3',
      config,
      pid: process.ppid,
      ...(processStart(process.ppid) ? { pidStart: processStart(process.ppid)! } : {}),
    });
    const other = recordRun({ runId: 'k4', config: '/elsewhere/hybrid-e2e.yaml' });
    const reporter = captureReporter();
    const r = await downStale({ config, env: rec.env, reporter });
    expect(r.removed.sort()).toEqual(['k1', 'k2']);
    expect(r.live).toEqual(['k3']);
    expect(reporter.lines.join('\n')).toMatch(/run k3 is still running \(pid \d+\): left alone/);
    expect([a.runDir, b.runDir].map(existsSync)).toEqual([false, false]);
    expect(registered()).toEqual(expect.arrayContaining(['k3', 'k4']));
    expect(registered()).not.toContain('k1');
    // --all: every stale run on the machine.
    const all = await downStale({ env: rec.env, reporter: captureReporter() });
    expect(all.removed).toEqual(['k4']);
    expect(existsSync(other.runDir)).toBe(false);
    expect(existsSync(live.runDir)).toBe(true);
  });

  it('a run killed before it detected a builder is removed too (it created nothing but its run dir)', async () => {
    const r = recordRun({ runId: 'k5' });
    const res = await down({ runDir: r.runDir, env: process.env, reporter: captureReporter() });
    expect(res.problems).toEqual([]);
    expect(existsSync(r.runDir)).toBe(false);
  });

  it('finds the run directory from --run-dir or a results file; none means every stale run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-down-'));
    const results = path.join(dir, 'r.json');
    writeFileSync(results, JSON.stringify({ runDir: '/tmp/hybrid-e2e-x' }));
    expect(runDirFrom({ results: 'r.json' }, dir)).toBe('/tmp/hybrid-e2e-x');
    expect(runDirFrom({ runDir: 'rel' }, dir)).toBe(path.join(dir, 'rel'));
    expect(runDirFrom({}, dir)).toBeUndefined();
    writeFileSync(results, '{}');
    expect(() => runDirFrom({ results: 'r.json' }, dir)).toThrow(UserError);
  });

  it('the registry lives under XDG_STATE_HOME (the test setup points it at a temp dir)', () => {
    expect(registryDir(process.env)).toBe(path.join(process.env.XDG_STATE_HOME!, 'hybrid-e2e', 'runs'));
    expect(readdirSync(path.dirname(registryDir(process.env)))).toContain('runs');
  });
});
