/**
 * The `down` use case: remove exactly what runs created (cluster, image tags, builder, run directory), one run or
 * every stale run of a config, found through the per-user registry of runs (core/engine/run-state.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { processAlive, stopLeftoverProcesses } from '../adapters/process.js';
import { errorMessage, UserError } from '../core/errors.js';
import type { ClusterTool } from '../core/engine/interfaces.js';
import { findRun, listRuns, RunStateFile, type RunState } from '../core/engine/run-state.js';
import { teardownRun, type TeardownResult } from '../core/engine/teardown.js';
import type { Reporter } from '../core/reporter.js';
import { builderOfRun, clusterTool, type Env } from './compose.js';

export interface DownOptions {
  runDir: string;
  reporter: Reporter;
  env: Env;
  /** Copy the coverage data (GOCOVERDIR hostPath) here before removing the run directory. */
  collectCoverage?: string;
  /** Leave a cluster the run marked to keep (keep-cluster-on-failure); the post step sets this. */
  respectKeep?: boolean;
  kindEnv?: KindEnv;
}

/**
 * Makes kind available before a cluster is deleted, and returns the environment to run it with (the CLI installs
 * kind when it is missing). Called only when there is a cluster to delete; when it throws, the cluster is left, with
 * its message as the reason, and the rest of the run is removed.
 */
export type KindEnv = (env: Env) => Promise<Env>;

/** Removes one run, named by its run directory. */
export async function down(o: DownOptions): Promise<TeardownResult> {
  const env = { ...process.env, ...o.env };
  return removeRun(findRun(o.runDir, env), env, o.reporter, {
    ...(o.collectCoverage ? { collectCoverage: o.collectCoverage } : {}),
    ...(o.respectKeep ? { respectKeep: true } : {}),
    ...(o.kindEnv ? { kindEnv: o.kindEnv } : {}),
  });
}

/** A kind that cannot be had: every call fails with why. */
function unavailableKind(e: unknown): ClusterTool {
  const fail = async (): Promise<never> => {
    throw e;
  };
  return { create: fail, delete: fail, loadImageArchive: fail, exportLogs: fail };
}

async function removeRun(
  state: RunState,
  env: Env,
  reporter: Reporter,
  extra: { collectCoverage?: string; respectKeep?: boolean; kindEnv?: KindEnv } = {},
): Promise<TeardownResult> {
  const { kindEnv, ...teardown } = extra;
  const file = new RunStateFile(state, env);
  // A run that died without cleaning up may have left a `kind create` or a build going, which would bring back what
  // is removed here: stop them first. Never for a live run (its children are its own business).
  if (state.pid !== process.pid && !runIsLive(state)) {
    const n = await stopLeftoverProcesses(state.runId, state.runDir);
    if (n) reporter.info(`down ${state.runId}: stopped ${n} process(es) the run left running`);
  }
  const provider = state.provider ?? 'docker';
  let kind = clusterTool(provider, env);
  if (kindEnv && state.cluster && !(teardown.respectKeep && state.keepCluster)) {
    try {
      kind = clusterTool(provider, await kindEnv(env));
    } catch (e) {
      kind = unavailableKind(e);
    }
  }
  return teardownRun(file, {
    kind,
    ...(state.engineBinary
      ? { builder: builderOfRun({ ...state, provider: state.provider ?? 'docker', engineBinary: state.engineBinary }, env) }
      : {}),
    reporter,
    ...teardown,
  });
}

/** Whether a run's process is still going (then its resources are in use). */
export function runIsLive(r: RunState): boolean {
  return r.pid !== process.pid && processAlive(r.pid, r.pidStart);
}

export interface StaleRunsResult {
  /** Runs removed completely. */
  removed: string[];
  /** Runs whose process still runs: left alone. */
  live: string[];
  problems: string[];
  /** What is left of the runs that could not be removed completely (`<run id>: <resource>`). */
  left: string[];
}

/**
 * Removes every run of `config` (every run at all with `config` undefined) whose process is gone. A live run is left
 * alone, with a message.
 */
export async function downStale(o: { config?: string; env: Env; reporter: Reporter; kindEnv?: KindEnv }): Promise<StaleRunsResult> {
  const env = { ...process.env, ...o.env };
  const runs = listRuns(env).filter((r) => o.config === undefined || r.config === o.config);
  const out: StaleRunsResult = { removed: [], live: [], problems: [], left: [] };
  // kind is made available once, for the first run that has a cluster, whatever the number of runs.
  let kindOnce: Promise<Env> | undefined;
  const kindEnv: KindEnv | undefined = o.kindEnv && ((e) => (kindOnce ??= o.kindEnv!(e)));
  if (!runs.length) o.reporter.info(o.config ? `down: no runs of ${o.config} to remove` : 'down: no runs to remove');
  for (const r of runs) {
    if (runIsLive(r)) {
      out.live.push(r.runId);
      o.reporter.info(`down: run ${r.runId} is still running (pid ${r.pid}): left alone; stop it first (Ctrl-C cleans up after itself)`);
      continue;
    }
    const t = await removeRun(r, env, o.reporter, kindEnv ? { kindEnv } : {});
    if (t.problems.length) out.problems.push(...t.problems.map((p) => `${r.runId}: ${p}`));
    if (t.left.length) out.left.push(...t.left.map((l) => `${r.runId}: ${l}`));
    else out.removed.push(r.runId);
  }
  return out;
}

/** The run directory named by `--run-dir`, or recorded in the results file given with `--results`. */
export function runDirFrom(a: { runDir?: string; results?: string }, cwd: string): string | undefined {
  if (a.runDir) return path.resolve(cwd, a.runDir);
  if (a.results) {
    let runDir: string | undefined;
    try {
      runDir = (JSON.parse(readFileSync(path.resolve(cwd, a.results), 'utf8')) as { runDir?: string }).runDir;
    } catch (e) {
      throw new UserError(`cannot read results file ${a.results}: ${errorMessage(e)}`);
    }
    if (runDir) return path.resolve(cwd, runDir);
    throw new UserError(`results file ${a.results} names no run directory.`);
  }
  return undefined;
}

/** The config `down` without arguments cleans up after: `--config`, else hybrid-e2e.yaml in the current directory. */
export function configFor(cwd: string, config: string | undefined): string {
  const file = path.resolve(cwd, config ?? 'hybrid-e2e.yaml');
  if (!existsSync(file) && config) throw new UserError(`${config}: config file not found.`);
  return file;
}
