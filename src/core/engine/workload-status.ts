/**
 * Is a workload ready? Pure functions of the object as the API server returns it.
 *
 * Deployments, RollingUpdate StatefulSets and DaemonSets follow kubectl's `rollout status` exactly
 * (kubernetes/kubectl v0.32.2 pkg/polymorphichelpers/rollout_status.go: Deployment :59-92, DaemonSet :95-117,
 * StatefulSet :120-152). kubectl refuses OnDelete StatefulSets and DaemonSets ("rollout status is only available for
 * RollingUpdate strategy type", :105 and :128); for those we read the same status fields the controller keeps: the
 * spec observed, and every desired pod ready (and available, for DaemonSets). Jobs are done when Complete and have
 * failed when Failed (the conditions the job controller sets); a Pod when its Ready condition is True.
 */

import type { KubeObject } from './interfaces.js';

export type { KubeObject };

/** `done`: ready. `waiting`: not yet (with kubectl-style progress). `failed`: it will not become ready. */
export type Readiness = { state: 'done'; message: string } | { state: 'waiting'; message: string } | { state: 'failed'; message: string };

type Cond = { type?: string; status?: string; reason?: string; message?: string };

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const conditions = (o: KubeObject): Cond[] => (Array.isArray(o.status?.conditions) ? (o.status!.conditions as Cond[]) : []);
const condition = (o: KubeObject, type: string): Cond | undefined => conditions(o).find((c) => c.type === type);
const specReplicas = (o: KubeObject): number | undefined => (typeof o.spec?.replicas === 'number' ? o.spec.replicas : undefined);
const strategyType = (o: KubeObject): string | undefined => (o.spec?.updateStrategy as { type?: string } | undefined)?.type;
const done = (message: string): Readiness => ({ state: 'done', message });
const waiting = (message: string): Readiness => ({ state: 'waiting', message });

