// `hybrid-e2e down` from the command line: which runs each form removes, and the exit code when something is left.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processStart } from '../../src/adapters/process.js';
import { listRuns, RunStateFile, type RunState } from '../../src/core/engine/run-state.js';
import { cli } from '../helpers/cli.js';
import { recorders, type Recorders } from '../helpers/recorder.js';

let home: string;
let repo: string;
let env: Record<string, string | undefined>;
let rec: Recorders | undefined;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-down-cli-'));
  repo = path.join(home, 'repo');
  mkdirSync(repo);
  writeFileSync(path.join(repo, 'hybrid-e2e.yaml'), 'version: 1\nservices: {}\n');
  writeFileSync(path.join(repo, 'other.yaml'), 'version: 1\nservices: {}\n');
  env = { XDG_STATE_HOME: path.join(home, 'state'), XDG_CACHE_HOME: path.join(home, 'cache') };
});
afterEach(() => {
  rec?.cleanup();
  rec = undefined;
  rmSync(home, { recursive: true, force: true });
});

function record(s: Partial<RunState> & { runId: string }): RunState {
  const runDir = path.join(home, 'tmp', `hybrid-e2e-${s.runId}`);
  mkdirSync(runDir, { recursive: true });
  const full: RunState = { runDir, pid: 2 ** 22 + 1, images: [], ...s };
  new RunStateFile(full, { ...process.env, ...env });
  return full;
}
const live = (): Partial<RunState> => {
  const start = processStart(process.ppid);
  return { pid: process.ppid, ...(start ? { pidStart: start } : {}) };
};
const registered = () =>
  listRuns({ ...process.env, ...env })
    .map((r) => r.runId)
    .sort();
const down = (args: string[]) => cli(['down', ...args], { env, cwd: repo });

describe('hybrid-e2e down', () => {
  it('without arguments: every stale run of ./hybrid-e2e.yaml; a live run and other configs are left alone', async () => {
    const a = record({ runId: 'a', config: path.join(repo, 'hybrid-e2e.yaml') });
    const b = record({ runId: 'b', config: path.join(repo, 'hybrid-e2e.yaml') });
    record({ runId: 'c', config: path.join(repo, 'hybrid-e2e.yaml'), ...live() });
    record({ runId: 'd', config: path.join(repo, 'other.yaml') });
    const r = await down([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/down a: removed run directory /);
    expect(r.stderr).toMatch(/down: run c is still running \(pid \d+\): left alone/);
    expect([a.runDir, b.runDir].map(existsSync)).toEqual([false, false]);
    expect(registered()).toEqual(['c', 'd']);
    // --config names another config (relative to the current directory).
    expect((await down(['--config', 'other.yaml'])).code).toBe(0);
    expect(registered()).toEqual(['c']);
    // Nothing left to do is no error.
    const again = await down(['--config', 'other.yaml']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`down: no runs of ${path.join(repo, 'other.yaml')} to remove`);
  });

  it('--all: every stale run on the machine, whatever its config', async () => {
    record({ runId: 'a', config: path.join(repo, 'hybrid-e2e.yaml') });
    record({ runId: 'b', config: '/elsewhere/hybrid-e2e.yaml' });
    record({ runId: 'c', ...live() });
    const r = await down(['--all']);
    expect(r.code).toBe(0);
    expect(registered()).toEqual(['c']);
  });

  it('--run-dir and --results still remove one run, live or not', async () => {
    const a = record({ runId: 'a', config: '/elsewhere/x.yaml' });
    const b = record({ runId: 'b' });
    expect((await down(['--run-dir', a.runDir])).code).toBe(0);
    writeFileSync(path.join(home, 'results.json'), JSON.stringify({ runDir: b.runDir }));
    expect((await down(['--results', path.join(home, 'results.json')])).code).toBe(0);
    expect(registered()).toEqual([]);
  });

  it('a removal that fails exits 1 and says what is left; the same down again finishes', async () => {
    rec = recorders();
    const docker = rec.add('docker', [{ stderr: 'Error response from daemon: cannot connect\n', exit: 1 }]);
    const run = record({
      runId: 'a',
      config: path.join(repo, 'hybrid-e2e.yaml'),
      provider: 'docker',
      engineBinary: docker,
      images: ['k/gw:e2e-a-1'],
    });
    const first = await down([]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(
      "warning: could not remove the run's image tags (k/gw:e2e-a-1): docker image rm failed: Error response from daemon: cannot connect",
    );
    expect(first.stderr).toContain(
      'down: not everything could be removed; left:\n  a: 1 image tag(s)\nFix the problem above, then run "hybrid-e2e down" again.\n',
    );
    expect(existsSync(run.runDir)).toBe(true);
    expect(registered()).toEqual(['a']);
    rec.add('docker'); // the daemon is back
    const second = await down([]);
    expect(second.code).toBe(0);
    expect(registered()).toEqual([]);
    expect(existsSync(run.runDir)).toBe(false);
  });

  it('a docker binary that is gone is a failure too, never a removal', async () => {
    record({ runId: 'a', provider: 'docker', engineBinary: path.join(home, 'no-such-docker'), images: ['k/gw:e2e-a-1'] });
    const r = await down(['--all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('docker image rm did not run: ENOENT');
    expect(listRuns({ ...process.env, ...env })[0]!.images).toEqual(['k/gw:e2e-a-1']);
  });

  it('usage errors: --all with one run or a config, positional arguments, a --config that does not exist', async () => {
    expect(await down(['--all', '--run-dir', '/x'])).toMatchObject({
      code: 2,
      stderr: 'hybrid-e2e down: --all removes every stale run on this machine; leave out --run-dir, or drop --all.\n',
    });
    expect((await down(['--all', '--config', 'other.yaml'])).stderr).toContain('leave out --config, or drop --all');
    expect((await down(['--config', 'other.yaml', '--results', 'r.json'])).code).toBe(2);
    expect((await down(['run-1'])).stderr).toBe(
      'hybrid-e2e down: down takes no positional arguments (got "run-1"); name a run with --run-dir DIR.\n',
    );
    expect(await down(['--config', 'missing.yaml'])).toMatchObject({
      code: 2,
      stderr: 'hybrid-e2e down: missing.yaml: config file not found.\n',
    });
  });
});
