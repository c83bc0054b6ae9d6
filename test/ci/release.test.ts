// .ci/release.mjs: what the release workflow checks before it releases a tag, and the notes it publishes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/tmp.js';
// @ts-expect-error: a plain .mjs script without types
import { changelogSection, releaseProblems } from '../../.ci/release.mjs';

const changelog = '# Changelog\n\n## [1.1.0] - unreleased\n\n- next\n\n## [1.0.0] - 2026-12-02\n\n### Added\n\n- everything\n';

describe('release check', () => {
  it('releases a tag that matches package.json, src/core/version.ts and a dated changelog section', () => {
    expect(releaseProblems('v1.0.0', { pkgVersion: '1.0.0', coreVersion: '1.0.0', changelog })).toEqual([]);
    expect(changelogSection(changelog, '1.0.0')).toEqual({ date: '2026-12-02', body: '### Added\n\n- everything' });
  });

  it('refuses, saying what to fix: a bad tag, versions that disagree, an undated or missing section', () => {
    expect(releaseProblems('1.0.0', { pkgVersion: '1.0.0', coreVersion: '1.0.0', changelog })).toEqual([
      'tag "1.0.0" is not v<major>.<minor>.<patch>',
    ]);
    expect(releaseProblems('v1.1.0', { pkgVersion: '1.0.0', coreVersion: '1.0.1', changelog })).toEqual([
      'package.json says 1.0.0, the tag v1.1.0: set "version": "1.1.0"',
      "src/core/version.ts says 1.0.1: set VERSION = '1.1.0'",
      'CHANGELOG.md\'s section for 1.1.0 is dated "unreleased": give it the release date (YYYY-MM-DD)',
    ]);
    expect(releaseProblems('v2.0.0', { pkgVersion: '2.0.0', coreVersion: '2.0.0', changelog })).toEqual([
      'CHANGELOG.md has no "## [2.0.0] - YYYY-MM-DD" section',
    ]);
  });

  it('the repository agrees with itself: package.json, src/core/version.ts and CHANGELOG.md name one version', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const problems = releaseProblems(`v${pkg.version}`, {
      pkgVersion: pkg.version,
      coreVersion: /VERSION = '([^']+)'/.exec(readFileSync(path.join(REPO_ROOT, 'src/core/version.ts'), 'utf8'))![1]!,
      changelog: readFileSync(path.join(REPO_ROOT, 'CHANGELOG.md'), 'utf8'),
    });
    // Only the date may be missing between releases.
    expect((problems as string[]).filter((p) => !p.includes('give it the release date'))).toEqual([]);
  });
});
