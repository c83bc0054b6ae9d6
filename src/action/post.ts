import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { runDown } from '../core/engine/down.js';
import { errorMessage } from '../core/errors.js';
import { lineReporter } from '../core/report.js';

// Post step (always runs, also after a failure or cancellation): delete the cluster, image tags and temp files
// this job's run created, and only those.
const runDir = core.getState('run-dir');
if (runDir && existsSync(runDir)) {
  try {
    await runDown({ runDir, respectKeep: true, reporter: lineReporter((s) => process.stdout.write(s)) });
  } catch (e) {
    core.warning(`hybrid-e2e cleanup: ${errorMessage(e)}`);
  }
} else {
  core.info('hybrid-e2e cleanup: nothing to remove');
}
