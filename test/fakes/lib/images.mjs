// Image references and image archives.
//
// normalizeImage() follows containerd/docker reference normalisation:
//   foo:t       -> docker.io/library/foo:t
//   org/foo:t   -> docker.io/org/foo:t
//   foo         -> docker.io/library/foo:latest
//   localhost/foo:t, quay.io/x/y:t, host:5000/x:t stay as they are.
//
// readImageArchive() is a small streaming tar reader (ustar, GNU long names,
// pax headers, base-256 sizes) that reads only the metadata files it needs.
import fs from 'node:fs';

const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

/** Split a reference into { domain, path, tag, digest }; undefined if invalid. */
export function parseImageRef(ref) {
  if (typeof ref !== 'string' || ref === '' || /\s/.test(ref)) return undefined;
  let name = ref;
  let digest = '';
  const at = name.indexOf('@');
  if (at !== -1) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag = '';
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const parts = name.split('/');
  let domain = '';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first))) {
    domain = first;
    parts.shift();
  }
  if (parts.length === 0 || !parts.every((p) => NAME_COMPONENT.test(p))) return undefined;
  return { domain, path: parts.join('/'), tag, digest };
}

/** Normalise like containerd does when it stores/looks up an image. */
export function normalizeImage(ref) {
  const p = parseImageRef(ref);
  if (!p) return undefined;
  let domain = p.domain || 'docker.io';
  if (domain === 'index.docker.io') domain = 'docker.io';
  let repoPath = p.path;
  if (domain === 'docker.io' && !repoPath.includes('/')) repoPath = `library/${repoPath}`;
  const tag = p.tag || (p.digest ? '' : 'latest');
  return `${domain}/${repoPath}${tag ? `:${tag}` : ''}${p.digest ? `@${p.digest}` : ''}`;
}

/** Repository part (no tag/digest) of a normalised reference. */
export function repoOf(ref) {
  const at = ref.indexOf('@');
  let name = at === -1 ? ref : ref.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  return name;
}

/** Tag of a reference ('' if none). */
export function tagOf(ref) {
  const p = parseImageRef(ref);
  return p ? p.tag : '';
}

// ---------------------------------------------------------------- tar

export class ArchiveError extends Error {}

function cstr(buf, start, len) {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? len : nul).toString('utf8');
}

