/**
 * Installing kind and kubectl: a release is downloaded from the official URLs and verified before it is kept — against
 * the sha256 pinned below for the default versions, else against the checksum file the release publishes next to
 * the binary. The action keeps it in the runner's tool cache (@actions/tool-cache); the CLI in a per-user cache dir
 * (`$XDG_CACHE_HOME/hybrid-e2e/tools`, default `~/.cache/...`). `HYBRID_E2E_KIND_BASE_URL` /
 * `HYBRID_E2E_KUBECTL_BASE_URL` point the downloads at a mirror with the same layout.
 */
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError, errorMessage } from '../core/errors.js';
import { runProcess } from './process.js';

export type ToolName = 'kind' | 'kubectl';

export const DEFAULT_VERSIONS: Record<ToolName, string> = { kind: 'v0.27.0', kubectl: 'v1.32.2' };
const DEFAULT_BASE: Record<ToolName, string> = {
  kind: 'https://github.com/kubernetes-sigs/kind/releases/download',
  kubectl: 'https://dl.k8s.io/release',
};
const BASE_ENV: Record<ToolName, string> = { kind: 'HYBRID_E2E_KIND_BASE_URL', kubectl: 'HYBRID_E2E_KUBECTL_BASE_URL' };

/** sha256 of release binaries: tool → version → `<os>-<arch>` → hex digest. */
export type ChecksumPins = Partial<Record<ToolName, Record<string, Partial<Record<string, string>>>>>;

/**
 * The sha256 of the default releases' binaries, as kind and Kubernetes publish them (`kind-<os>-<arch>.sha256sum`,
 * `bin/<os>/<arch>/kubectl.sha256`). A download of one of these versions must match this table, so a mirror cannot
 * swap a binary and its checksum file together; other versions are checked against the published checksum file.
 * Update it together with DEFAULT_VERSIONS.
 */
export const RELEASE_SHA256: ChecksumPins = {
  kind: {
    'v0.27.0': {
      'linux-amd64': 'a6875aaea358acf0ac07786b1a6755d08fd640f4c79b7a2e46681cc13f49a04b',
      'linux-arm64': '5e4507a41c69679562610b1be82ba4f80693a7826f4e9c6e39236169a3e4f9d0',
      'darwin-amd64': '3435134325b6b9406ccfec417b13bb46a808fc74e9a2ebb0ca31b379c8293863',
      'darwin-arm64': '5240ca1acb587e1d0386532dd8c3373d81f5173b5af322919fc56f0cdd646596',
    },
  },
  kubectl: {
    'v1.32.2': {
      'linux-amd64': '4f6a959dcc5b702135f8354cc7109b542a2933c46b808b248a214c1f69f817ea',
      'linux-arm64': '7381bea99c83c264100f324c2ca6e7e13738a73b8928477ac805991440a065cd',
      'darwin-amd64': '371b8fbd481e1e9052ace16d9c243e92618a2ea9a18c1aaf235d35fef20c0c32',
      'darwin-arm64': '31b6318deaa72014b72121e1c7a2e12496d077cee49bbeda94250aec4c978ffb',
    },
  },
};

/** The pinned sha256 of `tool@version` for this platform, if there is one. */
export function pinnedChecksum(
  tool: ToolName,
  version: string,
  pins: ChecksumPins = RELEASE_SHA256,
  p: { os: string; arch: string } = platform(),
): string | undefined {
  return pins[tool]?.[version]?.[`${p.os}-${p.arch}`]?.toLowerCase();
}

export function platform(): { os: string; arch: string } {
  const os = process.platform === 'darwin' ? 'darwin' : process.platform === 'linux' ? 'linux' : undefined;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : undefined;
  if (!os || !arch)
    throw new UserError(
      `kind and kubectl can only be installed on Linux or macOS, amd64 or arm64 (this is ${process.platform}/${process.arch}).`,
    );
  return { os, arch };
}

/** Release binary and checksum URLs, as kind and Kubernetes publish them. */
export function releaseUrls(
  tool: ToolName,
  version: string,
  env: Record<string, string | undefined>,
  p = platform(),
): { binary: string; checksum: string } {
  const base = (env[BASE_ENV[tool]] || DEFAULT_BASE[tool]).replace(/\/+$/, '');
  if (tool === 'kind') {
    const binary = `${base}/${version}/kind-${p.os}-${p.arch}`;
    return { binary, checksum: `${binary}.sha256sum` };
  }
  const binary = `${base}/${version}/bin/${p.os}/${p.arch}/kubectl`;
  return { binary, checksum: `${binary}.sha256` };
}

