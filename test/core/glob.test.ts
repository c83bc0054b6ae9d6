import { describe, expect, it } from 'vitest';
import { globToRegExp } from '../../src/core/glob.js';

const m = (glob: string, d: 'docker' | 'git' | 'any', path: string) => globToRegExp(glob, d).test(path);

describe('one glob compiler, three dialects', () => {
  it('shares *, ?, classes, escapes and literals', () => {
    for (const d of ['docker', 'git', 'any'] as const) {
      expect(m('*.go', d, 'main.go')).toBe(true);
      expect(m('*.go', d, 'cmd/main.go')).toBe(false);
      expect(m('a?c', d, 'abc')).toBe(true);
      expect(m('a?c', d, 'a/c')).toBe(false);
      expect(m('[ab].txt', d, 'b.txt')).toBe(true);
      expect(m('[!ab].txt', d, 'b.txt')).toBe(false);
      expect(m('\\*.txt', d, '*.txt')).toBe(true);
      expect(m('\\*.txt', d, 'x.txt')).toBe(false);
      expect(m('a.b+c(d)', d, 'a.b+c(d)')).toBe(true);
      expect(m('a.b', d, 'axb')).toBe(false);
      expect(m('[unclosed', d, '[unclosed')).toBe(true);
    }
  });

  it('docker: ** swallows a slash and spans directories, including none (moby/patternmatcher)', () => {
    expect(m('**/*.md', 'docker', 'README.md')).toBe(true);
    expect(m('**/*.md', 'docker', 'docs/a/b.md')).toBe(true);
    expect(m('vendor/**', 'docker', 'vendor/a/b')).toBe(true);
    expect(m('a/**/b', 'docker', 'a/b')).toBe(true);
    expect(m('a/**/b', 'docker', 'a/x/y/b')).toBe(true);
  });

  it('git: ** only as a whole segment; elsewhere it is *', () => {
    expect(m('**/foo', 'git', 'foo')).toBe(true);
    expect(m('**/foo', 'git', 'a/b/foo')).toBe(true);
    expect(m('abc/**', 'git', 'abc/x/y')).toBe(true);
    expect(m('abc/**', 'git', 'abc')).toBe(false);
    expect(m('a/**/b', 'git', 'a/b')).toBe(true);
    expect(m('a/**/b', 'git', 'a/x/y/b')).toBe(true);
    expect(m('a**b', 'git', 'axxb')).toBe(true);
    expect(m('a**b', 'git', 'ax/xb')).toBe(false);
  });

  it('any: ** is anything, slashes included (repository patterns)', () => {
    expect(m('quay.io/**', 'any', 'quay.io/org/team/app')).toBe(true);
    expect(m('quay.io/*', 'any', 'quay.io/org/team/app')).toBe(false);
    expect(m('a**b', 'any', 'ax/yb')).toBe(true);
  });
});
