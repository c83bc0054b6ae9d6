/**
 * How much CPU other tenants of the machine took during a run: total busy CPU time (/proc/stat) minus the CPU
 * time of the benchmark's own processes (/proc/<pid>/stat utime+stime+cutime+cstime of this harness, which
 * reaps every CLI and fake it runs, and of dockerd and containerd, which reap the build containers). The benchmark
 * runs on shared machines; this tells how contaminated a run was. Build work of another docker client in the
 * same window counts as ours (it runs under dockerd), so the figure is a lower estimate.
 */
import { readFileSync } from 'node:fs';
import { daemonPids } from './diskio.js';

/** USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)). */
const HZ = 100;

function busyTicks(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return undefined;
  }
}

function procTicks(pid: number | 'self'): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text
      .slice(text.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // rest[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17
    return rest[11]! + rest[12]! + rest[13]! + rest[14]!;
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  busy?: number;
  ours: number;
  pids: Record<string, number | 'self'>;
}

export function cpuSnapshot(): CpuSnapshot {
  const pids: Record<string, number | 'self'> = { self: 'self', ...daemonPids() };
  let ours = 0;
  for (const p of Object.values(pids)) ours += procTicks(p) ?? 0;
  const busy = busyTicks();
  return { ...(busy !== undefined ? { busy } : {}), ours, pids };
}

/** CPU seconds used by the machine, by us, and by others between two snapshots. */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): { busyS: number; oursS: number; othersS: number } | undefined {
  if (a.busy === undefined || b.busy === undefined) return undefined;
  const busyS = (b.busy - a.busy) / HZ;
  const oursS = (b.ours - a.ours) / HZ;
  return { busyS, oursS, othersS: Math.max(0, busyS - oursS) };
}
