/**
 * The `prune` use case: remove every image hybrid-e2e created (they carry its build-inputs label) that no live run
 * uses — the `<repository>:cache-<hash>` images kept for reuse, build-once images, and the tags of runs whose process
 * is gone. What a live run recorded, or built, stays.
 */
import { formatSize } from '../core/size.js';
import { errorMessage } from '../core/errors.js';
import type { ImageBuilder } from '../core/engine/interfaces.js';
import { listRuns, type RunState } from '../core/engine/run-state.js';
import { INPUTS_LABEL, RUN_LABEL } from '../core/engine/tasks/build.js';
import type { Env } from './compose.js';
import { runIsLive } from './down.js';

/** One image hybrid-e2e created, in one engine's store. */
export interface ToolImage {
  engine: 'docker' | 'podman';
  id: string;
  tags: string[];
  /** Size as the engine reports it (layers shared with other images count in each). */
  bytes: number;
  /** Live runs that recorded one of its tags, or built it. */
  usedBy: string[];
}

/** Every image `builder`'s engine holds that hybrid-e2e created, with the live runs that use it. */
export async function toolImages(builder: ImageBuilder, liveRuns: readonly RunState[]): Promise<ToolImage[]> {
  const images = await builder.labelledImages(INPUTS_LABEL);
  return images.map((img) => ({
    engine: builder.caps.engine,
    id: img.id,
    tags: img.tags,
    bytes: img.bytes,
    usedBy: liveRuns.filter((r) => img.labels[RUN_LABEL] === r.runId || img.tags.some((t) => r.images.includes(t))).map((r) => r.runId),
  }));
}

/** The runs of the registry whose process still runs. */
export function liveRuns(env: Env): RunState[] {
  return listRuns({ ...process.env, ...env }).filter(runIsLive);
}

export interface PruneResult {
  dryRun: boolean;
  /** Removed (with dryRun: would be removed). */
  removed: ToolImage[];
  /** Left because a live run uses them. */
  kept: ToolImage[];
  /** Sum of the removed images' sizes. */
  bytes: number;
  /** What could not be listed or removed. */
  problems: string[];
}

/** Removes, in each engine, every image hybrid-e2e created that no live run uses. */
export async function prune(o: { builders: readonly ImageBuilder[]; env: Env; dryRun?: boolean }): Promise<PruneResult> {
  const live = liveRuns(o.env);
  const out: PruneResult = { dryRun: Boolean(o.dryRun), removed: [], kept: [], bytes: 0, problems: [] };
  for (const builder of o.builders) {
    const engine = builder.caps.engine;
    let images: ToolImage[];
    try {
      images = await toolImages(builder, live);
    } catch (e) {
      out.problems.push(`${engine}: could not list the images hybrid-e2e created: ${errorMessage(e)}`);
      continue;
    }
    out.kept.push(...images.filter((i) => i.usedBy.length));
    const drop = images.filter((i) => !i.usedBy.length);
    if (!drop.length) continue;
    if (o.dryRun) {
      out.removed.push(...drop);
      continue;
    }
    // By tag (an id with several tags is refused by podman without --force, which would also remove containers);
    // an image without tags by its id.
    const refs = drop.flatMap((i) => (i.tags.length ? i.tags : [i.id]));
    let failure: string | undefined;
    try {
      await builder.removeImages(refs);
    } catch (e) {
      failure = errorMessage(e);
    }
    // What is really gone: listed again, since a removal can fail for some images and succeed for others.
    let still: Map<string, string[]>;
    try {
      still = new Map((await builder.labelledImages(INPUTS_LABEL)).map((i) => [i.id, i.tags]));
    } catch {
      still = new Map(failure ? drop.map((i) => [i.id, i.tags]) : []);
    }
    const left = drop.filter((i) => still.has(i.id));
    out.removed.push(...drop.filter((i) => !still.has(i.id)));
    if (left.length)
      out.problems.push(
        `${engine}: could not remove ${left.map((i) => still.get(i.id)![0] ?? i.id).join(', ')}${failure ? `: ${failure}` : ' (still there: a container may be using it)'}`,
      );
  }
  out.bytes = out.removed.reduce((n, i) => n + i.bytes, 0);
  return out;
}

/** What `prune` prints: each image removed (or that would be), those kept, and the total. */
export function pruneText(r: PruneResult): string {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const lines: string[] = [];
  for (const i of r.removed) lines.push(`${verb} ${i.tags.length ? i.tags.join(' ') : i.id} (${i.engine}, ${formatSize(i.bytes)})`);
  for (const i of r.kept)
    lines.push(`kept ${i.tags.length ? i.tags.join(' ') : i.id} (${i.engine}): used by live run ${i.usedBy.join(', ')}`);
  lines.push(
    r.removed.length
      ? `${r.dryRun ? 'would remove' : 'removed'} ${r.removed.length} image(s), ${formatSize(r.bytes)}${r.dryRun ? '' : ' freed'} (image sizes as the engine reports them: layers that images still present share stay)`
      : r.kept.length
        ? 'nothing to remove: every image hybrid-e2e made is used by a live run'
        : 'nothing to remove: no image made by hybrid-e2e here',
  );
  return lines.join('\n') + '\n';
}
