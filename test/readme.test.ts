import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './helpers/tmp.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const action = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post: string };
};

/** Rows of the markdown table that follows a heading. */
function table(heading: string): string[][] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README has a "## ${heading}" section`).toBeGreaterThan(-1);
  const rest = readme.slice(start).split('\n').slice(2);
  const rows = [];
  let inTable = false;
  for (const line of rest) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(
        line
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    } else if (inTable) break;
  }
  return rows.slice(2); // header and separator
}

const unquote = (s: string) => s.replace(/^`|`$/g, '');

describe('README matches action.yml', () => {
  it('documents every input with its default, and nothing else', () => {
    const rows = table('Action inputs');
    expect(rows.map((r) => unquote(r[0]!))).toEqual(Object.keys(action.inputs));
    for (const r of rows) {
      const input = action.inputs[unquote(r[0]!)]!;
      expect(unquote(r[1]!).replace(/^''$/, ''), `default of ${r[0]}`).toBe(input.default ?? '');
    }
  });

  it('documents every output, and nothing else', () => {
    expect(table('Action outputs').map((r) => unquote(r[0]!))).toEqual(Object.keys(action.outputs));
  });

  it('runs on node24 with main and post bundles that exist', () => {
    expect(action.runs.using).toBe('node24');
    for (const f of [action.runs.main, action.runs.post])
      expect(readFileSync(path.join(REPO_ROOT, f), 'utf8').length).toBeGreaterThan(1000);
  });
});

describe('README code map', () => {
  const entries = table('Code map')
    .map((r) => r[0]!)
    .filter((c) => c.includes('`'));
  const patterns = entries.flatMap((cell) => {
    const names = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const dir = path.posix.dirname(names[0]!);
    return names.map((n, i) => (i === 0 || n.includes('/') ? n : `${dir}/${n}`));
  });
  const toRe = (p: string) => new RegExp(`^${p.replace(/[.+]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  const sources = (dir: string): string[] =>
    readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
    );

  it('names every source module', () => {
    const missing = sources('src').filter(
      (f) =>
        !patterns.some(
          (p) => toRe(p).test(f) || toRe(p.replace(/\/\*$/, '/**')).test(f) || (p.endsWith('/*') && f.startsWith(p.slice(0, -1))),
        ),
    );
    expect(missing).toEqual([]);
  });

  it('names no module that does not exist', () => {
    const all = sources('src');
    expect(patterns.filter((p) => !all.some((f) => toRe(p).test(f) || (p.endsWith('/*') && f.startsWith(p.slice(0, -1)))))).toEqual([]);
  });
});
