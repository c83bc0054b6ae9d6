import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processStart } from '../../src/adapters/process.js';
import { dirBytes, localTime, runs, runsText, type RunsReport } from '../../src/commands/runs.js';
import { RunStateFile, type RunState } from '../../src/core/engine/run-state.js';
import { cli } from '../helpers/cli.js';
import { CallLog, MemoryBuilder } from '../helpers/memory-tools.js';

const labels = (hash: string, run: string) => ({ 'io.hybrid-e2e.inputs': hash, 'io.hybrid-e2e.run': run });

let home: string;
let env: Record<string, string | undefined>;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-runs-'));
  env = { XDG_STATE_HOME: path.join(home, 'state') };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function record(s: Partial<RunState> & { runId: string }): RunState {
  const runDir = path.join(home, 'tmp', `hybrid-e2e-${s.runId}`);
  mkdirSync(runDir, { recursive: true });
  const full: RunState = { runDir, pid: 2 ** 22 + 1, images: [], ...s };
  new RunStateFile(full, { ...process.env, ...env });
  return full;
}

/** Two runs of one config: one still going (the test runner's parent), one killed during its deploys; a podman run. */
function threeRuns(): { live: RunState; stale: RunState; podman: RunState } {
  const start = processStart(process.ppid);
  const live = record({
    runId: 'r-live',
    startedMs: Date.parse('2025-03-01T10:00:00Z'),
    pid: process.ppid,
    ...(start ? { pidStart: start } : {}),
    config: path.join(home, 'repo', 'hybrid-e2e.yaml'),
    provider: 'docker',
    engineBinary: '/usr/bin/docker',
    cluster: { name: 'e2e-r-live', kubeconfig: '/k1' },
    images: ['k/gw:e2e-r-live-1', 'k/ds:e2e-r-live-2'],
  });
  const stale = record({
    runId: 'r-stale',
    startedMs: Date.parse('2025-03-01T09:00:00Z'),
    config: path.join(home, 'repo', 'hybrid-e2e.yaml'),
    provider: 'docker',
    engineBinary: '/usr/bin/docker',
    cluster: { name: 'e2e-r-stale', kubeconfig: '/k2' },
    images: ['k/gw:e2e-r-stale-1'],
  });
  const podman = record({
    runId: 'r-podman',
    startedMs: Date.parse('2025-03-01T11:00:00Z'),
    config: '/elsewhere/hybrid-e2e.yaml',
    provider: 'podman',
    engineBinary: '/usr/bin/podman',
    images: ['k/gw:e2e-r-podman-1'],
  });
  writeFileSync(path.join(stale.runDir, 'gateway.tar'), Buffer.alloc(3000));
  mkdirSync(path.join(stale.runDir, 'diagnostics'));
  writeFileSync(path.join(stale.runDir, 'diagnostics', 'events.txt'), Buffer.alloc(96));
  return { live, stale, podman };
}

/** docker's store: the live run's two images, the stale run's one (sharing its tag with a cache tag), an old cache image. */
const docker = () =>
  new MemoryBuilder(new CallLog(), {
    images: {
      'k/gw:e2e-r-live-1': labels('g1', 'r-live'),
      'k/ds:e2e-r-live-2': labels('d1', 'r-live'),
      'k/gw:e2e-r-stale-1': labels('g0', 'r-stale'),
      'k/gw:cache-g0': labels('g0', 'r-stale'),
      'k/gw:cache-old': labels('g9', 'r-old'),
      'postgres:16': {},
    },
  });

