import { expect } from 'vitest';
import type { CallRecord } from '../../helpers/fakes.js';
import type { Results } from '../../../src/core/engine/results.js';
import type { ResolvedConfig } from '../../../src/core/config/loader.js';

/**
 * The hybrid-parallel invariants, asserted from the fake kind's call log and the API emulator's request log (what
 * really ran, and when), not from the engine's own bookkeeping:
 * - no `kind create` before the last build ended;
 * - every image load after the cluster was ready;
 * - every service's apply after its own image was loaded and after each dependency's workloads were ready (the
 *   emulator logs the moment the model's status of a workload turns ready);
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
  const applies = calls.filter((c) => c.tool === 'apiserver' && c.op === 'apply' && c.applied?.some((o) => o.kind !== 'Namespace'));
  const readiness = calls.filter((c) => c.tool === 'apiserver' && c.op === 'ready');
  for (const svc of results.services) {
    const s = loaded.services[svc]!;
    const ref = task(`build:${svc}`).image!;
    const mine = applies.filter((a) => a.applied!.some((o) => o.namespace === s.namespace && o.name === svc && o.kind !== 'Service'));
    expect(mine.length, `apply of ${svc}`).toBeGreaterThan(0);
    const firstApply = Math.min(...mine.map((a) => a.t!));
    const myLoad = loads.find((l) => l.loaded?.some((x) => x.images.some((i) => i === ref || i.endsWith(`/${ref}`))) && l.exitCode === 0);
    expect(myLoad, `load of ${ref}`).toBeDefined();
    expect(firstApply, `${svc} applied before its image was loaded`).toBeGreaterThanOrEqual(myLoad!.endMs);
    for (const dep of s.dependsOn) {
      const depNs = loaded.services[dep]!.namespace;
      const depReady = readiness.filter((r) => r.namespace === depNs && r.name === dep);
      expect(depReady.length, `readiness of ${dep}`).toBeGreaterThan(0);
      expect(firstApply, `${svc} applied before ${dep} was ready`).toBeGreaterThanOrEqual(Math.min(...depReady.map((r) => r.t!)));
    }
    if (s.build) {
      const images = mine
        .flatMap((a) => a.applied ?? [])
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
