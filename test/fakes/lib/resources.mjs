// Kubernetes resource types known to the fake API server (built-ins + applied CRDs).

const B = (kind, plural, opts = {}) => ({
  kind,
  plural,
  singular: kind.toLowerCase(),
  group: opts.group ?? '',
  versions: opts.versions ?? ['v1'],
  short: opts.short ?? [],
  namespaced: opts.namespaced ?? true,
  synthetic: opts.synthetic ?? false,
});

export const BUILTIN = [
  B('Pod', 'pods', { short: ['po'], synthetic: true }),
  B('Service', 'services', { short: ['svc'] }),
  B('Endpoints', 'endpoints', { short: ['ep'] }),
  B('EndpointSlice', 'endpointslices', { group: 'discovery.k8s.io' }),
  B('Namespace', 'namespaces', { short: ['ns'], namespaced: false }),
  B('Node', 'nodes', { short: ['no'], namespaced: false, synthetic: true }),
  B('ServiceAccount', 'serviceaccounts', { short: ['sa'] }),
  B('ConfigMap', 'configmaps', { short: ['cm'] }),
  B('Secret', 'secrets'),
  B('PersistentVolumeClaim', 'persistentvolumeclaims', { short: ['pvc'] }),
  B('PersistentVolume', 'persistentvolumes', { short: ['pv'], namespaced: false }),
  B('Event', 'events', { short: ['ev'], synthetic: true }),
  B('LimitRange', 'limitranges', { short: ['limits'] }),
  B('ResourceQuota', 'resourcequotas', { short: ['quota'] }),
  B('Deployment', 'deployments', { group: 'apps', short: ['deploy'] }),
  B('StatefulSet', 'statefulsets', { group: 'apps', short: ['sts'] }),
  B('DaemonSet', 'daemonsets', { group: 'apps', short: ['ds'] }),
  B('ReplicaSet', 'replicasets', { group: 'apps', short: ['rs'], synthetic: true }),
  B('Job', 'jobs', { group: 'batch' }),
  B('CronJob', 'cronjobs', { group: 'batch', short: ['cj'] }),
  B('CustomResourceDefinition', 'customresourcedefinitions', { group: 'apiextensions.k8s.io', short: ['crd', 'crds'], namespaced: false }),
  B('Role', 'roles', { group: 'rbac.authorization.k8s.io' }),
  B('RoleBinding', 'rolebindings', { group: 'rbac.authorization.k8s.io' }),
  B('ClusterRole', 'clusterroles', { group: 'rbac.authorization.k8s.io', namespaced: false }),
  B('ClusterRoleBinding', 'clusterrolebindings', { group: 'rbac.authorization.k8s.io', namespaced: false }),
  B('Ingress', 'ingresses', { group: 'networking.k8s.io', short: ['ing'] }),
  B('IngressClass', 'ingressclasses', { group: 'networking.k8s.io', namespaced: false }),
  B('NetworkPolicy', 'networkpolicies', { group: 'networking.k8s.io', short: ['netpol'] }),
  B('PodDisruptionBudget', 'poddisruptionbudgets', { group: 'policy', short: ['pdb'] }),
  B('HorizontalPodAutoscaler', 'horizontalpodautoscalers', { group: 'autoscaling', versions: ['v2', 'v1'], short: ['hpa'] }),
  B('StorageClass', 'storageclasses', { group: 'storage.k8s.io', short: ['sc'], namespaced: false }),
  B('PriorityClass', 'priorityclasses', { group: 'scheduling.k8s.io', short: ['pc'], namespaced: false }),
  B('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', { group: 'admissionregistration.k8s.io', namespaced: false }),
  B('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', { group: 'admissionregistration.k8s.io', namespaced: false }),
  B('Lease', 'leases', { group: 'coordination.k8s.io' }),
];

/** Resource types defined by applied CustomResourceDefinitions. */
export function crdTypes(cluster) {
  const out = [];
  for (const o of Object.values(cluster.objects ?? {})) {
    if (o.obj.kind !== 'CustomResourceDefinition') continue;
    const s = o.obj.spec ?? {};
    const n = s.names ?? {};
    if (!n.kind || !n.plural || !s.group) continue;
    out.push({
      kind: n.kind,
      plural: n.plural,
      singular: n.singular ?? n.kind.toLowerCase(),
      group: s.group,
      versions: (s.versions ?? []).map((v) => v.name).filter(Boolean),
      short: n.shortNames ?? [],
      namespaced: s.scope !== 'Cluster',
      synthetic: false,
      crd: o.obj.metadata.name,
    });
  }
  return out;
}

export function allTypes(cluster) {
  return [...BUILTIN, ...crdTypes(cluster)];
}

/** Resolve a resource argument ("deploy", "deployments.apps", "crd", "widgets.example.com"). */
export function resolveType(cluster, arg) {
  const a = arg.toLowerCase();
  const types = allTypes(cluster);
  for (const t of types) {
    const names = [t.plural, t.singular, ...t.short.map((s) => s.toLowerCase())];
    if (names.includes(a)) return t;
    if (t.group && names.some((n) => a === `${n}.${t.group}` || t.versions.some((v) => a === `${n}.${v}.${t.group}`))) return t;
  }
  return undefined;
}

/** Resolve a manifest's apiVersion/kind. Returns the type or undefined when there is no match. */
export function typeForManifest(cluster, apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return allTypes(cluster).find((t) => t.kind === kind && t.group === group && t.versions.includes(version));
}

/** "deployment.apps" (used in `-o name` and apply output). */
export function typeRef(t) {
  return t.group ? `${t.singular}.${t.group}` : t.singular;
}

/** "deployments.apps" (used in NotFound errors). */
export function pluralRef(t) {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

export function apiVersionOf(t) {
  return t.group ? `${t.group}/${t.versions[0]}` : t.versions[0];
}

export function objKey(t, namespace, name) {
  return `${t.group}|${t.kind}|${t.namespaced ? namespace : ''}|${name}`;
}
