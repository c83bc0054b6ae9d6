import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Kind } from '../../adapters/kind.js';
import { UserError, errorMessage } from '../errors.js';
import { run } from '../proc.js';
import type { Reporter } from '../report.js';
import type { RunState } from './up.js';

export interface DownOptions {
  runDir: string;
  reporter: Reporter;
  kindBin?: string;
  /** Copy the coverage data (GOCOVERDIR hostPath) here before removing the run directory. */
  collectCoverage?: string;
  /** Keep the run's image tags (default: removed; content-addressed cache tags always stay for the next run). */
  keepImages?: boolean;
  /** Leave a cluster the run marked to keep (keep-cluster-on-failure); the post step sets this. */
  respectKeep?: boolean;
  env?: Record<string, string | undefined>;
}

export function readRunState(runDir: string): RunState {
  const file = path.join(runDir, 'state.json');
  if (!existsSync(file))
    throw new UserError(`no run state at ${file}: pass the run directory printed by "hybrid-e2e up" (or --results FILE of that run).`);
  return JSON.parse(readFileSync(file, 'utf8')) as RunState;
}

/** Deletes exactly what one run created: its cluster, its image tags, its temp directory. Idempotent. */
export async function runDown(o: DownOptions): Promise<{ removed: string[]; problems: string[] }> {
  const state = readRunState(o.runDir);
  const removed: string[] = [];
  const problems: string[] = [];
  const env = o.env ?? process.env;
  const kind = new Kind(o.kindBin ?? 'kind', state.provider, env);
  if (o.collectCoverage) {
    const src = path.join(state.runDir, 'coverage');
    if (existsSync(src)) {
      cpSync(src, o.collectCoverage, { recursive: true });
      o.reporter.info(`coverage data copied to ${o.collectCoverage}`);
    } else o.reporter.warn(`no coverage data in ${src} (was build.coverage on?)`);
  }
  if (state.cluster && o.respectKeep && state.keepCluster) {
    o.reporter.warn(
      `leaving cluster ${state.cluster.name} (keep-cluster-on-failure); delete it with: kind delete cluster --name ${state.cluster.name}`,
    );
  } else if (state.cluster) {
    try {
      await kind.deleteCluster(state.cluster.name);
      removed.push(`cluster ${state.cluster.name}`);
    } catch (e) {
      problems.push(`could not delete cluster ${state.cluster.name}: ${errorMessage(e)}`);
    }
  }
  if (!o.keepImages && state.images.length) {
    try {
      await run(state.engineBinary, ['rmi', ...state.images], { env });
    } catch {
      // Some may already be gone: remove one by one, ignoring the missing.
      for (const img of state.images) await run(state.engineBinary, ['rmi', img], { env }).catch(() => undefined);
    }
    removed.push(`${state.images.length} image tag(s)`);
  }
  rmSync(state.runDir, { recursive: true, force: true });
  removed.push(`run directory ${state.runDir}`);
  for (const p of problems) o.reporter.warn(p);
  o.reporter.info(`down: removed ${removed.join(', ')}`);
  return { removed, problems };
}
