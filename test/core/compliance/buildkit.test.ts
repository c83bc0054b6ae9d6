/**
 * The Dockerfile lexer against BuildKit's parser (moby/buildkit frontend/dockerfile/parser). The inputs are our own,
 * written in the shapes of BuildKit's testfiles/ and parser_heredoc_test.go cases (named after them); the expected
 * shapes (keyword, 1-based start and end line, as BuildKit's Node.StartLine/EndLine) follow BuildKit's rules as cited
 * in src/core/compliance/dockerfile.ts. Then the issue 13 probes: what BuildKit splits differently changes findings.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLint } from '../../../src/commands/lint.js';
import { fixText, lintText, parseDockerfile } from '../../../src/core/compliance/lint-files.js';
import { renderFixList } from '../../../src/render/lint-text.js';
import { captureIO, tmpDir } from './helpers.js';

/** `KEYWORD start-end`, 1-based, as BuildKit reports instruction lines. */
const shape = (text: string): string[] =>
  parseDockerfile(text).instructions.map((i) => `${i.keyword} ${i.firstLine + 1}-${i.lastLine + 1}`);
const upgradeLines = (text: string): number[] =>
  lintText(text, 'Dockerfile')
    .filter((f) => f.rule === 'no-package-upgrade')
    .map((f) => f.line);
const syntax = (text: string) => lintText(text, 'Dockerfile').filter((f) => f.rule === 'dockerfile-syntax');

/** [BuildKit case, input, expected shape]. */
const SHAPES: [string, string, string[]][] = [
  [
    'testfiles/escape-after-comment: a comment first, so `# escape` is only a comment',
    '# Notes come first here.\n# escape = `\n\nFROM base\nENV DIR \\\n\\srv',
    ['FROM 4-4', 'ENV 5-6'],
  ],
  [
    'testfiles/escape-nonewline: directives directly followed by comments and instructions',
    '# escape = `\n# no blank line after the directive\nFROM base\nLABEL a=b\nENV DIR `\n\\srv\n',
    ['FROM 3-3', 'LABEL 4-4', 'ENV 5-6'],
  ],
  ['testfiles/escape-with-syntax: syntax, then escape', '# syntax = docker/dockerfile:1\n# escape = `\n\nFROM `\n    base\n', ['FROM 4-5']],
  [
    'testfiles/escape: backtick continuation, backslash is data',
    '# escape=`\nFROM base\nRUN copy C:\\ D:\\ `\n  /y\nUSER 1\n',
    ['FROM 2-2', 'RUN 3-4', 'USER 5-5'],
  ],
  [
    'testfiles/escapes: empty lines inside a continuation are dropped',
    'FROM base\nRUN one \\\n\ntwo \\\n\nthree\n\nCMD [ "\\/x\\\\\\"", "-y" ]\n',
    ['FROM 1-1', 'RUN 2-6', 'CMD 8-8'],
  ],
  ['testfiles/continue-at-eof: a continuation at the end of the file', 'FROM base\n\nRUN something \\', ['FROM 1-1', 'RUN 3-3']],
  [
    'testfiles/continueIndent: blanks after the escape, escape-only lines, glued pieces',
    'FROM base\nRUN echo a\\\n  b\\\n  c  \\\nd\nRUN echo x  \\  \ny\nRUN echo hi \\\n \\\n there \\\n\\\n end\\\n\\\nx\n',
    ['FROM 1-1', 'RUN 2-5', 'RUN 6-7', 'RUN 8-14'],
  ],
  [
    'testfiles/trailing-backslash: an escaped escape at the end of a line is not a continuation',
    'FROM base\nENV A one\\\\two\nENV B ends\\\\with\\\\\nENV C own line\nENV D x\\\n\\\ny\nENV E x\\\n \\\ny\n',
    ['FROM 1-1', 'ENV 2-2', 'ENV 3-3', 'ENV 4-4', 'ENV 5-7', 'ENV 8-10'],
  ],
  [
    'testfiles/flags: builder flags before the arguments',
    'FROM base\nCOPY --chown=1:1 --from=b /a /b\nRUN --mount=type=cache,target=/c \\\n  --network=none make\n',
    ['FROM 1-1', 'COPY 2-2', 'RUN 3-4'],
  ],
  [
    'testfiles/json and ADD-COPY-with-JSON: exec form',
    'FROM base\nCMD ["a", "b"]\nCOPY ["x y", "/dst/"]\nRUN ["sh", "-c", "<<EOF"]\nUSER 1\n',
    ['FROM 1-1', 'CMD 2-2', 'COPY 3-3', 'RUN 4-4', 'USER 5-5'],
  ],
  ['testfiles/continueIndent (CRLF)', 'FROM base\r\nRUN a \\\r\n  b\r\nUSER 1\r\n', ['FROM 1-1', 'RUN 2-3', 'USER 4-4']],
  [
    'parser_heredoc_test TestParseExtractsHeredoc: which words are here-documents',
    [
      'FROM base',
      'USER <<NOPE', // USER takes none: the next line is an instruction
      'NOPE',
      'RUN <<EMPTY',
      'EMPTY',
      'RUN 3<<FD',
      'FD',
      'RUN "<<QUOTED"', // a quoted word is not one
      'RUN <<-TABS',
      '\tx',
      '\tTABS',
      'COPY <<P <<Q /dst',
      'Q',
      'P',
      'P',
      'Q',
      "RUN <<na'm'e",
      'name',
      "RUN <<'two words'",
      'two words',
      'RUN <<  SPACED  > out',
      'SPACED',
      'RUN <<$VAR',
      '$VAR',
      'RUN ["<<JSON"]',
      'USER 1',
    ].join('\n'),
    [
      'FROM 1-1',
      'USER 2-2',
      'NOPE 3-3',
      'RUN 4-5',
      'RUN 6-7',
      'RUN 8-8',
      'RUN 9-11',
      'COPY 12-16',
      'RUN 17-18',
      'RUN 19-20',
      'RUN 21-22',
      'RUN 23-24',
      'RUN 25-25',
      'USER 26-26',
    ],
  ],
  [
    'parser_heredoc_test: <<- strips tabs only for its own terminator',
    'RUN <<-A cat - <<B\n\tA\n\tB\nB\nUSER x\n',
    ['RUN 1-4', 'USER 5-5'],
  ],
  ['TestParseJSONHeredoc: exec-form RUN has no here-document', 'FROM base\nRUN ["<<EOF"]\nEOF\n', ['FROM 1-1', 'RUN 2-2', 'EOF 3-3']],
];

