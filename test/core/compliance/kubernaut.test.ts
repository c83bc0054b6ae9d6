/**
 * Acceptance on the first users' real Dockerfiles (never copied into the repo: read from ../shared).
 * The expected (file, line) sets below were derived by reading the files: every `RUN dnf update -y && \` and
 * `RUN microdnf update -y && \` instruction line; not the two comment lines that mention "dnf update".
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { runLint } from '../../../src/commands/lint.js';
import { discoverDockerfiles, lintFiles, lintText } from '../../../src/core/compliance/lint-files.js';
import { CORPUS_HEAD, CORPUS_OLD, captureIO, tmpDir } from './helpers.js';

type Expected = Record<string, [line: number, word: 'dnf' | 'microdnf'][]>;

const OLD: Expected = {
  'aianalysis.Dockerfile': [
    [14, 'dnf'],
    [63, 'microdnf'],
  ],
  'alert-service.Dockerfile': [
    [8, 'dnf'],
    [37, 'microdnf'],
  ],
  'data-storage.Dockerfile': [
    [21, 'dnf'],
    [69, 'microdnf'],
  ],
  'executor-service.Dockerfile': [
    [8, 'dnf'],
    [37, 'microdnf'],
  ],
  'gateway-ubi9.Dockerfile': [
    [20, 'dnf'],
    [66, 'microdnf'],
  ],
  'notification-controller-ubi9.Dockerfile': [
    [12, 'dnf'],
    [44, 'microdnf'],
  ],
  'notification-service.Dockerfile': [
    [8, 'dnf'],
    [37, 'microdnf'],
  ],
  'remediationorchestrator-controller.Dockerfile': [],
  'signalprocessing-controller.Dockerfile': [],
  'storage-service.Dockerfile': [
    [8, 'dnf'],
    [37, 'microdnf'],
  ],
  'test-runner.Dockerfile': [],
  'workflow-service.Dockerfile': [
    [8, 'dnf'],
    [54, 'microdnf'],
  ],
};

const HEAD: Expected = {
  'aianalysis.Dockerfile': [
    [31, 'dnf'],
    [97, 'microdnf'],
  ],
  'aianalysis.runtime.Dockerfile': [],
  'apifrontend.Dockerfile': [],
  'apifrontend.runtime.Dockerfile': [],
  'authwebhook.Dockerfile': [
    [37, 'dnf'],
    [114, 'microdnf'],
  ],
  'authwebhook.runtime.Dockerfile': [],
  'data-storage.Dockerfile': [
    [39, 'dnf'],
    [127, 'microdnf'],
  ],
  'data-storage.runtime.Dockerfile': [],
  'db-migrate.Dockerfile': [[65, 'microdnf']],
  'effectivenessmonitor-controller.Dockerfile': [
    [31, 'dnf'],
    [99, 'microdnf'],
  ],
  'effectivenessmonitor-controller.runtime.Dockerfile': [],
  'fleetmetadatacache.Dockerfile': [
    [31, 'dnf'],
    [99, 'microdnf'],
  ],
  'fleetmetadatacache.runtime.Dockerfile': [],
  'gateway.Dockerfile': [
    [31, 'dnf'],
    [99, 'microdnf'],
  ],
  'gateway.runtime.Dockerfile': [],
  'kubernautagent.Dockerfile': [
    [33, 'dnf'],
    [101, 'microdnf'],
  ],
  'kubernautagent.runtime.Dockerfile': [],
  'notification-controller.Dockerfile': [
    [31, 'dnf'],
    [100, 'microdnf'],
  ],
  'notification-controller.runtime.Dockerfile': [],
  'remediationorchestrator-controller.Dockerfile': [
    [31, 'dnf'],
    [99, 'microdnf'],
  ],
  'remediationorchestrator-controller.runtime.Dockerfile': [],
  'signalprocessing-controller.Dockerfile': [
    [31, 'dnf'],
    [99, 'microdnf'],
  ],
  'signalprocessing-controller.runtime.Dockerfile': [],
  'workflowexecution-controller.Dockerfile': [
    [31, 'dnf'],
    [100, 'microdnf'],
  ],
  'workflowexecution-controller.runtime.Dockerfile': [],
};

/** Comment lines that mention "dnf update" and must not be flagged. */
const COMMENT_LINES: Record<string, [string, number][]> = {
  old: [
    ['data-storage.Dockerfile', 20],
    ['gateway-ubi9.Dockerfile', 19],
  ],
  head: [['data-storage.Dockerfile', 38]],
};

const corpora = [
  { name: 'old', dir: CORPUS_OLD, expected: OLD, files: 12, total: 18, dnf: 9, microdnf: 9 },
  { name: 'head', dir: CORPUS_HEAD, expected: HEAD, files: 25, total: 23, dnf: 11, microdnf: 12 },
] as const;

const keys = (e: Expected): string[] =>
  Object.entries(e)
    .flatMap(([f, ls]) => ls.map(([l]) => `${f}:${l}`))
    .sort();