/** The first 64-hex-digit word of a checksum file (`<hash>  kind-linux-amd64`, or just `<hash>`). */
export function parseChecksum(text: string): string | undefined {
  return text.match(/\b[a-f0-9]{64}\b/i)?.[0]?.toLowerCase();
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Downloads `tool@version` with `download` (url → local file) and checks it: against the pinned sha256 when there is
 * one, else against the checksum file published next to it. Throws a UserError naming the URL; `onDownloadFailure`
 * words the advice. Returns the verified file (made executable) and its sha256.
 */
async function downloadVerified(
  tool: ToolName,
  version: string,
  env: Record<string, string | undefined>,
  download: (url: string) => Promise<string>,
  o: { pins?: ChecksumPins; onDownloadFailure: (url: string, reason: string) => string },
): Promise<{ file: string; sha256: string }> {
  const urls = releaseUrls(tool, version, env);
  const pinned = pinnedChecksum(tool, version, o.pins);
  const got = await Promise.allSettled([download(urls.binary), pinned ? Promise.resolve(undefined) : download(urls.checksum)]);
  const failed = got.findIndex((g) => g.status === 'rejected');
  if (failed >= 0) {
    for (const g of got) if (g.status === 'fulfilled' && g.value) rmSync(g.value, { force: true });
    const reason = (got[failed] as PromiseRejectedResult).reason;
    throw new UserError(o.onDownloadFailure(failed === 0 ? urls.binary : urls.checksum, errorMessage(reason)));
  }
  const bin = (got[0] as PromiseFulfilledResult<string>).value;
  const sumFile = (got[1] as PromiseFulfilledResult<string | undefined>).value;
  const discard = () => {
    rmSync(bin, { force: true });
    if (sumFile) rmSync(sumFile, { force: true });
  };
  const expected = pinned ?? parseChecksum(readFileSync(sumFile!, 'utf8'));
  const source = pinned ? 'the checksum pinned for this release' : urls.checksum;
  if (!expected) {
    discard();
    throw new UserError(`${tool} ${version}: ${urls.checksum} has no sha256 checksum in it; not installing an unverified binary.`);
  }
  const actual = await sha256File(bin);
  if (actual !== expected) {
    discard();
    throw new UserError(
      `${tool} ${version}: checksum mismatch: ${urls.binary} has sha256 ${actual}, but ${source} says ${expected}. Not installing it (a corrupted download or a tampered mirror).`,
    );
  }
  if (sumFile) rmSync(sumFile, { force: true });
  chmodSync(bin, 0o755);
  return { file: bin, sha256: actual };
}

/**
 * Installs `tool@version` into the runner's tool cache (or finds it there), for the action. Returns its directory and
 * where it came from.
 */
export async function installTool(
  tool: ToolName,
  version: string,
  env: Record<string, string | undefined> = process.env,
  o: { pins?: ChecksumPins } = {},
): Promise<{ dir: string; source: 'tool-cache' | 'downloaded' }> {
  platform();
  const arch = process.arch; // the tool cache's own convention (x64, arm64)
  // Loaded on first use: a run whose tools are on PATH never needs it.
  const tc = await import('@actions/tool-cache');
  const cached = tc.find(tool, version.replace(/^v/, ''), arch);
  if (cached) return { dir: cached, source: 'tool-cache' };
  const { file } = await downloadVerified(tool, version, env, (url) => tc.downloadTool(url), {
    ...(o.pins ? { pins: o.pins } : {}),
    onDownloadFailure: (url, reason) =>
      `${tool} ${version}: download failed (${reason}) from ${url}. Check the version (input "${tool}-version"), or put ${tool} on PATH before this step.`,
  });
  const dir = await tc.cacheFile(file, tool, tool, version.replace(/^v/, ''), arch);
  return { dir, source: 'downloaded' };
}

/** The CLI's per-user cache: `$XDG_CACHE_HOME/hybrid-e2e` (default `~/.cache/hybrid-e2e`). */
export function userCacheDir(env: Record<string, string | undefined>): string {
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'hybrid-e2e');
}

