/**
 * Argument construction and output classification for cases the machine cannot run for real (no buildx plugin
 * here; podman crashes are not reproducible on demand). The real-engine suites cover BuildKit, legacy and podman.
 */
import { describe, expect, it } from 'vitest';
import { buildxCacheArgs, csvField, dockerBuildInvocation } from '../../../src/adapters/builders/docker.js';
import { isPodmanCrash, podmanBuildArgs } from '../../../src/adapters/builders/podman.js';
import { BuildOutputParser } from '../../../src/adapters/builders/build-output.js';
import type { BuilderCapabilities, BuildRequest } from '../../../src/core/engine/interfaces.js';

const req = (over: Partial<BuildRequest> = {}): BuildRequest => ({
  service: 'gateway',
  context: '/src/gw',
  dockerfile: '/src/gw/Dockerfile',
  image: 'localhost/kubernaut/gateway',
  tag: 'localhost/kubernaut/gateway:e2e-r1-abcdef12',
  args: { Z: 'last', A: 'first' },
  labels: { 'io.hybrid-e2e.run': 'r1', 'io.hybrid-e2e.inputs': 'abc' },
  cache: { backend: 'gha', scope: 'localhost_kubernaut_gateway' },
  ...over,
});

const buildxCaps: BuilderCapabilities = {
  engine: 'docker',
  kind: 'buildx',
  binary: '/usr/bin/docker',
  version: '27.0.0',
  cacheExport: true,
  outputTarball: true,
  driver: 'docker-container',
  platform: 'linux/amd64',
  savePlatform: true,
};

/** Value following the n-th occurrence of a flag. */
const after = (args: string[], flag: string): string[] => args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));

describe('docker invocations', () => {
  it('buildx with a container driver writes the tarball directly and exports a per-image gha cache', () => {
    const inv = dockerBuildInvocation(buildxCaps, req({ tarball: '/tmp/run/gateway.tar' }), '/tmp/x');
    expect(inv.args.slice(0, 2)).toEqual(['buildx', 'build']);
    expect(after(inv.args, '--output')).toEqual(['type=docker,dest=/tmp/run/gateway.tar']);
    expect(inv.args).not.toContain('--load');
    expect(after(inv.args, '--cache-from')).toEqual(['type=gha,scope=localhost_kubernaut_gateway']);
    expect(after(inv.args, '--cache-to')).toEqual(['type=gha,scope=localhost_kubernaut_gateway,mode=max,ignore-error=true']);
    expect(after(inv.args, '--build-arg')).toEqual(['A=first', 'Z=last']); // sorted
    expect(after(inv.args, '--label')).toEqual(['io.hybrid-e2e.inputs=abc', 'io.hybrid-e2e.run=r1']);
    expect(inv.args[inv.args.length - 1]).toBe('/src/gw');
  });

  it('buildx with the docker driver loads into the daemon and passes no cache flags', () => {
    const inv = dockerBuildInvocation(
      { ...buildxCaps, cacheExport: false, outputTarball: false, driver: 'docker' },
      req({ tarball: '/t.tar' }),
      '/tmp/x',
    );
    expect(inv.args).toContain('--load');
    expect(inv.args).not.toContain('--output');
    expect(inv.args).not.toContain('--cache-to');
  });

  it('BuildKit and legacy set DOCKER_BUILDKIT and never pass cache export flags; legacy uses --force-rm', () => {
    const bk = dockerBuildInvocation(
      { ...buildxCaps, kind: 'buildkit', cacheExport: false, outputTarball: false },
      req({ network: 'none', target: 'prod' }),
      '/tmp/x',
    );
    expect(bk.env).toEqual({ DOCKER_BUILDKIT: '1' });
    expect(bk.format).toBe('buildkit');
    expect(after(bk.args, '--network')).toEqual(['none']);
    expect(after(bk.args, '--target')).toEqual(['prod']);
    expect(bk.args).not.toContain('--cache-to');
    const leg = dockerBuildInvocation({ ...buildxCaps, kind: 'legacy', cacheExport: false, outputTarball: false }, req(), '/tmp/x');
    expect(leg.env).toEqual({ DOCKER_BUILDKIT: '0' });
    expect(leg.args).toContain('--force-rm');
    expect(leg.args).not.toContain('--progress');
  });

  it('local cache: reads the old dir only when it exists, writes the new one (rotation); registry uses the ref', () => {
    const cache = { backend: 'local' as const, scope: 's', dir: '/c/s', dirOut: '/c/s.new-r1' };
    expect(buildxCacheArgs(cache, () => true)).toEqual([
      '--cache-from',
      'type=local,src=/c/s',
      '--cache-to',
      'type=local,dest=/c/s.new-r1,mode=max',
    ]);
    expect(buildxCacheArgs(cache, () => false)).toEqual(['--cache-to', 'type=local,dest=/c/s.new-r1,mode=max']);
    // builds.cacheRef is a repository: each image gets its own tag in it.
    expect(buildxCacheArgs({ backend: 'registry', scope: 'gw', ref: 'reg.local/c' })).toEqual([
      '--cache-from',
      'type=registry,ref=reg.local/c:gw',
      '--cache-to',
      'type=registry,ref=reg.local/c:gw,mode=max,ignore-error=true',
    ]);
    expect(buildxCacheArgs({ backend: 'none', scope: 's' })).toEqual([]);
  });

  it('quotes CSV fields that contain commas or quotes', () => {
    expect(csvField('dest=/a,b')).toBe('"dest=/a,b"');
    expect(csvField('dest=/a"b')).toBe('"dest=/a""b"');
    expect(csvField('dest=/plain')).toBe('dest=/plain');
    const args = buildxCacheArgs({ backend: 'local', scope: 's', dir: '/c/a,b' }, () => true);
    expect(args).toEqual(['--cache-from', 'type=local,"src=/c/a,b"', '--cache-to', 'type=local,"dest=/c/a,b",mode=max']);
  });
});

