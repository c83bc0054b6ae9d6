/**
 * A small .gitignore matcher (git's pattern rules): `#` comments, `!` negation, trailing `/` for directories only,
 * patterns with a slash anchored to the .gitignore's directory, patterns without one matching at any depth, `*`, `?`,
 * `[...]`, and `**` in leading (`**\/x`), trailing (`x/**`) and middle (`a/**\/b`) positions. Later rules win; rules
 * of deeper .gitignore files come later. Callers prune ignored directories, so (as in git) a file cannot be
 * re-included below an excluded directory.
 */

import { globSource } from '../glob.js';

export interface IgnoreRule {
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

/** Parse a .gitignore located in directory `base` (POSIX path relative to the matcher root, '' for the root). */
export function parseGitignore(content: string, base: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  const prefix = base ? base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '/' : '';
  for (let line of content.split('\n')) {
    line = line.replace(/\r$/, '');
    if (!line || line.startsWith('#')) continue;
    // Trailing spaces are ignored unless escaped.
    line = line.replace(/(?<!\\) +$/, '');
    if (!line) continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
    let dirOnly = false;
    if (line.endsWith('/')) {
      dirOnly = true;
      line = line.replace(/\/+$/, '');
    }
    if (!line) continue;
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = globSource(line, 'git');
    const re = anchored ? new RegExp(`^${prefix}${body}$`) : new RegExp(`^${prefix}(?:.*/)?${body}$`);
    rules.push({ re, negate, dirOnly });
  }
  return rules;
}

export class IgnoreMatcher {
  private readonly rules: IgnoreRule[] = [];

  add(rules: IgnoreRule[]): void {
    this.rules.push(...rules);
  }

  get size(): number {
    return this.rules.length;
  }

  /** `rel`: POSIX path relative to the matcher root. */
  ignores(rel: string, isDir: boolean): boolean {
    let ignored = false;
    for (const r of this.rules) {
      if (r.dirOnly && !isDir) continue;
      if (r.re.test(rel)) ignored = !r.negate;
    }
    return ignored;
  }
}
