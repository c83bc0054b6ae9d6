/**
 * Parses build output to tell cache hits from executed steps and to find the failing step.
 *
 * Formats (as printed by the engines on this project's machines):
 * - BuildKit / buildx `--progress plain`: `#7 [2/4] RUN make` header, `#7 0.08 output`, then `#7 CACHED`,
 *   `#7 DONE 0.1s`, `#7 ERROR: ...` or `#7 CANCELED`. Vertices `[internal] ...`, `exporting ...`, `FROM ...` and
 *   `[auth] ...` do no build work and are not counted.
 * - legacy docker: `Step 2/7 : COPY a /a`, then ` ---> Using cache` (hit), ` ---> Running in <id>` (executed),
 *   ` ---> <id>` (step done). `docker build --label k=v` appends one final `LABEL k=v` step per label.
 * - podman (buildah): `STEP 2/7: COPY a /a` (multi-stage: `[1/2] STEP 2/7: ...`), `--> Using cache <id>` (hit),
 *   `--> <id>` (done), `COMMIT <ref>`. `podman build --label` appends one final `LABEL "k"="v"` step per label.
 * The appended LABEL steps carry the run-unique label, so they always execute; they are cheap (metadata only) and are
 * not counted, otherwise a fully cached build could never report `cached: true`.
 */
import { Tail } from '../process.js';

export type OutputFormat = 'buildkit' | 'legacy' | 'podman';

export interface StepState {
  key: string;
  name: string;
  /** Counted for `cached` (does build work). */
  counted: boolean;
  cached: boolean;
  executed: boolean;
  error?: string;
  tail: Tail;
}

export interface OutputSummary {
  total: number;
  cached: number;
  executed: number;
  /** Every counted step was a cache hit (and at least one step was seen). */
  allCached: boolean;
  failedStep?: { name: string; error?: string; tail: string[] };
}

const BK_LINE = /^#(\d+) (.*)$/;
const BK_HEADER = /^\[(?:([^\]\s]+) )?(\d+)\/(\d+)\] (.*)$/;
const LEGACY_STEP = /^Step (\d+)\/(\d+) : (.*)$/;
const PODMAN_STEP = /^(?:\[(\d+)\/(\d+)\] )?STEP (\d+)\/(\d+): (.*)$/;
const HEX_ID = /^[0-9a-f]{6,64}$/;

export class BuildOutputParser {
  private readonly steps = new Map<string, StepState>();
  private current?: StepState;
  private readonly general = new Tail(30);
  private lastError?: string;

  constructor(
    private readonly format: OutputFormat,
    private readonly opts: { labels?: Record<string, string>; stepTailLines?: number } = {},
  ) {}

  push(raw: string): void {
    const line = raw.replace(/\s+$/, '');
    if (this.format === 'buildkit') this.pushBuildkit(line);
    else if (this.format === 'legacy') this.pushLegacy(line);
    else this.pushPodman(line);
  }

  private newStep(key: string, name: string, counted: boolean): StepState {
    const s: StepState = { key, name, counted, cached: false, executed: false, tail: new Tail(this.opts.stepTailLines ?? 20) };
    this.steps.set(key, s);
    return s;
  }

  private pushBuildkit(line: string): void {
    const m = BK_LINE.exec(line);
    if (!m) {
      if (line.trim()) this.general.push(line);
      return;
    }
    const id = m[1]!;
    const rest = m[2]!;
    let s = this.steps.get(id);
    if (!s) {
      const h = BK_HEADER.exec(rest);
      const instr = h ? h[4]!.trimStart() : '';
      const counted = h !== null && !/^FROM\s/i.test(instr);
      s = this.newStep(id, rest, counted);
      return;
    }
    if (rest === 'CACHED') s.cached = true;
    else if (/^DONE\b/.test(rest)) {
      if (!s.cached) s.executed = true;
    } else if (rest.startsWith('ERROR')) {
      s.error = rest.replace(/^ERROR:?\s*/, '');
      s.executed = true;
      this.lastError = s.key;
    } else if (rest === 'CANCELED') {
      s.executed = true;
    } else if (!/^sha256:[0-9a-f]{64}$/.test(rest) && rest !== s.name) {
      s.tail.push(rest);
    }
  }

