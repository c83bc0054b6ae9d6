import {
  LINE_COMMENT,
  LINE_INSTRUCTION,
  heredocWord,
  instructionArgs,
  lineOf,
  parseDockerfile,
  shellSource,
  splitWords,
  unquote,
  type Instruction,
  type MappedText,
  type ParsedDockerfile,
} from './dockerfile.js';
import { parseImageRef, substitute, tagVersion } from './image.js';
import { repoRuleFor, satisfies, type CompiledPolicy } from './policy.js';
import { advisoryScope, isShell, matchUpgrade, resolveCommand, shellScriptSource, type UpgradeMatch } from './commands.js';
import { parseShell, type AndOrNode, type ListNode, type PipelineNode, type SimpleNode, type Word } from './shell.js';
import { WAIVABLE_RULES } from './rules.js';
import type { Finding, RuleId } from './types.js';

/** Where an upgrade command sits, for the autofix. */
export type Container =
  /** top-level list of a shell-form RUN: emptying it removes the instruction */
  | 'run'
  /** top-level list of a RUN <<EOF script (single here-document): emptying it removes the instruction */
  | 'script'
  /** the script a shell reads from a here-document (`bash <<EOF`): may become empty */
  | 'stdin'
  /** exec-form RUN ["dnf", "update"]: the whole instruction */
  | 'json'
  /** body of a compound command (if/while/for/case/subshell/group): must not become empty */
  | 'nested'
  /** inside a command substitution, `sh -c "..."` or eval: never fixed automatically */
  | 'none';

export interface UpgradeHit {
  finding: Finding;
  instruction: Instruction;
  match: UpgradeMatch;
  container: Container;
  src: MappedText;
  list: ListNode | null;
  andor: AndOrNode | null;
  pipeline: PipelineNode | null;
  command: SimpleNode | null;
}

export interface Analysis {
  df: ParsedDockerfile;
  findings: Finding[];
  upgrades: UpgradeHit[];
}

interface Ctx {
  /** Text the shell parser ran on. */
  text: string;
  /** Maps an offset of `text` to a virtual offset of `mt`; null = identity. */
  toV: ((o: number) => number) | null;
  mt: MappedText;
  container: Container;
  ins: Instruction;
  depth: number;
}

interface Waiver {
  line: number;
  column: number;
  ids: string[];
  unknown: string[];
  reason?: string;
  malformed?: string;
}

const WAIVER_PREFIX_RE = /^[ \t]*#[ \t]*hybrid-e2e[ \t]+ignore\b/;
const WAIVER_RE =
  /^[ \t]*#[ \t]*hybrid-e2e[ \t]+ignore[ \t]*=[ \t]*([A-Za-z0-9_-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_-]+)*)(?:[ \t]+reason[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']+)))?[ \t]*$/;

export function parseWaiver(line: string, lineNo: number): Waiver | null {
  if (!WAIVER_PREFIX_RE.test(line)) return null;
  const column = line.indexOf('#') + 1;
  const m = WAIVER_RE.exec(line);
  if (!m) {
    return {
      line: lineNo,
      column,
      ids: [],
      unknown: [],
      malformed: 'malformed waiver; expected # hybrid-e2e ignore=<rule>[,<rule>...] reason="<why>" (quote reasons that contain spaces)',
    };
  }
  const all = m[1]!.split(',').map((s) => s.trim());
  const ids = all.filter((id) => WAIVABLE_RULES.has(id));
  const unknown = all.filter((id) => !WAIVABLE_RULES.has(id));
  const rawReason = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? m[4]);
  const reason = rawReason?.trim();
  return { line: lineNo, column, ids, unknown, ...(reason ? { reason } : {}) };
}

export function analyze(text: string, file: string, policy: CompiledPolicy): Analysis {
  return new Analyzer(text, file, policy).run();
}

