/**
 * The images a run keeps for the next one: `<repository>:cache-<hash>`, one per set of build inputs. Left alone they
 * pile up (one per change of a service); after a successful run at most `builds.keepCached` of them stay per
 * repository, the most recently used. Use is recorded per tag in the per-user state directory, because an image's
 * creation time says nothing about a reuse.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalImage } from './interfaces.js';
import { registryDir } from './run-state.js';

const usageFile = (env: Record<string, string | undefined>) => path.join(path.dirname(registryDir(env)), 'cache-use.json');

export function readCacheUse(env: Record<string, string | undefined>): Record<string, number> {
  try {
    return JSON.parse(readFileSync(usageFile(env), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Records that these cache tags were used now. */
export function recordCacheUse(tags: readonly string[], env: Record<string, string | undefined>, nowMs = Date.now()): void {
  if (!tags.length) return;
  const file = usageFile(env);
  const use = readCacheUse(env);
  for (const t of tags) use[t] = nowMs;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(use, null, 2));
  renameSync(tmp, file);
}

export function cacheTagOf(repository: string, inputsHash: string): string {
  return `${repository}:cache-${inputsHash.slice(0, 12)}`;
}

/** The cache tags of `repositories` beyond the `keep` most recently used (use record, else image creation). */
export function cacheTagsToDrop(
  images: readonly LocalImage[],
  repositories: readonly string[],
  keep: number,
  use: Record<string, number>,
): string[] {
  const drop: string[] = [];
  for (const repo of repositories) {
    const tags = images
      .flatMap((img) => img.tags.filter((t) => t.startsWith(`${repo}:cache-`)).map((t) => ({ t, at: use[t] ?? img.createdMs })))
      .sort((a, b) => b.at - a.at || (a.t < b.t ? -1 : 1));
    drop.push(...tags.slice(keep).map((x) => x.t));
  }
  return drop;
}
