import { existsSync, readFileSync, readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { IgnoreMatcher, parseGitignore } from './gitignore.js';

/** A path given by the user does not exist or cannot be read (maps to exit code 2). */
export class ComplianceInputError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ComplianceInputError';
  }
}

const NOT_DOCKERFILE_EXT = new Set([
  'md',
  'markdown',
  'txt',
  'rst',
  'adoc',
  'asciidoc',
  'html',
  'htm',
  'pdf',
  'orig',
  'rej',
  'bak',
  'old',
  'swp',
  'swo',
  'tmp',
  'dockerignore',
  'json',
  'yaml',
  'yml',
  'toml',
  'lock',
  'sh',
  'bash',
  'py',
  'go',
  'js',
  'ts',
  'patch',
  'diff',
  'log',
  'png',
  'jpg',
  'jpeg',
  'svg',
  'gif',
  'j2',
  'jinja',
  'jinja2',
  'tpl',
  'tmpl',
  'template',
  'erb',
  'mustache',
  'hbs',
  'in',
]);

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);

/**
 * `Dockerfile`, `Containerfile`, `*.Dockerfile`, `*.Containerfile`, `Dockerfile.*` and `Containerfile.*`
 * (case-insensitive), except `Dockerfile.<ext>` for documentation, template, backup and other non-Dockerfile
 * extensions (`Dockerfile.md`, `Dockerfile.j2`, `Dockerfile.dockerignore`, ...).
 */
export function isDockerfileName(name: string): boolean {
  const n = name.toLowerCase();
  if (n === 'dockerfile' || n === 'containerfile') return true;
  if ((n.endsWith('.dockerfile') && n.length > 11) || (n.endsWith('.containerfile') && n.length > 14)) return true;
  const m = /^(?:dockerfile|containerfile)\.(.+)$/.exec(n);
  if (!m) return false;
  const ext = m[1]!.slice(m[1]!.lastIndexOf('.') + 1);
  return ext.length > 0 && !NOT_DOCKERFILE_EXT.has(ext);
}

function readIfExists(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

/** Nearest directory at or above `dir` that contains `.git` (a directory, or a file for worktrees/submodules). */
export function findRepoRoot(dir: string): string | null {
  let d = dir;
  for (;;) {
    if (existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Finds Dockerfiles under the given paths (relative to `cwd` or absolute). Files named explicitly are always
 * included. Directories are walked recursively, skipping `.git`, `node_modules`, `.hg`, `.svn`, symlinked
 * directories, and whatever the .gitignore files ignore: those in the walked directories, those in their parent
 * directories up to the repository root (the nearest directory with `.git`), and `.git/info/exclude`. The global
 * `core.excludesFile` is not read. Returns sorted, de-duplicated absolute paths. Throws ComplianceInputError for a
 * path that does not exist.
 */
export async function discoverDockerfiles(paths: string[], opts: { cwd: string }): Promise<string[]> {
  const out = new Set<string>();
  for (const p of paths) {
    const abs = path.resolve(opts.cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new ComplianceInputError(`path not found: ${p}`, p);
    }
    if (st.isFile()) {
      out.add(abs);
      continue;
    }
    if (!st.isDirectory()) throw new ComplianceInputError(`not a file or directory: ${p}`, p);
    const root = findRepoRoot(abs) ?? abs;
    const matcher = new IgnoreMatcher();
    if (root !== abs || existsSync(path.join(root, '.git'))) {
      const exclude = readIfExists(path.join(root, '.git', 'info', 'exclude'));
      if (exclude) matcher.add(parseGitignore(exclude, ''));
    }
    // .gitignore files of the ancestors between the repository root and the walked directory.
    const relStart = toPosix(path.relative(root, abs));
    const parts = relStart ? relStart.split('/') : [];
    for (let i = 0; i < parts.length; i++) {
      const dirRel = parts.slice(0, i).join('/');
      const gi = readIfExists(path.join(root, dirRel, '.gitignore'));
      if (gi) matcher.add(parseGitignore(gi, dirRel));
    }
    walk(root, abs, matcher, out);
  }
  return [...out].sort();
}

/** Depth-first walk with synchronous readdir (much faster than the promise API for many small directories). */
function walk(root: string, dir: string, matcher: IgnoreMatcher, out: Set<string>): void {
  const rel = toPosix(path.relative(root, dir));
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new ComplianceInputError(`cannot read directory ${dir}: ${(e as Error).message}`, dir);
  }
  if (entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
    const gi = readIfExists(path.join(dir, '.gitignore'));
    if (gi) matcher.add(parseGitignore(gi, rel));
  }
  for (const e of entries) {
    const childRel = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (SKIP_DIRS.has(e.name) || matcher.ignores(childRel, true)) continue;
      walk(root, path.join(dir, e.name), matcher, out);
    } else if ((e.isFile() || e.isSymbolicLink()) && isDockerfileName(e.name) && !matcher.ignores(childRel, false)) {
      const full = path.join(dir, e.name);
      if (e.isSymbolicLink()) {
        let st;
        try {
          st = statSync(full);
        } catch {
          continue;
        }
        if (!st.isFile()) continue;
      }
      out.add(full);
    }
  }
}
