/**
 * In-memory implementations of the engine's tool interfaces (core/engine/interfaces.ts), for unit tests of the tasks
 * and of runUp without any process: a builder with an image store, a kind with clusters and node images, a kube
 * client whose readiness answers come from a small table. Every call is logged with its time, for ordering checks.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { BuildError, ToolError } from '../../src/core/errors.js';
import type {
  BuildRequest,
  BuildResult,
  BuilderCapabilities,
  CallOptions,
  ClusterTool,
  CreateClusterSpec,
  EngineTools,
  ImageBuilder,
  KubeClient,
  KubeObject,
  LocalImage,
  PodState,
  WatchEvent,
} from '../../src/core/engine/interfaces.js';

export interface Call {
  tool: 'builder' | 'kind' | 'kube';
  op: string;
  args: unknown[];
  startMs: number;
  endMs?: number;
  ok?: boolean;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new Error('aborted'));
      },
      { once: true },
    );
  });

export class CallLog {
  readonly calls: Call[] = [];
  async record<T>(tool: Call['tool'], op: string, args: unknown[], fn: () => Promise<T>): Promise<T> {
    const c: Call = { tool, op, args, startMs: Date.now() };
    this.calls.push(c);
    try {
      const v = await fn();
      c.ok = true;
      return v;
    } catch (e) {
      c.ok = false;
      throw e;
    } finally {
      c.endMs = Date.now();
    }
  }
  of(tool: Call['tool'], op?: string): Call[] {
    return this.calls.filter((c) => c.tool === tool && (op === undefined || c.op === op));
  }
}

export interface MemoryBuilderOptions {
  caps?: Partial<BuilderCapabilities>;
  /** Build time per service (ms). */
  buildMs?: Record<string, number>;
  /** Services whose build fails, or is killed by a signal the first N times. */
  fail?: Record<string, { message?: string; signal?: string; times?: number }>;
  /** Images present before the run (by ref), with their labels. */
  images?: Record<string, Record<string, string>>;
  /** Make `save` fail (e.g. ENOSPC). */
  saveError?: string;
  /** Where images are kept (for the disk guard). */
  dataRoot?: string;
}

