/** How the engine talks to whoever drives it (action log, terminal, tests). Knows nothing about GitHub. */
export interface Reporter {
  info(line: string): void;
  warn(line: string): void;
  /** A phase began/ended (the action opens/closes a log group). */
  phase(name: string, event: 'start' | 'end'): void;
  task(id: string, event: 'start' | 'end', detail?: { outcome?: string; ms?: number; note?: string }): void;
}

export const silentReporter: Reporter = { info() {}, warn() {}, phase() {}, task() {} };

/** Plain-lines reporter for CI logs and non-TTY terminals. */
export function lineReporter(write: (s: string) => void, t0 = Date.now()): Reporter {
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
  return {
    info: (l) => write(`${stamp()} ${l}\n`),
    warn: (l) => write(`${stamp()} warning: ${l}\n`),
    phase: (n, e) => write(`${stamp()} == ${n} ${e === 'start' ? 'started' : 'finished'}\n`),
    task: (id, e, d) =>
      write(
        e === 'start'
          ? `${stamp()} ▶ ${id}\n`
          : `${stamp()} ${d?.outcome === 'success' ? '✔' : d?.outcome === 'skipped' ? '·' : '✘'} ${id} ${d?.outcome ?? ''}${d?.ms !== undefined ? ` in ${(d.ms / 1000).toFixed(1)}s` : ''}${d?.note ? ` (${d.note})` : ''}\n`,
      ),
  };
}

/**
 * Terminal reporter: permanent lines for task start/end, and a status line at the bottom listing the running tasks
 * with their elapsed time, redrawn twice a second. Only for a TTY; CI logs get plain lines.
 */
export function ttyReporter(write: (s: string) => void, t0 = Date.now()): Reporter & { stop(): void } {
  const plain = lineReporter(write, t0);
  const running = new Map<string, number>();
  let shown = false;
  const clear = () => {
    if (shown) write('\r\x1b[K');
    shown = false;
  };
  const draw = () => {
    clear();
    if (running.size === 0) return;
    const now = Date.now();
    const items = [...running].map(([id, s]) => `${id} ${((now - s) / 1000).toFixed(0)}s`);
    const cols = process.stdout.columns || 120;
    let line = `⏳ ${items.join(' · ')}`;
    if (line.length > cols - 1) line = line.slice(0, cols - 2) + '…';
    write(line);
    shown = true;
  };
  const timer = setInterval(draw, 500);
  timer.unref?.();
  const around = (fn: () => void) => {
    clear();
    fn();
    draw();
  };
  return {
    info: (l) => around(() => plain.info(l)),
    warn: (l) => around(() => plain.warn(l)),
    phase: (n, e) => around(() => plain.phase(n, e)),
    task: (id, e, d) => {
      if (e === 'start') running.set(id, Date.now());
      else running.delete(id);
      around(() => plain.task(id, e, d));
    },
    stop: () => {
      clearInterval(timer);
      clear();
    },
  };
}

/** Per-phase recap lines (task, outcome, duration), for one log group per phase once the run is over. */
export function phaseRecap(results: {
  startMs: number;
  tasks: ReadonlyArray<{
    id: string;
    phase: string;
    outcome: string;
    startMs?: number;
    endMs?: number;
    cached?: boolean;
    attempts: number;
  }>;
}): Array<{ phase: string; lines: string[] }> {
  const phases = ['build', 'cluster', 'load', 'deploy'];
  return phases
    .map((phase) => ({
      phase,
      lines: results.tasks
        .filter((t) => t.phase === phase)
        .map((t) => {
          const at = t.startMs !== undefined ? `+${((t.startMs - results.startMs) / 1000).toFixed(1)}s` : '';
          const d = t.startMs !== undefined && t.endMs !== undefined ? `${((t.endMs - t.startMs) / 1000).toFixed(1)}s` : '—';
          return `${t.id.padEnd(28)} ${t.outcome.padEnd(9)} ${d.padStart(7)} ${at.padStart(8)}${t.cached ? ' cached' : ''}${t.attempts > 1 ? ` attempts=${t.attempts}` : ''}`.trimEnd();
        }),
    }))
    .filter((g) => g.lines.length > 0);
}
