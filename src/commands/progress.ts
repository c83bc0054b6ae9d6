/** Progress output for the drivers: plain lines (CI logs, non-TTY) and a live status line on a terminal. */
import type { Reporter } from '../core/reporter.js';

/** Plain-lines reporter for CI logs and non-TTY terminals. */
export function lineReporter(write: (s: string) => void, t0 = Date.now()): Reporter {
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
  return {
    info: (l) => write(`${stamp()} ${l}\n`),
    warn: (l) => write(`${stamp()} warning: ${l}\n`),
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
