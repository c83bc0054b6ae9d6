// The CLI's own install of kind and kubectl: from a local HTTP server on 127.0.0.1 that serves fake releases laid out
// like the real ones, into the per-user cache ($XDG_CACHE_HOME/hybrid-e2e/tools), checked against sha256 pins the
// test injects for its fake binaries.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_VERSIONS, platform, toolVersion, userToolDir, type ChecksumPins } from '../../src/adapters/tool-install.js';
import { ensureTools, installDisabled } from '../../src/commands/tools.js';
import { listRuns, RunStateFile } from '../../src/core/engine/run-state.js';
import { UserError } from '../../src/core/errors.js';
import { cli } from '../helpers/cli.js';
import { configYaml, testRepo } from '../helpers/engine.js';
import { recorders } from '../helpers/recorder.js';

const { os: OS, arch: ARCH } = platform();
const KIND = DEFAULT_VERSIONS.kind;
const KUBECTL = DEFAULT_VERSIONS.kubectl;
const kindBin = `#!/bin/sh\necho "kind ${KIND} go1.24.2 ${OS}/${ARCH}"\n`;
const kubectlBin = `#!/bin/sh\necho '{"clientVersion":{"gitVersion":"${KUBECTL}"}}'\n`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const kindPath = `/kind/${KIND}/kind-${OS}-${ARCH}`;
const kubectlPath = `/k8s/${KUBECTL}/bin/${OS}/${ARCH}/kubectl`;
/** The pins of the fake releases (the real pins would reject them, as a tampered download). */
const PINS: ChecksumPins = {
  kind: { [KIND]: { [`${OS}-${ARCH}`]: sha(kindBin) } },
  kubectl: { [KUBECTL]: { [`${OS}-${ARCH}`]: sha(kubectlBin) } },
};

let server: http.Server;
let base: string;
/** A port nothing listens on: downloads from it fail at once, as offline. */
let closedPort: number;
const hits: string[] = [];

