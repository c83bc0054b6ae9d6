/**
 * A small, fast Dockerfile lexer that keeps exact physical positions and splits a file into instructions exactly as
 * BuildKit's `frontend/dockerfile/parser` does (moby/buildkit at 73ed682; file:line references below are to that tree):
 * - lines are split on `\n`; trailing `\r`s are not content (parser.go:519 trimNewline); a UTF-8 byte-order mark is
 *   dropped from line 1 (parser.go:298);
 * - parser directives (`# syntax=`, `# escape=`, `# check=`) are read from the top of the file and stop at the first
 *   line that is not one: an instruction, a blank line, a comment that is not `key=value` or names an unknown key
 *   (directives.go:50-96). A repeated directive or an escape other than `\` or `` ` `` is an error for BuildKit
 *   (directives.go:80, parser.go:153): we keep the first value and report it;
 * - before an instruction any Unicode blank is trimmed (NBSP, form feed, ...: parser.go:513 `unicode.IsSpace`);
 *   blank lines and comment lines (first non-blank char `#`) between instructions are skipped;
 * - a line whose last character other than space/tab is the escape character continues the instruction, unless that
 *   escape is itself preceded by an escape (`C:\\` ends the line; parser.go:168 `([^\\])\\[ \t]*$|^\\[ \t]*$`);
 *   comment lines and lines of (Unicode) blanks inside a continuation are dropped (parser.go:336-343); pieces are
 *   joined without a separator;
 * - the keyword is the first word of the joined line, split on `[\t\v\f\r ]` (split_command.go:15, parser.go:120);
 * - here-documents belong to RUN, COPY and ADD, also under ONBUILD, but never to an exec-form (JSON) instruction
 *   (parser.go:82-98). The words of the joined line are lexed like BuildKit's shell lexer with raw quotes and
 *   escapes (parser.go:481-499): blanks (space, tab, CR) right after `<<` stay in the word (`<< EOF` is a
 *   here-document, lex.go:516-533), an open quote anywhere on the line means no here-document at all (the lexer
 *   fails and the words are discarded), and a word is a here-document when it matches `^(\d*)<<(-?)\s*([^<]*)$`
 *   with a non-empty single-word rest (parser.go:121, 415-466: a bare `<<-` is not one). Bodies are read in order
 *   after the instruction line; a body ends at a line equal to the name, after stripping leading tabs for `<<-`
 *   (parser.go:371-396). An unterminated here-document is an error for BuildKit: we read it to the end of the file
 *   and report it;
 * - a line longer than 65,535 bytes makes BuildKit stop with "dockerfile line greater than max allowed size"
 *   (bufio.Scanner's 64 KiB token limit, parser.go:565-570): reported, then read on.
 * Everything BuildKit would reject is listed in `problems` (the analyzer reports them as `dockerfile-syntax`).
 *
 * dockerfile-ast (0.7) is only a cross-check in the tests: it draws the same boundaries on ordinary files but differs
 * from BuildKit on several here-document forms (blanks after `<<`, chomped terminators with several here-documents,
 * open quotes) and on escaped escapes; tests/core/compliance/buildkit.test.ts holds the BuildKit-derived cases. It also
 * parses at ~2,000 files/s on realistic files, below the 5,000 files/s target; this lexer does one pass over the text.
 */

export interface Segment {
  /** 0-based physical line. */
  line: number;
  /** Physical offsets [start, end) of the piece that belongs to the logical line (escape char excluded). */
  start: number;
  end: number;
}

export interface DockerHeredoc {
  name: string;
  chomp: boolean;
  /** Physical offset of the first body line and the start of the terminator line (== end of body). */
  bodyStart: number;
  bodyEnd: number;
  /** 0-based line of the terminator (or last line of the file when unterminated). */
  termLine: number;
  terminated: boolean;
}

export interface Instruction {
  /** Upper-case keyword (`RUN`, `FROM`, ...). */
  keyword: string;
  /** 0-based first and last physical line (last includes here-document bodies and terminators). */
  firstLine: number;
  lastLine: number;
  /** Last physical line of the joined instruction line itself (before any here-document body). */
  logicalLastLine: number;
  segments: Segment[];
  /** 0-based comment lines inside the continuation (dropped by Docker). */
  innerComments: number[];
  heredocs: DockerHeredoc[];
}

