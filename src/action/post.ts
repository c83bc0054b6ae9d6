import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { down } from '../commands/down.js';
import { lineReporter } from '../commands/progress.js';
import { errorMessage } from '../commands/common.js';
import { stepState } from './step-state.js';

// Post step (always runs, also after a failure or cancellation): delete the cluster, image tags and temp files
// this job's run created, and only those.
const runDir = stepState.runDir();
if (runDir && existsSync(runDir)) {
  try {
    await down({ runDir, respectKeep: true, env: process.env, reporter: lineReporter((s) => process.stdout.write(s)) });
  } catch (e) {
    core.warning(`hybrid-e2e cleanup: ${errorMessage(e)}`);
  }
} else {
  core.info('hybrid-e2e cleanup: nothing to remove');
}
