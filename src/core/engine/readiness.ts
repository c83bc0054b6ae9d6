/** Waiting until things are really ready: the cluster's gates, a service's workloads, endpoints and pods. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { CreateTask } from '../plan/graph.js';
import type { KubeClient } from './interfaces.js';
import { toYaml, type K8sObject } from './manifests.js';

/** A pod state that will never become ready by itself. */
export const FATAL_WAITING = new Set([
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'CrashLoopBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** A workload or pod that will not become ready: the deploy fails with this message. */
export class NotReadyError extends Error {}

/** Calls `probe` every `everyMs` (at most 1 s) until it returns a value; errors are retried and the last one reported. */
export async function poll<T>(
  what: string,
  timeoutMs: number,
  everyMs: number,
  signal: AbortSignal,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (signal.aborted) throw new Error(`cancelled while waiting for ${what}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = errorMessage(e);
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${last ? ` (last error: ${last.split('\n')[0]})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, Math.min(everyMs, 1000)));
  }
}

/**
 * After `kind create cluster --wait`: every node Ready, CoreDNS rolled out, the services' namespaces created with
 * their default ServiceAccount, and the CRDs applied and Established. Each gate waits up to `cluster.waitTimeout`.
 */
export async function clusterGates(t: CreateTask, kube: KubeClient, runDir: string, pollMs: number, signal: AbortSignal): Promise<void> {
  const timeout = t.cluster.waitTimeoutMs;
  await poll('all nodes Ready', timeout, pollMs, signal, async () => {
    const nodes = await kube.nodes({ signal });
    return nodes.length > 0 && nodes.every((n) => n.ready) ? true : undefined;
  });
  await kube.rolloutStatus('deployment/coredns', 'kube-system', timeout, { signal });
  const nsFile = path.join(runDir, 'namespaces.yaml');
  writeFileSync(nsFile, toYaml(t.namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }))));
  await kube.apply(nsFile, undefined, { signal });
  for (const ns of t.namespaces) {
    await poll(`the default ServiceAccount in namespace ${ns}`, timeout, pollMs, signal, async () =>
      (await kube.serviceAccountExists('default', ns, { signal })) ? true : undefined,
    );
  }
  if (t.cluster.crds.length) {
    for (const c of t.cluster.crds) await kube.apply(c, undefined, { signal });
    await kube
      .waitFor('condition=Established', ['crd'], undefined, timeout, { signal })
      .catch(async () => kube.waitFor('condition=Established', ['crd', '--all'], undefined, timeout, { signal }));
  }
}

/** Waits for one `kind/name` target of a service. */
export async function waitTarget(
  kube: KubeClient,
  target: string,
  namespace: string,
  timeoutMs: number,
  pollMs: number,
  signal: AbortSignal,
): Promise<void> {
  const kindName = target.split('/')[0]!;
  try {
    if (['deployment', 'statefulset', 'daemonset'].includes(kindName)) await kube.rolloutStatus(target, namespace, timeoutMs, { signal });
    else if (kindName === 'job') await kube.waitFor('condition=Complete', [target], namespace, timeoutMs, { signal });
    else if (kindName === 'service') await waitEndpoints(kube, target.split('/')[1]!, namespace, timeoutMs, pollMs, signal);
    else await kube.waitFor('condition=Ready', [target], namespace, timeoutMs, { signal });
  } catch (e) {
    if (signal.aborted) throw e;
    throw new NotReadyError(
      `${target} in namespace ${namespace} was not ready within ${Math.round(timeoutMs / 1000)}s: ${errorMessage(e).split('\n').slice(-1)[0]}`,
    );
  }
}

export async function waitEndpoints(
  kube: KubeClient,
  name: string,
  namespace: string,
  timeoutMs: number,
  pollMs: number,
  signal: AbortSignal,
): Promise<void> {
  await poll(`ready endpoints of service ${name} in namespace ${namespace}`, timeoutMs, pollMs, signal, async () =>
    (await kube.endpointsReady(name, namespace, { signal })) ? true : undefined,
  );
}

/** Rejects as soon as a pod of these workloads is in a state that will never become ready. Never resolves otherwise. */
export function watchPods(kube: KubeClient, objects: K8sObject[], namespace: string, pollMs: number, signal: AbortSignal): Promise<never> {
  const hasWorkload = objects.some((x) => x.kind && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(x.kind));
  const selectors = objects
    .map((o) => (o.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels)
    .filter((m): m is Record<string, string> => Boolean(m && Object.keys(m).length && hasWorkload));
  return new Promise<never>((_, reject) => {
    if (selectors.length === 0) return;
    const tick = async () => {
      if (signal.aborted) return;
      for (const sel of selectors) {
        const label = Object.entries(sel)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        try {
          for (const p of await kube.pods(namespace, label, { signal })) {
            for (const cs of p.containers) {
              if (cs.waitingReason && FATAL_WAITING.has(cs.waitingReason)) {
                reject(
                  new NotReadyError(
                    `pod ${p.name} (container ${cs.name}, image ${cs.image ?? '?'}) is in ${cs.waitingReason}${cs.waitingMessage ? `: ${cs.waitingMessage}` : ''}`,
                  ),
                );
                return;
              }
            }
          }
        } catch {
          /* transient: the rollout wait reports real problems */
        }
      }
      if (!signal.aborted) setTimeout(() => void tick(), pollMs);
    };
    void tick();
  });
}
