/**
 * `command: build` (the reusable workflow's build-once job): builds (or pulls) every image the selected services
 * need, exactly once, and writes one docker-archive tarball per image into a directory for the matrix legs. No
 * cluster. A leg `docker load`s the tarballs; its `up` then finds each image by its build-inputs label and reuses
 * it instead of rebuilding (the build task shows `cached`).
 *
 * This drives the engine with a build-only plan; it belongs in core (a build session) and should move there.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Results } from '../core/engine/results.js';
import { upSession, type UpSessionOptions } from '../core/engine/session.js';

export type BuildOnceOptions = Pick<
  UpSessionOptions,
  'loaded' | 'services' | 'engine' | 'cache' | 'reporter' | 'env' | 'signal' | 'onState'
> & {
  /** Where the tarballs go (emptied first). */
  imagesDir: string;
};

export interface BuildOnceResult {
  results: Results;
  runDir: string;
  /** service -> tarball written. */
  tarballs: Record<string, string>;
  errors: string[];
}

/** Builds every image once (the core's build-only session) and keeps one tarball per image in `imagesDir`. */
export async function buildOnce(o: BuildOnceOptions): Promise<BuildOnceResult> {
  rmSync(o.imagesDir, { recursive: true, force: true });
  mkdirSync(o.imagesDir, { recursive: true });
  const { results, runDir } = await upSession({
    loaded: o.loaded,
    services: o.services,
    engine: o.engine,
    cache: o.cache,
    reporter: o.reporter,
    env: o.env,
    buildOnlyTo: o.imagesDir,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onState ? { onState: o.onState } : {}),
  });
  const tarballs: Record<string, string> = {};
  for (const t of results.tasks) {
    const dest = t.service ? path.join(o.imagesDir, `${t.service}.tar`) : undefined;
    if (t.outcome === 'success' && dest && existsSync(dest)) tarballs[t.service!] = dest;
  }
  return { results, runDir, tarballs, errors: [...results.errors] };
}
