import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './tmp.js';

/** The bundle under test: dist/, or HYBRID_E2E_TEST_DIST (a bundle built elsewhere). */
export const DIST = process.env.HYBRID_E2E_TEST_DIST ?? path.join(REPO_ROOT, 'dist');

/** Parses a GITHUB_OUTPUT / GITHUB_STATE file (heredoc syntax written by @actions/core). */
export function readCommandFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const m of text.matchAll(/^([^<\n]+)<<(.+)\n([\s\S]*?)\n\2$/gm)) out[m[1]!] = m[3]!;
  return out;
}
