/**
 * Disk writes of the processes that take part in building, saving and loading an image, from Linux per-process I/O
 * accounting (/proc/<pid>/io):
 *   - `write_bytes`: bytes the process caused to be written to disk-backed files (counted when page-cache pages are
 *     dirtied; tmpfs and pipes do not count). A process's figure includes the children it has reaped, so the
 *     harness's own figure covers every docker/podman CLI and fake kind it ran; dockerd's covers the build
 *     containers (runc is its child) and its own exports.
 *   - `cancelled_write_bytes`: bytes that were dirtied but never reached the disk because the file was truncated or
 *     deleted first. Reported, not subtracted: a temp file written and deleted still cost the write.
 * Processes measured: this harness (self), dockerd and containerd. Another client of the same daemon in the same
 * window would be counted too; the benchmark repeats each measurement and takes the median.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface IoSample {
  write: number;
  cancelled: number;
}

export function readIo(pid: number | 'self'): IoSample | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    const s = { write: get('write_bytes'), cancelled: get('cancelled_write_bytes') };
    return Number.isFinite(s.write) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Pids of the container daemons (by /proc/<pid>/comm), when visible. */
export function daemonPids(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const comm = readFileSync(`/proc/${e}/comm`, 'utf8').trim();
      if ((comm === 'dockerd' || comm === 'containerd') && !(comm in out)) out[comm] = Number(e);
    } catch {
      /* gone */
    }
  }
  return out;
}

export interface Writes {
  /** Sum of write_bytes over the measured processes. */
  bytes: number;
  cancelled: number;
  byProcess: Record<string, number>;
}

/** Whether per-process accounting is readable for this harness and the daemons. */
export function ioAccountingAvailable(): boolean {
  const d = daemonPids();
  return readIo('self') !== undefined && d.dockerd !== undefined && readIo(d.dockerd) !== undefined;
}

/** Runs `fn` and returns the disk writes of this process (with reaped children), dockerd and containerd meanwhile. */
export async function measureWrites<T>(fn: () => Promise<T>): Promise<{ result: T; writes: Writes }> {
  const pids: Record<string, number | 'self'> = { self: 'self', ...daemonPids() };
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, readIo(p)]));
  const result = await fn();
  const byProcess: Record<string, number> = {};
  let bytes = 0;
  let cancelled = 0;
  for (const [k, p] of Object.entries(pids)) {
    const a = before[k];
    const b = readIo(p);
    if (!a || !b) continue;
    byProcess[k] = b.write - a.write;
    bytes += b.write - a.write;
    cancelled += b.cancelled - a.cancelled;
  }
  return { result, writes: { bytes, cancelled, byProcess } };
}
