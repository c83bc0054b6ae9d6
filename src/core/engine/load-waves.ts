/**
 * Getting images into the cluster in waves of combined archives. Services are grouped by dependency depth
 * (PostgreSQL/Redis, then DataStorage, then the services on it): a wave is saved into ONE docker-archive as soon as
 * all its images are built — while the cluster is still being created — so layers the images share (a UBI base)
 * are written once, and imported once with one `kind load image-archive`. Waves load dependencies first, at most
 * `builds.loadParallelism` at a time (parallel `ctr import`s on a node fail with exit 255).
 *
 * Each service keeps its own load task (timings, attempts, error): the tasks of a wave share its save and import.
 * Images a builder already wrote to their own tarball (docker-container) are imported as they are, in the same wave.
 */
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Plan } from '../plan/graph.js';
import type { BuiltImage, ClusterInfo, EngineContext } from './context.js';
import { diskFullHint } from './disk.js';

interface Wave {
  index: number;
  services: string[];
  images: Map<string, BuiltImage>;
  /** The archives to import, once every image of the wave is ready. */
  archives?: Promise<string[]>;
  import?: Promise<void>;
  resolveReady: () => void;
  ready: Promise<void>;
}

/** Dependency depth of each service with an image: 0 without dependencies, else one more than its deepest one. */
export function waveLevels(plan: Plan): Map<string, number> {
  const deps = new Map<string, string[]>();
  for (const t of plan.tasks)
    if (t.action === 'deploy')
      deps.set(
        t.service,
        t.deps.filter((d) => d.startsWith('deploy:')).map((d) => d.slice(7)),
      );
  const level = new Map<string, number>();
  const depth = (s: string, seen = new Set<string>()): number => {
    if (level.has(s)) return level.get(s)!;
    if (seen.has(s)) return 0;
    seen.add(s);
    const d = deps.get(s) ?? [];
    const v = d.length ? 1 + Math.max(...d.map((x) => depth(x, seen))) : 0;
    level.set(s, v);
    return v;
  };
  const withImage = plan.tasks.filter((t) => t.phase === 'build' && 'service' in t).map((t) => (t as { service: string }).service);
  const out = new Map<string, number>();
  for (const s of withImage) out.set(s, depth(s));
  return out;
}

class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

export class LoadWaves {
  private readonly waves: Wave[] = [];
  private readonly waveOf = new Map<string, Wave>();
  private readonly imports: Semaphore;
  /** Saves run one at a time: they are disk-bound and may overlap the last builds. */
  private readonly saves = new Semaphore(1);
  /** Bytes of every archive the run handed to kind (the disk guard's estimate for the next run). */
  bytes = 0;

  constructor(
    private readonly ctx: EngineContext,
    plan: Plan,
    loadParallelism: number,
    /** The run is cancelled or over: archives not yet imported are not needed. */
    private readonly signal: AbortSignal,
  ) {
    this.imports = new Semaphore(Math.max(1, loadParallelism));
    const levels = waveLevels(plan);
    const byLevel = new Map<number, string[]>();
    for (const [s, l] of levels) byLevel.set(l, [...(byLevel.get(l) ?? []), s]);
    for (const l of [...byLevel.keys()].sort((a, b) => a - b)) {
      let resolveReady!: () => void;
      const ready = new Promise<void>((r) => (resolveReady = r));
      const w: Wave = { index: this.waves.length + 1, services: byLevel.get(l)!, images: new Map(), resolveReady, ready };
      this.waves.push(w);
      for (const s of w.services) this.waveOf.set(s, w);
    }
  }

  /** A build task finished: its wave is saved as soon as every image of it is there. */
  imageReady(image: BuiltImage): void {
    const w = this.waveOf.get(image.service);
    if (!w) return;
    w.images.set(image.service, image);
    if (w.images.size === w.services.length && !w.archives) {
      w.archives = this.prepare(w);
      w.archives.catch(() => undefined);
      w.resolveReady();
    }
  }

  private async prepare(w: Wave): Promise<string[]> {
    const images = w.services.map((s) => w.images.get(s)!);
    const own = images.filter((i) => i.tarball).map((i) => i.tarball!);
    for (const t of own) this.bytes += statSync(t, { throwIfNoEntry: false })?.size ?? 0;
    const toSave = images.filter((i) => !i.tarball);
    if (!toSave.length) return own;
    const dest = path.join(this.ctx.tarballDir, `wave-${w.index}.tar`);
    const { builder } = this.ctx.tools;
    // Prebuilt images are saved for the nodes' platform only (where the engine can), see tasks/build.ts.
    const platform = toSave.some((i) => i.prebuilt) ? builder.caps.platform : undefined;
    if (platform && !builder.caps.savePlatform && builder.caps.platformNote)
      this.ctx.reporter.info(`load wave ${w.index}: ${builder.caps.platformNote}`);
    try {
      const { bytes } = await this.saves.run(() =>
        builder.saveMany(
          toSave.map((i) => i.ref),
          dest,
          this.signal,
          platform,
        ),
      );
      this.bytes += bytes;
    } catch (e) {
      throw diskFullHint(e, this.ctx.tarballDir, `the archive of load wave ${w.index}`);
    }
    return [...own, dest];
  }

  /** A build failed (or was skipped): its wave goes on without it. */
  imageMissing(service: string): void {
    const w = this.waveOf.get(service);
    if (!w || w.archives) return;
    w.services = w.services.filter((s) => s !== service);
    this.waveOf.delete(service);
    if (w.services.length && w.images.size === w.services.length) {
      w.archives = this.prepare(w);
      w.archives.catch(() => undefined);
      w.resolveReady();
    }
  }

  /** The wave of `image`, imported into the cluster (once for all its services). Rejects with the wave's error. */
  async load(
    image: BuiltImage,
    cluster: ClusterInfo,
    signal: AbortSignal,
    onAttempt: (n: number) => void,
  ): Promise<{ wave: number; with: string[] }> {
    const w = this.waveOf.get(image.service);
    if (!w) throw new Error(`internal: ${image.service} is in no load wave`);
    this.imageReady(image);
    await Promise.race([
      w.ready,
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true })),
    ]);
    w.import ??= this.importWave(w, cluster, onAttempt);
    await w.import;
    return { wave: w.index, with: w.services.filter((s) => s !== image.service) };
  }

  private async importWave(w: Wave, cluster: ClusterInfo, onAttempt: (n: number) => void): Promise<void> {
    const archives = await w.archives!;
    const refs = w.services.map((s) => w.images.get(s)!.ref);
    await this.imports.run(async () => {
      for (const archive of archives) {
        for (let attempt = 1; ; attempt++) {
          onAttempt(attempt);
          try {
            await this.ctx.tools.cluster.loadImageArchive(archive, cluster.name, { signal: this.signal });
            break;
          } catch (e) {
            if (attempt < 2 && !this.signal.aborted) {
              this.ctx.reporter.warn(
                `load wave ${w.index}: importing ${path.basename(archive)} failed (${errorMessage(e).split('\n')[0]}); retrying once`,
              );
              await new Promise((r) => setTimeout(r, 500));
              continue;
            }
            throw new Error(
              `could not load ${refs.length > 1 ? `images ${refs.join(', ')}` : `image ${refs[0]}`} into cluster ${cluster.name} after ${attempt} attempts: ${errorMessage(e)}`,
            );
          }
        }
        if (!this.ctx.keepTarballs) rmSync(archive, { force: true });
      }
    });
  }
}
