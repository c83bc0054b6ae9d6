import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixText, lintText, parseDockerfile } from '../../../src/core/compliance/lint-files.js';
import { instructionArgs } from '../../../src/core/compliance/dockerfile.js';
import { parseShell, simpleCommands } from '../../../src/core/compliance/shell.js';

const upgrades = (text: string) => lintText(text, 'Dockerfile').filter((f) => f.rule === 'no-package-upgrade' && !f.waived);

/** [name, input, expected output, fixes] — expected outputs written by hand. */
const CASES: [string, string, string, number][] = [
  ['the issue example', 'FROM x\nRUN dnf update -y && \\\n    dnf install -y git\n', 'FROM x\nRUN dnf install -y git\n', 1],
  ['a RUN that only upgraded disappears', 'FROM x\nRUN dnf update -y\nUSER 1001\n', 'FROM x\nUSER 1001\n', 1],
  ['middle of a && chain', 'RUN a && \\\n    dnf update -y && \\\n    b\n', 'RUN a && \\\n    b\n', 1],
  ['end of a && chain', 'RUN a && \\\n    dnf update -y\nUSER 1\n', 'RUN a\nUSER 1\n', 1],
  [
    'leading-operator style keeps its style',
    'RUN dnf install -y x \\\n    && yum update -y \\\n    && dnf clean all\n',
    'RUN dnf install -y x \\\n    && dnf clean all\n',
    1,
  ],
  ['first of a leading-operator chain', 'RUN dnf update -y \\\n\t&& dnf install -y x\n', 'RUN dnf install -y x\n', 1],
  [
    '; chain with tabs',
    'RUN set -eux; \\\n\tmicrodnf update -y; \\\n\tmicrodnf install -y tar\n',
    'RUN set -eux; \\\n\tmicrodnf install -y tar\n',
    1,
  ],
  ['X || true is removed as a unit', 'RUN dnf update -y || true && dnf install -y git\n', 'RUN dnf install -y git\n', 1],
  ['X || : alone removes the RUN', 'FROM x\nRUN apt-get upgrade -y || :\n', 'FROM x\n', 1],
  ['a && X || b keeps the fallback for a', 'RUN a && dnf update -y || b\n', 'RUN a || b\n', 1],
  ['two upgrades in one RUN', 'RUN dnf update -y && yum upgrade -y && dnf install git\n', 'RUN dnf install git\n', 2],
  ['separated upgrades', 'RUN dnf update -y && a && apk upgrade && b\n', 'RUN a && b\n', 2],
  ['inside an if body with other commands', 'RUN if true; then dnf update -y && echo ok; fi\n', 'RUN if true; then echo ok; fi\n', 1],
  ['RUN <<EOF script', 'RUN <<EOF\nset -e\ndnf update -y\ndnf install -y git\nEOF\n', 'RUN <<EOF\nset -e\ndnf install -y git\nEOF\n', 1],
  ['RUN <<EOF script that only upgraded', 'FROM x\nRUN <<EOF\ndnf update -y\nEOF\nUSER 1\n', 'FROM x\nUSER 1\n', 1],
  ['bash <<EOF may become empty, terminator intact', 'RUN bash <<EOF\n  zypper -n dup\nEOF\n', 'RUN bash <<EOF\nEOF\n', 1],
  ['exec form', 'FROM x\nRUN ["dnf", "update", "-y"]\n', 'FROM x\n', 1],
  [
    'escape directive',
    '# escape=`\nFROM x\nRUN dnf update -y && `\n    dnf install -y git\n',
    '# escape=`\nFROM x\nRUN dnf install -y git\n',
    1,
  ],
  [
    'CRLF',
    'FROM x\r\nRUN dnf update -y && \\\r\n    dnf install -y git\r\nUSER 1\r\n',
    'FROM x\r\nRUN dnf install -y git\r\nUSER 1\r\n',
    1,
  ],
  [
    // Issue 13: a comment belongs to the command after it, so it stays with the kept command (the RUN still continues).
    'comment line documenting the kept command stays',
    'RUN dnf update -y && \\\n    # note\n    dnf install git\n',
    'RUN \\\n    # note\n    dnf install git\n',
    1,
  ],
  [
    'a waiver comment documenting the kept (waived) command stays',
    'RUN yum update -y && \\\n  # hybrid-e2e ignore=no-package-upgrade reason="r"\n  dnf update -y\n',
    'RUN \\\n  # hybrid-e2e ignore=no-package-upgrade reason="r"\n  dnf update -y\n',
    1,
  ],
  [
    'flags stay',
    'RUN --mount=type=cache,target=/var/cache/dnf dnf update -y && dnf install -y git\n',
    'RUN --mount=type=cache,target=/var/cache/dnf dnf install -y git\n',
    1,
  ],
  ['ONBUILD RUN', 'FROM x\nONBUILD RUN dnf update -y\n', 'FROM x\n', 1],
  ['no trailing newline', 'FROM x\nRUN dnf update', 'FROM x\n', 1],
  [
    'prefixes go with the command',
    'RUN DEBIAN_FRONTEND=noninteractive sudo -E apt-get -y dist-upgrade && apt-get install -y curl\n',
    'RUN apt-get install -y curl\n',
    1,
  ],
];

