// The reusable workflow, the example callers, the project's own workflows and action.yml, validated against
// GitHub's own schemas (@actions/workflow-parser, the parser behind the Actions language service), plus the
// structure the product promises: plan -> build-once -> e2e matrix -> report, least privilege, inputs that exist.
import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/tmp.js';
import { COMMANDS } from '../../src/action/inputs.js';

type Parser = typeof import('@actions/workflow-parser');
type ActionParser = typeof import('@actions/workflow-parser/actions/index');
let wp: Parser;
let ap: ActionParser;

beforeAll(async () => {
  // The parser imports its JSON schemas without an import attribute; Node needs one.
  register(new URL('./fixtures/json-import-hook.mjs', import.meta.url));
  wp = await import('@actions/workflow-parser');
  ap = await import('@actions/workflow-parser/actions/index');
});

const read = (rel: string) => readFileSync(path.join(REPO_ROOT, rel), 'utf8');
const workflowFiles = [
  ...readdirSync(path.join(REPO_ROOT, '.github/workflows')).map((f) => `.github/workflows/${f}`),
  ...readdirSync(path.join(REPO_ROOT, 'examples/workflows')).map((f) => `examples/workflows/${f}`),
].filter((f) => /\.ya?ml$/.test(f));

async function validate(name: string, content: string): Promise<string[]> {
  const r = wp.parseWorkflow({ name, content }, new wp.NoOperationTraceWriter());
  const errors = r.context.errors.getErrors().map((e) => e.message);
  if (errors.length || !r.value) return errors;
  const t = await wp.convertWorkflowTemplate(r.context, r.value);
  return [...errors, ...(t.errors ?? []).map((e) => e.Message)];
}

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string> | string;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  steps?: Step[];
  uses?: string;
  with?: Record<string, unknown>;
  outputs?: Record<string, string>;
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, { type: string; default?: unknown }>; workflows?: string[] }>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const action = parse(read('action.yml')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
const OUR_ACTION = /^hybrid-e2e\/hybrid-e2e-action@v\d+$/;
const needsOf = (j: Job) => (Array.isArray(j.needs) ? j.needs : j.needs ? [j.needs] : []);

describe('schema validation (@actions/workflow-parser)', () => {
  it.each(workflowFiles)('%s is a valid workflow', async (f) => {
    expect(await validate(f, read(f))).toEqual([]);
  });

  it('action.yml is a valid action', () => {
    const r = ap.parseAction({ name: 'action.yml', content: read('action.yml') }, new wp.NoOperationTraceWriter());
    expect(r.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const t = ap.convertActionTemplate(r.context, r.value!);
    expect(t.runs).toMatchObject({ using: 'node24', main: 'dist/index.js', post: 'dist/post/index.js' });
  });

  it('catches mistakes (the validation is real)', async () => {
    const wf = read('.github/workflows/hybrid-e2e.yml');
    expect(await validate('typo.yml', wf.replace('fail-fast: false', 'fail-fast: nope'))).not.toEqual([]);
    expect(
      await validate('typo.yml', wf.replace('    runs-on: ${{ inputs.runs-on }}\n', '    runs_on: ${{ inputs.runs-on }}\n')),
    ).not.toEqual([]);
    expect(await validate('typo.yml', wf.replace('needs: [plan, e2e]', 'needs: [plan, e2e-legs]'))).not.toEqual([]);
    const r = ap.parseAction(
      { name: 'action.yml', content: read('action.yml').replace('using: node24', 'using: node99') },
      new wp.NoOperationTraceWriter(),
    );
    expect(r.context.errors.getErrors()).not.toHaveLength(0);
  });
});

describe('the reusable workflow', () => {
  const wf = parse(read('.github/workflows/hybrid-e2e.yml')) as Workflow;
  const jobs = wf.jobs;
  const ourSteps = Object.entries(jobs).flatMap(([job, j]) =>
    (j.steps ?? []).filter((s) => s.uses && OUR_ACTION.test(s.uses)).map((s) => ({ job, step: s })),
  );

  it('is called with config, services (JSON list), test-command and runs-on', () => {
    const inputs = wf.on.workflow_call!.inputs!;
    expect(Object.keys(inputs)).toEqual(expect.arrayContaining(['config', 'services', 'test-command', 'runs-on']));
    expect(inputs['services']).toMatchObject({ type: 'string', default: '' });
    expect(inputs['config']).toMatchObject({ default: 'hybrid-e2e.yaml' });
  });

  it('runs plan -> build-once -> e2e matrix (fail-fast off) -> report (unless cancelled)', () => {
    expect(Object.keys(jobs)).toEqual(['plan', 'build-once', 'e2e', 'report']);
    expect(needsOf(jobs['build-once']!)).toEqual(['plan']);
    expect(needsOf(jobs['e2e']!)).toEqual(['plan', 'build-once']);
    expect(needsOf(jobs['report']!)).toEqual(['plan', 'e2e']);
    expect(jobs['e2e']!.strategy).toMatchObject({
      'fail-fast': false,
      matrix: { service: '${{ fromJSON(needs.plan.outputs.services) }}' },
    });
    // Not always(): a superseded, cancelled run must not rewrite the sticky comment with its cancelled legs.
    expect(jobs['report']!.if).toBe("${{ !cancelled() && needs.plan.result == 'success' }}");
    // The default matrix comes from the plan job: the input if given, else the plan command's `services` output.
    const matrix = jobs['plan']!.steps!.find((s) => s.id === 'matrix')!;
    expect(matrix.env).toEqual({ GIVEN: '${{ inputs.services }}', PLANNED: '${{ steps.plan.outputs.services }}' });
    expect(jobs['plan']!.outputs!['services']).toBe('${{ steps.matrix.outputs.services }}');
  });

  it('has least privilege: nothing at the top, read-only jobs, pull-requests: write only in report', () => {
    expect(wf.permissions).toEqual({});
    for (const [name, j] of Object.entries(jobs)) {
      expect(typeof j.permissions, `${name} declares its permissions`).toBe('object');
      const writes = Object.entries(j.permissions as Record<string, string>)
        .filter(([, v]) => v === 'write')
        .map(([k]) => k);
      expect(writes, name).toEqual(name === 'report' ? ['pull-requests'] : []);
    }
    for (const j of Object.values(jobs))
      for (const s of j.steps ?? []) if (s.uses?.startsWith('actions/checkout@')) expect(s.with?.['persist-credentials']).toBe(false);
  });

  it('gives the action only inputs it has, commands it knows, and reads only outputs it sets', () => {
    expect(ourSteps.map((s) => `${s.job}:${String(s.step.with?.['command'])}`)).toEqual([
      'plan:plan',
      'build-once:build',
      'e2e:up',
      'report:report',
    ]);
    for (const { job, step } of ourSteps) {
      for (const k of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), `${job}: input "${k}"`).toContain(k);
      expect(COMMANDS).toContain(step.with!['command']);
    }
    const text = read('.github/workflows/hybrid-e2e.yml');
    const ids = new Set(ourSteps.map((s) => s.step.id).filter(Boolean));
    const used = [...text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)].filter((m) => ids.has(m[1]!)).map((m) => m[2]!);
    expect(used.length).toBeGreaterThan(0);
    for (const o of used) expect(Object.keys(action.outputs), `output "${o}"`).toContain(o);
  });

  it('legs do not comment; the report job does, for the whole matrix', () => {
    const up = ourSteps.find((s) => s.job === 'e2e')!.step;
    expect(up.with).toMatchObject({ command: 'up', service: '${{ matrix.service }}', comment: false });
    const report = ourSteps.find((s) => s.job === 'report')!.step;
    expect(report.with?.['comment']).toBeUndefined(); // default true
    expect(report.with?.['service']).toBe('${{ needs.plan.outputs.list }}');
  });

  it('legs load the build-once images before up, and run the test command with KUBECONFIG from up', () => {
    const steps = jobs['e2e']!.steps!;
    const iLoad = steps.findIndex((s) => s.run?.includes('docker load'));
    const iUp = steps.findIndex((s) => s.id === 'up');
    const test = steps.find((s) => s.name === 'Test' || s.run?.includes('HYBRID_E2E_TEST_COMMAND'))!;
    expect(iLoad).toBeGreaterThan(-1);
    expect(iLoad).toBeLessThan(iUp);
    expect(test.env).toMatchObject({ KUBECONFIG: '${{ steps.up.outputs.kubeconfig }}', SERVICE: '${{ matrix.service }}' });
    // The command and the secrets come in through the environment, never spliced into the script.
    expect(test.run!.trimEnd().split('\n').at(-1)).toBe('exec bash -euo pipefail -c "$HYBRID_E2E_TEST_COMMAND"');
    expect(test.env).toMatchObject({
      HYBRID_E2E_TEST_COMMAND: '${{ inputs.test-command }}',
      HYBRID_E2E_TEST_ENV: '${{ secrets.test-env }}',
    });
    expect(test.run).not.toMatch(/\$\{\{/);
    expect(test.run).not.toContain('eval');
    const upload = jobs['build-once']!.steps!.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    const download = steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with?.['name']).toBe(upload.with?.['name']);
    // Per run attempt and overwritable: a re-run hands over its own images.
    expect(upload.with).toMatchObject({ name: 'hybrid-e2e-images-${{ github.run_attempt }}', overwrite: true });
  });

  it('setup-command runs after the checkout, before the build and before each leg brings its service up', () => {
    expect(wf.on.workflow_call!.inputs!['setup-command']).toMatchObject({ type: 'string', default: '' });
    for (const [job, before] of [
      ['build-once', 'build'],
      ['e2e', 'up'],
    ] as const) {
      const steps = jobs[job]!.steps!;
      const setup = steps.findIndex((s) => s.name === 'Setup');
      expect(setup, job).toBeGreaterThan(steps.findIndex((s) => s.uses?.startsWith('actions/checkout@')));
      expect(setup, job).toBeLessThan(steps.findIndex((s) => s.id === before));
      expect(steps[setup]!.run).toBe('bash -euo pipefail -c "$HYBRID_E2E_SETUP_COMMAND"');
      expect(steps[setup]!.if).toBe("inputs.setup-command != ''");
    }
  });
});

describe('example callers', () => {
  it('the nine-service caller passes a JSON list of nine and grants what the report job needs', () => {
    const wf = parse(read('examples/workflows/e2e.yml')) as Workflow;
    const callee = parse(read('.github/workflows/hybrid-e2e.yml')) as Workflow;
    const job = wf.jobs['e2e']!;
    expect(job.uses).toMatch(/^hybrid-e2e\/hybrid-e2e-action\/\.github\/workflows\/hybrid-e2e\.yml@v\d+$/);
    expect(JSON.parse(String(job.with!['services']))).toHaveLength(9);
    for (const k of Object.keys(job.with!)) expect(Object.keys(callee.on.workflow_call!.inputs!)).toContain(k);
    expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
  });

  it('the fork pattern comments from workflow_run, for forks only, without checking out fork code', () => {
    const wf = parse(read('examples/workflows/e2e-fork-comment.yml')) as Workflow;
    expect(wf.on['workflow_run']).toMatchObject({ workflows: ['e2e'], types: ['completed'] });
    const job = wf.jobs['comment']!;
    expect(job.if).toContain('head_repository.full_name != github.repository');
    expect(job.permissions).toEqual({ contents: 'read', actions: 'read', 'pull-requests': 'write' });
    const checkout = job.steps!.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with?.['ref']).toBeUndefined();
    expect(job.steps!.find((s) => s.uses && OUR_ACTION.test(s.uses))!.with).toMatchObject({ command: 'report' });
  });
});

