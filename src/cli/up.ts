import { loadConfig } from '../core/config/load.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError, errorMessage } from '../core/errors.js';
import { parseServiceList } from '../core/plan/graph.js';
import { lineReporter, phaseRecap, ttyReporter } from '../core/report.js';
import { upSession } from '../core/engine/session.js';
import { runDown } from '../core/engine/down.js';
import { formatSeconds } from '../core/duration.js';
import { historyFromResults } from '../core/engine/predict.js';
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
}

function pick<T extends string>(flag: string, v: string | undefined, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UserError(`--${flag} "${v}": use one of ${allowed.join(', ')}.`);
}

export async function runUpCommand(a: UpArgs, io: CliIO, signal?: AbortSignal): Promise<number> {
  const loaded = loadConfig(a.config, { cwd: io.cwd });
  const engine = pick('engine', a.engine, ['auto', 'docker', 'podman'] as const, 'auto');
  const cache = pick('cache', a.cache, ['gha', 'local', 'registry', 'none'] as const, 'local');
  let buildParallelism: number | undefined;
  if (a.buildParallelism !== undefined) {
    buildParallelism = Number(a.buildParallelism);
    if (!Number.isInteger(buildParallelism) || buildParallelism < 1)
      throw new UserError(`--build-parallelism "${a.buildParallelism}": use a whole number ≥ 1.`);
  }
  let history: Record<string, number> | undefined;
  if (a.history) {
    try {
      history = historyFromResults(JSON.parse(readFileSync(path.resolve(io.cwd, a.history), 'utf8')) as Results);
    } catch (e) {
      throw new UserError(
        `--history ${a.history}: cannot read a results file there (${errorMessage(e)}); pass the results JSON of an earlier run.`,
      );
    }
  }
  const tty = io.isTTY && !io.env.CI ? ttyReporter(io.stderr) : undefined;
  const reporter = tty ?? lineReporter(io.stderr);
  const { results, resultsFile, runDir } = await upSession({
    loaded,
    services: parseServiceList(a.service),
    engine,
    cache,
    reporter,
    env: io.env,
    ...(signal ? { signal } : {}),
    ...(a.results ? { resultsFile: a.results } : {}),
    ...(a.keepClusterOnFailure ? { keepClusterOnFailure: true } : {}),
    ...(buildParallelism ? { buildParallelism } : {}),
    ...(history ? { history } : {}),
  }).finally(() => tty?.stop());
  for (const g of phaseRecap(results)) io.stderr(`── ${g.phase}\n${g.lines.map((l) => `   ${l}`).join('\n')}\n`);
  const wall = formatSeconds(results.endMs - results.startMs);
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

export async function runDownCommand(a: { runDir?: string; results?: string; collectCoverage?: string }, io: CliIO): Promise<number> {
  let runDir = a.runDir;
  if (!runDir && a.results) {
    try {
      runDir = (JSON.parse(readFileSync(path.resolve(io.cwd, a.results), 'utf8')) as { runDir?: string }).runDir;
    } catch (e) {
      throw new UserError(`cannot read results file ${a.results}: ${errorMessage(e)}`);
    }
  }
  if (!runDir) throw new UserError('down needs --run-dir DIR or --results FILE (both printed by "hybrid-e2e up").');
  const { problems } = await runDown({
    env: { ...process.env, ...io.env },
    runDir: path.resolve(io.cwd, runDir),
    reporter: lineReporter(io.stderr),
    ...(a.collectCoverage ? { collectCoverage: a.collectCoverage } : {}),
  });
  return problems.length ? 1 : 0;
}