export class MemoryBuilder implements ImageBuilder {
  readonly caps: BuilderCapabilities;
  /** ref → labels */
  readonly images = new Map<string, Record<string, string>>();
  private readonly failures = new Map<string, number>();
  constructor(
    private readonly log: CallLog,
    private readonly o: MemoryBuilderOptions = {},
  ) {
    this.caps = {
      engine: 'docker',
      kind: 'buildkit',
      binary: '/usr/bin/docker',
      version: '20.10.24',
      cacheExport: false,
      outputTarball: false,
      platform: 'linux/amd64',
      savePlatform: true,
      ...o.caps,
    };
    for (const [ref, labels] of Object.entries(o.images ?? {})) this.images.set(ref, labels);
  }
  build(req: BuildRequest): Promise<BuildResult> {
    return this.log.record('builder', 'build', [req.service, req.tag], async () => {
      await sleep(this.o.buildMs?.[req.service] ?? 5, req.signal);
      const f = this.o.fail?.[req.service];
      const n = (this.failures.get(req.service) ?? 0) + 1;
      this.failures.set(req.service, n);
      if (f && n <= (f.times ?? Infinity)) {
        throw new BuildError(f.message ?? `build of ${req.service} failed (exit code 1) at [2/2] RUN false`, {
          service: req.service,
          logTail: ['#5 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1'],
          stepTail: ['step output'],
          ...(f.signal ? { signal: f.signal } : { exitCode: 1 }),
        });
      }
      for (const tag of [req.tag, ...(req.extraTags ?? [])]) {
        this.images.set(tag, { ...req.labels });
        this.created.set(tag, Date.now());
      }
      if (req.tarball) {
        mkdirSync(path.dirname(req.tarball), { recursive: true });
        writeFileSync(req.tarball, `archive of ${req.tag}\n`);
      }
      return {
        ref: req.tag,
        imageId: `sha256:${req.service}`,
        cached: false,
        logTail: [],
        attempts: 1,
        ...(req.tarball ? { tarball: req.tarball } : {}),
      };
    });
  }
  save(ref: string, dest: string, signal?: AbortSignal, platform?: string): Promise<{ bytes: number }> {
    return this.saveMany([ref], dest, signal, platform);
  }
  /** Writes `archive of <refs…>`: MemoryKind reads the refs back from it. */
  saveMany(refs: string[], dest: string, _signal?: AbortSignal, platform?: string): Promise<{ bytes: number }> {
    return this.log.record('builder', 'save', [refs, dest, ...(platform ? [platform] : [])], async () => {
      if (this.o.saveError)
        throw new BuildError(`docker save ${refs.join(' ')} failed (exit 1): ${this.o.saveError}`, {
          exitCode: 1,
          logTail: [this.o.saveError],
        });
      const missing = refs.filter((r) => !this.images.has(r));
      if (missing.length) throw new BuildError(`docker save failed: no such image ${missing.join(', ')}`, { exitCode: 1, logTail: [] });
      mkdirSync(path.dirname(dest), { recursive: true });
      writeFileSync(dest, `archive of ${refs.join(' ')}\n`);
      return { bytes: 20 * refs.length };
    });
  }
  imageExists(ref: string): Promise<boolean> {
    return this.log.record('builder', 'imageExists', [ref], async () => this.images.has(ref));
  }
  dataRoot(): Promise<string | undefined> {
    return this.log.record('builder', 'dataRoot', [], async () => this.o.dataRoot);
  }
  dispose(): Promise<void> {
    return this.log.record('builder', 'dispose', [], async () => undefined);
  }
  labelledImages(label: string): Promise<LocalImage[]> {
    return this.log.record('builder', 'labelledImages', [label], async () => {
      const byId = new Map<string, LocalImage>();
      for (const [ref, l] of this.images) {
        if (!l[label]) continue;
        const id = `sha256:${l[label]}`;
        const img = byId.get(id) ?? { id, tags: [], labels: l, createdMs: this.created.get(ref) ?? 0, bytes: 1000 };
        img.tags.push(ref);
        byId.set(id, img);
      }
      return [...byId.values()];
    });
  }
  /** When each tag was made (the memory builder's clock), for cache pruning tests. */
  readonly created = new Map<string, number>();
  imagesByLabel(label: string): Promise<Map<string, string>> {
    return this.log.record('builder', 'imagesByLabel', [label], async () => {
      const out = new Map<string, string>();
      for (const [ref, l] of this.images) if (l[label] && !out.has(l[label])) out.set(l[label], ref);
      return out;
    });
  }
  tag(src: string, dest: string): Promise<void> {
    return this.log.record('builder', 'tag', [src, dest], async () => {
      this.images.set(dest, { ...(this.images.get(src) ?? {}) });
    });
  }
  removeImages(refs: string[]): Promise<void> {
    return this.log.record('builder', 'removeImages', [refs], async () => {
      for (const r of refs) this.images.delete(r);
    });
  }
  pull(ref: string, _signal?: AbortSignal, platform?: string): Promise<void> {
    return this.log.record('builder', 'pull', [ref, ...(platform ? [platform] : [])], async () => {
      this.images.set(ref, {});
    });
  }
}

export interface MemoryKindOptions {
  createMs?: number;
  loadMs?: number;
  /** Output of failing creates, one per attempt (attempts after the list succeed). */
  createFailures?: string[];
  /** Services (by tarball name) whose load fails this many times. */
  loadFailures?: Record<string, number>;
}

/** kind-shaped errors: a ToolError as the Kind adapter throws it. */
export function kindError(verb: string, stderr: string): ToolError {
  return new ToolError({ command: 'kind', args: verb.split(' '), exitCode: 1, stdout: '', stderr, cancelled: false, verb: `kind ${verb}` });
}

export class MemoryKind implements ClusterTool {
  readonly clusters = new Map<string, { images: string[]; kubeconfig: string }>();
  private creates = 0;
  private readonly loads = new Map<string, number>();
  constructor(
    private readonly log: CallLog,
    private readonly o: MemoryKindOptions = {},
  ) {}
  create(spec: CreateClusterSpec, co?: CallOptions): Promise<void> {
    return this.log.record('kind', 'create', [spec], async () => {
      await sleep(this.o.createMs ?? 5, co?.signal);
      const fail = this.o.createFailures?.[this.creates++];
      this.clusters.set(spec.name, { images: [], kubeconfig: spec.kubeconfig });
      if (fail !== undefined) throw kindError('create cluster', fail);
    });
  }
  delete(name: string, kubeconfig: string): Promise<void> {
    return this.log.record('kind', 'delete', [name, kubeconfig], async () => {
      this.clusters.delete(name);
    });
  }
  /** Imports the refs an archive names (`archive of <refs…>`); `loadFailures` counts by archive file name. */
  loadImageArchive(tarball: string, cluster: string, co?: CallOptions): Promise<void> {
    return this.log.record('kind', 'load', [tarball, cluster], async () => {
      await sleep(this.o.loadMs ?? 5, co?.signal);
      const c = this.clusters.get(cluster);
      if (!c) throw kindError('load image-archive', `ERROR: no nodes found for cluster "${cluster}"`);
      const key = path.basename(tarball, '.tar');
      const n = (this.loads.get(key) ?? 0) + 1;
      this.loads.set(key, n);
      if (n <= (this.o.loadFailures?.[key] ?? 0)) throw kindError('load image-archive', 'ERROR: failed to load image: ... exit status 255');
      const refs = readFileSync(tarball, 'utf8')
        .replace(/^archive of /, '')
        .trim()
        .split(' ');
      c.images.push(...refs);
    });
  }
  exportLogs(dir: string, cluster: string): Promise<void> {
    return this.log.record('kind', 'exportLogs', [dir, cluster], async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'kind-version.txt'), 'kind v0.27.0\n');
    });
  }
}