/** Something BuildKit rejects (or reads differently from what the text suggests); we read on. */
export interface ParseProblem {
  /** 0-based physical line. */
  line: number;
  message: string;
}

export interface ParsedDockerfile {
  text: string;
  escape: string;
  directives: Record<string, string>;
  /** Offsets of line starts, and of line content ends (before `\r\n` / `\n`). */
  lineStarts: number[];
  lineEnds: number[];
  instructions: Instruction[];
  /** 0-based lines of comments outside instructions (including parser directives). */
  comments: number[];
  /** Per line: 0 = blank, 1 = comment outside an instruction, 2 = part of an instruction. */
  lineKinds: Uint8Array;
  /** Input BuildKit rejects, in line order. */
  problems: ParseProblem[];
}

export const LINE_BLANK = 0;
export const LINE_COMMENT = 1;
export const LINE_INSTRUCTION = 2;

/** Text with a map from each of its offsets to a physical offset of the Dockerfile. */
export class MappedText {
  constructor(
    readonly text: string,
    /** Virtual start offsets of the chunks and their physical start offsets. */
    readonly vStarts: number[],
    readonly pStarts: number[],
  ) {}

  /** Physical offset of the character at virtual offset `v`. */
  toPhys(v: number): number {
    const vs = this.vStarts;
    let lo = 0;
    let hi = vs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (vs[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    return this.pStarts[lo]! + (v - vs[lo]!);
  }

  /** Physical offset just after the character at virtual offset `v - 1` (for exclusive range ends). */
  toPhysEnd(v: number): number {
    return v <= 0 ? this.toPhys(0) : this.toPhys(v - 1) + 1;
  }
}

const SP = 32;
const TAB = 9;
const CR = 13;
const HASH = 35;

/** Space or tab: what may follow a line-continuation escape (parser.go:168). */
function isBlank(c: number): boolean {
  return c === SP || c === TAB;
}

/** Go's unicode.IsSpace, which BuildKit uses to trim lines and detect blank ones (parser.go:513-530). */
export function isUnicodeSpace(c: number): boolean {
  if (c <= SP) return c === SP || (c >= 9 && c <= 13);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** The separators of the keyword (parser.go:120 `[\t\v\f\r ]+`). */
function isKeywordBlank(c: number): boolean {
  return c === SP || c === TAB || c === 11 || c === 12 || c === CR;
}

/** directives.go:43 (Go's `\s` is `[\t\n\f\r ]`). */
const DIRECTIVE_RE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
/** directives.go:21. */
const VALID_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
/** parser.go:130-139. */
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
/** parser.go:121. */
const HEREDOC_RE = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
/** bufio.MaxScanTokenSize: a line and its newline must fit (parser.go:565-570). */
const MAX_LINE_BYTES = 65536;

export function parseDockerfile(text: string): ParsedDockerfile {
  const lineStarts: number[] = [];
  const lineEnds: number[] = [];
  const problems: ParseProblem[] = [];
  const bom = text.charCodeAt(0) === 0xfeff;
  let pos = bom ? 1 : 0;
  const len = text.length;
  for (;;) {
    lineStarts.push(pos);
    const nl = text.indexOf('\n', pos);
    const next = nl < 0 ? len : nl + 1;
    let e = nl < 0 ? len : nl;
    while (e > pos && text.charCodeAt(e - 1) === CR) e--;
    lineEnds.push(e);
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long lines need counting.
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long lines need counting. The line and its newline must fit in
    // the scanner's buffer, so its content may have at most 65,535 bytes (with or without a newline).
    if ((next - pos) * 3 > MAX_LINE_BYTES) {
      const bytes = Buffer.byteLength(text.slice(pos, nl < 0 ? len : nl), 'utf8') + (pos === 1 && bom ? 3 : 0);
      if (bytes >= MAX_LINE_BYTES)
        problems.push({
          line: lineStarts.length - 1,
          message: `line ${lineStarts.length} is ${bytes.toLocaleString('en-US')} bytes long: BuildKit reads at most 65,535 bytes per line and fails with "dockerfile line greater than max allowed size of 65535"; split it with \\ continuations (checked as if it were accepted).`,
        });
    }
    if (nl < 0) break;
    pos = nl + 1;
    if (pos >= len) break;
  }
  const n = lineStarts.length;
  const lineKinds = new Uint8Array(n);

  // Parser directives: a leading run of `# key=value` lines with known keys (directives.go:50-96).
  let escape = '\\';
  const directives: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    let p = lineStarts[i]!;
    const e = lineEnds[i]!;
    while (p < e && isUnicodeSpace(text.charCodeAt(p))) p++;
    if (text.charCodeAt(p) !== HASH || p >= e) break;
    p++;
    while (p < e && isUnicodeSpace(text.charCodeAt(p))) p++;
    const m = DIRECTIVE_RE.exec(text.slice(p, e));
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (!VALID_DIRECTIVES.has(key)) break;
    if (key in directives) {
      problems.push({
        line: i,
        message: `a second ${key} parser directive: BuildKit fails with "only one ${key} parser directive can be used"; remove one (the first, ${key}=${directives[key]}, is used here).`,
      });
      break;
    }
    directives[key] = m[2]!;
    if (key === 'escape') {
      if (m[2] === '`' || m[2] === '\\') escape = m[2];
      else
        problems.push({
          line: i,
          message: `escape=${m[2]} is not a valid escape character: BuildKit fails with "invalid escape token"; use \\ or \` (\\ is used here).`,
        });
    }
  }
  const esc = escape.charCodeAt(0);

  const instructions: Instruction[] = [];
  const comments: number[] = [];

  for (let i = 0; i < n; i++) {
    const s = lineStarts[i]!;
    const e = lineEnds[i]!;
    let p = s;
    while (p < e && isUnicodeSpace(text.charCodeAt(p))) p++;
    if (p === e) continue;
    if (text.charCodeAt(p) === HASH) {
      comments.push(i);
      lineKinds[i] = LINE_COMMENT;
      continue;
    }
    const firstLine = i;
    const segments: Segment[] = [];
    let innerComments: number[] | null = null;
    // Does the line end with an escape char that is not itself escaped? Then the piece ends before it.
    let end = e;
    while (end > p && isBlank(text.charCodeAt(end - 1))) end--;
    let cont = text.charCodeAt(end - 1) === esc && (end - 1 === p || text.charCodeAt(end - 2) !== esc);
    segments.push({ line: i, start: p, end: cont ? end - 1 : e });
    while (cont && i + 1 < n) {
      i++;
      const ls = lineStarts[i]!;
      const le = lineEnds[i]!;
      let q = ls;
      while (q < le && isUnicodeSpace(text.charCodeAt(q))) q++;
      if (q === le) continue;
      if (text.charCodeAt(q) === HASH) {
        (innerComments ??= []).push(i);
        continue;
      }
      end = le;
      while (end > ls && isBlank(text.charCodeAt(end - 1))) end--;
      cont = text.charCodeAt(end - 1) === esc && (end - 1 === ls || text.charCodeAt(end - 2) !== esc);
      segments.push({ line: i, start: ls, end: cont ? end - 1 : le });
    }
    const logicalLastLine = i;
    // Keyword: first word of the joined line.
    let keyword = '';
    const seg0 = segments[0]!;
    let k0 = seg0.start;
    while (k0 < seg0.end && !isKeywordBlank(text.charCodeAt(k0))) k0++;
    if (k0 < seg0.end || segments.length === 1) keyword = text.slice(seg0.start, k0);
    else
      for (const seg of segments) {
        let k = seg.start;
        while (k < seg.end && !isKeywordBlank(text.charCodeAt(k))) k++;
        keyword += text.slice(seg.start, k);
        if (k < seg.end) break;
      }
    keyword = keyword.toUpperCase();
    const heredocs: DockerHeredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword) || keyword === 'ONBUILD') {
      let joined = '';
      for (const seg of segments) joined += text.slice(seg.start, seg.end);
      const words = joined.includes('<<') ? heredocCandidates(joined, keyword) : null;
      if (words === 'open-quote')
        problems.push({
          line: firstLine,
          message:
            'an open quote on a line with <<: BuildKit reads no here-document here, so the lines below are separate instructions; close the quote.',
        });
      else if (words)
        for (const h of words) {
          const bodyStart = i + 1 < n ? lineStarts[i + 1]! : len;
          let j = i + 1;
          let terminated = false;
          for (; j < n; j++) {
            let ls = lineStarts[j]!;
            const le = lineEnds[j]!;
            if (h.chomp) while (ls < le && text.charCodeAt(ls) === TAB) ls++;
            if (le - ls === h.name.length && text.startsWith(h.name, ls)) {
              terminated = true;
              break;
            }
          }
          if (terminated) {
            heredocs.push({ name: h.name, chomp: h.chomp, bodyStart, bodyEnd: lineStarts[j]!, termLine: j, terminated });
            i = j;
          } else {
            problems.push({
              line: firstLine,
              message: `here-document <<${h.chomp ? '-' : ''}${h.name} is not terminated: BuildKit fails with "unterminated heredoc"; add a line ${h.name} (read to the end of the file here).`,
            });
            heredocs.push({ name: h.name, chomp: h.chomp, bodyStart, bodyEnd: len, termLine: n - 1, terminated });
            i = n - 1;
          }
        }
    }
    for (let k = firstLine; k <= i; k++) lineKinds[k] = LINE_INSTRUCTION;
    instructions.push({ keyword, firstLine, lastLine: i, logicalLastLine, segments, innerComments: innerComments ?? [], heredocs });
  }

