/** Removing what a run created: its cluster after a failed run, and everything at `down`. */
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Reporter } from '../reporter.js';
import type { ClusterTool, ImageBuilder } from './interfaces.js';
import type { RunStateFile } from './run-state.js';

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
  /** The builder the run used; absent when the run was stopped before it detected one (nothing was built). */
  builder?: ImageBuilder;
  reporter: Reporter;
  /** Copy the coverage data (GOCOVERDIR hostPath) here before removing the run directory. */
  collectCoverage?: string;
  /** Leave a cluster the run marked to keep (keep-cluster-on-failure); the post step sets this. */
  respectKeep?: boolean;
}

export interface TeardownResult {
  removed: string[];
  /** What could not be removed, and why: the record stays, and a later `down` tries again. */
  problems: string[];
  /** Resources still there afterwards (problems, or a cluster kept on purpose). */
  left: string[];
}

/**
 * Removes exactly what one run created, one resource at a time: each is struck from the record only once its removal
 * succeeded, so a failed step (kind missing, a daemon down) leaves an accurate record and `down` again finishes the
 * job. The run directory (its kubeconfig is what kind needs to delete the cluster) and the record go last, only when
 * nothing is left. Idempotent.
 */
export async function teardownRun(file: RunStateFile, o: TeardownOptions): Promise<TeardownResult> {
  const state = file.state;
  const removed: string[] = [];
  const problems: string[] = [];
  const left: string[] = [];
  if (o.collectCoverage) {
    const src = path.join(state.runDir, 'coverage');
    if (existsSync(src)) {
      cpSync(src, o.collectCoverage, { recursive: true });
      o.reporter.info(`coverage data copied to ${o.collectCoverage}`);
    } else o.reporter.warn(`no coverage data in ${src} (was build.coverage on?)`);
  }
  const cluster = state.cluster;
  if (cluster && o.respectKeep && state.keepCluster) {
    left.push(`cluster ${cluster.name} (kept: keep-cluster-on-failure)`);
    o.reporter.warn(
      `leaving cluster ${cluster.name} (keep-cluster-on-failure); remove it and the rest of the run with: hybrid-e2e down --run-dir ${state.runDir}`,
    );
  } else if (cluster) {
    try {
      await o.kind.delete(cluster.name, cluster.kubeconfig);
      file.update((s) => delete s.cluster);
      removed.push(`cluster ${cluster.name}`);
    } catch (e) {
      problems.push(`could not delete cluster ${cluster.name}: ${errorMessage(e)}`);
      left.push(`cluster ${cluster.name}`);
    }
  }
  if (state.images.length) {
    const images = [...state.images];
    try {
      if (!o.builder) throw new Error('the run recorded no image builder');
      await o.builder.removeImages(images);
      file.update((s) => (s.images = s.images.filter((i) => !images.includes(i))));
      removed.push(`${images.length} image tag(s)`);
    } catch (e) {
      problems.push(`could not remove the run's image tags (${images.join(', ')}): ${errorMessage(e)}`);
      left.push(`${images.length} image tag(s)`);
    }
  }
  if (state.buildxBuilder) {
    const name = state.buildxBuilder;
    try {
      if (!o.builder) throw new Error('the run recorded no image builder');
      await o.builder.dispose();
      file.update((s) => delete s.buildxBuilder);
      removed.push(`buildx builder ${name}`);
    } catch (e) {
      problems.push(`could not remove the buildx builder ${name}: ${errorMessage(e)}`);
      left.push(`buildx builder ${name}`);
    }
  }
  if (left.length === 0) {
    rmSync(state.runDir, { recursive: true, force: true });
    removed.push(`run directory ${state.runDir}`);
    file.forget();
  }
  for (const p of problems) o.reporter.warn(p);
  o.reporter.info(
    `down ${state.runId}: ${removed.length ? `removed ${removed.join(', ')}` : 'nothing removed'}${left.length ? `; left: ${left.join(', ')} (record kept: run "hybrid-e2e down --run-dir ${state.runDir}" again)` : ''}`,
  );
  return { removed, problems, left };
}
