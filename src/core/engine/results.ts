import type { Finding } from '../compliance/lint-files.js';
import { PHASES, type Phase } from '../plan/graph.js';

export type Outcome = 'success' | 'failure' | 'skipped' | 'cancelled';

export interface TaskResult {
  id: string;
  phase: Phase;
  service?: string;
  startMs?: number;
  endMs?: number;
  outcome: Outcome;
  attempts: number;
  cached?: boolean;
  error?: string;
  /** Last lines of the failing command's output. */
  logTail?: string[];
  /** Image reference built or loaded. */
  image?: string;
  note?: string;
}

export interface PortMapping {
  node: string;
  containerPort: number;
  hostPort: number;
  /** The hostPort the kind config asked for, when it was replaced (cluster.hostPorts: auto). */
  requested?: number;
}

export interface PhaseResult {
  name: Phase;
  startMs?: number;
  endMs?: number;
  outcome: Outcome;
}

export interface Results {
  /** Format of this file. */
  version: 1;
  /** The hybrid-e2e release that wrote it (package.json's version, as `hybrid-e2e --version`); absent before 1.0.0. */
  toolVersion?: string;
  runId: string;
  /** Run-unique working directory; `hybrid-e2e down --run-dir` removes it with the cluster and image tags. */
  runDir: string;
  outcome: 'success' | 'failure' | 'cancelled';
  startMs: number;
  endMs: number;
  services: string[];
  builder?: string;
  cluster: {
    name: string;
    kubeconfig: string;
    /** Cluster start strategy used. */
    start?: 'after-builds' | 'predictive' | 'with-builds';
    /** Cluster ready → first image load. */
    idleMs?: number;
    /** How long cluster creation ran while builds were still running. */
    overlapMs?: number;
    kept?: boolean;
    ports?: PortMapping[];
  };
  phases: PhaseResult[];
  tasks: TaskResult[];
  compliance?: { files: number; findings: Finding[] };
  /** Bytes of the image archives the run handed to kind (shared layers counted once per wave). */
  imageBytes?: number;
  diagnosticsDir?: string;
  errors: string[];
}

/** A phase spans its tasks: first start to last end; its outcome is the worst of theirs. */
export function summarisePhases(tasks: readonly TaskResult[]): PhaseResult[] {
  return PHASES.flatMap((name) => {
    const ts = tasks.filter((t) => t.phase === name);
    if (ts.length === 0) return [];
    const starts = ts.flatMap((t) => (t.startMs === undefined ? [] : [t.startMs]));
    const ends = ts.flatMap((t) => (t.endMs === undefined ? [] : [t.endMs]));
    const outcome: Outcome = ts.some((t) => t.outcome === 'failure')
      ? 'failure'
      : ts.some((t) => t.outcome === 'cancelled')
        ? 'cancelled'
        : ts.every((t) => t.outcome === 'skipped')
          ? 'skipped'
          : 'success';
    return [
      { name, ...(starts.length ? { startMs: Math.min(...starts) } : {}), ...(ends.length ? { endMs: Math.max(...ends) } : {}), outcome },
    ];
  });
}

/** Idle time (cluster ready → first load) and overlap of cluster creation with the builds. */
export function clusterTimings(tasks: readonly TaskResult[]): { idleMs?: number; overlapMs?: number } {
  const c = tasks.find((t) => t.id === 'cluster');
  if (c?.startMs === undefined || c.endMs === undefined || c.outcome !== 'success') return {};
  const loads = tasks.filter((t) => t.phase === 'load' && t.startMs !== undefined).map((t) => t.startMs!);
  const buildEnds = tasks.filter((t) => t.phase === 'build' && t.endMs !== undefined).map((t) => t.endMs!);
  const lastBuild = buildEnds.length ? Math.max(...buildEnds) : c.startMs;
  return {
    ...(loads.length ? { idleMs: Math.max(0, Math.min(...loads) - c.endMs) } : {}),
    overlapMs: Math.max(0, Math.min(lastBuild, c.endMs) - c.startMs),
  };
}