describe('instruction shapes as BuildKit draws them', () => {
  it.each(SHAPES)('%s', (_name, text, expected) => {
    expect(shape(text)).toEqual(expected);
  });

  it('reads parser directives only up to the first line that is not a known one (directives.go:50-96)', () => {
    expect(parseDockerfile('# unknown=1\n# escape=`\nRUN a `\nRUN b\n').escape).toBe('\\');
    expect(parseDockerfile('#!/usr/bin/env docker\n# escape=`\nFROM x\n').escape).toBe('\\');
    expect(parseDockerfile('  # syntax=docker/dockerfile:1\n#check=skip=all\n #  ESCAPE\t=\t`\nFROM x\n')).toMatchObject({
      escape: '`',
      directives: { syntax: 'docker/dockerfile:1', check: 'skip=all', escape: '`' },
    });
  });

  it('trims any Unicode blank before an instruction and treats a line of them inside a continuation as empty', () => {
    expect(shape('\u00a0FROM x\n\fRUN a \\\n\u00a0\f\u2003\n  b\n\u3000# comment\nUSER 1\n')).toEqual(['FROM 1-1', 'RUN 2-4', 'USER 6-6']);
  });

  it('has the keyword end at a vertical tab, form feed or CR (split_command.go:15)', () => {
    expect(parseDockerfile('RUN\fdnf update\n').instructions[0]!.keyword).toBe('RUN');
  });
});

describe('input BuildKit rejects: read on, reported as dockerfile-syntax warnings', () => {
  it('an unterminated here-document', () => {
    expect(syntax('FROM x\nRUN <<EOF\napk upgrade\n')).toMatchObject([{ line: 2, severity: 'warning' }]);
    expect(syntax('FROM x\nRUN <<EOF\napk upgrade\n')[0]!.message).toContain('unterminated heredoc');
    expect(upgradeLines('FROM x\nRUN <<EOF\napk upgrade\n')).toEqual([3]);
  });

  it('a line longer than 65,535 bytes, named by its line number', () => {
    const long = `RUN echo ${'é'.repeat(33_000)}`; // 66,009 bytes in UTF-8, 33,009 UTF-16 units
    const f = syntax(`FROM x\n${long}\nRUN dnf update\n`);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ line: 2 });
    expect(f[0]!.message).toMatch(/^line 2 is 66,009 bytes long.*max allowed size of 65535/);
    expect(syntax(`FROM x\nRUN echo ${'a'.repeat(65_535 - 9)}\n`)).toEqual([]);
    expect(syntax(`FROM x\nRUN echo ${'a'.repeat(65_536 - 9)}\n`)).toHaveLength(1);
    expect(upgradeLines(`FROM x\n${long}\nRUN dnf update\n`)).toEqual([3]);
  });

  it('a repeated directive or an invalid escape', () => {
    expect(syntax('# escape=`\n# escape=\\\nFROM x\n')).toMatchObject([{ line: 2 }]);
    expect(syntax('# escape=x\nFROM x\n')[0]!.message).toContain('invalid escape token');
  });

  it('an open quote on a line with <<: no here-document, the body lines are instructions', () => {
    const text = 'FROM x\nRUN echo "oops <<EOF\napk upgrade\nEOF\n';
    expect(shape(text)).toEqual(['FROM 1-1', 'RUN 2-2', 'APK 3-3', 'EOF 4-4']);
    expect(syntax(text)).toMatchObject([{ line: 2 }]);
  });

  it('nothing for well-formed files', () => {
    expect(syntax('# syntax=docker/dockerfile:1\nFROM x\nRUN <<EOF\necho\nEOF\n')).toEqual([]);
  });
});

