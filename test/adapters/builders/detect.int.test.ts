import { execFileSync } from 'node:child_process';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BuilderUnavailableError,
  detectBuilder,
  dockerCapabilities,
  podmanCapabilities,
  type DockerProbe,
} from '../../../src/adapters/builders/detect.js';
import { DOCKER_BUILTIN_BUILDKIT, DOCKER_V28_NO_BUILDX, PODMAN, has, tmpDir, uid } from './helpers.js';

const env = { ...process.env };
const clientVersion = (bin: string): string =>
  execFileSync(bin, ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8' }).trim();
let empty: { dir: string; cleanup: () => void };
beforeAll(() => {
  empty = tmpDir('hybrid-e2e-bt-path-');
});
afterAll(() => empty?.cleanup());

describe('detectBuilder on the real engines', () => {
  it('docker 20.10 without buildx: BuildKit built in, and it says why and what happens to the cache', async () => {
    const logs: string[] = [];
    const d = await detectBuilder('docker', {
      env: { ...env, HYBRID_E2E_DOCKER: DOCKER_BUILTIN_BUILDKIT },
      cacheBackend: 'gha',
      log: (s) => logs.push(s),
    });
    const v = clientVersion(DOCKER_BUILTIN_BUILDKIT);
    expect(d.builder.caps).toMatchObject({
      engine: 'docker',
      kind: 'buildkit',
      binary: DOCKER_BUILTIN_BUILDKIT,
      version: v,
      cacheExport: false,
      outputTarball: false,
    });
    expect(d.reason).toBe(
      `docker ${v} at ${DOCKER_BUILTIN_BUILDKIT}: BuildKit built in, no buildx plugin -> BuildKit builder; cache export unavailable (backend 'gha' ignored), using the engine's layer cache`,
    );
    expect(d.builder.caps.cacheNote).toMatch(/cannot export the 'gha' cache/);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain(d.reason);
  });

  it.skipIf(!has(DOCKER_V28_NO_BUILDX))('docker >= 23 without the buildx plugin falls back to the legacy builder', async () => {
    const d = await detectBuilder('docker', { env: { ...env, HYBRID_E2E_DOCKER: DOCKER_V28_NO_BUILDX }, cacheBackend: 'none' });
    const v = clientVersion(DOCKER_V28_NO_BUILDX);
    expect(d.builder.caps).toMatchObject({ kind: 'legacy', binary: DOCKER_V28_NO_BUILDX, version: v, cacheExport: false });
    expect(d.reason).toBe(
      `docker ${v} at ${DOCKER_V28_NO_BUILDX}: no buildx plugin, and this client (>= 23) needs it for BuildKit -> legacy builder; no cache backend requested; using the engine's layer cache`,
    );
    expect(d.builder.caps.cacheNote).toBeUndefined();
  });

  it('podman: serialised builds by default, overridable, and the reason names version and path', async () => {
    const v = execFileSync(PODMAN, ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8' }).trim();
    const d = await detectBuilder('podman', { env: { ...env, HYBRID_E2E_PODMAN: PODMAN }, cacheBackend: 'local' });
    expect(d.builder.caps).toMatchObject({ engine: 'podman', kind: 'podman', version: v, maxParallelBuilds: 1, cacheExport: false });
    expect(d.reason).toContain(`podman ${v} at ${PODMAN} -> podman build --layers, builds serialised`);
    expect(d.reason).toContain("backend 'local' ignored");
    const d3 = await detectBuilder('podman', {
      env: { ...env, HYBRID_E2E_PODMAN: PODMAN, HYBRID_E2E_PODMAN_PARALLEL_BUILDS: '3' },
      cacheBackend: 'none',
    });
    expect(d3.builder.caps.maxParallelBuilds).toBe(3);
    expect(d3.reason).toContain('at most 3 parallel builds');
  });

  it('auto picks docker when its daemon answers', async () => {
    const d = await detectBuilder('auto', { env: { ...env, PATH: '/usr/bin' }, cacheBackend: 'none' });
    expect(d.builder.caps).toMatchObject({ engine: 'docker', binary: DOCKER_BUILTIN_BUILDKIT, kind: 'buildkit' });
    expect(
      d.reason.startsWith(`auto: docker ${clientVersion(DOCKER_BUILTIN_BUILDKIT)} at ${DOCKER_BUILTIN_BUILDKIT}: BuildKit built in`),
    ).toBe(true);
  });

  it.skipIf(!has(DOCKER_V28_NO_BUILDX))(
    'a legacy-only docker first on PATH loses to a BuildKit-capable one later on PATH, and the reason says so',
    async () => {
      const first = tmpDir('hybrid-e2e-bt-first-');
      try {
        symlinkSync(DOCKER_V28_NO_BUILDX, path.join(first.dir, 'docker'));
        const d = await detectBuilder('docker', { env: { ...env, PATH: `${first.dir}:/usr/bin` }, cacheBackend: 'none' });
        expect(d.builder.caps.binary).toBe(DOCKER_BUILTIN_BUILDKIT);
        expect(d.builder.caps.kind).toBe('buildkit');
        expect(d.reason).toMatch(
          new RegExp(
            `; preferred over docker ${clientVersion(DOCKER_V28_NO_BUILDX).replace(/\./g, '\\.')} at ${first.dir}/docker \\(first on PATH: legacy builder only\\)$`,
          ),
        );
        // Alone on PATH, it is used as it is: legacy.
        const alone = await detectBuilder('docker', { env: { ...env, PATH: first.dir }, cacheBackend: 'none' });
        expect(alone.builder.caps.kind).toBe('legacy');
      } finally {
        first.cleanup();
      }
    },
  );

  it('auto falls back to podman when the docker daemon does not answer, and says so', async () => {
    const noDaemon = { ...env, HYBRID_E2E_DOCKER: DOCKER_BUILTIN_BUILDKIT, DOCKER_HOST: `unix:///tmp/hybrid-e2e-no-daemon-${uid()}.sock` };
    const d = await detectBuilder('auto', { env: noDaemon, cacheBackend: 'none' });
    expect(d.builder.caps.engine).toBe('podman');
    expect(d.reason).toMatch(/^auto: docker not usable \(docker \S+ at \/usr\/bin\/docker: the daemon did not answer \(.+\)\); podman /);
    const err = await detectBuilder('docker', { env: noDaemon, cacheBackend: 'none' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuilderUnavailableError);
    expect((err as Error).message).toMatch(/engine docker is not usable: .*daemon did not answer.*start its daemon/);
  });

  it('nothing usable: a clear error that says what to install', async () => {
    const bare = { PATH: empty.dir, HOME: env.HOME };
    const err = await detectBuilder('auto', { env: bare, cacheBackend: 'none' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuilderUnavailableError);
    const msg = (err as Error).message;
    expect(msg).toContain('docker was not found on PATH');
    expect(msg).toContain('podman was not found on PATH');
    expect(msg).toMatch(/install Docker and start its daemon/);
    expect(msg).toMatch(/install podman/);
    const perr = await detectBuilder('podman', { env: bare, cacheBackend: 'none' }).catch((e: unknown) => e);
    expect((perr as Error).message).toMatch(/^engine podman is not usable: podman was not found on PATH/);
  });

  it('an override that is not an executable is reported by its variable name', async () => {
    const notExec = path.join(empty.dir, 'docker-not-exec');
    writeFileSync(notExec, 'not a program');
    chmodSync(notExec, 0o644);
    const err = await detectBuilder('docker', { env: { ...env, HYBRID_E2E_DOCKER: notExec }, cacheBackend: 'none' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuilderUnavailableError);
    expect((err as Error).message).toContain(`HYBRID_E2E_DOCKER is set to ${notExec}, which is not an executable file`);
  });
});

describe('capability decisions (probe results as input)', () => {
  const base: DockerProbe = { binary: '/x/docker', clientVersion: '27.1.0', serverVersion: '27.1.0', serverOs: 'linux' };

  it('buildx with a docker-container builder exports the cache and writes tarballs directly', () => {
    const { caps, reason } = dockerCapabilities(
      { ...base, buildxVersion: '0.16.2', buildxDriver: 'docker-container', buildxBuilder: 'ci' },
      'gha',
    );
    expect(caps).toMatchObject({ kind: 'buildx', cacheExport: true, outputTarball: true, tarballOnly: true, driver: 'docker-container' });
    expect(caps.cacheNote).toBeUndefined();
    expect(reason).toContain('buildx 0.16.2 with builder "ci" (docker-container driver) -> buildx');
    expect(reason).toContain("cache backend 'gha' exported");
  });

  it('buildx with the docker driver cannot export a cache nor write a tarball, and says how to fix it', () => {
    const { caps, reason } = dockerCapabilities(
      { ...base, buildxVersion: '0.16.2', buildxDriver: 'docker', buildxBuilder: 'default' },
      'local',
    );
    expect(caps).toMatchObject({ kind: 'buildx', cacheExport: false, outputTarball: false });
    expect(caps.tarballOnly).toBeFalsy();
    expect(caps.cacheNote).toContain("'local'");
    expect(reason).toContain('docker-container builder');
  });

  it('client major version decides between built-in BuildKit and legacy when buildx is absent', () => {
    expect(dockerCapabilities({ ...base, clientVersion: '20.10.24+dfsg1' }, 'none').caps.kind).toBe('buildkit');
    expect(dockerCapabilities({ ...base, clientVersion: '23.0.0' }, 'none').caps.kind).toBe('legacy');
    expect(dockerCapabilities({ ...base, clientVersion: '19.03.1', serverOs: 'windows' }, 'none').caps.kind).toBe('legacy');
  });

  it('podman exports only a registry cache (>= 4.1)', () => {
    expect(podmanCapabilities({ binary: '/p', version: '4.3.1' }, 'registry', {}).caps.cacheExport).toBe(true);
    expect(podmanCapabilities({ binary: '/p', version: '3.4.4' }, 'registry', {}).caps.cacheExport).toBe(false);
    expect(podmanCapabilities({ binary: '/p', version: '4.3.1' }, 'gha', {}).caps.cacheExport).toBe(false);
    expect(podmanCapabilities({ binary: '/p', version: '4.3.1' }, 'gha', {}, 2).caps.maxParallelBuilds).toBe(2);
  });
});
