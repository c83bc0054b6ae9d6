/**
 * The action's main step: reads the inputs, runs the command's use case (src/commands), and writes what it returns
 * with @actions/core (outputs, the job summary, annotations, the step's failure). `run()` is what `index.ts` calls
 * and what `npx @github/local-action` runs.
 */
import * as core from '@actions/core';
import path from 'node:path';
import { buildOnce } from '../commands/build-once.js';
import {
  DEFAULT_REPORT,
  errorMessage,
  historyFromResults,
  loadConfig,
  parseServiceList,
  phaseRecap,
  renderLintText,
  tempRoot,
  unwaivedErrorCount,
  UserError,
  type ResolvedConfig,
} from '../commands/common.js';
import { down } from '../commands/down.js';
import {
  annotationsFor,
  buildSummary,
  downloadLegs,
  publishLint,
  publishReport,
  publishUp,
  readRunContext,
  restoreBaseline,
  saveBaseline,
  uploadLeg,
  type GitHubLog,
  type RunContext,
} from '../commands/github-publish.js';
import { lintServices } from '../commands/lint.js';
import { localCacheKey, restoreLocalCache, saveLocalCache } from '../commands/local-cache.js';
import { plan } from '../commands/plan.js';
import { lineReporter } from '../commands/progress.js';
import { legName, loadLegs, withExpectedLegs } from '../commands/report.js';
import { setupTools } from '../commands/tools.js';
import { up } from '../commands/up.js';
import type { Finding } from '../core/compliance/lint-files.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { stepState } from './step-state.js';

const log: GitHubLog = { info: (l) => core.info(l), warning: (l) => core.warning(l) };
const reporter = () => lineReporter((s) => process.stdout.write(s));

