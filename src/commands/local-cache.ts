/**
 * The `local` cache backend between runs on GitHub: BuildKit exports the layer cache into a directory, which is worth
 * nothing on an ephemeral runner unless it outlives the job. The action restores the newest saved directory before
 * the builds and, after a successful run, saves it under a key made of the build inputs (the image tags carry their
 * input hash), as docker/build-push-action's local-cache recipe does with actions/cache. Nothing here runs outside
 * Actions (no cache service) or with another backend.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { cacheServiceAvailable } from '../adapters/github-baseline.js';
import type { Results } from '../core/engine/results.js';
import type { Env } from './compose.js';

const PREFIX = 'hybrid-e2e-buildkit-local-v1-';

export interface CacheLog {
  info(line: string): void;
  warning(line: string): void;
}

/** The key of a run's local cache: its platform and every built image's input hash. */
export function localCacheKey(results: Pick<Results, 'tasks'>, platform: string): string {
  const inputs = results.tasks
    .filter((t) => t.phase === 'build' && t.image && /:e2e-[^-]+-[0-9a-f]{8}$/.test(t.image))
    .map((t) => t.image!.replace(/:e2e-[^-]+-/, ':'))
    .sort();
  return `${PREFIX}${platform.replace('/', '-')}-${createHash('sha256').update(inputs.join('\n')).digest('hex').slice(0, 32)}`;
}

/** Restores the newest local cache of this platform into `dir`; never fails the run. */
export async function restoreLocalCache(dir: string, platform: string, env: Env, log: CacheLog): Promise<string | undefined> {
  if (!(await cacheServiceAvailable(env))) return undefined;
  try {
    const cache = await import('@actions/cache');
    const prefix = `${PREFIX}${platform.replace('/', '-')}-`;
    const hit = await cache.restoreCache([dir], `${prefix}none`, [prefix]);
    log.info(hit ? `cache: restored the local layer cache ${hit}` : 'cache: no local layer cache saved yet (the builds are cold)');
    return hit;
  } catch (e) {
    log.warning(`cache: could not restore the local layer cache: ${(e as Error).message}`);
    return undefined;
  }
}

/** Saves `dir` under the run's key unless that key exists already; never fails the run. */
export async function saveLocalCache(dir: string, key: string, restored: string | undefined, env: Env, log: CacheLog): Promise<boolean> {
  if (key === restored || !existsSync(dir) || readdirSync(dir).length === 0 || !(await cacheServiceAvailable(env))) return false;
  try {
    const cache = await import('@actions/cache');
    await cache.saveCache([dir], key);
    log.info(`cache: saved the local layer cache as ${key}`);
    return true;
  } catch (e) {
    // An entry for the same inputs saved by a parallel job is as good as ours.
    log.info(`cache: not saved (${(e as Error).message.split('\n')[0]})`);
    return false;
  }
}
