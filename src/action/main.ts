import * as core from '@actions/core';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../core/config/load.js';
import { buildPlan, parseServiceList, renderPlanText } from '../core/plan/graph.js';
import { UserError, errorMessage } from '../core/errors.js';
import { lineReporter, phaseRecap } from '../core/report.js';
import { upSession } from '../core/engine/session.js';
import { runDown } from '../core/engine/down.js';
import { historyFromResults } from '../core/engine/predict.js';
import type { Results } from '../core/engine/results.js';
import { lintFiles } from '../core/compliance/index.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { annotate, budgetsOf, postComment, restoreBaseline, saveBaseline, unwaivedErrors, writeSummary } from './report.js';
import {
  artifactName,
  artifactStoreFor,
  DIAGNOSTICS_ARTIFACT_PREFIX,
  filesUnder,
  legName,
  RESULTS_ARTIFACT_PREFIX,
  type ArtifactStore,
} from './artifacts.js';
import { setupTools } from './tools.js';
import { buildOnce } from './build.js';
import { blobBase, readRunContext, type RunContext } from '../adapters/github.js';
import { baselineStoreFor } from '../adapters/github-baseline.js';
import { commentMarker, dedupeFindings, renderComment, renderLintComment, renderMatrixSummary, type Leg } from '../render/comment.js';
import {
  DEFAULT_BUDGETS,
  renderComplianceTable,
  renderSummary,
  unwaivedErrorCount,
  type Baseline,
  type ToolVersion,
} from '../render/summary.js';
import { renderLintText } from '../render/lint-text.js';
import { loadLegs, RESULTS_FILE_NAME, withExpectedLegs } from '../cli/report.js';

export const STATE_RUN_DIR = 'run-dir';
export const STATE_KEEP = 'keep-cluster';

/** Services of the reusable workflow's default matrix: those with `e2e: true`, else every service. */
export function e2eServices(loaded: LoadedConfig): string[] {
  const flagged = buildPlan(loaded).e2eServices;
  return flagged.length ? flagged : Object.keys(loaded.services);
}

