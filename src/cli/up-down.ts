/** `hybrid-e2e up` and `hybrid-e2e down`: flags to options, the use case, then what the user needs to see. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, fmtDuration, historyFromResults, loadConfig, parseServiceList, phaseRecap, UserError } from '../commands/common.js';
import { configFor, down, downStale, runDirFrom } from '../commands/down.js';
import { lineReporter, ttyReporter } from '../commands/progress.js';
import { ensureTools, type ToolName } from '../commands/tools.js';
import { up } from '../commands/up.js';
import type { Results } from '../core/engine/results.js';
import type { CliIO } from './io.js';

export interface UpArgs {
  config: string;
  service?: string[];
  results?: string;
  engine?: string;
  cache?: string;
  keepClusterOnFailure?: boolean;
  buildParallelism?: string;
  history?: string;
  /** Never download kind or kubectl (--no-install, HYBRID_E2E_NO_INSTALL=1). */
  noInstall?: boolean;
}

/** kind/kubectl from PATH, else the per-user cache, else downloaded there (unless --no-install); progress on stderr. */
function toolsFor(tools: ToolName[], io: CliIO, noInstall: boolean | undefined) {
  return (env: Record<string, string | undefined>) => ensureTools(tools, env, { install: !noInstall, info: (l) => io.stderr(`${l}\n`) });
}

function pick<T extends string>(flag: string, v: string | undefined, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UserError(`--${flag} "${v}": use one of ${allowed.join(', ')}.`);
}

export async function runUpCommand(a: UpArgs, io: CliIO, signal?: AbortSignal): Promise<number> {
  const config = loadConfig(a.config, { cwd: io.cwd });
  const engine = pick('engine', a.engine, ['auto', 'docker', 'podman'] as const, 'auto');
  const cache = pick('cache', a.cache, ['gha', 'local', 'registry', 'none'] as const, 'local');
  let buildParallelism: number | undefined;
  if (a.buildParallelism !== undefined) {
    buildParallelism = Number(a.buildParallelism);
    if (!Number.isInteger(buildParallelism) || buildParallelism < 1)
      throw new UserError(`--build-parallelism "${a.buildParallelism}": use a whole number ≥ 1.`);
  }
  let history: Record<string, number> | undefined;
  let previousImageBytes: number | undefined;
  if (a.history) {
    try {
      const earlier = JSON.parse(readFileSync(path.resolve(io.cwd, a.history), 'utf8')) as Results;
      history = historyFromResults(earlier);
      if (typeof earlier.imageBytes === 'number' && earlier.imageBytes > 0) previousImageBytes = earlier.imageBytes;
    } catch (e) {
      throw new UserError(
        `--history ${a.history}: cannot read a results file there (${errorMessage(e)}); pass the results JSON of an earlier run.`,
      );
    }
  }
  const tty = io.isTTY && !io.env.CI ? ttyReporter(io.stderr) : undefined;
  const reporter = tty ?? lineReporter(io.stderr);
  const { results, resultsFile, runDir } = await up({
    config,
    services: parseServiceList(a.service),
    engine,
    cache,
    reporter,
    env: io.env,
    ...(signal ? { signal } : {}),
    ...(a.results ? { resultsFile: path.resolve(io.cwd, a.results) } : {}),
    ...(a.keepClusterOnFailure ? { keepClusterOnFailure: true } : {}),
    ...(buildParallelism ? { buildParallelism } : {}),
    ...(history ? { history } : {}),
    ...(previousImageBytes ? { previousImageBytes } : {}),
    prepareTools: toolsFor(['kind', 'kubectl'], io, a.noInstall),
  }).finally(() => tty?.stop());
  for (const g of phaseRecap(results)) io.stderr(`── ${g.phase}\n${g.lines.map((l) => `   ${l}`).join('\n')}\n`);
  const wall = fmtDuration(results.endMs - results.startMs);
  io.stdout(`outcome: ${results.outcome} in ${wall}\nresults: ${resultsFile}\n`);
  if (results.outcome === 'success') {
    io.stdout(
      `cluster: ${results.cluster.name}\nkubeconfig: ${results.cluster.kubeconfig}\nrun directory: ${runDir}\nWhen done: hybrid-e2e down --run-dir ${runDir}\n`,
    );
    return 0;
  }
  for (const e of results.errors) io.stderr(`error: ${e}\n`);
  if (results.diagnosticsDir) io.stderr(`diagnostics: ${results.diagnosticsDir}\n`);
  if (results.outcome === 'failure') io.stderr(`Clean up with: hybrid-e2e down --run-dir ${runDir}\n`);
  return results.outcome === 'cancelled' ? 130 : 1;
}

export async function runDownCommand(
  a: { runDir?: string; results?: string; collectCoverage?: string; all?: boolean; config?: string; noInstall?: boolean },
  io: CliIO,
): Promise<number> {
  const reporter = lineReporter(io.stderr);
  // kind is needed only to delete a cluster: it is installed (when missing) only then.
  const kindEnv = toolsFor(['kind'], io, a.noInstall);
  const runDir = runDirFrom(a, io.cwd);
  if (runDir) {
    const { problems } = await down({
      env: io.env,
      runDir,
      reporter,
      kindEnv,
      ...(a.collectCoverage ? { collectCoverage: path.resolve(io.cwd, a.collectCoverage) } : {}),
    });
    return problems.length ? 1 : 0;
  }
  if (a.collectCoverage) throw new UserError('--collect-coverage needs the run: pass --run-dir DIR (or --results FILE).');
  const r = await downStale({ ...(a.all ? {} : { config: configFor(io.cwd, a.config) }), env: io.env, reporter, kindEnv });
  if (r.left.length) {
    const again = `hybrid-e2e down${a.all ? ' --all' : a.config ? ` --config ${a.config}` : ''}`;
    io.stderr(
      `down: not everything could be removed; left:\n${r.left.map((l) => `  ${l}`).join('\n')}\nFix the problem above, then run "${again}" again.\n`,
    );
  }
  return r.problems.length ? 1 : 0;
}
