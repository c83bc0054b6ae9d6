/**
 * A tolerant POSIX-shell parser for RUN bodies: enough grammar to find every simple command (through `&&`, `||`,
 * `;`, `&`, `|`, newlines, subshells, `{ }` groups, if/while/until/for/case, functions, `$( )`, backticks and
 * here-documents) with exact offsets, and to keep the list structure the autofix needs. It never throws: on input it
 * does not understand it marks the enclosing list `broken` (the autofix then leaves it alone) and carries on.
 *
 * Quoted text is data: `echo "dnf update"` has one command word, `echo`. Comments (`#` at the start of a word) are
 * skipped. Backslash-newline is a line continuation.
 */

export interface Word {
  start: number;
  end: number;
  /** Unquoted value when it contains no expansion (`$x`, `$( )`, backticks); otherwise null. */
  value: string | null;
  /** True when any part of the word was quoted or escaped. */
  quoted: boolean;
  /** Command substitutions inside the word. */
  substs: ListNode[] | null;
}

export interface ShellHeredoc {
  delim: string;
  strip: boolean;
  quoted: boolean;
  bodyStart: number;
  bodyEnd: number;
  terminated: boolean;
}

export interface Redirect {
  op: string;
  start: number;
  end: number;
  target: Word | null;
  heredoc: ShellHeredoc | null;
}

export interface SimpleNode {
  kind: 'simple';
  start: number;
  end: number;
  words: Word[];
  redirects: Redirect[];
}

export type CompoundType = 'subshell' | 'group' | 'if' | 'while' | 'until' | 'for' | 'case' | 'function' | 'arith' | 'cond';

export interface CompoundNode {
  kind: 'compound';
  type: CompoundType;
  start: number;
  end: number;
  lists: ListNode[];
  words: Word[];
  redirects: Redirect[];
}

export type CommandNode = SimpleNode | CompoundNode;

export interface PipelineNode {
  start: number;
  end: number;
  bang: boolean;
  commands: CommandNode[];
}

export interface AndOrNode {
  start: number;
  end: number;
  pipelines: PipelineNode[];
  /** ops[k] joins pipelines[k] and pipelines[k + 1]. */
  ops: ('&&' | '||')[];
  /** Separator that terminates this and-or list, if any. */
  sep: ';' | '&' | '\n' | null;
}

export interface ListNode {
  start: number;
  end: number;
  items: AndOrNode[];
  broken: boolean;
}

type OpTok = { t: 'op'; op: string; start: number; end: number };
type WordTok = { t: 'word'; w: Word; start: number; end: number };
type EofTok = { t: 'eof'; start: number; end: number };
type Tok = OpTok | WordTok | EofTok;

