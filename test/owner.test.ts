// One owner everywhere: every reference to this action, its reusable workflow, its repository or its schema URL
// names hybrid-e2e/hybrid-e2e-action. A copy under another owner (a fork's, a placeholder like `org/`) fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/tmp.js';

const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage']);
const TEXT = /\.(md|ya?ml|json|ts|mjs|js|cjs|txt)$/;

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (TEXT.test(name)) out.push(p);
  }
  return out;
}

/** `<owner>/hybrid-e2e-action` as a reference: after `uses:`, a github.com or raw.githubusercontent.com URL, `repo:`. */
const REFERENCE = /(?:uses:\s*|github\.com\/|githubusercontent\.com\/|repo:\s*)([^\s/'"`]+)\/hybrid-e2e-action\b/g;

describe('owner', () => {
  it('every reference to this action names hybrid-e2e/hybrid-e2e-action', () => {
    const wrong: string[] = [];
    for (const f of files(REPO_ROOT)) {
      if (f === path.join(REPO_ROOT, 'test', 'owner.test.ts')) continue;
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(REFERENCE)) {
        if (m[1] !== 'hybrid-e2e') wrong.push(`${path.relative(REPO_ROOT, f)}: ${m[0]}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the check finds another owner', () => {
    const sample = 'uses: org/hybrid-e2e-action@v1\n$schema=https://raw.githubusercontent.com/acme/hybrid-e2e-action/v1/x.json';
    expect([...sample.matchAll(REFERENCE)].map((m) => m[1])).toEqual(['org', 'acme']);
  });
});
