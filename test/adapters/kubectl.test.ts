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
  it('every call reads the run kubeconfig; apply is server-side with our field manager; timeouts are Go durations', async () => {
    rec = recorders();
    rec.add('kubectl');
    const k = new Kubectl('/run/kubeconfig', 'kubectl', rec.env);
    await k.apply('/run/manifests/gw.yaml', 'default');
    await k.apply('/run/namespaces.yaml', undefined);
    await k.rolloutStatus('deployment/gw', 'default', 90_000);
    await k.waitFor('condition=Complete', ['job/migrate'], 'db', 1500);
    expect(rec.calls().map((c) => c.argv)).toEqual([
      [
        '--kubeconfig',
        '/run/kubeconfig',
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
      [
        '--kubeconfig',
        '/run/kubeconfig',
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager',
        'hybrid-e2e',
        '-f',
        '/run/namespaces.yaml',
      ],
      ['--kubeconfig', '/run/kubeconfig', 'rollout', 'status', 'deployment/gw', '-n', 'default', '--timeout=90s'],
      ['--kubeconfig', '/run/kubeconfig', 'wait', '--for=condition=Complete', 'job/migrate', '-n', 'db', '--timeout=2s'],
    ]);
  });

  it('reads pods into their waiting states, nodes into Ready, endpoints into ready addresses', async () => {
    rec = recorders();
    rec.add('kubectl', [
      { match: 'get pods', stdout: podList },
      {
        match: 'get nodes',
        stdout: JSON.stringify({ items: [{ metadata: { name: 'cp' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }] }),
      },
      { match: 'get endpoints', stdout: JSON.stringify({ subsets: [{ notReadyAddresses: [{}] }] }) },
      { match: 'get serviceaccount', stderr: 'Error from server (NotFound): serviceaccounts "default" not found\n', exit: 1 },
    ]);
    const k = new Kubectl('/k', 'kubectl', rec.env);
    expect(await k.pods('default', 'app=gw')).toEqual([
      {
        name: 'gw-1',
        namespace: 'default',
        ready: false,
        containers: [{ name: 'gw', image: 'gw:1', waitingReason: 'CrashLoopBackOff', waitingMessage: 'back-off 40s', restartCount: 4 }],
      },
    ]);
    expect(await k.nodes()).toEqual([{ name: 'cp', ready: true }]);
    expect(await k.endpointsReady('gw', 'default')).toBe(false);
    expect(await k.serviceAccountExists('default', 'ns')).toBe(false);
    expect(rec.calls()[0]!.argv).toEqual(['--kubeconfig', '/k', 'get', 'pods', '-n', 'default', '-l', 'app=gw', '-o', 'json']);
  });

  it('errors name the kubectl verb, not the kubeconfig path', async () => {
    rec = recorders();
    rec.add('kubectl', [{ stderr: 'error: deployment "gw" exceeded its progress deadline\n', exit: 1 }]);
    await expect(new Kubectl('/run/kubeconfig', 'kubectl', rec.env).rolloutStatus('deployment/gw', 'default', 1000)).rejects.toThrow(
      'kubectl rollout status exited with 1:\nerror: deployment "gw" exceeded its progress deadline',
    );
  });
});
