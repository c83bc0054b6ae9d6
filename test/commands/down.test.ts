import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { down, runDirFrom } from '../../src/commands/down.js';
import { UserError } from '../../src/core/errors.js';
import { captureReporter } from '../helpers/engine.js';
import { recorders, type Recorders } from '../helpers/recorder.js';

let rec: Recorders;
afterEach(() => rec?.cleanup());

function runDir(state: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-down-'));
  writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ runId: 'r1', runDir: dir, pid: 1, images: [], ...state }));
  return dir;
}

describe('down', () => {
  it('deletes the cluster (on the run kubeconfig) and the image tags through the builder adapter (docker: rm --force), then the run dir', async () => {
    rec = recorders();
    const docker = rec.add('docker');
    rec.add('kind');
    const dir = runDir({
      provider: 'docker',
      engineBinary: docker,
      cluster: { name: 'e2e-r1', kubeconfig: '/run/kubeconfig' },
      images: ['a:e2e-r1-1', 'b:e2e-r1-2'],
    });
    const r = await down({ runDir: dir, env: rec.env, reporter: captureReporter() });
    expect(r.problems).toEqual([]);
    expect(rec.calls().map((c) => [c.tool, c.argv])).toEqual([
      ['kind', ['delete', 'cluster', '--name', 'e2e-r1', '--kubeconfig', '/run/kubeconfig']],
      ['docker', ['image', 'rm', '--force', 'a:e2e-r1-1', 'b:e2e-r1-2']],
    ]);
    expect(existsSync(dir)).toBe(false);
  });

  it('podman runs: kind with the podman provider, podman rmi --ignore (no --force: it would remove containers)', async () => {
    rec = recorders();
    const podman = rec.add('podman');
    rec.add('kind');
    const dir = runDir({ provider: 'podman', engineBinary: podman, cluster: { name: 'e2e-r1', kubeconfig: '/k' }, images: ['a:t'] });
    await down({ runDir: dir, env: rec.env, reporter: captureReporter() });
    expect(rec.calls().map((c) => [c.tool, c.argv, c.env.KIND_EXPERIMENTAL_PROVIDER])).toEqual([
      ['kind', ['delete', 'cluster', '--name', 'e2e-r1', '--kubeconfig', '/k'], 'podman'],
      ['podman', ['rmi', '--ignore', 'a:t'], null],
    ]);
  });

  it('a cluster that cannot be deleted is reported as a problem', async () => {
    rec = recorders();
    const docker = rec.add('docker');
    rec.add('kind', [{ stderr: 'ERROR: failed to delete cluster "e2e-r1": boom\n', exit: 1 }]);
    const dir = runDir({ provider: 'docker', engineBinary: docker, cluster: { name: 'e2e-r1', kubeconfig: '/k' } });
    const r = await down({ runDir: dir, env: rec.env, reporter: captureReporter() });
    expect(r.problems).toEqual([expect.stringMatching(/^could not delete cluster e2e-r1: kind delete cluster exited with 1/)]);
  });

  it('finds the run directory from --run-dir or a results file, and says what it needs otherwise', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-down-'));
    writeFileSync(path.join(dir, 'r.json'), JSON.stringify({ runDir: '/tmp/hybrid-e2e-x' }));
    expect(runDirFrom({ results: 'r.json' }, dir)).toBe('/tmp/hybrid-e2e-x');
    expect(runDirFrom({ runDir: 'rel' }, dir)).toBe(path.join(dir, 'rel'));
    expect(() => runDirFrom({}, dir)).toThrow(UserError);
  });
});
