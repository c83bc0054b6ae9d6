/**
 * `command: build` (the reusable workflow's build-once job): builds (or pulls) every image the selected services
 * need, exactly once, and writes one docker-archive tarball per image into a directory for the matrix legs. No
 * cluster. A leg `docker load`s the tarballs; its `up` then finds each image by its build-inputs label and reuses
 * it instead of rebuilding (the build task shows `cached`).
 *
 * This drives the engine with a build-only plan; it belongs in core (a build session) and should move there.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { detectBuilder } from '../adapters/builders/detect.js';
import type { CacheBackend, EngineChoice } from '../adapters/builders/types.js';
import type { LoadedConfig } from '../core/config/load.js';
import { buildPlan } from '../core/plan/graph.js';
import type { Reporter } from '../core/report.js';
import { makeRunDir, makeRunId } from '../core/run.js';
import { runUp, type RunState } from '../core/engine/up.js';
import type { Results } from '../core/engine/results.js';
import { errorMessage } from '../core/errors.js';

export interface BuildOnceOptions {
  loaded: LoadedConfig;
  services: string[];
  engine: EngineChoice;
  cache: CacheBackend;
  reporter: Reporter;
  env: Record<string, string | undefined>;
  /** Where the tarballs go (emptied first). */
  imagesDir: string;
  signal?: AbortSignal;
  onState?: (s: RunState) => void;
}

export interface BuildOnceResult {
  results: Results;
  runDir: string;
  /** service -> tarball written. */
  tarballs: Record<string, string>;
  errors: string[];
}

export async function buildOnce(o: BuildOnceOptions): Promise<BuildOnceResult> {
  const full = buildPlan(o.loaded, o.services);
  const plan = { ...full, tasks: full.tasks.filter((t) => t.phase === 'build') };
  const runId = makeRunId(o.env);
  const runDir = makeRunDir(runId, o.env.HYBRID_E2E_TMPDIR ?? o.env.RUNNER_TEMP);
  const detected = await detectBuilder(o.engine, { env: { ...process.env, ...o.env }, cacheBackend: o.cache });
  const results = await runUp({
    loaded: o.loaded,
    plan,
    runId,
    runDir,
    detected,
    cache: o.cache,
    reporter: o.reporter,
    env: { ...process.env, ...o.env },
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.env.HYBRID_E2E_BUILD_NETWORK === 'none' ? { buildNetwork: 'none' as const } : {}),
    ...(o.onState ? { onState: o.onState } : {}),
  });
  rmSync(o.imagesDir, { recursive: true, force: true });
  mkdirSync(o.imagesDir, { recursive: true });
  const tarballs: Record<string, string> = {};
  const errors = [...results.errors];
  if (results.outcome !== 'success') return { results, runDir, tarballs, errors };
  const builder = detected.builder;
  for (const t of results.tasks) {
    if (!t.image || !t.service) continue;
    const dest = path.join(o.imagesDir, `${t.service}.tar`);
    try {
      if (!(await builder.imageExists(t.image))) {
        errors.push(`${t.service}: ${t.image} is not in the ${builder.caps.engine} image store (the ${builder.caps.driver ?? builder.caps.kind} builder wrote it to a tarball only); use the default docker builder for command: build`);
        continue;
      }
      await builder.save(t.image, dest, o.signal);
      tarballs[t.service] = dest;
      o.reporter.info(`saved ${t.image} to ${dest}`);
    } catch (e) {
      errors.push(`${t.service}: could not save ${t.image}: ${errorMessage(e)}`);
    }
  }
  return { results, runDir, tarballs, errors };
}
