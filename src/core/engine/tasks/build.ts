/**
 * Build tasks: build a service's image (or reuse the one built from the same inputs), or make a prebuilt image
 * available locally. Output: the BuiltImage. Images reach the cluster through the load waves (load-waves.ts), which
 * save several images into one archive; a build saves its own tarball only when the builder writes one anyway
 * (buildx with a docker-container builder) or when the run keeps tarballs (build-once for matrix legs).
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { hashBuildInputs } from '../../build-inputs.js';
import type { BuildTask, PullTask } from '../../plan/graph.js';
import type { BuiltImage, EngineContext } from '../context.js';
import { diskFullHint } from '../disk.js';
import { cacheTagOf } from '../image-cache.js';
import type { BuildRequest, BuildResult } from '../interfaces.js';

/** The label that carries a build's input hash: `up` reuses an image whose label matches instead of rebuilding. */
export const INPUTS_LABEL = 'io.hybrid-e2e.inputs';
/** The label that names the run that built an image. */
export const RUN_LABEL = 'io.hybrid-e2e.run';

const tarballOf = (ctx: EngineContext, service: string) => path.join(ctx.tarballDir, `${service}.tar`);

export async function runPull(t: PullTask, ctx: EngineContext, signal: AbortSignal): Promise<BuiltImage> {
  const { builder } = ctx.tools;
  const ref = t.image;
  ctx.journal.set(t.id, { image: ref, attempts: 1 });
  const { platform } = builder.caps;
  let note = 'local image';
  if (!(await builder.imageExists(ref))) {
    ctx.reporter.info(`${t.id}: ${ref} is not present locally; pulling it for ${platform}`);
    await builder.pull(ref, signal, platform);
    note = 'pulled';
  }
  ctx.journal.set(t.id, { cached: note === 'local image', note });
  const image: BuiltImage = { service: t.service, repository: ref, ref, prebuilt: true };
  if (ctx.keepTarballs) {
    const tarball = tarballOf(ctx, t.service);
    await builder.save(ref, tarball, signal, platform);
    image.tarball = tarball;
  }
  return image;
}

export async function runBuild(t: BuildTask, ctx: EngineContext, signal: AbortSignal): Promise<BuiltImage> {
  const b = t.build;
  ctx.journal.set(t.id, { image: b.image, attempts: 1 });
  try {
    const args = { ...b.args, ...(b.coverage ? { [b.coverageArg]: '-cover' } : {}) };
    const hash = await hashBuildInputs({ context: b.context, dockerfile: b.dockerfile, args, ...(b.target ? { target: b.target } : {}) });
    const ref = `${b.image}:e2e-${ctx.runId}-${hash.slice(0, 8)}`;
    const result = (await reuse(t, ctx, hash, ref)) ?? (await build(t, ctx, { hash, ref, args, signal }));
    ctx.journal.set(t.id, { image: ref, cached: result.cached, ...(result.cacheNote ? { note: result.cacheNote } : {}) });
    const image: BuiltImage = { service: t.service, repository: b.image, ref, ...(result.tarball ? { tarball: result.tarball } : {}) };
    if (ctx.keepTarballs && !image.tarball) {
      image.tarball = tarballOf(ctx, t.service);
      await ctx.tools.builder.save(ref, image.tarball, signal);
    }
    return image;
  } catch (e) {
    throw diskFullHint(e, ctx.tarballDir, `the image tarball of ${t.service}`);
  }
}

/**
 * An image built earlier from the same inputs (found by its label among the local images, looked up once for the
 * whole run): tag it for this run. Images a docker-container builder wrote only to a tarball are not local, but the
 * ones a build-once job handed over (`docker load`) are, whatever the builder.
 */
async function reuse(t: BuildTask, ctx: EngineContext, hash: string, ref: string): Promise<BuildResult | undefined> {
  const found = (await ctx.localImages()).get(hash);
  if (!found) return undefined;
  ctx.onCacheTag?.(cacheTagOf(t.build.image, hash));
  await ctx.tools.builder.tag(found, ref);
  ctx.state.update((s) => s.images.push(ref));
  return { ref, imageId: found, cached: true, cacheNote: 'inputs unchanged: reused the image built from the same inputs', logTail: [] };
}

async function build(
  t: BuildTask,
  ctx: EngineContext,
  o: { hash: string; ref: string; args: Record<string, string>; signal: AbortSignal },
): Promise<BuildResult> {
  const { builder } = ctx.tools;
  const b = t.build;
  const scope = b.image.replace(/[^a-zA-Z0-9_.-]+/g, '_');
  // The content-addressed tag keeps the image for the next run with the same inputs; given at build time, so no
  // separate `tag` call. An image that exists only in a tarball (docker-container builder) has no use for it.
  const cacheTag = cacheTagOf(b.image, o.hash);
  if (!builder.caps.tarballOnly) ctx.onCacheTag?.(cacheTag);
  const request: BuildRequest = {
    service: t.service,
    context: b.context,
    dockerfile: b.dockerfile,
    image: b.image,
    tag: o.ref,
    ...(builder.caps.tarballOnly ? {} : { extraTags: [cacheTag] }),
    args: o.args,
    ...(b.target ? { target: b.target } : {}),
    labels: { [INPUTS_LABEL]: o.hash, [RUN_LABEL]: ctx.runId },
    cache: {
      backend: ctx.cache,
      scope,
      dir: path.join(ctx.cacheDir, scope),
      dirOut: path.join(ctx.cacheDir, `${scope}.new-${ctx.runId}`),
      ...(ctx.cacheRef ? { ref: ctx.cacheRef } : {}),
    },
    ...(builder.caps.outputTarball ? { tarball: tarballOf(ctx, t.service) } : {}),
    network: ctx.buildNetwork,
    signal: o.signal,
  };
  // Record the tag before building: a build that fails after tagging still leaves it.
  ctx.state.update((s) => s.images.push(o.ref));
  let result: BuildResult;
  let attempts = 0;
  for (;;) {
    attempts++;
    ctx.journal.set(t.id, { attempts });
    try {
      result = await builder.build(request);
      break;
    } catch (e) {
      const d = e as { signal?: string; cancelled?: boolean };
      const killed = !o.signal.aborted && !d.cancelled && Boolean(d.signal);
      if (killed && attempts <= ctx.buildRetries) {
        ctx.reporter.warn(
          `${t.id}: the build process was killed by ${d.signal} (engine crash or out of memory); retrying (builds.retries: ${ctx.buildRetries})`,
        );
        continue;
      }
      if (!killed) throw e;
      const err = new Error(
        `the build process was killed by ${d.signal}: the engine crashed or ran out of memory${ctx.buildRetries ? ` (after ${attempts} attempts)` : '; set builds.retries to retry such builds'}`,
      );
      throw Object.assign(err, { details: (e as { details?: unknown }).details });
    }
  }
  ctx.journal.set(t.id, { attempts: Math.max(attempts, result.attempts ?? 1) });
  // Local cache rotation: the build exported into a new directory; it replaces the old one, so the cache holds what
  // this build used and does not grow without bound.
  const out = request.cache.dirOut;
  if (ctx.cache === 'local' && builder.caps.cacheExport && out && existsSync(out)) {
    rmSync(request.cache.dir!, { recursive: true, force: true });
    renameSync(out, request.cache.dir!);
  }
  return result;
}