  /** `docker build`/`podman build --label k=v` append one `LABEL k=v` step per label, at the end. */
  private isInjectedLabel(instr: string, index: number, total: number): boolean {
    const labels = Object.entries(this.opts.labels ?? {});
    if (labels.length === 0 || index <= total - labels.length) return false;
    if (!/^LABEL\s/i.test(instr)) return false;
    const body = instr
      .replace(/^LABEL\s+/i, '')
      .replace(/"/g, '')
      .trim();
    return labels.some(([k, v]) => body === `${k}=${v}`);
  }

  private pushLegacy(line: string): void {
    const m = LEGACY_STEP.exec(line);
    if (m) {
      const idx = Number(m[1]);
      const total = Number(m[2]);
      const instr = m[3]!;
      const counted = !/^FROM\s/i.test(instr) && !this.isInjectedLabel(instr, idx, total);
      this.current = this.newStep(`${idx}`, `Step ${idx}/${total} : ${instr}`, counted);
      return;
    }
    const s = this.current;
    const t = line.trim();
    if (!s) {
      if (t) this.general.push(line);
      return;
    }
    if (t === '---> Using cache') s.cached = true;
    else if (t.startsWith('---> Running in ')) s.executed = true;
    else if (t.startsWith('---> ')) {
      if (!s.cached && HEX_ID.test(t.slice(5).trim())) s.executed = true;
    } else if (/^Removing intermediate container /.test(t)) {
      /* noise */
    } else if (
      /^The command .* returned a non-zero code: \d+/.test(t) ||
      /^(COPY|ADD) failed:/.test(t) ||
      /^Error response from daemon:/.test(t)
    ) {
      s.error = t;
      this.lastError = s.key;
    } else if (/^Successfully (built|tagged) /.test(t)) {
      this.current = undefined;
      this.general.push(line);
    } else {
      s.tail.push(line);
    }
  }

  private pushPodman(line: string): void {
    const m = PODMAN_STEP.exec(line);
    if (m) {
      const stage = m[1] ?? '1';
      const idx = Number(m[3]);
      const total = Number(m[4]);
      const instr = m[5]!;
      const counted = !/^FROM\s/i.test(instr) && !this.isInjectedLabel(instr, idx, total);
      const prefix = m[1] ? `[${m[1]}/${m[2]}] ` : '';
      this.current = this.newStep(`${stage}:${idx}`, `${prefix}STEP ${idx}/${total}: ${instr}`, counted);
      return;
    }
    const t = line.trim();
    const errAt = /^Error: building at STEP "(.*)": (.*)$/.exec(t);
    if (errAt) {
      const s = this.current;
      if (s) {
        s.error = errAt[2];
        s.executed = true;
        this.lastError = s.key;
      }
      this.general.push(line);
      return;
    }
    const s = this.current;
    if (!s) {
      if (t) this.general.push(line);
      return;
    }
    if (t.startsWith('--> Using cache ')) s.cached = true;
    else if (t.startsWith('--> ')) {
      if (!s.cached && HEX_ID.test(t.slice(4).trim())) s.executed = true;
    } else if (t.startsWith('COMMIT')) {
      /* commit of the final step: the step itself was marked by its '-->' lines */
    } else if (/^Successfully tagged /.test(t)) {
      this.current = undefined;
    } else if (t.startsWith('Error:')) {
      s.error = t.replace(/^Error:\s*/, '');
      this.lastError = s.key;
    } else {
      s.tail.push(line);
    }
  }

  summary(): OutputSummary {
    let total = 0;
    let cached = 0;
    let executed = 0;
    for (const s of this.steps.values()) {
      if (!s.counted) continue;
      total++;
      if (s.cached) cached++;
      else executed++;
    }
    let failedStep: OutputSummary['failedStep'];
    const f = this.lastError !== undefined ? this.steps.get(this.lastError) : undefined;
    if (f) failedStep = { name: f.name, error: f.error, tail: f.tail.get() };
    return { total, cached, executed, allCached: total > 0 && executed === 0, failedStep };
  }

  /** Lines not attributed to any step (e.g. the final error summary). */
  generalTail(): string[] {
    return this.general.get();
  }
}
