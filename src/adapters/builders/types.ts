import { UserError } from '../../core/errors.js';

export type EngineChoice = 'auto' | 'docker' | 'podman';
export type CacheBackend = 'gha' | 'local' | 'registry' | 'none';

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
}

export interface DetectedBuilder {
  builder: Builder;
  /** Human sentence: what was found and why it was chosen. */
  reason: string;
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
    /** registry backend: cache reference. */
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

export interface Builder {
  readonly caps: BuilderCapabilities;
  /** Throws BuildError on failure or cancellation. */
  build(req: BuildRequest): Promise<BuildResult>;
  /** Writes a docker-archive tarball. */
  save(ref: string, dest: string, signal?: AbortSignal): Promise<{ bytes: number }>;
  imageExists(ref: string): Promise<boolean>;
  /** An existing local image ref (preferred) or id carrying this label (content-addressed reuse). */
  findByLabel(label: string, value: string): Promise<string | undefined>;
  tag(src: string, dest: string): Promise<void>;
  /** Idempotent: missing images are ignored. */
  removeImages(refs: string[]): Promise<void>;
  pull(ref: string, signal?: AbortSignal): Promise<void>;
}

export interface BuildErrorDetails {
  service?: string;
  exitCode?: number;
  signal?: string;
  logTail: string[];
  /** Name of the failing step (e.g. `[2/3] RUN make`) when it could be identified. */
  failedStep?: string;
  /** Last lines of the failing step's output. */
  stepTail?: string[];
  cancelled?: boolean;
  attempts?: number;
}

/** A build (or save/pull/tag) that failed or was cancelled. */
export class BuildError extends Error {
  readonly service?: string;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly logTail: string[];
  readonly failedStep?: string;
  readonly stepTail?: string[];
  readonly cancelled: boolean;
  readonly attempts?: number;

  constructor(message: string, d: BuildErrorDetails) {
    super(message);
    this.name = 'BuildError';
    this.service = d.service;
    this.exitCode = d.exitCode;
    this.signal = d.signal;
    this.logTail = d.logTail;
    this.failedStep = d.failedStep;
    this.stepTail = d.stepTail;
    this.cancelled = d.cancelled ?? false;
    this.attempts = d.attempts;
  }

  /** The same fields as one object (for callers that read `err.details`). */
  get details(): BuildErrorDetails {
    return {
      service: this.service,
      exitCode: this.exitCode,
      signal: this.signal,
      logTail: this.logTail,
      failedStep: this.failedStep,
      stepTail: this.stepTail,
      cancelled: this.cancelled,
      attempts: this.attempts,
    };
  }
}

/** No usable image builder (nothing installed, daemon down, forced engine missing). */
export class BuilderUnavailableError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'BuilderUnavailableError';
  }
}
