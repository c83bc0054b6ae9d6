/**
 * Minimal reader for docker-archive tarballs (`docker save`, `podman save --format docker-archive`,
 * buildx `--output type=docker`): finds `manifest.json` without extracting anything.
 * Handles ustar, GNU long names (`L`) and pax headers (`x`); skips file data by seeking.
 */
import { open } from 'node:fs/promises';

export interface DockerArchiveEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

function cstr(buf: Buffer, start: number, len: number): string {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? slice.length : nul).toString('utf8');
}

function octal(buf: Buffer, start: number, len: number): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    // base-256 (GNU) for big sizes
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + (buf[i] ?? 0);
    return n;
  }
  const s = cstr(buf, start, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function paxPath(data: Buffer): string | undefined {
  let off = 0;
  const text = data.toString('utf8');
  while (off < text.length) {
    const sp = text.indexOf(' ', off);
    if (sp === -1) break;
    const len = Number(text.slice(off, sp));
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = text.slice(sp + 1, off + len - 1);
    const eq = rec.indexOf('=');
    if (eq !== -1 && rec.slice(0, eq) === 'path') return rec.slice(eq + 1);
    off += len;
  }
  return undefined;
}

/** Reads one named member (first match) of a tar file; undefined when absent. */
export async function readTarMember(tarPath: string, member: string, maxBytes = 16 << 20): Promise<Buffer | undefined> {
  const fh = await open(tarPath, 'r');
  try {
    const header = Buffer.alloc(512);
    let pos = 0;
    let longName: string | undefined;
    for (;;) {
      const { bytesRead } = await fh.read(header, 0, 512, pos);
      if (bytesRead < 512) return undefined;
      if (header.every((b) => b === 0)) return undefined;
      const size = octal(header, 124, 12);
      const type = String.fromCharCode(header[156] ?? 0x30);
      const dataPos = pos + 512;
      const next = dataPos + Math.ceil(size / 512) * 512;
      if (type === 'L' || type === 'x') {
        const data = Buffer.alloc(Math.min(size, 1 << 20));
        await fh.read(data, 0, data.length, dataPos);
        longName = type === 'L' ? cstr(data, 0, data.length) : (paxPath(data) ?? longName);
        pos = next;
        continue;
      }
      const prefix = cstr(header, 345, 155);
      const base = cstr(header, 0, 100);
      const name = (longName ?? (prefix ? `${prefix}/${base}` : base)).replace(/^\.\//, '');
      longName = undefined;
      if (name === member && (type === '0' || type === '\0')) {
        if (size > maxBytes) throw new Error(`${member} in ${tarPath} is too large (${size} bytes)`);
        const data = Buffer.alloc(size);
        await fh.read(data, 0, size, dataPos);
        return data;
      }
      pos = next;
    }
  } finally {
    await fh.close();
  }
}

/** The archive's manifest.json; throws if the file is not a docker-archive. */
export async function readDockerArchiveManifest(tarPath: string): Promise<DockerArchiveEntry[]> {
  const data = await readTarMember(tarPath, 'manifest.json');
  if (!data) throw new Error(`${tarPath} is not a docker-archive (no manifest.json)`);
  const parsed: unknown = JSON.parse(data.toString('utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${tarPath}: manifest.json is not an array`);
  return parsed as DockerArchiveEntry[];
}

/** `sha256:<hex>` of the image config named in the archive's manifest (the image ID). */
export function configDigest(entry: DockerArchiveEntry): string | undefined {
  const m = /([0-9a-f]{64})(?:\.json)?$/.exec(entry.Config);
  return m ? `sha256:${m[1]}` : undefined;
}
