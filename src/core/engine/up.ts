import { existsSync, mkdirSync, renameSync, rmSync, statSync, statfsSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Builder, BuildResult, CacheBackend, DetectedBuilder } from '../../adapters/builders/types.js';
import { Kind } from '../../adapters/kind.js';
import { Kubectl } from '../../adapters/kubectl.js';
import type { LoadedConfig, ResolvedService } from '../config/load.js';
import { errorMessage } from '../errors.js';
import { hashBuildInputs } from '../hash.js';
import type { Plan, PlanTask } from '../plan/graph.js';
import { CommandError, lastLines } from '../proc.js';
import type { Reporter } from '../report.js';
import { clusterNameFor } from '../run.js';
import {
  defaultWaitTargets,
  isKustomizeDir,
  parseManifests,
  readManifestPath,
  rewriteImages,
  toYaml,
  type K8sObject,
} from './manifests.js';
import { summarisePhases, type PortMapping, type Results, type TaskResult } from './results.js';
import { freePort, portIsFree } from './ports.js';
import { shouldStartCluster } from './predict.js';
import { runGraph } from './scheduler.js';

export interface UpOptions {
  loaded: LoadedConfig;
  plan: Plan;
  runId: string;
  runDir: string;
  detected: DetectedBuilder;
  cache: CacheBackend;
  reporter: Reporter;
  signal?: AbortSignal;
  keepClusterOnFailure?: boolean;
  /** Override the derived number of concurrent builds. */
  buildParallelism?: number;
  kindBin?: string;
  kubectlBin?: string;
  /** How often deploys poll pods for fatal states (ms). */
  pollMs?: number;
  /** Network for RUN steps (tests use none). */
  buildNetwork?: 'none' | 'default';
  /** Local cache dir root (cache backend `local`). */
  cacheDir?: string;
  /** Task durations (ms) from earlier runs: enables `cluster.start: predictive`. */
  history?: Record<string, number>;
  /** Predictive start: never start while more than predicted create + this much build work remains. Default 30 s. */
  predictiveMarginMs?: number;
  /** Write the image tarballs here and keep them (build-once for matrix legs); default: a run-private dir, emptied as images load. */
  tarballDir?: string;
  /** Bench/testing: override pool sizes (e.g. the sequential strategy). */
  pools?: Partial<Record<'build' | 'cluster' | 'load' | 'deploy', number>>;
  /** Environment of every tool call (PATH decides which kind/kubectl run). Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Called whenever the persisted run state changes (the action saves it for its post step). */
  onState?: (state: RunState) => void;
}

/** What a run created, so `down` and the post step can remove exactly that. */
export interface RunState {
  runId: string;
  runDir: string;
  pid: number;
  provider: 'docker' | 'podman';
  engineBinary: string;
  cluster?: { name: string; kubeconfig: string };
  images: string[];
  keepCluster?: boolean;
}