/** Runs the action. Every user error becomes a failed step with a clear message, never a stack trace. */
export async function run(signal?: AbortSignal): Promise<void> {
  try {
    const inputs = readInputs();
    const cwd = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const ctx = readRunContext();
    const services = parseServiceList(inputs.services);
    switch (inputs.command) {
      case 'plan': {
        const p = plan(loadConfig(inputs.config, { cwd }), services);
        core.info(p.text);
        core.setOutput('plan', JSON.stringify(p.plan));
        core.setOutput('cluster-name', p.plan.cluster.baseName);
        core.setOutput('services', JSON.stringify(p.matrix));
        return;
      }
      case 'up':
        return await upStep(inputs, ctx, cwd, services, signal);
      case 'lint':
        return await lintStep(inputs, ctx, cwd, services);
      case 'report':
        return await reportStep(inputs, ctx, cwd, services);
      case 'build':
        return await buildStep(inputs, cwd, services, signal);
      case 'down': {
        const runDir = stepState.runDir();
        if (!runDir) throw new UserError('command "down" found no run of this job to remove (run "up" earlier in the same job).');
        await down({ runDir, env: process.env, reporter: reporter() });
        return;
      }
      default:
        throw new UserError(
          `command "${inputs.command as string}" is not available in this version of the action; use up, lint, plan, down, report or build.`,
        );
    }
  } catch (e) {
    if (e instanceof UserError) core.setFailed(e.message);
    else core.setFailed(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : errorMessage(e)}`);
  }
}

function annotate(findings: Finding[], config: ResolvedConfig): void {
  const set = annotationsFor(findings, config.workspace, config.workspace);
  for (const a of set.annotations) {
    const props = { file: a.file, startLine: a.startLine, endLine: a.endLine, title: a.title };
    if (a.level === 'error') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }
  if (set.summary) core.info(set.summary);
}

/** Appends markdown to the job summary file (no-op outside a runner). */
async function writeSummary(md: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(md.endsWith('\n') ? md : `${md}\n`).write();
}

async function upStep(inputs: ActionInputs, ctx: RunContext, cwd: string, services: string[], signal?: AbortSignal): Promise<void> {
  const config = loadConfig(inputs.config, { cwd });
  const tools = await setupTools({ kind: inputs.kindVersion, kubectl: inputs.kubectlVersion }, process.env, {
    info: (l) => core.info(l),
    addPath: (d) => core.addPath(d),
  });
  const leg = legName(services);
  const baseline = await restoreBaseline(ctx, leg, process.env, log);
  // The local cache lives in RUNNER_TEMP and is carried between runs by the Actions cache.
  const cacheDir = path.join(tempRoot(process.env), 'hybrid-e2e-cache');
  const platform = `${process.platform}/${process.arch}`;
  const restoredCache = inputs.cache === 'local' ? await restoreLocalCache(cacheDir, platform, process.env, log) : undefined;
  const { results, resultsFile, runDir } = await up({
    config,
    services,
    engine: inputs.engine,
    cache: inputs.cache,
    reporter: reporter(),
    env: process.env,
    ...(signal ? { signal } : {}),
    ...(inputs.keepClusterOnFailure ? { keepClusterOnFailure: true } : {}),
    ...(baseline ? { history: historyFromResults(baseline.results) } : {}),
    cacheDir,
    onState: (s) => stepState.saveRunDir(s.runDir),
  });
  stepState.saveRunDir(runDir);
  if (inputs.cache === 'local' && results.outcome === 'success') {
    await saveLocalCache(cacheDir, localCacheKey(results, platform), restoredCache, process.env, log);
  }
  // The live log interleaves phases (there is no barrier); then one collapsible group per phase recaps its tasks.
  for (const g of phaseRecap(results)) {
    core.startGroup(`${g.phase}: ${g.lines.length} task(s)`);
    for (const l of g.lines) core.info(l);
    core.endGroup();
  }
  const findings = results.compliance?.findings ?? [];
  annotate(findings, config);
  const violations = unwaivedErrorCount(findings);
  core.setOutput('violations', String(violations));
  core.setOutput('results-file', resultsFile);
  core.setOutput('cluster-name', results.cluster.name);
  core.setOutput('kubeconfig', results.cluster.kubeconfig);
  core.setOutput('setup-seconds', ((results.endMs - results.startMs) / 1000).toFixed(1));

  const { githubToken: token, comment } = inputs;
  await writeSummary(
    await publishUp({ ctx, token, comment, config, leg, services, results, tools, log, ...(baseline ? { baseline } : {}) }),
  );
  await saveBaseline(ctx, leg, results, process.env, log);
  await uploadLeg(process.env, leg, resultsFile, results, log);

  if (results.outcome !== 'success') {
    core.setFailed(
      `hybrid-e2e up ${results.outcome}:\n${results.errors.join('\n')}${results.diagnosticsDir ? `\ndiagnostics: ${results.diagnosticsDir}` : ''}`,
    );
    return;
  }
  core.exportVariable('KUBECONFIG', results.cluster.kubeconfig);
  if (inputs.failOnViolation && violations > 0)
    core.setFailed(`${violations} unwaived Dockerfile compliance error(s) (fail-on-violation is on); see the annotations.`);
}

/** Build-once: every image of the selected services, saved as tarballs for the matrix legs (output images-dir). */
async function buildStep(inputs: ActionInputs, cwd: string, services: string[], signal?: AbortSignal): Promise<void> {
  const config = loadConfig(inputs.config, { cwd });
  const imagesDir = path.join(tempRoot(process.env), 'hybrid-e2e-images');
  const r = await buildOnce({
    config,
    services,
    engine: inputs.engine,
    cache: inputs.cache,
    reporter: reporter(),
    env: process.env,
    imagesDir,
    ...(signal ? { signal } : {}),
    onState: (s) => stepState.saveRunDir(s.runDir),
  });
  stepState.saveRunDir(r.runDir);
  core.setOutput('images-dir', imagesDir);
  await writeSummary(buildSummary(config, r.results, imagesDir, r.tarballs));
  if (r.errors.length) core.setFailed(`hybrid-e2e build failed:\n${r.errors.join('\n')}`);
}

async function lintStep(inputs: ActionInputs, ctx: RunContext, cwd: string, services: string[]): Promise<void> {
  const config = loadConfig(inputs.config, { cwd });
  const report = (await lintServices(config, services)) ?? { files: 0, findings: [] };
  annotate(report.findings, config);
  const violations = unwaivedErrorCount(report.findings);
  core.setOutput('violations', String(violations));
  core.info(renderLintText(report, { color: false }));
  await writeSummary(
    await publishLint({ ctx, token: inputs.githubToken, comment: inputs.comment, report, services, leg: legName(services), log }),
  );
  if (inputs.failOnViolation && violations > 0)
    core.setFailed(`${violations} unwaived Dockerfile compliance error(s); see the annotations.`);
}

/** Config for the report job: optional (the job may not check out the repository); defaults otherwise. */
function reportConfig(inputs: ActionInputs, cwd: string): ResolvedConfig | undefined {
  try {
    return loadConfig(inputs.config, { cwd });
  } catch (e) {
    if (e instanceof UserError && /config file not found/.test(e.message)) {
      core.info(`hybrid-e2e report: ${inputs.config} not found; using the default budgets (setup 6m, build 3m).`);
      return undefined;
    }
    throw e;
  }
}

async function reportStep(inputs: ActionInputs, ctx: RunContext, cwd: string, expected: string[]): Promise<void> {
  const config = reportConfig(inputs, cwd);
  const dest = path.join(tempRoot(process.env), `hybrid-e2e-report-${process.pid}`);
  const specs = inputs.results.length
    ? inputs.results
    : [await downloadLegs(ctx, inputs.githubToken, process.env, dest, log)].filter((x): x is string => Boolean(x));
  const legs = withExpectedLegs(specs.length ? loadLegs(specs, cwd) : [], expected);
  if (!legs.length) {
    core.setOutput('violations', '0');
    core.warning('hybrid-e2e report: no results to report (no leg uploaded any, and no "service" input names the expected legs).');
    await writeSummary('## hybrid-e2e report\n\nNo results: no matrix leg uploaded a `hybrid-e2e-results-*` artifact.\n');
    return;
  }
  const r = await publishReport({
    ctx,
    token: inputs.githubToken,
    comment: inputs.comment,
    report: config?.report ?? DEFAULT_REPORT,
    legs,
    env: process.env,
    log,
  });
  core.setOutput('violations', String(r.violations));
  await writeSummary(r.summary);
  core.info(
    `hybrid-e2e report: ${legs.length - r.failed.length}/${legs.length} legs passed${r.failed.length ? `; failed or missing: ${r.failed.map((l) => l.name).join(', ')}` : ''}`,
  );
}
