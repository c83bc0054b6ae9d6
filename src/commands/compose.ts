/**
 * The one place that builds adapters: the image builder (detected, or the one a run recorded), kind and kubectl.
 * Commands get their tools from here; core only sees the interfaces.
 */
import path from 'node:path';
import { DockerBuilder } from '../adapters/builders/docker.js';
import { detectBuilder, dockerCapabilities, podmanCapabilities, type DetectedBuilder } from '../adapters/builders/detect.js';
import { PodmanBuilder } from '../adapters/builders/podman.js';
import { Kind } from '../adapters/kind.js';
import { Kubectl } from '../adapters/kubectl.js';
import type { CacheBackend, ClusterTool, EngineChoice, EngineTools, ImageBuilder, KubeClient } from '../core/engine/interfaces.js';
import type { RunState } from '../core/engine/run-state.js';

export type Env = Record<string, string | undefined>;

/** Detects the builder (docker or podman, and what it can do) for a run. */
export function detect(engine: EngineChoice, cache: CacheBackend, env: Env): Promise<DetectedBuilder> {
  return detectBuilder(engine, { env, cacheBackend: cache });
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
export function builderOfRun(state: Pick<RunState, 'provider' | 'engineBinary'>, env: Env): ImageBuilder {
  if (state.provider === 'podman')
    return new PodmanBuilder(podmanCapabilities({ binary: state.engineBinary, version: 'unknown' }, 'none', env).caps, env);
  return new DockerBuilder(
    dockerCapabilities({ binary: state.engineBinary, clientVersion: 'unknown', serverVersion: 'unknown' }, 'none').caps,
    env,
  );
}