class Analyzer {
  private readonly df: ParsedDockerfile;
  private readonly findings: Finding[] = [];
  private readonly upgrades: UpgradeHit[] = [];
  private readonly above = new Map<Instruction, Waiver[]>();
  private readonly inner = new Map<Instruction, Waiver[]>();
  private readonly globals = new Map<string, string | null>();
  private readonly stages = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly policy: CompiledPolicy,
  ) {
    this.df = parseDockerfile(text);
  }

  run(): Analysis {
    const { df, policy } = this;
    const sev = policy.severity;
    if (this.text.includes('hybrid-e2e')) this.collectWaivers();
    const checkImages = sev['base-image-policy'] !== 'off';
    const checkUpgrades = sev['no-package-upgrade'] !== 'off';
    let seenFrom = false;
    for (const ins of df.instructions) {
      switch (ins.keyword) {
        case 'ARG': {
          if (seenFrom) break;
          const args = instructionArgs(df, ins);
          for (const w of splitWords(args.text)) {
            const eq = w.indexOf('=');
            const name = eq < 0 ? w : w.slice(0, eq);
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
            this.globals.set(name, eq < 0 ? null : substitute(unquote(w.slice(eq + 1)), this.globals));
          }
          break;
        }
        case 'FROM': {
          seenFrom = true;
          const args = instructionArgs(df, ins);
          const words = wordsWithOffsets(args.text);
          let k = 0;
          while (k < words.length && words[k]!.text.startsWith('--')) k++;
          const img = words[k];
          if (!img) break;
          const alias = words[k + 1]?.text.toLowerCase() === 'as' ? words[k + 2]?.text.toLowerCase() : undefined;
          if (checkImages) this.checkFrom(ins, args, img);
          if (alias) this.stages.add(alias);
          break;
        }
        case 'RUN':
          if (checkUpgrades) this.analyzeRun(ins, instructionArgs(df, ins), 0);
          break;
        case 'ONBUILD': {
          if (!checkUpgrades) break;
          const args = instructionArgs(df, ins);
          const m = /^[ \t]*(\S+)/.exec(args.text);
          if (m && m[1]!.toUpperCase() === 'RUN') this.analyzeRun(ins, args, m[0].length);
          break;
        }
      }
    }
    for (const p of df.problems) this.push(null, 'dockerfile-syntax', df.lineStarts[p.line]!, df.lineEnds[p.line]!, p.message);
    this.findings.sort((x, y) => x.line - y.line || (x.column ?? 0) - (y.column ?? 0) || x.rule.localeCompare(y.rule));
    return { df, findings: this.findings, upgrades: this.upgrades };
  }

  private lineText(l: number): string {
    return this.text.slice(this.df.lineStarts[l], this.df.lineEnds[l]);
  }

  /** Waivers: attached above each instruction, inside it (apply to later lines), or orphaned. */
  private collectWaivers(): void {
    const { df } = this;
    const all: { w: Waiver; orphan: boolean }[] = [];
    const insAtLine = new Map<number, Instruction>();
    for (const ins of df.instructions) insAtLine.set(ins.firstLine, ins);
    for (const l of df.comments) {
      const w = parseWaiver(this.lineText(l), l + 1);
      if (!w) continue;
      let k = l + 1;
      while (k < df.lineKinds.length && df.lineKinds[k] === LINE_COMMENT) k++;
      const target = df.lineKinds[k] === LINE_INSTRUCTION ? insAtLine.get(k) : undefined;
      if (target) {
        let arr = this.above.get(target);
        if (!arr) this.above.set(target, (arr = []));
        arr.push(w);
      }
      all.push({ w, orphan: !target });
    }
    for (const ins of df.instructions) {
      for (let l = ins.firstLine + 1; l <= ins.lastLine; l++) {
        const s = this.lineText(l);
        if (!s.includes('hybrid-e2e')) continue;
        const w = parseWaiver(s, l + 1);
        if (!w) continue;
        let arr = this.inner.get(ins);
        if (!arr) this.inner.set(ins, (arr = []));
        arr.push(w);
        all.push({ w, orphan: false });
      }
    }
    for (const { w, orphan } of all) {
      const at = df.lineStarts[w.line - 1]! + w.column - 1;
      const end = df.lineEnds[w.line - 1]!;
      if (w.malformed) {
        this.push(null, 'waiver-invalid', at, end, w.malformed);
        continue;
      }
      if (orphan) {
        this.push(
          null,
          'waiver-invalid',
          at,
          end,
          'waiver is not attached to an instruction: put it directly above the RUN/FROM it waives (comment lines may sit between, blank lines may not)',
        );
        continue;
      }
      if (w.unknown.length)
        this.push(
          null,
          'waiver-invalid',
          at,
          end,
          `waiver names unknown rule${w.unknown.length > 1 ? 's' : ''} ${w.unknown.join(', ')}; waivable rules: ${[...WAIVABLE_RULES].join(', ')}`,
        );
      if (!w.reason && w.ids.length)
        this.push(
          null,
          'waiver-missing-reason',
          at,
          end,
          `waiver for ${w.ids.join(', ')} has no reason: add reason="..." saying why the rule does not apply here`,
        );
    }
  }

  private push(ins: Instruction | null, rule: RuleId, physStart: number, physEnd: number, message: string): Finding | null {
    const severity = this.policy.severity[rule];
    if (severity === 'off') return null;
    const df = this.df;
    const line0 = lineOf(df, physStart);
    const endLine0 = Math.max(line0, lineOf(df, Math.max(physStart, physEnd - 1)));
    const f: Finding = {
      file: this.file,
      line: line0 + 1,
      endLine: endLine0 + 1,
      column: physStart - df.lineStarts[line0]! + 1,
      rule,
      severity,
      message,
      waived: false,
    };
    if (ins && (this.above.size || this.inner.size)) {
      const ws = [...(this.above.get(ins) ?? []), ...(this.inner.get(ins) ?? []).filter((w) => w.line < f.line)];
      const w = ws.find((x) => x.ids.includes(rule));
      if (w) {
        f.waived = true;
        if (w.reason) f.reason = w.reason;
      }
    }
    this.findings.push(f);
    return f;
  }

  private reportUpgrade(
    ctx: Ctx,
    match: UpgradeMatch,
    word: Word,
    cmd: SimpleNode,
    list: ListNode | null,
    andor: AndOrNode | null,
    pipeline: PipelineNode | null,
  ): void {
    // The column is on the command word itself, not on a quote before it (exec form: `RUN ["dnf", ...]`).
    const q = ctx.toV ? '' : ctx.text[word.start];
    const ws = q === '"' || q === "'" ? word.start + 1 : word.start;
    const ps = ctx.mt.toPhys(ctx.toV ? ctx.toV(word.start) : ws);
    const pe = ctx.toV ? ps + 1 : ctx.mt.toPhysEnd(cmd.end);
    const container: Container = ctx.toV || match.packages.length ? 'none' : ctx.container;
    const message = upgradeMessage(match, container === 'none' ? noneReason(match) : null);
    const f = this.push(ctx.ins, 'no-package-upgrade', ps, pe, message);
    if (!f) return;
    this.upgrades.push({
      finding: f,
      instruction: ctx.ins,
      match,
      container,
      src: ctx.mt,
      list,
      andor,
      pipeline,
      command: cmd,
    });
  }

  /** Analyse a string that is itself a shell script (`sh -c "..."`, eval). */
  private visitString(ctx: Ctx, w: Word, value: string): void {
    if (ctx.depth > 8) return;
    const raw = ctx.text.slice(w.start, w.end);
    const q = raw[0];
    if (!ctx.toV && (raw === value || ((q === "'" || q === '"') && raw === q + value + q))) {
      const off = raw === value ? 0 : 1;
      this.visitList(parseShell(ctx.text, w.start + off, w.end - off), { ...ctx, container: 'none', depth: ctx.depth + 1 });
      return;
    }
    const base = ctx.toV ? ctx.toV(w.start) : w.start;
    this.visitList(parseShell(value), { ...ctx, text: value, toV: constant(base), container: 'none', depth: ctx.depth + 1 });
  }

  private visitWords(ctx: Ctx, words: Word[]): void {
    for (const w of words) if (w.substs) for (const l of w.substs) this.visitList(l, { ...ctx, container: 'none' });
  }

  private visitList(list: ListNode, ctx: Ctx): void {
    for (const andor of list.items)
      for (const pipeline of andor.pipelines)
        for (const c of pipeline.commands) {
          if (c.kind === 'compound') {
            for (const l of c.lists) this.visitList(l, { ...ctx, container: ctx.container === 'none' ? 'none' : 'nested' });
            this.visitWords(ctx, c.words);
            for (const r of c.redirects) if (r.target) this.visitWords(ctx, [r.target]);
            continue;
          }
          this.visitWords(ctx, c.words);
          for (const r of c.redirects) if (r.target?.substs) this.visitWords(ctx, [r.target]);
          const r = resolveCommand(ctx.text, c.words);
          if (!r) continue;
          const m = matchUpgrade(r);
          if (m) {
            this.reportUpgrade(ctx, m, r.nameWord, c, list, andor, pipeline);
            continue;
          }
          if (isShell(r.name) || r.name === 'busybox') {
            const s = shellScriptSource(r);
            if (typeof s === 'number') {
              const w = r.args[s];
              if (w && w.value !== null) this.visitString(ctx, w, w.value);
            } else if (s === 'stdin' && !ctx.toV) {
              for (const rd of c.redirects) {
                const h = rd.heredoc;
                if (!h || h.bodyStart < 0) continue;
                this.visitList(parseShell(ctx.text, h.bodyStart, h.bodyEnd), {
                  ...ctx,
                  container: ctx.container === 'none' ? 'none' : 'stdin',
                });
              }
            }
          } else if (r.name === 'cat' && pipeline.commands.length > 1 && !ctx.toV) this.visitPipedHeredoc(ctx, c, pipeline);
          else if (r.name === 'eval' && r.args.length && r.args.every((a) => a.value !== null)) {
            const first = r.args[0]!;
            if (r.args.length === 1) this.visitString(ctx, first, first.value!);
            else {
              const base = ctx.toV ? ctx.toV(first.start) : first.start;
              const joined = r.args.map((a) => a.value).join(' ');
              this.visitList(parseShell(joined), { ...ctx, text: joined, toV: constant(base), container: 'none', depth: ctx.depth + 1 });
            }
          }
        }
  }

  /** `cat <<EOF | sh`: the body is the script of the shell the here-document is piped to (never fixed). */
  private visitPipedHeredoc(ctx: Ctx, c: SimpleNode, pipeline: PipelineNode): void {
    const k = pipeline.commands.indexOf(c);
    const next = pipeline.commands[k + 1];
    if (!next || next.kind !== 'simple' || next.redirects.some((rd) => rd.op === '<' || rd.heredoc)) return;
    if (c.redirects.some((rd) => rd.op.startsWith('>') || rd.op === '&>' || rd.op === '&>>')) return;
    const r = resolveCommand(ctx.text, c.words);
    if (!r || r.args.some((a) => a.value !== '-')) return; // cat FILE: not the here-document
    const sh = resolveCommand(ctx.text, next.words);
    if (!sh || !(isShell(sh.name) || sh.name === 'busybox') || shellScriptSource(sh) !== 'stdin') return;
    for (const rd of c.redirects) {
      const h = rd.heredoc;
      if (h && h.bodyStart >= 0) this.visitList(parseShell(ctx.text, h.bodyStart, h.bodyEnd), { ...ctx, container: 'none' });
    }
  }

  private analyzeRun(ins: Instruction, args: MappedText, from: number): void {
    const a = args.text;
    let v = from;
    while (v < a.length && (a[v] === ' ' || a[v] === '\t')) v++;
    // --mount=..., --network=..., --security=...
    while (a.startsWith('--', v)) {
      let quote = '';
      while (v < a.length) {
        const c = a[v]!;
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === ' ' || c === '\t') break;
        v++;
      }
      while (v < a.length && (a[v] === ' ' || a[v] === '\t')) v++;
    }
    if (a[v] === '[') {
      const words = parseJsonArray(a, v);
      if (words) {
        this.analyzeExecForm(ins, args, words);
        return;
      }
    }
    const { src, bodies } = shellSource(this.df, ins, args, v);
    const t = src.text;
    if (bodies.length === 1) {
      // BuildKit runs the body itself as the script only when the whole command is one here-document word
      // (`RUN <<EOF`, `RUN << EOF`): dockerfile2llb/convert.go:1358-1392. Otherwise (`RUN <<EOF bash`, `RUN <<A <<B`,
      // `RUN cat <<EOF > f`) the line and the bodies go to the shell, which decides what is executed.
      const h = heredocWord(t.slice(0, bodies[0]!.start - 1).trim());
      if (h) {
        const b = bodies[0]!;
        let head = t.slice(b.start, Math.min(b.end, b.start + 200));
        if (h.chomp) head = head.replace(/^\t+/, '');
        if (scriptIsShell(head))
          this.visitList(parseShell(t, b.start, b.end), { text: t, toV: null, mt: src, container: 'script', ins, depth: 0 });
        return;
      }
    }
    this.visitList(parseShell(t), { text: t, toV: null, mt: src, container: 'run', ins, depth: 0 });
  }

  private analyzeExecForm(ins: Instruction, args: MappedText, words: Word[]): void {
    const a = args.text;
    const ctx: Ctx = { text: a, toV: null, mt: args, container: 'json', ins, depth: 0 };
    const r = resolveCommand(a, words);
    if (!r) return;
    const m = matchUpgrade(r);
    if (m) {
      const cmd: SimpleNode = { kind: 'simple', start: words[0]!.start, end: words[words.length - 1]!.end, words, redirects: [] };
      this.reportUpgrade(ctx, m, r.nameWord, cmd, null, null, null);
      return;
    }
    if (!(isShell(r.name) || r.name === 'busybox')) return;
    const s = shellScriptSource(r);
    if (typeof s !== 'number') return;
    const w = r.args[s]!;
    if (w.value === null) return;
    if (a.slice(w.start, w.end) === JSON.stringify(w.value))
      this.visitList(parseShell(a, w.start + 1, w.end - 1), { ...ctx, container: 'none', depth: 1 });
    else this.visitList(parseShell(w.value), { ...ctx, text: w.value, toV: constant(w.start), container: 'none', depth: 1 });
  }

  private checkFrom(ins: Instruction, args: MappedText, img: { text: string; start: number; end: number }): void {
    const policy = this.policy;
    const resolved = substitute(img.text, this.globals);
    if (resolved === null) return; // depends on a build arg without default
    const lower = resolved.toLowerCase();
    if (lower === 'scratch' || this.stages.has(lower)) return;
    const ref = parseImageRef(resolved);
    if (!ref) return;
    const ps = args.toPhys(img.start);
    const pe = args.toPhysEnd(img.end);
    const shown = resolved === img.text ? `\`${resolved}\`` : `\`${resolved}\` (from ${img.text})`;
    for (const f of policy.forbidden) {
      if (f.re ? f.re.test(ref.repository) : f.pattern === ref.repository) {
        this.push(
          ins,
          'base-image-policy',
          ps,
          pe,
          `${shown} uses the forbidden repository ${ref.repository} (compliance.baseImages.forbidden); switch to an approved base image.`,
        );
        break;
      }
    }
    if (policy.allowedRegistries.length && !policy.allowedRegistries.includes(ref.registry))
      this.push(
        ins,
        'base-image-policy',
        ps,
        pe,
        `${shown} comes from registry ${ref.registry}, which is not in compliance.baseImages.allowedRegistries (${policy.allowedRegistries.join(', ')}).`,
      );
    const repo = repoRuleFor(policy, ref.repository);
    const allowLatest = repo?.allowLatest ?? policy.allowLatest;
    const requireDigest = repo?.requireDigest ?? policy.requireDigest;
    const latest = ref.tag === undefined || ref.tag === 'latest';
    if (latest && !ref.digest && !allowLatest)
      this.push(
        ins,
        'base-image-policy',
        ps,
        pe,
        `${shown} ${ref.tag === undefined ? 'has no tag (implicitly :latest)' : 'uses the mutable tag :latest'} and no digest: builds are not reproducible and layer caches go stale. Pin a version tag or a digest (@sha256:...), or set compliance.baseImages.allowLatest: true.`,
      );
    if (requireDigest && !ref.digest)
      this.push(
        ins,
        'base-image-policy',
        ps,
        pe,
        `${shown} is not pinned by digest (compliance.baseImages.requireDigest): append @sha256:<digest>.`,
      );
    if (repo?.version && repo.version.length && !latest) {
      const v = tagVersion(ref.tag!);
      if (!v)
        this.push(
          ins,
          'base-image-policy',
          ps,
          pe,
          `${shown}: tag ${ref.tag} has no version number to check against ${repo.versionText} (compliance.baseImages.repositories["${ref.repository}"]); use a versioned tag.`,
        );
      else if (!satisfies(v, repo.version))
        this.push(
          ins,
          'base-image-policy',
          ps,
          pe,
          `${shown}: tag ${ref.tag} does not satisfy ${repo.versionText} required for ${ref.repository}; use a newer tag.`,
        );
    }
  }
}