describe('podman invocation and crash classification', () => {
  const caps: BuilderCapabilities = {
    engine: 'podman',
    kind: 'podman',
    binary: '/usr/bin/podman',
    platform: 'linux/amd64',
    savePlatform: false,
    version: '4.3.1',
    cacheExport: true,
    outputTarball: false,
  };

  it('uses --layers, docker format and maps only a registry cache', () => {
    const a = podmanBuildArgs(caps, req({ cache: { backend: 'registry', scope: 's', ref: 'reg.local/c' }, network: 'none' }), '/tmp/x');
    expect(a.slice(0, 2)).toEqual(['build', '--layers']);
    expect(after(a, '--format')).toEqual(['docker']);
    expect(after(a, '--cache-from')).toEqual(['reg.local/c/s']);
    expect(after(a, '--cache-to')).toEqual(['reg.local/c/s']);
    expect(after(a, '--network')).toEqual(['none']);
    expect(podmanBuildArgs({ ...caps, cacheExport: false }, req(), '/tmp/x')).not.toContain('--cache-to');
  });

  it('retries crashes of podman itself, never a failing RUN or a cancellation', () => {
    const r = (tail: string[], over: { signal?: string; cancelled?: boolean } = {}) => ({ exitCode: 2, tail, cancelled: false, ...over });
    expect(isPodmanCrash(r(['panic: runtime error: invalid memory address or nil pointer dereference']))).toBe(true);
    expect(isPodmanCrash(r(['Error: committing container for step {...}: layer not known']))).toBe(true);
    expect(isPodmanCrash(r(['Error: database is locked']))).toBe(true);
    expect(isPodmanCrash(r([], { signal: 'SIGSEGV' }))).toBe(true);
    expect(
      isPodmanCrash(
        r(['Error: building at STEP "RUN make": while running runtime: exit status 2']),
        'while running runtime: exit status 2',
      ),
    ).toBe(false);
    expect(isPodmanCrash(r(['panic: x'], { cancelled: true }))).toBe(false);
    expect(isPodmanCrash(r(['Error: no such file: go.mod']))).toBe(false);
  });
});

describe('build output classification', () => {
  const parse = (format: 'buildkit' | 'legacy' | 'podman', text: string, labels?: Record<string, string>) => {
    const p = new BuildOutputParser(format, labels ? { labels } : {});
    for (const l of text.split('\n')) p.push(l);
    return p.summary();
  };

  it('BuildKit: FROM, internal and export vertices are not steps; CACHED vs DONE decides', () => {
    const s = parse(
      'buildkit',
      [
        '#1 [internal] load build definition from Dockerfile',
        '#1 DONE 0.0s',
        '#4 [builder 1/3] FROM docker.io/library/golang:1.22@sha256:abc',
        '#4 DONE 0.1s',
        '#5 [builder 2/3] COPY . .',
        '#5 CACHED',
        '#6 [builder 3/3] RUN go build ./...',
        '#6 0.52 compiling',
        '#6 DONE 12.0s',
        '#7 [stage-1 1/1] COPY --from=builder /app /app',
        '#7 CACHED',
        '#8 exporting to image',
        '#8 DONE 0.1s',
      ].join('\n'),
    );
    expect(s).toMatchObject({ total: 3, cached: 2, executed: 1, allCached: false });
  });

  it('legacy and podman: the appended LABEL steps of --label are not counted, a real trailing LABEL is', () => {
    const labels = { 'io.hybrid-e2e.run': 'r2' };
    const legacy = [
      'Step 1/3 : FROM scratch',
      ' ---> ',
      'Step 2/3 : COPY a /a',
      ' ---> Using cache',
      ' ---> 5ead3dd25ab1',
      'Step 3/3 : LABEL io.hybrid-e2e.run=r2',
      ' ---> Running in ad78d0912fdf',
      ' ---> 1b376c83d43c',
    ].join('\n');
    expect(parse('legacy', legacy, labels)).toMatchObject({ total: 1, cached: 1, allCached: true });
    expect(parse('legacy', legacy.replace('LABEL io.hybrid-e2e.run=r2', 'LABEL team=x'), labels)).toMatchObject({
      total: 2,
      allCached: false,
    });
    const podman = [
      '[1/2] STEP 1/2: FROM scratch AS b',
      '[1/2] STEP 2/2: COPY a /a',
      '--> Using cache 9680909b277c',
      '--> 9680909b277',
      '[2/2] STEP 1/3: FROM scratch',
      '[2/2] STEP 2/3: COPY --from=b /a /a',
      '--> Using cache 07c0c30f1a77',
      '--> 07c0c30f1a7',
      '[2/2] STEP 3/3: LABEL "io.hybrid-e2e.run"="r2"',
      'COMMIT x',
      '--> cad08c49e9c',
    ].join('\n');
    expect(parse('podman', podman, labels)).toMatchObject({ total: 2, cached: 2, allCached: true });
  });

  it('finds the failing step and its lines', () => {
    const s = parse(
      'podman',
      [
        'STEP 1/2: FROM scratch',
        'STEP 2/2: RUN make',
        'cc -o app',
        'app.c:1: error',
        'Error: building at STEP "RUN make": while running runtime: exit status 2',
      ].join('\n'),
    );
    expect(s.failedStep).toEqual({
      name: 'STEP 2/2: RUN make',
      error: 'while running runtime: exit status 2',
      tail: ['cc -o app', 'app.c:1: error'],
    });
  });
});
