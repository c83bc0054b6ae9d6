// GitHubArtifactStore (@actions/artifact) against the emulated artifact service: the per-leg upload, the report
// job's list + download within the run, a re-run replacing its artifact, and a workflow_run reading another run's
// artifacts through the REST API with a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startActionsServices, type ActionsServices } from './actions-services.js';
import { startEmulator, type Emulator } from './emulator.js';

let svc: ActionsServices;
let gh: Emulator;
let tmp: string;
import { artifactName, RESULTS_ARTIFACT_PREFIX } from '../../../src/commands/report.js';

let mod: typeof import('../../../src/adapters/github-artifacts.js');
const TOKEN = 'ghs_reportJobTokenWithActionsRead0';

beforeAll(async () => {
  svc = await startActionsServices();
  gh = await startEmulator({
    tokens: { [TOKEN]: { login: 'github-actions[bot]', type: 'Bot', installation: true } },
    routes: [svc.restRoutes],
  });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-artifacts-'));
  Object.assign(process.env, {
    ACTIONS_RESULTS_URL: `${svc.url}/`,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: gh.url,
    GITHUB_WORKSPACE: tmp,
    RUNNER_TEMP: tmp,
  });
  // @actions/github reads GITHUB_API_URL when first imported: import after the emulators are up.
  mod = await import('../../../src/adapters/github-artifacts.js');
});
afterAll(async () => {
  await svc.close();
  await gh.close();
  rmSync(tmp, { recursive: true, force: true });
});

function leg(name: string, content: string): { file: string; root: string } {
  const root = path.join(tmp, 'stage', name);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'results.json'), content);
  return { file: path.join(root, 'results.json'), root };
}

describe('results artifacts through @actions/artifact', () => {
  it('legs upload per-leg artifacts; the report job lists and downloads them all', async () => {
    for (const [i, name] of ['gateway', 'datastorage'].entries()) {
      process.env.ACTIONS_RUNTIME_TOKEN = svc.runtimeToken(4242, `e2e (${name})`);
      const store = mod.artifactStoreFor(process.env)!;
      expect(store.kind).toBe('actions');
      const l = leg(name, JSON.stringify({ leg: name, i }));
      await store.upload(artifactName(RESULTS_ARTIFACT_PREFIX, name), [l.file], l.root);
    }
    // Another run's artifacts are not visible to this run.
    process.env.ACTIONS_RUNTIME_TOKEN = svc.runtimeToken(1111, 'e2e');
    await mod
      .artifactStoreFor(process.env)!
      .upload('hybrid-e2e-results-other', [leg('other', '{}').file], path.join(tmp, 'stage', 'other'));

    process.env.ACTIONS_RUNTIME_TOKEN = svc.runtimeToken(4242, 'report');
    const store = mod.artifactStoreFor(process.env)!;
    const names = await store.list(RESULTS_ARTIFACT_PREFIX);
    expect(names).toEqual(['hybrid-e2e-results-datastorage', 'hybrid-e2e-results-gateway']);
    for (const n of names) await store.download(n, path.join(tmp, 'dl', n));
    expect(JSON.parse(readFileSync(path.join(tmp, 'dl', 'hybrid-e2e-results-gateway', 'results.json'), 'utf8'))).toEqual({
      leg: 'gateway',
      i: 0,
    });
    expect(JSON.parse(readFileSync(path.join(tmp, 'dl', 'hybrid-e2e-results-datastorage', 'results.json'), 'utf8'))).toEqual({
      leg: 'datastorage',
      i: 1,
    });
    // Uploads went through the blob protocol (Put Block + Put Block List).
    expect(svc.requests.some((r) => r.method === 'PUT' && r.status === 201)).toBe(true);
  });

  it('a re-run of a leg replaces its artifact instead of failing on the name', async () => {
    process.env.ACTIONS_RUNTIME_TOKEN = svc.runtimeToken(4242, 'e2e (gateway)');
    const store = mod.artifactStoreFor(process.env)!;
    const l = leg('gateway2', JSON.stringify({ leg: 'gateway', attempt: 2 }));
    await store.upload('hybrid-e2e-results-gateway', [l.file], l.root);
    expect(svc.artifacts.filter((a) => a.runId === 4242 && a.name === 'hybrid-e2e-results-gateway')).toHaveLength(1);
    await store.download('hybrid-e2e-results-gateway', path.join(tmp, 'dl2'));
    expect(JSON.parse(readFileSync(path.join(tmp, 'dl2', 'results.json'), 'utf8'))).toEqual({ leg: 'gateway', attempt: 2 });
  });

  it("workflow_run: reads the triggering run's artifacts with a token (REST API, redirect to the blob)", async () => {
    process.env.ACTIONS_RUNTIME_TOKEN = svc.runtimeToken(9999, 'comment');
    const store = mod.artifactStoreFor(process.env, {
      token: TOKEN,
      workflowRunId: 4242,
      repositoryOwner: 'acme',
      repositoryName: 'kubernaut',
    })!;
    expect(await store.list(RESULTS_ARTIFACT_PREFIX)).toEqual(['hybrid-e2e-results-datastorage', 'hybrid-e2e-results-gateway']);
    await store.download('hybrid-e2e-results-datastorage', path.join(tmp, 'dl3'));
    expect(JSON.parse(readFileSync(path.join(tmp, 'dl3', 'results.json'), 'utf8'))).toEqual({ leg: 'datastorage', i: 1 });
    expect(gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(
      expect.arrayContaining([
        'GET /repos/acme/kubernaut/actions/runs/4242/artifacts 200',
        expect.stringMatching(/^GET \/repos\/acme\/kubernaut\/actions\/artifacts\/\d+\/zip 302$/),
      ]),
    );
    expect(gh.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('artifact names are made safe for the service', () => {
    expect(artifactName(RESULTS_ARTIFACT_PREFIX, 'gateway,datastorage')).toBe('hybrid-e2e-results-gateway-datastorage');
    expect(artifactName(RESULTS_ARTIFACT_PREFIX, 'a/b:c*?')).toBe('hybrid-e2e-results-a-b-c');
    expect(artifactName(RESULTS_ARTIFACT_PREFIX, '')).toBe('hybrid-e2e-results-all');
  });
});