/** [name, input, reason fragment] — reported, left untouched. */
const UNFIXABLE: [string, string, string][] = [
  ['X || b', 'RUN dnf update -y || echo failed\n', '||'],
  ['pipeline', 'RUN dnf update -y | tee /log\n', 'pipeline'],
  ['sole command of an if body', 'RUN if true; then dnf update -y; fi\n', 'only command'],
  ['sh -c string', 'RUN sh -c "dnf update -y"\n', 'sh -c'],
  ['command substitution', 'RUN x=$(dnf update -y)\n', 'substitution'],
  ['targeted upgrade', 'RUN dnf update -y openssl\n', 'targeted'],
  ['after a background job', 'RUN a & dnf update -y\n', 'background'],
  ['prev ; X || b', 'RUN a; dnf update -y || b\n', '||'],
  [
    'span would delete a waiver comment',
    'RUN a && \\\n  # hybrid-e2e ignore=base-image-policy reason="r"\n  dnf update -y\n',
    'waiver comment',
  ],
];

describe('fixText', () => {
  it.each(CASES)('%s', (_name, input, expected, fixes) => {
    expect(upgrades(input).length).toBeGreaterThan(0);
    const r = fixText(input, 'Dockerfile');
    expect(r.text).toBe(expected);
    expect(r).toMatchObject({ changed: true, fixes, unfixable: 0 });
    expect(upgrades(r.text)).toEqual([]);
    expect(fixText(r.text, 'Dockerfile').changed).toBe(false);
  });

  it.each(UNFIXABLE)('leaves %s alone and says why', (_name, input, reason) => {
    const r = fixText(input, 'Dockerfile');
    expect(r.text).toBe(input);
    expect(r).toMatchObject({ changed: false, fixes: 0, unfixable: 1 });
    expect(r.unfixed[0]!.reason).toContain(reason);
  });

  it('never touches waived findings', () => {
    const input =
      'FROM x\n# hybrid-e2e ignore=no-package-upgrade reason="policy"\nRUN dnf update -y && dnf install git\nRUN yum update -y\n';
    const r = fixText(input, 'Dockerfile');
    expect(r.text).toBe('FROM x\n# hybrid-e2e ignore=no-package-upgrade reason="policy"\nRUN dnf update -y && dnf install git\n');
    expect(r.fixes).toBe(1);
  });

  it('does nothing when the rule is off', () => {
    const input = 'RUN dnf update -y\n';
    expect(fixText(input, 'Dockerfile', { rules: { 'no-package-upgrade': 'off' } }).changed).toBe(false);
  });

  // Generated RUN instructions: a chain of upgrade and ordinary commands joined by && or ;, laid out on one line or
  // with continuations (operator at the end or the start of the line, various indentation).
  const ORDINARY = ['dnf install -y git', 'echo "dnf update"', 'microdnf clean all', 'apt-get update', 'useradd -r app', 'true'];
  const UPGRADE = [
    'dnf update -y',
    'microdnf -y upgrade',
    'yum update',
    'apt-get -y dist-upgrade',
    'sudo apk upgrade',
    'LANG=C zypper -n up',
  ];
  const step = fc.record({ upgrade: fc.boolean(), i: fc.nat(5), op: fc.constantFrom('&&', ';') });
  const layout = fc.record({ multiline: fc.boolean(), leadingOp: fc.boolean(), indent: fc.constantFrom('    ', '\t', '  ', '') });

  it('on generated chains: flags exactly the upgrades, fixes them all, keeps the other commands in order, stays valid shell', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), layout, (steps, lay) => {
        const cmd = (s: (typeof steps)[number]): string => (s.upgrade ? UPGRADE[s.i]! : ORDINARY[s.i]!);
        let body = '';
        const upgradeLines: number[] = [];
        let line = 2; // 1-based: line 1 is FROM
        steps.forEach((s, k) => {
          if (k > 0) {
            const op = steps[k - 1]!.op;
            if (!lay.multiline) body += ` ${op} `;
            else if (lay.leadingOp) {
              body += ` \\\n${lay.indent}${op} `;
              line++;
            } else {
              body += ` ${op} \\\n${lay.indent}`;
              line++;
            }
          }
          if (s.upgrade) upgradeLines.push(line);
          body += cmd(s);
        });
        const text = `FROM x\nRUN ${body}\nUSER 1\n`;
        expect(upgrades(text).map((f) => f.line)).toEqual(upgradeLines);
        const r = fixText(text, 'Dockerfile');
        expect(r.fixes).toBe(upgradeLines.length);
        expect(upgrades(r.text)).toEqual([]);
        const df = parseDockerfile(r.text);
        const kept = steps.filter((s) => !s.upgrade).map(cmd);
        if (kept.length === 0) {
          expect(r.text).toBe('FROM x\nUSER 1\n');
          return;
        }
        expect(df.instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'USER']);
        const shell = instructionArgs(df, df.instructions[1]!).text;
        const got = [...simpleCommands(parseShell(shell))].map((c) => shell.slice(c.start, c.end));
        expect(got).toEqual(kept);
        expect(parseShell(shell).broken).toBe(false);
        // Everything before the RUN and after it is byte-identical.
        expect(r.text.startsWith('FROM x\nRUN ')).toBe(true);
        expect(r.text.endsWith('\nUSER 1\n')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('fixed generated chains are accepted by bash -n', () => {
    const samples = fc.sample(fc.tuple(fc.array(step, { minLength: 2, maxLength: 5 }), layout), { numRuns: 25, seed: 7 });
    for (const [steps, lay] of samples) {
      const parts = steps.map((s) => (s.upgrade ? UPGRADE[s.i]! : ORDINARY[s.i]!));
      let body = parts[0]!;
      for (let k = 1; k < parts.length; k++)
        body += lay.multiline ? ` ${steps[k - 1]!.op} \\\n${lay.indent}${parts[k]}` : ` ${steps[k - 1]!.op} ${parts[k]}`;
      const r = fixText(`FROM x\nRUN ${body}\n`, 'Dockerfile');
      const df = parseDockerfile(r.text);
      for (const ins of df.instructions.filter((i) => i.keyword === 'RUN')) {
        // The raw text Docker hands to the shell, continuation backslashes included (bash treats them the same way).
        const raw = r.text.slice(df.lineStarts[ins.firstLine]! + 4, df.lineEnds[ins.lastLine]);
        execFileSync('bash', ['-n', '-c', raw]);
      }
    }
  });
});
