// Baseline stores: the Actions cache one (@actions/cache, cache service v2, emulated) and the directory one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startActionsServices, type ActionsServices } from './actions-services.js';
import {
  baselineKey,
  baselineStoreFor,
  CacheBaselineStore,
  DirBaselineStore,
  type BaselineStore,
} from '../../../src/adapters/github-baseline.js';
import { makeResults } from '../../render/fixtures.js';

let svc: ActionsServices;
let tmp: string;
beforeAll(async () => {
  svc = await startActionsServices();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-baseline-'));
  Object.assign(process.env, {
    ACTIONS_RESULTS_URL: `${svc.url}/`,
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ACTIONS_RUNTIME_TOKEN: svc.runtimeToken(1, 'e2e'),
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: tmp,
    GITHUB_WORKSPACE: tmp,
  });
});
afterAll(async () => {
  await svc.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function roundTrip(make: (unique: string) => BaselineStore) {
  const key = baselineKey('e2e', 'gateway');
  const first = makeResults({ services: ['gateway'], seed: 1, runId: 'main-1' });
  const second = makeResults({ services: ['gateway'], seed: 2, runId: 'main-2' });
  // Nothing yet.
  expect(await make('pr-1').restore(key)).toBeUndefined();
  await make('main-1').save(key, { results: first, sha: 'a'.repeat(40), ref: 'refs/heads/main' });
  // A later run (another unique suffix) restores the newest baseline of the key.
  expect(await make('pr-2').restore(key)).toMatchObject({ results: { runId: 'main-1' }, sha: 'a'.repeat(40), ref: 'refs/heads/main' });
  await make('main-2').save(key, { results: second, sha: 'b'.repeat(40) });
  expect((await make('pr-3').restore(key))?.results.runId).toBe('main-2');
  // Another leg has its own baseline.
  expect(await make('pr-4').restore(baselineKey('e2e', 'datastorage'))).toBeUndefined();
}

describe('baseline stores', () => {
  it('Actions cache (@actions/cache against the emulated cache service): save on main, restore the newest on PRs', async () => {
    await roundTrip((unique) => new CacheBaselineStore(path.join(tmp, 'cache-work'), unique));
    // Two immutable entries, one per save, both under the key prefix.
    expect(svc.caches.filter((c) => c.finalized).map((c) => c.key)).toEqual([
      `${baselineKey('e2e', 'gateway')}-main-1`,
      `${baselineKey('e2e', 'gateway')}-main-2`,
    ]);
  });

  it('directory store', async () => {
    const dir = path.join(tmp, 'dir-store');
    await roundTrip(() => new DirBaselineStore(dir));
  });

  it('keys are safe and distinct per workflow and leg', () => {
    expect(baselineKey('e2e / PR checks', 'gateway,datastorage')).toBe('hybrid-e2e-baseline-v1-e2e_PR_checks-gateway_datastorage');
    expect(baselineKey('a', 'b')).not.toBe(baselineKey('a', 'c'));
  });

  it('picks the store from the environment', async () => {
    expect((await baselineStoreFor({ HYBRID_E2E_BASELINE_DIR: tmp }))?.kind).toBe('directory');
    expect((await baselineStoreFor({ ...process.env, HYBRID_E2E_BASELINE_DIR: '' }))?.kind).toBe('actions-cache');
    expect(await baselineStoreFor({})).toBeUndefined();
  });
});
