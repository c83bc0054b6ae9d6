/**
 * Baselines: the results of the last successful run on the default branch, per workflow and leg, to compare PRs
 * against. Two stores behind one interface: the Actions cache (@actions/cache; caches written on the default branch
 * are readable from every PR) and a plain directory (HYBRID_E2E_BASELINE_DIR; tests and self-hosted runners).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Results } from '../core/engine/results.js';
import { tempRoot } from '../core/run-id.js';

export interface StoredBaseline {
  results: Results;
  /** Commit the baseline ran on. */
  sha?: string;
  ref?: string;
  runUrl?: string;
  savedAt?: string;
}

export interface BaselineStore {
  readonly kind: string;
  restore(key: string): Promise<StoredBaseline | undefined>;
  save(key: string, baseline: StoredBaseline): Promise<void>;
}

/** `hybrid-e2e-baseline-v1-<workflow>-<leg>`, in characters every store accepts. */
export function baselineKey(workflow: string, leg: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || '_';
  return `hybrid-e2e-baseline-v1-${clean(workflow)}-${clean(leg)}`;
}

function parseStored(text: string): StoredBaseline | undefined {
  try {
    const v = JSON.parse(text) as StoredBaseline;
    return v && typeof v === 'object' && v.results && v.results.version === 1 && Array.isArray(v.results.phases) ? v : undefined;
  } catch {
    return undefined;
  }
}

export class DirBaselineStore implements BaselineStore {
  readonly kind = 'directory';
  constructor(readonly dir: string) {}
  async restore(key: string): Promise<StoredBaseline | undefined> {
    const f = path.join(this.dir, `${key}.json`);
    return existsSync(f) ? parseStored(readFileSync(f, 'utf8')) : undefined;
  }
  async save(key: string, b: StoredBaseline): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(path.join(this.dir, `${key}.json`), JSON.stringify(b));
  }
}

/**
 * Actions cache entries are immutable: each save gets a unique key `<key>-<unique>`, and restore takes the newest
 * entry with the `<key>-` prefix (the cache service prefers the current branch, then the default branch).
 */
export class CacheBaselineStore implements BaselineStore {
  readonly kind = 'actions-cache';
  constructor(
    private readonly workDir: string,
    private readonly unique: string,
  ) {}
  private fileFor(key: string): string {
    return path.join(this.workDir, key, 'baseline.json');
  }
  async restore(key: string): Promise<StoredBaseline | undefined> {
    const f = this.fileFor(key);
    rmSync(path.dirname(f), { recursive: true, force: true });
    const cache = await import('@actions/cache');
    const hit = await cache.restoreCache([path.dirname(f)], `${key}-${this.unique}`, [`${key}-`]);
    if (!hit || !existsSync(f)) return undefined;
    return parseStored(readFileSync(f, 'utf8'));
  }
  async save(key: string, b: StoredBaseline): Promise<void> {
    const f = this.fileFor(key);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, JSON.stringify(b));
    const cache = await import('@actions/cache');
    await cache.saveCache([path.dirname(f)], `${key}-${this.unique}`);
  }
}

/** Whether this runner has the Actions cache service (@actions/cache is loaded only then). */
export async function cacheServiceAvailable(env: Record<string, string | undefined>): Promise<boolean> {
  return Boolean(
    env.ACTIONS_RUNTIME_TOKEN &&
    (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL) &&
    (await import('@actions/cache')).isFeatureAvailable(),
  );
}

/** The store for this environment, or undefined (no cache service, no directory). */
export async function baselineStoreFor(env: Record<string, string | undefined>): Promise<BaselineStore | undefined> {
  if (env.HYBRID_E2E_BASELINE_DIR) return new DirBaselineStore(env.HYBRID_E2E_BASELINE_DIR);
  // @actions/cache (with the Azure storage SDK) is loaded only where there is a cache service: it is most of the
  // bundle, and loading it would delay the first build.
  if (
    env.ACTIONS_RUNTIME_TOKEN &&
    (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL) &&
    (await import('@actions/cache')).isFeatureAvailable()
  ) {
    const dir = path.join(tempRoot(env), 'hybrid-e2e-baseline');
    return new CacheBaselineStore(dir, `${env.GITHUB_RUN_ID ?? Date.now()}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`);
  }
  return undefined;
}
