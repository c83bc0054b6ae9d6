// The local cache backend carried between runs by the Actions cache: @actions/cache against the emulated cache service.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCacheKey, restoreLocalCache, saveLocalCache } from '../../src/commands/local-cache.js';
import { startActionsServices, type ActionsServices } from '../adapters/github/actions-services.js';

let svc: ActionsServices;
let tmp: string;
let env: Record<string, string | undefined>;
const saved = { ...process.env };
const log = { lines: [] as string[], info: (l: string) => log.lines.push(l), warning: (l: string) => log.lines.push(`warning: ${l}`) };

beforeAll(async () => {
  svc = await startActionsServices();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-localcache-'));
  // @actions/cache reads its service settings from process.env.
  Object.assign(process.env, {
    ACTIONS_RESULTS_URL: `${svc.url}/`,
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ACTIONS_RUNTIME_TOKEN: svc.runtimeToken(1, 'e2e'),
    RUNNER_TEMP: tmp,
    GITHUB_WORKSPACE: tmp,
  });
  env = { ...process.env };
});
afterAll(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  await svc.close();
  rmSync(tmp, { recursive: true, force: true });
});

const results = (hashes: string[]) => ({
  tasks: hashes.map((h, i) => ({
    id: `build:s${i}`,
    phase: 'build' as const,
    outcome: 'success' as const,
    attempts: 1,
    image: `localhost/s${i}:e2e-run${i}-${h}`,
  })),
});

describe('local layer cache between runs', () => {
  it('is keyed by the build inputs (not the run), whatever the run id', () => {
    const a = results(['0123abcd', '89abcdef']);
    // Other run ids, other order: the same inputs give the same key.
    const b = { tasks: [...a.tasks].reverse().map((t) => ({ ...t, image: t.image.replace(/e2e-run\d/, 'e2e-other') })) };
    expect(localCacheKey(a, 'linux/amd64')).toBe(localCacheKey(b, 'linux/amd64'));
    expect(localCacheKey(results(['0123abcd']), 'linux/amd64')).not.toBe(localCacheKey(results(['0123abce']), 'linux/amd64'));
    expect(localCacheKey(results(['0123abcd']), 'linux/amd64')).toMatch(/^hybrid-e2e-buildkit-local-v1-linux-amd64-[0-9a-f]{32}$/);
  });

  it('round-trips: saved after a run, restored into an empty directory by the next, not saved twice for the same inputs', async () => {
    const first = path.join(tmp, 'hybrid-e2e-cache');
    mkdirSync(path.join(first, 'localhost_k_gateway'), { recursive: true });
    writeFileSync(path.join(first, 'localhost_k_gateway', 'index.json'), '{"layers":1}');
    const key = localCacheKey(results(['0123abcd']), 'linux/amd64');
    expect(await restoreLocalCache(first, 'linux/amd64', env, log)).toBeUndefined();
    expect(await saveLocalCache(first, key, undefined, env, log)).toBe(true);

    // The next run on a fresh runner: the same path (RUNNER_TEMP/hybrid-e2e-cache; the cache version covers it), empty.
    rmSync(first, { recursive: true, force: true });
    const second = first;
    expect(await restoreLocalCache(second, 'linux/amd64', env, log)).toBe(key);
    expect(readFileSync(path.join(second, 'localhost_k_gateway', 'index.json'), 'utf8')).toBe('{"layers":1}');
    // Same inputs: nothing new to save.
    expect(await saveLocalCache(second, key, key, env, log)).toBe(false);
    expect(svc.caches.filter((c) => c.finalized).map((c) => c.key)).toEqual([key]);
  });

  it('does nothing without a cache service', async () => {
    expect(await restoreLocalCache(path.join(tmp, 'x'), 'linux/amd64', {}, log)).toBeUndefined();
    expect(await saveLocalCache(path.join(tmp, 'hybrid-e2e-cache'), 'k', undefined, {}, log)).toBe(false);
  });
});
