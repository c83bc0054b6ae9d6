import { afterEach, describe, expect, it } from 'vitest';
import { Kubectl } from '../../src/adapters/kubectl.js';
import { recorders, type Recorders } from '../helpers/recorder.js';

let rec: Recorders;
afterEach(() => rec?.cleanup());

const podList = JSON.stringify({
  items: [
    {
      metadata: { name: 'gw-1', namespace: 'default' },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'gw', image: 'gw:1', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } } },
        ],
      },
    },
  ],
});

describe('kubectl adapter', () => {
  it('every call reads the run kubeconfig and discovery cache; apply is server-side with our field manager; timeouts are Go durations', async () => {
    rec = recorders();
    rec.add('kubectl');
    const k = new Kubectl('/run/kubeconfig', 'kubectl', rec.env, '/run/kube-cache');
    await k.apply('/run/manifests/gw.yaml', 'default');
    await k.apply('/run/namespaces.yaml', undefined);
    await k.waitFor('condition=Established', ['crd/a.example.com', 'crd/b.example.com'], undefined, 90_000);
    await k.waitFor('condition=Ready', ['widget/w1'], 'db', 1500);
    const pre = ['--kubeconfig', '/run/kubeconfig', '--cache-dir', '/run/kube-cache'];
    expect(rec.calls().map((c) => c.argv)).toEqual([
      [
        ...pre,
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager',
        'hybrid-e2e',
        '-n',
        'default',
        '-f',
        '/run/manifests/gw.yaml',
      ],
      [...pre, 'apply', '--server-side', '--force-conflicts', '--field-manager', 'hybrid-e2e', '-f', '/run/namespaces.yaml'],
      [...pre, 'wait', '--for=condition=Established', 'crd/a.example.com', 'crd/b.example.com', '--timeout=90s'],
      [...pre, 'wait', '--for=condition=Ready', 'widget/w1', '-n', 'db', '--timeout=2s'],
    ]);
  });

  it("watch: lists, then watches from the list's resourceVersion; objects come as ADDED, then synced, then the changes", async () => {
    rec = recorders();
    const list = { kind: 'DeploymentList', metadata: { resourceVersion: '41' }, items: [{ metadata: { name: 'a', namespace: 'x' } }] };
    const events = [
      { type: 'MODIFIED', object: { kind: 'Deployment', metadata: { name: 'a', namespace: 'x' }, status: { readyReplicas: 1 } } },
      { type: 'BOOKMARK', object: { kind: 'Deployment', metadata: { name: '', resourceVersion: '44' } } },
    ];
    rec.add('kubectl', [
      { match: 'watch=1', stdout: events.map((e) => JSON.stringify(e)).join('\n') + '\n' },
      { match: 'get --raw', stdout: JSON.stringify(list) },
    ]);
    const seen: string[] = [];
    await new Kubectl('/k', 'kubectl', rec.env).watch(
      '/apis/apps/v1/deployments',
      (e) => seen.push(`${e.type} ${e.object.kind} ${e.object.metadata.name}`),
      {
        signal: new AbortController().signal,
        onSynced: () => seen.push('synced'),
      },
    );
    expect(seen).toEqual(['ADDED Deployment a', 'synced', 'MODIFIED Deployment a', 'BOOKMARK Deployment ']);
    expect(rec.calls().map((c) => c.argv.slice(2))).toEqual([
      ['get', '--raw', '/apis/apps/v1/deployments'],
      ['get', '--raw', '/apis/apps/v1/deployments?watch=1&allowWatchBookmarks=true&resourceVersion=41'],
    ]);
  });

  it('watch: an ERROR event (410 Gone) ends the watch with its message, for the caller to list again', async () => {
    rec = recorders();
    rec.add('kubectl', [
      {
        match: 'watch=1',
        stdout:
          JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version: 41 (52)' } }) + '\n',
      },
      { match: 'get --raw', stdout: JSON.stringify({ metadata: { resourceVersion: '41' }, items: [] }) },
    ]);
    await expect(
      new Kubectl('/k', 'kubectl', rec.env).watch('/api/v1/pods', () => undefined, {
        signal: new AbortController().signal,
        onSynced: () => undefined,
      }),
    ).rejects.toThrow('watch of /api/v1/pods ended: too old resource version: 41 (52)');
  });

  it('reads every pod into name, namespace and readiness (diagnostics)', async () => {
    rec = recorders();
    rec.add('kubectl', [{ match: 'get pods', stdout: podList }]);
    expect(await new Kubectl('/k', 'kubectl', rec.env).pods()).toEqual([{ name: 'gw-1', namespace: 'default', ready: false }]);
    expect(rec.calls()[0]!.argv).toEqual(['--kubeconfig', '/k', 'get', 'pods', '-A', '-o', 'json']);
  });

  it('errors name the kubectl verb, not the kubeconfig path', async () => {
    rec = recorders();
    rec.add('kubectl', [{ stderr: 'error: timed out waiting for the condition on widgets/w1\n', exit: 1 }]);
    await expect(
      new Kubectl('/run/kubeconfig', 'kubectl', rec.env).waitFor('condition=Ready', ['widget/w1'], 'default', 1000),
    ).rejects.toThrow('kubectl wait exited with 1:\nerror: timed out waiting for the condition on widgets/w1');
  });
});