/** Why `--fix` leaves an upgrade that is known not to be fixable while analysing. */
export function noneReason(match: UpgradeMatch): string {
  if (match.kind === 'all+install') return `it also installs ${match.packages.join(' ')}`;
  if (match.kind === 'packages') return 'targeted upgrade of named packages';
  return 'inside a command substitution, sh -c string, eval or a script piped to a shell';
}

/**
 * The finding's message, saying what the command upgrades; `unfixable` (the reason `--fix` leaves it) replaces the
 * `--fix` hint.
 */
export function upgradeMessage(match: UpgradeMatch, unfixable: string | null): string {
  const cmd = `${match.manager} ${match.subcommand}`;
  const remove = unfixable ? `Remove it by hand (--fix leaves it: ${unfixable})` : 'Remove it (hybrid-e2e lint --fix)';
  switch (match.kind) {
    case 'packages':
      return `\`${cmd}${match.packages.length ? ' ' + match.packages.join(' ') : ''}\` upgrades ${match.packages.length ? match.packages.join(' ') : 'the packages the named advisories fix'} to whatever is newest at build time: slow and not reproducible. Pin the versions in the install command or use a newer base image (targeted upgrades are not auto-fixed), or waive it with a reason.`;
    case 'advisory':
      return `\`${cmd} ${match.filter}\` upgrades every installed package that has ${advisoryScope(match.filter!)} on each build: slow and not reproducible (the set changes as advisories are published). ${remove} and take the fixes from a newer base image, or waive it with a reason.`;
    case 'all+install':
      return `\`${cmd} ${match.packages.join(' ')}\` upgrades every installed package on each build (and installs ${match.packages.join(' ')}): slow (often 5-10 min per image) and not reproducible. Install without -u (\`${match.manager} -S --needed ${match.packages.join(' ')}\`) and take updates from a newer base image (--fix leaves it: ${unfixable ?? noneReason(match)}), or waive it with a reason.`;
    default:
      return `\`${cmd}\` upgrades every installed package on each build: slow (often 5-10 min per image) and not reproducible. ${remove} and take updates from a newer base image, or waive it with a reason.`;
  }
}

