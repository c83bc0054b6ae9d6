// kind/kubectl setup against a local HTTP server that serves fake releases and their checksum files, laid out
// like the real ones (kind: <base>/<v>/kind-linux-amd64 + .sha256sum; kubectl: <base>/<v>/bin/linux/amd64/kubectl + .sha256).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as core from '@actions/core';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_VERSIONS,
  parseChecksum,
  pinnedChecksum,
  platform,
  RELEASE_SHA256,
  releaseUrls,
  type ChecksumPins,
} from '../../src/adapters/tool-install.js';
import { setupTools as setupToolsWith } from '../../src/commands/tools.js';

/** Wired as the action wires it: each installed tool's directory goes on PATH through core.addPath. */
const setupTools = (pins: Parameters<typeof setupToolsWith>[0], env: Record<string, string | undefined>, checksums?: ChecksumPins) =>
  setupToolsWith(pins, env, { info: () => undefined, addPath: (dir) => core.addPath(dir) }, checksums ? { checksums } : {});
import { readInputs } from '../../src/action/inputs.js';

const { os: OS, arch: ARCH } = platform();
const kindBin = (v: string) => `#!/bin/sh\necho "kind ${v} go1.24.2 ${OS}/${ARCH}"\n`;
const kubectlBin = (v: string) => `#!/bin/sh\necho '{"clientVersion":{"gitVersion":"${v}","platform":"${OS}/${ARCH}"}}'\n`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let server: http.Server;
let base: string;
const files = new Map<string, string>();
const hits: string[] = [];

function publish(
  v: { kind?: string; kubectl?: string },
  opts: { badKindSum?: boolean; noKubectlSum?: boolean; garbageSum?: boolean } = {},
) {
  if (v.kind) {
    const body = kindBin(v.kind);
    files.set(`/kind/${v.kind}/kind-${OS}-${ARCH}`, body);
    files.set(
      `/kind/${v.kind}/kind-${OS}-${ARCH}.sha256sum`,
      opts.garbageSum ? 'not a checksum\n' : `${opts.badKindSum ? sha('tampered') : sha(body)}  kind-${OS}-${ARCH}\n`,
    );
  }
  if (v.kubectl) {
    const body = kubectlBin(v.kubectl);
    files.set(`/k8s/${v.kubectl}/bin/${OS}/${ARCH}/kubectl`, body);
    if (!opts.noKubectlSum) files.set(`/k8s/${v.kubectl}/bin/${OS}/${ARCH}/kubectl.sha256`, sha(body));
  }
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let tmp: string;
const saved = { ...process.env };
let env: Record<string, string | undefined>;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-tools-'));
  mkdirSync(path.join(tmp, 'cache'));
  mkdirSync(path.join(tmp, 'temp'));
  mkdirSync(path.join(tmp, 'empty-bin'));
  writeFileSync(path.join(tmp, 'github_path'), '');
  files.clear();
  hits.length = 0;
  // A PATH without kind/kubectl (the fake releases are /bin/sh scripts: they need nothing on PATH).
  process.env.PATH = path.join(tmp, 'empty-bin');
  process.env.RUNNER_TOOL_CACHE = path.join(tmp, 'cache');
  process.env.RUNNER_TEMP = path.join(tmp, 'temp');
  process.env.GITHUB_PATH = path.join(tmp, 'github_path');
  env = { ...process.env, HYBRID_E2E_KIND_BASE_URL: `${base}/kind`, HYBRID_E2E_KUBECTL_BASE_URL: `${base}/k8s` };
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  rmSync(tmp, { recursive: true, force: true });
});

