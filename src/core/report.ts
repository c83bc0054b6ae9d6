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
