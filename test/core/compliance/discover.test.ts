import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ComplianceInputError, discoverDockerfiles, isDockerfileName } from '../../../src/core/compliance/lint-files.js';
import { IgnoreMatcher, parseGitignore } from '../../../src/core/compliance/gitignore.js';
import { tmpDir } from './helpers.js';

function write(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
}

const rel = (root: string, files: string[]): string[] => files.map((f) => path.relative(root, f).split(path.sep).join('/'));

describe('isDockerfileName', () => {
  it.each([
    'Dockerfile',
    'Containerfile',
    'dockerfile',
    'api.Dockerfile',
    'api.runtime.Dockerfile',
    'worker.Containerfile',
    'Dockerfile.prod',
    'Dockerfile.ubi9',
    'Containerfile.dev',
    'x.dockerfile',
  ])('%s is a Dockerfile', (n) => expect(isDockerfileName(n)).toBe(true));
  it.each([
    'Dockerfile.md',
    'Dockerfile.txt',
    'Dockerfile.dockerignore',
    'Dockerfile.j2',
    'Dockerfile.orig',
    'Dockerfile.prod.bak',
    'README.md',
    'docker-compose.yml',
    '.Dockerfile',
    'Dockerfiles',
    'MyDockerfile',
    'Dockerfile.',
  ])('%s is not a Dockerfile', (n) => expect(isDockerfileName(n)).toBe(false));
});

describe('discoverDockerfiles', () => {
  it('finds Dockerfiles recursively, skips .git and node_modules, returns sorted absolute paths', async () => {
    const root = tmpDir();
    write(root, {
      Dockerfile: '',
      'docker/api.Dockerfile': '',
      'docker/api.Dockerfile.md': '',
      'docker/Containerfile.dev': '',
      'svc/x/Containerfile': '',
      'node_modules/pkg/Dockerfile': '',
      '.git/Dockerfile': '',
      'notes.txt': '',
    });
    const files = await discoverDockerfiles([root], { cwd: '/' });
    expect(files.every((f) => path.isAbsolute(f))).toBe(true);
    expect(rel(root, files)).toEqual(['Dockerfile', 'docker/Containerfile.dev', 'docker/api.Dockerfile', 'svc/x/Containerfile']);
  });

  it('includes explicitly named files whatever their name, de-duplicates, and resolves relative to cwd', async () => {
    const root = tmpDir();
    write(root, { 'docker/build.txt': 'FROM x', 'docker/Dockerfile': '' });
    const files = await discoverDockerfiles(['docker/build.txt', 'docker', './docker/Dockerfile'], { cwd: root });
    expect(rel(root, files)).toEqual(['docker/Dockerfile', 'docker/build.txt']);
    expect(await discoverDockerfiles([], { cwd: root })).toEqual([]);
  });

  it('throws ComplianceInputError for a path that does not exist', async () => {
    await expect(discoverDockerfiles(['nope'], { cwd: tmpDir() })).rejects.toBeInstanceOf(ComplianceInputError);
    await expect(discoverDockerfiles(['nope'], { cwd: tmpDir() })).rejects.toThrow('path not found: nope');
  });

  it('does not follow symlinked directories', async () => {
    const root = tmpDir();
    write(root, { 'real/Dockerfile': '' });
    symlinkSync(path.join(root, 'real'), path.join(root, 'link'));
    expect(rel(root, await discoverDockerfiles([root], { cwd: root }))).toEqual(['real/Dockerfile']);
  });

  it('honours .gitignore files exactly like git does (git ls-files as the oracle)', async () => {
    const root = tmpDir();
    const tree = {
      '.gitignore':
        '# comment\n/build/\n*.tmp.Dockerfile\nvendor\n!vendor/keep/\ndocs/**/Dockerfile\n**/generated/**\nDockerfile.local\n\\#hash.Dockerfile\nspace\\ .Dockerfile\n',
      Dockerfile: '',
      'Dockerfile.local': '',
      'build/Dockerfile': '',
      'sub/build/Dockerfile': '',
      'x.tmp.Dockerfile': '',
      'vendor/Dockerfile': '',
      'vendor/keep/Dockerfile': '',
      'docs/a/b/Dockerfile': '',
      'docs/Dockerfile': '',
      'a/generated/deep/Dockerfile': '',
      '#hash.Dockerfile': '',
      'space .Dockerfile': '',
      'services/.gitignore': 'api/\n!keep.Dockerfile\n*.Dockerfile\n',
      'services/api/Dockerfile': '',
      'services/keep.Dockerfile': '',
      'services/drop.Dockerfile': '',
      'services/web/Containerfile': '',
      'services/web/ok.Dockerfile': '',
      'other/Dockerfile.prod': '',
      'other/x/[ab].Dockerfile': '',
    };
    write(root, tree);
    await execa('git', ['init', '-q'], { cwd: root });
    write(root, { '.git/info/exclude': 'other/x/\n' });
    const { stdout } = await execa('git', ['-c', 'core.excludesFile=/dev/null', 'ls-files', '--others', '--exclude-standard'], {
      cwd: root,
    });
    const oracle = stdout
      .split('\n')
      .map((l) => l.replace(/^"|"$/g, ''))
      .filter((f) => isDockerfileName(path.posix.basename(f)))
      .sort();
    const mine = rel(root, await discoverDockerfiles([root], { cwd: root }));
    expect(mine).toEqual(oracle);
    // Sanity: the oracle does exclude things, so the comparison is meaningful.
    expect(oracle).toContain('Dockerfile');
    expect(oracle).not.toContain('build/Dockerfile');
    expect(oracle.length).toBeLessThan(Object.keys(tree).length - 2);
    // Scanning a sub-directory still applies the parent .gitignore files up to the repository root.
    expect(rel(root, await discoverDockerfiles(['services'], { cwd: root }))).toEqual(oracle.filter((f) => f.startsWith('services/')));
  });

  it('honours .gitignore outside a git repository too', async () => {
    const root = tmpDir();
    write(root, { '.gitignore': 'skip/\n', 'skip/Dockerfile': '', 'keep/Dockerfile': '' });
    expect(rel(root, await discoverDockerfiles([root], { cwd: root }))).toEqual(['keep/Dockerfile']);
  });
});

describe('gitignore matcher', () => {
  const m = (content: string, base = '') => {
    const x = new IgnoreMatcher();
    x.add(parseGitignore(content, base));
    return x;
  };
  it('anchoring, directory-only patterns, negation and **', () => {
    expect(m('/a').ignores('a', false)).toBe(true);
    expect(m('/a').ignores('b/a', false)).toBe(false);
    expect(m('a').ignores('b/a', false)).toBe(true);
    expect(m('d/').ignores('d', false)).toBe(false);
    expect(m('d/').ignores('x/d', true)).toBe(true);
    expect(m('*.log\n!keep.log').ignores('keep.log', false)).toBe(false);
    expect(m('a/**/b').ignores('a/b', false)).toBe(true);
    expect(m('a/**/b').ignores('a/x/y/b', false)).toBe(true);
    expect(m('**/c').ignores('x/y/c', false)).toBe(true);
    expect(m('a/**').ignores('a', true)).toBe(false);
    expect(m('a/**').ignores('a/z', false)).toBe(true);
    expect(m('x', 'sub').ignores('x', false)).toBe(false);
    expect(m('x', 'sub').ignores('sub/deep/x', false)).toBe(true);
    expect(m('[ab].txt').ignores('b.txt', false)).toBe(true);
    expect(m('[!ab].txt').ignores('b.txt', false)).toBe(false);
  });
});
