/**
 * In-memory implementations of the engine's tool interfaces (core/engine/interfaces.ts), for unit tests of the tasks
 * and of runUp without any process: a builder with an image store, a kind with clusters and node images, a kube
 * client whose readiness answers come from a small table. Every call is logged with its time, for ordering checks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
  PodState,
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
      this.images.set(req.tag, { ...req.labels });
      return { ref: req.tag, imageId: `sha256:${req.service}`, cached: false, logTail: [], attempts: 1 };
    });
  }
  save(ref: string, dest: string): Promise<{ bytes: number }> {
    return this.log.record('builder', 'save', [ref, dest], async () => {
      if (this.o.saveError)
        throw new BuildError(`docker save ${ref} failed (exit 1): ${this.o.saveError}`, { exitCode: 1, logTail: [this.o.saveError] });
      if (!this.images.has(ref)) throw new BuildError(`docker save ${ref} failed: no such image`, { exitCode: 1, logTail: [] });
      mkdirSync(path.dirname(dest), { recursive: true });
      writeFileSync(dest, `archive of ${ref}\n`);
      return { bytes: 20 };
    });
  }
  imageExists(ref: string): Promise<boolean> {
    return this.log.record('builder', 'imageExists', [ref], async () => this.images.has(ref));
  }
  findByLabel(label: string, value: string): Promise<string | undefined> {
    return this.log.record('builder', 'findByLabel', [label, value], async () => [...this.images].find(([, l]) => l[label] === value)?.[0]);
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
  pull(ref: string): Promise<void> {
    return this.log.record('builder', 'pull', [ref], async () => {
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
  loadImageArchive(tarball: string, cluster: string, co?: CallOptions): Promise<void> {
    return this.log.record('kind', 'load', [tarball, cluster], async () => {
      await sleep(this.o.loadMs ?? 5, co?.signal);
      const c = this.clusters.get(cluster);
      if (!c) throw kindError('load image-archive', `ERROR: no nodes found for cluster "${cluster}"`);
      const key = path.basename(tarball, '.tar');
      const n = (this.loads.get(key) ?? 0) + 1;
      this.loads.set(key, n);
      if (n <= (this.o.loadFailures?.[key] ?? 0)) throw kindError('load image-archive', 'ERROR: failed to load image: ... exit status 255');
      c.images.push(key);
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
  /** Time until a `rollout status` / `wait` of a target returns (ms), by target (`deployment/x`) or `*`. */
  readyMs?: Record<string, number>;
  /** Targets that never become ready: rollout/wait fails after its timeout (capped at 50 ms here). */
  neverReady?: string[];
  /** Pods returned for a namespace (the deploy's pod watch reads them). */
  pods?: Record<string, PodState[]>;
  /** Nodes not Ready for this many polls. */
  nodesNotReadyPolls?: number;
}

export class MemoryKube implements KubeClient {
  readonly applied: Array<{ file: string; namespace?: string }> = [];
  private nodePolls = 0;
  constructor(
    private readonly log: CallLog,
    private readonly o: MemoryKubeOptions = {},
  ) {}
  private async waitFor1(target: string, timeoutMs: number, co?: CallOptions): Promise<void> {
    if (this.o.neverReady?.includes(target)) {
      await sleep(Math.min(timeoutMs, 50), co?.signal);
      throw new ToolError({
        command: 'kubectl',
        args: [],
        exitCode: 1,
        stdout: '',
        stderr: `error: timed out waiting for the condition on ${target}`,
        cancelled: false,
        verb: 'kubectl rollout status',
      });
    }
    await sleep(this.o.readyMs?.[target] ?? this.o.readyMs?.['*'] ?? 5, co?.signal);
  }
  apply(file: string, namespace: string | undefined): Promise<void> {
    return this.log.record('kube', 'apply', [file, namespace], async () => {
      this.applied.push({ file, ...(namespace ? { namespace } : {}) });
    });
  }
  kustomize(dir: string): Promise<string> {
    return this.log.record('kube', 'kustomize', [dir], async () => '');
  }
  rolloutStatus(target: string, namespace: string, timeoutMs: number, co?: CallOptions): Promise<void> {
    return this.log.record('kube', 'rolloutStatus', [target, namespace, timeoutMs], () => this.waitFor1(target, timeoutMs, co));
  }
  waitFor(
    condition: string,
    targets: readonly string[],
    namespace: string | undefined,
    timeoutMs: number,
    co?: CallOptions,
  ): Promise<void> {
    return this.log.record('kube', 'waitFor', [condition, targets, namespace, timeoutMs], async () => {
      for (const t of targets) await this.waitFor1(t, timeoutMs, co);
    });
  }
  nodes(): Promise<Array<{ name: string; ready: boolean }>> {
    return this.log.record('kube', 'nodes', [], async () => [
      { name: 'control-plane', ready: this.nodePolls++ >= (this.o.nodesNotReadyPolls ?? 0) },
    ]);
  }
  serviceAccountExists(name: string, namespace: string): Promise<boolean> {
    return this.log.record('kube', 'serviceAccountExists', [name, namespace], async () => true);
  }
  endpointsReady(service: string, namespace: string): Promise<boolean> {
    return this.log.record('kube', 'endpointsReady', [service, namespace], async () => true);
  }
  pods(namespace: string | undefined, selector: string | undefined): Promise<PodState[]> {
    return this.log.record('kube', 'pods', [namespace, selector], async () =>
      namespace ? (this.o.pods?.[namespace] ?? []) : Object.values(this.o.pods ?? {}).flat(),
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
