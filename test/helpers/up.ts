import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FakeEnv, FakeKnobs } from './fakes.js';
import { cli } from './cli.js';
import type { Results } from '../../src/core/engine/results.js';

/** Modelled durations short enough for tests, long enough to keep the phases distinct. */
export const FAST: FakeKnobs = {
  createMs: 150,
  loadMs: 60,
  applyMs: 20,
  rolloutMs: 150,
  endpointsDelayMs: 50,
  nodeReadyMs: 50,
  saDelayMs: 20,
  pollMs: 50,
};

/** Environment for running `up` against the fakes: fast polling, no network in RUN steps, temp files in the fake's dir. */
export function upEnv(fake: FakeEnv, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(fake.env as Record<string, string>),

    HYBRID_E2E_BUILD_NETWORK: 'none',
    HYBRID_E2E_TMPDIR: fake.stateDir,
    ...extra,
  };
}

/** `hybrid-e2e up` in-process on an example copy; returns the CLI result and the parsed results file. */
export async function upInProcess(
  ex: { dir: string; config: string },
  fake: FakeEnv,
  args: string[] = [],
  extraEnv: Record<string, string> = {},
) {
  const results = path.join(fake.stateDir, `results-${Math.random().toString(36).slice(2)}.json`);
  const r = await cli(['up', '--config', ex.config, '--results', results, '--cache', 'none', ...args], {
    cwd: ex.dir,
    env: upEnv(fake, extraEnv),
  });
  return { ...r, results: existsSync(results) ? (JSON.parse(readFileSync(results, 'utf8')) as Results) : undefined };
}
