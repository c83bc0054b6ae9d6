import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_CONFIG_FILE, errorMessage, loadConfig, parseServiceList, UserError, VERSION } from '../commands/common.js';
import { localBuilders } from '../commands/compose.js';
import { jsonSchemaText } from '../commands/json-schema.js';
import { serviceDockerfiles } from '../commands/lint.js';
import { plan } from '../commands/plan.js';
import { prune, pruneText } from '../commands/prune.js';
import { runs, runsText } from '../commands/runs.js';
import { installDisabled } from '../commands/tools.js';
import type { CliIO } from './io.js';
import { runDownCommand, runUpCommand } from './up-down.js';

const USAGE = `Usage: hybrid-e2e <command> [options]

Commands:
  up       Build the images, create the kind cluster, load and deploy (hybrid parallel)
  down     Remove what runs created (cluster, image tags, run directory): every stale run of the config here,
           every stale run on this machine (--all), or one run (--run-dir DIR | --results FILE)
  runs     List the runs on this machine: started, process alive or gone, cluster, image tags, disk used
  prune    Remove every image hybrid-e2e made that no live run uses, and say how much that freed
  report   Aggregate results files of matrix legs into one PR comment / summary (see hybrid-e2e report --help)
  plan     Print the task graph for the selected services, without running anything
  lint     Check Dockerfiles for package upgrades and base image policy
  schema   Print the JSON Schema of hybrid-e2e.yaml (also shipped as dist/hybrid-e2e.schema.json)
  help     Show this help

Common options:
  -c, --config FILE     Config file (default: ${DEFAULT_CONFIG_FILE})
  -s, --service NAME    Service(s) to select, repeatable or comma-separated (default: all)
      --format FMT      plan: text|json; lint: text|json|sarif|markdown
      --no-install      up, down: never download kind or kubectl when they are missing (also HYBRID_E2E_NO_INSTALL=1)
  -h, --help            Show help for a command
  -v, --version         Print the version

Up options:
      --results FILE            Where to write the results JSON (default: a run-unique file in the temp dir)
      --engine auto|docker|podman
      --cache local|gha|registry|none   (default: local)
      --build-parallelism N     Concurrent builds (default: derived from CPUs and free memory)
      --keep-cluster-on-failure Keep the cluster after a failure, for debugging
      --history FILE            Results of an earlier run: task durations for cluster.start: predictive

Down options:
  hybrid-e2e down [--config FILE]   every run of that config (default: ./${DEFAULT_CONFIG_FILE}) whose process is gone;
                                    a live run is left alone
  hybrid-e2e down --all             every run on this machine whose process is gone
  hybrid-e2e down --run-dir DIR | --results FILE [--collect-coverage DIR]   one run
  A removal that fails keeps the run's record and exits 1 with what is left: run the same down again.

Runs and prune options:
  hybrid-e2e runs [--json] [--engine auto|docker|podman]
  hybrid-e2e prune [--dry-run] [--engine auto|docker|podman]   (auto: every engine that answers)

kind and kubectl come from PATH. When one is missing, up and down download the pinned release, check its sha256,
and keep it in $XDG_CACHE_HOME/hybrid-e2e/tools (default ~/.cache/hybrid-e2e/tools); HYBRID_E2E_KIND_BASE_URL and
HYBRID_E2E_KUBECTL_BASE_URL point the download at a mirror.

Lint options:
  hybrid-e2e lint [PATH...] [--config FILE] [--format FMT] [--fix [--dry-run]]

Exit codes: 0 success, 1 failure (lint errors; down or prune could not remove everything), 2 usage or config error.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  service: { type: 'string', short: 's', multiple: true },
  format: { type: 'string' },
  fix: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  results: { type: 'string' },
  engine: { type: 'string' },
  cache: { type: 'string' },
  'build-parallelism': { type: 'string' },
  'keep-cluster-on-failure': { type: 'boolean' },
  'run-dir': { type: 'string' },
  history: { type: 'string' },
  'collect-coverage': { type: 'string' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
  'no-install': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

const FORMATS: Record<string, readonly string[]> = {
  plan: ['text', 'json'],
  lint: ['text', 'json', 'sarif', 'markdown'],
};

function engineOf(v: string | undefined): 'auto' | 'docker' | 'podman' {
  if (v === undefined || v === 'auto' || v === 'docker' || v === 'podman') return v ?? 'auto';
  throw new UserError(`--engine "${v}": use one of auto, docker, podman.`);
}

/** Runs the CLI; returns the exit code. Never throws for user error. */
export async function runCli(argv: readonly string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  if (argv[0] === 'report') {
    // `report` has options of its own (repeatable --results PATH, --markdown, --summary, ...).
    try {
      const { runReportCommand } = await import('./report-args.js');
      return await runReportCommand(argv.slice(1), io);
    } catch (e) {
      if (e instanceof UserError) {
        io.stderr(`hybrid-e2e report: ${e.message}\n`);
        return e.exitCode;
      }
      io.stderr(
        `hybrid-e2e report: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nPlease report this as a bug.\n`,
      );
      return 1;
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.stderr(`hybrid-e2e: ${errorMessage(e).replace(/\. To specify.*$/s, '')}\nRun "hybrid-e2e help" for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`hybrid-e2e ${VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (!command || command === 'help' || values.help) {
    io.stdout(USAGE);
    return command || values.help ? 0 : 2;
  }
  const noInstall = Boolean(values['no-install']) || installDisabled(io.env);
  const formats = FORMATS[command];
  if (values.format && formats && !formats.includes(values.format)) {
    io.stderr(`hybrid-e2e ${command}: unknown format "${values.format}"; use one of ${formats.join(', ')}.\n`);
    return 2;
  }
  try {
    switch (command) {
      case 'plan': {
        if (rest.length)
          throw new UserError(`plan takes no positional arguments (got "${rest.join(' ')}"); select services with --service.`);
        const p = plan(loadConfig(values.config ?? DEFAULT_CONFIG_FILE, { cwd: io.cwd }), parseServiceList(values.service));
        io.stdout(values.format === 'json' ? JSON.stringify(p.plan, null, 2) + '\n' : p.text);
        return 0;
      }
      case 'lint': {
        let dockerfiles: string[] | undefined;
        let policy;
        if (values.config) {
          const config = loadConfig(values.config, { cwd: io.cwd });
          dockerfiles = serviceDockerfiles(config, parseServiceList(values.service));
          policy = config.compliance;
        }
        const { runLint } = await import('../commands/lint.js');
        return await runLint(
          {
            paths: rest,
            ...(dockerfiles ? { serviceDockerfiles: dockerfiles } : {}),
            format: (values.format ?? 'text') as 'text' | 'json' | 'sarif' | 'markdown',
            fix: Boolean(values.fix),
            dryRun: Boolean(values['dry-run']),
            ...(policy ? { policy } : {}),
          },
          io,
        );
      }
      case 'up':
        return await runUpCommand(
          {
            config: values.config ?? DEFAULT_CONFIG_FILE,
            ...(values.service ? { service: values.service } : {}),
            ...(values.results ? { results: values.results } : {}),
            ...(values.engine ? { engine: values.engine } : {}),
            ...(values.cache ? { cache: values.cache } : {}),
            ...(values['build-parallelism'] ? { buildParallelism: values['build-parallelism'] } : {}),
            ...(values['keep-cluster-on-failure'] ? { keepClusterOnFailure: true } : {}),
            ...(values.history ? { history: values.history } : {}),
            ...(noInstall ? { noInstall: true } : {}),
          },
          io,
          signal,
        );
      case 'down': {
        if (rest.length)
          throw new UserError(`down takes no positional arguments (got "${rest.join(' ')}"); name a run with --run-dir DIR.`);
        const one = values['run-dir'] ?? values.results;
        if (values.all && (one || values.config))
          throw new UserError(
            `--all removes every stale run on this machine; leave out ${one ? (values['run-dir'] ? '--run-dir' : '--results') : '--config'}, or drop --all.`,
          );
        if (one && values.config) throw new UserError('--config picks the runs of a config; with --run-dir or --results leave it out.');
        return await runDownCommand(
          {
            ...(values['run-dir'] ? { runDir: values['run-dir'] } : {}),
            ...(values.results ? { results: values.results } : {}),
            ...(values['collect-coverage'] ? { collectCoverage: values['collect-coverage'] } : {}),
            ...(values.all ? { all: true } : {}),
            ...(values.config ? { config: values.config } : {}),
            ...(noInstall ? { noInstall: true } : {}),
          },
          io,
        );
      }
      case 'runs': {
        if (rest.length) throw new UserError(`runs takes no positional arguments (got "${rest.join(' ')}").`);
        const { builders, problems } = await localBuilders(engineOf(values.engine), io.env);
        const report = await runs({ env: io.env, builders });
        // With auto, an engine that is not installed is no news; one that was asked for is.
        if (values.engine && values.engine !== 'auto') report.problems.push(...problems);
        io.stdout(values.json ? JSON.stringify(report, null, 2) + '\n' : runsText(report, io.cwd));
        return 0;
      }
      case 'prune': {
        if (rest.length) throw new UserError(`prune takes no positional arguments (got "${rest.join(' ')}").`);
        const { builders, problems } = await localBuilders(engineOf(values.engine), io.env);
        if (!builders.length) {
          io.stderr(`hybrid-e2e prune: no image engine answers:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
          return 1;
        }
        const r = await prune({ builders, env: io.env, dryRun: Boolean(values['dry-run']) });
        io.stdout(pruneText(r));
        for (const p of r.problems) io.stderr(`hybrid-e2e prune: ${p}\n`);
        return r.problems.length ? 1 : 0;
      }
      case 'schema':
        io.stdout(jsonSchemaText());
        return 0;
      default:
        io.stderr(`hybrid-e2e: unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`hybrid-e2e ${command}: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(
      `hybrid-e2e ${command}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nPlease report this as a bug.\n`,
    );
    return 1;
  }
}
