/**
 * What the main step hands to the post step, through the runner's step state (`core.saveState`/`getState`), typed:
 * the run directory whose state file lists what to remove.
 */
import * as core from '@actions/core';

const RUN_DIR = 'run-dir';

export const stepState = {
  /** Recorded as soon as the run directory exists, and again whenever the run state changes. */
  saveRunDir(runDir: string): void {
    core.saveState(RUN_DIR, runDir);
  },
  runDir(): string | undefined {
    return core.getState(RUN_DIR) || undefined;
  },
};
