import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/** What a run created, so `down` and the post step can remove exactly that. Written to `<run dir>/state.json`. */
export interface RunState {
  runId: string;
  runDir: string;
  pid: number;
  provider: 'docker' | 'podman';
  engineBinary: string;
  cluster?: { name: string; kubeconfig: string };
  images: string[];
  /** The run's own buildx builder (docker-container driver), when it needed one for the cache. */
  buildxBuilder?: string;
  keepCluster?: boolean;
}

export const STATE_FILE = 'state.json';

/** The run's state file: every change is written at once (a killed run leaves an accurate record). */
export class RunStateFile {
  constructor(
    readonly state: RunState,
    private readonly onChange?: (s: RunState) => void,
  ) {
    this.save();
  }

  update(change: (s: RunState) => void): void {
    change(this.state);
    this.save();
  }

  private save(): void {
    writeFileSync(path.join(this.state.runDir, STATE_FILE), JSON.stringify(this.state, null, 2));
    this.onChange?.(this.state);
  }
}

export function readRunState(runDir: string): RunState {
  const file = path.join(runDir, STATE_FILE);
  if (!existsSync(file))
    throw new UserError(`no run state at ${file}: pass the run directory printed by "hybrid-e2e up" (or --results FILE of that run).`);
  return JSON.parse(readFileSync(file, 'utf8')) as RunState;
}
