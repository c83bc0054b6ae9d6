import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createIgnoreMatcher, hashBuildInputs, listContextEntries } from '../../src/core/build-inputs.js';
import { tempTree } from '../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function ctx(files: Record<string, string>): { dir: string; df: string; write: (rel: string, c: string) => void } {
  const t = tempTree({ Dockerfile: 'FROM scratch\nCOPY . /app\n', ...files }, 'hybrid-e2e-hash-');
  cleanups.push(t.cleanup);
  const write = (rel: string, c: string): void => {
    mkdirSync(path.dirname(path.join(t.dir, rel)), { recursive: true });
    writeFileSync(path.join(t.dir, rel), c);
  };
  return { dir: t.dir, df: path.join(t.dir, 'Dockerfile'), write };
}

const h = (c: { dir: string; df: string }, over: { args?: Record<string, string>; target?: string } = {}): Promise<string> =>
  hashBuildInputs({
    context: c.dir,
    dockerfile: c.df,
    args: over.args ?? { A: '1', B: '2' },
    ...(over.target ? { target: over.target } : {}),
  });

describe('hashBuildInputs', () => {
  it('is a sha256 hex, stable across calls, copies of the context and timestamps', async () => {
    const files = { 'main.go': 'package main\n', 'pkg/a/a.go': 'package a\n', 'go.mod': 'module x\n' };
    const a = ctx(files);
    const b = ctx(files);
    const ha = await h(a);
    expect(ha).toMatch(/^[0-9a-f]{64}$/);
    expect(await h(a)).toBe(ha);
    expect(await h(b)).toBe(ha); // another directory, same content
    utimesSync(path.join(a.dir, 'main.go'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(await h(a)).toBe(ha);
  });

  it('ignores the order of build args but not their values, and covers target and Dockerfile', async () => {
    const c = ctx({ 'a.txt': 'a' });
    const base = await h(c, { args: { A: '1', B: '2' } });
    expect(await h(c, { args: { B: '2', A: '1' } })).toBe(base);
    expect(await h(c, { args: { A: '1', B: '3' } })).not.toBe(base);
    expect(await h(c, { args: { A: '1' } })).not.toBe(base);
    expect(await h(c, { args: { A: '1', B: '2' }, target: 'prod' })).not.toBe(base);
    writeFileSync(c.df, 'FROM scratch\nCOPY . /srv\n');
    expect(await h(c)).not.toBe(base);
  });

  it('changes with any file content, a new or renamed file, an empty dir, a mode bit or a symlink target', async () => {
    const c = ctx({ 'a.txt': 'a', 'sub/b.txt': 'b' });
    const seen = new Set<string>([await h(c)]);
    const step = async (change: () => void): Promise<void> => {
      change();
      const v = await h(c);
      expect(seen.has(v)).toBe(false);
      seen.add(v);
    };
    await step(() => c.write('sub/b.txt', 'B'));
    await step(() => c.write('new.txt', ''));
    await step(() => renameSync(path.join(c.dir, 'new.txt'), path.join(c.dir, 'renamed.txt')));
    await step(() => mkdirSync(path.join(c.dir, 'emptydir')));
    await step(() => chmodSync(path.join(c.dir, 'a.txt'), 0o755));
    await step(() => symlinkSync('a.txt', path.join(c.dir, 'link')));
    await step(() => {
      rmSync(path.join(c.dir, 'link'));
      symlinkSync('sub/b.txt', path.join(c.dir, 'link'));
    });
  });

  it("does not change when only .dockerignore'd files change", async () => {
    const c = ctx({
      '.dockerignore': '# build outputs\nbin\n*.log\n**/testdata\n!keep.log\n/docs/*.md\n',
      'main.go': 'package main\n',
      'bin/app': 'ELF...',
      'x.log': 'log',
      'keep.log': 'kept',
      'pkg/testdata/big.json': '{}',
      'docs/readme.md': 'doc',
      'docs/deep/other.md': 'deep doc',
    });
    const base = await h(c);
    c.write('bin/app', 'ELF2');
    c.write('bin/new/thing', 'x');
    c.write('x.log', 'more log');
    c.write('y.log', 'another log');
    c.write('pkg/testdata/big.json', '{"a":1}');
    c.write('docs/readme.md', 'changed doc');
    expect(await h(c)).toBe(base);
    c.write('keep.log', 'changed'); // re-included by !keep.log
    const afterKeep = await h(c);
    expect(afterKeep).not.toBe(base);
    c.write('docs/deep/other.md', 'changed'); // /docs/*.md does not reach into docs/deep
    expect(await h(c)).not.toBe(afterKeep);
  });

  it('prefers <Dockerfile>.dockerignore next to the Dockerfile over the context one', async () => {
    const c = ctx({ '.dockerignore': 'a.txt\n', 'a.txt': 'a', 'b.txt': 'b' });
    const base = await h(c);
    c.write('a.txt', 'A');
    expect(await h(c)).toBe(base);
    writeFileSync(`${c.df}.dockerignore`, 'b.txt\n');
    const withOwn = await h(c);
    c.write('b.txt', 'B');
    expect(await h(c)).toBe(withOwn);
    c.write('a.txt', 'AA');
    expect(await h(c)).not.toBe(withOwn);
  });

  it('handles a few thousand files', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) files[`d${i % 20}/f${i}.go`] = `package d\n// ${i}\n`;
    const c = ctx(files);
    const a = await h(c);
    c.write('d7/f1007.go', 'package d\n// changed\n');
    expect(await h(c)).not.toBe(a);
  });
});

