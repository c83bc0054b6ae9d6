import * as core from '@actions/core';
import { loadConfig } from '../core/config/load.js';
import { buildPlan, parseServiceList, renderPlanText } from '../core/plan/graph.js';
import { UserError, errorMessage } from '../core/errors.js';
import { lineReporter } from '../core/report.js';
import { upSession } from '../core/engine/session.js';
import { runDown } from '../core/engine/down.js';
import { readInputs } from './inputs.js';
import { annotate, unwaivedErrors, writeJobSummary } from './report.js';
import { lintFiles } from '../core/compliance/index.js';
import { renderComplianceTable } from '../render/summary.js';
import { blobBase, readRunContext } from '../adapters/github.js';
import { renderLintText } from '../render/lint-text.js';

export const STATE_RUN_DIR = 'run-dir';
export const STATE_KEEP = 'keep-cluster';

/** The action's main step. Every user error becomes a failed step with a clear message, never a stack trace. */
export async function runAction(signal?: AbortSignal): Promise<void> {
  try {
    const inputs = readInputs();
    const cwd = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const loaded = loadConfig(inputs.config, { cwd });
    const services = parseServiceList(inputs.services);
    switch (inputs.command) {
      case 'plan': {
        const plan = buildPlan(loaded, services);
        core.info(renderPlanText(plan, loaded));
        core.setOutput('plan', JSON.stringify(plan));
        core.setOutput('cluster-name', plan.cluster.baseName);
        return;
      }
      case 'up': {
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
          onState: (s) => core.saveState(STATE_RUN_DIR, s.runDir),
        });
        core.saveState(STATE_RUN_DIR, runDir);
        const findings = results.compliance?.findings ?? [];
        annotate(findings, loaded.workspace, loaded.workspace);
        const violations = unwaivedErrors(findings);
        core.setOutput('violations', String(violations));
        await writeJobSummary(results, loaded);
        core.setOutput('results-file', resultsFile);
        core.setOutput('cluster-name', results.cluster.name);
        core.setOutput('kubeconfig', results.cluster.kubeconfig);
        core.setOutput('setup-seconds', ((results.endMs - results.startMs) / 1000).toFixed(1));
        if (results.outcome !== 'success') {
          core.setFailed(`hybrid-e2e up ${results.outcome}:\n${results.errors.join('\n')}${results.diagnosticsDir ? `\ndiagnostics: ${results.diagnosticsDir}` : ''}`);
          return;
        }
        core.exportVariable('KUBECONFIG', results.cluster.kubeconfig);
        if (inputs.failOnViolation && violations > 0) core.setFailed(`${violations} unwaived Dockerfile compliance error(s) (fail-on-violation is on); see the annotations.`);
        return;
      }
      case 'lint': {
        const dockerfiles = buildPlan(loaded, services).services.flatMap((n) => (loaded.services[n]!.build ? [loaded.services[n]!.build!.dockerfile] : []));
        const report = await lintFiles(dockerfiles, { cwd: loaded.workspace, ...(loaded.config.compliance ? { policy: loaded.config.compliance } : {}) });
        annotate(report.findings, loaded.workspace, loaded.workspace);
        const violations = unwaivedErrors(report.findings);
        core.setOutput('violations', String(violations));
        core.info(renderLintText(report, { color: false }));
        if (process.env.GITHUB_STEP_SUMMARY) {
          const base = blobBase(readRunContext());
          await core.summary.addRaw(`## hybrid-e2e lint: ${violations} error(s) in ${report.files} Dockerfile(s)\n\n${renderComplianceTable(report.findings, base)}\n`).write();
        }
        if (inputs.failOnViolation && violations > 0) core.setFailed(`${violations} unwaived Dockerfile compliance error(s); see the annotations.`);
        return;
      }
      case 'down': {
        const runDir = core.getState(STATE_RUN_DIR);
        if (!runDir) throw new UserError('command "down" found no run of this job to remove (run "up" earlier in the same job).');
        await runDown({ runDir, reporter: lineReporter((s) => process.stdout.write(s)) });
        return;
      }
      default:
        throw new UserError(`command "${inputs.command}" is not available in this version of the action; use up, lint, plan or down.`);
    }
  } catch (e) {
    if (e instanceof UserError) core.setFailed(e.message);
    else core.setFailed(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : errorMessage(e)}`);
  }
}
