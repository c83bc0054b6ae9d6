/** The `down` use case: remove exactly what one run created (its cluster, image tags and run directory). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, UserError } from '../core/errors.js';
import { readRunState } from '../core/engine/run-state.js';
import { teardownRun } from '../core/engine/teardown.js';
import type { Reporter } from '../core/reporter.js';
import { builderOfRun, clusterTool, type Env } from './compose.js';

export interface DownOptions {
  runDir: string;
  reporter: Reporter;
  env: Env;
  /** Copy the coverage data (GOCOVERDIR hostPath) here before removing the run directory. */
  collectCoverage?: string;
  /** Leave a cluster the run marked to keep (keep-cluster-on-failure); the post step sets this. */
  respectKeep?: boolean;
}

export async function down(o: DownOptions): Promise<{ removed: string[]; problems: string[] }> {
  const state = readRunState(o.runDir);
  const env = { ...process.env, ...o.env };
  return teardownRun(state, {
    kind: clusterTool(state.provider, env),
    builder: builderOfRun(state, env),
    reporter: o.reporter,
    ...(o.collectCoverage ? { collectCoverage: o.collectCoverage } : {}),
    ...(o.respectKeep ? { respectKeep: true } : {}),
  });
}

/** The run directory named by `--run-dir`, or recorded in the results file given with `--results`. */
export function runDirFrom(a: { runDir?: string; results?: string }, cwd: string): string {
  if (a.runDir) return path.resolve(cwd, a.runDir);
  if (a.results) {
    let runDir: string | undefined;
    try {
      runDir = (JSON.parse(readFileSync(path.resolve(cwd, a.results), 'utf8')) as { runDir?: string }).runDir;
    } catch (e) {
      throw new UserError(`cannot read results file ${a.results}: ${errorMessage(e)}`);
    }
    if (runDir) return path.resolve(cwd, runDir);
  }
  throw new UserError('down needs --run-dir DIR or --results FILE (both printed by "hybrid-e2e up").');
}
