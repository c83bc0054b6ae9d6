import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { expect } from 'vitest';
import type { FakeEnv } from '../helpers/fakes.js';
import { upEnv as cliEnv } from '../helpers/up.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import type { Results } from '../../src/core/engine/results.js';

export { FAST } from '../helpers/up.js';
export const CLI = path.join(REPO_ROOT, 'dist/cli/index.js');

/** Starts the bundled CLI's `up` as its own process (so signals and leftovers are real). */
export function startUp(
  config: string,
  fake: FakeEnv,
  args: string[] = [],
  extra: Record<string, string> = {},
): { proc: ResultPromise; resultsFile: string } {
  const resultsFile = path.join(fake.stateDir, `results-${Math.random().toString(36).slice(2)}.json`);
  const proc = execa(
    process.execPath,
    [CLI, 'up', '--config', config, '--results', resultsFile, '--cache', 'none', '--engine', 'docker', ...args],
    {
      env: cliEnv(fake, extra),
      extendEnv: false,
      reject: false,
      all: true,
    },
  );
  return { proc, resultsFile };
}

export function readResults(file: string): Results {
  expect(existsSync(file), `results file ${file} was written`).toBe(true);
  return JSON.parse(readFileSync(file, 'utf8')) as Results;
}

export async function down(fake: FakeEnv, runDir: string): Promise<void> {
  const r = await execa(process.execPath, [CLI, 'down', '--run-dir', runDir], { env: cliEnv(fake), extendEnv: false, reject: false });
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
}

/**
 * The leak check after every fault: no cluster left (per the fake's state), no image tagged by this run, no
 * tarball or temp dir of this run, no process of this run alive.
 */
export async function leakCheck(fake: FakeEnv, r: Results): Promise<void> {
  expect(fake.clusters(), 'clusters left').toEqual([]);
  expect(existsSync(r.runDir), `run directory ${r.runDir} left`).toBe(false);
  expect(fake.running(), 'kind/kubectl processes still running').toEqual([]);
  for (const bin of ['docker', 'podman']) {
    const images = await execa(bin, ['images', '--format', '{{.Repository}}:{{.Tag}}'], { reject: false });
    expect(
      String(images.stdout)
        .split('\n')
        .filter((l) => l.includes(`:e2e-${r.runId}-`)),
      `${bin} images tagged by run ${r.runId}`,
    ).toEqual([]);
  }
  const ps = await execa('ps', ['-eo', 'pid,args'], { reject: false });
  expect(
    String(ps.stdout)
      .split('\n')
      .filter((l) => l.includes(r.runId) || l.includes(r.runDir)),
    'processes of this run',
  ).toEqual([]);
}

/** Resolves when the process has printed a line matching `re` (stdout or stderr). */
export function waitForOutput(proc: ResultPromise, re: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${seen}`)), timeoutMs);
    const on = (chunk: Buffer) => {
      seen += chunk.toString();
      if (re.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', on);
  });
}
