/**
 * The run's view of the cluster: one watch per resource type across all namespaces (`kubectl get <type> -A --watch`),
 * started when first needed and shared by every task, instead of a poll per service. Readiness waits are predicates
 * over the latest objects, re-evaluated on every change (and on a timer, for time-based verdicts).
 *
 * A watch that ends while still needed (the API server closes long watches, kubectl exits) is restarted: its
 * objects are listed again, so nothing is missed.
 */
import { errorMessage } from '../errors.js';
import type { KubeClient, KubeObject, WatchEvent } from './interfaces.js';

/** The collections the engine watches, as API paths (all namespaces). */
export const COLLECTIONS = {
  deployments: '/apis/apps/v1/deployments',
  statefulsets: '/apis/apps/v1/statefulsets',
  daemonsets: '/apis/apps/v1/daemonsets',
  jobs: '/apis/batch/v1/jobs',
  pods: '/api/v1/pods',
  nodes: '/api/v1/nodes',
  serviceaccounts: '/api/v1/serviceaccounts',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
} as const;

export type Verdict<T> = { done: T } | { waiting: string } | { failed: string };

interface Stream {
  objects: Map<string, KubeObject>;
  /** Listed once since (re)start: objects reflect the cluster. */
  synced: boolean;
  listeners: Set<() => void>;
  lastError?: string;
}

/** `<namespace>/<name>` (or `<name>` for cluster-scoped objects). */
export const objectKey = (o: KubeObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

export class ClusterWatch {
  private readonly streams = new Map<string, Stream>();
  private readonly stop = new AbortController();

  constructor(
    private readonly kube: KubeClient,
    /** How long to wait before restarting a watch that ended. */
    private readonly restartMs = 500,
  ) {}

  /** The objects of a resource type, kept current by a watch (started on first use). */
  private stream(resource: string): Stream {
    let s = this.streams.get(resource);
    if (s) return s;
    s = { objects: new Map(), synced: false, listeners: new Set() };
    this.streams.set(resource, s);
    void this.run(resource, s);
    return s;
  }

  private async run(resource: string, s: Stream): Promise<void> {
    while (!this.stop.signal.aborted) {
      const fresh = new Map<string, KubeObject>();
      let listing = true;
      const onEvent = (e: WatchEvent) => {
        if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
        const key = objectKey(e.object);
        if (e.type === 'DELETED') (listing ? fresh : s.objects).delete(key);
        else (listing ? fresh : s.objects).set(key, e.object);
        if (!listing) this.notify(s);
      };
      try {
        await this.kube.watch(resource, onEvent, {
          signal: this.stop.signal,
          onSynced: () => {
            // The initial list is complete: it replaces whatever an earlier watch knew.
            listing = false;
            s.objects = fresh;
            s.synced = true;
            this.notify(s);
          },
        });
        s.lastError = `the watch of ${resource} ended`;
      } catch (e) {
        s.lastError = errorMessage(e).split('\n').slice(-1)[0];
      }
      if (this.stop.signal.aborted) return;
      this.notify(s);
      await new Promise((r) => setTimeout(r, this.restartMs));
    }
  }

  private notify(s: Stream): void {
    for (const l of [...s.listeners]) l();
  }

  /**
   * Resolves with the first `done` verdict of `check` over the current objects of the given resource types,
   * rejects with a `failed` verdict, or with a timeout that names the last progress message.
   */
  until<T>(
    resources: string[],
    check: (objects: (resource: string) => Map<string, KubeObject>) => Verdict<T>,
    o: { timeoutMs: number; signal: AbortSignal; what: string; tickMs?: number },
  ): Promise<T> {
    const streams = resources.map((r) => this.stream(r));
    return new Promise<T>((resolve, reject) => {
      let last = 'nothing observed yet';
      let settled = false;
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(tick);
        for (const s of streams) s.listeners.delete(evaluate);
        o.signal.removeEventListener('abort', onAbort);
        f();
      };
      const evaluate = () => {
        if (settled || !streams.every((s) => s.synced)) return;
        let v: Verdict<T>;
        try {
          v = check((r) => this.stream(r).objects);
        } catch (e) {
          return finish(() => reject(e));
        }
        if ('done' in v) finish(() => resolve(v.done));
        else if ('failed' in v) finish(() => reject(new WaitFailed(v.failed)));
        else last = v.waiting;
      };
      const onAbort = () => finish(() => reject(new Error(`cancelled while waiting for ${o.what}`)));
      const timer = setTimeout(() => {
        const watchProblem = streams.find((s) => !s.synced)?.lastError;
        finish(() =>
          reject(
            new WaitTimeout(
              `${o.what} was not ready within ${Math.round(o.timeoutMs / 1000)}s: ${watchProblem && last === 'nothing observed yet' ? watchProblem : last}`,
            ),
          ),
        );
      }, o.timeoutMs);
      const tick = setInterval(evaluate, o.tickMs ?? 1000);
      if (o.signal.aborted) return onAbort();
      o.signal.addEventListener('abort', onAbort, { once: true });
      for (const s of streams) s.listeners.add(evaluate);
      evaluate();
    });
  }

  /** Stops every watch. */
  close(): void {
    this.stop.abort();
  }
}

/** A wait ended because what it waited for will not become ready. */
export class WaitFailed extends Error {}
/** A wait ran out of time. */
export class WaitTimeout extends Error {}