/** Where the CLI keeps `tool@version`: `<user cache>/tools/<tool>/<version>/<os>-<arch>/`. */
export function userToolDir(tool: ToolName, version: string, env: Record<string, string | undefined>): string {
  const p = platform();
  return path.join(userCacheDir(env), 'tools', tool, version, `${p.os}-${p.arch}`);
}

/** `tool@version` installed earlier into the CLI's per-user cache: its directory, or undefined. */
export function findUserTool(tool: ToolName, version: string, env: Record<string, string | undefined>): string | undefined {
  const dir = userToolDir(tool, version, env);
  return existsSync(path.join(dir, tool)) ? dir : undefined;
}

/** The shell lines that install `tool@version` by hand, checksum checked, into ~/.local/bin. */
export function manualInstall(tool: ToolName, version: string, env: Record<string, string | undefined>): string {
  const urls = releaseUrls(tool, version, env);
  const sum = pinnedChecksum(tool, version);
  const check = sum
    ? `echo "${sum}  $HOME/.local/bin/${tool}" | ${process.platform === 'darwin' ? 'shasum -a 256 -c' : 'sha256sum -c'} && `
    : '';
  return `mkdir -p ~/.local/bin && curl -fLo ~/.local/bin/${tool} ${urls.binary} && ${check}chmod +x ~/.local/bin/${tool} (and put ~/.local/bin on PATH)`;
}

/** GET `url` into `dest`, following redirects; throws on a non-200 answer or a network failure. */
async function fetchToFile(url: string, dest: string, timeoutMs: number): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a timeout) is its cause.
    const cause = (e as { cause?: unknown }).cause;
    throw new Error(cause ? errorMessage(cause) : errorMessage(e));
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(dest));
  } catch (e) {
    rmSync(dest, { force: true });
    throw e;
  }
  return dest;
}

/**
 * Installs `tool@version` into the CLI's per-user cache (see userToolDir), verified as the action's install is.
 * Returns its directory.
 *
 * Not @actions/tool-cache, though the action uses it: outside a runner it prints `::debug::` workflow commands on
 * stdout for every step (core.debug writes unconditionally), takes its directories only from the process-wide
 * RUNNER_TOOL_CACHE / RUNNER_TEMP, and retries a failed connection three times with 10–20 s pauses, so an offline
 * laptop would wait about half a minute to be told so. Node's fetch has none of that; it does not use HTTPS_PROXY
 * (the failure message gives the manual install for that case).
 */
export async function installUserTool(
  tool: ToolName,
  version: string,
  env: Record<string, string | undefined>,
  o: { pins?: ChecksumPins; timeoutMs?: number } = {},
): Promise<string> {
  const dir = userToolDir(tool, version, env);
  mkdirSync(dir, { recursive: true });
  const partial = (url: string) => path.join(dir, `.${path.basename(new URL(url).pathname)}.${process.pid}.download`);
  const { file } = await downloadVerified(tool, version, env, (url) => fetchToFile(url, partial(url), o.timeoutMs ?? 600_000), {
    ...(o.pins ? { pins: o.pins } : {}),
    onDownloadFailure: (url, reason) =>
      `${tool} ${version} is not on PATH and could not be downloaded from ${url} (${reason}). Install it by hand: ${manualInstall(tool, version, env)}; or point ${BASE_ENV[tool]} at a mirror.`,
  });
  // Only a verified binary gets the tool's name: a crash mid-download leaves no half-written `kind` to be found.
  renameSync(file, path.join(dir, tool));
  return dir;
}

/** `kind version` / `kubectl version --client` of whatever `tool` resolves to, or undefined when it is missing. */
export async function toolVersion(tool: ToolName, env: Record<string, string | undefined> = process.env): Promise<string | undefined> {
  const args = tool === 'kind' ? ['version'] : ['version', '--client', '--output=json'];
  const r = await runProcess(tool, args, { env, timeoutMs: 20_000, tailLines: 5 });
  if (r.spawnError === 'ENOENT') return undefined;
  const out = r.stdout;
  if (tool === 'kubectl') {
    try {
      const v = (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
      if (v) return v;
    } catch {
      // older kubectl: text
    }
  }
  return out.match(/v\d+\.\d+\.\d+[^\s]*/)?.[0] ?? (r.exitCode === 0 ? 'unknown' : undefined);
}
