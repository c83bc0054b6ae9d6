/**
 * Setup file of both tiers: the per-user state and cache directories (the registry of runs, installed tools, the
 * image cache's usage) point into a temp dir of this test worker, so no test reads or writes the real ones.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

if (!process.env.HYBRID_E2E_TEST_STATE) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-test-home-'));
  process.env.HYBRID_E2E_TEST_STATE = dir;
  process.env.XDG_STATE_HOME = path.join(dir, 'state');
  process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
}