/** The action's main step. Every user error becomes a failed step with a clear message, never a stack trace. */
export async function runAction(signal?: AbortSignal): Promise<void> {
  try {
    const inputs = readInputs();
    const cwd = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const ctx = readRunContext();
    const services = parseServiceList(inputs.services);
    switch (inputs.command) {
      case 'plan': {
        const loaded = loadConfig(inputs.config, { cwd });
        const plan = buildPlan(loaded, services);
        core.info(renderPlanText(plan, loaded));
        core.setOutput('plan', JSON.stringify(plan));
        core.setOutput('cluster-name', plan.cluster.baseName);
        core.setOutput('services', JSON.stringify(services.length ? services : e2eServices(loaded)));
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
        const runDir = core.getState(STATE_RUN_DIR);
        if (!runDir) throw new UserError('command "down" found no run of this job to remove (run "up" earlier in the same job).');
        await runDown({ runDir, reporter: lineReporter((s) => process.stdout.write(s)) });
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

async function upStep(inputs: ActionInputs, ctx: RunContext, cwd: string, services: string[], signal?: AbortSignal): Promise<void> {
  const loaded = loadConfig(inputs.config, { cwd });
  const tools = await setupTools({ kind: inputs.kindVersion, kubectl: inputs.kubectlVersion }, process.env);
  const leg = legName(services);
  const baselines = baselineStoreFor(process.env);
  const baseline = await restoreBaseline(baselines, ctx, leg);
  const reporter = lineReporter((s) => process.stdout.write(s));
  const { results, resultsFile, runDir } = await upSession({
    loaded,
    services,
    engine: inputs.engine,
    cache: inputs.cache,
    reporter,
    env: process.env,
    ...(signal ? { signal } : {}),
    ...(inputs.keepClusterOnFailure ? { keepClusterOnFailure: true } : {}),
    ...(baseline ? { history: historyFromResults(baseline.results) } : {}),
    onState: (s) => core.saveState(STATE_RUN_DIR, s.runDir),
  });
  core.saveState(STATE_RUN_DIR, runDir);
  // The live log interleaves phases (there is no barrier); then one collapsible group per phase recaps its tasks.
  for (const g of phaseRecap(results)) {
    core.startGroup(`${g.phase}: ${g.lines.length} task(s)`);
    for (const l of g.lines) core.info(l);
    core.endGroup();
  }
  const findings = results.compliance?.findings ?? [];
  annotate(findings, loaded.workspace, loaded.workspace);
  const violations = unwaivedErrors(findings);
  core.setOutput('violations', String(violations));
  core.setOutput('results-file', resultsFile);
  core.setOutput('cluster-name', results.cluster.name);
  core.setOutput('kubeconfig', results.cluster.kubeconfig);
  core.setOutput('setup-seconds', ((results.endMs - results.startMs) / 1000).toFixed(1));

  await publishRun(inputs, ctx, loaded, leg, services, results, baseline, tools);
  await saveBaseline(baselines, ctx, leg, results);
  await uploadLeg(artifactStoreFor(process.env), leg, resultsFile, results);

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

/** Summary and (unless `comment: false`) the sticky comment of one run. */
async function publishRun(
  inputs: ActionInputs,
  ctx: RunContext,
  loaded: LoadedConfig,
  leg: string,
  services: string[],
  results: Results,
  baseline: Baseline | undefined,
  tools: ToolVersion[],
): Promise<void> {
  const base = blobBase(ctx);
  const budgets = budgetsOf(loaded);
  const threshold = loaded.config.report.regressionThreshold;
  let md = renderSummary(results, {
    budgets,
    regressionThreshold: threshold,
    ...(base ? { blobBase: base } : {}),
    ...(baseline ? { baseline } : {}),
    ...(tools.length ? { tools } : {}),
    ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
  });
  if (inputs.comment) {
    const marker = commentMarker(ctx.workflow, `${ctx.job}/up${services.length ? `/${leg}` : ''}`);
    const body = renderComment([{ name: leg, results, ...(baseline ? { baseline } : {}) }], {
      marker,
      budgets,
      regressionThreshold: threshold,
      ...(base ? { blobBase: base } : {}),
      ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
    });
    const out = await postComment(ctx, inputs.githubToken, marker, body);
    if (out.note) md += `\n${out.note}`;
  }
  await writeSummary(md);
}

/** Uploads the leg's results (and diagnostics after a failure) for the report job; never fails the step. */
async function uploadLeg(store: ArtifactStore | undefined, leg: string, resultsFile: string, results: Results): Promise<void> {
  if (!store) {
    core.info('hybrid-e2e: no artifact service (not on a GitHub runner); results stay in the results file.');
    return;
  }
  const name = artifactName(RESULTS_ARTIFACT_PREFIX, leg);
  const staging = path.join(process.env.RUNNER_TEMP ?? path.dirname(resultsFile), `hybrid-e2e-upload-${process.pid}`, name);
  try {
    mkdirSync(staging, { recursive: true });
    copyFileSync(resultsFile, path.join(staging, RESULTS_FILE_NAME));
    await store.upload(name, [path.join(staging, RESULTS_FILE_NAME)], staging);
    core.info(`hybrid-e2e: uploaded the results as artifact ${name}`);
    if (results.diagnosticsDir && existsSync(results.diagnosticsDir)) {
      const diag = artifactName(DIAGNOSTICS_ARTIFACT_PREFIX, leg);
      const files = filesUnder(results.diagnosticsDir);
      if (files.length) {
        await store.upload(diag, files, results.diagnosticsDir);
        core.info(`hybrid-e2e: uploaded the diagnostics as artifact ${diag}`);
      }
    }
  } catch (e) {
    core.warning(`hybrid-e2e: could not upload the results artifact ${name}: ${errorMessage(e)}`);
  } finally {
    rmSync(path.dirname(staging), { recursive: true, force: true });
  }
}

/** Build-once: every image of the selected services, saved as tarballs for the matrix legs (output images-dir). */
async function buildStep(inputs: ActionInputs, cwd: string, services: string[], signal?: AbortSignal): Promise<void> {
  const loaded = loadConfig(inputs.config, { cwd });
  const imagesDir = path.join(process.env.RUNNER_TEMP ?? (await import('node:os')).tmpdir(), 'hybrid-e2e-images');
  const r = await buildOnce({
    loaded,
    services,
    engine: inputs.engine,
    cache: inputs.cache,
    reporter: lineReporter((s) => process.stdout.write(s)),
    env: process.env,
    imagesDir,
    ...(signal ? { signal } : {}),
    onState: (s) => core.saveState(STATE_RUN_DIR, s.runDir),
  });
  core.saveState(STATE_RUN_DIR, r.runDir);
  core.setOutput('images-dir', imagesDir);
  const saved = Object.entries(r.tarballs);
  let md = renderSummary(r.results, { budgets: { build: budgetsOf(loaded).build ?? DEFAULT_BUDGETS.build! }, title: 'hybrid-e2e build' });
  md += `\n${saved.length} image(s) saved for the matrix legs in \`${imagesDir}\`: ${saved.map(([s]) => `\`${s}\``).join(', ') || 'none'}.\n`;
  await writeSummary(md);
  if (r.errors.length) core.setFailed(`hybrid-e2e build failed:\n${r.errors.join('\n')}`);
}

async function lintStep(inputs: ActionInputs, ctx: RunContext, cwd: string, services: string[]): Promise<void> {
  const loaded = loadConfig(inputs.config, { cwd });
  const dockerfiles = buildPlan(loaded, services).services.flatMap((n) =>
    loaded.services[n]!.build ? [loaded.services[n]!.build!.dockerfile] : [],
  );
  const report = await lintFiles(dockerfiles, {
    cwd: loaded.workspace,
    ...(loaded.config.compliance ? { policy: loaded.config.compliance } : {}),
  });
  annotate(report.findings, loaded.workspace, loaded.workspace);
  const violations = unwaivedErrors(report.findings);
  core.setOutput('violations', String(violations));
  core.info(renderLintText(report, { color: false }));
  const base = blobBase(ctx);
  let md = `## hybrid-e2e lint: ${violations} error(s), ${report.findings.length} finding(s) in ${report.files} Dockerfile(s)\n\n${renderComplianceTable(report.findings, base)}\n`;
  if (inputs.comment) {
    const marker = commentMarker(ctx.workflow, `${ctx.job}/lint${services.length ? `/${legName(services)}` : ''}`);
    const out = await postComment(
      ctx,
      inputs.githubToken,
      marker,
      renderLintComment(report, { marker, ...(base ? { blobBase: base } : {}), ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}) }),
    );
    if (out.note) md += `\n${out.note}`;
  }
  await writeSummary(md);
  if (inputs.failOnViolation && violations > 0)
    core.setFailed(`${violations} unwaived Dockerfile compliance error(s); see the annotations.`);
}

/** Config for the report job: optional (the job may not check out the repository); defaults otherwise. */
function reportConfig(inputs: ActionInputs, cwd: string): LoadedConfig | undefined {
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

/** Downloads every `hybrid-e2e-results-*` artifact of this run (or of the triggering run, on workflow_run). */
async function downloadLegs(inputs: ActionInputs, ctx: RunContext): Promise<string | undefined> {
  const find =
    ctx.workflowRun && ctx.owner && ctx.repo && inputs.githubToken
      ? { token: inputs.githubToken, workflowRunId: ctx.workflowRun.id, repositoryOwner: ctx.owner, repositoryName: ctx.repo }
      : undefined;
  const store = artifactStoreFor(process.env, find);
  if (!store)
    throw new UserError(
      'command "report" found no artifact service (run it on a GitHub runner) and no "results" input: give it the results files or directories to aggregate.',
    );
  const names = await store.list(RESULTS_ARTIFACT_PREFIX);
  const root = path.join(process.env.RUNNER_TEMP ?? (await import('node:os')).tmpdir(), `hybrid-e2e-report-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  for (const n of names) {
    try {
      await store.download(n, path.join(root, n));
    } catch (e) {
      core.warning(`hybrid-e2e report: could not download artifact ${n}: ${errorMessage(e)}`);
    }
  }
  core.info(
    `hybrid-e2e report: ${names.length} results artifact(s)${find ? ` of run ${find.workflowRunId}` : ''}: ${names.join(', ') || '(none)'}`,
  );
  return names.length ? root : undefined;
}

async function reportStep(inputs: ActionInputs, ctx: RunContext, cwd: string, expected: string[]): Promise<void> {
  const loaded = reportConfig(inputs, cwd);
  const budgets = loaded ? budgetsOf(loaded) : DEFAULT_BUDGETS;
  const threshold = loaded?.config.report.regressionThreshold ?? 0.2;
  const specs = inputs.results.length ? inputs.results : [await downloadLegs(inputs, ctx)].filter((x): x is string => Boolean(x));
  const found = specs.length ? loadLegs(specs, cwd) : [];
  const legs: Leg[] = withExpectedLegs(found, expected);
  const baselines = baselineStoreFor(process.env);
  for (const l of legs) {
    if (!l.results) continue;
    const b = await restoreBaseline(baselines, ctx, l.name);
    if (b) l.baseline = b;
  }
  const base = blobBase(ctx);
  const opts = {
    budgets,
    regressionThreshold: threshold,
    ...(base ? { blobBase: base } : {}),
    ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
  };
  const findings = dedupeFindings(legs.map((l) => l.results?.compliance?.findings ?? []));
  core.setOutput('violations', String(unwaivedErrorCount(findings)));
  if (!legs.length) {
    core.warning('hybrid-e2e report: no results to report (no leg uploaded any, and no "service" input names the expected legs).');
    await writeSummary('## hybrid-e2e report\n\nNo results: no matrix leg uploaded a `hybrid-e2e-results-*` artifact.\n');
    return;
  }
  let md = renderMatrixSummary(legs, opts);
  if (inputs.comment) {
    const marker = commentMarker(ctx.workflow, `${ctx.job}/report`);
    const out = await postComment(ctx, inputs.githubToken, marker, renderComment(legs, { ...opts, marker }));
    if (out.note) md += `\n${out.note}`;
  }
  await writeSummary(md);
  const failed = legs.filter((l) => l.results?.outcome !== 'success');
  core.info(
    `hybrid-e2e report: ${legs.length - failed.length}/${legs.length} legs passed${failed.length ? `; failed or missing: ${failed.map((l) => l.name).join(', ')}` : ''}`,
  );
}
