// The bundled action (dist/) end to end with runner env, a real-shaped pull_request event and the GitHub REST
// emulator: the sticky comment, fork PRs, matrix aggregation (command: report), baselines.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { createFakeEnv, knobEnv, type FakeEnv } from '../helpers/fakes.js';
import { runnableExample } from '../helpers/example.js';
import { DIST, readCommandFile } from '../helpers/runner.js';
import { pullRequestEvent, startEmulator, type Emulator } from '../adapters/github/emulator.js';
import { startActionsServices, type ActionsServices } from '../adapters/github/actions-services.js';
import { GitHubArtifactStore } from '../../src/adapters/github-artifacts.js';
import { isResults } from '../../src/commands/report.js';
import { baselineKey } from '../../src/adapters/github-baseline.js';
import { makeResults, nineLegs } from '../render/fixtures.js';
import { dedupeFindings } from '../../src/render/comment.js';
import { unwaivedErrorCount } from '../../src/render/lint-text.js';

/** The bundle under test: dist/ (HYBRID_E2E_TEST_DIST points at another bundle while dist/ is being rebuilt). */
const TOKEN = 'ghs_e2eInstallationToken0123456789';
const FORK_TOKEN = 'ghs_forkReadOnlyInstallationToken01';
const HEAD_SHA = 'c0ffee0000000000000000000000000000c0ffee';

let gh: Emulator;
let svc: ActionsServices;
let ex: ReturnType<typeof runnableExample>;
let fake: FakeEnv;
let work: string;

beforeAll(async () => {
  ex = runnableExample();
});
afterAll(async () => {
  await ex.cleanup();
});
beforeEach(async () => {
  svc = await startActionsServices();
  gh = await startEmulator({
    tokens: {
      [TOKEN]: { login: 'github-actions[bot]', type: 'Bot', installation: true },
      [FORK_TOKEN]: { login: 'github-actions[bot]', type: 'Bot', installation: true, readOnly: true },
    },
    routes: [svc.restRoutes],
  });
  fake = createFakeEnv({
    createMs: 60,
    loadMs: 20,
    applyMs: 10,
    rolloutMs: 60,
    endpointsDelayMs: 20,
    nodeReadyMs: 20,
    saDelayMs: 10,
    pollMs: 40,
  });
  work = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-action-'));
});
afterEach(async () => {
  await gh.close();
  await svc.close();
  fake.cleanup();
  rmSync(work, { recursive: true, force: true });
});

interface Runner {
  env: Record<string, string>;
  files: { output: string; state: string; summary: string; env: string; path: string };
}