export interface MemoryKubeOptions {
  /** Time from apply until an object reports ready (ms), by `kind/name` (lower case) or `*`. */
  readyMs?: Record<string, number>;
  /** `kind/name` targets (lower case) whose status never becomes ready. */
  neverReady?: string[];
  /** Raw pod objects to add at the first apply into their namespace (pod states for the deploy's pod watch). */
  pods?: KubeObject[];
  /** Nodes become Ready this long after the cluster exists (ms). */
  nodeReadyMs?: number;
}

/** Where each kind of object is listed (the API collection the engine watches). */
const COLLECTION: Record<string, string> = {
  Deployment: '/apis/apps/v1/deployments',
  StatefulSet: '/apis/apps/v1/statefulsets',
  DaemonSet: '/apis/apps/v1/daemonsets',
  Job: '/apis/batch/v1/jobs',
  Pod: '/api/v1/pods',
  Node: '/api/v1/nodes',
  ServiceAccount: '/api/v1/serviceaccounts',
  EndpointSlice: '/apis/discovery.k8s.io/v1/endpointslices',
};

/** The status each kind reports once ready, as its controller would set it. */
function readyStatus(o: KubeObject): KubeObject['status'] {
  const replicas = typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1;
  switch (o.kind) {
    case 'Deployment':
      return { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
    case 'StatefulSet':
      return {
        observedGeneration: 1,
        replicas,
        readyReplicas: replicas,
        currentReplicas: replicas,
        updatedReplicas: replicas,
        currentRevision: 'r1',
        updateRevision: 'r1',
      };
    case 'DaemonSet':
      return { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberReady: 1, numberAvailable: 1 };
    case 'Job':
      return { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] };
    default:
      return {};
  }
}

/**
 * A cluster in memory: applied objects become ready after a delay (their controllers' status), Services get a ready
 * EndpointSlice, namespaces a default ServiceAccount, and `watch` streams every change of a collection.
 */
