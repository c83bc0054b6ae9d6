/** The load task: its image reaches the cluster with its load wave (load-waves.ts), one import for the whole wave. */
import type { LoadTask } from '../../plan/graph.js';
import type { BuiltImage, ClusterInfo, EngineContext } from '../context.js';

export async function runLoad(
  t: LoadTask,
  ctx: EngineContext,
  signal: AbortSignal,
  image: BuiltImage,
  cluster: ClusterInfo,
): Promise<BuiltImage> {
  ctx.journal.set(t.id, { image: image.ref, attempts: 1 });
  const { wave, with: others } = await ctx.waves.load(image, cluster, signal, (attempts) => ctx.journal.set(t.id, { attempts }));
  ctx.journal.set(t.id, { note: others.length ? `wave ${wave}, one archive with ${others.join(', ')}` : `wave ${wave}` });
  const { tarball: _imported, ...loaded } = image;
  return loaded;
}
