/**
 * Finds the image builder and what it can do, cheaply (a few `version`/`inspect` calls run in parallel; no build).
 *
 * docker (the first `docker` on PATH, or `HYBRID_E2E_DOCKER`):
 * - `docker buildx version` works -> buildx. `docker buildx inspect` tells the driver: docker-container,
 *   kubernetes and remote export caches and write tarballs; the `docker` driver does neither (it builds into the
 *   daemon like BuildKit; then `docker save`).
 * - no buildx and a client older than 23.0 -> the client's built-in BuildKit (`DOCKER_BUILDKIT=1`).
 * - no buildx and a client 23.0 or newer -> legacy builder: such clients refuse `DOCKER_BUILDKIT=1` without the
 *   buildx plugin ("BuildKit is enabled but the buildx component is missing or broken").
 * - a daemon must answer `docker version` (server part present).
 * podman (the first `podman` on PATH, or `HYBRID_E2E_PODMAN`): `podman version` must answer.
 * auto: docker when its daemon answers, else podman.
 */
import { findAllExecutables, findExecutable, isExecutable, probe } from '../process.js';
import { DockerBuilder } from './docker.js';
import { PodmanBuilder } from './podman.js';
import { UserError } from '../../core/errors.js';
import type { BuilderCapabilities, CacheBackend, EngineChoice, ImageBuilder } from '../../core/engine/interfaces.js';

export interface DetectedBuilder {
  builder: ImageBuilder;
  /** Human sentence: what was found and why it was chosen. */
  reason: string;
}

/** No usable image builder (nothing installed, daemon down, forced engine missing). */
export class BuilderUnavailableError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'BuilderUnavailableError';
  }
}

export interface DetectOptions {
  env: NodeJS.ProcessEnv;
  cacheBackend: CacheBackend;
  log?: (s: string) => void;
  /** Overrides the podman build concurrency (default 1, or HYBRID_E2E_PODMAN_PARALLEL_BUILDS). */
  podmanParallelBuilds?: number;
}

interface Located {
  path?: string;
  /** Where it came from, for messages. */
  via: string;
  problem?: string;
}

async function locate(name: 'docker' | 'podman', envVar: string, env: NodeJS.ProcessEnv): Promise<Located> {
  const override = env[envVar];
  if (override) {
    if (await isExecutable(override)) return { path: override, via: `${envVar}=${override}` };
    return { via: `${envVar}=${override}`, problem: `${envVar} is set to ${override}, which is not an executable file` };
  }
  const p = await findExecutable(name, env);
  return p ? { path: p, via: 'PATH' } : { via: 'PATH', problem: `${name} was not found on PATH` };
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

/** Major version of a docker client version string (`20.10.24+dfsg1` -> 20). */
export function majorVersion(v: string): number {
  const m = /^v?(\d+)/.exec(v.trim());
  return m ? Number(m[1]) : NaN;
}

function versionAtLeast(v: string, major: number, minor: number): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(v.trim());
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a > major || (a === major && b >= minor);
}

export interface DockerProbe {
  binary: string;
  clientVersion?: string;
  serverVersion?: string;
  serverOs?: string;
  serverArch?: string;
  /** The highest API version the daemon speaks. */
  serverApiVersion?: string;
  daemonError?: string;
  buildxVersion?: string;
  buildxDriver?: string;
  buildxBuilder?: string;
}

export async function probeDocker(binary: string, env: NodeJS.ProcessEnv): Promise<DockerProbe> {
  const [ver, bx] = await Promise.all([
    probe(binary, ['version', '--format', '{{json .}}'], env, 15_000),
    probe(binary, ['buildx', 'version'], env, 10_000),
  ]);
  const out: DockerProbe = { binary };
  try {
    const j = JSON.parse(firstLine(ver.stdout) || '{}') as {
      Client?: { Version?: string } | null;
      Server?: { Version?: string; Os?: string; Arch?: string; ApiVersion?: string } | null;
    };
    out.clientVersion = j.Client?.Version;
    out.serverVersion = j.Server?.Version;
    out.serverOs = j.Server?.Os;
    out.serverArch = j.Server?.Arch;
    out.serverApiVersion = j.Server?.ApiVersion;
  } catch {
    /* unparseable: treat as no daemon */
  }
  if (!out.serverVersion) out.daemonError = firstLine(ver.stderr) || ver.error || `docker version exited ${ver.exitCode ?? '?'}`;
  if (bx.ok) {
    const m = /\bv?(\d+\.\d+\.\d+\S*)/.exec(bx.stdout);
    out.buildxVersion = m?.[1] ?? (firstLine(bx.stdout) || 'unknown');
    const insp = await probe(binary, ['buildx', 'inspect'], env, 10_000);
    if (insp.ok) {
      out.buildxDriver = /^Driver:\s*(\S+)/m.exec(insp.stdout)?.[1];
      out.buildxBuilder = /^Name:\s*(\S+)/m.exec(insp.stdout)?.[1];
    }
  }
  return out;
}

