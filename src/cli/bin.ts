#!/usr/bin/env node
import { runCli } from './cli.js';
import { processIO } from './io.js';

// First SIGINT/SIGTERM: cancel the run cleanly (children stopped, cluster and temp files removed, results written
// with outcome "cancelled"). A second one exits at once.
const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    signals++;
    if (signals > 1) process.exit(130);
    process.stderr.write(`\nhybrid-e2e: ${sig} received, cancelling (press again to exit immediately)\n`);
    controller.abort(new Error(sig));
  });
}
process.exitCode = await runCli(process.argv.slice(2), processIO(), controller.signal);