const TRANSIENT_CREATE = [
  /kubelet-check/i,
  /failed to init node/i,
  /kubelet.*(health|healthz)/i,
  /\bcrun\b/i,
  /OCI runtime/i,
  /could not find a log line/i,
  /timed out waiting for the condition/i,
];
const FATAL_WAITING = new Set([
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'CrashLoopBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

export function deriveBuildSlots(builder: Builder, override?: number): number {
  if (override) return override;
  const cpu = os.availableParallelism?.() ?? os.cpus().length;
  const memSlots = Math.max(1, Math.floor(os.freemem() / (1.5 * 1024 ** 3)));
  const n = Math.max(1, Math.min(cpu + 1, memSlots, 8));
  return builder.caps.maxParallelBuilds ? Math.min(n, builder.caps.maxParallelBuilds) : n;
}

class DeployFailure extends Error {}

export async function runUp(o: UpOptions): Promise<Results> {
  const { loaded, plan, runId, runDir, reporter } = o;
  const builder = o.detected.builder;
  const provider = builder.caps.engine;
  const env = o.env ?? process.env;
  const kind = new Kind(o.kindBin ?? 'kind', provider, env);
  const clusterName = clusterNameFor(plan.cluster.baseName, plan.cluster.unique, runId);
  const kubeconfig = path.join(runDir, 'kubeconfig');
  const kubectl = new Kubectl(kubeconfig, o.kubectlBin ?? 'kubectl', env);
  const pollMs = o.pollMs ?? 2000;
  const startMs = Date.now();
  const state: RunState = { runId, runDir, pid: process.pid, provider, engineBinary: builder.caps.binary, images: [] };
  const saveState = () => {
    writeFileSync(path.join(runDir, 'state.json'), JSON.stringify(state, null, 2));
    o.onState?.(state);
  };
  saveState();
  const info = new Map<string, Partial<TaskResult>>();
  const built = new Map<string, { ref: string; tarball?: string }>();
  const errors: string[] = [];
  const tarDir = o.tarballDir ?? path.join(runDir, 'images');
  mkdirSync(tarDir, { recursive: true });
  let clusterCreated = false;
  const ports: PortMapping[] = [];

  reporter.info(`builder: ${o.detected.reason}`);
  if (builder.caps.cacheNote) reporter.info(`cache: ${builder.caps.cacheNote}`);
  const buildSlots = deriveBuildSlots(
    builder,
    o.buildParallelism ?? (loaded.config.builds.parallelism === 'auto' ? undefined : loaded.config.builds.parallelism),
  );
  reporter.info(
    `run ${runId}: ${plan.services.length} services, ${plan.tasks.length} tasks, ${buildSlots} build slot(s), cluster ${clusterName}`,
  );

  const fail = (id: string, e: unknown, extra: Partial<TaskResult> = {}) => {
    const msg = errorMessage(e);
    const logTail =
      (e as { logTail?: string[]; details?: { logTail?: string[]; stepTail?: string[] } }).details?.stepTail ??
      (e as { details?: { logTail?: string[] } }).details?.logTail ??
      (e instanceof CommandError ? lastLines(e.output, 20) : undefined);
    info.set(id, { ...info.get(id), ...extra, error: msg, ...(logTail?.length ? { logTail } : {}) });
    errors.push(`${id}: ${msg}`);
    reporter.warn(`${id} failed: ${msg}`);
    return 'failure' as const;
  };

  const kindOpts = (signal: AbortSignal) => ({ signal });

  async function buildTask(t: PlanTask, signal: AbortSignal): Promise<'success' | 'failure'> {
    const s = loaded.services[t.service!]!;
    const tarball = path.join(tarDir, `${t.service}.tar`);
    if (t.action === 'pull') {
      const ref = s.image!;
      try {
        let note = 'local image';
        if (!(await builder.imageExists(ref))) {
          reporter.info(`${t.id}: ${ref} is not present locally; pulling`);
          await builder.pull(ref, signal);
          note = 'pulled';
        }
        await builder.save(ref, tarball, signal);
        built.set(t.service!, { ref, tarball });
        info.set(t.id, { image: ref, cached: note === 'local image', note, attempts: 1 });
        return 'success';
      } catch (e) {
        return fail(t.id, e, { image: ref, attempts: 1 });
      }
    }
    const b = s.build!;
    const args = { ...b.args, ...(b.coverage ? { [b.coverageArg]: '-cover' } : {}) };
    let attempts = 0;
    try {
      const hash = await hashBuildInputs({ context: b.context, dockerfile: b.dockerfile, args, ...(b.target ? { target: b.target } : {}) });
      const ref = `${b.image}:e2e-${runId}-${hash.slice(0, 8)}`;
      const cacheRef = `${b.image}:cache-${hash.slice(0, 12)}`;
      let result: BuildResult;
      const reuse = builder.caps.tarballOnly ? undefined : await builder.findByLabel('io.hybrid-e2e.inputs', hash);
      if (reuse) {
        attempts = 1;
        await builder.tag(reuse, ref);
        state.images.push(ref);
        saveState();
        const { bytes } = await builder.save(ref, tarball, signal);
        result = {
          ref,
          imageId: reuse,
          tarball,
          tarballBytes: bytes,
          cached: true,
          cacheNote: 'inputs unchanged: reused the image built from the same inputs',
          logTail: [],
        };
      } else {
        const cacheDir = o.cacheDir ?? path.join(os.tmpdir(), 'hybrid-e2e-cache');
        const scope = b.image.replace(/[^a-zA-Z0-9_.-]+/g, '_');
        const request = {
          service: t.service!,
          context: b.context,
          dockerfile: b.dockerfile,
          image: b.image,
          tag: ref,
          args,
          ...(b.target ? { target: b.target } : {}),
          labels: { 'io.hybrid-e2e.inputs': hash, 'io.hybrid-e2e.run': runId },
          cache: { backend: o.cache, scope, dir: path.join(cacheDir, scope), dirOut: path.join(cacheDir, `${scope}.new-${runId}`) },
          tarball,
          network: o.buildNetwork ?? 'default',
          signal,
        };
        const retries = loaded.config.builds.retries;
        // Record the tag before building: a build that fails after tagging (e.g. while saving) still leaves it.
        state.images.push(ref);
        saveState();
        for (;;) {
          attempts++;
          try {
            result = await builder.build(request);
            break;
          } catch (e) {
            const d = e as { signal?: string; cancelled?: boolean; exitCode?: number };
            const killed = !signal.aborted && !d.cancelled && Boolean(d.signal);
            if (killed && attempts <= retries) {
              reporter.warn(
                `${t.id}: the build process was killed by ${d.signal} (engine crash or out of memory); retrying (builds.retries: ${retries})`,
              );
              continue;
            }
            if (killed) {
              const err = new Error(
                `the build process was killed by ${d.signal}: the engine crashed or ran out of memory${retries ? ` (after ${attempts} attempts)` : '; set builds.retries to retry such builds'}`,
              );
              Object.assign(err, { details: (e as { details?: unknown }).details });
              throw err;
            }
            throw e;
          }
        }
        attempts = Math.max(attempts, result.attempts ?? 1);
        // Local cache rotation: the build exported into a new directory; it replaces the old one, so the cache
        // holds what this build used and does not grow without bound.
        const out = request.cache.dirOut;
        if (o.cache === 'local' && builder.caps.cacheExport && out && existsSync(out)) {
          rmSync(request.cache.dir!, { recursive: true, force: true });
          renameSync(out, request.cache.dir!);
        }
        if (!builder.caps.tarballOnly) {
          await builder.tag(ref, cacheRef);
        }
        saveState();
        if (!result.tarball) {
          const { bytes } = await builder.save(ref, tarball, signal);
          result = { ...result, tarball, tarballBytes: bytes };
        }
      }
      built.set(t.service!, { ref, ...(result.tarball ? { tarball: result.tarball } : {}) });
      info.set(t.id, { image: ref, cached: result.cached, attempts, ...(result.cacheNote ? { note: result.cacheNote } : {}) });
      return 'success';
    } catch (e) {
      return fail(t.id, diskFullHint(e, tarDir, t.service!), { attempts: Math.max(1, attempts), image: b.image });
    }
  }

  /** ENOSPC while writing a tarball: name the directory, the space needed and free, and what to do. */
  function diskFullHint(e: unknown, dir: string, service: string): unknown {
    const msg = `${errorMessage(e)}\n${((e as { logTail?: string[] }).logTail ?? []).join('\n')}`;
    if (!/no space left on device|ENOSPC/i.test(msg)) return e;
    let free = '?';
    try {
      const st = statfsSync(dir);
      free = `${Math.round((st.bavail * st.bsize) / 1024 / 1024)} MiB`;
    } catch {
      /* keep "?" */
    }
    const err = new Error(
      `not enough disk space in ${dir} for the image tarball of ${service} (${free} free; the tarball needs about the image's size, see "docker image ls"). Free space (e.g. docker system prune -f) or point HYBRID_E2E_TMPDIR (RUNNER_TEMP in Actions) at a larger disk.`,
    );
    return Object.assign(err, { details: (e as { details?: unknown }).details });
  }

  async function writeKindConfig(): Promise<string | undefined> {
    const coverage = plan.services.some((n) => loaded.services[n]!.build?.coverage);
    if (!loaded.kindConfig && !coverage) return undefined;
    const cfg = (loaded.kindConfig ? parseYaml(readFileSync(loaded.kindConfig, 'utf8')) : null) ?? {
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
    };
    const nodesForPorts: Array<Record<string, unknown>> = Array.isArray(cfg.nodes) ? cfg.nodes : [];
    const taken = new Set<number>();
    for (const [i, n] of nodesForPorts.entries()) {
      const maps = Array.isArray(n.extraPortMappings)
        ? (n.extraPortMappings as Array<{ containerPort?: number; hostPort?: number; listenAddress?: string }>)
        : [];
      for (const m of maps) {
        if (typeof m.hostPort !== 'number' || typeof m.containerPort !== 'number' || m.hostPort === 0) continue;
        const node = `${String(n.role ?? 'node')}${i ? `-${i}` : ''}`;
        if (loaded.config.cluster.hostPorts === 'auto') {
          const requested = m.hostPort;
          m.hostPort = await freePort(m.listenAddress, taken);
          ports.push({ node, containerPort: m.containerPort, hostPort: m.hostPort, requested });
        } else {
          if (!(await portIsFree(m.hostPort, m.listenAddress))) {
            throw new Error(
              `host port ${m.hostPort} (kind extraPortMappings, containerPort ${m.containerPort}) is already in use, maybe by another run of this config. Stop that cluster, or set cluster.hostPorts: auto to give each run free host ports.`,
            );
          }
          ports.push({ node, containerPort: m.containerPort, hostPort: m.hostPort });
        }
        taken.add(m.hostPort);
      }
    }
    if (ports.some((p) => p.requested !== undefined))
      reporter.info(`host ports: ${ports.map((p) => `${p.requested}→${p.hostPort}`).join(', ')} (cluster.hostPorts: auto)`);
    if (coverage) {
      const covDir = path.join(runDir, 'coverage');
      mkdirSync(covDir, { recursive: true });
      const nodes: Array<Record<string, unknown>> = Array.isArray(cfg.nodes) && cfg.nodes.length ? cfg.nodes : [{ role: 'control-plane' }];
      for (const n of nodes) {
        const mounts = Array.isArray(n.extraMounts) ? (n.extraMounts as unknown[]) : [];
        mounts.push({ hostPath: covDir, containerPath: '/tmp/hybrid-e2e-coverage' });
        n.extraMounts = mounts;
      }
      cfg.nodes = nodes;
    }
    const out = path.join(runDir, 'kind-config.yaml');
    writeFileSync(out, stringifyYaml(cfg));
    return out;
  }

  async function clusterTask(t: PlanTask, signal: AbortSignal): Promise<'success' | 'failure'> {
    const cfg = loaded.config.cluster;
    const waitMs =
      (typeof cfg.waitTimeout === 'number' ? cfg.waitTimeout * 1000 : undefined) ?? loaded.services[plan.services[0]!]!.waitTimeoutMs;
    let configFile: string | undefined;
    try {
      configFile = await writeKindConfig();
    } catch (e) {
      return fail(t.id, e, { attempts: 0 });
    }
    let attempts = 0;
    state.cluster = { name: clusterName, kubeconfig };
    saveState();
    for (;;) {
      attempts++;
      try {
        // --retain keeps the nodes of a failed create so their logs can be exported before we delete them.
        await kind.createCluster(
          {
            name: clusterName,
            ...(configFile ? { config: configFile } : {}),
            ...(cfg.nodeImage ? { image: cfg.nodeImage } : {}),
            kubeconfig,
            waitMs,
            retain: true,
          },
          kindOpts(signal),
        );
        clusterCreated = true;
        break;
      } catch (e) {
        const out = e instanceof CommandError ? e.output : errorMessage(e);
        const transient = !signal.aborted && TRANSIENT_CREATE.some((re) => re.test(out));
        const retrying = transient && attempts <= cfg.retries;
        if (!retrying && !signal.aborted) {
          const logs = path.join(runDir, 'diagnostics', `kind-create-attempt-${attempts}`);
          mkdirSync(path.dirname(logs), { recursive: true });
          await kind.exportLogs(logs, clusterName, { timeoutMs: 60_000 }).then(
            () => info.set(t.id, { ...info.get(t.id), note: `kind logs: ${logs}` }),
            () => undefined,
          );
        }
        await kind.deleteCluster(clusterName, undefined, {}).catch(() => undefined);
        if (retrying) {
          reporter.warn(`cluster: kind create failed with a known transient error (attempt ${attempts}); retrying with a fresh cluster`);
          continue;
        }
        clusterCreated = false;
        if (/address already in use|port is already allocated/i.test(out)) {
          return fail(
            t.id,
            new Error(
              `kind create cluster failed: a host port of the kind config is already in use, maybe by another run of this config. Set cluster.hostPorts: auto to give each run free host ports. (${lastLines(out, 1)[0] ?? ''})`,
            ),
            { attempts },
          );
        }
        const logsNote = info.get(t.id)?.note ? ` (${info.get(t.id)!.note})` : '';
        return fail(
          t.id,
          new Error(
            `${transient ? `kind create cluster failed ${attempts} time(s) with a known transient error` : 'kind create cluster failed'}${logsNote}: ${errorMessage(e)}`,
          ),
          { attempts },
        );
      }
    }
    try {
      await readinessGates(signal);
    } catch (e) {
      return fail(t.id, e, { attempts });
    }
    info.set(t.id, { attempts, note: clusterName });
    return 'success';
  }

  async function poll<T>(what: string, timeoutMs: number, signal: AbortSignal, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      if (signal.aborted) throw new Error(`cancelled while waiting for ${what}`);
      try {
        const v = await probe();
        if (v !== undefined) return v;
      } catch (e) {
        last = errorMessage(e);
      }
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${last ? ` (last error: ${last.split('\n')[0]})` : ''}`,
        );
      await new Promise((r) => setTimeout(r, Math.min(pollMs, 1000)));
    }
  }

  async function readinessGates(signal: AbortSignal) {
    const timeout = 120_000;
    await poll('all nodes Ready', timeout, signal, async () => {
      const nodes = await kubectl.json<{ items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }> }>(
        ['get', 'nodes'],
        { signal },
      );
      return nodes.items.length > 0 &&
        nodes.items.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        ? true
        : undefined;
    });
    await kubectl.rolloutStatus('deployment/coredns', 'kube-system', timeout, { signal });
    const namespaces = [...new Set(plan.services.map((n) => loaded.services[n]!.namespace))];
    const nsFile = path.join(runDir, 'namespaces.yaml');
    writeFileSync(nsFile, toYaml(namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }))));
    await kubectl.run(['apply', '-f', nsFile], { signal });
    for (const ns of namespaces) {
      await poll(`the default ServiceAccount in namespace ${ns}`, timeout, signal, async () => {
        await kubectl.run(['get', 'serviceaccount', 'default', '-n', ns, '-o', 'name'], { signal });
        return true;
      });
    }
    if (loaded.crds.length) {
      for (const c of loaded.crds) await kubectl.run(['apply', '--server-side', '-f', c], { signal });
      await kubectl
        .waitFor('condition=Established', 'crd', undefined, timeout, { signal })
        .catch(async () =>
          kubectl.run(['wait', '--for=condition=Established', 'crd', '--all', `--timeout=${timeout / 1000}s`], { signal }),
        );
    }
  }

  async function loadTask(t: PlanTask, signal: AbortSignal): Promise<'success' | 'failure'> {
    const b = built.get(t.service!)!;
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        if (b.tarball) await kind.loadImageArchive(b.tarball, clusterName, kindOpts(signal));
        else await kind.loadDockerImage(b.ref, clusterName, kindOpts(signal));
        break;
      } catch (e) {
        if (attempts < 2 && !signal.aborted) {
          reporter.warn(`${t.id}: loading ${b.ref} failed (${errorMessage(e).split('\n')[0]}); retrying once`);
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        return fail(
          t.id,
          new Error(`could not load image ${b.ref} into cluster ${clusterName} after ${attempts} attempts: ${errorMessage(e)}`),
          { attempts, image: b.ref },
        );
      }
    }
    if (b.tarball) rmSync(b.tarball, { force: true });
    info.set(t.id, { attempts, image: b.ref });
    return 'success';
  }

  function renderService(s: ResolvedService): { objects: K8sObject[]; file: string } {
    return { objects: [], file: path.join(runDir, 'manifests', `${s.name}.yaml`) };
  }

  async function deployTask(t: PlanTask, signal: AbortSignal): Promise<'success' | 'failure'> {
    const s = loaded.services[t.service!]!;
    const { file } = renderService(s);
    try {
      const objects: K8sObject[] = [];
      for (const m of s.manifests) {
        if (statSync(m).isDirectory() && isKustomizeDir(m)) {
          const { stdout } = await kubectl.kustomize(m, { signal });
          objects.push(...parseManifests(stdout, m));
        } else objects.push(...readManifestPath(m));
      }
      const b = built.get(s.name);
      if (s.build && b) {
        const rewrites = rewriteImages(objects, s.build.image, b.ref);
        for (const r of rewrites) if (r.warning) reporter.warn(`${t.id}: ${r.warning}`);
        if (rewrites.length === 0)
          reporter.warn(`${t.id}: no container in the manifests uses ${s.build.image}; the built image is loaded but unused`);
      }
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, toYaml(objects));
      if (objects.length) await kubectl.apply(file, s.namespace, { signal });
      const targets = s.wait ?? defaultWaitTargets(objects);
      const services = objects.filter(
        (o) =>
          o.kind === 'Service' &&
          (o.spec as { selector?: unknown } | undefined)?.selector &&
          (o.spec as { type?: string }).type !== 'ExternalName',
      );
      const local = new AbortController();
      const onAbort = () => local.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await Promise.race([
          Promise.all(targets.map((target) => waitTarget(target, s, local.signal))).then(async () => {
            for (const svc of services)
              await waitEndpoints(svc.metadata!.name!, svc.metadata?.namespace ?? s.namespace, s.waitTimeoutMs, local.signal);
          }),
          watchPods(objects, s, local.signal),
        ]);
      } finally {
        local.abort();
        signal.removeEventListener('abort', onAbort);
      }
      info.set(t.id, { attempts: 1, note: targets.length ? `ready: ${targets.join(', ')}` : 'applied' });
      return 'success';
    } catch (e) {
      return fail(t.id, e, { attempts: 1 });
    }
  }

  async function waitTarget(target: string, s: ResolvedService, signal: AbortSignal) {
    const kindName = target.split('/')[0]!;
    try {
      if (['deployment', 'statefulset', 'daemonset'].includes(kindName))
        await kubectl.rolloutStatus(target, s.namespace, s.waitTimeoutMs, { signal });
      else if (kindName === 'job') await kubectl.waitFor('condition=Complete', target, s.namespace, s.waitTimeoutMs, { signal });
      else if (kindName === 'service') await waitEndpoints(target.split('/')[1]!, s.namespace, s.waitTimeoutMs, signal);
      else await kubectl.waitFor('condition=Ready', target, s.namespace, s.waitTimeoutMs, { signal });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new DeployFailure(
        `${target} in namespace ${s.namespace} was not ready within ${Math.round(s.waitTimeoutMs / 1000)}s: ${errorMessage(e).split('\n').slice(-1)[0]}`,
      );
    }
  }

  async function waitEndpoints(name: string, ns: string, timeoutMs: number, signal: AbortSignal) {
    await poll(`ready endpoints of service ${name} in namespace ${ns}`, timeoutMs, signal, async () => {
      const ep = await kubectl.json<{ subsets?: Array<{ addresses?: unknown[] }> }>(['get', 'endpoints', name, '-n', ns], { signal });
      return ep.subsets?.some((ss) => (ss.addresses?.length ?? 0) > 0) ? true : undefined;
    });
  }

  /** Rejects as soon as a pod of this service is in a state that will never become ready. Never resolves otherwise. */
  async function watchPods(objects: K8sObject[], s: ResolvedService, signal: AbortSignal): Promise<never> {
    const selectors = objects
      .map((o) => (o.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels)
      .filter((m): m is Record<string, string> =>
        Boolean(m && Object.keys(m).length && objects.some((x) => x.kind && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(x.kind))),
      );
    return new Promise<never>((_, reject) => {
      if (selectors.length === 0) return;
      const tick = async () => {
        if (signal.aborted) return;
        for (const sel of selectors) {
          const label = Object.entries(sel)
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          try {
            const pods = await kubectl.json<{
              items: Array<{
                metadata: { name: string };
                status?: {
                  containerStatuses?: Array<{ name: string; image?: string; state?: { waiting?: { reason?: string; message?: string } } }>;
                };
              }>;
            }>(['get', 'pods', '-n', s.namespace, '-l', label], { signal });
            for (const p of pods.items) {
              for (const cs of p.status?.containerStatuses ?? []) {
                const reason = cs.state?.waiting?.reason;
                if (reason && FATAL_WAITING.has(reason)) {
                  reject(
                    new DeployFailure(
                      `pod ${p.metadata.name} (container ${cs.name}, image ${cs.image ?? '?'}) is in ${reason}${cs.state?.waiting?.message ? `: ${cs.state.waiting.message}` : ''}`,
                    ),
                  );
                  return;
                }
              }
            }
          } catch {
            /* transient: the rollout wait reports real problems */
          }
        }
        if (!signal.aborted) setTimeout(() => void tick(), pollMs);
      };
      void tick();
    });
  }

  // Cluster start strategy. after-builds: the plan's edges (cluster after every build). with-builds: at once.
  // predictive: when the predicted remaining build wall time falls to the predicted create time.
  const buildIds = plan.tasks.filter((t) => t.phase === 'build').map((t) => t.id);
  const buildStarted = new Map<string, number>();
  const buildDone = new Map<string, string>();
  const buildEnded = new Map<string, number>();
  const start = plan.cluster.start;
  const createMs = o.history?.['cluster'];
  let predictedNote: string | undefined;
  if (start === 'predictive' && (createMs === undefined || buildIds.some((id) => o.history?.[id] === undefined))) {
    reporter.info(
      'cluster start: predictive, but no duration history for every build and the cluster yet: creating it after the builds this time',
    );
  }
  const pools = {
    build: buildSlots,
    cluster: 1,
    load: loaded.config.builds.loadParallelism,
    deploy: loaded.config.builds.deployParallelism,
    ...o.pools,
  };
  const gate = (t: PlanTask): boolean | 'skip' => {
    if (t.id !== 'cluster' || start === 'after-builds') return true;
    if ([...buildDone.values()].some((v) => v !== 'success')) return 'skip';
    if (buildDone.size === buildIds.length) return true;
    if (start === 'with-builds') return true;
    if (createMs === undefined) return false;
    const p = shouldStartCluster({
      now: Date.now(),
      slots: pools.build,
      pending: buildIds
        .filter((id) => !buildDone.has(id))
        .map((id) => ({ id, ...(buildStarted.has(id) ? { startedMs: buildStarted.get(id)! } : {}) })),
      finished: [...buildEnded].map(([id, end]) => ({ id, ms: end - (buildStarted.get(id) ?? end) })),
      history: o.history ?? {},
      createMs,
      marginMs: o.predictiveMarginMs ?? 30_000,
    });
    if (p?.start)
      predictedNote = `started with ~${(p.remainingMs / 1000).toFixed(1)}s of build work left (predicted create ${(createMs / 1000).toFixed(1)}s)`;
    return p?.start ?? false;
  };
  let pokeTimer: NodeJS.Timeout | undefined;
  const run = runGraph({
    tasks: plan.tasks,
    pools,
    gate,
    ...(o.signal ? { signal: o.signal } : {}),
    onEvent: (e) => {
      if (e.id.startsWith('build:')) {
        if (e.type === 'start') buildStarted.set(e.id, Date.now());
        else {
          buildDone.set(e.id, e.outcome ?? 'failure');
          buildEnded.set(e.id, Date.now());
        }
      }
      if (e.id === 'cluster' && e.type === 'start' && buildDone.size < buildIds.length) {
        // Keep CPU for kubelet while the cluster boots: one build slot fewer until it is ready.
        run.setPoolSize('build', Math.max(1, pools.build - 1));
        if (predictedNote) reporter.info(`cluster: ${predictedNote}`);
      }
      if (e.id === 'cluster' && e.type === 'end') {
        run.setPoolSize('build', pools.build);
        if (pokeTimer) clearInterval(pokeTimer);
      }
      if (e.type === 'start') reporter.task(e.id, 'start');
      else
        reporter.task(e.id, 'end', {
          ...(e.outcome ? { outcome: e.outcome } : {}),
          ...(info.get(e.id)?.note ? { note: info.get(e.id)!.note! } : {}),
        });
    },
    run: (t, signal) => {
      switch (t.action) {
        case 'build':
        case 'pull':
          return buildTask(t, signal);
        case 'create':
          return clusterTask(t, signal);
        case 'load':
          return loadTask(t, signal);
        case 'deploy':
          return deployTask(t, signal);
      }
    },
  });
  if (start !== 'after-builds') pokeTimer = setInterval(() => run.poke(), 200);
  const sched = await run.done.finally(() => pokeTimer && clearInterval(pokeTimer));
  const tasks: TaskResult[] = plan.tasks.map((t) => {
    const r = sched.get(t.id)!;
    const extra = info.get(t.id) ?? {};
    return {
      id: t.id,
      phase: t.phase,
      ...(t.service ? { service: t.service } : {}),
      ...(r.startMs !== undefined ? { startMs: r.startMs } : {}),
      ...(r.endMs !== undefined ? { endMs: r.endMs } : {}),
      outcome: r.outcome,
      attempts: extra.attempts ?? (r.startMs !== undefined ? 1 : 0),
      ...(t.phase === 'build' ? { cached: extra.cached ?? false } : {}),
      ...(extra.error ? { error: extra.error } : {}),
      ...(extra.logTail ? { logTail: extra.logTail } : {}),
      ...(extra.image ? { image: extra.image } : {}),
      ...(extra.note ? { note: extra.note } : {}),
    };
  });
  const cancelled = o.signal?.aborted ?? false;
  const failed = tasks.some((t) => t.outcome === 'failure');
  const outcome = cancelled ? 'cancelled' : failed ? 'failure' : 'success';
  let diagnosticsDir: string | undefined;
  if (outcome === 'failure' && clusterCreated) diagnosticsDir = await collectDiagnostics();
  // Tarballs are transient: whatever was not imported is removed now (unless the caller asked to keep them).
  if (!o.tarballDir) rmSync(tarDir, { recursive: true, force: true });
  let kept = false;
  if (outcome !== 'success' && (clusterCreated || state.cluster)) {
    if (outcome === 'failure' && o.keepClusterOnFailure && clusterCreated) {
      kept = true;
      state.keepCluster = true;
      reporter.warn(
        `keeping cluster ${clusterName} for debugging (keep-cluster-on-failure); delete it with: kind delete cluster --name ${clusterName}`,
      );
    } else {
      await kind.deleteCluster(clusterName).catch((e) => reporter.warn(`could not delete cluster ${clusterName}: ${errorMessage(e)}`));
      delete state.cluster;
    }
    saveState();
  }
  const results: Results = {
    version: 1,
    runId,
    runDir,
    outcome,
    startMs,
    endMs: Date.now(),
    services: plan.services,
    builder: `${builder.caps.kind} (${builder.caps.binary} ${builder.caps.version})`,
    cluster: {
      name: clusterName,
      kubeconfig,
      start,
      ...clusterTimings(tasks),
      ...(kept ? { kept } : {}),
      ...(ports.length ? { ports } : {}),
    },
    phases: summarisePhases(tasks),
    tasks,
    ...(diagnosticsDir ? { diagnosticsDir } : {}),
    errors: cancelled ? ['cancelled', ...errors] : errors,
  };
  return results;

  async function collectDiagnostics(): Promise<string> {
    const dir = path.join(runDir, 'diagnostics');
    mkdirSync(dir, { recursive: true });
    const save = async (name: string, args: string[]) => {
      try {
        const { stdout } = await kubectl.run(args, { timeoutMs: 30_000 });
        writeFileSync(path.join(dir, name), stdout);
      } catch (e) {
        writeFileSync(path.join(dir, name), `failed: ${errorMessage(e)}\n`);
      }
    };
    await kind
      .exportLogs(path.join(dir, 'kind-logs'), clusterName, { timeoutMs: 60_000 })
      .catch((e) => writeFileSync(path.join(dir, 'kind-logs.error.txt'), errorMessage(e)));
    await save('events.txt', ['get', 'events', '-A']);
    try {
      const pods = await kubectl.json<{
        items: Array<{ metadata: { name: string; namespace: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
      }>(['get', 'pods', '-A'], { timeoutMs: 30_000 });
      for (const p of pods.items) {
        const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        if (ready) continue;
        const base = `${p.metadata.namespace}_${p.metadata.name}`;
        await save(`${base}.describe.txt`, ['describe', 'pod', p.metadata.name, '-n', p.metadata.namespace]);
        await save(`${base}.log`, ['logs', p.metadata.name, '-n', p.metadata.namespace, '--all-containers', '--tail=200']);
      }
    } catch (e) {
      writeFileSync(path.join(dir, 'pods.error.txt'), errorMessage(e));
    }
    reporter.info(`diagnostics written to ${dir}`);
    return dir;
  }
}

/** Idle time (cluster ready → first load) and overlap of cluster creation with the builds. */
export function clusterTimings(tasks: readonly TaskResult[]): { idleMs?: number; overlapMs?: number } {
  const c = tasks.find((t) => t.id === 'cluster');
  if (c?.startMs === undefined || c.endMs === undefined || c.outcome !== 'success') return {};
  const loads = tasks.filter((t) => t.phase === 'load' && t.startMs !== undefined).map((t) => t.startMs!);
  const buildEnds = tasks.filter((t) => t.phase === 'build' && t.endMs !== undefined).map((t) => t.endMs!);
  const lastBuild = buildEnds.length ? Math.max(...buildEnds) : c.startMs;
  return {
    ...(loads.length ? { idleMs: Math.max(0, Math.min(...loads) - c.endMs) } : {}),
    overlapMs: Math.max(0, Math.min(lastBuild, c.endMs) - c.startMs),
  };
}

export function writeResults(file: string, results: Results): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}

export function removeRunDir(runDir: string): void {
  if (existsSync(runDir)) rmSync(runDir, { recursive: true, force: true });
}
