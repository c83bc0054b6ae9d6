/** The load task: import a built image's tarball into the cluster (retried once), then delete the tarball. */
import { rmSync } from 'node:fs';
import { errorMessage } from '../../errors.js';
import type { LoadTask } from '../../plan/graph.js';
import type { BuiltImage, ClusterInfo, EngineContext } from '../context.js';

export async function runLoad(
  t: LoadTask,
  ctx: EngineContext,
  signal: AbortSignal,
  image: BuiltImage,
  cluster: ClusterInfo,
): Promise<BuiltImage> {
  ctx.journal.set(t.id, { image: image.ref });
  if (!image.tarball) throw new Error(`internal: no tarball of ${image.ref} to load`);
  let attempts = 0;
  for (;;) {
    attempts++;
    ctx.journal.set(t.id, { attempts });
    try {
      await ctx.tools.cluster.loadImageArchive(image.tarball, cluster.name, { signal });
      break;
    } catch (e) {
      if (attempts < 2 && !signal.aborted) {
        ctx.reporter.warn(`${t.id}: loading ${image.ref} failed (${errorMessage(e).split('\n')[0]}); retrying once`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      throw new Error(`could not load image ${image.ref} into cluster ${cluster.name} after ${attempts} attempts: ${errorMessage(e)}`);
    }
  }
  rmSync(image.tarball, { force: true });
  const { tarball: _imported, ...loaded } = image;
  return loaded;
}