describe('issue 13 probes', () => {
  it('an escaped escape at the end of a line is not a continuation: the next line is checked', () => {
    expect(upgradeLines('FROM x\nRUN echo C:\\\\\nRUN dnf update\n')).toEqual([3]);
    expect(upgradeLines('FROM x\nRUN echo a\\\\\\\nRUN apk upgrade\n')).toEqual([3]);
    expect(upgradeLines('# escape=`\nFROM x\nRUN echo a``\nRUN dnf update\n')).toEqual([4]);
    // A single escape still continues.
    expect(upgradeLines('FROM x\nRUN echo a \\\n  && dnf update\n')).toEqual([3]);
  });

  it('blanks between << and the word still make a here-document', () => {
    expect(upgradeLines('FROM x\nRUN bash << EOF\ndnf update -y\nEOF\n')).toEqual([3]);
    expect(upgradeLines('FROM x\nRUN bash <<\tEOF\ndnf update -y\nEOF\n')).toEqual([3]);
    // `<< -EOF` is a plain here-document whose word is -EOF.
    expect(shape('FROM x\nRUN sh << -EOF\nEOF\napk upgrade\n-EOF\nUSER 1\n')).toEqual(['FROM 1-1', 'RUN 2-5', 'USER 6-6']);
    expect(upgradeLines('FROM x\nRUN sh << -EOF\nEOF\napk upgrade\n-EOF\nUSER 1\n')).toEqual([4]);
    expect(upgradeLines('FROM x\nRUN << EOF\nmicrodnf update\nEOF\n')).toEqual([3]);
  });

  it('a data here-document is never flagged and --fix leaves it byte-identical', () => {
    const data = 'RUN cat << EOF > /opt/inner.Dockerfile\nFROM alpine:3.20\nRUN apk upgrade\nEOF\n';
    const piped = 'RUN cat <<-EOF | tee /opt/b.Dockerfile\n\tRUN dnf update -y\n\tEOF\n';
    const rest = 'RUN dnf update -y && dnf install -y git\n';
    const text = `FROM x\n${data}${piped}${rest}`;
    expect(upgradeLines(text)).toEqual([9]);
    const r = fixText(text, 'Dockerfile');
    expect(r.text).toBe(`FROM x\n${data}${piped}RUN dnf install -y git\n`);
    expect(r.fixed).toEqual([{ line: 9, removed: 'dnf update -y' }]);
  });

  it('an executed here-document is checked: the RUN script, a shell reading stdin, a script piped to a shell', () => {
    expect(upgradeLines('RUN <<EOF\napk upgrade\nEOF\n')).toEqual([2]);
    expect(upgradeLines('RUN sh -s -- -x <<EOF\napk upgrade\nEOF\n')).toEqual([2]);
    expect(upgradeLines('RUN cat <<EOF | sh\napk upgrade\nEOF\n')).toEqual([2]);
    expect(upgradeLines('RUN cat <<EOF | python3\napk upgrade\nEOF\n')).toEqual([]);
    expect(upgradeLines('RUN <<EOF python3\nimport os\nos.system("apk upgrade")\nEOF\n')).toEqual([]);
    // Several here-documents on a bare RUN: the shell runs a command made only of redirections, nothing executes them.
    expect(upgradeLines('RUN <<A <<B\napk upgrade\nA\ndnf update\nB\n')).toEqual([]);
  });

  it('ONBUILD RUN <<EOF reads the here-document and checks it', () => {
    const text = 'FROM x\nONBUILD RUN <<EOF\napk upgrade\nEOF\nUSER 1\n';
    expect(shape(text)).toEqual(['FROM 1-1', 'ONBUILD 2-4', 'USER 5-5']);
    expect(upgradeLines(text)).toEqual([3]);
    expect(shape('ONBUILD USER <<EOF\nEOF\n')).toEqual(['ONBUILD 1-1', 'EOF 2-2']);
  });

  it('a bare <<- is no here-document: the rest of the file stays instructions', () => {
    const text = 'FROM x\nRUN cat <<-\nRUN apk upgrade\nUSER 1\n';
    expect(shape(text)).toEqual(['FROM 1-1', 'RUN 2-2', 'RUN 3-3', 'USER 4-4']);
    expect(upgradeLines(text)).toEqual([3]);
  });

  it('an unknown directive before # escape: BuildKit keeps \\ and splits the backtick lines', () => {
    const text = '# owner=team-a\n# escape=`\nFROM x\nRUN echo a `\nRUN dnf update\n';
    expect(shape(text)).toEqual(['FROM 3-3', 'RUN 4-4', 'RUN 5-5']);
    expect(upgradeLines(text)).toEqual([5]);
  });

  it('NBSP and form feed before an instruction and on blank continuation lines', () => {
    expect(upgradeLines('FROM x\n\u00a0\u00a0RUN dnf update\n')).toEqual([2]);
    expect(upgradeLines('FROM x\nRUN echo a && \\\n\f\u00a0\n    dnf update\n')).toEqual([4]);
  });

  it('pacman: -Syu, -Syyu, -Su, --sysupgrade are full upgrades; -Sy <pkg> is a refresh plus install', () => {
    const text = [
      'RUN pacman -Syu --noconfirm',
      'RUN pacman -Syyu --noconfirm',
      'RUN pacman -Su',
      'RUN pacman --sync --refresh --sysupgrade',
      'RUN pacman -Sy --noconfirm git',
      'RUN pacman -S --needed base-devel',
      'RUN pacman -Qu',
      'RUN pacman -Syu --noconfirm git',
    ].join('\n');
    expect(upgradeLines(text)).toEqual([1, 2, 3, 4, 8]);
    const r = fixText(text, 'Dockerfile');
    expect(r.fixes).toBe(4);
    expect(r.unfixed.map((u) => [u.finding.line, u.reason])).toEqual([[8, 'it also installs git']]);
    expect(lintText('RUN pacman -Syu --noconfirm git', 'Dockerfile')[0]!.message).toContain('and installs git');
  });

  it('--fix keeps a comment that documents the command after the removed upgrade (also in RUN <<EOF scripts)', () => {
    expect(fixText('RUN <<EOF\ndnf update -y\n# tools for the build\ndnf install -y git\nEOF\n', 'Dockerfile').text).toBe(
      'RUN <<EOF\n# tools for the build\ndnf install -y git\nEOF\n',
    );
    // A comment above the removed upgrade documents it and goes with it.
    expect(fixText('RUN a && \\\n  # refresh everything\n  dnf update -y && \\\n  b\n', 'Dockerfile').text).toBe('RUN a && \\\n  b\n');
  });

  it('messages say what the upgrade does and suggest --fix only where it applies; columns are on the command word', () => {
    const [sec] = lintText('RUN dnf update -y --security', 'Dockerfile');
    expect(sec!.message).toMatch(/^`dnf update --security` upgrades every installed package that has a security advisory/);
    expect(sec!.message).toContain('--fix');
    const [target] = lintText('RUN dnf update -y openssl', 'Dockerfile');
    expect(target!.message).toMatch(/^`dnf update openssl` upgrades openssl to whatever is newest/);
    expect(target!.message).not.toContain('lint --fix');
    const [inString] = lintText('RUN bash -c "dnf update -y"', 'Dockerfile');
    expect(inString!.message).not.toContain('lint --fix');
    expect(inString!.message).toContain('--fix leaves it: inside a command substitution, sh -c string');
    const [piped] = lintText('RUN dnf update -y | tee /log', 'Dockerfile');
    expect(piped!.message).toContain('--fix leaves it: part of a pipeline');
    const [plain] = lintText('RUN dnf update -y', 'Dockerfile');
    expect(plain!.message).toContain('Remove it (hybrid-e2e lint --fix)');
    expect(lintText('RUN ["dnf", "update"]', 'Dockerfile')[0]).toMatchObject({ line: 1, column: 7 });
    expect(lintText("RUN 'dnf' update", 'Dockerfile')[0]).toMatchObject({ column: 6 });
  });

  it('lint --fix lists each fix with file:line and what was removed', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM x:1\nRUN dnf update -y && \\\n    dnf install -y git\nRUN ["apk", "upgrade"]\n');
    const io = captureIO(dir);
    await runLint({ paths: [], format: 'text', fix: true, dryRun: false }, io);
    expect(io.out()).toContain(
      'Fixed by --fix:\n  Dockerfile:2 removed `dnf update -y`\n  Dockerfile:4 removed `RUN ["apk", "upgrade"]`\n',
    );
    expect(renderFixList([])).toBe('');
  });
});
