/**
 * Build tasks: build a service's image (or reuse the one built from the same inputs), or make a prebuilt image
 * available; either way one docker-archive tarball for the cluster. Output: the BuiltImage.
 */
import { existsSync, renameSync, rmSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../errors.js';
import { hashBuildInputs } from '../../build-inputs.js';
import type { BuildTask, PullTask } from '../../plan/graph.js';
import type { BuiltImage, EngineContext } from '../context.js';
import type { BuildRequest, BuildResult } from '../interfaces.js';

/** The label that carries a build's input hash: `up` reuses an image whose label matches instead of rebuilding. */
export const INPUTS_LABEL = 'io.hybrid-e2e.inputs';

export async function runPull(t: PullTask, ctx: EngineContext, signal: AbortSignal): Promise<BuiltImage> {
  const { builder } = ctx.tools;
  const ref = t.image;
  const tarball = path.join(ctx.tarballDir, `${t.service}.tar`);
  ctx.journal.set(t.id, { image: ref, attempts: 1 });
  const { platform, savePlatform, platformNote } = builder.caps;
  let note = 'local image';
  if (!(await builder.imageExists(ref))) {
    ctx.reporter.info(`${t.id}: ${ref} is not present locally; pulling it for ${platform}`);
    await builder.pull(ref, signal, platform);
    note = 'pulled';
  }
  // Only the nodes' platform: kind imports with `ctr import --all-platforms`, which fails on an archive that lists
  // platforms whose content it does not hold (kubernetes-sigs/kind#3795).
  if (!savePlatform && platformNote) ctx.reporter.info(`${t.id}: ${platformNote}`);
  await builder.save(ref, tarball, signal, savePlatform ? platform : undefined);
  ctx.journal.set(t.id, { cached: note === 'local image', note });
  return { service: t.service, repository: ref, ref, tarball };
}

export async function runBuild(t: BuildTask, ctx: EngineContext, signal: AbortSignal): Promise<BuiltImage> {
  const b = t.build;
  const tarball = path.join(ctx.tarballDir, `${t.service}.tar`);
  ctx.journal.set(t.id, { image: b.image, attempts: 1 });
  try {
    const args = { ...b.args, ...(b.coverage ? { [b.coverageArg]: '-cover' } : {}) };
    const hash = await hashBuildInputs({ context: b.context, dockerfile: b.dockerfile, args, ...(b.target ? { target: b.target } : {}) });
    const ref = `${b.image}:e2e-${ctx.runId}-${hash.slice(0, 8)}`;
    const result = (await reuse(t, ctx, hash, ref, tarball, signal)) ?? (await build(t, ctx, { hash, ref, args, tarball, signal }));
    ctx.journal.set(t.id, { image: ref, cached: result.cached, ...(result.cacheNote ? { note: result.cacheNote } : {}) });
    return { service: t.service, repository: b.image, ref, ...(result.tarball ? { tarball: result.tarball } : {}) };
  } catch (e) {
    throw diskFullHint(e, ctx.tarballDir, t.service);
  }
}

/** An image built earlier from the same inputs (by its label): tag it for this run and save it. */
async function reuse(
  t: BuildTask,
  ctx: EngineContext,
  hash: string,
  ref: string,
  tarball: string,
  signal: AbortSignal,
): Promise<BuildResult | undefined> {
  const { builder } = ctx.tools;
  // Images built with a tarball output (buildx docker-container) are not in the engine's store: nothing to find.
  if (builder.caps.tarballOnly) return undefined;
  const found = await builder.findByLabel(INPUTS_LABEL, hash);
  if (!found) return undefined;
  await builder.tag(found, ref);
  ctx.state.update((s) => s.images.push(ref));
  const { bytes } = await builder.save(ref, tarball, signal);
  return {
    ref,
    imageId: found,
    tarball,
    tarballBytes: bytes,
    cached: true,
    cacheNote: 'inputs unchanged: reused the image built from the same inputs',
    logTail: [],
  };
}

async function build(
  t: BuildTask,
  ctx: EngineContext,
  o: { hash: string; ref: string; args: Record<string, string>; tarball: string; signal: AbortSignal },
): Promise<BuildResult> {
  const { builder } = ctx.tools;
  const b = t.build;
  const scope = b.image.replace(/[^a-zA-Z0-9_.-]+/g, '_');
  const request: BuildRequest = {
    service: t.service,
    context: b.context,
    dockerfile: b.dockerfile,
    image: b.image,
    tag: o.ref,
    args: o.args,
    ...(b.target ? { target: b.target } : {}),
    labels: { [INPUTS_LABEL]: o.hash, 'io.hybrid-e2e.run': ctx.runId },
    cache: { backend: ctx.cache, scope, dir: path.join(ctx.cacheDir, scope), dirOut: path.join(ctx.cacheDir, `${scope}.new-${ctx.runId}`) },
    tarball: o.tarball,
    network: ctx.buildNetwork,
    signal: o.signal,
  };
  // Record the tag before building: a build that fails after tagging (e.g. while saving) still leaves it.
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
  if (!builder.caps.tarballOnly) await builder.tag(o.ref, `${b.image}:cache-${o.hash.slice(0, 12)}`);
  if (!result.tarball) {
    const { bytes } = await builder.save(o.ref, o.tarball, o.signal);
    result = { ...result, tarball: o.tarball, tarballBytes: bytes };
  }
  return result;
}

/** ENOSPC while writing a tarball: name the directory, the space free, and what to do. */
function diskFullHint(e: unknown, dir: string, service: string): unknown {
  const msg = `${errorMessage(e)}\n${((e as { logTail?: string[] }).logTail ?? []).join('\n')}`;
  if (!/no space left on device|ENOSPC/i.test(msg)) return e;
  let free = '?';
  try {
    const st = statfsSync(dir);
    free = `${Math.round((st.bavail * st.bsize) / 1024 / 1024)} MiB`;
  } catch {
    /* keep "?" */
  }
  const err = new Error(
    `not enough disk space in ${dir} for the image tarball of ${service} (${free} free; the tarball needs about the image's size, see "docker image ls"). Free space (e.g. docker system prune -f) or point HYBRID_E2E_TMPDIR (RUNNER_TEMP in Actions) at a larger disk.`,
  );
  return Object.assign(err, { details: (e as { details?: unknown }).details });
}