function cachePhrase(backend: CacheBackend, exported: boolean, engineCache: string): string {
  if (backend === 'none') return `no cache backend requested; using ${engineCache}`;
  if (exported) return `cache backend '${backend}' exported and imported by the builder`;
  return `cache export unavailable (backend '${backend}' ignored), using ${engineCache}`;
}

/** The engine host's platform in `os/arch` form (Node's arch names mapped to OCI's). */
export function hostPlatform(os: string = process.platform === 'darwin' ? 'linux' : process.platform, arch: string = process.arch): string {
  const oci: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', ia32: '386' };
  return `${os}/${oci[arch] ?? arch}`;
}

/**
 * `docker save --platform` needs a client that has the flag (28+) and a daemon with API 1.48+. Without it, a daemon
 * with the classic image store saves the one platform it pulled, which kind imports fine; only Docker's containerd
 * image store (default from Docker 29) saves an index of every platform with the blobs of one.
 */
function savePlatform(p: DockerProbe): { savePlatform: boolean; platformNote?: string } {
  const server = /^(\d+)\.(\d+)/.exec(p.serverApiVersion ?? '');
  const serverOk = server ? Number(server[1]) > 1 || (Number(server[1]) === 1 && Number(server[2]) >= 48) : false;
  const clientOk = majorVersion(p.clientVersion ?? '') >= 28;
  if (serverOk && clientOk) return { savePlatform: true };
  return {
    savePlatform: false,
    platformNote: `docker ${p.clientVersion ?? '?'} with a daemon of API ${p.serverApiVersion ?? '?'} cannot save one platform (docker save --platform needs client 28+ and API 1.48+); not needed here: such a daemon keeps and saves only the platform it pulled`,
  };
}

/** Capabilities and reason for a probed docker (pure: unit-testable with synthetic probes). */
export function dockerCapabilities(p: DockerProbe, backend: CacheBackend): { caps: BuilderCapabilities; reason: string } {
  const version = p.clientVersion ?? 'unknown';
  const platform = { platform: p.serverArch ? `${p.serverOs ?? 'linux'}/${p.serverArch}` : hostPlatform(), ...savePlatform(p) };
  const head = `docker ${version} at ${p.binary}`;
  const engineCache = "the engine's layer cache";
  if (p.buildxVersion) {
    const driver = p.buildxDriver ?? 'unknown';
    const full = driver !== 'docker' && driver !== 'unknown';
    const cacheExport = full && backend !== 'none';
    const caps: BuilderCapabilities = {
      engine: 'docker',
      kind: 'buildx',
      binary: p.binary,
      version,
      cacheExport,
      outputTarball: full,
      driver,
      tarballOnly: full,
      ...platform,
    };
    const builder = p.buildxBuilder ? `builder "${p.buildxBuilder}"` : 'the current builder';
    let reason: string;
    if (full) {
      reason = `${head}: buildx ${p.buildxVersion} with ${builder} (${driver} driver) -> buildx; ${cachePhrase(backend, cacheExport, engineCache)}; images written straight to a docker-archive tarball`;
    } else {
      reason =
        `${head}: buildx ${p.buildxVersion} with ${builder} (${driver} driver: no cache export, no tarball output) -> buildx building into the daemon, then docker save; ` +
        `${cachePhrase(backend, false, engineCache)}` +
        (backend !== 'none' ? ' (use a docker-container builder, e.g. docker/setup-buildx-action, to export it)' : '');
      if (backend !== 'none') caps.cacheNote = `buildx ${driver} driver cannot export the '${backend}' cache: using ${engineCache}`;
    }
    return { caps, reason };
  }
  const major = majorVersion(version);
  const builtInBuildkit = Number.isFinite(major) && major < 23 && (p.serverOs ?? 'linux') === 'linux';
  const kind = builtInBuildkit ? 'buildkit' : 'legacy';
  const caps: BuilderCapabilities = {
    engine: 'docker',
    kind,
    binary: p.binary,
    version,
    cacheExport: false,
    outputTarball: false,
    ...platform,
  };
  if (backend !== 'none')
    caps.cacheNote = `${kind === 'buildkit' ? 'BuildKit (no buildx)' : 'the legacy builder'} cannot export the '${backend}' cache: using ${engineCache}`;
  const why = builtInBuildkit
    ? 'BuildKit built in, no buildx plugin -> BuildKit builder'
    : `no buildx plugin${Number.isFinite(major) && major >= 23 ? ', and this client (>= 23) needs it for BuildKit' : ''} -> legacy builder`;
  return { caps, reason: `${head}: ${why}; ${cachePhrase(backend, false, engineCache)}` };
}