describe('.dockerignore matcher', () => {
  const m = (text: string) => createIgnoreMatcher(text);

  it('follows Docker semantics for *, ?, **, parents, exceptions, leading / and comments', () => {
    const x = m('# comment\n  \n*.tmp\n/build\nsrc/**/gen\nlogs/?.txt\n!logs/k.txt\n**/node_modules\nvendor\n!vendor/keep\n');
    expect(x.ignores('a.tmp')).toBe(true);
    expect(x.ignores('dir/a.tmp')).toBe(false); // * does not cross /
    expect(x.ignores('build')).toBe(true);
    expect(x.ignores('build/x/y')).toBe(true); // parent matches
    expect(x.ignores('sub/build')).toBe(false);
    expect(x.ignores('src/gen')).toBe(true);
    expect(x.ignores('src/a/b/gen/file.go')).toBe(true);
    expect(x.ignores('src/a/generated')).toBe(false);
    expect(x.ignores('logs/a.txt')).toBe(true);
    expect(x.ignores('logs/ab.txt')).toBe(false);
    expect(x.ignores('logs/k.txt')).toBe(false);
    expect(x.ignores('node_modules/x')).toBe(true);
    expect(x.ignores('web/node_modules/x/y')).toBe(true);
    expect(x.ignores('vendor/a')).toBe(true);
    expect(x.ignores('vendor/keep')).toBe(false);
    expect(x.ignores('# comment')).toBe(false);
    expect(x.hasExceptions).toBe(true);
  });

  it('last matching pattern wins; character classes and escapes', () => {
    const x = m('*.md\n!README.md\nREADME.md\n[abc].txt\n[!x]y.txt\n\\*lit\n');
    expect(x.ignores('README.md')).toBe(true);
    expect(x.ignores('b.txt')).toBe(true);
    expect(x.ignores('d.txt')).toBe(false);
    expect(x.ignores('ay.txt')).toBe(true);
    expect(x.ignores('xy.txt')).toBe(false);
    expect(x.ignores('*lit')).toBe(true);
    expect(x.ignores('alit')).toBe(false);
  });

  it('an excluded directory is walked only when exceptions could re-include something in it', async () => {
    const c = ctx({ 'out/a': '1', 'out/b/c': '2', 'keep/x': '3' });
    const plain = (await listContextEntries(c.dir, m('out\n'))).map((e) => e.rel);
    expect(plain).toEqual(['Dockerfile', 'keep', 'keep/x']);
    const withException = (await listContextEntries(c.dir, m('out\n!out/b/c\n'))).map((e) => e.rel);
    expect(withException).toEqual(['Dockerfile', 'keep', 'keep/x', 'out/b/c']);
  });

  it('a pattern matching a path literally always ignores it (property)', () => {
    const seg = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 4 }), fc.array(seg, { maxLength: 3 }), (dirs, below) => {
        const rel = dirs.join('/');
        const x = m(`${rel}\n`);
        expect(x.ignores(rel)).toBe(true);
        expect(x.ignores([rel, ...below].join('/'))).toBe(true);
        expect(x.ignores(`${rel}x`)).toBe(false);
      }),
    );
  });
});