function parseNumeric(buf, start, len) {
  if (buf[start] & 0x80) {
    // base-256 (GNU) encoding
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + buf[i];
    return v;
  }
  const s = cstr(buf, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new ArchiveError('archive/tar: invalid tar header');
  return parseInt(s, 8);
}

function checksumOk(h) {
  const want = parseNumeric(h, 148, 8);
  let unsigned = 0;
  for (let i = 0; i < 512; i++) unsigned += i >= 148 && i < 156 ? 32 : h[i];
  return want === unsigned;
}

function parsePax(buf) {
  const out = {};
  let s = buf.toString('utf8');
  while (s.length) {
    const sp = s.indexOf(' ');
    if (sp === -1) break;
    const len = Number(s.slice(0, sp));
    if (!Number.isInteger(len) || len <= sp) throw new ArchiveError('archive/tar: invalid tar header');
    const rec = s.slice(sp + 1, len - 1);
    const eq = rec.indexOf('=');
    if (eq !== -1) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    s = s.slice(len);
  }
  return out;
}

/**
 * List a tar file's entries and return the contents of entries for which
 * `want(name)` is true (each at most `maxBytes`). Throws ArchiveError.
 */
export function readTar(file, want = () => false, maxBytes = 4 * 1024 * 1024) {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const h = Buffer.alloc(512);
    const entries = [];
    const files = {};
    let pos = 0;
    let pax = {};
    let longName;
    let sawEnd = false;
    while (pos + 512 <= size) {
      fs.readSync(fd, h, 0, 512, pos);
      pos += 512;
      if (h.every((b) => b === 0)) {
        sawEnd = true;
        break;
      }
      if (!checksumOk(h)) throw new ArchiveError('archive/tar: invalid tar header');
      const type = String.fromCharCode(h[156] || 0x30);
      let esize = parseNumeric(h, 124, 12);
      const magic = cstr(h, 257, 6);
      let name = cstr(h, 0, 100);
      if (magic === 'ustar') {
        const prefix = cstr(h, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      if (pax.size !== undefined) esize = Number(pax.size);
      const dataStart = pos;
      const padded = Math.ceil(esize / 512) * 512;
      if (dataStart + esize > size) throw new ArchiveError('unexpected EOF');
      const readData = () => {
        const b = Buffer.alloc(esize);
        if (esize) fs.readSync(fd, b, 0, esize, dataStart);
        return b;
      };
      pos += padded;
      if (type === 'x') {
        pax = { ...pax, ...parsePax(readData()) };
        continue;
      }
      if (type === 'g') {
        readData();
        continue;
      }
      if (type === 'L') {
        longName = readData().toString('utf8').replace(/\0+$/, '');
        continue;
      }
      if (type === 'K') continue;
      if (longName !== undefined) name = longName;
      if (pax.path !== undefined) name = pax.path;
      const linkname = pax.linkpath ?? cstr(h, 157, 100);
      name = name.replace(/^\.\//, '');
      entries.push({ name, size: esize, type, linkname });
      if ((type === '0' || type === '\0' || type === '7') && want(name)) {
        if (esize > maxBytes) throw new ArchiveError(`${name} is too large (${esize} bytes)`);
        files[name] = readData();
      }
      pax = {};
      longName = undefined;
    }
    if (!sawEnd && entries.length === 0) throw new ArchiveError('unexpected EOF');
    return { entries, files };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Inspect an image archive the way `ctr images import` would.
 * Returns { format: 'docker-archive'|'oci', tags: string[] (normalised), rawTags, digests }.
 * Throws ArchiveError with a ctr-like message when it is not an importable archive.
 */
export function readImageArchive(file) {
  const meta = (n) => n === 'manifest.json' || n === 'index.json' || n === 'oci-layout' || n === 'repositories';
  const { entries, files } = readTar(file, meta);
  const names = new Set(entries.map((e) => e.name.replace(/\/$/, '')));
  const parseJson = (n) => {
    try {
      return JSON.parse(files[n].toString('utf8'));
    } catch {
      throw new ArchiveError(`failed to parse ${n}: invalid JSON`);
    }
  };
  if (files['index.json']) {
    const index = parseJson('index.json');
    if (!index || !Array.isArray(index.manifests)) throw new ArchiveError('unrecognized image format: index.json has no manifests');
    const rawTags = [];
    const digests = [];
    for (const m of index.manifests) {
      const d = typeof m?.digest === 'string' ? m.digest : '';
      const blob = `blobs/${d.replace(':', '/')}`;
      if (!d || !names.has(blob)) throw new ArchiveError(`failed to import: content digest ${d || '(none)'}: not found`);
      digests.push(d);
      const ann = m.annotations ?? {};
      const ref = ann['io.containerd.image.name'] ?? ann['org.opencontainers.image.ref.name'];
      if (typeof ref === 'string' && parseImageRef(ref) && (ref.includes('/') || ref.includes(':'))) rawTags.push(ref);
    }
    // `ctr images import --all-platforms` (what kind runs, kind pkg/cluster/nodeutils/util.go LoadImageArchive)
    // walks every manifest of every platform an index lists and fails on the first blob the archive lacks: a
    // multi-arch index saved from a single-platform image store (kind#3795).
    const small = new Set(entries.filter((e) => e.name.startsWith('blobs/') && e.size <= 256 * 1024).map((e) => e.name.replace(/\/$/, '')));
    const blobs = readTar(file, (n) => small.has(n.replace(/\/$/, ''))).files;
    const walk = (digest, depth) => {
      const name = `blobs/${digest.replace(':', '/')}`;
      if (!names.has(name)) throw new ArchiveError(`content digest ${digest}: not found`);
      if (depth > 4 || !blobs[name]) return;
      let doc;
      try {
        doc = JSON.parse(blobs[name].toString('utf8'));
      } catch {
        return; // a layer or config, not a manifest
      }
      if (Array.isArray(doc?.manifests)) for (const m of doc.manifests) walk(m.digest, depth + 1);
      else if (doc?.config?.digest) for (const d of [doc.config.digest, ...(doc.layers ?? []).map((l) => l.digest)]) walk(d, depth + 1);
    };
    for (const d of digests) walk(d, 0);
    // docker >= 25 writes both index.json and manifest.json; prefer manifest RepoTags if present
    if (files['manifest.json']) {
      const manifest = parseJson('manifest.json');
      if (Array.isArray(manifest)) for (const m of manifest) for (const t of m?.RepoTags ?? []) if (!rawTags.includes(t)) rawTags.push(t);
    }
    return { format: 'oci', rawTags, tags: uniq(rawTags.map(normalizeImage).filter(Boolean)), digests };
  }
  if (files['manifest.json']) {
    const manifest = parseJson('manifest.json');
    if (!Array.isArray(manifest) || manifest.length === 0) throw new ArchiveError('unrecognized image format: manifest.json is empty');
    const rawTags = [];
    const digests = [];
    for (const m of manifest) {
      if (typeof m?.Config !== 'string' || !names.has(m.Config)) {
        throw new ArchiveError(`failed to import: config ${m?.Config ?? '(none)'} not found in archive`);
      }
      for (const l of m.Layers ?? []) if (!names.has(l)) throw new ArchiveError(`failed to import: layer ${l} not found in archive`);
      digests.push(`sha256:${m.Config.replace(/^blobs\/sha256\//, '').replace(/\.json$/, '')}`);
      for (const t of m.RepoTags ?? []) rawTags.push(t);
    }
    return { format: 'docker-archive', rawTags, tags: uniq(rawTags.map(normalizeImage).filter(Boolean)), digests };
  }
  throw new ArchiveError('unrecognized image format');
}

function uniq(a) {
  return [...new Set(a)];
}