beforeAll(async () => {
  const files = new Map([
    [kindPath, kindBin],
    [kubectlPath, kubectlBin],
  ]);
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    if (body === undefined) res.writeHead(404).end('Not Found');
    else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let home: string;
let env: Record<string, string | undefined>;
const lines: string[] = [];
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-user-tools-'));
  hits.length = 0;
  lines.length = 0;
  env = {
    ...process.env, // the unit tier's PATH: no kind, no kubectl
    XDG_CACHE_HOME: path.join(home, 'cache'),
    XDG_STATE_HOME: path.join(home, 'state'),
    HYBRID_E2E_KIND_BASE_URL: `${base}/kind`,
    HYBRID_E2E_KUBECTL_BASE_URL: `${base}/k8s`,
  };
  delete env.HYBRID_E2E_NO_INSTALL;
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const info = (l: string) => lines.push(l);
const toolDir = (tool: 'kind' | 'kubectl') => userToolDir(tool, DEFAULT_VERSIONS[tool], env);

describe('CLI tool install (kind and kubectl missing from PATH)', () => {
  it('downloads the pinned releases into $XDG_CACHE_HOME/hybrid-e2e/tools after checking their sha256, and puts them first on PATH', async () => {
    const out = await ensureTools(['kind', 'kubectl'], env, { install: true, info, checksums: PINS });
    expect(toolDir('kind')).toBe(path.join(home, 'cache', 'hybrid-e2e', 'tools', 'kind', KIND, `${OS}-${ARCH}`));
    expect(readFileSync(path.join(toolDir('kind'), 'kind'), 'utf8')).toBe(kindBin);
    expect(out.PATH!.split(path.delimiter).slice(0, 2)).toEqual([toolDir('kind'), toolDir('kubectl')]);
    // What the adapters will run through that PATH.
    expect(await toolVersion('kind', out)).toBe(KIND);
    expect(await toolVersion('kubectl', out)).toBe(KUBECTL);
    // The pins decide: the checksum files are not fetched. Nothing but the binaries is left in the tool dirs.
    expect(hits).toEqual([kindPath, kubectlPath]);
    expect(readdirSync(toolDir('kind'))).toEqual(['kind']);
    expect(lines).toEqual([
      `kind is not on PATH: installing ${KIND} into ${toolDir('kind')}`,
      `kind ${KIND} installed (sha256 verified)`,
      `kubectl is not on PATH: installing ${KUBECTL} into ${toolDir('kubectl')}`,
      `kubectl ${KUBECTL} installed (sha256 verified)`,
    ]);
    // Next time they come from the cache: no download, also with installing turned off.
    hits.length = 0;
    const again = await ensureTools(['kind', 'kubectl'], env, { install: false, info, checksums: PINS });
    expect(again.PATH).toBe(out.PATH);
    expect(hits).toEqual([]);
  });

  it('a tool on PATH is used as it is: nothing downloaded, PATH unchanged', async () => {
    const first = await ensureTools(['kind'], env, { install: true, info, checksums: PINS });
    hits.length = 0;
    expect(await ensureTools(['kind'], first, { install: true, info, checksums: PINS })).toBe(first);
    expect(hits).toEqual([]);
  });

  it('a wrong checksum is rejected and nothing is left installed', async () => {
    const wrong: ChecksumPins = { kind: { [KIND]: { [`${OS}-${ARCH}`]: sha('another binary') } } };
    const err = await ensureTools(['kind'], env, { install: true, info, checksums: wrong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      `kind ${KIND}: checksum mismatch: ${base}${kindPath} has sha256 ${sha(kindBin)}, but the checksum pinned for this release says ${sha('another binary')}. Not installing it (a corrupted download or a tampered mirror).`,
    );
    expect(readdirSync(toolDir('kind'))).toEqual([]);
    // The real pins reject the fake release just the same.
    await expect(ensureTools(['kind'], env, { install: true, info })).rejects.toThrow(
      /^kind v\S+: checksum mismatch: .* the checksum pinned/,
    );
    expect(readdirSync(toolDir('kind'))).toEqual([]);
  });

  it('offline: fails at once with the URL it tried and the manual install', async () => {
    const offline = { ...env, HYBRID_E2E_KIND_BASE_URL: `http://127.0.0.1:${closedPort}/kind` };
    const started = Date.now();
    const err = (await ensureTools(['kind'], offline, { install: true, info, checksums: PINS }).catch((e: unknown) => e)) as Error;
    expect(Date.now() - started).toBeLessThan(5000);
    const url = `http://127.0.0.1:${closedPort}${kindPath}`;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(
      new RegExp(
        `^kind ${KIND} is not on PATH and could not be downloaded from ${url.replace(/[.]/g, '\\.')} \\(.*ECONNREFUSED.*\\)\\. Install it by hand: mkdir -p ~/\\.local/bin && curl -fLo ~/\\.local/bin/kind ${url.replace(/[.]/g, '\\.')} && echo "[a-f0-9]{64}  \\$HOME/\\.local/bin/kind" \\| (sha256sum -c|shasum -a 256 -c) && chmod \\+x ~/\\.local/bin/kind \\(and put ~/\\.local/bin on PATH\\); or point HYBRID_E2E_KIND_BASE_URL at a mirror\\.$`,
      ),
    );
    expect(existsSync(path.join(toolDir('kind'), 'kind'))).toBe(false);
  });

  it('a release missing from the server (HTTP 404) names the URL and the status', async () => {
    const err = (await ensureTools(['kind'], { ...env, HYBRID_E2E_KIND_BASE_URL: `${base}/nowhere` }, { install: true, info }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toContain(`could not be downloaded from ${base}/nowhere/${KIND}/kind-${OS}-${ARCH} (HTTP 404 Not Found)`);
  });

  it('--no-install refuses, naming the tool and how to install it by hand; HYBRID_E2E_NO_INSTALL=1 is the same', async () => {
    const err = (await ensureTools(['kind', 'kubectl'], env, { install: false, info }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(
      new RegExp(
        `^kind is not on PATH, and installing it is turned off \\(--no-install or HYBRID_E2E_NO_INSTALL=1\\)\\. Install kind ${KIND} by hand: mkdir -p ~/\\.local/bin && curl -fLo ~/\\.local/bin/kind ${base.replace(/[.]/g, '\\.')}/kind/${KIND}/kind-${OS}-${ARCH} && .*; or run without --no-install to have it downloaded, checksum-verified, into ${toolDir('kind').replace(/[.]/g, '\\.')}\\.$`,
      ),
    );
    expect(hits).toEqual([]);
    expect(installDisabled({ HYBRID_E2E_NO_INSTALL: '1' })).toBe(true);
    expect(installDisabled({ HYBRID_E2E_NO_INSTALL: 'true' })).toBe(true);
    expect(installDisabled({ HYBRID_E2E_NO_INSTALL: '0' })).toBe(false);
    expect(installDisabled({})).toBe(false);
  });
});

describe('the CLI wires it: down installs kind only to delete a cluster', () => {
  /** A stale run with a cluster, as a run killed after `kind create` leaves it. */
  function staleRunWithCluster(runId: string) {
    const runDir = mkdtempSync(path.join(home, `run-${runId}-`));
    new RunStateFile({ runId, runDir, pid: 2 ** 22 + 1, images: [], cluster: { name: `e2e-${runId}`, kubeconfig: '/k' } }, env);
    return runDir;
  }

  it('down --no-install (or HYBRID_E2E_NO_INSTALL=1): the cluster stays, with why and how to install kind; exit 1; the record is kept', async () => {
    const runDir = staleRunWithCluster('t1');
    for (const [args, extra] of [
      [['down', '--all', '--no-install'], {}],
      [['down', '--all'], { HYBRID_E2E_NO_INSTALL: '1' }],
    ] as const) {
      const r = await cli([...args], { env: { ...env, ...extra }, cwd: home });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('could not delete cluster e2e-t1: kind is not on PATH, and installing it is turned off');
      expect(r.stderr).toContain(`curl -fLo ~/.local/bin/kind ${base}${kindPath}`);
      expect(r.stderr).toContain('down: not everything could be removed; left:\n  t1: cluster e2e-t1\n');
      expect(r.stderr).toContain('then run "hybrid-e2e down --all" again');
    }
    expect(hits).toEqual([]);
    expect(existsSync(runDir)).toBe(true);
    expect(listRuns(env).map((x) => x.runId)).toEqual(['t1']);
  });

  it('down downloads kind when a cluster is to be deleted; a download that fails its checksum installs nothing and keeps the record', async () => {
    staleRunWithCluster('t2');
    const r = await cli(['down', '--all'], { env, cwd: home });
    // The CLI checks against the real pins, which the fake release does not match.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`kind is not on PATH: installing ${KIND} into ${toolDir('kind')}`);
    expect(r.stderr).toMatch(/could not delete cluster e2e-t2: kind v\S+: checksum mismatch: .* the checksum pinned for this release says/);
    expect(hits).toEqual([kindPath]);
    expect(readdirSync(toolDir('kind'))).toEqual([]);
    expect(listRuns(env).map((x) => x.runId)).toEqual(['t2']);
  });

  it('a run without a cluster needs no kind: removed with installing turned off and nothing downloaded', async () => {
    const runDir = mkdtempSync(path.join(home, 'run-t3-'));
    new RunStateFile({ runId: 't3', runDir, pid: 2 ** 22 + 1, images: [] }, env);
    const r = await cli(['down', '--all', '--no-install'], { env, cwd: home });
    expect(r.code).toBe(0);
    expect(existsSync(runDir)).toBe(false);
    expect(hits).toEqual([]);
  });

  it('up --no-install: once the builder is found, a missing kind stops the run before anything is built, and the run is removed', async () => {
    const repo = testRepo({ config: configYaml().replace('services:', 'builds:\n  minFreeDisk: 1\nservices:') });
    const rec = recorders();
    try {
      // A docker 27 with a daemon and no buildx: the legacy builder.
      rec.add('docker', [
        { match: 'buildx', exit: 1 },
        {
          match: 'version --format',
          stdout: '{"Client":{"Version":"27.0.0"},"Server":{"Version":"27.0.0","Os":"linux","Arch":"amd64","ApiVersion":"1.46"}}\n',
        },
        { match: 'info --format', stdout: '/nonexistent-docker-root\n' },
      ]);
      const upEnv = { ...env, PATH: rec.env.PATH, HYBRID_E2E_TMPDIR: home };
      const r = await cli(['up', '--config', 'hybrid-e2e.yaml', '--engine', 'docker', '--cache', 'none', '--no-install'], {
        cwd: repo.dir,
        env: upEnv,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`to remove what this run creates, also after a crash: hybrid-e2e down --run-dir ${home}/hybrid-e2e-`);
      expect(r.stderr).toMatch(
        /\nhybrid-e2e up: kind is not on PATH, and installing it is turned off \(--no-install or HYBRID_E2E_NO_INSTALL=1\)\. Install kind v/,
      );
      // Nothing was built, and nothing of the run is left.
      expect(rec.calls().filter((c) => c.argv[0] === 'build' || c.argv[0] === 'buildx')).toEqual([
        expect.objectContaining({ argv: ['buildx', 'version'] }),
      ]);
      expect(listRuns(upEnv)).toEqual([]);
      expect(readdirSync(home).filter((n) => n.startsWith('hybrid-e2e-'))).toEqual([]);
      expect(hits).toEqual([]);
    } finally {
      rec.cleanup();
      repo.cleanup();
    }
  });
});
