import { describe, expect, it } from 'vitest';
import { classifyCreateFailure } from '../../../src/core/engine/create-failures.js';

const wrapped = (tail: string) =>
  `ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged e2e-control-plane kubeadm init --config=/kind/kubeadm.conf --skip-token-print --v=6" failed with error: exit status 1\nCommand Output: ${tail}`;

describe('kind create failures', () => {
  it('"failed to init node" alone says nothing: the kubeadm lines after it decide', () => {
    expect(classifyCreateFailure(wrapped('something else entirely'))).toEqual({ transient: false, reason: 'kind create cluster failed' });
    expect(classifyCreateFailure(wrapped('[kubelet-check] The kubelet is not healthy after 4m0s'))).toMatchObject({ transient: true });
    expect(
      classifyCreateFailure(
        wrapped('error execution phase wait-control-plane: could not initialize a Kubernetes cluster: context deadline exceeded'),
      ),
    ).toMatchObject({ transient: true, reason: 'the control plane did not come up in time' });
    expect(classifyCreateFailure(wrapped('timed out waiting for the condition'))).toMatchObject({ transient: true });
  });

  it('join failures, slow node boots and the crun cgroup race are transient', () => {
    expect(
      classifyCreateFailure(
        'ERROR: failed to create cluster: failed to join node with kubeadm: command "docker exec --privileged e2e-worker kubeadm join" failed',
      ),
    ).toMatchObject({ transient: true, reason: 'a node failed to join the cluster' });
    expect(
      classifyCreateFailure(
        'ERROR: failed to create cluster: could not find a log line that matches "Reached target .*Multi-User System.*"',
      ),
    ).toMatchObject({ transient: true });
    expect(classifyCreateFailure('Error: OCI runtime error: crun: cgroup libpod-1.scope not found')).toMatchObject({ transient: true });
  });

  it('preflight errors, a busy port, a missing node image, a too-old crun and a bad config are permanent, even next to a transient line', () => {
    expect(classifyCreateFailure(wrapped('[preflight] Some fatal errors occurred:\n[kubelet-check] x'))).toMatchObject({
      transient: false,
      reason: 'kubeadm preflight checks failed',
    });
    expect(
      classifyCreateFailure(
        'docker: Error response from daemon: driver failed programming external connectivity: Bind for 0.0.0.0:8080 failed: port is already allocated.',
      ),
    ).toMatchObject({
      transient: false,
      hint: 'Set cluster.hostPorts: auto to give each run free host ports.',
    });
    expect(
      classifyCreateFailure('ERROR: failed to create cluster: failed to pull image "kindest/node:v1.32.2": exit status 1'),
    ).toMatchObject({ transient: false, reason: 'the node image is not available' });
    expect(classifyCreateFailure('Command Output: Error: OCI runtime error: crun: unknown version specified')).toMatchObject({
      transient: false,
      hint: expect.stringMatching(/crun to 1\.14\.3/),
    });
    expect(
      classifyCreateFailure('ERROR: failed to create cluster: unable to decode config: error unmarshaling JSON: unknown field "nodez"'),
    ).toMatchObject({ transient: false, reason: 'the kind config is invalid' });
  });
});
