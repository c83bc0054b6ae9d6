/**
 * What a run created, so `down` and the post step can remove exactly that, even after the run was killed.
 *
 * Two copies of one record, rewritten on every change: `<run dir>/state.json` (for `down --run-dir`) and the
 * per-user registry, `$XDG_STATE_HOME/hybrid-e2e/runs/<run id>.json` (default `~/.local/state/...`), through which
 * `runs` lists and `down` without arguments finds every run, also one whose process is gone. The record is written
 * first, before anything is created, and removed last, only when everything it lists is gone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';

export interface RunState {
  runId: string;
  runDir: string;
  pid: number;
  /** Start time of that process (from /proc), so a reused pid is not taken for the run. */
  pidStart?: string;
  startedMs?: number;
  /** Absolute path of the config the run used. */
  config?: string;
  /** Known once the builder is detected. */
  provider?: 'docker' | 'podman';
  engineBinary?: string;
  cluster?: { name: string; kubeconfig: string };
  /** Image tags the run made and has not removed yet. */
  images: string[];
  /** The run's own buildx builder (docker-container driver), when it needed one for the cache. */
  buildxBuilder?: string;
  keepCluster?: boolean;
}

export const STATE_FILE = 'state.json';

/** The per-user directory of run records. */
export function registryDir(env: Record<string, string | undefined>): string {
  const base = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(base, 'hybrid-e2e', 'runs');
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The run's record: every change is written at once, to the run dir and the registry. */
export class RunStateFile {
  private readonly registryFile: string;

  constructor(
    readonly state: RunState,
    env: Record<string, string | undefined>,
    private readonly onChange?: (s: RunState) => void,
  ) {
    this.registryFile = path.join(registryDir(env), `${state.runId}.json`);
    this.save();
  }

  update(change: (s: RunState) => void): void {
    change(this.state);
    this.save();
  }

  private save(): void {
    const text = JSON.stringify(this.state, null, 2);
    if (existsSync(this.state.runDir)) writeAtomic(path.join(this.state.runDir, STATE_FILE), text);
    writeAtomic(this.registryFile, text);
    this.onChange?.(this.state);
  }

  /** The last step of a complete cleanup: the record goes. */
  forget(): void {
    rmSync(this.registryFile, { force: true });
  }
}

export function readRunState(runDir: string): RunState {
  const file = path.join(runDir, STATE_FILE);
  if (!existsSync(file))
    throw new UserError(`no run state at ${file}: pass the run directory printed by "hybrid-e2e up" (or --results FILE of that run).`);
  return JSON.parse(readFileSync(file, 'utf8')) as RunState;
}

/** Every run in the registry (unreadable records are skipped). */
export function listRuns(env: Record<string, string | undefined>): RunState[] {
  const dir = registryDir(env);
  if (!existsSync(dir)) return [];
  const out: RunState[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    try {
      out.push(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as RunState);
    } catch {
      /* a record being written, or damaged: not a run we can act on */
    }
  }
  return out;
}

/** The record of a run, from the registry (preferred) or its run dir. */
export function findRun(runDir: string, env: Record<string, string | undefined>): RunState {
  const inDir = existsSync(path.join(runDir, STATE_FILE)) ? readRunState(runDir) : undefined;
  const registered = listRuns(env).find((r) => r.runDir === runDir || r.runId === inDir?.runId);
  if (registered) return registered;
  if (inDir) return inDir;
  return readRunState(runDir);
}
