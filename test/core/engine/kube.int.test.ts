// Issue 11: what the product gets right against the real kubectl 1.33 and the API emulator (test/fakes), each case
// one that the product got wrong before (see the README's failure table).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFakeEnv, type FakeEnv } from '../../helpers/fakes.js';
import { FAST, upInProcess } from '../../helpers/up.js';
import { runnableExample } from '../../helpers/example.js';
import { cli } from '../../helpers/cli.js';

describe('against the real kubectl', () => {
  let ex: ReturnType<typeof runnableExample>;
  let redisYaml: string;
  let original: string;
  let config: string;
  let originalConfig: string;
  beforeAll(() => {
    ex = runnableExample();
    redisYaml = path.join(ex.dir, 'deploy/redis.yaml');
    original = readFileSync(redisYaml, 'utf8');
    config = ex.config;
    originalConfig = readFileSync(config, 'utf8');
  });
  afterEach(() => {
    writeFileSync(redisYaml, original);
    writeFileSync(config, originalConfig);
  });
  afterAll(async () => {
    await ex.cleanup();
  });

  const up = (fake: FakeEnv, extraEnv: Record<string, string> = {}) =>
    upInProcess(ex, fake, ['--engine', 'docker', '-s', 'redis'], extraEnv);
  const down = async (fake: FakeEnv, runDir: string, env: Record<string, string> = {}) => {
    const d = await cli(['down', '--run-dir', runDir], { env: { ...fake.env, ...env } });
    expect(d.code, d.stderr).toBe(0);
  };
  /** The redis StatefulSet's pod template spec, edited. */
  const editRedis = (f: (s: string) => string) => writeFileSync(redisYaml, f(original));

  it("never reads or writes the user's kubeconfig: kind gets the run's own, from create to delete", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-home-'));
    mkdirSync(path.join(home, '.kube'));
    // An unparsable ~/.kube/config and a $KUBECONFIG with a leftover lock: real kind fails `delete cluster` on
    // either (after deleting the nodes) unless it is given --kubeconfig.
    const homeKc = path.join(home, '.kube', 'config');
    writeFileSync(homeKc, 'apiVersion: v1\nclusters: [ {{{ not yaml\n');
    const userKc = path.join(home, 'user-kubeconfig');
    writeFileSync(userKc, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\ncurrent-context: ""\n');
    writeFileSync(`${userKc}.lock`, '');
    const before = { home: readFileSync(homeKc), user: readFileSync(userKc), dir: readdirSync(path.join(home, '.kube')).sort() };
    const env = { HOME: home, KUBECONFIG: userKc, FAKE_DEFAULT_KUBECONFIG: '' };
    const fake = createFakeEnv({ ...FAST, extraEnv: env });
    try {
      const r = await up(fake);
      expect(r.code, r.stderr).toBe(0);
      await down(fake, r.results!.runDir, env);
      expect(fake.clusters()).toEqual([]);
      const kindCalls = fake.calls().filter((c) => c.tool === 'kind' && /create-cluster|delete-cluster/.test(c.op ?? ''));
      expect(kindCalls.map((c) => c.op)).toEqual(['kind:create-cluster', 'kind:delete-cluster']);
      for (const c of kindCalls) {
        expect(c.exitCode, c.stderrTail).toBe(0);
        expect(c.argv[c.argv.indexOf('--kubeconfig') + 1]).toBe(r.results!.cluster.kubeconfig);
      }
      expect(readFileSync(homeKc).equals(before.home)).toBe(true);
      expect(readFileSync(userKc).equals(before.user)).toBe(true);
      // no kubectl discovery cache or lock files appeared in ~/.kube
      expect(readdirSync(path.join(home, '.kube')).sort()).toEqual(before.dir);
    } finally {
      fake.cleanup();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('an OnDelete StatefulSet is ready by its status fields (kubectl rollout status refuses OnDelete)', async () => {
    editRedis((s) => s.replace('  serviceName: redis\n', '  serviceName: redis\n  updateStrategy: { type: OnDelete }\n'));
    const fake = createFakeEnv(FAST);
    try {
      const r = await up(fake);
      expect(r.code, r.stderr).toBe(0);
      const t = r.results!.tasks.find((x) => x.id === 'deploy:redis')!;
      expect(t).toMatchObject({ outcome: 'success' });
      expect(t.note).toContain('statefulset/redis');
      await down(fake, r.results!.runDir);
    } finally {
      fake.cleanup();
    }
  });

  it('a failing init container fails the deploy at once, naming the pod, the init container, the image and the reason', async () => {
    editRedis((s) =>
      s.replace(
        '      containers:\n',
        '      initContainers:\n        - { name: migrate, image: localhost/not-loaded/migrate:1, imagePullPolicy: Never }\n      containers:\n',
      ),
    );
    const fake = createFakeEnv(FAST);
    try {
      const started = Date.now();
      const r = await up(fake);
      expect(r.code).toBe(1);
      const t = r.results!.tasks.find((x) => x.id === 'deploy:redis')!;
      expect(t.error).toMatch(
        /pod redis-0 \(init container migrate, image localhost\/not-loaded\/migrate:1\) is in ErrImageNeverPull: Container image "localhost\/not-loaded\/migrate:1" is not present with pull policy of Never/,
      );
      // far from the 2m wait timeout
      expect(Date.now() - started).toBeLessThan(60_000);
      await down(fake, r.results!.runDir);
    } finally {
      fake.cleanup();
    }
  });

  it('a crash loop is fatal only after deploy.crashLoopRestarts restarts, not at the first CrashLoopBackOff', async () => {
    // back-off 10 s -> 200 ms: restarts at ~0.25 s, ~0.65 s, ~1.45 s
    const fake = createFakeEnv({ ...FAST, crash: ['statefulset/redis'], crashAfterMs: 50, crashRestartMs: 200 });
    try {
      const r = await up(fake);
      expect(r.code).toBe(1);
      const t = r.results!.tasks.find((x) => x.id === 'deploy:redis')!;
      expect(t.error).toMatch(
        /pod redis-0 \(container redis, image \S+\) is in CrashLoopBackOff after 3 restart\(s\), last exit code 1 \(deploy\.crashLoopRestarts: 3\)/,
      );
      await down(fake, r.results!.runDir);
    } finally {
      fake.cleanup();
    }
  });

  it('a crash loop whose next back-off outlasts the wait timeout fails then, saying so', async () => {
    writeFileSync(
      config,
      `${originalConfig.replace(/( {2}redis:\n(?: {4}.*\n)*?) {4}waitTimeout: 2m/, '$1    waitTimeout: 15s')}deploy:\n  crashLoopRestarts: 10\n`,
    );
    // back-off 10 s -> 1 s: after the first restart the kubelet says "back-off 20s", past the 15 s timeout
    const fake = createFakeEnv({ ...FAST, crash: ['statefulset/redis'], crashAfterMs: 50, crashRestartMs: 1000 });
    try {
      const r = await up(fake);
      expect(r.code).toBe(1);
      const t = r.results!.tasks.find((x) => x.id === 'deploy:redis')!;
      expect(t.error).toMatch(
        /is in CrashLoopBackOff after 1 restart\(s\), last exit code 1: its next restart is in 20s, after the wait timeout/,
      );
      await down(fake, r.results!.runDir);
    } finally {
      fake.cleanup();
    }
  });

  const secretRef = (s: string) =>
    s.replace(
      '          imagePullPolicy: IfNotPresent\n',
      '          imagePullPolicy: IfNotPresent\n          env:\n            - name: REDIS_PASSWORD\n              valueFrom: { secretKeyRef: { name: redis-auth, key: password } }\n',
    );
  const secret = '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: redis-auth\nstringData:\n  password: s3cret\n';

  it('a missing Secret is a config error the kubelet retries: the deploy succeeds once the Secret appears', async () => {
    editRedis((s) => `${secretRef(s)}${secret}`);
    // the Secret is applied 1.5 s after the StatefulSet's pods could start
    const fake = createFakeEnv({ ...FAST, durations: { 'apply:e2e/secret/redis-auth': 1500 } });
    try {
      const r = await up(fake);
      expect(r.code, r.stderr).toBe(0);
      const api = fake.calls().filter((c) => c.tool === 'apiserver');
      const secretApplied = api.find((c) => c.op === 'apply' && c.applied?.some((o) => o.kind === 'Secret'))!;
      const ready = api.find((c) => c.op === 'ready' && c.name === 'redis')!;
      expect(ready.t).toBeGreaterThanOrEqual(secretApplied.t!);
      await down(fake, r.results!.runDir);
    } finally {
      fake.cleanup();
    }
  });

  it('a Secret that never appears fails the deploy after deploy.configErrorGrace', async () => {
    editRedis(secretRef);
    writeFileSync(config, `${originalConfig}deploy:\n  configErrorGrace: 2s\n`);
    const fake = createFakeEnv(FAST);
    try {
      const r = await up(fake);
      expect(r.code).toBe(1);
      const t = r.results!.tasks.find((x) => x.id === 'deploy:redis')!;
      expect(t.error).toMatch(
        /pod redis-0 \(container redis, image \S+\) is in CreateContainerConfigError: secret "redis-auth" not found \(still after 2s; deploy\.configErrorGrace\)/,
      );
      await down(fake, r.results!.runDir);
    } finally {
      fake.cleanup();
    }
  });

  it('cluster.crds are awaited by name before any service, so a service can apply their custom resources', async () => {
    mkdirSync(path.join(ex.dir, 'crds'), { recursive: true });
    writeFileSync(
      path.join(ex.dir, 'crds/widgets.yaml'),
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets, singular: widget}\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]\n',
    );
    writeFileSync(config, originalConfig.replace('  hostPorts: auto', '  hostPorts: auto\n  crds: [crds/widgets.yaml]'));
    editRedis((s) => `${s}---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: cache-policy}\nspec: {ttl: 60}\n`);
    const fake = createFakeEnv(FAST);
    try {
      const r = await up(fake);
      expect(r.code, r.stderr).toBe(0);
      const api = fake.calls().filter((c) => c.tool === 'apiserver');
      // kubectl wait lists and watches the CRD by name (wait.go getObjAndCheckCondition): never a nameless wait
      const crdReads = api.filter(
        (c) => c.path === '/apis/apiextensions.k8s.io/v1/customresourcedefinitions' && (c.op === 'list' || c.op === 'watch'),
      );
      expect(crdReads.length).toBeGreaterThan(0);
      for (const w of crdReads) expect(new URLSearchParams(w.query).get('fieldSelector')).toBe('metadata.name=widgets.example.com');
      const crdApply = api.find((c) => c.op === 'apply' && c.applied?.some((o) => o.kind === 'CustomResourceDefinition'))!;
      const widget = api.find((c) => c.op === 'apply' && c.applied?.some((o) => o.kind === 'Widget' && o.name === 'cache-policy'))!;
      expect(widget.t).toBeGreaterThan(crdApply.t!);
      await down(fake, r.results!.runDir);
    } finally {
      fake.cleanup();
    }
  });
});
