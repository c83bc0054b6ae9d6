/**
 * The deploy task: render the service's manifests (the built tag rewritten in), apply them server-side, and wait
 * until the service is ready: its workloads rolled out, its Services with ready endpoints, no pod stuck in a state it
 * cannot leave.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DeployTask } from '../../plan/graph.js';
import type { BuiltImage, EngineContext } from '../context.js';
import {
  defaultWaitTargets,
  isKustomizeDir,
  parseManifests,
  readManifestPath,
  rewriteImages,
  toYaml,
  type K8sObject,
} from '../manifests.js';
import { serviceReady } from '../readiness.js';

export async function runDeploy(t: DeployTask, ctx: EngineContext, signal: AbortSignal, image: BuiltImage | undefined): Promise<void> {
  const { kube } = ctx.tools;
  const spec = t.deploy;
  const objects: K8sObject[] = [];
  for (const m of spec.manifests) {
    if (statSync(m).isDirectory() && isKustomizeDir(m)) objects.push(...parseManifests(await kube.kustomize(m, { signal }), m));
    else objects.push(...readManifestPath(m));
  }
  if (spec.repository && image) {
    const rewrites = rewriteImages(objects, spec.repository, image.ref);
    for (const r of rewrites) if (r.warning) ctx.reporter.warn(`${t.id}: ${r.warning}`);
    if (rewrites.length === 0)
      ctx.reporter.warn(`${t.id}: no container in the manifests uses ${spec.repository}; the built image is loaded but unused`);
  }
  const file = path.join(ctx.runDir, 'manifests', `${t.service}.yaml`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, toYaml(objects));
  if (objects.length) await kube.apply(file, spec.namespace, { signal });
  const targets = spec.wait ?? defaultWaitTargets(objects);
  await serviceReady(spec, objects, targets, ctx.watch, kube, signal);
  ctx.journal.set(t.id, { attempts: 1, note: targets.length ? `ready: ${targets.join(', ')}` : 'applied' });
}
