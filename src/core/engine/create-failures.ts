/**
 * Which `kind create cluster` failures are worth a fresh cluster. kind wraps every kubeadm init failure the same way
 * ("failed to init node with kubeadm", kind v0.27.0 pkg/cluster/internal/create/actions/kubeadminit/init.go:98) and
 * every join failure likewise ("failed to join node with kubeadm", kubeadmjoin/join.go), so the wrapper says nothing:
 * the signatures below are read from the output kind prints after it (kubeadm's own lines).
 *
 * Transient (a retry with a fresh cluster usually passes): the kubelet not healthy in time, the control plane not up
 * in time (`wait-control-plane`, reported by current kubeadm as `context deadline exceeded`, by older ones as
 * `timed out waiting for the condition`), a node container not booted in time ("could not find a log line"), a
 * node failing to join, podman/crun's cgroup race at container start ("scope not found").
 * Permanent (fail at once, with kind's last lines): kubeadm preflight errors, an invalid config, a node image that
 * cannot be had, a host port in use, a name in use, and a crun too old for podman ("unknown version specified").
 * A permanent signature wins over a transient one in the same output.
 */

export type CreateFailure = { transient: true; reason: string } | { transient: false; reason: string; hint?: string };

const PERMANENT: Array<{ re: RegExp; reason: string; hint?: string }> = [
  { re: /\[preflight\] Some fatal errors occurred|error execution phase preflight/i, reason: 'kubeadm preflight checks failed' },
  {
    re: /port is already allocated|address already in use/i,
    reason: 'a host port of the kind config is already in use, maybe by another run of this config',
    hint: 'Set cluster.hostPorts: auto to give each run free host ports.',
  },
  {
    re: /node\(s\) already exist for a cluster with the name/i,
    reason: 'a cluster with this name already exists',
    hint: 'Delete it (kind delete cluster --name ...) or keep cluster.unique on.',
  },
  {
    re: /unknown version specified/i,
    reason: "the OCI runtime (crun) is too old for this podman: it rejects podman's runtime spec version",
    hint: 'Update crun to 1.14.3 or newer (or point podman at a matching runtime); retrying does not help.',
  },
  {
    re: /failed to pull image|unable to find image|pull access denied|manifest unknown|no such image/i,
    reason: 'the node image is not available',
    hint: 'Pull or load the node image (cluster.nodeImage) first; kind cannot create nodes without it.',
  },
  {
    re: /unknown field|invalid configuration|unable to decode|error converting YAML|unmarshal errors/i,
    reason: 'the kind config is invalid',
  },
];

const TRANSIENT: Array<{ re: RegExp; reason: string }> = [
  {
    re: /\[kubelet-check\]|kubelet is not healthy|kubelet isn't running or healthy|localhost:10248\/healthz/i,
    reason: 'the kubelet was not healthy in time',
  },
  {
    re: /wait-control-plane|context deadline exceeded|timed out waiting for the condition/i,
    reason: 'the control plane did not come up in time',
  },
  { re: /could not find a log line that matches/i, reason: 'a node container did not boot in time' },
  { re: /failed to join node with kubeadm/i, reason: 'a node failed to join the cluster' },
  { re: /scope not found|resource temporarily unavailable/i, reason: 'the container runtime hit a start race' },
];

/** kind could not publish a host port: another process (often another run) took it. */
export function isPortConflict(output: string): boolean {
  return /port is already allocated|address already in use/i.test(output);
}

export function classifyCreateFailure(output: string): CreateFailure {
  for (const p of PERMANENT) if (p.re.test(output)) return { transient: false, reason: p.reason, ...(p.hint ? { hint: p.hint } : {}) };
  for (const t of TRANSIENT) if (t.re.test(output)) return { transient: true, reason: t.reason };
  return { transient: false, reason: 'kind create cluster failed' };
}