describe('release and supply chain (issue 15)', () => {
  const release = parse(read('.github/workflows/release.yml')) as Workflow & { on: Record<string, { tags?: string[] }> };

  it('releases a v*.*.* tag (or one given by hand) only after the version check and every test on that commit', () => {
    expect(release.on.push).toEqual({ tags: ['v*.*.*'] });
    expect(release.on.workflow_dispatch?.inputs?.tag).toMatchObject({ type: 'string' });
    const verify = release.jobs.verify!;
    const runs = (verify.steps ?? []).map((s) => s.run ?? '');
    const check = runs.findIndex((r) => r.includes('node .ci/release.mjs check "$TAG"'));
    const all = runs.findIndex((r) => r === 'npm run all');
    expect(check).toBeGreaterThanOrEqual(0);
    expect(all).toBeGreaterThan(check);
    expect(needsOf(release.jobs.release!)).toEqual(['verify']);
  });

  it('only the release job may write, and it creates the release from the changelog and moves the major tag', () => {
    expect(release.permissions).toEqual({});
    expect(release.jobs.verify!.permissions).toEqual({ contents: 'read' });
    expect(release.jobs.release!.permissions).toEqual({ contents: 'write' });
    const run = (release.jobs.release!.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(run).toContain('node .ci/release.mjs notes "$TAG"');
    expect(run).toMatch(/gh release create "\$TAG" --verify-tag .*--notes-file/);
    expect(run).toContain('major="${TAG%%.*}"');
    expect(run).toContain('git push --force origin "refs/tags/$major"');
  });

  it('every action from elsewhere is pinned by commit SHA with its version in a comment, on a Node 24 major', () => {
    const node24 = {
      'actions/checkout': 5,
      'actions/setup-node': 5,
      'actions/upload-artifact': 6,
      'actions/download-artifact': 6,
    } as Record<string, number>;
    for (const f of [...workflowFiles, 'action.yml']) {
      for (const line of read(f).split('\n')) {
        const m = /^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!m || m[1]!.startsWith('./') || OUR_ACTION.test(m[1]!) || m[1]!.startsWith('hybrid-e2e/hybrid-e2e-action/')) continue;
        const [name, ref] = m[1]!.split('@');
        expect(ref, `${f}: ${line.trim()}`).toMatch(/^[0-9a-f]{40}$/);
        const version = /#\s*v(\d+)(\.\d+){0,2}\s*$/.exec(m[2]!);
        expect(version, `${f}: ${line.trim()} has no "# vX.Y.Z" comment`).not.toBeNull();
        if (node24[name!] !== undefined)
          expect(Number(version![1]), `${f}: ${name} below its Node 24 major`).toBeGreaterThanOrEqual(node24[name!]!);
      }
    }
  });

  it('CI runs on Node 20 and 24; Dependabot keeps the actions and npm current', () => {
    const ci = parse(read('.github/workflows/ci.yml')) as Workflow;
    expect(ci.jobs.ci!.strategy?.matrix?.node).toEqual([20, 24]);
    const dependabot = parse(read('.github/dependabot.yml')) as { updates: { 'package-ecosystem': string }[] };
    expect(dependabot.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
  });
});

describe('the repository runs the reusable workflow', () => {
  it('reusable-e2e calls hybrid-e2e.yml on the runnable example with only inputs it has, and grants the report job', () => {
    const wf = parse(read('.github/workflows/reusable-e2e.yml')) as Workflow;
    const callee = parse(read('.github/workflows/hybrid-e2e.yml')) as Workflow;
    const job = wf.jobs['e2e']!;
    expect(job.uses).toBe('./.github/workflows/hybrid-e2e.yml');
    expect(job.with!['config']).toBe('examples/runnable/hybrid-e2e.yaml');
    for (const k of Object.keys(job.with!)) expect(Object.keys(callee.on.workflow_call!.inputs!)).toContain(k);
    expect(JSON.parse(String(job.with!['services']))).toEqual(['gateway', 'datastorage']);
    expect(String(job.with!['setup-command'])).toContain('examples/runnable/bin/busybox');
    expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(wf.permissions).toEqual({});
  });

  it('the e2e workflow, without pull-requests: write, does not try to comment', () => {
    const wf = parse(read('.github/workflows/e2e.yml')) as Workflow;
    const step = wf.jobs['e2e']!.steps!.find((s) => s.uses === './')!;
    expect(step.with?.['comment']).toBe(false);
  });
});