describe('runs', () => {
  it('lists every run of the registry: started, pid alive or gone, cluster, image tags, and the disk its run dir and images use', async () => {
    threeRuns();
    const r = await runs({ env, builders: [docker()] });
    expect(r.registry).toBe(path.join(home, 'state', 'hybrid-e2e', 'runs'));
    expect(r.runs.map((x) => [x.runId, x.alive, x.cluster, x.images.length, x.runDirBytes > 0, x.imageBytes])).toEqual([
      ['r-stale', false, 'e2e-r-stale', 1, true, 1000],
      ['r-live', true, 'e2e-r-live', 2, true, 2000],
      // podman was not asked: its images' size is unknown.
      ['r-podman', false, undefined, 1, true, undefined],
    ]);
    // The run dir holds its state file, the tarball and the diagnostics.
    const stale = r.runs[0]!;
    expect(stale.runDirBytes).toBe(dirBytes(stale.runDir));
    expect(stale.runDirBytes).toBeGreaterThan(3096);
    // The store: four images of ours (postgres is not), two of them used by no live run.
    expect(r.stores).toEqual([{ engine: 'docker', images: 4, bytes: 4000, unused: 2, unusedBytes: 2000 }]);
  });

  it('the table: one row per run, its image tags under it, then what to do about stale runs and unused images', async () => {
    threeRuns();
    const r = await runs({ env, builders: [docker()] });
    const text = runsText(r, path.join(home, 'repo'));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^RUN +STARTED +PID +CLUSTER +RUN DIR +IMAGES +CONFIG$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^r-stale +${localTime(Date.parse('2025-03-01T09:00:00Z'))} +4194305 gone +e2e-r-stale +3\\.\\d KiB +1 tag\\(s\\), 1000 B +\\./hybrid-e2e\\.yaml$`,
      ),
    );
    expect(lines[2]).toBe('    images: k/gw:e2e-r-stale-1');
    expect(lines[3]).toMatch(
      new RegExp(`^r-live +\\S+ \\S+ +${process.ppid} live +e2e-r-live +\\d+ B +2 tag\\(s\\), 2\\.0 KiB +\\./hybrid-e2e\\.yaml$`),
    );
    expect(lines[5]).toMatch(/^r-podman .* gone +- +\d+ B +1 tag\(s\), \? \(engine not reachable\) +\/elsewhere\/hybrid-e2e\.yaml$/);
    expect(text).toContain(
      '\n3 run(s): 1 live, 2 stale — "hybrid-e2e down" removes the stale runs of the config in the current directory, "hybrid-e2e down --all" every stale run\n',
    );
    expect(text).toContain(`registry: ${r.registry}\n`);
    expect(text).toContain(
      'docker: 4 image(s) made by hybrid-e2e, 3.9 KiB; 2 of them (2.0 KiB) used by no live run — "hybrid-e2e prune" removes them\n',
    );
  });

  it('an empty registry says where it looks', () => {
    const r: RunsReport = { registry: '/x/runs', runs: [], stores: [], problems: ['podman: could not list its images: boom'] };
    expect(runsText(r, '/')).toBe('no runs recorded (registry: /x/runs)\nwarning: podman: could not list its images: boom\n');
  });

  it('hybrid-e2e runs --json: the same report, machine-readable (no engine on this PATH: image sizes unknown)', async () => {
    const { live } = threeRuns();
    const r = await cli(['runs', '--json'], { env, cwd: home });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as RunsReport;
    expect(j.runs.map((x) => x.runId)).toEqual(['r-stale', 'r-live', 'r-podman']);
    expect(j.runs[1]).toMatchObject({
      runId: 'r-live',
      runDir: live.runDir,
      config: live.config,
      startedMs: live.startedMs,
      pid: process.ppid,
      alive: true,
      cluster: 'e2e-r-live',
      kubeconfig: '/k1',
      images: live.images,
      engine: 'docker',
    });
    expect(j.runs[1]!.imageBytes).toBeUndefined();
    expect(j.stores).toEqual([]);
    // Without --json: the table.
    const t = await cli(['runs'], { env, cwd: home });
    expect(t.stdout).toMatch(/^RUN +STARTED/);
    // Asked for an engine that is not there: a warning, still exit 0.
    const p = await cli(['runs', '--engine', 'podman'], { env, cwd: home });
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/\nwarning: engine podman is not usable: podman was not found on PATH/);
  });
});