  return { text, escape, directives, lineStarts, lineEnds, instructions, comments, lineKinds, problems };
}

interface HeredocWord {
  name: string;
  chomp: boolean;
  quoted: boolean;
}

/**
 * The here-documents of an instruction's joined line (keyword included), or 'open-quote' when BuildKit's lexer fails
 * on it. Exec-form instructions and keywords that take none (also under ONBUILD) have none (parser.go:82-98).
 */
function heredocCandidates(joined: string, keyword: string): HeredocWord[] | 'open-quote' | null {
  let rest = joined.slice(keyword.length);
  if (keyword === 'ONBUILD') {
    // parseSubCommand: the rest is an instruction of its own (line_parsers.go:37-48).
    const m = /^[\t\v\f\r ]*([^\t\v\f\r ]+)/.exec(rest);
    if (!m || !HEREDOC_KEYWORDS.has(m[1]!.toUpperCase())) return null;
    rest = rest.slice(m[0].length);
  }
  if (isJsonForm(rest)) return null;
  return heredocWords(joined);
}

/** Is the instruction's argument text (after the keyword) exec form: builder flags, then a JSON string array? */
function isJsonForm(rest: string): boolean {
  // extractBuilderFlags (split_command.go:28-122): `--flag` words, then the arguments.
  let i = 0;
  for (;;) {
    while (i < rest.length && isUnicodeSpace(rest.charCodeAt(i))) i++;
    if (!rest.startsWith('--', i)) break;
    let quote = '';
    for (; i < rest.length; i++) {
      const c = rest[i]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (isUnicodeSpace(c.charCodeAt(0))) break;
    }
  }
  if (rest[i] !== '[') return false;
  try {
    return Array.isArray(JSON.parse(rest.slice(i)));
  } catch {
    return false;
  }
}

