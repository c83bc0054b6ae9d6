#!/usr/bin/env node
// Release helpers for .github/workflows/release.yml (and a local dry run):
//   node .ci/release.mjs check <tag>   the tag is v<package.json version>, src/core/version.ts agrees, and
//                                      CHANGELOG.md has a dated section for that version
//   node .ci/release.mjs notes <tag>   prints that section (the release notes)
// Exits 1 with what to fix.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The section of `changelog` for `version`: { date, body } or undefined. */
export function changelogSection(changelog, version) {
  const lines = changelog.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`## [${version}]`));
  if (start === -1) return undefined;
  const m = /^## \[[^\]]+\]\s*-\s*(\S+)/.exec(lines[start]);
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end === -1) end = lines.length;
  return {
    date: m?.[1] ?? '',
    body: lines
      .slice(start + 1, end)
      .join('\n')
      .trim(),
  };
}

/** Problems that keep `tag` from being released (empty when it can be). */
export function releaseProblems(tag, { pkgVersion, coreVersion, changelog }) {
  const problems = [];
  const m = /^v(\d+\.\d+\.\d+)$/.exec(tag);
  if (!m) return [`tag ${JSON.stringify(tag)} is not v<major>.<minor>.<patch>`];
  const version = m[1];
  if (pkgVersion !== version) problems.push(`package.json says ${pkgVersion}, the tag ${tag}: set "version": "${version}"`);
  if (coreVersion !== version) problems.push(`src/core/version.ts says ${coreVersion}: set VERSION = '${version}'`);
  const section = changelogSection(changelog, version);
  if (!section) problems.push(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section`);
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(section.date))
    problems.push(`CHANGELOG.md's section for ${version} is dated ${JSON.stringify(section.date)}: give it the release date (YYYY-MM-DD)`);
  else if (!section.body) problems.push(`CHANGELOG.md's section for ${version} is empty`);
  return problems;
}

function read() {
  const pkgVersion = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  const core = readFileSync(path.join(root, 'src/core/version.ts'), 'utf8');
  const coreVersion = /VERSION = '([^']+)'/.exec(core)?.[1];
  return { pkgVersion, coreVersion, changelog: readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8') };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, tag] = process.argv.slice(2);
  if (!['check', 'notes'].includes(cmd) || !tag) {
    process.stderr.write('usage: node .ci/release.mjs check|notes <tag>\n');
    process.exit(2);
  }
  const facts = read();
  const problems = releaseProblems(tag, facts);
  if (problems.length) {
    process.stderr.write(`cannot release ${tag}:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  if (cmd === 'notes') process.stdout.write(`${changelogSection(facts.changelog, tag.slice(1)).body}\n`);
  else process.stdout.write(`${tag} can be released\n`);
}
