import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { runLint, type LintOptions } from '../../src/commands/lint.js';
import { FIXTURES, REPO, captureIO, tmpDir } from '../core/compliance/helpers.js';

const base: LintOptions = { paths: [], format: 'text', fix: false, dryRun: false };

function repo(files: Record<string, string>): string {
  const root = tmpDir();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

const CLEAN = 'FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nRUN microdnf install -y tar\n';
const DIRTY = 'FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nRUN microdnf update -y && \\\n    microdnf install -y tar\n';

describe('runLint', () => {
  it('exit 0 and a one-line total when clean', async () => {
    const root = repo({ Dockerfile: CLEAN });
    const io = captureIO(root);
    expect(await runLint(base, io)).toBe(0);
    expect(io.out()).toBe('No problems in 1 Dockerfile.\n');
  });

  it('exit 1 on an unwaived error, text output grouped with a total and a --fix hint', async () => {
    const root = repo({ 'docker/api.Dockerfile': DIRTY, 'docker/web.Dockerfile': CLEAN, Dockerfile: 'FROM x:1\nRUN dnf update\n' });
    const io = captureIO(root);
    expect(await runLint(base, io)).toBe(1);
    const lines = io.out().split('\n');
    expect(lines[0]).toMatch(/^Dockerfile:2 no-package-upgrade \[error\] `dnf update` /);
    expect(lines[1]).toBe('');
    expect(lines[2]).toMatch(/^docker\/api\.Dockerfile:2 no-package-upgrade \[error\] `microdnf update` /);
    expect(io.out()).toContain('2 errors, 0 warnings, 0 waived in 2 of 3 Dockerfiles.');
    expect(io.out()).toContain('2 findings can be fixed automatically');
  });

  it('exit 2 with an actionable message for a path that does not exist', async () => {
    const root = repo({});
    const io = captureIO(root);
    expect(await runLint({ ...base, paths: ['docker'] }, io)).toBe(2);
    expect(io.err()).toBe(
      `hybrid-e2e lint: path not found: docker. Pass existing files or directories (relative to ${root}), or no path to scan the current directory.\n`,
    );
    expect(io.out()).toBe('');
  });

  it('exit 2 for --dry-run without --fix, and for a service Dockerfile that does not exist', async () => {
    const root = repo({ Dockerfile: CLEAN });
    const io = captureIO(root);
    expect(await runLint({ ...base, dryRun: true }, io)).toBe(2);
    expect(io.err()).toContain('--dry-run only applies to --fix');
    const io2 = captureIO(root);
    expect(await runLint({ ...base, serviceDockerfiles: [path.join(root, 'svc/Dockerfile')] }, io2)).toBe(2);
    expect(io2.err()).toContain('svc/Dockerfile built by a service in the config does not exist');
  });

  it('lints exactly the service Dockerfiles when no paths are given; paths add to them, de-duplicated', async () => {
    const root = repo({ 'a/Dockerfile': DIRTY, 'b/Dockerfile': DIRTY, 'c/Dockerfile': DIRTY });
    const files = async (opts: Partial<LintOptions>) => {
      const io = captureIO(root);
      await runLint({ ...base, format: 'json', ...opts }, io);
      const out = JSON.parse(io.out()) as { files: number; findings: { file: string }[] };
      return { count: out.files, files: [...new Set(out.findings.map((f) => f.file))] };
    };
    expect(await files({ serviceDockerfiles: [path.join(root, 'a/Dockerfile')] })).toEqual({ count: 1, files: ['a/Dockerfile'] });
    expect(await files({ serviceDockerfiles: [path.join(root, 'a/Dockerfile')], paths: ['a', 'b/Dockerfile'] })).toEqual({
      count: 2,
      files: ['a/Dockerfile', 'b/Dockerfile'],
    });
    expect(await files({ serviceDockerfiles: [] })).toEqual({ count: 3, files: ['a/Dockerfile', 'b/Dockerfile', 'c/Dockerfile'] });
  });

  it('colours only on a TTY without NO_COLOR', async () => {
    const root = repo({ Dockerfile: DIRTY });
    const run = async (isTTY: boolean, env: Record<string, string>) => {
      const io = captureIO(root, { isTTY, env });
      await runLint(base, io);
      return io.out().includes('\x1b[');
    };
    expect(await run(true, {})).toBe(true);
    expect(await run(true, { NO_COLOR: '1' })).toBe(false);
    expect(await run(false, {})).toBe(false);
  });

  it('--format json prints exactly one JSON object', async () => {
    const root = repo({ Dockerfile: DIRTY });
    const io = captureIO(root);
    expect(await runLint({ ...base, format: 'json' }, io)).toBe(1);
    const parsed = JSON.parse(io.out());
    expect(Object.keys(parsed)).toEqual(['files', 'findings']);
    expect(parsed.findings).toEqual([
      expect.objectContaining({ file: 'Dockerfile', line: 2, endLine: 2, rule: 'no-package-upgrade', severity: 'error', waived: false }),
    ]);
    expect(io.err()).toBe('');
  });

  it('--format sarif prints valid SARIF with paths relative to cwd', async () => {
    const root = repo({ 'docker/api.Dockerfile': DIRTY });
    const io = captureIO(root);
    expect(await runLint({ ...base, format: 'sarif' }, io)).toBe(1);
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(FIXTURES, 'sarif-2.1.0-subset.schema.json'), 'utf8')) as object);
    const log = JSON.parse(io.out());
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({
      uri: 'docker/api.Dockerfile',
      uriBaseId: '%SRCROOT%',
    });
    expect(log.runs[0].tool.driver.version).toBe(JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
  });

  it('--format markdown prints a table', async () => {
    const root = repo({ Dockerfile: DIRTY });
    const io = captureIO(root);
    await runLint({ ...base, format: 'markdown' }, io);
    expect(io.out()).toContain('| `Dockerfile` | 2 | `no-package-upgrade` | error |');
  });

  it('--fix rewrites the files, reports what it did and what it could not do, then lints the result', async () => {
    const root = repo({ Dockerfile: DIRTY, 'b/Dockerfile': 'FROM x:1\nRUN dnf update -y | tee /log\n' });
    const io = captureIO(root);
    expect(await runLint({ ...base, fix: true }, io)).toBe(1);
    expect(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toBe(
      'FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nRUN microdnf install -y tar\n',
    );
    expect(io.err()).toBe(
      'hybrid-e2e lint --fix: removed 1 package upgrade in 1 file.\n  b/Dockerfile:2 not fixed automatically: part of a pipeline\n',
    );
    expect(io.out()).toMatch(/^b\/Dockerfile:2 no-package-upgrade \[error\]/);
  });

  it('--fix --dry-run prints a unified diff and writes nothing (json: in a "diff" field)', async () => {
    const root = repo({ Dockerfile: DIRTY });
    const io = captureIO(root);
    expect(await runLint({ ...base, fix: true, dryRun: true }, io)).toBe(1);
    expect(io.out()).toBe(
      [
        '--- a/Dockerfile',
        '+++ b/Dockerfile',
        '@@ -1,3 +1,2 @@',
        ' FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5',
        '-RUN microdnf update -y && \\',
        '-    microdnf install -y tar',
        '+RUN microdnf install -y tar',
        '',
      ].join('\n'),
    );
    expect(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toBe(DIRTY);
    const j = captureIO(root);
    await runLint({ ...base, fix: true, dryRun: true, format: 'json' }, j);
    const parsed = JSON.parse(j.out());
    expect(parsed.diff).toBe(io.out());
    expect(parsed.findings).toHaveLength(1);
  });

  it('passes the policy through (severity overrides)', async () => {
    const root = repo({ Dockerfile: DIRTY });
    const io = captureIO(root);
    expect(
      await runLint(
        {
          ...base,
          policy: {
            rules: { 'no-package-upgrade': 'warning' },
            baseImages: { allowLatest: false, requireDigest: false, allowedRegistries: [], forbidden: [], repositories: {} },
          },
        },
        io,
      ),
    ).toBe(0);
    expect(io.out()).toContain('[warning]');
  });

  it('says so when there is nothing to lint', async () => {
    const root = repo({ 'README.md': '' });
    const io = captureIO(root);
    expect(await runLint(base, io)).toBe(0);
    expect(io.out()).toBe(`No Dockerfiles found in ${root}.\n`);
    const j = captureIO(root);
    await runLint({ ...base, format: 'json' }, j);
    expect(JSON.parse(j.out())).toEqual({ files: 0, findings: [] });
  });
});

describe('pre-commit hook definition', () => {
  it('exposes hybrid-e2e-lint (language node) matching Dockerfile/Containerfile names', async () => {
    const { parse } = await import('yaml');
    const hooks = parse(readFileSync(path.join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as {
      id: string;
      language: string;
      entry: string;
      files: string;
      exclude: string;
    }[];
    const hook = hooks.find((h) => h.id === 'hybrid-e2e-lint')!;
    expect(hook).toMatchObject({ language: 'node', entry: 'hybrid-e2e lint' });
    // pre-commit uses Python's re.search; these patterns use only syntax JS shares.
    const matches = (f: string) => new RegExp(hook.files).test(f) && !new RegExp(hook.exclude).test(f);
    for (const f of ['Dockerfile', 'docker/api.Dockerfile', 'a/Containerfile', 'Dockerfile.prod', 'x/worker.Containerfile'])
      expect(matches(f), f).toBe(true);
    for (const f of ['Dockerfile.md', 'docs/Dockerfile.j2', 'README.md', 'docker-compose.yml', 'MyDockerfile.txt'])
      expect(matches(f), f).toBe(false);
    expect(readdirSync(REPO)).toContain('.pre-commit-hooks.yaml');
  });
});