/**
 * Here-document words of a line, in order, as BuildKit finds them (parser.go:481-499): the line is lexed with raw
 * quotes and escapes (lex.go:169-244), keeping blanks after `<<` in the word (lex.go:516-533); each word matching
 * `^(\d*)<<(-?)\s*(rest)` with a single-word rest is one. Returns 'open-quote' when a quote is not closed (BuildKit's
 * lexer fails and no here-document is read).
 */
export function heredocWords(line: string): HeredocWord[] | 'open-quote' {
  const out: HeredocWord[] = [];
  const n = line.length;
  let buf = '';
  const flush = (): void => {
    if (!buf) return;
    const w = heredocWord(buf);
    if (w) out.push(w);
    buf = '';
  };
  for (let i = 0; i < n;) {
    const c = line[i]!;
    if (c === '<' && line[i + 1] === '<') {
      let j = i + 2;
      while (j < n && (line[j] === ' ' || line[j] === '\t' || line[j] === '\r')) j++;
      buf += line.slice(i, j);
      i = j;
    } else if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) return 'open-quote';
      buf += line.slice(i, j + 1);
      i = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (j >= n) return 'open-quote';
      buf += line.slice(i, j + 1);
      i = j + 1;
    } else if (c === '\\') {
      buf += line.slice(i, i + 2);
      i += 2;
    } else if (isUnicodeSpace(c.charCodeAt(0))) {
      flush();
      i++;
    } else {
      buf += c;
      i++;
    }
  }
  flush();
  return out;
}

