import { lineOf, type Instruction, type ParsedDockerfile } from './dockerfile.js';
import { analyze, noneReason, upgradeMessage, type Analysis, type UpgradeHit } from './analyze.js';
import { compilePolicy, type CompiledPolicy, type CompliancePolicy, type CompliancePolicyInput } from './policy.js';
import type { AndOrNode, ListNode, PipelineNode } from './shell.js';
import type { Finding, FixResult } from './types.js';

/**
 * Autofix for no-package-upgrade: removes upgrade commands (treated as a command that succeeds) and repairs the
 * joining. Removal rules, with X the upgrade (X ≡ `true`):
 * - in an and-or list, `X && rest` -> `rest` and `prev && X ...` -> `prev ...`; `X || true` / `X || :` is removed as a
 *   unit; any other `||` next to X is left alone (reported as not auto-fixable);
 * - in a list (`;`, newline), the element is removed with the separator before it (or after it when first);
 * - when nothing is left: a RUN (shell form, exec form, or `RUN <<EOF` script) is deleted with its lines; a shell
 *   here-document script (`bash <<EOF`) may become empty; an if/while/for/case/group/subshell body is left alone.
 * Positions are physical, so continuation backslashes, indentation and comment lines inside the removed span go
 * with it and everything else stays byte-identical. Waived findings are never touched.
 */

export interface FixEdit {
  start: number;
  end: number;
}

export interface FixPlan {
  edits: FixEdit[];
  fixed: Finding[];
  /** Per fixed finding (same order): what was removed, on one line. */
  removed: string[];
  unfixable: { finding: Finding; reason: string }[];
}

const TRUE_LIKE = new Set(['true', ':', '/bin/true', '/usr/bin/true']);

function isTrueLike(p: PipelineNode): boolean {
  if (p.bang || p.commands.length !== 1) return false;
  const c = p.commands[0]!;
  return (
    c.kind === 'simple' && c.redirects.length === 0 && c.words.length === 1 && !c.words[0]!.quoted && TRUE_LIKE.has(c.words[0]!.value ?? '')
  );
}

function instructionSpan(df: ParsedDockerfile, ins: Instruction): FixEdit {
  const start = df.lineStarts[ins.firstLine]!;
  const end = ins.lastLine + 1 < df.lineStarts.length ? df.lineStarts[ins.lastLine + 1]! : df.text.length;
  return { start, end };
}

