// The action run the way `npx @github/local-action . src/action/main.ts .env` runs it: the inputs as INPUT_*
// variables (what its .env file sets), the runner's file commands, then the `run()` the main module exports,
// awaited without arguments. Only commands that need no container engine: plan and lint.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/action/main.js';
import { readCommandFile } from '../helpers/runner.js';
import { REPO_ROOT } from '../helpers/tmp.js';

let tmp: string;
let files: { output: string; summary: string };

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-local-action-'));
  files = { output: path.join(tmp, 'output'), summary: path.join(tmp, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  vi.stubEnv('GITHUB_OUTPUT', files.output);
  vi.stubEnv('GITHUB_STEP_SUMMARY', files.summary);
  vi.stubEnv('RUNNER_TEMP', tmp);
  process.exitCode = undefined;
});
afterEach(() => {
  vi.unstubAllEnvs();
  process.exitCode = undefined;
  rmSync(tmp, { recursive: true, force: true });
});

/** What local-action's .env would hold for these inputs. */
function inputs(values: Record<string, string>, workspace: string) {
  vi.stubEnv('GITHUB_WORKSPACE', workspace);
  for (const [k, v] of Object.entries(values)) vi.stubEnv(`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v);
}

describe('the action under @github/local-action', () => {
  it('plan: sets the plan, cluster-name and services outputs and does not fail the step', async () => {
    inputs({ command: 'plan', config: 'examples/runnable/hybrid-e2e.yaml', service: 'gateway' }, REPO_ROOT);
    await run();
    expect(process.exitCode).toBeUndefined();
    const out = readCommandFile(files.output);
    expect(out['cluster-name']).toBe('runnable');
    // the matrix of the selected service: gateway and what it depends on
    expect(JSON.parse(out.services!)).toContain('gateway');
    expect(JSON.parse(out.services!)).not.toContain('aianalysis');
    expect((JSON.parse(out.plan!) as { tasks: { id: string }[] }).tasks.map((t) => t.id)).toContain('deploy:gateway');
  });

  it('lint: counts the unwaived errors, writes the summary, and fails the step when there are some', async () => {
    const ws = path.join(tmp, 'ws');
    mkdirSync(path.join(ws, 'deploy'), { recursive: true });
    writeFileSync(
      path.join(ws, 'Dockerfile'),
      'FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\nRUN microdnf update -y && microdnf install -y tar\n',
    );
    writeFileSync(path.join(ws, 'deploy', 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n');
    writeFileSync(
      path.join(ws, 'hybrid-e2e.yaml'),
      'version: 1\nservices:\n  app:\n    build: { dockerfile: Dockerfile, image: localhost/app }\n    manifests: [deploy/app.yaml]\n',
    );
    inputs({ command: 'lint', config: 'hybrid-e2e.yaml', 'fail-on-violation': 'true' }, ws);
    await run();
    expect(readCommandFile(files.output).violations).toBe('1');
    expect(process.exitCode).toBe(1);
    expect(readFileSync(files.summary, 'utf8')).toContain('Dockerfile');
  });
});
