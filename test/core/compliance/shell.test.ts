import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShell, simpleCommands, type ListNode, type SimpleNode } from '../../../src/core/compliance/shell.js';

const cmds = (src: string): string[][] => [...simpleCommands(parseShell(src))].map((c) => c.words.map((w) => w.value ?? '<dyn>'));
const texts = (src: string): string[] => [...simpleCommands(parseShell(src))].map((c) => src.slice(c.start, c.end));

describe('parseShell', () => {
  it('splits simple commands on && || ; & | and newlines, keeping the list structure', () => {
    const src = 'a 1 && b || c; d & e | f |& g\nh';
    expect(cmds(src)).toEqual([['a', '1'], ['b'], ['c'], ['d'], ['e'], ['f'], ['g'], ['h']]);
    const l = parseShell(src);
    expect(l.broken).toBe(false);
    expect(l.items.map((ao) => [ao.ops, ao.sep, ao.pipelines.map((p) => p.commands.length)])).toEqual([
      [['&&', '||'], ';', [1, 1, 1]],
      [[], '&', [1]],
      [[], '\n', [3]],
      [[], null, [1]],
    ]);
  });

  it('keeps exact offsets of words and commands', () => {
    const src = '  sudo  dnf update -y >/dev/null 2>&1 && echo ok';
    const [first] = simpleCommands(parseShell(src));
    expect(src.slice(first!.start, first!.end)).toBe('sudo  dnf update -y >/dev/null 2>&1');
    expect(first!.words.map((w) => src.slice(w.start, w.end))).toEqual(['sudo', 'dnf', 'update', '-y']);
    expect(first!.redirects.map((r) => r.op)).toEqual(['>', '>&']);
  });

  it('treats quoted text as data, unquotes static words and marks expansions dynamic', () => {
    expect(cmds(`echo "dnf update" 'yum upgrade' a\\ b "x\\"y" $'t\\tz'`)).toEqual([
      ['echo', 'dnf update', 'yum upgrade', 'a b', 'x"y', 't\tz'],
    ]);
    expect(cmds('echo $HOME ${X:-y} "$(date)" pre$V')).toEqual([['echo', '<dyn>', '<dyn>', '<dyn>', '<dyn>'], ['date']]);
  });

  it('skips comments (only at the start of a word) and honours backslash-newline', () => {
    expect(cmds('a # b && c\nd#e \\\n  f')).toEqual([['a'], ['d#e', 'f']]);
  });

  it('finds commands inside subshells, groups, compound commands and substitutions', () => {
    const src =
      '(a) && { b; } ; if c; then d; elif e; then f; else g; fi; while h; do i; done; for x in 1 2; do j; done; case $y in k) l;; *) m;; esac; n() { o; }; x=$(p) `q` <(r)';
    // `x=$(p) \`q\` <(r)` is one simple command of three dynamic words; p, q and r run inside it.
    expect(cmds(src).map((c) => c[0])).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'm', 'o', '<dyn>', 'p', 'q', 'r']);
    expect(parseShell(src).broken).toBe(false);
  });

  it('reads here-document bodies as data attached to their command', () => {
    const src = 'cat <<EOF > /x && bash <<-"END"\nnot a command\nEOF\n\tinside\n\tEND\nafter';
    const l = parseShell(src);
    expect(cmds(src)).toEqual([['cat'], ['bash'], ['after']]);
    const [cat, bash] = simpleCommands(l);
    const h1 = cat!.redirects.find((r) => r.heredoc)!.heredoc!;
    const h2 = bash!.redirects.find((r) => r.heredoc)!.heredoc!;
    expect(src.slice(h1.bodyStart, h1.bodyEnd)).toBe('not a command\n');
    expect(h2).toMatchObject({ delim: 'END', strip: true, quoted: true, terminated: true });
    expect(src.slice(h2.bodyStart, h2.bodyEnd)).toBe('\tinside\n');
  });

  it('parses a sub-range of a string with offsets into the whole string', () => {
    const src = 'xxx a && b yyy';
    const l = parseShell(src, 4, 10);
    expect([...simpleCommands(l)].map((c) => src.slice(c.start, c.end))).toEqual(['a', 'b']);
  });

  it('marks lists it does not fully understand as broken, without throwing', () => {
    for (const bad of ['a &&', '&& a', 'if a; then b', 'echo "unterminated', 'a )', '$(a', 'case x in', 'for', '{ a;']) {
      expect(() => parseShell(bad), bad).not.toThrow();
      expect(parseShell(bad).broken, bad).toBe(true);
    }
  });

  it('never throws, terminates, and keeps every command within bounds on arbitrary input', () => {
    const alphabet = fc.constantFrom(
      'a',
      'dnf',
      ' ',
      '\n',
      '&',
      '|',
      ';',
      '(',
      ')',
      '{',
      '}',
      '$',
      '`',
      '"',
      "'",
      '\\',
      '<',
      '>',
      '#',
      '=',
      'if',
      'then',
      'fi',
      'case',
      'in',
      'esac',
      'do',
      'done',
      '<<',
      'EOF',
      '-',
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }).map((xs) => xs.join('')),
        (src) => {
          const walk = (l: ListNode): SimpleNode[] => [...simpleCommands(l)];
          for (const c of walk(parseShell(src))) {
            expect(c.start).toBeGreaterThanOrEqual(0);
            expect(c.end).toBeLessThanOrEqual(src.length);
            expect(c.start).toBeLessThanOrEqual(c.end);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('survives deep nesting', () => {
    const deep = '$('.repeat(500) + 'a' + ')'.repeat(500);
    expect(() => parseShell(deep)).not.toThrow();
    expect(() => parseShell('('.repeat(3000))).not.toThrow();
  });

  it('spans compound commands up to their closing keyword', () => {
    const src = 'if a; then b; fi > /log && c';
    expect(texts(src)).toEqual(['a', 'b', 'c']);
    const ao = parseShell(src).items[0]!;
    expect(src.slice(ao.pipelines[0]!.start, ao.pipelines[0]!.end)).toBe('if a; then b; fi > /log');
  });
});