describe('tool setup (kind-version / kubectl-version)', () => {
  it('installs pinned versions after checking their sha256, puts them on PATH, and reuses the tool cache', async () => {
    publish({ kind: 'v0.99.1', kubectl: 'v1.99.2' });
    const tools = await setupTools({ kind: 'v0.99.1', kubectl: 'v1.99.2' }, env);
    expect(tools).toEqual([
      { name: 'kind', version: 'v0.99.1', source: 'downloaded' },
      { name: 'kubectl', version: 'v1.99.2', source: 'downloaded' },
    ]);
    const kindDir = path.join(tmp, 'cache', 'kind', '0.99.1', process.arch);
    expect(readFileSync(path.join(kindDir, 'kind'), 'utf8')).toBe(kindBin('v0.99.1'));
    expect(process.env.PATH!.split(path.delimiter)).toContain(kindDir);
    expect(readFileSync(path.join(tmp, 'github_path'), 'utf8')).toContain(kindDir);
    expect(hits.sort()).toEqual([
      `/k8s/v1.99.2/bin/${OS}/${ARCH}/kubectl`,
      `/k8s/v1.99.2/bin/${OS}/${ARCH}/kubectl.sha256`,
      `/kind/v0.99.1/kind-${OS}-${ARCH}`,
      `/kind/v0.99.1/kind-${OS}-${ARCH}.sha256sum`,
    ]);
    // A second run finds both in the tool cache: no download.
    hits.length = 0;
    const again = await setupTools({ kind: 'v0.99.1', kubectl: 'v1.99.2' }, env);
    expect(again.map((t) => t.source)).toEqual(['tool-cache', 'tool-cache']);
    expect(hits).toEqual([]);
  });

  it('a wrong checksum fails clearly and installs nothing', async () => {
    publish({ kind: 'v0.99.3' }, { badKindSum: true });
    const err = await setupTools({ kind: 'v0.99.3' }, env).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      `kind v0.99.3: checksum mismatch: ${base}/kind/v0.99.3/kind-${OS}-${ARCH} has sha256 ${sha(kindBin('v0.99.3'))}, but ${base}/kind/v0.99.3/kind-${OS}-${ARCH}.sha256sum says ${sha('tampered')}. Not installing it (a corrupted download or a tampered mirror).`,
    );
    expect((err as { exitCode?: number }).exitCode).toBe(2);
    expect(readFileSync(path.join(tmp, 'github_path'), 'utf8')).toBe('');
    expect(() => readFileSync(path.join(tmp, 'cache', 'kind', '0.99.3', process.arch, 'kind'))).toThrow();
  });

  it('a missing or unreadable checksum file is an error too, never an unverified install', async () => {
    publish({ kubectl: 'v1.99.4' }, { noKubectlSum: true });
    await expect(setupTools({ kubectl: 'v1.99.4', kind: '' }, { ...env, PATH: process.env.PATH })).rejects.toThrow();
    publish({ kind: 'v0.99.5' }, { garbageSum: true });
    await expect(setupTools({ kind: 'v0.99.5' }, env)).rejects.toThrow(
      `kind v0.99.5: ${base}/kind/v0.99.5/kind-${OS}-${ARCH}.sha256sum has no sha256 checksum in it; not installing an unverified binary.`,
    );
    await expect(setupTools({ kind: 'v0.99.6' }, env)).rejects.toThrow(
      /^kind v0\.99\.6: download failed \(.*404.*\) from .*Check the version \(input "kind-version"\), or put kind on PATH before this step\.$/,
    );
  });

  it('without a pin: the tool on PATH, and its version; a missing one gets the default pin', async () => {
    const bin = path.join(tmp, 'empty-bin');
    writeFileSync(path.join(bin, 'kind'), kindBin('v0.25.0'));
    chmodSync(path.join(bin, 'kind'), 0o755);
    publish({ kubectl: DEFAULT_VERSIONS.kubectl });
    // The default release's sha256 is pinned: the test's fake release gets a pin of its own.
    const pins = { kubectl: { [DEFAULT_VERSIONS.kubectl]: { [`${OS}-${ARCH}`]: sha(kubectlBin(DEFAULT_VERSIONS.kubectl)) } } };
    const tools = await setupTools({}, env, pins);
    expect(tools).toEqual([
      { name: 'kind', version: 'v0.25.0', source: 'PATH' },
      { name: 'kubectl', version: DEFAULT_VERSIONS.kubectl, source: 'downloaded' },
    ]);
    // Checked against the pin, so the published checksum file is not even fetched.
    expect(hits).toEqual([`/k8s/${DEFAULT_VERSIONS.kubectl}/bin/${OS}/${ARCH}/kubectl`]);
  });

  it('a pinned release is checked against its pin: a mirror that swaps binary and checksum file together is refused', async () => {
    publish({ kind: DEFAULT_VERSIONS.kind }); // a "release" whose checksum file matches it, but not the pin
    const err = await setupTools({ kind: DEFAULT_VERSIONS.kind }, env).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `kind ${DEFAULT_VERSIONS.kind}: checksum mismatch: ${base}/kind/${DEFAULT_VERSIONS.kind}/kind-${OS}-${ARCH} has sha256 ${sha(kindBin(DEFAULT_VERSIONS.kind))}, but the checksum pinned for this release says ${pinnedChecksum('kind', DEFAULT_VERSIONS.kind)}. Not installing it (a corrupted download or a tampered mirror).`,
    );
    expect(() => readFileSync(path.join(tmp, 'cache', 'kind', DEFAULT_VERSIONS.kind.slice(1), process.arch, 'kind'))).toThrow();
  });

  it('the default versions have a sha256 pinned for every platform the tools install on', () => {
    for (const tool of ['kind', 'kubectl'] as const)
      for (const p of ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64'])
        expect(RELEASE_SHA256[tool]?.[DEFAULT_VERSIONS[tool]]?.[p], `${tool} ${DEFAULT_VERSIONS[tool]} ${p}`).toMatch(/^[a-f0-9]{64}$/);
  });

  it('release URLs and checksum files as the projects publish them', () => {
    expect(releaseUrls('kind', 'v0.27.0', {}, { os: 'linux', arch: 'amd64' })).toEqual({
      binary: 'https://github.com/kubernetes-sigs/kind/releases/download/v0.27.0/kind-linux-amd64',
      checksum: 'https://github.com/kubernetes-sigs/kind/releases/download/v0.27.0/kind-linux-amd64.sha256sum',
    });
    expect(releaseUrls('kubectl', 'v1.32.2', {}, { os: 'linux', arch: 'arm64' })).toEqual({
      binary: 'https://dl.k8s.io/release/v1.32.2/bin/linux/arm64/kubectl',
      checksum: 'https://dl.k8s.io/release/v1.32.2/bin/linux/arm64/kubectl.sha256',
    });
    expect(parseChecksum(`${'A'.repeat(64)}  kind-linux-amd64\n`)).toBe('a'.repeat(64));
    expect(parseChecksum('nope')).toBeUndefined();
  });

  it('inputs: versions are normalised to vX.Y.Z; anything else is a clear error', () => {
    process.env['INPUT_KIND-VERSION'] = '0.27.0';
    process.env['INPUT_KUBECTL-VERSION'] = '';
    expect(readInputs()).toMatchObject({ kindVersion: 'v0.27.0', kubectlVersion: '' });
    process.env['INPUT_KUBECTL-VERSION'] = 'latest';
    expect(() => readInputs()).toThrow('input "kubectl-version" is "latest"; use a release version such as v1.2.3.');
  });
});