/** Runner environment for one step; `event` is written to GITHUB_EVENT_PATH. */
function runner(name: string, inputs: Record<string, string>, event: unknown, extra: Record<string, string> = {}): Runner {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const files = {
    output: path.join(dir, 'output'),
    state: path.join(dir, 'state'),
    summary: path.join(dir, 'summary.md'),
    env: path.join(dir, 'env'),
    path: path.join(dir, 'path'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  writeFileSync(path.join(dir, 'event.json'), JSON.stringify(event));
  const env: Record<string, string> = {
    ...(fake.env as Record<string, string>),
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: ex.dir,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_REPOSITORY: 'acme/kubernaut',
    GITHUB_SHA: 'ffff000000000000000000000000000000000001',
    GITHUB_REF: 'refs/pull/7/merge',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'e2e',
    GITHUB_JOB: 'e2e',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: gh.url,
    RUNNER_TEMP: dir,
    HYBRID_E2E_BUILD_NETWORK: 'none',

    // The emulated artifact service (@actions/artifact); HYBRID_E2E_ARTIFACT_DIR in `extra` swaps in a directory.
    ACTIONS_RESULTS_URL: `${svc.url}/`,
    ACTIONS_RUNTIME_TOKEN: svc.runtimeToken(4242, name),
    HYBRID_E2E_BASELINE_DIR: path.join(work, 'baselines'),
    INPUT_CONFIG: 'hybrid-e2e.yaml',
    INPUT_ENGINE: 'docker',
    INPUT_CACHE: 'none',
    INPUT_COMMENT: 'true',
    'INPUT_GITHUB-TOKEN': TOKEN,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...extra,
  };
  return { env, files };
}

async function step(r: Runner) {
  const main = await execa(process.execPath, [path.join(DIST, 'index.js')], { env: r.env, extendEnv: false, reject: false });
  const state = readCommandFile(r.files.state);
  if (state['run-dir']) {
    const post = await execa(process.execPath, [path.join(DIST, 'post/index.js')], {
      env: { ...r.env, 'STATE_run-dir': state['run-dir'] },
      extendEnv: false,
      reject: false,
    });
    expect(post.exitCode, post.stdout + post.stderr).toBe(0);
  }
  return { ...main, outputs: readCommandFile(r.files.output), summary: readFileSync(r.files.summary, 'utf8') };
}

/** In-process access to the emulated artifact service, as a job of run 4242. */
async function withRuntime<T>(job: string, f: (store: GitHubArtifactStore) => Promise<T>, runId = 4242): Promise<T> {
  const saved = { token: process.env.ACTIONS_RUNTIME_TOKEN, url: process.env.ACTIONS_RESULTS_URL, server: process.env.GITHUB_SERVER_URL };
  Object.assign(process.env, {
    ACTIONS_RUNTIME_TOKEN: svc.runtimeToken(runId, job),
    ACTIONS_RESULTS_URL: `${svc.url}/`,
    GITHUB_SERVER_URL: 'https://github.com',
  });
  try {
    return await f(new GitHubArtifactStore());
  } finally {
    for (const [k, v] of [
      ['ACTIONS_RUNTIME_TOKEN', saved.token],
      ['ACTIONS_RESULTS_URL', saved.url],
      ['GITHUB_SERVER_URL', saved.server],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
async function downloadArtifact(name: string): Promise<string> {
  const dest = path.join(work, 'downloaded', name);
  await withRuntime('test', (store) => store.download(name, dest));
  return dest;
}
async function uploadLeg(name: string, results: unknown, runId = 4242): Promise<void> {
  const dir = path.join(work, 'upload', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results));
  await withRuntime(`e2e (${name})`, (store) => store.upload(`hybrid-e2e-results-${name}`, [path.join(dir, 'results.json')], dir), runId);
}

const prEvent = (headRepo?: string) =>
  pullRequestEvent({ number: 7, owner: 'acme', repo: 'kubernaut', headSha: HEAD_SHA, ...(headRepo ? { headRepo } : {}) });

describe('the bundled action and the sticky PR comment', () => {
  it('up twice on a pull request: exactly one comment, created then updated; humans untouched; token never logged', async () => {
    const human = gh.addComment('acme', 'kubernaut', 7, 'Reviewer: the last run said <!-- hybrid-e2e:e2e:e2e/up/redis --> hmm', {
      login: 'alice',
      type: 'User',
    });
    const first = await step(runner('run1', { command: 'up', service: 'redis' }, prEvent()));
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    let ours = gh.issueComments('acme', 'kubernaut', 7).filter((c) => c.user.login === 'github-actions[bot]');
    expect(ours).toHaveLength(1);
    const created = { id: ours[0]!.id, body: ours[0]!.body, updated: ours[0]!.updated_at };
    expect(created.body.startsWith('<!-- hybrid-e2e:e2e:e2e/up/redis -->\n')).toBe(true);
    expect(created.body).toContain('### hybrid-e2e ✅ passed');
    expect(first.stdout).toMatch(/hybrid-e2e: PR comment created: https:\/\/github\.com\/acme\/kubernaut\/pull\/7#issuecomment-\d+/);
    expect(first.summary).toMatch(/^## hybrid-e2e ✅ success/);
    expect(first.summary).toMatch(/Tools: kind `v[\d.]+` \(PATH\), kubectl `v[\d.]+` \(PATH\)\./);

    const second = await step(runner('run2', { command: 'up', service: 'redis' }, prEvent()));
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    ours = gh.issueComments('acme', 'kubernaut', 7).filter((c) => c.user.login === 'github-actions[bot]');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.id).toBe(created.id);
    expect(ours[0]!.updated_at > created.updated).toBe(true);
    expect(ours[0]!.body).not.toBe(created.body);
    expect(second.stdout).toContain('hybrid-e2e: PR comment updated');
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(gh.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
    expect(gh.comments.find((c) => c.id === human.id)!.body).toBe('Reviewer: the last run said <!-- hybrid-e2e:e2e:e2e/up/redis --> hmm');
    for (const out of [first, second]) {
      expect(out.stdout).toContain(`::add-mask::${TOKEN}`);
      expect((out.stdout + out.stderr).replaceAll(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
      expect(out.summary).not.toContain(TOKEN);
    }
    // The leg's results were uploaded (through @actions/artifact) for a report job; the second run replaced the first's.
    expect(svc.artifacts.filter((a) => a.name === 'hybrid-e2e-results-redis' && a.finalized)).toHaveLength(1);
    const art = JSON.parse(readFileSync(path.join(await downloadArtifact('hybrid-e2e-results-redis'), 'results.json'), 'utf8'));
    expect(art.services).toEqual(['redis']);
    expect(art.outcome).toBe('success');
    expect(isResults(art)).toBe(true); // what a report job accepts
    expect(art.runId).toBe(JSON.parse(readFileSync(second.outputs['results-file']!, 'utf8')).runId);
  });

  it('a fork PR (read-only token): no comment, a warning and a note in the summary, and the step still passes', async () => {
    const r = runner('fork', { command: 'up', service: 'redis', 'github-token': FORK_TOKEN }, prEvent('forker/kubernaut'));
    const out = await step(r);
    expect(out.exitCode, out.stdout + out.stderr).toBe(0);
    expect(gh.comments).toHaveLength(0);
    expect(out.stdout).toMatch(
      /^::warning::hybrid-e2e: could not post the PR comment on #7: HTTP 403: Resource not accessible by integration\. This pull request comes from a fork\. .*workflow_run/m,
    );
    expect(out.summary).toMatch(/^## hybrid-e2e ✅ success/);
    expect(out.summary).toContain(
      '> The PR comment could not be posted (HTTP 403: Resource not accessible by integration). This pull request comes from a fork: its token is read-only.',
    );
    expect(out.outputs['cluster-name']).toBeTruthy();
  });

  it('a failing leg: the step fails, the comment says why, and results and diagnostics are uploaded', async () => {
    const out = await step(
      runner('crash', { command: 'up', service: 'redis' }, prEvent(), knobEnv({ crash: ['redis'], crashAfterMs: 20, crashRestartMs: 100 })),
    );
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toMatch(/^::error::hybrid-e2e up failure:/m);
    const c = gh.issueComments('acme', 'kubernaut', 7);
    expect(c).toHaveLength(1);
    expect(c[0]!.body).toContain('### hybrid-e2e ❌ failure');
    expect(c[0]!.body).toMatch(/- `redis`: deploy:redis: .*CrashLoopBackOff/);
    expect(out.summary).toMatch(/^## hybrid-e2e ❌ failure/);
    const names = svc.artifacts
      .filter((a) => a.finalized)
      .map((a) => a.name)
      .sort();
    expect(names).toEqual(['hybrid-e2e-diagnostics-redis', 'hybrid-e2e-results-redis']);
    const diag = await downloadArtifact('hybrid-e2e-diagnostics-redis');
    expect(
      readdirSync(diag, { recursive: true })
        .map(String)
        .some((f) => /logs|events|describe/.test(f)),
    ).toBe(true);
  });

  it('on a push to the default branch: no comment, the results become the baseline; a PR then shows the delta', async () => {
    const push = {
      ref: 'refs/heads/main',
      after: 'a'.repeat(40),
      repository: { full_name: 'acme/kubernaut', default_branch: 'main' },
      pusher: { name: 'octocat' },
    };
    const main = await step(
      runner('main', { command: 'up', service: 'redis' }, push, {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_SHA: 'a'.repeat(40),
      }),
    );
    expect(main.exitCode, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toContain('not a pull request run (push)');
    expect(main.stdout).toContain('hybrid-e2e: saved the baseline for redis (directory)');
    const saved = JSON.parse(readFileSync(path.join(work, 'baselines', `${baselineKey('e2e', 'redis')}.json`), 'utf8'));
    expect(saved).toMatchObject({ sha: 'a'.repeat(40), ref: 'refs/heads/main' });
    expect(gh.requests.filter((q) => q.method !== 'GET')).toHaveLength(0);

    const pr = await step(runner('pr', { command: 'up', service: 'redis' }, prEvent()));
    expect(pr.exitCode, pr.stdout + pr.stderr).toBe(0);
    expect(pr.summary).toContain('| vs baseline |');
    expect(pr.summary).toContain(`Baseline: main@aaaaaaa`);
    expect(pr.stdout).not.toContain('saved the baseline');
    expect(gh.comments[0]!.body).toContain('| setup vs baseline |');
  });
});

describe('command: report (matrix aggregation)', () => {
  it("downloads every leg's results artifact and posts one comment for the matrix, with baselines; a missing leg is named", async () => {
    const legs = nineLegs({ fail: 'aianalysis', findings: 25 });
    for (const l of legs.filter((x) => x.name !== 'authwebhook')) await uploadLeg(l.name, l.results);
    // A slower baseline for gateway: the comment shows it faster; a much faster one for datastorage: a regression.
    const slowBase = structuredClone(legs[0]!.results);
    slowBase.endMs += 30_000;
    mkdirSync(path.join(work, 'baselines'), { recursive: true });
    writeFileSync(
      path.join(work, 'baselines', `${baselineKey('e2e', 'gateway')}.json`),
      JSON.stringify({ results: slowBase, ref: 'refs/heads/main', sha: 'b'.repeat(40) }),
    );
    const fastBase = makeResults({ services: ['datastorage'], seed: 1, scale: 0.3 });
    writeFileSync(path.join(work, 'baselines', `${baselineKey('e2e', 'datastorage')}.json`), JSON.stringify({ results: fastBase }));

    const services = legs.map((l) => l.name).join(',');
    const run = () => step(runner('report', { command: 'report', service: services }, prEvent(), { GITHUB_JOB: 'report' }));
    const out = await run();
    expect(out.exitCode, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toMatch(/hybrid-e2e report: 8 results artifact\(s\): hybrid-e2e-results-aianalysis, /);
    const comments = gh.issueComments('acme', 'kubernaut', 7);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith('<!-- hybrid-e2e:e2e:report/report -->')).toBe(true);
    expect(body).toContain('### hybrid-e2e ❌ 7/9 legs passed');
    expect(body).toMatch(/^\| `aianalysis` \| ❌ failure \|/m);
    expect(body).toMatch(/^\| `authwebhook` \| ⚠️ no results \|/m);
    const uploaded = dedupeFindings(legs.filter((l) => l.name !== 'authwebhook').map((l) => l.results.compliance!.findings));
    const errors = unwaivedErrorCount(uploaded);
    expect(uploaded.length).toBeLessThan(25);
    expect(body).toContain(`Dockerfile compliance: ${errors} error(s), ${uploaded.length} finding(s) (deduplicated across legs)`);
    expect(body).toContain(`https://github.com/acme/kubernaut/blob/${HEAD_SHA}/docker/`);
    expect(body).toMatch(/^\| `gateway` \|[^\n]*\| -30\.0s \(-\d+%\) \|$/m);
    expect(body).toMatch(/🐢 \*\*Slower than the baseline\*\*[^\n]*`datastorage` setup \+/);
    expect(out.outputs['violations']).toBe(String(errors));
    expect(out.summary).toContain('### Timelines');
    expect(out.summary.match(/```mermaid/g)!.length).toBe(8);
    expect(out.stdout).toContain('7/9 legs passed; failed or missing: aianalysis, authwebhook');

    // A re-run of the report job updates the same comment.
    const again = await run();
    expect(again.exitCode).toBe(0);
    expect(gh.issueComments('acme', 'kubernaut', 7)).toHaveLength(1);
    expect(again.stdout).toMatch(/PR comment (updated|unchanged)/);
  });

  it("workflow_run for a fork PR: finds the PR by the run's head, comments with the base repository's token", async () => {
    const forkSha = 'f0f0000000000000000000000000000000000f0f';
    gh.pulls.set('acme/kubernaut', [
      {
        number: 5,
        state: 'open',
        head: { sha: 'e'.repeat(40), ref: 'feature', repo: { full_name: 'acme/kubernaut' } },
        base: { ref: 'main', repo: { full_name: 'acme/kubernaut' } },
      },
      {
        number: 31,
        state: 'open',
        head: { sha: forkSha, ref: 'feature', repo: { full_name: 'forker/kubernaut' } },
        base: { ref: 'main', repo: { full_name: 'acme/kubernaut' } },
      },
    ]);
    const [a] = nineLegs();
    // The fork's run 777 uploaded its leg; this workflow (run 4242) reads it through the REST API with its token.
    await uploadLeg('gateway', a!.results, 777);
    const event = {
      action: 'completed',
      workflow_run: {
        id: 777,
        name: 'e2e',
        event: 'pull_request',
        conclusion: 'success',
        head_sha: forkSha,
        head_branch: 'feature',
        head_repository: { full_name: 'forker/kubernaut', owner: { login: 'forker' } },
        pull_requests: [],
      },
      repository: { full_name: 'acme/kubernaut', default_branch: 'main' },
    };
    const out = await step(
      runner('wr', { command: 'report' }, event, {
        GITHUB_EVENT_NAME: 'workflow_run',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_WORKFLOW: 'e2e comment (forks)',
        GITHUB_JOB: 'comment',
      }),
    );
    expect(out.exitCode, out.stdout + out.stderr).toBe(0);
    expect(gh.issueComments('acme', 'kubernaut', 5)).toHaveLength(0);
    const c = gh.issueComments('acme', 'kubernaut', 31);
    expect(c).toHaveLength(1);
    expect(c[0]!.body).toContain('### hybrid-e2e ✅ passed');
    expect(gh.requests.find((q) => q.path === '/repos/acme/kubernaut/pulls')!.query).toContain('head=forker%3Afeature');
    expect(gh.requests.some((q) => q.path === '/repos/acme/kubernaut/actions/runs/777/artifacts' && q.status === 200)).toBe(true);
    expect(out.stdout).toContain('hybrid-e2e report: 1 results artifact(s) of run 777: hybrid-e2e-results-gateway');
  });

  it('reads results from the "results" input; outside a PR it only writes the summary', async () => {
    const d = path.join(work, 'given');
    mkdirSync(d);
    const [a] = nineLegs();
    writeFileSync(path.join(d, 'gateway.json'), JSON.stringify(a!.results));
    const out = await step(
      runner(
        'report2',
        { command: 'report', results: d },
        { repository: { full_name: 'acme/kubernaut', default_branch: 'main' } },
        { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', HYBRID_E2E_ARTIFACT_DIR: '' },
      ),
    );
    expect(out.exitCode, out.stdout + out.stderr).toBe(0);
    expect(gh.requests).toHaveLength(0);
    expect(out.summary).toContain('### hybrid-e2e ✅ passed');
  });
});
