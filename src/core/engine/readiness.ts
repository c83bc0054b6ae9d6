/**
 * Waiting until things are really ready, over the run's shared watches (cluster-watch.ts): the cluster's gates after
 * `kind create`, and a service's workloads, endpoints and pods after its apply.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CreateTask, DeploySpec } from '../plan/graph.js';
import { errorMessage } from '../errors.js';
import { ClusterWatch, COLLECTIONS, WaitTimeout, type Verdict } from './cluster-watch.js';
import type { KubeClient, KubeObject } from './interfaces.js';
import { readManifestPath, toYaml, type K8sObject } from './manifests.js';
import { podProblem } from './pod-health.js';
import { COLLECTION_OF, resolveWaitTarget, type ResolvedTarget } from './wait-targets.js';
import {
  daemonSetReadiness,
  deploymentReadiness,
  jobReadiness,
  nodeReady,
  podReadiness,
  statefulSetReadiness,
  type Readiness,
} from './workload-status.js';

const READINESS: Record<string, (o: KubeObject) => Readiness> = {
  deployment: deploymentReadiness,
  statefulset: statefulSetReadiness,
  daemonset: daemonSetReadiness,
  job: jobReadiness,
  pod: podReadiness,
};

const verdict = (r: Readiness): Verdict<true> =>
  r.state === 'done' ? { done: true } : r.state === 'failed' ? { failed: r.message } : { waiting: r.message };

/** The names of the CustomResourceDefinitions in manifest files. */
export function crdNames(files: readonly string[]): string[] {
  return files.flatMap((f) =>
    readManifestPath(f)
      .filter((o) => o.kind === 'CustomResourceDefinition' && o.metadata?.name)
      .map((o) => o.metadata!.name!),
  );
}

/**
 * After `kind create cluster --wait`: every node Ready, CoreDNS rolled out, the services' namespaces created with
 * their default ServiceAccount, and the CRDs applied and Established. Each gate waits up to `cluster.waitTimeout`.
 */
export async function clusterGates(t: CreateTask, cw: ClusterWatch, kube: KubeClient, runDir: string, signal: AbortSignal): Promise<void> {
  const timeoutMs = t.cluster.waitTimeoutMs;
  await cw.until(
    [COLLECTIONS.nodes],
    (objs) => {
      const nodes = [...objs(COLLECTIONS.nodes).values()];
      const ready = nodes.filter(nodeReady).length;
      return nodes.length > 0 && ready === nodes.length ? { done: true } : { waiting: `${ready} of ${nodes.length} nodes Ready` };
    },
    { timeoutMs, signal, what: 'every node' },
  );
  await cw.until(
    [COLLECTIONS.deployments],
    (objs) => {
      const d = objs(COLLECTIONS.deployments).get('kube-system/coredns');
      return d ? verdict(deploymentReadiness(d)) : { waiting: 'deployment/coredns not created yet' };
    },
    { timeoutMs, signal, what: 'deployment/coredns in namespace kube-system' },
  );
  const nsFile = path.join(runDir, 'namespaces.yaml');
  writeFileSync(nsFile, toYaml(t.namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }))));
  await kube.apply(nsFile, undefined, { signal });
  await cw.until(
    [COLLECTIONS.serviceaccounts],
    (objs) => {
      const missing = t.namespaces.filter((ns) => !objs(COLLECTIONS.serviceaccounts).has(`${ns}/default`));
      return missing.length ? { waiting: `no default ServiceAccount yet in ${missing.join(', ')}` } : { done: true };
    },
    { timeoutMs, signal, what: `the default ServiceAccount of namespace(s) ${t.namespaces.join(', ')}` },
  );
  if (t.cluster.crds.length) {
    for (const c of t.cluster.crds) await kube.apply(c, undefined, { signal });
    const names = crdNames(t.cluster.crds);
    if (names.length)
      await kube.waitFor(
        'condition=Established',
        names.map((n) => `crd/${n}`),
        undefined,
        timeoutMs,
        { signal },
      );
  }
}

