import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLint } from '../../../src/commands/lint.js';
import { discoverDockerfiles, lintFiles, lintText, type CompliancePolicyInput } from '../../../src/core/compliance/lint-files.js';
import { FIXTURES, captureIO, df, tmpDir } from './helpers.js';

const CORPUS = path.join(FIXTURES, 'corpus');
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'corpus.expected.json'), 'utf8')) as {
  policy: CompliancePolicyInput;
  files: Record<string, string[]>;
};
const key = (f: { line: number; rule: string; waived: boolean }): string => `${f.line}:${f.rule}${f.waived ? ':waived' : ''}`;

describe('own fixture corpus (every form of the issue, positive and negative)', () => {
  it('has an expectation for every fixture file', () => {
    expect(Object.keys(expected.files).sort()).toEqual(readdirSync(CORPUS).sort());
  });

  it('reports exactly the expected (file, line, rule) multiset', async () => {
    const files = await discoverDockerfiles([CORPUS], { cwd: CORPUS });
    const report = await lintFiles(files, { cwd: CORPUS, policy: expected.policy });
    for (const [file, want] of Object.entries(expected.files)) {
      const got = report.findings.filter((f) => f.file === file).map(key);
      expect(got.sort(), file).toEqual([...want].sort());
    }
  });

  it('points at the package manager word after prefixes, on the right column', () => {
    const text = readFileSync(path.join(CORPUS, 'prefixes.Dockerfile'), 'utf8');
    const lines = text.split('\n');
    const words = lintText(text, 'p', expected.policy)
      .filter((f) => f.rule === 'no-package-upgrade')
      .map((f) => lines[f.line - 1]!.slice(f.column! - 1).split(/[\s"'`)]/)[0]);
    expect(new Set(words)).toEqual(new Set(['dnf', 'yum', '/usr/bin/dnf', '/usr/bin/microdnf', 'zypper', 'apt-get', 'apk']));
  });

  it('reports a command word standing on a continuation line at that line, and endLine where the command ends', () => {
    const f = lintText(readFileSync(path.join(CORPUS, 'continuation.Dockerfile'), 'utf8'), 'c').find((x) => x.line === 13)!;
    expect(f).toMatchObject({ line: 13, endLine: 15, column: 5 });
  });

  it('keeps waiver reasons', () => {
    const text = readFileSync(path.join(CORPUS, 'waivers.Dockerfile'), 'utf8');
    const waived = lintText(text, 'w', expected.policy).filter((f) => f.waived);
    expect(waived.map((f) => [f.line, f.reason])).toEqual([
      [3, 'mandated by security scan policy'],
      [7, 'CVE backlog, see SEC-123'],
      [9, undefined],
      [11, 'both are intentional'],
      [11, 'both are intentional'],
      [23, 'inner waiver applies below'],
    ]);
    expect(waived.every((f) => !('reason' in f) || typeof f.reason === 'string')).toBe(true);
  });
});

/** Inline cases: [description, Dockerfile, expected lines of no-package-upgrade findings]. */
const FORMS: [string, string, number[]][] = [
  ['dnf -y update (options before)', 'RUN dnf -y update', [1]],
  ['options after', 'RUN yum update -y --exclude=kernel*', [1]],
  ['option with a separate argument before the subcommand', 'RUN dnf --releasever 9 --setopt tsflags=nodocs upgrade', [1]],
  [
    'update-minimal, upgrade-minimal, distro-sync, distrosync',
    'RUN dnf update-minimal\nRUN yum upgrade-minimal\nRUN microdnf distro-sync\nRUN dnf distrosync',
    [1, 2, 3, 4],
  ],
  [
    'apt-get upgrade / dist-upgrade / full-upgrade, apt',
    'RUN apt-get upgrade\nRUN apt-get dist-upgrade\nRUN apt full-upgrade\nRUN apt upgrade',
    [1, 2, 3, 4],
  ],
  ['apk upgrade', 'RUN apk upgrade', [1]],
  [
    'zypper update|up|dist-upgrade|dup|patch',
    'RUN zypper update\nRUN zypper up\nRUN zypper dist-upgrade\nRUN zypper dup\nRUN zypper patch',
    [1, 2, 3, 4, 5],
  ],
  [
    'not: apt-get update, apk update, dnf updateinfo, dnf makecache, zypper refresh, installs',
    'RUN apt-get update\nRUN apk update\nRUN dnf updateinfo\nRUN dnf makecache\nRUN zypper refresh\nRUN dnf install -y x\nRUN apt-get install -y x\nRUN apk add x\nRUN zypper install x',
    [],
  ],
  ['&&, ||, ;, | and newlines in heredoc', 'RUN a && dnf update || b; yum update | c\nRUN <<EOF\nx\napk upgrade\nEOF', [1, 1, 4]],
  ['subshell', 'RUN (cd / && apt-get upgrade -y)', [1]],
  ['string argument is not a command', 'RUN echo "dnf update" && echo \'yum upgrade\' && echo dnf update', []],
  ['shell comment after the command is dropped', 'RUN echo hi # && dnf update', []],
  [
    'sudo, env A=B, A=B, absolute path',
    'RUN sudo dnf update\nRUN env A=B dnf update\nRUN A=B dnf update\nRUN /usr/bin/dnf update',
    [1, 2, 3, 4],
  ],
  ['multi-stage: every stage is checked', 'FROM a:1 AS one\nRUN dnf update\nFROM b:1\nRUN apt-get upgrade', [2, 4]],
  ['command word on a continuation line', 'RUN echo a \\\n  && \\\n  dnf update', [3]],
  ['CRLF file', 'FROM x:1\r\nRUN echo a && \\\r\n    dnf update\r\n', [3]],
  ['BOM', '\ufeffRUN dnf update', [1]],
  ['lowercase instruction', 'run dnf update', [1]],
  ['COPY/ADD heredocs are data', 'COPY <<EOF /x\ndnf update\nEOF\nADD <<EOF /y\napt-get upgrade\nEOF', []],
  [
    'HEALTHCHECK/CMD/ENTRYPOINT run at container start, not at build',
    'CMD dnf update\nENTRYPOINT ["dnf", "update"]\nHEALTHCHECK CMD yum update',
    [],
  ],
  ['dnf5, dnf-3, tdnf', 'RUN dnf5 upgrade\nRUN dnf-3 update\nRUN tdnf update', [1, 2, 3]],
  ['dynamic command word cannot be judged', 'RUN $PM update\nRUN "$(which dnf)" update', []],
  ['command -v is a lookup', 'RUN command -v dnf update', []],
];

describe.each(FORMS)('form: %s', (_name, text, lines) => {
  it('finds exactly the expected lines', () => {
    expect(
      lintText(text, 'Dockerfile')
        .filter((f) => f.rule === 'no-package-upgrade')
        .map((f) => f.line),
    ).toEqual(lines);
  });
});

describe('waivers', () => {
  const lint = (text: string) => lintText(text, 'Dockerfile', { baseImages: { allowLatest: true } });

  it('a waived finding is reported with its reason and does not fail the run; an unwaived one does', async () => {
    const dir = tmpDir();
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      df`
      FROM x:1
      # hybrid-e2e ignore=no-package-upgrade reason="mandated by security scan policy"
      RUN dnf update -y
    `,
    );
    const io = captureIO(dir);
    expect(await runLint({ paths: [], format: 'json', fix: false, dryRun: false }, io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      files: 1,
      findings: [
        {
          file: 'Dockerfile',
          line: 3,
          endLine: 3,
          column: 5,
          rule: 'no-package-upgrade',
          severity: 'error',
          message: expect.stringContaining('dnf update'),
          waived: true,
          reason: 'mandated by security scan policy',
        },
      ],
    });
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM x:1\nRUN dnf update -y\n');
    expect(await runLint({ paths: [], format: 'json', fix: false, dryRun: false }, captureIO(dir))).toBe(1);
  });

  it('a waiver without a reason still waives but is itself a warning', () => {
    const f = lint('# hybrid-e2e ignore=no-package-upgrade\nRUN dnf update');
    expect(f.map((x) => [x.line, x.rule, x.severity, x.waived])).toEqual([
      [1, 'waiver-missing-reason', 'warning', false],
      [2, 'no-package-upgrade', 'error', true],
    ]);
    expect(f[1]).not.toHaveProperty('reason');
  });

  it('other comment lines may sit between the waiver and the instruction; a blank line may not', () => {
    expect(lint('# hybrid-e2e ignore=no-package-upgrade reason="r"\n# more\n#\n# text\nRUN dnf update').map((x) => x.waived)).toEqual([
      true,
    ]);
    const f = lint('# hybrid-e2e ignore=no-package-upgrade reason="r"\n\nRUN dnf update');
    expect(f.map((x) => [x.line, x.rule, x.waived])).toEqual([
      [1, 'waiver-invalid', false],
      [3, 'no-package-upgrade', false],
    ]);
  });

  it('several rule ids, comma-separated, and single-quoted or bare reasons', () => {
    const text =
      "# hybrid-e2e ignore=base-image-policy, no-package-upgrade reason='pinned upstream'\nFROM centos\n# hybrid-e2e ignore=no-package-upgrade reason=SEC-42\nRUN yum update";
    const f = lintText(text, 'D');
    expect(f.map((x) => [x.line, x.rule, x.waived, x.reason])).toEqual([
      [2, 'base-image-policy', true, 'pinned upstream'],
      [4, 'no-package-upgrade', true, 'SEC-42'],
    ]);
  });

  it('a waiver applies to its instruction only, for the rules it names', () => {
    const f = lint('# hybrid-e2e ignore=no-package-upgrade reason="x"\nRUN dnf update && yum update\nRUN dnf update');
    expect(f.map((x) => [x.line, x.waived])).toEqual([
      [2, true],
      [2, true],
      [3, false],
    ]);
    expect(lint('# hybrid-e2e ignore=base-image-policy reason="x"\nRUN dnf update').map((x) => x.waived)).toEqual([false]);
  });

  it('reports malformed waivers and unknown rule ids', () => {
    const f = lint(
      '# hybrid-e2e ignore no-package-upgrade\nRUN dnf update\n# hybrid-e2e ignore=no-package-upgrad reason="typo"\nRUN dnf update\n# hybrid-e2e ignore=no-package-upgrade reason=two words\nRUN dnf update',
    );
    expect(f.map((x) => [x.line, x.rule, x.waived])).toEqual([
      [1, 'waiver-invalid', false],
      [2, 'no-package-upgrade', false],
      [3, 'waiver-invalid', false],
      [4, 'no-package-upgrade', false],
      [5, 'waiver-invalid', false],
      [6, 'no-package-upgrade', false],
    ]);
    expect(f[2]!.message).toContain('no-package-upgrad');
    // Ordinary comments that mention hybrid-e2e are not waivers.
    expect(lint('# hybrid-e2e: builds this image\nRUN true')).toEqual([]);
  });

  it('a waiver inside a multi-line RUN applies to the commands below it', () => {
    const f = lint('RUN yum update && \\\n  # hybrid-e2e ignore=no-package-upgrade reason="later only"\n  dnf update');
    expect(f.map((x) => [x.line, x.waived, x.reason])).toEqual([
      [1, false, undefined],
      [3, true, 'later only'],
    ]);
  });
});
