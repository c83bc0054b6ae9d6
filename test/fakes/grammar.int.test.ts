// The fake kind rejects what the real kind rejects, with kind's messages and exit codes; kubectl is the real one.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeEnv, fakeBinDir, type FakeEnv } from '../helpers/fakes.js';
import { kubectlDir } from '../helpers/kubectl-bin.js';

let fake: FakeEnv;

beforeAll(() => {
  fake = createFakeEnv();
  fs.mkdirSync(path.join(fake.stateDir, 'empty-dir'));
});
afterAll(() => fake.cleanup());

describe('PATH', () => {
  it('resolves kind to the fake and kubectl to the extracted kubectl 1.33, ahead of any kubectl on the machine', async () => {
    const r = await execa('sh', ['-c', 'command -v kind; command -v kubectl'], { env: fake.env, extendEnv: false });
    expect(r.stdout.split('\n')).toEqual([path.join(fakeBinDir, 'kind'), path.join(kubectlDir(), 'kubectl')]);
    const v = await fake.run('kubectl', ['version', '--client']);
    expect(v.stdout).toMatch(/^Client Version: v1\.33\.\d+\n/);
  });

  it('fails loudly when HYBRID_FAKE_STATE is unset', async () => {
    const r = await fake.run('kind', ['version'], { env: { HYBRID_FAKE_STATE: '' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('HYBRID_FAKE_STATE is not set');
  });

  it('rejects a malformed knob instead of ignoring it', async () => {
    const r = await fake.run('kind', ['get', 'clusters'], { env: { FAKE_FAIL: '{"op":"create"}' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('FAKE_FAIL: must be a JSON array of rules');
    const r2 = await fake.run('kind', ['get', 'clusters'], { env: { FAKE_FAIL: '[{"op":"create","tims":1}]' } });
    expect(r2.stderr).toContain('unknown field "tims"');
  });
});

describe.concurrent('kind grammar', () => {
  const cases: [string[], string][] = [
    [['create', 'cluster', '--foo'], 'ERROR: unknown flag: --foo'],
    [['create', 'cluster', '--foo=bar'], 'ERROR: unknown flag: --foo'],
    [['bogus'], 'ERROR: unknown command "bogus" for "kind"'],
    [['create', 'cluster', 'extra'], 'ERROR: unknown command "extra" for "kind create cluster"'],
    [['create', 'cluster', '--wait', 'soon'], 'ERROR: invalid argument "soon" for "--wait" flag: time: invalid duration "soon"'],
    [['create', 'cluster', '--wait=30'], 'ERROR: invalid argument "30" for "--wait" flag: time: missing unit in duration "30"'],
    [['create', 'cluster', '--name'], 'ERROR: flag needs an argument: --name'],
    [
      ['create', 'cluster', '--name', 'Bad_Name'],
      "ERROR: failed to create cluster: 'Bad_Name' is not a valid cluster name, cluster names must match `^[a-z0-9.-]+$`",
    ],
    [['load', 'image-archive'], 'ERROR: name of image archive is required'],
    [['load', 'docker-image'], 'ERROR: name of image is required'],
    [['get', 'clusters', '-x'], "ERROR: unknown shorthand flag: 'x' in -x"],
    [['delete', 'cluster', '--retain'], 'ERROR: unknown flag: --retain'],
    [['load', 'image-archive', 'a.tar', '--nodes'], 'ERROR: flag needs an argument: --nodes'],
    [
      ['get', 'kubeconfig', '--name', 'nope'],
      "ERROR: could not locate any control plane nodes for cluster named 'nope'. Use the --name option to select a different cluster",
    ],
  ];
  it.each(cases)('kind %j -> %s', async (args, message) => {
    const r = await fake.run('kind', args);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`${message}\n`);
    expect(r.stdout).toBe('');
  });

  it('accepts --flag=value and --flag value, -n, and the KIND_CLUSTER_NAME default', async () => {
    expect((await fake.run('kind', ['create', 'cluster', '--name=g1', '-q'])).exitCode).toBe(0);
    expect((await fake.run('kind', ['create', 'cluster', '--name', 'g2', '--wait', '1s'])).exitCode).toBe(0);
    expect((await fake.run('kind', ['create', 'cluster', '-n', 'g3'])).exitCode).toBe(0);
    expect((await fake.run('kind', ['create', 'cluster'], { env: { KIND_CLUSTER_NAME: 'g4' } })).exitCode).toBe(0);
    expect((await fake.run('kind', ['get', 'clusters'])).stdout).toBe('g1\ng2\ng3\ng4\n');
    expect((await fake.run('kind', ['get', 'nodes', '--name=g2'])).stdout).toBe('g2-control-plane\n');
    const dup = await fake.run('kind', ['create', 'cluster', '--name', 'g1']);
    expect(dup.exitCode).toBe(1);
    expect(dup.stderr).toContain('ERROR: failed to create cluster: node(s) already exist for a cluster with the name "g1"');
    // deleting is idempotent like real kind
    for (let i = 0; i < 2; i++) expect((await fake.run('kind', ['delete', 'cluster', '--name', 'g1'])).exitCode).toBe(0);
    expect((await fake.run('kind', ['delete', 'clusters', '--all'])).exitCode).toBe(0);
    const none = await fake.run('kind', ['get', 'clusters']);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('No kind clusters found.\n');
  });

  it('prints a version', async () => {
    expect((await fake.run('kind', ['version'])).stdout).toMatch(/^kind v0\.\d+\.\d+ go\S+ linux\/amd64\n$/);
  });
});

describe('the real kubectl in front of the emulator', () => {
  it('connects to the cluster kind created, and is refused once kind deleted it', async () => {
    const kc = path.join(fake.stateDir, 'gone.kubeconfig');
    expect((await fake.run('kind', ['create', 'cluster', '--name', 'gone', '--kubeconfig', kc])).exitCode).toBe(0);
    const port = fake.cluster('gone')?.port;
    const ok = await fake.run('kubectl', ['--kubeconfig', kc, 'get', 'nodes', '-o', 'name']);
    expect(ok.stdout).toBe('node/gone-control-plane\n');
    expect((await fake.run('kind', ['delete', 'cluster', '--name', 'gone', '--kubeconfig', kc])).exitCode).toBe(0);
    const gone = await fake.run('kubectl', ['--kubeconfig', kc, '--server', `http://127.0.0.1:${port}`, 'get', 'nodes']);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain(`The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?`);
    // kind removed its context from the kubeconfig it was given
    const ctx = await fake.run('kubectl', ['--kubeconfig', kc, '--context', 'kind-gone', 'get', 'nodes']);
    expect(ctx.stderr).toBe('Error in configuration: context was not found for specified context: kind-gone\n');
  });
});