/** The pods a service's objects own: by their workloads' selectors, a Job's `job-name` label, or a Pod's name. */
function ownsPod(objects: K8sObject[], namespace: string): (pod: KubeObject) => boolean {
  const selectors: Array<Record<string, string>> = [];
  const names = new Set<string>();
  for (const o of objects) {
    if ((o.metadata?.namespace ?? namespace) !== namespace) continue;
    const sel = (o.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
    if (o.kind && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(o.kind) && sel && Object.keys(sel).length)
      selectors.push(sel);
    if (o.kind === 'Job' && o.metadata?.name) selectors.push({ 'job-name': o.metadata.name });
    if (o.kind === 'Pod' && o.metadata?.name) names.add(o.metadata.name);
  }
  return (pod) =>
    pod.metadata.namespace === namespace &&
    (names.has(pod.metadata.name) || selectors.some((sel) => Object.entries(sel).every(([k, v]) => pod.metadata.labels?.[k] === v)));
}

function waitTarget(
  t: ResolvedTarget,
  spec: DeploySpec,
  cw: ClusterWatch,
  kube: KubeClient,
  deadline: number,
  signal: AbortSignal,
): Promise<unknown> {
  const timeoutMs = Math.max(1000, deadline - Date.now());
  const what = `${t.text} in namespace ${spec.namespace}`;
  if (t.kind === 'other') {
    return kube.waitFor('condition=Ready', [t.text], spec.namespace, timeoutMs, { signal }).catch((e: unknown) => {
      if (signal.aborted) throw e;
      throw new WaitTimeout(`${what} was not ready within ${Math.round(timeoutMs / 1000)}s: ${errorMessage(e).split('\n').slice(-1)[0]}`);
    });
  }
  if (t.kind === 'service') return waitEndpoints(t.name, spec.namespace, cw, deadline, signal);
  const collection = COLLECTION_OF[t.kind];
  const key = `${spec.namespace}/${t.name}`;
  return cw.until(
    [collection],
    (objs) => {
      const o = objs(collection).get(key);
      return o ? verdict(READINESS[t.kind]!(o)) : { waiting: `${t.text} does not exist (yet)` };
    },
    { timeoutMs, signal, what },
  );
}

/** A Service is ready when one of its EndpointSlices has a ready endpoint (nil `ready` means ready, per the API). */
function waitEndpoints(service: string, namespace: string, cw: ClusterWatch, deadline: number, signal: AbortSignal): Promise<unknown> {
  return cw.until(
    [COLLECTIONS.endpointslices],
    (objs) => {
      const slices = [...objs(COLLECTIONS.endpointslices).values()].filter(
        (s) => s.metadata.namespace === namespace && s.metadata.labels?.['kubernetes.io/service-name'] === service,
      );
      const endpoints = slices.flatMap((s) => (s as { endpoints?: Array<{ conditions?: { ready?: boolean } }> }).endpoints ?? []);
      if (endpoints.some((e) => e.conditions?.ready !== false)) return { done: true };
      return { waiting: `service ${service} has ${endpoints.length} endpoint(s), none ready` };
    },
    { timeoutMs: Math.max(1000, deadline - Date.now()), signal, what: `ready endpoints of service ${service} in namespace ${namespace}` },
  );
}

/**
 * A deployed service is ready when every wait target is, and then every Service of its manifests has a ready
 * endpoint. Meanwhile its pods are watched: one that will not become ready fails the deploy at once.
 */
export async function serviceReady(
  spec: DeploySpec,
  objects: K8sObject[],
  targets: string[],
  cw: ClusterWatch,
  kube: KubeClient,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + spec.waitTimeoutMs;
  const services = objects.filter(
    (o) =>
      o.kind === 'Service' &&
      (o.spec as { selector?: unknown } | undefined)?.selector &&
      (o.spec as { type?: string }).type !== 'ExternalName' &&
      o.metadata?.name,
  );
  const local = new AbortController();
  const onAbort = () => local.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const owns = ownsPod(objects, spec.namespace);
  const firstSeen = new Map<string, number>();
  const guard = cw.until<never>(
    [COLLECTIONS.pods],
    (objs) => {
      for (const pod of objs(COLLECTIONS.pods).values()) {
        if (!owns(pod)) continue;
        const problem = podProblem(pod, spec.policy, Date.now(), deadline, firstSeen);
        if (problem) return { failed: problem };
      }
      return { waiting: 'pods healthy so far' };
    },
    { timeoutMs: spec.waitTimeoutMs + 60_000, signal: local.signal, what: 'pods', tickMs: 1000 },
  );
  guard.catch(() => undefined);
  try {
    await Promise.race([
      (async () => {
        await Promise.all(targets.map((t) => waitTarget(resolveWaitTarget(t), spec, cw, kube, deadline, local.signal)));
        for (const svc of services)
          await waitEndpoints(svc.metadata!.name!, svc.metadata?.namespace ?? spec.namespace, cw, deadline, local.signal);
      })(),
      guard,
    ]);
  } finally {
    local.abort();
    signal.removeEventListener('abort', onAbort);
  }
}
