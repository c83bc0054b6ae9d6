/**
 * Installing kind and kubectl: a release is downloaded with @actions/tool-cache from the official URLs, verified
 * against the release's published sha256 before it is cached, and found in the tool cache next time.
 * `HYBRID_E2E_KIND_BASE_URL` / `HYBRID_E2E_KUBECTL_BASE_URL` point the downloads at a mirror.
 */
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, readFileSync } from 'node:fs';
import { UserError, errorMessage } from '../core/errors.js';
import { runProcess } from './process.js';

export type ToolName = 'kind' | 'kubectl';

export const DEFAULT_VERSIONS: Record<ToolName, string> = { kind: 'v0.27.0', kubectl: 'v1.32.2' };
const DEFAULT_BASE: Record<ToolName, string> = {
  kind: 'https://github.com/kubernetes-sigs/kind/releases/download',
  kubectl: 'https://dl.k8s.io/release',
};
const BASE_ENV: Record<ToolName, string> = { kind: 'HYBRID_E2E_KIND_BASE_URL', kubectl: 'HYBRID_E2E_KUBECTL_BASE_URL' };

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

/** Installs `tool@version` into the tool cache (or finds it there). Returns its directory and where it came from. */
export async function installTool(
  tool: ToolName,
  version: string,
  env: Record<string, string | undefined> = process.env,
): Promise<{ dir: string; source: 'tool-cache' | 'downloaded' }> {
  platform();
  const arch = process.arch; // the tool cache's own convention (x64, arm64)
  // Loaded on first use: a run whose tools are on PATH never needs it.
  const tc = await import('@actions/tool-cache');
  const cached = tc.find(tool, version.replace(/^v/, ''), arch);
  if (cached) return { dir: cached, source: 'tool-cache' };
  const urls = releaseUrls(tool, version, env);
  let bin: string;
  let sumFile: string;
  try {
    [bin, sumFile] = await Promise.all([tc.downloadTool(urls.binary), tc.downloadTool(urls.checksum)]);
  } catch (e) {
    throw new UserError(
      `${tool} ${version}: download failed (${errorMessage(e)}) from ${urls.binary}. Check the version (input "${tool}-version"), or put ${tool} on PATH before this step.`,
    );
  }
  const expected = parseChecksum(readFileSync(sumFile, 'utf8'));
  if (!expected)
    throw new UserError(`${tool} ${version}: ${urls.checksum} has no sha256 checksum in it; not installing an unverified binary.`);
  const actual = await sha256File(bin);
  if (actual !== expected) {
    throw new UserError(
      `${tool} ${version}: checksum mismatch: ${urls.binary} has sha256 ${actual}, but ${urls.checksum} says ${expected}. Not installing it (a corrupted download or a tampered mirror).`,
    );
  }
  chmodSync(bin, 0o755);
  const dir = await tc.cacheFile(bin, tool, tool, version.replace(/^v/, ''), arch);
  return { dir, source: 'downloaded' };
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
