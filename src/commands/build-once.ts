/**
 * `build` (the reusable workflow's build-once job): builds (or pulls) every image the selected services need, exactly
 * once, and writes one docker-archive tarball per image into a directory for the matrix legs. No cluster. A leg
 * `docker load`s the tarballs; its `up` then finds each image by its build-inputs label and reuses it instead of
 * rebuilding (the build task shows `cached`).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Results } from '../core/engine/results.js';
import { up, type UpCommandOptions } from './up.js';

export type BuildOnceOptions = Pick<
  UpCommandOptions,
  'config' | 'services' | 'engine' | 'cache' | 'reporter' | 'env' | 'signal' | 'onState'
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

export async function buildOnce(o: BuildOnceOptions): Promise<BuildOnceResult> {
  rmSync(o.imagesDir, { recursive: true, force: true });
  mkdirSync(o.imagesDir, { recursive: true });
  const { imagesDir, ...rest } = o;
  const { results, runDir } = await up({ ...rest, buildOnlyTo: imagesDir });
  const tarballs: Record<string, string> = {};
  for (const t of results.tasks) {
    const dest = t.service ? path.join(imagesDir, `${t.service}.tar`) : undefined;
    if (t.outcome === 'success' && dest && existsSync(dest)) tarballs[t.service!] = dest;
  }
  return { results, runDir, tarballs, errors: [...results.errors] };
}
