/**
 * The one place that builds adapters: the image builder (detected, or the one a run recorded), kind and kubectl.
 * Commands get their tools from here; core only sees the interfaces.
 */
import path from 'node:path';
import { DockerBuilder } from '../adapters/builders/docker.js';
import {
  createRunBuilder,
  detectBuilder,
  dockerCapabilities,
  needsRunBuilder,
  podmanCapabilities,
  type DetectedBuilder,
} from '../adapters/builders/detect.js';
import { PodmanBuilder } from '../adapters/builders/podman.js';
import { Kind } from '../adapters/kind.js';
import { Kubectl } from '../adapters/kubectl.js';
import type { CacheBackend, ClusterTool, EngineChoice, EngineTools, ImageBuilder, KubeClient } from '../core/engine/interfaces.js';

export type Env = Record<string, string | undefined>;

/**
 * Detects the builder (docker or podman, and what it can do) for a run; where buildx cannot export the requested
 * cache (docker driver), creates the run's own docker-container builder.
 */
export async function detect(engine: EngineChoice, cache: CacheBackend, env: Env, runId: string): Promise<DetectedBuilder> {
  const d = await detectBuilder(engine, { env, cacheBackend: cache });
  return needsRunBuilder(d.builder.caps, cache) ? createRunBuilder(d, `hybrid-e2e-${runId}`, cache, env) : d;
}

export function clusterTool(provider: 'docker' | 'podman', env: Env): ClusterTool {
  return new Kind('kind', provider, env);
}

/** kubectl on a run's kubeconfig, with the run's own discovery cache (nothing under ~/.kube is touched). */
export function kubeClient(runDir: string, env: Env): KubeClient {
  return new Kubectl(path.join(runDir, 'kubeconfig'), 'kubectl', env, path.join(runDir, 'kube-cache'));
}

/** The tools of one run: the detected builder, kind with the builder's provider, kubectl on the run's kubeconfig. */
export function runTools(builder: ImageBuilder, runDir: string, env: Env): EngineTools {
  return { builder, cluster: clusterTool(builder.caps.engine, env), kube: kubeClient(runDir, env) };
}

/** The builder a run used, rebuilt from its state file without probing (for `down`). */
export function builderOfRun(
  state: { provider: 'docker' | 'podman'; engineBinary: string; buildxBuilder?: string },
  env: Env,
): ImageBuilder {
  if (state.provider === 'podman')
    return new PodmanBuilder(podmanCapabilities({ binary: state.engineBinary, version: 'unknown' }, 'none', env).caps, env);
  const caps = dockerCapabilities({ binary: state.engineBinary, clientVersion: 'unknown', serverVersion: 'unknown' }, 'none').caps;
  return new DockerBuilder({ ...caps, ...(state.buildxBuilder ? { builderName: state.buildxBuilder } : {}) }, env);
}

/**
 * The image builders of this machine, for commands that look at images rather than build them (`runs`, `prune`):
 * `docker` or `podman` alone, or with `auto` every one of them that answers. `problems` says why one is missing.
 */
export async function localBuilders(engine: EngineChoice, env: Env): Promise<{ builders: ImageBuilder[]; problems: string[] }> {
  const engines = engine === 'auto' ? (['docker', 'podman'] as const) : [engine];
  const found = await Promise.all(
    engines.map((e) =>
      detectBuilder(e, { env, cacheBackend: 'none' }).then(
        (d) => ({ builder: d.builder }),
        (err: unknown) => ({ problem: err instanceof Error ? err.message : String(err) }),
      ),
    ),
  );
  return {
    builders: found.flatMap((f) => ('builder' in f ? [f.builder] : [])),
    problems: found.flatMap((f) => ('problem' in f ? [f.problem] : [])),
  };
}
