/**
 * Content hash of a build's inputs: the cache/reuse key for images (`<repo>:e2e-<runid>-<hash8>`, label
 * `io.hybrid-e2e.inputs=<hash>`). It covers the Dockerfile's content, the build args (sorted), the target and every
 * file of the build context that the builder would send (honouring `.dockerignore`), never the git SHA: a commit
 * that does not touch a service's context reuses its image.
 *
 * Per context entry it hashes: the relative path, the type (file, dir, symlink), the permission bits and the content
 * (file bytes, symlink target). Timestamps and ownership are ignored (a fresh checkout must hash the same).
 *
 * `.dockerignore` matching follows Docker's rules (moby patternmatcher), documented here because we reimplement it:
 * - one pattern per line; blank lines and lines starting with `#` are skipped; surrounding whitespace is trimmed;
 * - a leading `!` makes an exception (re-include); patterns are cleaned like a path (`./a/../b` -> `b`) and a
 *   leading `/` is dropped: every pattern is relative to the context root;
 * - `*` matches any run of non-`/` characters, `?` one non-`/` character, `[...]` a character class (`[^...]` or
 *   `[!...]` negated), `\x` a literal `x`, `**` any number of directories (including none);
 * - a path is excluded when the last pattern matching it, or matching one of its parent directories, is not an
 *   exception. So `vendor` excludes `vendor/a/b`, and `!vendor/keep` brings `vendor/keep` back.
 * The ignore file used: `<Dockerfile>.dockerignore` next to the Dockerfile (BuildKit), else `<context>/.dockerignore`,
 * else `<context>/.containerignore` (podman).
 */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { globToRegExp } from './glob.js';

export interface BuildInputs {
  context: string;
  dockerfile: string;
  args?: Record<string, string>;
  target?: string;
  /** Anything else that changes the image (platform, builder kind...), hashed as sorted key/value pairs. */
  extra?: Record<string, string>;
}

interface Pattern {
  re: RegExp;
  exclusion: boolean;
}

function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (parts.length > 0 || !p.startsWith('/')) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  return parts.join('/');
}

/** Compile one pattern (without `!`) to an anchored RegExp over `/`-separated relative paths. */
export function compilePattern(pattern: string): RegExp {
  return globToRegExp(pattern, 'docker');
}

/** Parse `.dockerignore` text into ordered patterns. */
export function parseDockerignore(text: string): Pattern[] {
  const out: Pattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    let exclusion = false;
    if (line.startsWith('!')) {
      exclusion = true;
      line = line.slice(1).trim();
    }
    const cleaned = cleanPath(line);
    if (!cleaned) continue;
    out.push({ re: compilePattern(cleaned), exclusion });
  }
  return out;
}

export interface IgnoreMatcher {
  /** True when `rel` (`/`-separated, relative to the context) is excluded. */
  ignores(rel: string): boolean;
  /** True when some exception pattern exists (excluded directories must still be walked). */
  readonly hasExceptions: boolean;
}

export function createIgnoreMatcher(text: string): IgnoreMatcher {
  const patterns = parseDockerignore(text);
  const hasExceptions = patterns.some((p) => p.exclusion);
  return {
    hasExceptions,
    ignores(rel: string): boolean {
      const parents = rel.split('/').slice(0, -1);
      let matched = false;
      for (const p of patterns) {
        if (p.exclusion !== matched) continue; // only exceptions can undo a match, only non-exceptions can make one
        let m = p.re.test(rel);
        for (let i = 1; !m && i <= parents.length; i++) m = p.re.test(parents.slice(0, i).join('/'));
        if (m) matched = !p.exclusion;
      }
      return matched;
    },
  };
}

async function readIgnoreFile(context: string, dockerfile: string): Promise<string> {
  for (const f of [`${dockerfile}.dockerignore`, path.join(context, '.dockerignore'), path.join(context, '.containerignore')]) {
    try {
      return await readFile(f, 'utf8');
    } catch {
      /* try next */
    }
  }
  return '';
}

