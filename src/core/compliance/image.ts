import { normalizeRepository, splitImageRef } from '../image-ref.js';

export interface ImageRef {
  /** As written after substitution, e.g. `registry.access.redhat.com/ubi9/go-toolset:1.25`. */
  raw: string;
  /** Normalised repository without tag/digest, e.g. `docker.io/library/golang`. */
  repository: string;
  registry: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(raw: string): ImageRef | null {
  const trimmed = raw.trim();
  if (!trimmed || /\s/.test(trimmed)) return null;
  const { name, tag, digest } = splitImageRef(trimmed);
  if (!name) return null;
  const repository = normalizeRepository(name);
  const registry = repository.slice(0, repository.indexOf('/'));
  return { raw, repository, registry, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Numeric version prefix of a tag (`1.25-alpine` -> [1, 25], `v9.4` -> [9, 4]); null when the tag has none. */
export function tagVersion(tag: string): number[] | null {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(tag);
  return m ? m[1]!.split('.').map(Number) : null;
}

/**
 * Substitutes `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}` using `vars`
 * (undefined = not declared, null = declared without value). Returns null when a needed variable has no value.
 */
export function substitute(s: string, vars: Map<string, string | null>): string | null {
  if (!s.includes('$')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length && s[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (s[i + 1] === '{') {
      const close = s.indexOf('}', i + 2);
      if (close < 0) return null;
      const body = s.slice(i + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/.exec(body);
      if (!m) return null;
      const v = vars.get(m[1]!);
      const set = v !== undefined && v !== null;
      const nonEmpty = set && v !== '';
      const op = m[2];
      const word = m[3] ?? '';
      let rep: string | null;
      if (op === ':-') rep = nonEmpty ? v : substitute(word, vars);
      else if (op === '-') rep = set ? v : substitute(word, vars);
      else if (op === ':+') rep = nonEmpty ? substitute(word, vars) : '';
      else if (op === '+') rep = set ? substitute(word, vars) : '';
      else rep = set ? v : null;
      if (rep === null) return null;
      out += rep;
      i = close;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1));
    if (!m) {
      out += c;
      continue;
    }
    const v = vars.get(m[0]);
    if (v === undefined || v === null) return null;
    out += v;
    i += m[0].length;
  }
  return out;
}
