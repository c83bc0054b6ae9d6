// Cluster lifecycle helpers shared by the fake kind and kubectl.
import fs from 'node:fs';
import path from 'node:path';
import { yaml } from './yaml.mjs';
import { SYSTEM_IMAGES, systemObjects } from './model.mjs';
import { objKey, typeForManifest } from './resources.mjs';
import { formatGoDuration, hash32, isoTime, uidOf } from './util.mjs';

// The project's default pin (src/adapters/tool-install.ts DEFAULT_VERSIONS); the default node image is kind v0.27.0's
// (pkg/apis/config/defaults/image.go).
export const KIND_VERSION = 'v0.27.0';

const TOP_KEYS = [
  'kind',
  'apiVersion',
  'name',
  'nodes',
  'networking',
  'featureGates',
  'runtimeConfig',
  'kubeadmConfigPatches',
  'kubeadmConfigPatchesJSON6902',
  'containerdConfigPatches',
  'containerdConfigPatchesJSON6902',
];
const NODE_KEYS = ['role', 'image', 'labels', 'extraMounts', 'extraPortMappings', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902'];
const MOUNT_KEYS = ['hostPath', 'containerPath', 'readOnly', 'selinuxRelabel', 'propagation'];
const PORT_KEYS = ['containerPort', 'hostPort', 'listenAddress', 'protocol'];
const NET_KEYS = [
  'ipFamily',
  'apiServerPort',
  'apiServerAddress',
  'podSubnet',
  'serviceSubnet',
  'disableDefaultCNI',
  'kubeProxyMode',
  'dnsSearch',
];

export class KindConfigError extends Error {}

function strict(obj, keys, where) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw new KindConfigError(
      `unable to decode config: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(obj) ? 'array' : typeof obj} into Go value of type ${where}`,
    );
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k))
      throw new KindConfigError(
        `unable to decode config: error unmarshaling JSON: while decoding JSON: json: unknown field ${JSON.stringify(k)}`,
      );
  }
}

/**
 * Parse and validate a kind Cluster config (kind.x-k8s.io/v1alpha4) strictly,
 * like kind does. Returns { name?, nodes: [{role, image?, labels, extraMounts, extraPortMappings}], networking }.
 */
