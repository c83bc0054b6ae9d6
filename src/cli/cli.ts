import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_CONFIG_FILE, errorMessage, loadConfig, parseServiceList, UserError, VERSION } from '../commands/common.js';
import { jsonSchemaText } from '../commands/json-schema.js';
import { serviceDockerfiles } from '../commands/lint.js';
import { plan } from '../commands/plan.js';
import type { CliIO } from './io.js';
import { runDownCommand, runUpCommand } from './up-down.js';

const USAGE = `Usage: hybrid-e2e <command> [options]

Commands:
  up       Build the images, create the kind cluster, load and deploy (hybrid parallel)
  down     Delete what one run created: its cluster, image tags and run directory
  report   Aggregate results files of matrix legs into one PR comment / summary (see hybrid-e2e report --help)
  plan     Print the task graph for the selected services, without running anything
  lint     Check Dockerfiles for package upgrades and base image policy
  schema   Print the JSON Schema of hybrid-e2e.yaml (also shipped as dist/hybrid-e2e.schema.json)
  help     Show this help

Common options:
  -c, --config FILE     Config file (default: ${DEFAULT_CONFIG_FILE})
  -s, --service NAME    Service(s) to select, repeatable or comma-separated (default: all)
      --format FMT      plan: text|json; lint: text|json|sarif|markdown
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
  hybrid-e2e down --run-dir DIR | --results FILE [--collect-coverage DIR]

Lint options:
  hybrid-e2e lint [PATH...] [--config FILE] [--format FMT] [--fix [--dry-run]]

Exit codes: 0 success, 1 failure (or lint errors), 2 usage or config error.
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
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

const FORMATS: Record<string, readonly string[]> = {
  plan: ['text', 'json'],
  lint: ['text', 'json', 'sarif', 'markdown'],
};

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
          },
          io,
          signal,
        );
      case 'down':
        return await runDownCommand(
          {
            ...(values['run-dir'] ? { runDir: values['run-dir'] } : {}),
            ...(values.results ? { results: values.results } : {}),
            ...(values['collect-coverage'] ? { collectCoverage: values['collect-coverage'] } : {}),
          },
          io,
        );
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