export interface PodmanProbe {
  binary: string;
  version?: string;
  error?: string;
}

export async function probePodman(binary: string, env: NodeJS.ProcessEnv): Promise<PodmanProbe> {
  const r = await probe(binary, ['version', '--format', '{{.Client.Version}}'], env, 15_000);
  const version = firstLine(r.stdout);
  if (r.ok && version) return { binary, version };
  return { binary, error: firstLine(r.stderr) || r.error || `podman version exited ${r.exitCode ?? '?'}` };
}

export function podmanCapabilities(
  p: PodmanProbe,
  backend: CacheBackend,
  env: NodeJS.ProcessEnv,
  parallel?: number,
): { caps: BuilderCapabilities; reason: string } {
  const version = p.version ?? 'unknown';
  const fromEnv = Number(env.HYBRID_E2E_PODMAN_PARALLEL_BUILDS);
  const maxParallelBuilds = Math.max(1, Math.floor(parallel ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 1)));
  const cacheExport = backend === 'registry' && versionAtLeast(version, 4, 1);
  const engineCache = "podman's layer cache";
  const caps: BuilderCapabilities = {
    engine: 'podman',
    kind: 'podman',
    binary: p.binary,
    version,
    cacheExport,
    outputTarball: false,
    maxParallelBuilds,
    // Podman pulls one platform of a multi-arch image (its host's, or --platform) and saves what it has.
    platform: hostPlatform(),
    savePlatform: false,
    platformNote: `podman saves the single platform it pulled (${hostPlatform()}): no --platform needed`,
  };
  if (backend !== 'none' && !cacheExport) caps.cacheNote = `podman cannot export the '${backend}' cache: using ${engineCache}`;
  const par =
    maxParallelBuilds === 1 ? 'builds serialised (parallel podman builds have crashed)' : `at most ${maxParallelBuilds} parallel builds`;
  return {
    caps,
    reason: `podman ${version} at ${p.binary} -> podman build --layers, ${par}; ${cachePhrase(backend, cacheExport, engineCache)}`,
  };
}

/** Higher is better: cache export + tarball output > BuildKit > legacy. */
function rank(caps: BuilderCapabilities): number {
  if (caps.kind === 'buildx') return caps.outputTarball ? 3 : 2;
  return caps.kind === 'buildkit' ? 2 : 1;
}

function shortKind(caps: BuilderCapabilities): string {
  return caps.kind === 'legacy'
    ? 'legacy builder only'
    : caps.kind === 'buildkit'
      ? 'BuildKit, no cache export'
      : `buildx (${caps.driver ?? '?'} driver)`;
}

/**
 * With `HYBRID_E2E_DOCKER` that binary is used. Otherwise every `docker` on PATH is probed (in parallel) and the
 * first one with the best builder wins: e.g. a docker 28 client without the buildx plugin (legacy builder only)
 * first on PATH loses to a docker 20.10 client (BuildKit built in) later on PATH. Both talk to the same daemon.
 */
async function tryDocker(opts: DetectOptions): Promise<{ ok: DetectedBuilder } | { problem: string }> {
  let binaries: string[];
  if (opts.env.HYBRID_E2E_DOCKER) {
    const loc = await locate('docker', 'HYBRID_E2E_DOCKER', opts.env);
    if (!loc.path) return { problem: loc.problem ?? 'docker not found' };
    binaries = [loc.path];
  } else {
    binaries = await findAllExecutables('docker', opts.env);
    if (binaries.length === 0) return { problem: 'docker was not found on PATH' };
  }
  const probes = await Promise.all(binaries.map((b) => probeDocker(b, opts.env)));
  const usable = probes.filter((p) => p.serverVersion !== undefined).map((p) => ({ p, ...dockerCapabilities(p, opts.cacheBackend) }));
  if (usable.length === 0) {
    const p = probes[0]!;
    return {
      problem:
        `docker ${p.clientVersion ?? ''} at ${p.binary}: the daemon did not answer (${p.daemonError ?? 'no server version'})`.replace(
          'docker  at',
          'docker at',
        ),
    };
  }
  const first = usable[0]!;
  let best = first;
  for (const u of usable) if (rank(u.caps) > rank(best.caps)) best = u;
  let reason = best.reason;
  if (best !== first) {
    reason += `; preferred over docker ${first.caps.version} at ${first.caps.binary} (first on PATH: ${shortKind(first.caps)})`;
  }
  return { ok: { builder: new DockerBuilder(best.caps, opts.env), reason } };
}

