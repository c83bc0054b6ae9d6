/** Removing what a run created: its cluster after a failed run, and everything at `down`. */
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Reporter } from '../reporter.js';
import type { ClusterTool, ImageBuilder } from './interfaces.js';
import type { RunState, RunStateFile } from './run-state.js';

/**
 * At the end of a run that did not succeed: delete its cluster, unless the run failed, created the cluster and the
 * user asked to keep it for debugging. Returns whether the cluster was kept.
 */
export async function releaseClusterAfterFailure(o: {
  outcome: 'failure' | 'cancelled';
  created: boolean;
  keepOnFailure: boolean;
  state: RunStateFile;
  kind: ClusterTool;
  reporter: Reporter;
}): Promise<boolean> {
  const cluster = o.state.state.cluster;
  if (!cluster) return false;
  if (o.outcome === 'failure' && o.keepOnFailure && o.created) {
    o.state.update((s) => (s.keepCluster = true));
    o.reporter.warn(
      `keeping cluster ${cluster.name} for debugging (keep-cluster-on-failure); delete it with: kind delete cluster --name ${cluster.name}`,
    );
    return true;
  }
  await o.kind
    .delete(cluster.name, cluster.kubeconfig)
    .catch((e) => o.reporter.warn(`could not delete cluster ${cluster.name}: ${errorMessage(e)}`));
  o.state.update((s) => delete s.cluster);
  return false;
}

export interface TeardownOptions {
  kind: ClusterTool;
  builder: ImageBuilder;
  reporter: Reporter;
  /** Copy the coverage data (GOCOVERDIR hostPath) here before removing the run directory. */
  collectCoverage?: string;
  /** Keep the run's image tags (default: removed; content-addressed cache tags always stay for the next run). */
  keepImages?: boolean;
  /** Leave a cluster the run marked to keep (keep-cluster-on-failure); the post step sets this. */
  respectKeep?: boolean;
}

/** Deletes exactly what one run created: its cluster, its image tags, its run directory. Idempotent. */
export async function teardownRun(state: RunState, o: TeardownOptions): Promise<{ removed: string[]; problems: string[] }> {
  const removed: string[] = [];
  const problems: string[] = [];
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
      await o.kind.delete(state.cluster.name, state.cluster.kubeconfig);
      removed.push(`cluster ${state.cluster.name}`);
    } catch (e) {
      problems.push(`could not delete cluster ${state.cluster.name}: ${errorMessage(e)}`);
    }
  }
  if (!o.keepImages && state.images.length) {
    try {
      await o.builder.removeImages(state.images);
      removed.push(`${state.images.length} image tag(s)`);
    } catch (e) {
      problems.push(`could not remove the run's image tags: ${errorMessage(e)}`);
    }
  }
  if (state.buildxBuilder) {
    try {
      await o.builder.dispose();
      removed.push(`buildx builder ${state.buildxBuilder}`);
    } catch (e) {
      problems.push(`could not remove the buildx builder ${state.buildxBuilder}: ${errorMessage(e)}`);
    }
  }
  rmSync(state.runDir, { recursive: true, force: true });
  removed.push(`run directory ${state.runDir}`);
  for (const p of problems) o.reporter.warn(p);
  o.reporter.info(`down: removed ${removed.join(', ')}`);
  return { removed, problems };
}
