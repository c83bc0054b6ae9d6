import { statfsSync } from 'node:fs';
import { errorMessage } from '../errors.js';

/** Free bytes where `dir` lives, or undefined when it cannot be told. */
export function freeBytes(dir: string): number | undefined {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return undefined;
  }
}

/** ENOSPC while writing `what` into `dir`: name the directory, the space free, and what to do. Other errors pass. */
export function diskFullHint(e: unknown, dir: string, what: string): unknown {
  const msg = `${errorMessage(e)}\n${((e as { logTail?: string[] }).logTail ?? []).join('\n')}`;
  if (!/no space left on device|ENOSPC/i.test(msg)) return e;
  const free = freeBytes(dir);
  const err = new Error(
    `not enough disk space in ${dir} for ${what} (${free === undefined ? '?' : `${Math.round(free / 1024 / 1024)} MiB`} free; an archive needs about the images' size, see "docker image ls"). Free space (e.g. docker system prune -f) or point HYBRID_E2E_TMPDIR (RUNNER_TEMP in Actions) at a larger disk.`,
  );
  return Object.assign(err, { details: (e as { details?: unknown }).details });
}
