import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A run-unique id: short, DNS-safe, different for concurrent runs on one host. */
export function makeRunId(env: Record<string, string | undefined> = process.env): string {
  const rand = randomBytes(3).toString('hex');
  if (env.GITHUB_RUN_ID) return `${Number(env.GITHUB_RUN_ID).toString(36)}${env.GITHUB_RUN_ATTEMPT ?? '1'}${rand}`.slice(0, 16);
  return `${Date.now().toString(36).slice(-5)}${rand}`;
}

export function clusterNameFor(base: string, unique: boolean, runId: string): string {
  return unique ? `${base}-${runId}`.slice(0, 50).replace(/-+$/, '') : base;
}

/**
 * Where a run's temporary files go: `HYBRID_E2E_TMPDIR`, else the runner's `RUNNER_TEMP`, else the system temp dir.
 * Every temp path of the product derives from this one precedence.
 */
export function tempRoot(env: Record<string, string | undefined>): string {
  return env.HYBRID_E2E_TMPDIR || env.RUNNER_TEMP || os.tmpdir();
}

/** Run-unique working directory (tarballs, kubeconfig, rendered manifests, diagnostics), mode 0700. */
export function makeRunDir(runId: string, root: string): string {
  const dir = path.join(root, `hybrid-e2e-${runId}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The default results file of a run: `<temp root>/hybrid-e2e-results/<run id>.json`. */
export function defaultResultsFile(runId: string, env: Record<string, string | undefined>): string {
  return path.join(tempRoot(env), 'hybrid-e2e-results', `${runId}.json`);
}
