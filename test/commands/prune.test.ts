import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processStart } from '../../src/adapters/process.js';
import { prune, pruneText } from '../../src/commands/prune.js';
import { RunStateFile, type RunState } from '../../src/core/engine/run-state.js';
import { BuildError } from '../../src/core/errors.js';
import { cli } from '../helpers/cli.js';
import { CallLog, MemoryBuilder } from '../helpers/memory-tools.js';

const INPUTS = 'io.hybrid-e2e.inputs';
const RUN = 'io.hybrid-e2e.run';
const labels = (hash: string, run: string) => ({ [INPUTS]: hash, [RUN]: run });

let home: string;
let env: Record<string, string | undefined>;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-prune-'));
  env = { XDG_STATE_HOME: path.join(home, 'state') };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function record(s: Partial<RunState> & { runId: string }): void {
  new RunStateFile({ runDir: path.join(home, s.runId), pid: 2 ** 22 + 1, images: [], ...s }, { ...process.env, ...env });
}
/** A run whose process is alive (the test runner's parent), and one whose process is gone. */
function liveAndStale(): void {
  const start = processStart(process.ppid);
  record({ runId: 'live', pid: process.ppid, ...(start ? { pidStart: start } : {}), images: ['k/gw:e2e-live-1'] });
  record({ runId: 'stale', images: ['k/gw:e2e-stale-3'] });
}

/** The images of an engine after a few runs (the memory builder makes one image per inputs hash, 1000 bytes each). */
function builder(): MemoryBuilder {
  return new MemoryBuilder(new CallLog(), {
    images: {
      'k/gw:e2e-live-1': labels('h1', 'live'), // the live run's tag
      'k/gw:cache-h1': labels('h1', 'live'), // ...and the cache tag of the same image
      'k/gw:cache-h2': labels('h2', 'gone-long-ago'), // an old cache image
      'k/gw:e2e-stale-3': labels('h3', 'stale'), // a killed run's tag
      'k/gw:cache-h3': labels('h3', 'stale'),
      'k/ds:cache-h4': labels('h4', 'live'), // built by the live run, not recorded yet
      'postgres:16': {}, // not ours
    },
  });
}

describe('prune', () => {
  it('removes every image hybrid-e2e made that no live run uses, by its tags; keeps what a live run recorded or built', async () => {
    liveAndStale();
    const b = builder();
    const r = await prune({ builders: [b], env });
    expect(r.problems).toEqual([]);
    expect(r.removed.map((i) => i.tags)).toEqual([['k/gw:cache-h2'], ['k/gw:e2e-stale-3', 'k/gw:cache-h3']]);
    expect(r.kept.map((i) => [i.tags, i.usedBy])).toEqual([
      [['k/gw:e2e-live-1', 'k/gw:cache-h1'], ['live']],
      [['k/ds:cache-h4'], ['live']],
    ]);
    expect(r.bytes).toBe(2000);
    expect([...b.images.keys()].sort()).toEqual(['k/ds:cache-h4', 'k/gw:cache-h1', 'k/gw:e2e-live-1', 'postgres:16']);
    expect(pruneText(r)).toBe(
      [
        'removed k/gw:cache-h2 (docker, 1000 B)',
        'removed k/gw:e2e-stale-3 k/gw:cache-h3 (docker, 1000 B)',
        'kept k/gw:e2e-live-1 k/gw:cache-h1 (docker): used by live run live',
        'kept k/ds:cache-h4 (docker): used by live run live',
        'removed 2 image(s), 2.0 KiB freed (image sizes as the engine reports them: layers that images still present share stay)',
      ].join('\n') + '\n',
    );
    // Once more: nothing left to remove.
    const again = await prune({ builders: [b], env });
    expect(again.removed).toEqual([]);
    expect(pruneText(again)).toContain('nothing to remove: every image hybrid-e2e made is used by a live run');
  });

  it('--dry-run lists the same images and removes nothing', async () => {
    liveAndStale();
    const b = builder();
    const r = await prune({ builders: [b], env, dryRun: true });
    expect(r.removed.map((i) => i.tags[0])).toEqual(['k/gw:cache-h2', 'k/gw:e2e-stale-3']);
    expect(r.bytes).toBe(2000);
    expect(b.images.size).toBe(7);
    expect(pruneText(r)).toMatch(/^would remove k\/gw:cache-h2 \(docker, 1000 B\)\n(.*\n)*would remove 2 image\(s\), 2\.0 KiB \(/);
  });

  it('with no run alive every image hybrid-e2e made goes, and only those', async () => {
    record({ runId: 'stale', images: ['k/gw:e2e-stale-3'] });
    const b = builder();
    const r = await prune({ builders: [b], env });
    expect(r.removed).toHaveLength(4);
    expect([...b.images.keys()]).toEqual(['postgres:16']);
  });

  it('a removal that fails is a problem naming what is left; what did go is still reported', async () => {
    const b = builder();
    b.removeImages = async () => {
      // The engine removes two tags, then fails: h2 is gone, h1 lost one of its two tags but is still there.
      b.images.delete('k/gw:cache-h2');
      b.images.delete('k/gw:e2e-live-1');
      throw new BuildError('docker image rm failed: conflict: unable to remove repository reference', { logTail: [] });
    };
    const r = await prune({ builders: [b], env });
    expect(r.removed.map((i) => i.tags)).toEqual([['k/gw:cache-h2']]);
    expect(r.bytes).toBe(1000);
    expect(r.problems).toEqual([
      'docker: could not remove k/gw:cache-h1, k/gw:e2e-stale-3, k/ds:cache-h4: docker image rm failed: conflict: unable to remove repository reference',
    ]);
  });

  it('the CLI without any engine says so and exits 1', async () => {
    const r = await cli(['prune'], { env: { ...env, XDG_CACHE_HOME: path.join(home, 'cache') } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^hybrid-e2e prune: no image engine answers:\n {2}engine docker is not usable: .*\n {2}engine podman is not usable: /,
    );
    expect((await cli(['prune', '--engine', 'nope'], { env })).stderr).toBe(
      'hybrid-e2e prune: --engine "nope": use one of auto, docker, podman.\n',
    );
  });
});
