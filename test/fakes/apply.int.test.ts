// The real kubectl's apply / get / delete against the API emulator (test/fakes/lib/apiserver.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeEnv, type FakeEnv } from '../helpers/fakes.js';

let f: FakeEnv;
let kc: string;
const k = (args: string[], input?: string) => f.run('kubectl', ['--kubeconfig', kc, ...args], input === undefined ? {} : { input });
const write = (name: string, text: string) => {
  const p = path.join(f.stateDir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};
const dep = (name: string, image: string, ns?: string, labels = `{app: ${name}}`) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: ${labels}}
    spec:
      containers: [{name: app, image: "${image}"}]
`;

beforeAll(async () => {
  f = createFakeEnv();
  kc = path.join(f.stateDir, 'kc');
  const r = await f.run('kind', ['create', 'cluster', '--name', 'ap', '--kubeconfig', kc]);
  expect(r.exitCode, r.stderr).toBe(0);
});
afterAll(() => f.cleanup());

describe('apply', () => {
  it('reports server-side errors like kubectl and still applies the valid objects', async () => {
    const m = write(
      'mixed.yaml',
      `${dep('ok', 'localhost/a:1', 'default')}---
${dep('broken', 'localhost/a:1', 'default', '{app: other}')}---
${dep('lost', 'localhost/a:1', 'nowhere')}---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
`,
    );
    const r = await k(['apply', '-f', m]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('deployment.apps/ok created\n');
    expect(r.stderr).toContain(
      `resource mapping not found for name: "w1" namespace: "" from "${m}": no matches for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first`,
    );
    expect(r.stderr).toContain(
      `Error from server (Invalid): error when creating "${m}": Deployment.apps "broken" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: \`selector\` does not match template \`labels\``,
    );
    expect(r.stderr).toContain(`Error from server (NotFound): error when creating "${m}": namespaces "nowhere" not found`);
    const stored = Object.values(f.cluster('ap')?.objects ?? {}).map((o) => o.obj.metadata.name);
    expect(stored).toContain('ok');
    expect(stored).not.toContain('broken');
    expect(stored).not.toContain('lost');
  });

  it('installs a CRD, then its custom resources map (and get/wait see them)', async () => {
    const crd = write(
      'crd.yaml',
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  versions: [{name: v1, served: true, storage: true}]
`,
    );
    expect((await k(['apply', '-f', crd])).stdout).toBe('customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n');
    expect((await k(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=5s'])).stdout).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n',
    );
    const w = await k(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n');
    expect(w.stdout).toBe('widget.example.com/w1 created\n');
    expect((await k(['get', 'wd', 'w1', '-o', 'jsonpath={.spec.size}'])).stdout).toBe('3');
  });

  it('applies a kustomization with namespace, images and labels', async () => {
    const dir = path.join(f.stateDir, 'kust');
    write('kust/deploy.yaml', dep('gateway', 'kubernaut/gateway:latest'));
    write('kust/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: kust}\n');
    write(
      'kust/kustomization.yaml',
      'resources: [ns.yaml, deploy.yaml]\nnamespace: kust\nimages:\n- name: kubernaut/gateway\n  newName: localhost/kubernaut/gateway\n  newTag: e2e-abc\nlabels:\n- pairs: {team: e2e}\n',
    );
    const r = await k(['apply', '-k', dir, '--server-side']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('namespace/kust serverside-applied\ndeployment.apps/gateway serverside-applied\n');
    const rec = f
      .calls()
      .filter((c) => c.tool === 'apiserver' && c.op === 'apply')
      .at(-1)!;
    // kubectl's default field manager for --server-side; the product passes its own (--field-manager hybrid-e2e).
    expect(rec).toMatchObject({ fieldManager: 'kubectl', force: false });
    const applied = rec.applied?.find((a) => a.kind === 'Deployment');
    expect(applied).toMatchObject({
      namespace: 'kust',
      containers: [{ name: 'app', image: 'localhost/kubernaut/gateway:e2e-abc', imagePullPolicy: null }],
    });
    expect((await k(['get', 'deploy', 'gateway', '-n', 'kust', '-o', 'jsonpath={.metadata.labels.team}'])).stdout).toBe('e2e');
  });

  it('detects server-side apply conflicts between field managers unless --force-conflicts', async () => {
    const m1 = write('ssa1.yaml', dep('owned', 'localhost/o:1'));
    const m2 = write('ssa2.yaml', dep('owned', 'localhost/o:2'));
    expect((await k(['apply', '--server-side', '--field-manager=alice', '-f', m1])).exitCode).toBe(0);
    const conflict = await k(['apply', '--server-side', '--field-manager=bob', '-f', m2]);
    expect(conflict.exitCode).toBe(1);
    // The emulator names the whole .spec (it does not track managed fields per leaf); kubectl adds its advice.
    expect(conflict.stderr).toContain('error: Apply failed with 1 conflict: conflict with "alice": .spec');
    expect(conflict.stderr).toContain('re-run the apply\n  command with the `--force-conflicts` flag');
    expect((await k(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', m2])).exitCode).toBe(0);
    expect((await k(['get', 'deployment/owned', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).stdout).toBe('localhost/o:2');
  });

  it('does not store dry runs; prints -o name; reads directories recursively with -R', async () => {
    const d = path.join(f.stateDir, 'tree');
    write('tree/a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-a}\ndata: {k: v}\n');
    write('tree/sub/b.yml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-b}\n');
    write('tree/ignored.txt', 'not a manifest');
    const [client, server] = await Promise.all([
      k(['apply', '-f', d, '-R', '--dry-run=client']),
      k(['apply', '-f', d, '-R', '--dry-run=server']),
    ]);
    expect(client.stdout).toBe('configmap/cm-a created (dry run)\nconfigmap/cm-b created (dry run)\n');
    expect(server.stdout).toBe('configmap/cm-a created (server dry run)\nconfigmap/cm-b created (server dry run)\n');
    expect(Object.values(f.cluster('ap')?.objects ?? {}).some((o) => o.obj.metadata.name === 'cm-a')).toBe(false);
    expect((await k(['apply', '-f', d, '-o', 'name'])).stdout).toBe('configmap/cm-a\n'); // not recursive without -R
    const cols = await k(['get', 'configmaps', '-o', 'custom-columns=NAME:.metadata.name,KEY:.data.k']);
    expect(cols.stdout).toMatch(/^NAME\s+KEY\ncm-a\s+v\n/);
    const del = await k(['delete', 'configmap', 'cm-a', 'cm-zz']);
    expect(del.stdout).toBe('configmap "cm-a" deleted\n');
    expect(del.stderr).toBe('Error from server (NotFound): configmaps "cm-zz" not found\n');
    expect((await k(['delete', 'configmap', 'cm-zz', '--ignore-not-found'])).exitCode).toBe(0);
    const get = await k(['get', 'configmaps', 'cm-a']);
    expect(get.stderr).toBe('Error from server (NotFound): configmaps "cm-a" not found\n');
  });
});
