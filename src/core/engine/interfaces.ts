/**
 * What the engine needs from the outside world, owned here and implemented by src/adapters (docker/podman builders,
 * kind, kubectl) and by in-memory fakes in the unit tests. The engine never spawns a process itself.
 */

export type EngineChoice = 'auto' | 'docker' | 'podman';
export type CacheBackend = 'gha' | 'local' | 'registry' | 'none';

/** Per call: cancellation and a deadline. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface BuilderCapabilities {
  engine: 'docker' | 'podman';
  /**
   * - `buildx`: `docker buildx build` (cache export and tarball output only with a docker-container/kubernetes/remote driver)
   * - `buildkit`: `DOCKER_BUILDKIT=1 docker build` with the BuildKit built into a pre-23 docker client
   * - `legacy`: `DOCKER_BUILDKIT=0 docker build`
   * - `podman`: `podman build --layers`
   */
  kind: 'buildx' | 'buildkit' | 'legacy' | 'podman';
  /** Absolute path of the engine binary that is run. */
  binary: string;
  /** Engine client version as reported (e.g. `20.10.24+dfsg1`, `4.3.1`). */
  version: string;
  /** The requested cache backend is exported/imported by the builder (otherwise only the engine's own layer cache is used). */
  cacheExport: boolean;
  /** The builder writes the docker-archive tarball directly (`--output type=docker,dest=`), no separate `save`. */
  outputTarball: boolean;
  /**
   * Upper bound on concurrent builds this builder tolerates; undefined = no builder-imposed limit.
   * Podman defaults to 1 (parallel `podman build`s have crashed for our users); the builder also enforces it.
   */
  maxParallelBuilds?: number;
  /** One sentence to log once when the requested cache backend cannot be used (also set on the first BuildResult). */
  cacheNote?: string;
  /** buildx only: the builder's driver (`docker`, `docker-container`, ...). */
  driver?: string;
  /** Images built with a tarball output are NOT in the engine's local image store (buildx docker-container driver). */
  tarballOnly?: boolean;
  /** `os/arch` of the engine's host: the kind nodes' platform, the one prebuilt images are pulled and saved for. */
  platform: string;
  /**
   * `save` can be limited to one platform (`docker save --platform`, API 1.48+). With Docker's containerd image store
   * an unlimited save lists every platform of a multi-arch image but holds the blobs of one, and kind's
   * `ctr import --all-platforms` then fails.
   */
  savePlatform: boolean;
  /** Why `save` is not limited to a platform, when it is not (logged once with a prebuilt image). */
  platformNote?: string;
  /** buildx: the run's own builder (`--builder`), created for the run and removed by `down`. */
  builderName?: string;
}

export interface BuildRequest {
  service: string;
  /** Absolute path of the build context. */
  context: string;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  /** Repository, e.g. `localhost/kubernaut/gateway`. */
  image: string;
  /** Full reference `repo:tag`. */
  tag: string;
  /** More tags for the same image, given at build time. */
  extraTags?: string[];
  args: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
  cache: {
    backend: CacheBackend;
    /** Per image (gha scope). */
    scope: string;
    /** local backend: directory to import from (skipped when missing). */
    dir?: string;
    /** local backend: new directory to export to (rotation); defaults to `dir`. */
    dirOut?: string;
    /** registry backend: the cache repository (builds.cacheRef); the builder adds the scope. */
    ref?: string;
  };
  /** If set, produce a docker-archive tarball at this path. */
  tarball?: string;
  /** `none` (default for tests) disables networking in RUN steps. */
  network?: 'none' | 'default';
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  /** Extra environment for the build process (merged over the builder's environment). */
  env?: Record<string, string>;
}

export interface BuildResult {
  ref: string;
  imageId: string;
  tarball?: string;
  tarballBytes?: number;
  /** Every step was a cache hit (or the image was reused). */
  cached: boolean;
  /** Steps counted for `cached` (Dockerfile instructions that do work; FROM and injected LABEL steps excluded). */
  steps?: { total: number; cached: number };
  cacheNote?: string;
  /** Last ~30 output lines. */
  logTail: string[];
  /** Number of attempts (podman retries once on a crash signature). */
  attempts?: number;
  durationMs?: number;
}

export interface LocalImage {
  id: string;
  tags: string[];
  labels: Record<string, string>;
  createdMs: number;
  bytes: number;
}

