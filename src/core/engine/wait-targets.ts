/**
 * What a `wait:` target names. Every spelling kubectl accepts for the built-in kinds we know how to wait for
 * resolves here: the singular and plural resource names, the short names the API server advertises in discovery
 * (deploy, sts, ds, po, svc), the group-qualified forms (`deployment.apps`, `jobs.batch`) and the
 * version-qualified ones (`deployment.v1.apps`). Anything else (a custom resource) is waited for by its Ready
 * condition through `kubectl wait`.
 */

import { COLLECTIONS } from './cluster-watch.js';

export type TargetKind = 'deployment' | 'statefulset' | 'daemonset' | 'job' | 'pod' | 'service';

interface KindNames {
  kind: TargetKind;
  singular: string;
  plural: string;
  short: string[];
  group: string;
  version: string;
}

const KINDS: KindNames[] = [
  { kind: 'deployment', singular: 'deployment', plural: 'deployments', short: ['deploy'], group: 'apps', version: 'v1' },
  { kind: 'statefulset', singular: 'statefulset', plural: 'statefulsets', short: ['sts'], group: 'apps', version: 'v1' },
  { kind: 'daemonset', singular: 'daemonset', plural: 'daemonsets', short: ['ds'], group: 'apps', version: 'v1' },
  { kind: 'job', singular: 'job', plural: 'jobs', short: [], group: 'batch', version: 'v1' },
  { kind: 'pod', singular: 'pod', plural: 'pods', short: ['po'], group: '', version: 'v1' },
  { kind: 'service', singular: 'service', plural: 'services', short: ['svc'], group: '', version: 'v1' },
];

const ALIASES = new Map<string, TargetKind>();
for (const k of KINDS) {
  const names = [k.singular, k.plural, ...k.short];
  for (const n of names) {
    ALIASES.set(n, k.kind);
    if (k.group) {
      ALIASES.set(`${n}.${k.group}`, k.kind);
      ALIASES.set(`${n}.${k.version}.${k.group}`, k.kind);
    } else ALIASES.set(`${n}.${k.version}`, k.kind);
  }
}

/** The collection to watch for a kind. */
export const COLLECTION_OF: Record<Exclude<TargetKind, 'service'>, string> = {
  deployment: COLLECTIONS.deployments,
  statefulset: COLLECTIONS.statefulsets,
  daemonset: COLLECTIONS.daemonsets,
  job: COLLECTIONS.jobs,
  pod: COLLECTIONS.pods,
};

export type ResolvedTarget = { kind: TargetKind; name: string; text: string } | { kind: 'other'; type: string; name: string; text: string };

export function resolveWaitTarget(target: string): ResolvedTarget {
  const slash = target.indexOf('/');
  const type = target.slice(0, slash).toLowerCase();
  const name = target.slice(slash + 1);
  const kind = ALIASES.get(type);
  return kind ? { kind, name, text: `${kind}/${name}` } : { kind: 'other', type, name, text: target };
}