export function parseKindConfig(text, cwd) {
  let doc;
  try {
    doc = yaml().parse(text);
  } catch (e) {
    throw new KindConfigError(`unable to decode config: error converting YAML to JSON: yaml: ${e.message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new KindConfigError('unable to decode config: invalid config document');
  if (doc.kind !== 'Cluster' || doc.apiVersion !== 'kind.x-k8s.io/v1alpha4') {
    if (doc.apiVersion !== 'kind.x-k8s.io/v1alpha4') throw new KindConfigError(`unknown apiVersion: ${doc.apiVersion ?? ''}`);
    throw new KindConfigError(`unknown kind ${doc.kind ?? ''} for apiVersion: ${doc.apiVersion}`);
  }
  strict(doc, TOP_KEYS, 'v1alpha4.Cluster');
  if (doc.networking !== undefined) strict(doc.networking, NET_KEYS, 'v1alpha4.Networking');
  const rawNodes = doc.nodes ?? [{ role: 'control-plane' }];
  if (!Array.isArray(rawNodes))
    throw new KindConfigError(
      'unable to decode config: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go struct field Cluster.nodes of type []v1alpha4.Node',
    );
  const errs = [];
  const nodes = rawNodes.map((n, i) => {
    strict(n ?? {}, NODE_KEYS, 'v1alpha4.Node');
    const role = n?.role ?? 'control-plane';
    if (role !== 'control-plane' && role !== 'worker') errs.push(`invalid role for node ${i}: "${role}"`);
    const extraMounts = (n?.extraMounts ?? []).map((m) => {
      strict(m, MOUNT_KEYS, 'v1alpha4.Mount');
      if (!m.hostPath || !m.containerPath) errs.push(`node ${i}: extraMounts need hostPath and containerPath`);
      return { ...m, hostPathResolved: m.hostPath ? path.resolve(cwd, String(m.hostPath)) : undefined };
    });
    const extraPortMappings = (n?.extraPortMappings ?? []).map((p) => {
      strict(p, PORT_KEYS, 'v1alpha4.PortMapping');
      for (const k of ['containerPort', 'hostPort']) {
        if (p[k] !== undefined && (!Number.isInteger(p[k]) || p[k] < 0 || p[k] > 65535)) errs.push(`invalid ${k} ${p[k]}`);
      }
      return { listenAddress: '0.0.0.0', protocol: 'TCP', ...p };
    });
    return { role, image: n?.image, labels: n?.labels ?? {}, extraMounts, extraPortMappings };
  });
  if (!nodes.some((n) => n.role === 'control-plane')) errs.push('must have at least one control-plane node');
  const seen = new Set();
  for (const n of nodes) {
    for (const p of n.extraPortMappings) {
      if (!p.hostPort) continue;
      const k = `${p.listenAddress}:${p.hostPort}/${p.protocol}`;
      if (seen.has(k)) errs.push(`port mapping with same listen address, port and protocol already configured: ${k}`);
      seen.add(k);
    }
  }
  if (errs.length) throw new KindConfigError(`invalid kind config: ${errs.join(', ')}`);
  return { name: doc.name, nodes, networking: doc.networking ?? {} };
}

export function nodeNames(clusterName, nodes) {
  const counts = {};
  return nodes.map((n) => {
    counts[n.role] = (counts[n.role] ?? 0) + 1;
    const c = counts[n.role];
    return `${clusterName}-${n.role}${c > 1 ? c : ''}`;
  });
}

/** A free fake API server port, deterministic in (seed, name), unique among existing clusters. */
export function pickPort(state, name, seed) {
  const used = new Set(Object.values(state.clusters).map((c) => c.port));
  let p = 32768 + (hash32(`${seed}|${name}|${Date.now()}`) % 28000);
  while (used.has(p)) p++;
  return p;
}

/** New cluster record in status "creating". */
export function newCluster({ name, provider, config, configPath, nodeImage, port, now, kubeconfig, retain }) {
  const names = nodeNames(name, config.nodes);
  return {
    name,
    provider,
    status: 'creating',
    createStartMs: now,
    configPath: configPath ?? null,
    nodeImage,
    port,
    kubeconfig,
    retain,
    networking: config.networking,
    externalLoadBalancer: config.nodes.filter((n) => n.role === 'control-plane').length > 1 ? `${name}-external-load-balancer` : null,
    nodes: config.nodes.map((n, i) => ({
      name: names[i],
      role: n.role,
      image: n.image ?? nodeImage,
      labels: n.labels,
      extraMounts: n.extraMounts,
      extraPortMappings: n.extraPortMappings,
      images: {},
    })),
    objects: {},
    loadsInFlight: [],
  };
}

/** Mark a cluster ready: system objects, preloaded images. */
export function finishCluster(cluster, now, knobs) {
  cluster.status = 'ready';
  cluster.readyMs = now;
  cluster.nodesReadyMs = now + knobs.nodeReadyMs;
  cluster.lastActivityMs = now;
  for (const n of cluster.nodes) for (const img of SYSTEM_IMAGES) n.images[img] = { importedMs: 0, preloaded: true };
  for (const s of systemObjects(cluster, knobs)) {
    const t = typeForManifest(cluster, s.obj.apiVersion, s.obj.kind);
    storeObject(cluster, t, s.obj, now, { system: true, rolloutMs: s.rolloutMs, fieldManager: 'kube-system' });
  }
}

/** Store (create or update) an object in the cluster. Returns { record, action: 'created'|'configured'|'unchanged' }. */
export function storeObject(cluster, t, obj, now, opts = {}) {
  const ns = t.namespaced ? obj.metadata.namespace || 'default' : undefined;
  const key = objKey(t, ns, obj.metadata.name);
  const prev = cluster.objects[key];
  const o = JSON.parse(JSON.stringify(obj));
  o.metadata = { ...o.metadata };
  if (ns) o.metadata.namespace = ns;
  else delete o.metadata.namespace;
  delete o.status;
  const specOf = (x) =>
    JSON.stringify({ ...x, metadata: { labels: x.metadata?.labels, annotations: x.metadata?.annotations }, status: undefined });
  if (prev) {
    const changed = specOf(prev.obj) !== specOf(o);
    const templateChanged =
      JSON.stringify(prev.obj.spec?.template ?? null) !== JSON.stringify(o.spec?.template ?? null) ||
      (prev.obj.kind === 'Pod' && JSON.stringify(prev.obj.spec) !== JSON.stringify(o.spec));
    const generation =
      (prev.generation ?? 1) + (changed && JSON.stringify(prev.obj.spec ?? null) !== JSON.stringify(o.spec ?? null) ? 1 : 0);
    o.metadata.uid = prev.obj.metadata.uid;
    o.metadata.creationTimestamp = prev.obj.metadata.creationTimestamp;
    o.metadata.generation = generation;
    o.metadata.resourceVersion = String(Number(prev.obj.metadata.resourceVersion ?? 1) + (changed ? 1 : 0));
    cluster.objects[key] = {
      ...prev,
      obj: o,
      generation,
      appliedMs: now,
      templateMs: templateChanged ? now : prev.templateMs,
      fieldManager: opts.fieldManager ?? prev.fieldManager,
    };
    return { record: cluster.objects[key], action: changed ? 'configured' : 'unchanged' };
  }
  o.metadata.uid = uidOf(`${cluster.name}|${key}|${now}`);
  o.metadata.creationTimestamp = isoTime(now);
  o.metadata.generation = 1;
  o.metadata.resourceVersion = String(100 + (hash32(key) % 10000));
  cluster.objects[key] = {
    key,
    obj: o,
    createdMs: now,
    appliedMs: now,
    templateMs: now,
    generation: 1,
    fieldManager: opts.fieldManager,
    system: opts.system ?? false,
    ...(opts.rolloutMs !== undefined ? { rolloutMs: opts.rolloutMs } : {}),
  };
  return { record: cluster.objects[key], action: 'created' };
}

/**
 * Idle-death check + activity stamp, called inside updateState.
 * Returns { dead: {...} } when the cluster has died.
 */
export function touch(cluster, now, knobs) {
  if (cluster.status !== 'ready') return {};
  if (cluster.dead) return { dead: cluster.dead };
  const last = cluster.lastActivityMs ?? cluster.readyMs;
  if (knobs.idleDeathMs > 0 && now - last > knobs.idleDeathMs) {
    cluster.dead = { atMs: last + knobs.idleDeathMs, idleMs: now - last, limitMs: knobs.idleDeathMs };
    return { dead: cluster.dead };
  }
  cluster.lastActivityMs = now;
  return {};
}

export function deadExplanation(tool, cluster) {
  const d = cluster.dead;
  return `fake ${tool}: cluster "${cluster.name}" is dead: it received no kind load/kubectl call for ${formatGoDuration(d.idleMs)} after it became ready (FAKE_KIND_IDLE_DEATH_MS=${d.limitMs}); its node containers have exited.`;
}

export function providerBin(provider) {
  return provider === 'podman' ? 'podman' : provider === 'nerdctl' ? 'nerdctl' : 'docker';
}

export function ctrImportCommand(provider, node) {
  return `${providerBin(provider)} exec --privileged -i ${node} ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -`;
}

export function hostPathExists(p) {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}