interface Entry {
  rel: string;
  abs: string;
  type: 'f' | 'd' | 'l';
  mode: number;
  size: number;
}

/**
 * Cooperative yielding: the walk and the hashing of small files use synchronous fs calls (several times faster
 * than thousands of tiny async operations through libuv's thread pool) but give the event loop a turn every few
 * milliseconds, so build output streaming elsewhere in the process is not starved.
 */
class Yielder {
  private last = Date.now();
  async maybe(): Promise<void> {
    if (Date.now() - this.last < 8) return;
    await new Promise<void>((r) => setImmediate(r));
    this.last = Date.now();
  }
}

/** Context entries (sorted by relative path) that the builder would see. */
export async function listContextEntries(context: string, matcher: IgnoreMatcher): Promise<Entry[]> {
  const out: Entry[] = [];
  const y = new Yielder();
  async function walk(dirAbs: string, dirRel: string): Promise<void> {
    const names = readdirSync(dirAbs).sort();
    for (const name of names) {
      await y.maybe();
      const rel = dirRel ? `${dirRel}/${name}` : name;
      const abs = path.join(dirAbs, name);
      const st = lstatSync(abs);
      const ignored = matcher.ignores(rel);
      if (st.isDirectory()) {
        if (ignored && !matcher.hasExceptions) continue;
        if (!ignored) out.push({ rel, abs, type: 'd', mode: st.mode & 0o7777, size: 0 });
        await walk(abs, rel);
      } else if (!ignored) {
        if (st.isFile()) out.push({ rel, abs, type: 'f', mode: st.mode & 0o7777, size: st.size });
        else if (st.isSymbolicLink()) out.push({ rel, abs, type: 'l', mode: 0, size: 0 });
        // sockets, fifos, devices: not sent by builders
      }
    }
  }
  await walk(context, '');
  return out;
}

const SMALL_FILE = 256 << 10;

async function streamDigest(abs: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(abs)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** sha256 hex of a context's contents (after `.dockerignore`). */
export async function hashContext(context: string, dockerfile: string): Promise<string> {
  const matcher = createIgnoreMatcher(await readIgnoreFile(context, dockerfile));
  const entries = await listContextEntries(context, matcher);
  const y = new Yielder();
  // Large files are streamed concurrently; small ones are read synchronously in between.
  const big = new Map<number, Promise<string>>();
  entries.forEach((e, i) => {
    if (e.type === 'f' && e.size > SMALL_FILE) big.set(i, streamDigest(e.abs));
  });
  const h = createHash('sha256');
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    let digest = '';
    if (e.type === 'f') digest = big.has(i) ? await big.get(i)! : createHash('sha256').update(readFileSync(e.abs)).digest('hex');
    else if (e.type === 'l') digest = createHash('sha256').update(readlinkSync(e.abs)).digest('hex');
    h.update(JSON.stringify([e.type, e.rel, e.mode.toString(8), digest]) + '\n');
    await y.maybe();
  }
  return h.digest('hex');
}

function sortedEntries(rec: Record<string, string> | undefined): [string, string][] {
  return Object.entries(rec ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The cache/reuse key of one image build. */
export async function hashBuildInputs(inp: BuildInputs): Promise<string> {
  const [dockerfile, context] = await Promise.all([readFile(inp.dockerfile), hashContext(inp.context, inp.dockerfile)]);
  const h = createHash('sha256');
  h.update('hybrid-e2e build inputs v1\n');
  h.update(JSON.stringify(['dockerfile', createHash('sha256').update(dockerfile).digest('hex')]) + '\n');
  h.update(JSON.stringify(['target', inp.target ?? '']) + '\n');
  for (const [k, v] of sortedEntries(inp.args)) h.update(JSON.stringify(['arg', k, v]) + '\n');
  for (const [k, v] of sortedEntries(inp.extra)) h.update(JSON.stringify(['extra', k, v]) + '\n');
  h.update(JSON.stringify(['context', context]) + '\n');
  return h.digest('hex');
}
