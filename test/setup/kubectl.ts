/**
 * Global setup of the integration tier: extracts the real kubectl 1.33 once per run (test/helpers/kubectl-bin.ts)
 * before any worker starts, so every engine, fault and action test drives the same binary.
 */
import { ensureKubectl } from '../helpers/kubectl-bin.js';

export default async function setup(): Promise<void> {
  const { bin, version } = await ensureKubectl();
  process.stdout.write(`integration: kubectl ${version} (${bin})\n`);
}
