import { statfsSync } from 'node:fs';
import { errorMessage } from '../errors.js';
import { formatSize } from '../size.js';

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

export interface DiskNeed {
  /** Directories the run writes to (the engine's image store, the archives' temp dir), with what they hold. */
  dirs: Array<{ dir: string; what: string }>;
  /** Bytes the run needs in all of them together. */
  needBytes: number;
  /** Where the figure comes from, for the message. */
  basis: string;
}

/**
 * Before the builds: is there room for the images and their archives? Directories on one filesystem share its free
 * space; on two, each needs half. Fails early with the numbers and the fix, instead of a disk-full error mid-build.
 */
export function checkFreeSpace(n: DiskNeed, stat: (dir: string) => { dev: number; free?: number }): void {
  const groups = new Map<number, { dirs: Array<{ dir: string; what: string }>; free?: number }>();
  for (const d of n.dirs) {
    const s = stat(d.dir);
    const g = groups.get(s.dev) ?? { dirs: [], ...(s.free !== undefined ? { free: s.free } : {}) };
    g.dirs.push(d);
    groups.set(s.dev, g);
  }
  const share = n.needBytes / groups.size;
  const short = [...groups.values()].filter((g) => g.free !== undefined && g.free < share);
  if (!short.length) return;
  const where = short
    .map(
      (g) =>
        `${g.dirs.map((d) => `${d.dir} (${d.what})`).join(' and ')} ${g.dirs.length > 1 ? 'share' : 'has'} ${formatSize(g.free!)} free, needs about ${formatSize(share)}`,
    )
    .join('; ');
  throw new Error(
    `not enough free disk for this run: ${where} (${n.basis}). Free space first (hybrid-e2e prune removes the images the tool keeps for reuse; docker system prune -f), point HYBRID_E2E_TMPDIR at a larger disk, or set builds.minFreeDisk.`,
  );
}
