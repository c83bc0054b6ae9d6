// The fakes reject what the real kind/kubectl reject, with the real tools' messages and exit codes.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeEnv, fakeBinDir, type FakeEnv } from '../helpers/fakes.js';

let fake: FakeEnv;
let manifest: string;
// When a real kubectl 1.33 is installed (the gcloud SDK ships one), the no-server cases are also run
// against it, so the expected messages are known to be the real tool's.
const realKubectl = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.33'].find((p) => fs.existsSync(p));

beforeAll(() => {
  fake = createFakeEnv();
  manifest = path.join(fake.stateDir, 'ns.yaml');
  fs.writeFileSync(manifest, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: grammar\n');
  fs.mkdirSync(path.join(fake.stateDir, 'empty-dir'));
});
afterAll(() => fake.cleanup());

describe('PATH', () => {
  it('resolves kind and kubectl to the fakes, ahead of the real /usr/bin/kubectl', async () => {
    const r = await execa('sh', ['-c', 'command -v kind; command -v kubectl'], { env: fake.env, extendEnv: false });
    expect(r.stdout.split('\n')).toEqual([path.join(fakeBinDir, 'kind'), path.join(fakeBinDir, 'kubectl')]);
  });

  it('fails loudly when HYBRID_FAKE_STATE is unset', async () => {
    for (const tool of ['kind', 'kubectl'] as const) {
      const r = await fake.run(tool, ['version'], { env: { HYBRID_FAKE_STATE: '' } });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('HYBRID_FAKE_STATE is not set');
    }
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

describe.concurrent('kubectl grammar', () => {
  // its own state dir: the kind tests above create clusters in the shared default kubeconfig
  let kfake: FakeEnv;
  beforeAll(() => {
    kfake = createFakeEnv();
  });
  afterAll(() => kfake.cleanup());
  const see = (cmd: string) => `See 'kubectl ${cmd ? `${cmd} ` : ''}--help' for usage.`;
  const cases: [string[], string][] = [
    [['get', 'pods', '--foo'], `error: unknown flag: --foo\n${see('get')}`],
    [['frobnicate'], 'error: unknown command "frobnicate" for "kubectl"'],
    [['get', 'pods', '-x'], `error: unknown shorthand flag: 'x' in -x\n${see('get')}`],
    [['-n'], `error: flag needs an argument: 'n' in -n\n${see('')}`],
    [['get', 'pods', '-l'], `error: flag needs an argument: 'l' in -l\n${see('get')}`],
    [
      ['rollout', 'status', 'deploy/x', '--timeout', '5'],
      `error: invalid argument "5" for "--timeout" flag: time: missing unit in duration "5"\n${see('rollout status')}`,
    ],
    [
      ['rollout', 'status', 'deploy/x', '--watch=maybe'],
      `error: invalid argument "maybe" for "-w, --watch" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n${see('rollout status')}`,
    ],
    [['rollout', 'status'], 'error: required resource not specified'],
    [['rollout', 'foo'], 'error: unknown command "foo"\nSee \'kubectl rollout -h\' for help and examples'],
    [
      ['get'],
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples',
    ],
    [['apply'], 'error: must specify one of -f and -k'],
    [['apply', '-f', '/nonexistent/x.yaml'], 'error: the path "/nonexistent/x.yaml" does not exist'],
    [['apply', '-f', 'MANIFEST', '-k', '/tmp'], 'error: only one of -f or -k can be specified'],
    [['apply', '-f', 'MANIFEST', '--dry-run=maybe'], 'error: Invalid dry-run value (maybe). Must be "none", "server", or "client".'],
    [
      ['apply', '--server-side', '--dry-run=client', '-f', 'MANIFEST'],
      "error: --dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)",
    ],
    [['apply', '--force-conflicts', '-f', 'MANIFEST'], 'error: --force-conflicts only works with --server-side'],
    [['apply', '-f', 'MANIFEST', 'extra'], "error: Unexpected args: [extra]\nSee 'kubectl apply -h' for help and examples"],
    [['apply', '-f', 'EMPTYDIR'], 'error: error reading [EMPTYDIR]: recognized file extensions are [.json .yaml .yml]'],
    [['wait', 'deploy/x'], 'error: unrecognized condition: ""'],
    [['wait', '--for=foo', 'deploy/x'], 'error: unrecognized condition: "foo"'],
    [['wait', '--for=condition', 'deploy/x'], 'error: unrecognized condition: "condition"'],
    [['create', 'namespace'], "error: exactly one NAME is required, got 0\nSee 'kubectl create namespace -h' for help and examples"],
    [
      ['create', 'namespace', 'a', 'b'],
      "error: exactly one NAME is required, got 2\nSee 'kubectl create namespace -h' for help and examples",
    ],
    [
      ['logs'],
      "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
    ],
    [
      ['describe'],
      'error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.',
    ],
    [
      ['delete'],
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    ],
    [
      ['get', 'pods', '--request-timeout=abc'],
      'error: Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)',
    ],
    [['version', '--client', '-o', 'xml'], "error: --output must be 'yaml' or 'json'"],
    [['--kubeconfig', '/nonexistent/kc', 'get', 'pods'], 'error: stat /nonexistent/kc: no such file or directory'],
  ];
  const subst = (a: string[]) => a.map((x) => (x === 'MANIFEST' ? manifest : x === 'EMPTYDIR' ? path.join(fake.stateDir, 'empty-dir') : x));
  it.each(cases)('kubectl %j', async (args, message) => {
    const r = await kfake.run('kubectl', subst(args));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`${message.replace('EMPTYDIR', path.join(fake.stateDir, 'empty-dir'))}\n`);
    if (realKubectl) {
      // the expectation is the real tool's behaviour: check it against a real kubectl when one is installed
      const real = await execa(realKubectl, subst(args), {
        env: { PATH: '/usr/bin:/bin', HOME: fake.stateDir },
        extendEnv: false,
        reject: false,
      });
      expect(real.exitCode).toBe(1);
      expect(String(real.stderr).trimEnd()).toBe(r.stderr.trimEnd());
    }
  });

  it('fails like kubectl against a server that is not there', async () => {
    // no kubeconfig at all -> localhost:8080
    const r = await kfake.run('kubectl', ['get', 'pods']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trimEnd().split('\n').pop()).toBe(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
    );
    // a kubeconfig of a deleted cluster -> its 127.0.0.1:PORT
    const kc = path.join(fake.stateDir, 'gone.kubeconfig');
    expect((await kfake.run('kind', ['create', 'cluster', '--name', 'gone', '--kubeconfig', kc])).exitCode).toBe(0);
    const port = kfake.cluster('gone')?.port;
    expect((await kfake.run('kubectl', ['--kubeconfig', kc, 'get', 'nodes'])).exitCode).toBe(0);
    expect((await kfake.run('kind', ['delete', 'cluster', '--name', 'gone'])).exitCode).toBe(0);
    const gone = await kfake.run('kubectl', ['--kubeconfig', kc, 'get', 'nodes']);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain(`The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?`);
    const ctx = await kfake.run('kubectl', ['--kubeconfig', kc, '--context', 'kind-nope', 'get', 'nodes']);
    expect(ctx.stderr).toBe('Error in configuration: context was not found for specified context: kind-nope\n');
  });

  it('works without a server for version --client and create namespace --dry-run=client', async () => {
    const v = await kfake.run('kubectl', ['version', '--client']);
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toMatch(/^Client Version: v1\.3\d\.\d+\nKustomize Version: v5\.\d+\.\d+\n$/);
    const args = ['create', 'namespace', 'demo', '--dry-run=client', '-o', 'yaml'];
    const ns = await kfake.run('kubectl', args);
    expect(ns.exitCode).toBe(0);
    expect(ns.stdout).toBe('apiVersion: v1\nkind: Namespace\nmetadata:\n  creationTimestamp: null\n  name: demo\nspec: {}\nstatus: {}\n');
    if (realKubectl) {
      const real = await execa(realKubectl, args, {
        env: { PATH: '/usr/bin:/bin', HOME: fake.stateDir },
        extendEnv: false,
        reject: false,
        stripFinalNewline: false,
      });
      expect(String(real.stdout)).toBe(ns.stdout);
    }
  });
});