/** One lexed word as a here-document (parser.go:414-466), or null. */
export function heredocWord(word: string): HeredocWord | null {
  const m = HEREDOC_RE.exec(word);
  if (!m) return null;
  const rest = m[3]!;
  if (!rest) return null;
  // The rest must be a single word once quotes and escapes are processed (parser.go:439-442).
  const words = wordsOf(rest);
  if (words.length !== 1) return null;
  const name = words[0]!;
  return { name, chomp: m[2] === '-', quoted: /["']/.test(rest) && name !== rest };
}

/** Shell-lexed words of a here-document name (quotes removed, backslash escapes applied). */
function wordsOf(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      const e = j < 0 ? s.length : j;
      cur += s.slice(i + 1, e);
      i = e;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1]!)) j++;
        cur += s[j];
      }
      i = j;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < s.length) cur += s[++i];
      inWord = true;
    } else if (isUnicodeSpace(c.charCodeAt(0))) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Split on blanks outside quotes, keeping quotes in the words. */
export function splitWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      cur += c;
      if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else if (c === quote) quote = '';
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    cur += c;
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && i + 1 < s.length) cur += s[++i];
  }
  if (inWord) words.push(cur);
  return words;
}

export function unquote(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      const e = j < 0 ? s.length : j;
      out += s.slice(i + 1, e);
      i = e;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        out += s[j];
      }
      i = j;
    } else if (c === '\\' && i + 1 < s.length) out += s[++i];
    else out += c;
  }
  return out;
}

/** The instruction's joined line after the keyword, mapped to physical offsets. */
export function instructionArgs(df: ParsedDockerfile, ins: Instruction): MappedText {
  const vStarts: number[] = [];
  const pStarts: number[] = [];
  let text = '';
  let skip = ins.keyword.length;
  for (const seg of ins.segments) {
    let start = seg.start;
    if (skip > 0) {
      const take = Math.min(skip, seg.end - seg.start);
      start += take;
      skip -= take;
      if (start >= seg.end) continue;
    }
    vStarts.push(text.length);
    pStarts.push(start);
    text += df.text.slice(start, seg.end);
  }
  if (vStarts.length === 0) {
    vStarts.push(0);
    pStarts.push(df.lineEnds[ins.logicalLastLine]!);
  }
  return new MappedText(text, vStarts, pStarts);
}

/**
 * The shell source of a RUN as BuildKit hands it to `/bin/sh -c`: the joined line (from `from`, a virtual offset in
 * `args`), then a newline and the raw here-document bodies and terminators. Returns the mapped text and, for each
 * heredoc, the virtual range of its body.
 */
export function shellSource(
  df: ParsedDockerfile,
  ins: Instruction,
  args: MappedText,
  from: number,
): { src: MappedText; bodies: { start: number; end: number }[] } {
  const vStarts: number[] = [];
  const pStarts: number[] = [];
  let text = '';
  // Re-chunk the args text from `from`.
  const a = args.text;
  for (let k = 0; k < args.vStarts.length; k++) {
    const cs = args.vStarts[k]!;
    const ce = k + 1 < args.vStarts.length ? args.vStarts[k + 1]! : a.length;
    if (ce <= from) continue;
    const vs = Math.max(cs, from);
    vStarts.push(text.length);
    pStarts.push(args.pStarts[k]! + (vs - cs));
    text += a.slice(vs, ce);
  }
  const bodies: { start: number; end: number }[] = [];
  if (ins.heredocs.length > 0) {
    vStarts.push(text.length);
    pStarts.push(df.lineEnds[ins.logicalLastLine]!);
    text += '\n';
    const first = ins.heredocs[0]!;
    const last = ins.heredocs[ins.heredocs.length - 1]!;
    const physStart = first.bodyStart;
    const physEnd = last.terminated ? Math.min(df.text.length, df.lineEnds[last.termLine]!) : df.text.length;
    const base = text.length;
    vStarts.push(base);
    pStarts.push(physStart);
    text += df.text.slice(physStart, physEnd);
    for (const h of ins.heredocs) bodies.push({ start: base + (h.bodyStart - physStart), end: base + (h.bodyEnd - physStart) });
  }
  if (vStarts.length === 0) {
    vStarts.push(0);
    pStarts.push(df.lineEnds[ins.logicalLastLine]!);
  }
  return { src: new MappedText(text, vStarts, pStarts), bodies };
}

/** 0-based line containing physical offset `off`. */
export function lineOf(df: ParsedDockerfile, off: number): number {
  const ls = df.lineStarts;
  let lo = 0;
  let hi = ls.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ls[mid]! <= off) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