/** docker or podman. Failures throw BuildError (core/errors.ts). */
export interface ImageBuilder {
  readonly caps: BuilderCapabilities;
  build(req: BuildRequest): Promise<BuildResult>;
  /** Writes a docker-archive tarball (of `platform` only, where the engine can: `caps.savePlatform`). */
  save(ref: string, dest: string, signal?: AbortSignal, platform?: string): Promise<{ bytes: number }>;
  /** Writes one docker-archive of several images: layers they share are written once. */
  saveMany(refs: string[], dest: string, signal?: AbortSignal, platform?: string): Promise<{ bytes: number }>;
  imageExists(ref: string): Promise<boolean>;
  /** Every local image carrying `label`, by its value: a tagged reference where there is one, else the image id. */
  imagesByLabel(label: string): Promise<Map<string, string>>;
  /** Every local image carrying `label`, with its tags, labels, creation time and size. */
  labelledImages(label: string): Promise<LocalImage[]>;
  tag(src: string, dest: string): Promise<void>;
  /** Idempotent: missing images are ignored. */
  removeImages(refs: string[]): Promise<void>;
  /** Removes what the builder created for the run (a buildx builder); a no-op otherwise. Idempotent. */
  dispose(): Promise<void>;
  /** Where the engine keeps images on this machine (undefined: not known, e.g. a remote daemon). */
  dataRoot(): Promise<string | undefined>;
  /** Pulls the image for `platform` (`os/arch`). */
  pull(ref: string, signal?: AbortSignal, platform?: string): Promise<void>;
}

export interface CreateClusterSpec {
  name: string;
  /** kind config file written for this run. */
  config?: string;
  nodeImage?: string;
  /** The run's own kubeconfig: kind writes only this file. */
  kubeconfig: string;
  /** `kind create cluster --wait`. */
  waitMs: number;
  /** Keep the nodes of a failed create (so their logs can be exported). */
  retain?: boolean;
}

/** kind. Failures throw ToolError (core/errors.ts). */
export interface ClusterTool {
  create(spec: CreateClusterSpec, o?: CallOptions): Promise<void>;
  /** Deletes the cluster; kind edits only `kubeconfig` (the run's), never the user's. */
  delete(name: string, kubeconfig: string, o?: CallOptions): Promise<void>;
  loadImageArchive(tarball: string, cluster: string, o?: CallOptions): Promise<void>;
  exportLogs(dir: string, cluster: string, o?: CallOptions): Promise<void>;
}

export interface PodState {
  name: string;
  namespace: string;
  ready: boolean;
}

/** One change of a watched resource, as the API server streams it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

/** kubectl, bound to one kubeconfig. Failures throw ToolError. */
export interface KubeClient {
  /**
   * Lists a collection (an API path such as `/apis/apps/v1/deployments`, all namespaces) and then watches it from
   * the list's resourceVersion: every listed object comes as ADDED, then `onSynced`, then every change. Resolves when
   * the watch ends (the server closed it, an ERROR event, or `signal`).
   */
  watch(path: string, onEvent: (e: WatchEvent) => void, o: { signal: AbortSignal; onSynced: () => void }): Promise<void>;
  /** Server-side apply of a manifest file (into `namespace` unless the objects say otherwise). */
  apply(file: string, namespace: string | undefined, o?: CallOptions): Promise<void>;
  /** Renders a kustomize directory (client side). */
  kustomize(dir: string, o?: CallOptions): Promise<string>;
  /** `wait --for=<condition>` on each target, blocking up to `timeoutMs`. */
  waitFor(condition: string, targets: readonly string[], namespace: string | undefined, timeoutMs: number, o?: CallOptions): Promise<void>;
  /** Every pod of the cluster, and whether it is ready (for diagnostics). */
  pods(o?: CallOptions): Promise<PodState[]>;
  /** `get events -A` as kubectl prints it. */
  events(o?: CallOptions): Promise<string>;
  describePod(name: string, namespace: string, o?: CallOptions): Promise<string>;
  podLogs(name: string, namespace: string, o?: CallOptions): Promise<string>;
}

/** What every Kubernetes object has; the rest is read field by field. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; uid?: string }>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** The adapters a run uses. */
export interface EngineTools {
  builder: ImageBuilder;
  cluster: ClusterTool;
  /** A client for the run's cluster (the kubeconfig kind writes). */
  kube: KubeClient;
}
