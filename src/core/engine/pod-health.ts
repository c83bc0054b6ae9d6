/**
 * Will this pod ever become ready? Read from its container statuses, init containers included (a failing init
 * container shows only in `initContainerStatuses`; the app containers then just say `PodInitializing`).
 *
 * The kubelet keeps retrying, so not every bad state is final:
 * - a crash loop is restarted with a back-off (10 s doubling to 5 min, pkg/kubelet/kuberuntime, `backOffPeriod` and
 *   `MaxContainerBackOff`): a pod that crashes while it warms up may still come up. It is fatal after
 *   `deploy.crashLoopRestarts` restarts, or when the next back-off would outlast the time left to wait;
 * - `CreateContainerConfigError` (a missing Secret or ConfigMap key) is retried on every sync and recovers when the
 *   object appears: fatal after `deploy.configErrorGrace`;
 * - an image the node does not have and cannot pull (ErrImageNeverPull, ImagePullBackOff, InvalidImageName), and a
 *   container that cannot be created or run, is fatal at once: loaded images are there or not.
 */
import type { KubeObject } from './interfaces.js';

export interface PodPolicy {
  crashLoopRestarts: number;
  configErrorGraceMs: number;
}

const FATAL_AT_ONCE = new Set(['ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerError', 'RunContainerError']);
const CONFIG_ERROR = 'CreateContainerConfigError';
const CRASH = 'CrashLoopBackOff';
const INITIAL_BACKOFF_MS = 10_000;
const MAX_BACKOFF_MS = 300_000;

interface ContainerStatus {
  name: string;
  image?: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { exitCode?: number; reason?: string } };
  lastState?: { terminated?: { exitCode?: number; reason?: string } };
}

/** The back-off the kubelet waits before the next restart, from its message (`back-off 40s restarting…`) or the count. */
export function nextBackoffMs(cs: ContainerStatus): number {
  const m = /back-off (\d+m)?(\d+s)?/.exec(cs.state?.waiting?.message ?? '');
  if (m && (m[1] || m[2])) return (m[1] ? parseInt(m[1], 10) * 60_000 : 0) + (m[2] ? parseInt(m[2], 10) * 1000 : 0);
  return Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** Math.max(0, (cs.restartCount ?? 0) - 1));
}

/**
 * A reason the pod will not become ready, or undefined. `firstSeen` remembers since when a container has reported a
 * config error (keyed by pod uid and container); `deadlineMs` is when the deploy stops waiting.
 */
export function podProblem(
  pod: KubeObject,
  policy: PodPolicy,
  nowMs: number,
  deadlineMs: number,
  firstSeen: Map<string, number>,
): string | undefined {
  const status = (pod.status ?? {}) as { initContainerStatuses?: ContainerStatus[]; containerStatuses?: ContainerStatus[] };
  const groups: Array<[string, ContainerStatus[]]> = [
    ['init container', status.initContainerStatuses ?? []],
    ['container', status.containerStatuses ?? []],
  ];
  for (const [what, list] of groups) {
    for (const cs of list) {
      const reason = cs.state?.waiting?.reason;
      const key = `${pod.metadata.uid ?? pod.metadata.name}/${what}/${cs.name}`;
      if (reason !== CONFIG_ERROR) firstSeen.delete(key);
      if (!reason) continue;
      const about = `pod ${pod.metadata.name} (${what} ${cs.name}, image ${cs.image ?? '?'}) is in ${reason}`;
      const detail = cs.state?.waiting?.message ? `: ${cs.state.waiting.message}` : '';
      if (FATAL_AT_ONCE.has(reason)) return `${about}${detail}`;
      if (reason === CONFIG_ERROR) {
        const since = firstSeen.get(key) ?? nowMs;
        firstSeen.set(key, since);
        if (nowMs - since >= policy.configErrorGraceMs) {
          return `${about}${detail} (still after ${Math.round(policy.configErrorGraceMs / 1000)}s; deploy.configErrorGrace)`;
        }
        continue;
      }
      if (reason === CRASH) {
        const restarts = cs.restartCount ?? 0;
        const exit = cs.lastState?.terminated?.exitCode;
        const crashed = `${about} after ${restarts} restart(s)${exit !== undefined ? `, last exit code ${exit}` : ''}`;
        if (restarts >= policy.crashLoopRestarts) return `${crashed} (deploy.crashLoopRestarts: ${policy.crashLoopRestarts})${detail}`;
        const backoff = nextBackoffMs(cs);
        if (nowMs + backoff > deadlineMs) {
          return `${crashed}: its next restart is in ${Math.round(backoff / 1000)}s, after the wait timeout${detail}`;
        }
      }
    }
  }
  return undefined;
}