export function planFixes(a: Analysis): FixPlan {
  const { df } = a;
  const edits: FixEdit[] = [];
  const fixed: Finding[] = [];
  const unfixable: FixPlan['unfixable'] = [];
  const removedInstructions = new Set<Instruction>();

  const candidates = a.upgrades.filter((h) => !h.finding.waived);
  const byList = new Map<ListNode, UpgradeHit[]>();
  for (const h of candidates) {
    if (h.container === 'none') {
      unfixable.push({ finding: h.finding, reason: noneReason(h.match) });
      continue;
    }
    if (h.container === 'json') {
      removedInstructions.add(h.instruction);
      fixed.push(h.finding);
      continue;
    }
    if (!h.list || !h.andor || !h.pipeline) continue;
    if (h.pipeline.commands.length !== 1 || h.pipeline.bang) {
      unfixable.push({ finding: h.finding, reason: 'part of a pipeline' });
      continue;
    }
    if (h.list.broken) {
      unfixable.push({ finding: h.finding, reason: 'shell syntax around it is not fully understood' });
      continue;
    }
    let arr = byList.get(h.list);
    if (!arr) byList.set(h.list, (arr = []));
    arr.push(h);
  }

  for (const [list, hits] of byList) {
    const container = hits[0]!.container;
    const src = hits[0]!.src;
    const ins = hits[0]!.instruction;
    const listEdits: FixEdit[] = [];
    const listFixed: Finding[] = [];
    /** Record an edit with the findings it fixes, unless it would delete a waiver comment. */
    const addEdit = (e: FixEdit, fs: Finding[]): void => {
      if (/#[ \t]*hybrid-e2e[ \t]+ignore/.test(df.text.slice(e.start, e.end))) {
        for (const f of fs) unfixable.push({ finding: f, reason: 'removing it would also remove a waiver comment' });
        return;
      }
      listEdits.push(e);
      listFixed.push(...fs);
    };
    const bad = (hs: UpgradeHit[], reason: string): void => {
      for (const h of hs) unfixable.push({ finding: h.finding, reason });
    };
    const vEdit = (vs: number, ve: number, startIsEnd: boolean): FixEdit => ({
      start: startIsEnd ? src.toPhysEnd(vs) : src.toPhys(vs),
      end: src.toPhysEnd(ve),
    });
    const vEditToStart = (vs: number, ve: number): FixEdit => ({ start: src.toPhys(vs), end: src.toPhys(ve) });
    /**
     * An edit that removes leading commands up to the next kept one stops before the comment lines that document
     * that command (a comment belongs to the command after it): after a Dockerfile continuation it keeps the escape,
     * so the instruction still continues onto the comment; elsewhere (a here-document script) it ends at the line
     * break.
     */
    const keepComments = (e: FixEdit, removedEnd: number): FixEdit => {
      const last = lineOf(df, removedEnd);
      const stop = lineOf(df, e.end);
      let lc = -1;
      for (let l = last + 1; l < stop; l++)
        if (/^[ \t]*#/.test(df.text.slice(df.lineStarts[l], df.lineEnds[l]))) {
          lc = l;
          break;
        }
      if (lc < 0) return e;
      const inBody = ins.heredocs.length > 0 && removedEnd >= ins.heredocs[0]!.bodyStart;
      const escape = inBody ? '\\' : df.escape;
      // The last line with removed text before the comment ends with the escape: keep it.
      let l = lc - 1;
      while (l > last && df.text.slice(df.lineStarts[l], df.lineEnds[l]).trim() === '') l--;
      const lineText = df.text.slice(df.lineStarts[l], df.lineEnds[l]).trimEnd();
      const cut = lineText.endsWith(escape) ? df.lineStarts[l]! + lineText.length - 1 : df.lineStarts[l + 1]!;
      return cut > e.start && cut <= e.end ? { start: e.start, end: cut } : e;
    };

    // And-or level.
    const removedAndOrs = new Set<AndOrNode>();
    const andOrHits = new Map<AndOrNode, UpgradeHit[]>();
    for (const h of hits) {
      let arr = andOrHits.get(h.andor!);
      if (!arr) andOrHits.set(h.andor!, (arr = []));
      arr.push(h);
    }
    for (const [ao, aoHits] of andOrHits) {
      const n = ao.pipelines.length;
      const rm = new Array<boolean>(n).fill(false);
      const hitAt = new Map<number, UpgradeHit>();
      for (const h of aoHits) {
        const k = ao.pipelines.indexOf(h.pipeline!);
        rm[k] = true;
        hitAt.set(k, h);
      }
      const idiom = new Array<boolean>(n).fill(false);
      for (let k = 0; k + 1 < n; k++)
        if (rm[k] && !rm[k + 1] && ao.ops[k] === '||' && isTrueLike(ao.pipelines[k + 1]!)) rm[k + 1] = idiom[k + 1] = true;
      if (rm.every(Boolean)) {
        removedAndOrs.add(ao);
        continue;
      }
      for (let k = 0; k < n;) {
        if (!rm[k]) {
          k++;
          continue;
        }
        let b = k;
        while (b + 1 < n && rm[b + 1]) b++;
        const runHits = [...hitAt.entries()].filter(([i]) => i >= k && i <= b).map(([, h]) => h);
        let ok = true;
        for (let i = k; i < b; i++) if (ao.ops[i] !== '&&' && !(ao.ops[i] === '||' && idiom[i + 1] && k === 0)) ok = false;
        if (k === 0) {
          if (ao.ops[b] !== '&&') ok = false;
        } else if (ao.ops[k - 1] !== '&&') ok = false;
        if (!ok) bad(runHits, 'joined with || (removing it would change what runs)');
        else
          addEdit(
            k === 0
              ? keepComments(vEditToStart(ao.pipelines[k]!.start, ao.pipelines[b + 1]!.start), src.toPhysEnd(ao.pipelines[b]!.end))
              : vEdit(ao.pipelines[k - 1]!.end, ao.pipelines[b]!.end, true),
            runHits.map((h) => h.finding),
          );
        k = b + 1;
      }
    }

    // List level.
    const items = list.items;
    const n = items.length;
    if (removedAndOrs.size) {
      const removedHits = hits.filter((h) => removedAndOrs.has(h.andor!));
      if (removedAndOrs.size === n) {
        if (container === 'run' || container === 'script') {
          removedInstructions.add(ins);
          fixed.push(...removedHits.map((h) => h.finding), ...listFixed);
          continue;
        }
        if (container === 'stdin') {
          // Remove whole lines so that the here-document terminator line stays intact.
          const t = src.text;
          let vs = items[0]!.start;
          while (vs > 0 && (t[vs - 1] === ' ' || t[vs - 1] === '\t')) vs--;
          let ve = items[n - 1]!.end;
          while (ve < t.length && (t[ve] === ' ' || t[ve] === '\t' || t[ve] === ';' || t[ve] === '\r')) ve++;
          if (t[ve] === '\n' && (vs === 0 || t[vs - 1] === '\n')) ve++;
          addEdit(
            vEdit(vs, ve, false),
            removedHits.map((h) => h.finding),
          );
        } else bad(removedHits, 'it is the only command in its block');
      } else {
        for (let k = 0; k < n;) {
          if (!removedAndOrs.has(items[k]!)) {
            k++;
            continue;
          }
          let b = k;
          while (b + 1 < n && removedAndOrs.has(items[b + 1]!)) b++;
          const runHits = removedHits.filter((h) => {
            const i = items.indexOf(h.andor!);
            return i >= k && i <= b;
          });
          const fs = runHits.map((h) => h.finding);
          if (k === 0) addEdit(keepComments(vEditToStart(items[0]!.start, items[b + 1]!.start), src.toPhysEnd(items[b]!.end)), fs);
          else if (items[k - 1]!.sep === '&') bad(runHits, 'follows a background job (&)');
          else addEdit(vEdit(items[k - 1]!.end, items[b]!.end, true), fs);
          k = b + 1;
        }
      }
    }
    edits.push(...listEdits);
    fixed.push(...listFixed);
  }

  // Whole-instruction removals supersede edits inside them.
  const spans = [...removedInstructions].map((ins) => instructionSpan(df, ins));
  const inner = edits.filter((e) => !spans.some((s) => e.start >= s.start && e.end <= s.end));
  const all = [...spans, ...inner].sort((x, y) => x.start - y.start || y.end - x.end);
  const merged: FixEdit[] = [];
  for (const e of all) {
    const last = merged[merged.length - 1];
    if (last && e.start < last.end) {
      last.end = Math.max(last.end, e.end);
      continue;
    }
    merged.push({ ...e });
  }
  const removed = fixed.map((f) => {
    const h = a.upgrades.find((x) => x.finding === f)!;
    if (h.container === 'json' || !h.command)
      return df.text.slice(df.lineStarts[h.instruction.firstLine], df.lineEnds[h.instruction.firstLine]).trim();
    return oneLine(h.src.text.slice(h.command.start, h.command.end));
  });
  return { edits: merged, fixed, removed, unfixable };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Could `planFixes` leave this hit (a cheap over-approximation, so that most files skip the planner)? */
function mayBeUnfixable(h: UpgradeHit, df: ParsedDockerfile): boolean {
  if (h.container === 'none' || h.container === 'json') return false;
  if (h.container === 'nested' || !h.list || !h.andor || !h.pipeline) return true;
  if (h.pipeline.commands.length !== 1 || h.pipeline.bang || h.list.broken) return true;
  if (h.andor.ops.some((op) => op !== '&&') || h.list.items.some((it) => it.sep === '&')) return true;
  // A waiver comment inside the instruction might be in the removed span.
  const ins = h.instruction;
  return ins.lastLine > ins.firstLine && df.text.slice(df.lineStarts[ins.firstLine], df.lineEnds[ins.lastLine]).includes('hybrid-e2e');
}

/**
 * Analysis for reporting: messages of upgrades that `--fix` would leave say why instead of suggesting `--fix`.
 * Runs the fix planner only when the file has unwaived upgrade findings.
 */
export function analyzeForLint(text: string, file: string, policy: CompiledPolicy): Analysis {
  const a = analyze(text, file, policy);
  if (!a.upgrades.some((h) => !h.finding.waived && mayBeUnfixable(h, a.df))) return a;
  for (const u of planFixes(a).unfixable) {
    const h = a.upgrades.find((x) => x.finding === u.finding);
    if (h && h.container !== 'none') u.finding.message = upgradeMessage(h.match, u.reason);
  }
  return a;
}

export function lintText(text: string, file: string, policy?: CompliancePolicy | CompliancePolicyInput): Finding[] {
  return analyzeForLint(text, file, compilePolicy(policy)).findings;
}

export function applyEdits(text: string, edits: FixEdit[]): string {
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += text.slice(pos, e.start);
    pos = e.end;
  }
  return out + text.slice(pos);
}

export function fixText(
  text: string,
  file: string,
  policy?: CompliancePolicy | CompliancePolicyInput,
): FixResult & { unfixed: { finding: Finding; reason: string }[] } {
  const a = analyze(text, file, compilePolicy(policy));
  const plan = planFixes(a);
  const out = plan.edits.length ? applyEdits(text, plan.edits) : text;
  return {
    text: out,
    changed: out !== text,
    fixes: plan.fixed.length,
    fixed: plan.fixed.map((f, i) => ({ line: f.line, removed: plan.removed[i]! })).sort((x, y) => x.line - y.line),
    unfixable: plan.unfixable.length,
    unfixed: plan.unfixable,
  };
}
