import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { LintIO } from '../../../src/commands/lint.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CORPUS_OLD = path.resolve(REPO, '../shared/kubernaut-dockerfiles');
export const CORPUS_HEAD = path.resolve(REPO, '../shared/kubernaut-dockerfiles-head');
export const FIXTURES = path.join(REPO, 'test/core/compliance/fixtures');

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** A temp dir removed after the test. */
export function tmpDir(prefix = 'hybrid-e2e-compliance-'): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export interface Captured extends LintIO {
  out: () => string;
  err: () => string;
}

export function captureIO(cwd: string, opts: { isTTY?: boolean; env?: Record<string, string | undefined> } = {}): Captured {
  let out = '';
  let err = '';
  return {
    cwd,
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    isTTY: opts.isTTY ?? false,
    env: opts.env ?? {},
    out: () => out,
    err: () => err,
  };
}

/** Dedent a template literal (strip the common leading indentation and the first newline). */
export function df(strings: TemplateStringsArray, ...values: unknown[]): string {
  let s = strings.reduce((acc, str, i) => acc + str + (i < values.length ? String(values[i]) : ''), '');
  if (s.startsWith('\n')) s = s.slice(1);
  const lines = s.split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const min = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(min)).join('\n');
}
