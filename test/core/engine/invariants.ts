import { expect } from 'vitest';
import type { CallRecord } from '../../helpers/fakes.js';
import type { Results } from '../../../src/core/engine/results.js';
import type { ResolvedConfig } from '../../../src/core/config/loader.js';

/**
 * The hybrid-parallel invariants, asserted from the fakes' recorded call log (what really ran, and when), not from
 * the engine's own bookkeeping:
 * - no `kind create` before the last build ended;
 * - every image load after the cluster was ready;
 * - every service's apply after its own image was loaded and after each dependency's waits finished;
 * - applied manifests carry the tag that was just built.
 */
export function assertInvariants(results: Results, calls: CallRecord[], loaded: ResolvedConfig): void {
  const task = (id: string) => results.tasks.find((t) => t.id === id)!;
  const builds = results.tasks.filter((t) => t.phase === 'build');
  const lastBuildEnd = Math.max(...builds.map((t) => t.endMs!));
  const creates = calls.filter((c) => c.op === 'kind:create-cluster');
  expect(creates.length).toBeGreaterThan(0);
  for (const c of creates) expect(c.startMs, 'kind create started before the last build ended').toBeGreaterThanOrEqual(lastBuildEnd);
  const clusterReady = task('cluster').endMs!;
  const loads = calls.filter((c) => c.op === 'kind:load-image-archive' || c.op === 'kind:load-docker-image');
  for (const l of loads) expect(l.startMs, 'load before the cluster was ready').toBeGreaterThanOrEqual(clusterReady);
  const applies = calls.filter((c) => c.op === 'kubectl:apply' && c.applied?.some((o) => o.kind !== 'Namespace'));
  const rollouts = calls.filter((c) => c.op === 'kubectl:rollout-status');
  for (const svc of results.services) {
    const s = loaded.services[svc]!;
    const ref = task(`build:${svc}`).image!;
    const myApply = applies.find((a) => a.argv.some((x) => x.endsWith(`/manifests/${svc}.yaml`)));
    expect(myApply, `apply of ${svc}`).toBeDefined();
    const myLoad = loads.find((l) => l.loaded?.some((x) => x.images.some((i) => i === ref || i.endsWith(`/${ref}`))) && l.exitCode === 0);
    expect(myLoad, `load of ${ref}`).toBeDefined();
    expect(myApply!.startMs, `${svc} applied before its image was loaded`).toBeGreaterThanOrEqual(myLoad!.endMs);
    for (const dep of s.dependsOn) {
      const depWaits = rollouts.filter(
        (r) => r.argv.includes(loaded.services[dep]!.namespace) && r.argv.some((x) => x.endsWith(`/${dep}`)),
      );
      expect(depWaits.length, `waits of ${dep}`).toBeGreaterThan(0);
      for (const w of depWaits) expect(myApply!.startMs, `${svc} applied before ${dep} was ready`).toBeGreaterThanOrEqual(w.endMs);
    }
    if (s.build) {
      const images = (myApply!.applied ?? [])
        .flatMap((o) => [...(o.containers ?? []), ...(o.initContainers ?? [])])
        .filter((c) => c.image.startsWith(s.build!.image + ':') || c.image.startsWith(s.build!.image + '@'));
      expect(images.length, `${svc}'s manifests use its image`).toBeGreaterThan(0);
      for (const c of images) {
        expect(c.image).toBe(ref);
        expect(c.imagePullPolicy).toBe('IfNotPresent');
      }
    }
  }
}