export function deploymentReadiness(d: KubeObject): Readiness {
  const name = d.metadata.name;
  const s = d.status ?? {};
  if (num(d.metadata.generation) > num(s.observedGeneration)) return waiting('Waiting for deployment spec update to be observed...');
  const progressing = condition(d, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return { state: 'failed', message: `deployment "${name}" exceeded its progress deadline` };
  const replicas = specReplicas(d) ?? 1;
  if (num(s.updatedReplicas) < replicas)
    return waiting(
      `Waiting for deployment "${name}" rollout to finish: ${num(s.updatedReplicas)} out of ${replicas} new replicas have been updated...`,
    );
  if (num(s.replicas) > num(s.updatedReplicas))
    return waiting(
      `Waiting for deployment "${name}" rollout to finish: ${num(s.replicas) - num(s.updatedReplicas)} old replicas are pending termination...`,
    );
  if (num(s.availableReplicas) < num(s.updatedReplicas))
    return waiting(
      `Waiting for deployment "${name}" rollout to finish: ${num(s.availableReplicas)} of ${num(s.updatedReplicas)} updated replicas are available...`,
    );
  return done(`deployment "${name}" successfully rolled out`);
}

export function statefulSetReadiness(sts: KubeObject): Readiness {
  const s = sts.status ?? {};
  if (num(s.observedGeneration) === 0 || num(sts.metadata.generation) > num(s.observedGeneration))
    return waiting('Waiting for statefulset spec update to be observed...');
  const replicas = specReplicas(sts) ?? 1;
  if (num(s.readyReplicas) < replicas) return waiting(`Waiting for ${replicas - num(s.readyReplicas)} pods to be ready...`);
  if ((strategyType(sts) ?? 'RollingUpdate') !== 'RollingUpdate') {
    // OnDelete: pods are replaced only when deleted, so there is no rollout to wait for; every replica is ready.
    return done(`statefulset "${sts.metadata.name}" (OnDelete): ${num(s.readyReplicas)} of ${replicas} pods ready`);
  }
  const partition = (sts.spec?.updateStrategy as { rollingUpdate?: { partition?: number } } | undefined)?.rollingUpdate?.partition;
  if ((sts.spec?.updateStrategy as { rollingUpdate?: unknown } | undefined)?.rollingUpdate !== undefined) {
    if (partition !== undefined && num(s.updatedReplicas) < replicas - partition) {
      return waiting(
        `Waiting for partitioned roll out to finish: ${num(s.updatedReplicas)} out of ${replicas - partition} new pods have been updated...`,
      );
    }
    return done(`partitioned roll out complete: ${num(s.updatedReplicas)} new pods have been updated...`);
  }
  if (s.updateRevision !== s.currentRevision)
    return waiting(
      `waiting for statefulset rolling update to complete ${num(s.updatedReplicas)} pods at revision ${String(s.updateRevision)}...`,
    );
  return done(`statefulset rolling update complete ${num(s.currentReplicas)} pods at revision ${String(s.currentRevision)}...`);
}

export function daemonSetReadiness(ds: KubeObject): Readiness {
  const name = ds.metadata.name;
  const s = ds.status ?? {};
  if (num(ds.metadata.generation) > num(s.observedGeneration)) return waiting('Waiting for daemon set spec update to be observed...');
  const desired = num(s.desiredNumberScheduled);
  if ((strategyType(ds) ?? 'RollingUpdate') !== 'RollingUpdate') {
    if (num(s.numberReady) < desired || num(s.numberAvailable) < desired) {
      return waiting(`Waiting for daemon set "${name}" (OnDelete): ${num(s.numberAvailable)} of ${desired} pods are available...`);
    }
    return done(`daemon set "${name}" (OnDelete): ${desired} pods available`);
  }
  if (num(s.updatedNumberScheduled) < desired)
    return waiting(
      `Waiting for daemon set "${name}" rollout to finish: ${num(s.updatedNumberScheduled)} out of ${desired} new pods have been updated...`,
    );
  if (num(s.numberAvailable) < desired)
    return waiting(
      `Waiting for daemon set "${name}" rollout to finish: ${num(s.numberAvailable)} of ${desired} updated pods are available...`,
    );
  return done(`daemon set "${name}" successfully rolled out`);
}

export function jobReadiness(job: KubeObject): Readiness {
  const name = job.metadata.name;
  const failed = condition(job, 'Failed');
  if (failed?.status === 'True')
    return {
      state: 'failed',
      message: `job "${name}" failed${failed.reason ? ` (${failed.reason})` : ''}${failed.message ? `: ${failed.message}` : ''}`,
    };
  if (condition(job, 'Complete')?.status === 'True') return done(`job "${name}" completed`);
  const s = job.status ?? {};
  return waiting(`Waiting for job "${name}" to complete: ${num(s.succeeded)} succeeded, ${num(s.active)} active, ${num(s.failed)} failed`);
}

export function podReadiness(pod: KubeObject): Readiness {
  const name = pod.metadata.name;
  const phase = pod.status?.phase;
  if (phase === 'Failed')
    return { state: 'failed', message: `pod "${name}" failed${pod.status?.reason ? ` (${String(pod.status.reason)})` : ''}` };
  if (condition(pod, 'Ready')?.status === 'True') return done(`pod "${name}" is ready`);
  if (phase === 'Succeeded') return done(`pod "${name}" ran to completion`);
  return waiting(`Waiting for pod "${name}" to be ready (phase ${String(phase ?? 'Pending')})`);
}

/** A generic object with a `Ready` condition (custom resources). */
export function readyConditionReadiness(o: KubeObject): Readiness {
  const c = condition(o, 'Ready');
  if (c?.status === 'True') return done(`${o.kind ?? 'object'} "${o.metadata.name}" is Ready`);
  return waiting(`Waiting for ${o.kind ?? 'object'} "${o.metadata.name}" to be Ready${c?.message ? `: ${c.message}` : ''}`);
}

export function nodeReady(node: KubeObject): boolean {
  return condition(node, 'Ready')?.status === 'True';
}
