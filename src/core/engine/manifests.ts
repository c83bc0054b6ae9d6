import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { normalizeRepository, splitImageRef } from '../image-ref.js';

/** A Kubernetes object as parsed from a manifest. */
export type K8sObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
} & Record<string, unknown>;

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export function isKustomizeDir(p: string): boolean {
  return ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(path.join(p, f)));
}

/** Manifest files of one path entry: the file itself, or a directory's *.yaml/*.yml/*.json (sorted, not recursive). */
export function manifestFiles(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => path.join(p, f));
}

export function parseManifests(text: string, source: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if ('errors' in doc && doc.errors.length) throw new Error(`${source}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    const v = doc.toJS() as unknown;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v))
      throw new Error(`${source}: expected Kubernetes objects, got ${Array.isArray(v) ? 'a list' : typeof v}`);
    const o = v as K8sObject;
    if (o.kind === 'List' && Array.isArray(o.items)) out.push(...(o.items as K8sObject[]));
    else out.push(o);
  }
  return out;
}

export function podSpecOf(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  if (o.kind === 'Pod') return spec;
  if (o.kind === 'CronJob') {
    const jt = spec.jobTemplate as { spec?: { template?: { spec?: Record<string, unknown> } } } | undefined;
    return jt?.spec?.template?.spec;
  }
  return (spec.template as { spec?: Record<string, unknown> } | undefined)?.spec;
}

export interface Rewrite {
  object: string;
  container: string;
  from: string;
  to: string;
  /** Set when the manifest named the repository without the `localhost/` prefix the builder gives it. */
  warning?: string;
}

/**
 * Rewrites every container image whose repository is `repo` (after normalisation) to `ref`, and its pull policy to
 * IfNotPresent. A manifest naming `kubernaut/x` for a built `localhost/kubernaut/x` is the classic podman prefix
 * mismatch (ErrImageNeverPull in the cluster): it is rewritten too, with a warning.
 */
export function rewriteImages(objects: K8sObject[], repo: string, ref: string): Rewrite[] {
  const rewrites: Rewrite[] = [];
  const want = normalizeRepository(repo);
  const bare = repo.startsWith('localhost/') ? normalizeRepository(repo.slice('localhost/'.length)) : undefined;
  for (const o of objects) {
    const spec = podSpecOf(o);
    if (!spec) continue;
    for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
      const list = spec[field];
      if (!Array.isArray(list)) continue;
      for (const c of list as Array<Record<string, unknown>>) {
        if (typeof c.image !== 'string') continue;
        const n = normalizeRepository(splitImageRef(c.image).name);
        if (n !== want && n !== bare) continue;
        const rw: Rewrite = { object: `${o.kind}/${o.metadata?.name}`, container: String(c.name), from: c.image, to: ref };
        if (n === bare && n !== want) {
          rw.warning = `${rw.object} container ${rw.container} uses "${c.image}", but the image is built as "${repo}"; rewrote it to "${ref}". Fix the manifest: without the localhost/ prefix the node looks for ${n} and fails with ErrImageNeverPull.`;
        }
        c.image = ref;
        c.imagePullPolicy = 'IfNotPresent';
        rewrites.push(rw);
      }
    }
  }
  return rewrites;
}

/** `kind/name` targets to wait for by default: every Deployment, StatefulSet and DaemonSet. */
export function defaultWaitTargets(objects: K8sObject[]): string[] {
  return objects
    .filter((o) => o.kind && WORKLOADS.has(o.kind) && o.metadata?.name)
    .map((o) => `${o.kind!.toLowerCase()}/${o.metadata!.name}`);
}

export function toYaml(objects: K8sObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

export function readManifestPath(p: string): K8sObject[] {
  return manifestFiles(p).flatMap((f) => parseManifests(readFileSync(f, 'utf8'), f));
}