describe.each(corpora)('kubernaut corpus $name', (c) => {
  it('the expectation table covers every file of the corpus and has the documented totals', () => {
    expect(Object.keys(c.expected).sort()).toEqual(readdirSync(c.dir).sort());
    const all = Object.values(c.expected).flat();
    expect(all).toHaveLength(c.total);
    expect(all.filter(([, w]) => w === 'dnf')).toHaveLength(c.dnf);
    expect(all.filter(([, w]) => w === 'microdnf')).toHaveLength(c.microdnf);
  });

  it(`finds exactly the ${c.total} unwaived no-package-upgrade findings at the RUN lines`, async () => {
    const files = await discoverDockerfiles([c.dir], { cwd: c.dir });
    expect(files).toHaveLength(c.files);
    const report = await lintFiles(files, { cwd: c.dir });
    expect(report.files).toBe(c.files);
    const upgrades = report.findings.filter((f) => f.rule === 'no-package-upgrade');
    expect(upgrades.map((f) => `${f.file}:${f.line}`).sort()).toEqual(keys(c.expected));
    for (const f of upgrades) {
      expect(f).toMatchObject({ severity: 'error', waived: false, endLine: f.line });
      // The column points at the package manager word named in the table.
      const word = c.expected[f.file]!.find(([l]) => l === f.line)![1];
      const line = readFileSync(path.join(c.dir, f.file), 'utf8').split('\n')[f.line - 1]!;
      expect(line.slice(f.column! - 1).startsWith(`${word} update`)).toBe(true);
    }
    for (const [file, line] of COMMENT_LINES[c.name]!) {
      expect(readFileSync(path.join(c.dir, file), 'utf8').split('\n')[line - 1]).toMatch(/^#.*dnf update/);
      expect(report.findings.some((f) => f.file === file && f.line === line)).toBe(false);
    }
  });

  it('runLint --format json reports the same set and exits 1', async () => {
    const io = captureIO(path.dirname(c.dir));
    const code = await runLint({ paths: [path.basename(c.dir)], format: 'json', fix: false, dryRun: false }, io);
    expect(code).toBe(1);
    const out = JSON.parse(io.out()) as { files: number; findings: { file: string; line: number; rule: string; waived: boolean }[] };
    expect(out.files).toBe(c.files);
    const got = out.findings.filter((f) => f.rule === 'no-package-upgrade').map((f) => `${path.basename(f.file)}:${f.line}`);
    expect(got.sort()).toEqual(keys(c.expected));
    expect(out.findings.every((f) => f.file.startsWith(`${path.basename(c.dir)}/`))).toBe(true);
  });

  it('--fix on a temp copy removes exactly the upgrade commands, and the files still parse', async () => {
    const dir = tmpDir();
    cpSync(c.dir, dir, { recursive: true });
    const originals = new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
    const io = captureIO(dir);
    const code = await runLint({ paths: ['.'], format: 'json', fix: true, dryRun: false }, io);
    const out = JSON.parse(io.out()) as { findings: { rule: string; severity: string; waived: boolean }[] };
    expect(out.findings.filter((f) => f.rule === 'no-package-upgrade')).toEqual([]);
    expect(code).toBe(out.findings.some((f) => f.severity === 'error' && !f.waived) ? 1 : 0);
    expect(io.err()).toContain(`removed ${c.total} package upgrades`);

    for (const [file, before] of originals) {
      const after = readFileSync(path.join(dir, file), 'utf8');
      // Independent oracle: delete "<dnf|microdnf> update -y && \<newline><indent>" after RUN, nothing else.
      let n = 0;
      const expected = before.replace(/^RUN (?:micro)?dnf update -y && \\\r?\n[ \t]*/gm, () => {
        n++;
        return 'RUN ';
      });
      expect(n).toBe(c.expected[file]!.length);
      expect(after).toBe(expected);
      expect(lintText(after, file).filter((f) => f.rule === 'no-package-upgrade')).toEqual([]);

      // Still parses (dockerfile-ast as an independent parser): same instruction sequence, shell bodies valid.
      const a = DockerfileParser.parse(before).getInstructions();
      const b = DockerfileParser.parse(after).getInstructions();
      expect(b.map((i) => i.getKeyword())).toEqual(a.map((i) => i.getKeyword()));
      for (const ins of b) {
        if (ins.getKeyword() !== 'RUN') continue;
        const body = ins.getRawArgumentsContent() ?? '';
        if (body.trimStart().startsWith('[')) continue;
        execFileSync('bash', ['-n', '-c', body]); // throws on a syntax error
      }
    }
  });

  it('--fix --dry-run writes nothing and prints a diff that only touches upgrade commands', async () => {
    const dir = tmpDir();
    cpSync(c.dir, dir, { recursive: true });
    const io = captureIO(dir);
    const code = await runLint({ paths: ['.'], format: 'text', fix: true, dryRun: true }, io);
    expect(code).toBe(1); // nothing was fixed on disk
    for (const f of readdirSync(dir)) expect(readFileSync(path.join(dir, f), 'utf8')).toBe(readFileSync(path.join(c.dir, f), 'utf8'));
    const lines = io.out().split('\n');
    const removed = lines.filter((l) => l.startsWith('-') && !l.startsWith('---'));
    const added = lines.filter((l) => l.startsWith('+') && !l.startsWith('+++'));
    expect(removed).toHaveLength(2 * c.total);
    expect(added).toHaveLength(c.total);
    for (let i = 0; i < removed.length; i += 2) {
      expect(removed[i]).toMatch(/^-RUN (micro)?dnf update -y && \\$/);
      expect(`+RUN ${removed[i + 1]!.slice(1).trimStart()}`).toBe(added[i / 2]);
    }
    expect(lines.filter((l) => l.startsWith('+++')).length).toBe(Object.values(c.expected).filter((x) => x.length).length);
    expect(io.err()).toContain(`would remove ${c.total} package upgrades`);
  });
});