export class MemoryKube implements KubeClient {
  readonly applied: Array<{ file: string; namespace?: string }> = [];
  readonly collections = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Map<string, Set<(e: WatchEvent) => void>>();
  private podsAdded = false;
  constructor(
    private readonly log: CallLog,
    private readonly o: MemoryKubeOptions = {},
  ) {
    this.put({ kind: 'Node', metadata: { name: 'e2e-control-plane' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } });
    setTimeout(
      () =>
        this.put({ kind: 'Node', metadata: { name: 'e2e-control-plane' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
      o.nodeReadyMs ?? 0,
    ).unref();
    const coredns: KubeObject = {
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system', generation: 1 },
      spec: { replicas: 2 },
    };
    this.put(coredns);
    this.later(coredns);
    this.put({ kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } });
  }
  /** Stores (or replaces) an object and tells the watchers. */
  put(obj: KubeObject, type: WatchEvent['type'] = 'MODIFIED'): void {
    const path = COLLECTION[obj.kind ?? ''];
    if (!path) return;
    const coll = this.collections.get(path) ?? new Map<string, KubeObject>();
    this.collections.set(path, coll);
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const t = coll.has(key) ? type : 'ADDED';
    coll.set(key, obj);
    for (const l of this.listeners.get(path) ?? []) l({ type: t, object: obj });
  }
  private later(obj: KubeObject): void {
    const target = `${(obj.kind ?? '').toLowerCase()}/${obj.metadata.name}`;
    if (this.o.neverReady?.includes(target)) return;
    const ms = this.o.readyMs?.[target] ?? this.o.readyMs?.['*'] ?? 5;
    setTimeout(() => this.put({ ...obj, status: readyStatus(obj) }), ms).unref();
  }
  apply(file: string, namespace: string | undefined): Promise<void> {
    return this.log.record('kube', 'apply', [file, namespace], async () => {
      this.applied.push({ file, ...(namespace ? { namespace } : {}) });
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const o = doc.toJS() as KubeObject | null;
        if (!o?.kind) continue;
        const ns = o.kind === 'Namespace' ? undefined : (o.metadata.namespace ?? namespace ?? 'default');
        const obj: KubeObject = { ...o, metadata: { ...o.metadata, ...(ns ? { namespace: ns } : {}), generation: 1 } };
        if (o.kind === 'Namespace')
          setTimeout(() => this.put({ kind: 'ServiceAccount', metadata: { name: 'default', namespace: o.metadata.name } }), 1).unref();
        else if (o.kind === 'Service') {
          const slice = {
            kind: 'EndpointSlice',
            metadata: { name: `${o.metadata.name}-x`, namespace: ns!, labels: { 'kubernetes.io/service-name': o.metadata.name } },
            endpoints: [{ conditions: { ready: true } }],
          };
          setTimeout(() => this.put(slice as KubeObject), this.o.readyMs?.[`service/${o.metadata.name}`] ?? 5).unref();
        } else {
          this.put({ ...obj, status: {} });
          this.later(obj);
        }
        if (!this.podsAdded && this.o.pods?.some((p) => p.metadata.namespace === ns)) {
          this.podsAdded = true;
          for (const p of this.o.pods) this.put({ ...p, kind: 'Pod' });
        }
      }
    });
  }
  kustomize(dir: string): Promise<string> {
    return this.log.record('kube', 'kustomize', [dir], async () => '');
  }
  waitFor(
    condition: string,
    targets: readonly string[],
    namespace: string | undefined,
    timeoutMs: number,
    co?: CallOptions,
  ): Promise<void> {
    return this.log.record('kube', 'waitFor', [condition, targets, namespace, timeoutMs], async () => {
      for (const t of targets) {
        if (this.o.neverReady?.includes(t)) {
          await sleep(Math.min(timeoutMs, 50), co?.signal);
          throw new ToolError({
            command: 'kubectl',
            args: [],
            exitCode: 1,
            stdout: '',
            stderr: `error: timed out waiting for the condition on ${t}`,
            cancelled: false,
            verb: 'kubectl wait',
          });
        }
        await sleep(this.o.readyMs?.[t] ?? 5, co?.signal);
      }
    });
  }
  watch(path: string, onEvent: (e: WatchEvent) => void, o: { signal: AbortSignal; onSynced: () => void }): Promise<void> {
    return this.log.record('kube', 'watch', [path], async () => {
      for (const obj of this.collections.get(path)?.values() ?? []) onEvent({ type: 'ADDED', object: obj });
      o.onSynced();
      const set = this.listeners.get(path) ?? new Set();
      this.listeners.set(path, set);
      set.add(onEvent);
      await new Promise<void>((resolve) => {
        if (o.signal.aborted) return resolve();
        o.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      set.delete(onEvent);
    });
  }
  pods(): Promise<PodState[]> {
    return this.log.record('kube', 'pods', [], async () =>
      [...(this.collections.get(COLLECTION.Pod!)?.values() ?? [])].map((p) => ({
        name: p.metadata.name,
        namespace: p.metadata.namespace ?? 'default',
        ready: false,
      })),
    );
  }
  events(): Promise<string> {
    return this.log.record('kube', 'events', [], async () => 'NAMESPACE   LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\n');
  }
  describePod(name: string, namespace: string): Promise<string> {
    return this.log.record('kube', 'describePod', [name, namespace], async () => `Name: ${name}\n`);
  }
  podLogs(name: string, namespace: string): Promise<string> {
    return this.log.record('kube', 'podLogs', [name, namespace], async () => `logs of ${name}\n`);
  }
}

export interface MemoryTools extends EngineTools {
  log: CallLog;
  builder: MemoryBuilder;
  cluster: MemoryKind;
  kube: MemoryKube;
}

export function memoryTools(o: { builder?: MemoryBuilderOptions; kind?: MemoryKindOptions; kube?: MemoryKubeOptions } = {}): MemoryTools {
  const log = new CallLog();
  return { log, builder: new MemoryBuilder(log, o.builder), cluster: new MemoryKind(log, o.kind), kube: new MemoryKube(log, o.kube) };
}