async function tryPodman(opts: DetectOptions): Promise<{ ok: DetectedBuilder } | { problem: string }> {
  const loc = await locate('podman', 'HYBRID_E2E_PODMAN', opts.env);
  if (!loc.path) return { problem: loc.problem ?? 'podman not found' };
  const p = await probePodman(loc.path, opts.env);
  if (!p.version) return { problem: `podman at ${loc.path} does not work (${p.error ?? 'no version'})` };
  const { caps, reason } = podmanCapabilities(p, opts.cacheBackend, opts.env, opts.podmanParallelBuilds);
  return { ok: { builder: new PodmanBuilder(caps, opts.env), reason } };
}

const INSTALL_DOCKER =
  'install Docker and start its daemon (on GitHub runners it is preinstalled), or set HYBRID_E2E_DOCKER to the docker binary';
const INSTALL_PODMAN = 'install podman (e.g. apt-get install podman / dnf install podman), or set HYBRID_E2E_PODMAN to the podman binary';

export async function detectBuilder(choice: EngineChoice, opts: DetectOptions): Promise<DetectedBuilder> {
  const started = Date.now();
  const done = (d: DetectedBuilder): DetectedBuilder => {
    opts.log?.(`builder: ${d.reason} (detected in ${Date.now() - started} ms)`);
    return d;
  };
  if (choice === 'docker') {
    const d = await tryDocker(opts);
    if ('ok' in d) return done(d.ok);
    throw new BuilderUnavailableError(`engine docker is not usable: ${d.problem}. To fix: ${INSTALL_DOCKER}; or use engine podman.`);
  }
  if (choice === 'podman') {
    const p = await tryPodman(opts);
    if ('ok' in p) return done(p.ok);
    throw new BuilderUnavailableError(`engine podman is not usable: ${p.problem}. To fix: ${INSTALL_PODMAN}; or use engine docker.`);
  }
  const [d, p] = await Promise.all([tryDocker(opts), tryPodman(opts)]);
  if ('ok' in d) return done({ builder: d.ok.builder, reason: `auto: ${d.ok.reason}` });
  if ('ok' in p) return done({ builder: p.ok.builder, reason: `auto: docker not usable (${d.problem}); ${p.ok.reason}` });
  throw new BuilderUnavailableError(
    `no usable image builder: ${d.problem}; ${p.problem}. To fix: ${INSTALL_DOCKER}; or ${INSTALL_PODMAN}.`,
  );
}

/**
 * buildx whose current builder uses the `docker` driver (GitHub-hosted runners' default) cannot export a layer cache,
 * so `gha`, `local` and `registry` would do nothing. Such a run gets a builder of its own with the docker-container
 * driver, as docker/setup-buildx-action creates one: `docker buildx create --driver docker-container`. Its images
 * go to tarballs (and so to kind); `down` and the post step remove it.
 */
export function needsRunBuilder(caps: BuilderCapabilities, backend: CacheBackend): boolean {
  return caps.kind === 'buildx' && caps.driver === 'docker' && backend !== 'none';
}

/** Creates the run's docker-container builder and returns the builder that uses it. */
export async function createRunBuilder(
  d: DetectedBuilder,
  name: string,
  backend: CacheBackend,
  env: NodeJS.ProcessEnv,
): Promise<DetectedBuilder> {
  const caps = d.builder.caps;
  const r = await probe(caps.binary, ['buildx', 'create', '--name', name, '--driver', 'docker-container', '--bootstrap'], env, 180_000);
  if (!r.ok) {
    throw new BuilderUnavailableError(
      `docker buildx create --driver docker-container failed (${firstLine(r.stderr) || r.error || `exit ${r.exitCode ?? '?'}`}); the '${backend}' cache needs a builder that can export it. Use cache: none, or set one up first (docker/setup-buildx-action).`,
    );
  }
  const { cacheNote: _none, ...rest } = caps;
  const withBuilder: BuilderCapabilities = {
    ...rest,
    driver: 'docker-container',
    builderName: name,
    cacheExport: true,
    outputTarball: true,
    tarballOnly: true,
  };
  return {
    builder: new DockerBuilder(withBuilder, env),
    reason: `${d.reason}; created the run's own docker-container builder "${name}" so the '${backend}' cache is exported (removed by down and the post step)`,
  };
}
