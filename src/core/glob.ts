/**
 * The one glob compiler: `/`-separated path globs to regular expressions, for `.dockerignore` (build inputs),
 * `.gitignore` (Dockerfile discovery) and repository patterns (base image policy). Hand-written rather than a
 * library (picomatch, minimatch) because core may depend on nothing but node, zod and yaml, and because the three
 * dialects differ only in `**`, which no single library models all three ways.
 *
 * Shared rules: `*` is any run of non-`/` characters, `?` one non-`/` character, `[...]` a class (`[!...]` or `[^...]`
 * negated; an unclosed `[` is literal), `\x` the literal `x`; everything else is literal.
 * `**`, by dialect:
 * - `docker` (moby/patternmatcher): `**` swallows a following `/`; at the end of the pattern it is `.*`, elsewhere
 *   any number of directories, including none;
 * - `git` (gitignore(5)): only as a whole path segment: leading or middle `**` plus a slash is any number of directories,
 *   a trailing `/**` everything inside; anywhere else `**` is `*`;
 * - `any`: `**` is any characters including `/`.
 */
export type DoubleStar = 'docker' | 'git' | 'any';

const SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/** The unanchored RegExp source of `glob`. */
export function globSource(glob: string, doubleStar: DoubleStar): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      if (doubleStar === 'any') {
        out += '.*';
        i++;
      } else if (doubleStar === 'docker') {
        i += 2;
        if (glob[i] === '/') i++;
        out += i >= glob.length ? '.*' : '(?:.*/)?';
        i--;
      } else {
        const wholeSegment = (i === 0 || glob[i - 1] === '/') && (i + 2 === glob.length || glob[i + 2] === '/');
        if (!wholeSegment) out += '[^/]*';
        else if (i + 2 === glob.length) out += '.*';
        else {
          out += '(?:.*/)?';
          i++; // and the slash, below
        }
        i++;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) out += '\\[';
      else {
        let cls = glob.slice(i + 1, close);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        out += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += glob[i + 1]!.replace(SPECIAL, '\\$&');
      i++;
    } else out += c.replace(SPECIAL, '\\$&');
  }
  return out;
}

/** `glob` as a RegExp matching whole paths. */
export function globToRegExp(glob: string, doubleStar: DoubleStar): RegExp {
  return new RegExp(`^${globSource(glob, doubleStar)}$`);
}