function constant(v: number): (o: number) => number {
  return () => v;
}

/** Does a `RUN <<EOF` script run in a POSIX shell (no shebang, or a shell shebang)? */
function scriptIsShell(head: string): boolean {
  if (!head.startsWith('#!')) return true;
  const nl = head.indexOf('\n');
  const interp = head
    .slice(2, nl < 0 ? head.length : nl)
    .trim()
    .split(/\s+/);
  const prog = (interp[0] ?? '').split('/').pop() ?? '';
  const name = prog === 'env' ? (interp.find((x, i) => i > 0 && !x.startsWith('-')) ?? '') : prog;
  return isShell(name);
}

/** Blank-separated words (quotes kept) with offsets. */
function wordsWithOffsets(s: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= s.length) break;
    const start = i;
    let quote = '';
    while (i < s.length) {
      const c = s[i]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ' ' || c === '\t') break;
      i++;
    }
    out.push({ text: s.slice(start, i), start, end: i });
  }
  return out;
}

/**
 * Parses `["a", "b"]` starting at `start` (which must be `[`); the array must be the rest of the text. Returns words
 * with offsets of each JSON string token (quotes included), or null when not a JSON string array (shell form).
 */
export function parseJsonArray(s: string, start: number): Word[] | null {
  const rest = s.slice(start).trimEnd();
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((x) => typeof x === 'string')) return null;
  const words: Word[] = [];
  let i = start + 1;
  for (const value of parsed as string[]) {
    while (i < s.length && s[i] !== '"') i++;
    const ws = i;
    i++;
    while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
    i++;
    words.push({ start: ws, end: i, value, quoted: true, substs: null });
  }
  return words;
}
