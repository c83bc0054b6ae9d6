/**
 * The `runs` use case: every run in the per-user registry — whether its process still runs, what it created, and the
 * disk its run directory and its images hold — and the images hybrid-e2e keeps in each engine.
 */
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors.js';
import type { ImageBuilder } from '../core/engine/interfaces.js';
import { listRuns, registryDir } from '../core/engine/run-state.js';
import { formatSize } from '../core/size.js';
import type { Env } from './compose.js';
import { runIsLive } from './down.js';
import { toolImages, type ToolImage } from './prune.js';

export interface RunInfo {
  runId: string;
  runDir: string;
  /** Absolute path of the config the run used. */
  config?: string;
  startedMs?: number;
  pid: number;
  /** Its process still runs (else the run is stale: `down` removes it). */
  alive: boolean;
  cluster?: string;
  kubeconfig?: string;
  /** Image tags the run made and that are not removed yet. */
  images: string[];
  engine?: 'docker' | 'podman';
  buildxBuilder?: string;
  keepCluster?: boolean;
  /** Bytes of the run directory (tarballs, kubeconfig, diagnostics); 0 when it is gone. */
  runDirBytes: number;
  /** Bytes of the images its tags name (each image once); undefined when the engine could not be asked. */
  imageBytes?: number;
}

/** The images hybrid-e2e made in one engine. */
export interface ImageStore {
  engine: 'docker' | 'podman';
  images: number;
  bytes: number;
  /** Those no live run uses: what `prune` removes. */
  unused: number;
  unusedBytes: number;
}

export interface RunsReport {
  registry: string;
  runs: RunInfo[];
  stores: ImageStore[];
  /** Engines that could not be asked. */
  problems: string[];
}

/** Bytes of the files under `dir` (symlinks not followed; what cannot be read is skipped). */
export function dirBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else {
      try {
        total += lstatSync(p).size;
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return total;
}

/** The registry's runs and the engines' hybrid-e2e images (`builders`: the engines to ask). */
export async function runs(o: { env: Env; builders: readonly ImageBuilder[] }): Promise<RunsReport> {
  const env = { ...process.env, ...o.env };
  const all = listRuns(env).sort((a, b) => (a.startedMs ?? 0) - (b.startedMs ?? 0) || (a.runId < b.runId ? -1 : 1));
  const live = all.filter(runIsLive);
  const problems: string[] = [];
  const byEngine = new Map<string, ToolImage[]>();
  for (const b of o.builders) {
    try {
      byEngine.set(b.caps.engine, await toolImages(b, live));
    } catch (e) {
      problems.push(`${b.caps.engine}: could not list its images: ${errorMessage(e)}`);
    }
  }
  const infos = all.map((r): RunInfo => {
    const images = r.images ?? [];
    const store = byEngine.get(r.provider ?? 'docker');
    const mine = store?.filter((i) => i.tags.some((t) => images.includes(t)));
    const imageBytes = images.length === 0 ? 0 : mine?.reduce((n, i) => n + i.bytes, 0);
    return {
      runId: r.runId,
      runDir: r.runDir,
      ...(r.config ? { config: r.config } : {}),
      ...(r.startedMs ? { startedMs: r.startedMs } : {}),
      pid: r.pid,
      alive: live.includes(r),
      ...(r.cluster ? { cluster: r.cluster.name, kubeconfig: r.cluster.kubeconfig } : {}),
      images,
      ...(r.provider ? { engine: r.provider } : {}),
      ...(r.buildxBuilder ? { buildxBuilder: r.buildxBuilder } : {}),
      ...(r.keepCluster ? { keepCluster: true } : {}),
      runDirBytes: dirBytes(r.runDir),
      ...(imageBytes !== undefined ? { imageBytes } : {}),
    };
  });
  const stores = [...byEngine].map(([engine, imgs]): ImageStore => {
    const unused = imgs.filter((i) => !i.usedBy.length);
    return {
      engine: engine as ImageStore['engine'],
      images: imgs.length,
      bytes: imgs.reduce((n, i) => n + i.bytes, 0),
      unused: unused.length,
      unusedBytes: unused.reduce((n, i) => n + i.bytes, 0),
    };
  });
  return { registry: registryDir(env), runs: infos, stores, problems };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time, to the second: `2025-01-31 14:05:09`. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** What `runs` prints: a table of the runs, each one's image tags under it, then the image stores and what to do. */
export function runsText(r: RunsReport, cwd: string): string {
  const shown = (file: string | undefined) => {
    if (!file) return '-';
    const rel = path.relative(cwd, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `./${rel}` : file;
  };
  const lines: string[] = [];
  if (!r.runs.length) lines.push(`no runs recorded (registry: ${r.registry})`);
  else {
    const rows = [['RUN', 'STARTED', 'PID', 'CLUSTER', 'RUN DIR', 'IMAGES', 'CONFIG']];
    for (const x of r.runs) {
      rows.push([
        x.runId,
        x.startedMs ? localTime(x.startedMs) : '-',
        `${x.pid} ${x.alive ? 'live' : 'gone'}`,
        x.cluster ? `${x.cluster}${x.keepCluster ? ' (kept)' : ''}` : '-',
        formatSize(x.runDirBytes),
        x.images.length
          ? `${x.images.length} tag(s), ${x.imageBytes === undefined ? '? (engine not reachable)' : formatSize(x.imageBytes)}`
          : '-',
        shown(x.config),
      ]);
    }
    const [head, ...body] = table(rows);
    lines.push(head!);
    r.runs.forEach((x, i) => {
      lines.push(body[i]!);
      if (x.images.length) lines.push(`    images: ${x.images.join(' ')}`);
    });
    const stale = r.runs.filter((x) => !x.alive).length;
    lines.push(
      '',
      `${r.runs.length} run(s): ${r.runs.length - stale} live, ${stale} stale${stale ? ' — "hybrid-e2e down" removes the stale runs of the config in the current directory, "hybrid-e2e down --all" every stale run' : ''}`,
      `registry: ${r.registry}`,
    );
  }
  for (const s of r.stores) {
    lines.push(
      `${s.engine}: ${s.images} image(s) made by hybrid-e2e, ${formatSize(s.bytes)}${s.unused ? `; ${s.unused} of them (${formatSize(s.unusedBytes)}) used by no live run — "hybrid-e2e prune" removes them` : ''}`,
    );
  }
  for (const p of r.problems) lines.push(`warning: ${p}`);
  return lines.join('\n') + '\n';
}
