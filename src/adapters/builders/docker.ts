/**
 * Docker builders: `docker buildx build`, BuildKit built into a pre-23 client (`DOCKER_BUILDKIT=1 docker build`)
 * and the legacy builder (`DOCKER_BUILDKIT=0 docker build`).
 *
 * - buildx with a docker-container/kubernetes/remote driver writes the docker-archive straight to the requested
 *   tarball (`--output type=docker,dest=`) and exports the layer cache (gha/local/registry). Such an image is then
 *   only in the tarball, not in the daemon's image store (`caps.tarballOnly`).
 * - every other kind builds into the daemon's image store using its own layer cache, then `docker save`s once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readDockerArchiveManifest, configDigest } from './archive.js';
import { commonBuildFlags, EngineBuilder, type BuildInvocation } from './base.js';
import { BuildError } from '../../core/errors.js';
import type { BuildRequest, BuilderCapabilities } from '../../core/engine/interfaces.js';

/** Quote one field of a buildx CSV option value (`--cache-to`, `--output`) when it needs it. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(fields: string[]): string {
  return fields.map(csvField).join(',');
}

/**
 * `--cache-from`/`--cache-to` for buildx. gha: one scope per image, `ignore-error=true` so a cache service hiccup
 * never fails a build; local: read `dir` (if present), write `dirOut` (rotation: the caller replaces `dir` with it);
 * registry: `ref`. `mode=max` exports every stage's layers.
 */
export function buildxCacheArgs(cache: BuildRequest['cache'], dirExists: (dir: string) => boolean = existsSync): string[] {
  switch (cache.backend) {
    case 'gha':
      return [
        '--cache-from',
        csv(['type=gha', `scope=${cache.scope}`]),
        '--cache-to',
        csv(['type=gha', `scope=${cache.scope}`, 'mode=max', 'ignore-error=true']),
      ];
    case 'local': {
      const a: string[] = [];
      if (cache.dir && dirExists(cache.dir)) a.push('--cache-from', csv(['type=local', `src=${cache.dir}`]));
      const out = cache.dirOut ?? cache.dir;
      if (out) a.push('--cache-to', csv(['type=local', `dest=${out}`, 'mode=max']));
      return a;
    }
    case 'registry':
      if (!cache.ref) return [];
      // One tag of the cache repository per image: ghcr.io/org/app-cache:<scope>.
      return [
        '--cache-from',
        csv(['type=registry', `ref=${cache.ref}:${cache.scope}`]),
        '--cache-to',
        csv(['type=registry', `ref=${cache.ref}:${cache.scope}`, 'mode=max', 'ignore-error=true']),
      ];
    case 'none':
      return [];
  }
}

/** Full argv (after the binary) and environment for one docker build of the given kind. */
export function dockerBuildInvocation(caps: BuilderCapabilities, req: BuildRequest, tmp: string): BuildInvocation {
  const iid = path.join(tmp, 'iid');
  if (caps.kind === 'buildx') {
    const a = [
      'buildx',
      'build',
      ...(caps.builderName ? ['--builder', caps.builderName] : []),
      '--progress',
      'plain',
      ...commonBuildFlags(req, iid),
      '--metadata-file',
      path.join(tmp, 'metadata.json'),
    ];
    if (caps.cacheExport) a.push(...buildxCacheArgs(req.cache));
    if (req.tarball && caps.outputTarball) a.push('--output', csv(['type=docker', `dest=${req.tarball}`]));
    else a.push('--load');
    a.push(req.context);
    return { args: a, env: {}, format: 'buildkit' };
  }
  if (caps.kind === 'buildkit') {
    return {
      args: ['build', '--progress', 'plain', ...commonBuildFlags(req, iid), req.context],
      env: { DOCKER_BUILDKIT: '1' },
      format: 'buildkit',
    };
  }
  // legacy: --force-rm so a failing RUN leaves no stopped container behind.
  return { args: ['build', '--force-rm', ...commonBuildFlags(req, iid), req.context], env: { DOCKER_BUILDKIT: '0' }, format: 'legacy' };
}

export class DockerBuilder extends EngineBuilder {
  constructor(caps: BuilderCapabilities, env: NodeJS.ProcessEnv) {
    super(caps, env);
  }

  protected invocation(req: BuildRequest, tmp: string): BuildInvocation {
    return dockerBuildInvocation(this.caps, req, tmp);
  }

  protected saveArgs(refs: string[], dest: string, platform?: string): string[] {
    return ['save', ...(platform ? ['--platform', platform] : []), '--output', dest, ...refs];
  }

  protected override async imageIdAfterBuild(req: BuildRequest, tmp: string): Promise<string> {
    if (req.tarball && this.caps.outputTarball) {
      // The image is only in the tarball: its ID is the config digest named in manifest.json.
      const m = await readDockerArchiveManifest(req.tarball);
      const id = m[0] ? configDigest(m[0]) : undefined;
      if (id) return id;
    }
    return super.imageIdAfterBuild(req, tmp);
  }

  /**
   * Removes the run's buildx builder (its BuildKit container and state), as docker/setup-buildx-action's post step
   * does; a builder already gone is not an error.
   */
  protected dataRootFormat = '{{.DockerRootDir}}';

  async dispose(): Promise<void> {
    const name = this.caps.builderName;
    if (!name) return;
    const r = await this.runEngine(['buildx', 'rm', name], { keepOutput: true });
    if (r.exitCode !== 0 && !/no builder .* found|not found/i.test(r.stderr)) {
      throw new BuildError(`docker buildx rm ${name} failed: ${r.tail.join(' ').trim()}`, { exitCode: r.exitCode, logTail: r.tail });
    }
  }

  async removeImages(refs: string[]): Promise<void> {
    if (refs.length === 0) return;
    // -f untags even when a stopped container still references the image; missing images are not an error.
    const r = await this.runEngine(['image', 'rm', '--force', ...refs], { keepOutput: true });
    if (r.exitCode === 0) return;
    // Not run at all (binary gone, killed): nothing was removed, whatever stderr says.
    if (r.exitCode === undefined)
      throw new BuildError(`docker image rm did not run: ${r.spawnError ?? (r.signal ? `killed by ${r.signal}` : 'no exit code')}`, {
        ...(r.signal ? { signal: r.signal } : {}),
        logTail: r.tail,
      });
    const problems = r.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/no such image/i.test(l));
    if (problems.length > 0)
      throw new BuildError(`docker image rm failed: ${problems.join('; ')}`, { exitCode: r.exitCode, logTail: r.tail });
  }
}