const RESERVED_CLOSERS = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}']);
const REDIRECT_OPS = new Set(['<', '>', '>>', '<<', '<<-', '<<<', '<&', '>&', '<>', '>|', '&>', '&>>']);
const MAX_DEPTH = 64;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** Characters that end a word: blanks, newline and `| & ; < > ( )`. */
function isMeta(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 124 || c === 38 || c === 59 || c === 60 || c === 62 || c === 40 || c === 41;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

export function parseShell(src: string, from = 0, to = src.length, depth = 0): ListNode {
  return new Parser(src, from, to, depth).program();
}

class Parser {
  private peeked: Tok | null = null;
  private pending: ShellHeredoc[] = [];
  broken = false;

  constructor(
    private readonly src: string,
    private pos: number,
    private readonly end: number,
    private readonly depth: number,
  ) {}

  program(): ListNode {
    if (this.depth > MAX_DEPTH) {
      return { start: this.pos, end: this.end, items: [], broken: true };
    }
    const list = this.list(null);
    // Anything left (e.g. a stray `)`) makes the program broken; keep parsing what follows.
    while (this.peek().t !== 'eof') {
      this.broken = true;
      this.next();
      const more = this.list(null);
      list.items.push(...more.items);
      if (more.items.length) list.end = more.end;
    }
    list.broken ||= this.broken;
    return list;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Lexer

  private peek(): Tok {
    return (this.peeked ??= this.lex());
  }

  private next(): Tok {
    const t = this.peek();
    this.peeked = null;
    if (t.t !== 'eof') this.lastTokEnd = t.end;
    return t;
  }

  private lex(): Tok {
    const s = this.src;
    for (;;) {
      while (this.pos < this.end) {
        const c = s.charCodeAt(this.pos);
        if (isSpace(c)) this.pos++;
        else if (c === 92 && s.charCodeAt(this.pos + 1) === 10 && this.pos + 1 < this.end) this.pos += 2;
        else break;
      }
      if (this.pos >= this.end) return { t: 'eof', start: this.end, end: this.end };
      if (s.charCodeAt(this.pos) === 35 /* # */) {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl < 0 || nl > this.end ? this.end : nl;
        continue;
      }
      break;
    }
    const start = this.pos;
    const c = s.charCodeAt(start);
    const c1 = start + 1 < this.end ? s.charCodeAt(start + 1) : 0;
    const c2 = start + 2 < this.end ? s.charCodeAt(start + 2) : 0;
    switch (c) {
      case 10: {
        this.pos++;
        const tok: OpTok = { t: 'op', op: '\n', start, end: start + 1 };
        if (this.pending.length) this.readHeredocBodies();
        return tok;
      }
      case 38 /* & */:
        if (c1 === 38) return this.mkOp('&&', start);
        if (c1 === 62) return c2 === 62 ? this.mkOp('&>>', start) : this.mkOp('&>', start);
        return this.mkOp('&', start);
      case 124 /* | */:
        if (c1 === 124) return this.mkOp('||', start);
        if (c1 === 38) return this.mkOp('|&', start);
        return this.mkOp('|', start);
      case 59 /* ; */:
        if (c1 === 59) return c2 === 38 ? this.mkOp(';;&', start) : this.mkOp(';;', start);
        if (c1 === 38) return this.mkOp(';&', start);
        return this.mkOp(';', start);
      case 40:
        return this.mkOp('(', start);
      case 41:
        return this.mkOp(')', start);
      case 60 /* < */:
        if (c1 === 40) break; // process substitution: a word
        if (c1 === 60) return c2 === 60 ? this.mkOp('<<<', start) : c2 === 45 ? this.mkOp('<<-', start) : this.mkOp('<<', start);
        if (c1 === 38) return this.mkOp('<&', start);
        if (c1 === 62) return this.mkOp('<>', start);
        return this.mkOp('<', start);
      case 62 /* > */:
        if (c1 === 40) break;
        if (c1 === 62) return this.mkOp('>>', start);
        if (c1 === 38) return this.mkOp('>&', start);
        if (c1 === 124) return this.mkOp('>|', start);
        return this.mkOp('>', start);
      default:
        if (c >= 48 && c <= 57) {
          // IO number: digits directly followed by < or >.
          let k = start;
          while (k < this.end && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) k++;
          const d = k < this.end ? s.charCodeAt(k) : 0;
          if ((d === 60 || d === 62) && s.charCodeAt(k + 1) !== 40) {
            this.pos = k;
            const inner = this.lex() as OpTok;
            return { t: 'op', op: inner.op, start, end: inner.end };
          }
        }
    }
    const w = this.word();
    return { t: 'word', w, start: w.start, end: w.end };
  }

  private mkOp(o: string, start: number): OpTok {
    this.pos = start + o.length;
    return { t: 'op', op: o, start, end: this.pos };
  }

  private readHeredocBodies(): void {
    const s = this.src;
    for (const h of this.pending) {
      h.bodyStart = this.pos;
      for (;;) {
        if (this.pos >= this.end) {
          h.bodyEnd = this.end;
          this.broken = true;
          break;
        }
        const ls = this.pos;
        let nl = s.indexOf('\n', ls);
        if (nl < 0 || nl > this.end) nl = this.end;
        let a = ls;
        let b = nl;
        if (b > a && s.charCodeAt(b - 1) === 13) b--;
        if (h.strip) while (a < b && s.charCodeAt(a) === 9) a++;
        this.pos = Math.min(nl + 1, this.end);
        if (b - a === h.delim.length && s.startsWith(h.delim, a)) {
          h.bodyEnd = ls;
          h.terminated = true;
          break;
        }
      }
    }
    this.pending = [];
  }

  private word(): Word {
    const s = this.src;
    const start = this.pos;
    let value = '';
    let lit = this.pos;
    let dynamic = false;
    let quoted = false;
    const substs: ListNode[] = [];
    while (this.pos < this.end) {
      const c = s.charCodeAt(this.pos);
      if (
        (c >= 97 && c <= 123) ||
        c === 125 ||
        c === 126 ||
        c > 127 ||
        (c >= 48 && c <= 57) ||
        (c >= 65 && c <= 91) ||
        c === 95 ||
        c === 45 ||
        c === 46 ||
        c === 47 ||
        c === 61 ||
        c === 44 ||
        c === 58
      ) {
        // fast path: letters, digits, _ - . / = , : [ { } ~ and non-ASCII (never | here)
        this.pos++;
        continue;
      }
      if ((c === 60 || c === 62) && s.charCodeAt(this.pos + 1) === 40 && this.pos + 1 < this.end) {
        // <( ... ) / >( ... ) process substitution
        value += s.slice(lit, this.pos);
        this.pos += 2;
        substs.push(this.nestedUntilParen());
        dynamic = true;
        lit = this.pos;
        continue;
      }
      if (isMeta(c)) break;
      if (c === 92 /* \ */) {
        value += s.slice(lit, this.pos);
        if (this.pos + 1 >= this.end) {
          this.pos++;
          lit = this.pos;
          continue;
        }
        if (s.charCodeAt(this.pos + 1) !== 10) {
          value += s[this.pos + 1];
          quoted = true;
        }
        this.pos += 2;
        lit = this.pos;
        continue;
      }
      if (c === 39 /* ' */) {
        value += s.slice(lit, this.pos);
        let j = s.indexOf("'", this.pos + 1);
        if (j < 0 || j >= this.end) {
          j = this.end;
          this.broken = true;
        }
        value += s.slice(this.pos + 1, j);
        quoted = true;
        this.pos = Math.min(j + 1, this.end);
        lit = this.pos;
        continue;
      }
      if (c === 34 /* " */) {
        value += s.slice(lit, this.pos);
        quoted = true;
        const r = this.doubleQuoted(substs);
        value += r.value;
        dynamic ||= r.dynamic;
        lit = this.pos;
        continue;
      }
      if (c === 96 /* ` */) {
        value += s.slice(lit, this.pos);
        substs.push(this.backtick());
        dynamic = true;
        lit = this.pos;
        continue;
      }
      if (c === 36 /* $ */) {
        value += s.slice(lit, this.pos);
        const r = this.dollar(false, substs);
        if (r.quoted) quoted = true;
        if (r.value === null) dynamic = true;
        else value += r.value;
        lit = this.pos;
        continue;
      }
      this.pos++;
    }
    value += s.slice(lit, this.pos);
    return { start, end: this.pos, value: dynamic ? null : value, quoted, substs: substs.length ? substs : null };
  }

  /** At a `"`: reads to the closing quote. */
  private doubleQuoted(substs: ListNode[]): { value: string; dynamic: boolean } {
    const s = this.src;
    this.pos++;
    let value = '';
    let dynamic = false;
    let lit = this.pos;
    while (this.pos < this.end) {
      const c = s.charCodeAt(this.pos);
      if (c === 34) {
        value += s.slice(lit, this.pos);
        this.pos++;
        return { value, dynamic };
      }
      if (c === 92) {
        value += s.slice(lit, this.pos);
        const d = s[this.pos + 1];
        if (d === '$' || d === '`' || d === '"' || d === '\\') value += d;
        else if (d !== '\n' && d !== undefined) value += '\\' + d;
        this.pos = Math.min(this.pos + 2, this.end);
        lit = this.pos;
        continue;
      }
      if (c === 36) {
        value += s.slice(lit, this.pos);
        const r = this.dollar(true, substs);
        if (r.value === null) dynamic = true;
        else value += r.value;
        lit = this.pos;
        continue;
      }
      if (c === 96) {
        value += s.slice(lit, this.pos);
        substs.push(this.backtick());
        dynamic = true;
        lit = this.pos;
        continue;
      }
      this.pos++;
    }
    this.broken = true;
    value += s.slice(lit, this.pos);
    return { value, dynamic };
  }

  /** At a `$`. Returns the literal value it stands for, or null for an expansion. */
  private dollar(inDouble: boolean, substs: ListNode[]): { value: string | null; quoted?: boolean } {
    const s = this.src;
    const c1 = this.pos + 1 < this.end ? s.charCodeAt(this.pos + 1) : 0;
    if (c1 === 40 /* ( */) {
      if (s.charCodeAt(this.pos + 2) === 40 && this.pos + 2 < this.end) {
        this.pos = this.skipBalanced(this.pos + 1, 40, 41);
        return { value: null };
      }
      this.pos += 2;
      substs.push(this.nestedUntilParen());
      return { value: null };
    }
    if (c1 === 123 /* { */) {
      this.pos = this.skipBalanced(this.pos + 1, 123, 125);
      return { value: null };
    }
    if (!inDouble && c1 === 39 /* $'...' */) {
      let j = this.pos + 2;
      let v = '';
      while (j < this.end && s.charCodeAt(j) !== 39) {
        if (s.charCodeAt(j) === 92 && j + 1 < this.end) {
          const d = s[j + 1]!;
          v += d === 'n' ? '\n' : d === 't' ? '\t' : d;
          j += 2;
        } else v += s[j++];
      }
      this.pos = Math.min(j + 1, this.end);
      return { value: v, quoted: true };
    }
    if (!inDouble && c1 === 34 /* $"..." */) {
      this.pos++;
      const r = this.doubleQuoted(substs);
      return { value: r.dynamic ? null : r.value, quoted: true };
    }
    if (isNameStart(c1)) {
      let j = this.pos + 2;
      while (j < this.end && isNameChar(s.charCodeAt(j))) j++;
      this.pos = j;
      return { value: null };
    }
    if ((c1 >= 48 && c1 <= 57) || c1 === 64 || c1 === 42 || c1 === 35 || c1 === 63 || c1 === 36 || c1 === 33 || c1 === 45) {
      this.pos += 2;
      return { value: null };
    }
    this.pos++;
    return { value: '$' };
  }

  /** From an opening bracket at `open`, returns the offset after its matching closer (quotes respected). */
  private skipBalanced(open: number, o: number, cl: number): number {
    const s = this.src;
    let depth = 0;
    for (let j = open; j < this.end; j++) {
      const c = s.charCodeAt(j);
      if (c === 92) {
        j++;
        continue;
      }
      if (c === 39 && o !== 123) {
        const k = s.indexOf("'", j + 1);
        if (k < 0 || k >= this.end) break;
        j = k;
        continue;
      }
      if (c === 34) {
        let k = j + 1;
        while (k < this.end && s.charCodeAt(k) !== 34) k += s.charCodeAt(k) === 92 ? 2 : 1;
        j = k;
        continue;
      }
      if (c === o) depth++;
      else if (c === cl && --depth === 0) return j + 1;
    }
    this.broken = true;
    return this.end;
  }

  /** After `$(` or `<(`: parses a nested list up to and including the matching `)`. */
  private nestedUntilParen(): ListNode {
    if (this.depth >= MAX_DEPTH) {
      this.pos = this.skipBalanced(this.pos - 1, 40, 41);
      this.broken = true;
      return { start: this.pos, end: this.pos, items: [], broken: true };
    }
    const saved = this.peeked;
    this.peeked = null;
    const sub = new Parser(this.src, this.pos, this.end, this.depth + 1);
    const list = sub.list(new Set([')']));
    const t = sub.peek();
    if (t.t === 'op' && t.op === ')') sub.next();
    else {
      list.broken = true;
      this.broken = true;
    }
    this.pos = sub.pos;
    if (sub.broken) list.broken = true;
    this.peeked = saved;
    return list;
  }

  /** At a backtick: parses the command inside (escaped backticks are rare and treated as plain text). */
  private backtick(): ListNode {
    const s = this.src;
    let j = this.pos + 1;
    while (j < this.end && s.charCodeAt(j) !== 96) j += s.charCodeAt(j) === 92 ? 2 : 1;
    const inner = parseShell(s, this.pos + 1, Math.min(j, this.end), this.depth + 1);
    if (j >= this.end) {
      this.broken = true;
      inner.broken = true;
    }
    this.pos = Math.min(j + 1, this.end);
    return inner;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Grammar

  private isWord(t: Tok, value?: string): boolean {
    return t.t === 'word' && (value === undefined || (t.w.value === value && !t.w.quoted));
  }

  private isOp(t: Tok, op: string): t is OpTok {
    return t.t === 'op' && t.op === op;
  }

  private skipNewlines(): void {
    while (this.isOp(this.peek(), '\n')) this.next();
  }

  private isStop(t: Tok, stops: Set<string> | null): boolean {
    if (!stops) return false;
    if (t.t === 'op') return stops.has(t.op);
    if (t.t === 'word') return !t.w.quoted && t.w.value !== null && stops.has(t.w.value);
    return false;
  }

  list(stops: Set<string> | null): ListNode {
    const items: AndOrNode[] = [];
    let broken = false;
    const start = this.peek().start;
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.t === 'eof' || this.isStop(t, stops)) break;
      if (t.t === 'op' && t.op !== '(' && !REDIRECT_OPS.has(t.op)) {
        // `;`, `&&`, `)` ... where a command should start.
        broken = true;
        if (!stops && t.op === ')') break;
        this.next();
        continue;
      }
      if (t.t === 'word' && !t.w.quoted && t.w.value !== null && RESERVED_CLOSERS.has(t.w.value)) {
        broken = true;
        if (!stops) break;
        this.next();
        continue;
      }
      const before = this.pos;
      const ao = this.andOr();
      if (ao.pipelines.length === 0 || (this.pos === before && this.peek() === t)) {
        broken = true;
        this.next();
        continue;
      }
      items.push(ao);
      const s = this.peek();
      if (s.t === 'op' && (s.op === ';' || s.op === '&' || s.op === '\n')) {
        ao.sep = s.op;
        this.next();
      } else if (!(s.t === 'eof' || this.isStop(s, stops))) {
        broken = true;
      }
    }
    const end = items.length ? items[items.length - 1]!.end : start;
    return { start: items.length ? items[0]!.start : start, end, items, broken: broken || this.broken };
  }

  private andOr(): AndOrNode {
    const pipelines: PipelineNode[] = [];
    const ops: ('&&' | '||')[] = [];
    const first = this.pipeline();
    if (!first) return { start: this.pos, end: this.pos, pipelines, ops, sep: null };
    pipelines.push(first);
    for (;;) {
      const t = this.peek();
      if (!(t.t === 'op' && (t.op === '&&' || t.op === '||'))) break;
      this.next();
      this.skipNewlines();
      const p = this.pipeline();
      if (!p) {
        this.broken = true;
        break;
      }
      ops.push(t.op as '&&' | '||');
      pipelines.push(p);
    }
    return { start: first.start, end: pipelines[pipelines.length - 1]!.end, pipelines, ops, sep: null };
  }

  private pipeline(): PipelineNode | null {
    let bang = false;
    let start = -1;
    while (this.isWord(this.peek(), '!')) {
      const t = this.next();
      if (start < 0) start = t.start;
      bang = true;
    }
    const commands: CommandNode[] = [];
    const first = this.command();
    if (!first) return null;
    commands.push(first);
    for (;;) {
      const t = this.peek();
      if (!(t.t === 'op' && (t.op === '|' || t.op === '|&'))) break;
      this.next();
      this.skipNewlines();
      const c = this.command();
      if (!c) {
        this.broken = true;
        break;
      }
      commands.push(c);
    }
    return { start: start < 0 ? first.start : start, end: commands[commands.length - 1]!.end, bang, commands };
  }

  private command(): CommandNode | null {
    const t = this.peek();
    if (t.t === 'op' && t.op === '(') {
      if (this.src.charCodeAt(t.end) === 40 && t.end < this.end) {
        // (( arithmetic ))
        this.peeked = null;
        this.pos = this.skipBalanced(t.start, 40, 41);
        this.lastTokEnd = this.pos;
        return this.finishCompound('arith', t.start, [], []);
      }
      this.next();
      const body = this.list(new Set([')']));
      this.expectOp(')');
      return this.finishCompound('subshell', t.start, [body], []);
    }
    if (t.t === 'word' && !t.w.quoted && t.w.value !== null) {
      switch (t.w.value) {
        case 'if':
          return this.ifCommand();
        case 'while':
        case 'until': {
          this.next();
          const cond = this.list(new Set(['do']));
          this.expectWord('do');
          const body = this.list(new Set(['done']));
          this.expectWord('done');
          return this.finishCompound(t.w.value, t.start, [cond, body], []);
        }
        case 'for':
        case 'select':
          return this.forCommand();
        case 'case':
          return this.caseCommand();
        case '{': {
          this.next();
          const body = this.list(new Set(['}']));
          this.expectWord('}');
          return this.finishCompound('group', t.start, [body], []);
        }
        case '[[': {
          this.next();
          const words: Word[] = [];
          for (;;) {
            const u = this.peek();
            if (u.t === 'eof') {
              this.broken = true;
              break;
            }
            this.next();
            if (this.isWord(u, ']]')) break;
            if (u.t === 'word') words.push(u.w);
          }
          return this.finishCompound('cond', t.start, [], words);
        }
        case 'function': {
          this.next();
          const name = this.next();
          if (this.isOp(this.peek(), '(')) {
            this.next();
            this.expectOp(')');
          }
          this.skipNewlines();
          const body = this.command();
          return this.finishCompound('function', t.start, body ? this.bodyLists(body) : [], name.t === 'word' ? [name.w] : []);
        }
      }
    }
    return this.simple();
  }

  private bodyLists(body: CommandNode): ListNode[] {
    if (body.kind === 'compound') return body.lists;
    return [
      {
        start: body.start,
        end: body.end,
        items: [
          {
            start: body.start,
            end: body.end,
            pipelines: [{ start: body.start, end: body.end, bang: false, commands: [body] }],
            ops: [],
            sep: null,
          },
        ],
        broken: false,
      },
    ];
  }

  private ifCommand(): CompoundNode {
    const start = this.next().start;
    const lists: ListNode[] = [];
    lists.push(this.list(new Set(['then'])));
    this.expectWord('then');
    lists.push(this.list(new Set(['elif', 'else', 'fi'])));
    for (;;) {
      const t = this.peek();
      if (this.isWord(t, 'elif')) {
        this.next();
        lists.push(this.list(new Set(['then'])));
        this.expectWord('then');
        lists.push(this.list(new Set(['elif', 'else', 'fi'])));
        continue;
      }
      if (this.isWord(t, 'else')) {
        this.next();
        lists.push(this.list(new Set(['fi'])));
      }
      break;
    }
    this.expectWord('fi');
    return this.finishCompound('if', start, lists, []);
  }

  private forCommand(): CompoundNode {
    const start = this.next().start;
    const words: Word[] = [];
    if (this.isOp(this.peek(), '(')) {
      // for (( ...; ...; ... ))
      const t = this.next();
      this.peeked = null;
      this.pos = this.skipBalanced(t.start, 40, 41);
      this.lastTokEnd = this.pos;
    } else {
      const name = this.next();
      if (name.t === 'word') words.push(name.w);
      this.skipNewlines();
      if (this.isWord(this.peek(), 'in')) {
        this.next();
        for (;;) {
          const t = this.peek();
          if (t.t !== 'word') break;
          this.next();
          words.push(t.w);
        }
      }
    }
    const sep = this.peek();
    if (sep.t === 'op' && (sep.op === ';' || sep.op === '\n')) this.next();
    this.skipNewlines();
    let body: ListNode;
    if (this.isWord(this.peek(), '{')) {
      this.next();
      body = this.list(new Set(['}']));
      this.expectWord('}');
    } else {
      this.expectWord('do');
      body = this.list(new Set(['done']));
      this.expectWord('done');
    }
    return this.finishCompound('for', start, [body], words);
  }

  private caseCommand(): CompoundNode {
    const start = this.next().start;
    const words: Word[] = [];
    const subject = this.next();
    if (subject.t === 'word') words.push(subject.w);
    this.skipNewlines();
    this.expectWord('in');
    const lists: ListNode[] = [];
    const stops = new Set([';;', ';&', ';;&', 'esac']);
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.t === 'eof') {
        this.broken = true;
        break;
      }
      if (this.isWord(t, 'esac')) {
        this.next();
        break;
      }
      if (this.isOp(t, '(')) this.next();
      // pattern ( '|' pattern )* ')'
      for (;;) {
        const p = this.next();
        if (p.t === 'eof') {
          this.broken = true;
          break;
        }
        if (this.isOp(p, ')')) break;
        if (p.t === 'word') words.push(p.w);
      }
      lists.push(this.list(stops));
      const e = this.peek();
      if (e.t === 'op' && (e.op === ';;' || e.op === ';&' || e.op === ';;&')) this.next();
    }
    return this.finishCompound('case', start, lists, words);
  }

  private finishCompound(type: CompoundType, start: number, lists: ListNode[], words: Word[]): CompoundNode {
    let end = this.lastEnd();
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (!(t.t === 'op' && REDIRECT_OPS.has(t.op))) break;
      const r = this.redirect();
      redirects.push(r);
      end = r.end;
    }
    return { kind: 'compound', type, start, end, lists, words, redirects };
  }

  private lastTokEnd = 0;

  private lastEnd(): number {
    return this.lastTokEnd;
  }

  private expectWord(v: string): void {
    if (this.isWord(this.peek(), v)) this.next();
    else this.broken = true;
  }

  private expectOp(op: string): void {
    if (this.isOp(this.peek(), op)) this.next();
    else this.broken = true;
  }

  private redirect(): Redirect {
    const t = this.next() as OpTok;
    let target: Word | null = null;
    let heredoc: ShellHeredoc | null = null;
    const u = this.peek();
    let end = t.end;
    if (u.t === 'word') {
      this.next();
      target = u.w;
      end = u.end;
      if (t.op === '<<' || t.op === '<<-') {
        const raw = this.src.slice(u.w.start, u.w.end);
        const delim = u.w.value ?? raw.replace(/["'\\]/g, '');
        heredoc = { delim, strip: t.op === '<<-', quoted: u.w.quoted, bodyStart: -1, bodyEnd: -1, terminated: false };
        this.pending.push(heredoc);
      }
    } else this.broken = true;
    return { op: t.op, start: t.start, end, target, heredoc };
  }

  private simple(): SimpleNode | CompoundNode | null {
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    let start = -1;
    let end = -1;
    for (;;) {
      const t = this.peek();
      if (t.t === 'word') {
        this.next();
        words.push(t.w);
        if (start < 0) start = t.start;
        end = t.end;
        if (words.length === 1 && redirects.length === 0 && this.isOp(this.peek(), '(')) {
          // name() compound-command
          const open = this.next();
          if (this.isOp(this.peek(), ')')) {
            this.next();
            this.skipNewlines();
            const body = this.command();
            const c: CompoundNode = {
              kind: 'compound',
              type: 'function',
              start,
              end: body ? body.end : open.end,
              lists: body ? this.bodyLists(body) : [],
              words,
              redirects: [],
            };
            return c;
          }
          this.broken = true;
          return { kind: 'simple', start, end, words, redirects };
        }
        continue;
      }
      if (t.t === 'op' && REDIRECT_OPS.has(t.op)) {
        const r = this.redirect();
        redirects.push(r);
        if (start < 0) start = r.start;
        end = r.end;
        continue;
      }
      break;
    }
    if (start < 0) return null;
    return { kind: 'simple', start, end, words, redirects };
  }
}

/** All simple commands of a list, depth-first, including those inside compound commands and substitutions. */
export function* simpleCommands(list: ListNode): Generator<SimpleNode> {
  for (const ao of list.items)
    for (const p of ao.pipelines)
      for (const c of p.commands) {
        if (c.kind === 'simple') {
          yield c;
          for (const w of c.words) if (w.substs) for (const l of w.substs) yield* simpleCommands(l);
        } else {
          for (const l of c.lists) yield* simpleCommands(l);
          for (const w of c.words) if (w.substs) for (const l of w.substs) yield* simpleCommands(l);
        }
      }
}
