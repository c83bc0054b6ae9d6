// Test helper for the fake `kind` (test/fakes/bin) and the real kubectl 1.33 (test/helpers/kubectl-bin.ts) in
// front of the Kubernetes API emulator the fake kind starts per cluster. Gives an environment whose PATH resolves
// `kind` to the fake and `kubectl` to the real binary, a private state directory, typed knobs, and readers for the
// call log and cluster state. Knobs are documented in test/fakes/README.md.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlDir } from './kubectl-bin.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const fakeBinDir = path.join(repoRoot, 'test', 'fakes', 'bin');

/** Operation names a FAKE_FAIL rule can target (see README). */
export type FailOp =
  | 'create'
  | 'delete'
  | 'load'
  | 'export'
  | 'apply'
  | 'kind:create'
  | 'kind:create-cluster'
  | 'kind:delete'
  | 'kind:delete-cluster'
  | 'kind:load'
  | 'kind:load-image-archive'
  | 'kind:load-docker-image'
  | 'kind:export'
  | 'kind:export-logs'
  /** Emulator requests: apiserver:apply, apiserver:post, apiserver:put, apiserver:patch, apiserver:list. */
  | `apiserver:${string}`;

export interface FailRule {
  /** Operation(s) the rule applies to. */
  op: FailOp | FailOp[];
  /** Substring (or /regex/) matched against the argv, cluster name, image refs, node names, archive path. */
  match?: string;
  /** How many matching calls fail (default: all). Counted across processes. */
  times?: number;
  /** Let this many matching calls succeed first. */
  after?: number;
  /** stderr text (default: a realistic message for the op). */
  message?: string;
  /** Exit code (default 1). */
  exit?: number;
  /** Time before failing (default: the op's modelled duration). */
  delayMs?: number;
}

export interface FakeKnobs {
  /** FAKE_KIND_CREATE_MS */ createMs?: number;
  /** FAKE_KIND_DELETE_MS */ deleteMs?: number;
  /** FAKE_KIND_LOAD_MS */ loadMs?: number;
  /** FAKE_KIND_EXPORT_MS */ exportMs?: number;
  /** FAKE_KUBECTL_MS: latency the emulator adds to each request (not discovery, OpenAPI, watches) */ kubectlMs?: number;
  /** FAKE_KUBECTL_APPLY_MS */ applyMs?: number;
  /** FAKE_ROLLOUT_MS: time from (re)apply until a workload's pods are Ready */ rolloutMs?: number;
  /** FAKE_ENDPOINTS_DELAY_MS: time from pod Ready until it is a ready Service endpoint */ endpointsDelayMs?: number;
  /** FAKE_NODE_READY_MS: time from `kind create` returning until nodes are Ready */ nodeReadyMs?: number;
  /** FAKE_COREDNS_READY_MS: extra time until CoreDNS pods are Ready */ corednsReadyMs?: number;
  /** FAKE_SA_DELAY_MS: time from namespace creation until its default ServiceAccount exists */ saDelayMs?: number;
  /** FAKE_CRASH_AFTER_MS */ crashAfterMs?: number;
  /** FAKE_CRASH_RESTART_MS: how long 10 s of the kubelet's crash back-off lasts */ crashRestartMs?: number;
  /** FAKE_PULL_BACKOFF_MS: ErrImagePull before ImagePullBackOff */ pullBackoffMs?: number;
  /** FAKE_POLL_MS: how often the emulator evaluates the model and sends watch events */ pollMs?: number;
  /** FAKE_KIND_MAX_PARALLEL_LOADS (default 3, 0 = unlimited) */ maxParallelLoads?: number;
  /** FAKE_KIND_IDLE_DEATH_MS (default off) */ idleDeathMs?: number;
  /** FAKE_SEED */ seed?: number;
  /** FAKE_DURATIONS: per-target overrides, e.g. {"rollout:deployment/gateway": 300, "load:localhost/kubernaut/gateway": 50} */
  durations?: Record<string, number>;
  /** FAKE_FAIL */ fail?: FailRule[];
  /** FAKE_CRASH: workloads whose pods crash-loop, e.g. ["deployment/gateway"] */ crash?: string[];
}

export interface CreateFakeEnvOptions extends FakeKnobs {
  /** Use this state directory instead of a fresh temp dir. */
  stateDir?: string;
  /** Base environment (default process.env minus fake/kube variables). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Sets KIND_EXPERIMENTAL_PROVIDER. */
  provider?: 'docker' | 'podman';
  /** Sets KUBECONFIG. */
  kubeconfig?: string;
  /** Extra variables. */
  extraEnv?: Record<string, string>;
}

export interface ContainerRecord {
  name: string;
  image: string;
  imagePullPolicy: string | null;
}

export interface AppliedObject {
  kind: string;
  apiVersion: string;
  name: string;
  namespace: string | null;
  action?: 'created' | 'configured' | 'unchanged';
  dryRun?: 'client' | 'server';
  error?: string;
  containers?: ContainerRecord[];
  initContainers?: ContainerRecord[];
}

export interface LoadRecord {
  archive?: string;
  format?: 'docker-archive' | 'oci';
  image?: string;
  /** Normalised refs (containerd style) that the load imports. */
  images: string[];
  nodes: string[];
}

export interface CallRecord {
  /** `apiserver`: one record per request of the emulator that changes or lists objects (op: apply, list, watch, …). */
  tool: 'kind' | 'apiserver';
  argv: string[];
  cwd: string;
  env: { KIND_EXPERIMENTAL_PROVIDER: string | null; KUBECONFIG: string | null };
  pid: number;
  ppid: number;
  startMs: number;
  endMs: number;
  exitCode: number;
  stderrTail: string;
  /** e.g. "kind:create-cluster", "kind:load-image-archive"; for the emulator "apply", "post", "list", "watch", "delete". */
  op?: string;
  cluster?: string | string[];
  provider?: string;
  server?: string;
  signal?: string;
  injected?: boolean;
  rule?: number;
  applied?: AppliedObject[];
  loaded?: LoadRecord[];
  overload?: { node: string; inFlight: number; max: number };
  clusterDead?: boolean;
  /** kind load while the cluster was still being created. */
  clusterNotReady?: boolean;
  refused?: boolean;
  exportedTo?: string;
  portConflict?: { hostPort: number; otherCluster: string };
  /** Emulator records: API path, query, field manager, HTTP status, wall-clock time; for op "ready" the workload. */
  kind?: string;
  namespace?: string | null;
  name?: string;
  path?: string;
  query?: string;
  fieldManager?: string;
  force?: boolean;
  code?: number;
  t?: number;
}

export interface ImageRecord {
  importedMs: number;
  preloaded?: boolean;
  archive?: string;
  source?: string;
  id?: string;
  digests?: string[];
}

export interface NodeState {
  name: string;
  role: 'control-plane' | 'worker';
  image: string;
  labels: Record<string, string>;
  extraMounts: { hostPath: string; containerPath: string; readOnly?: boolean; hostPathResolved?: string }[];
  extraPortMappings: { containerPort: number; hostPort?: number; listenAddress: string; protocol: string }[];
  /** Images present on the node, by normalised ref. */
  images: Record<string, ImageRecord>;
}

export interface StoredObject {
  key: string;
  obj: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; uid: string; [k: string]: unknown };
    spec?: Record<string, unknown>;
    [k: string]: unknown;
  };
  createdMs: number;
  appliedMs: number;
  templateMs: number;
  generation: number;
  fieldManager?: string;
  applyMode?: 'ssa' | 'csa';
  system: boolean;
}

export interface ClusterState {
  name: string;
  provider: 'docker' | 'podman' | 'nerdctl';
  status: 'creating' | 'ready' | 'failed';
  createStartMs: number;
  readyMs?: number;
  nodesReadyMs?: number;
  lastActivityMs?: number;
  dead?: { atMs: number; idleMs: number; limitMs: number };
  configPath: string | null;
  nodeImage: string;
  port: number;
  kubeconfig: string;
  retain: boolean;
  externalLoadBalancer: string | null;
  nodes: NodeState[];
  objects: Record<string, StoredObject>;
  loadsInFlight: { pid: number; node: string; image: string; startMs: number }[];
}

export interface RunningCall {
  tool: 'kind' | 'kubectl';
  argv: string[];
  pid: number;
  ppid: number;
  startMs: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface FakeEnv {
  /** Environment for child processes: PATH with the fakes first, state dir, knobs. */
  env: Record<string, string>;
  stateDir: string;
  /** Default kubeconfig the fakes use instead of ~/.kube/config. */
  defaultKubeconfig: string;
  /** Parsed call log, in completion order. */
  calls(): CallRecord[];
  cluster(name: string): ClusterState | undefined;
  clusters(): string[];
  /** kind and kubectl processes of this environment that are still running (pid alive). */
  running(): RunningCall[];
  /** Run `kind` or `kubectl` (resolved through env.PATH) with an argument array. */
  run(
    tool: 'kind' | 'kubectl',
    args: string[],
    opts?: { env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number },
  ): Promise<RunResult>;
  cleanup(): void;
}

/** Environment variables for a set of knobs. */
export function knobEnv(k: FakeKnobs): Record<string, string> {
  const env: Record<string, string> = {};
  const num: [keyof FakeKnobs, string][] = [
    ['createMs', 'FAKE_KIND_CREATE_MS'],
    ['deleteMs', 'FAKE_KIND_DELETE_MS'],
    ['loadMs', 'FAKE_KIND_LOAD_MS'],
    ['exportMs', 'FAKE_KIND_EXPORT_MS'],
    ['kubectlMs', 'FAKE_KUBECTL_MS'],
    ['applyMs', 'FAKE_KUBECTL_APPLY_MS'],
    ['rolloutMs', 'FAKE_ROLLOUT_MS'],
    ['endpointsDelayMs', 'FAKE_ENDPOINTS_DELAY_MS'],
    ['nodeReadyMs', 'FAKE_NODE_READY_MS'],
    ['corednsReadyMs', 'FAKE_COREDNS_READY_MS'],
    ['saDelayMs', 'FAKE_SA_DELAY_MS'],
    ['crashAfterMs', 'FAKE_CRASH_AFTER_MS'],
    ['crashRestartMs', 'FAKE_CRASH_RESTART_MS'],
    ['pullBackoffMs', 'FAKE_PULL_BACKOFF_MS'],
    ['pollMs', 'FAKE_POLL_MS'],
    ['maxParallelLoads', 'FAKE_KIND_MAX_PARALLEL_LOADS'],
    ['idleDeathMs', 'FAKE_KIND_IDLE_DEATH_MS'],
    ['seed', 'FAKE_SEED'],
  ];
  for (const [key, name] of num) {
    const v = k[key];
    if (typeof v === 'number') env[name] = String(v);
  }
  if (k.durations) env.FAKE_DURATIONS = JSON.stringify(k.durations);
  if (k.fail) env.FAKE_FAIL = JSON.stringify(k.fail);
  if (k.crash) env.FAKE_CRASH = JSON.stringify(k.crash);
  return env;
}

const STRIP = /^(FAKE_|HYBRID_FAKE_STATE$|KUBECONFIG$|KIND_CLUSTER_NAME$|KIND_EXPERIMENTAL_PROVIDER$)/;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createFakeEnv(opts: CreateFakeEnvOptions = {}): FakeEnv {
  const ownDir = !opts.stateDir;
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hybrid-fake-'));
  fs.mkdirSync(stateDir, { recursive: true });
  const defaultKubeconfig = path.join(stateDir, 'default-kubeconfig');
  const base = opts.baseEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !STRIP.test(k)) env[k] = v;
  const kubectl = kubectlDir();
  if (!fs.existsSync(path.join(kubectl, 'kubectl')))
    throw new Error(`${kubectl}/kubectl is missing: the integration tier's global setup (test/setup/kubectl.ts) extracts it`);
  env.PATH = [fakeBinDir, kubectl, base.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(path.delimiter);
  env.HYBRID_FAKE_STATE = stateDir;
  env.FAKE_DEFAULT_KUBECONFIG = defaultKubeconfig;
  if (opts.provider) env.KIND_EXPERIMENTAL_PROVIDER = opts.provider;
  if (opts.kubeconfig) env.KUBECONFIG = opts.kubeconfig;
  Object.assign(env, knobEnv(opts), opts.extraEnv ?? {});

  const readState = (): { clusters: Record<string, ClusterState> } => {
    try {
      return JSON.parse(fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8')) as { clusters: Record<string, ClusterState> };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { clusters: {} };
      throw e;
    }
  };

  return {
    env,
    stateDir,
    defaultKubeconfig,
    calls() {
      let text: string;
      try {
        text = fs.readFileSync(path.join(stateDir, 'calls.jsonl'), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as CallRecord);
    },
    cluster(name) {
      return readState().clusters[name];
    },
    clusters() {
      return Object.keys(readState().clusters).sort();
    },
    running() {
      const dir = path.join(stateDir, 'running');
      let files: string[];
      try {
        files = fs.readdirSync(dir);
      } catch {
        return [];
      }
      const out: RunningCall[] = kubectlProcesses(stateDir);
      for (const f of files) {
        try {
          const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as RunningCall;
          if (pidAlive(r.pid)) out.push(r);
        } catch {
          // finished meanwhile
        }
      }
      return out;
    },
    async run(tool, args, o = {}) {
      const r = await execa(tool, args, {
        env: { ...env, ...(o.env ?? {}) },
        extendEnv: false,
        reject: false,
        cwd: o.cwd,
        input: o.input,
        timeout: o.timeoutMs ?? 30_000,
        stripFinalNewline: false,
      });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    cleanup() {
      // The emulators stop by themselves once their cluster is gone; a test that leaves clusters behind gets them
      // stopped here.
      for (const c of Object.values(readState().clusters) as { apiserverPid?: number }[]) {
        if (!c.apiserverPid) continue;
        try {
          process.kill(c.apiserverPid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      if (ownDir) fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Real kubectl processes started with this environment (found by HYBRID_FAKE_STATE in their environment). */
function kubectlProcesses(stateDir: string): RunningCall[] {
  const bin = path.join(kubectlDir(), 'kubectl');
  const out: RunningCall[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/exe`) !== bin) continue;
      if (!fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`HYBRID_FAKE_STATE=${stateDir}`)) continue;
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1);
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ tool: 'kubectl', argv, pid: Number(pid), ppid, startMs: 0 });
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return out;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Write a small, valid image archive (like `docker save` / `podman save --format oci-archive`)
 * tagged with `repoTags`, without needing a container engine. Uses the system `tar`.
 */
export async function writeImageArchive(
  dest: string,
  repoTags: string[],
  /**
   * `multiArch` (OCI only): the tag points at an image index listing linux/amd64 and linux/arm64, but the archive
   * holds the amd64 blobs only, like `docker save` from the containerd image store of one platform (kind#3795).
   */
  opts: { format?: 'docker-archive' | 'oci'; multiArch?: boolean } = {},
): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-archive-'));
  try {
    const layerDir = path.join(work, 'layer');
    fs.mkdirSync(path.join(layerDir, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(layerDir, 'bin', 'hello'), `hello from ${repoTags.join(',')}\n`);
    const layerTar = path.join(work, 'layer.tar');
    await execa('tar', ['-cf', layerTar, '-C', layerDir, 'bin']);
    const layer = fs.readFileSync(layerTar);
    const layerSha = sha256(layer);
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/hello'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerSha}`] },
    });
    const configSha = sha256(config);
    const out = path.join(work, 'out');
    fs.mkdirSync(out);
    const entries: string[] = [];
    if ((opts.format ?? 'docker-archive') === 'docker-archive') {
      fs.mkdirSync(path.join(out, layerSha));
      fs.writeFileSync(path.join(out, layerSha, 'layer.tar'), layer);
      fs.writeFileSync(path.join(out, `${configSha}.json`), config);
      fs.writeFileSync(
        path.join(out, 'manifest.json'),
        JSON.stringify([{ Config: `${configSha}.json`, RepoTags: repoTags, Layers: [`${layerSha}/layer.tar`] }]),
      );
      entries.push(`${configSha}.json`, layerSha, 'manifest.json');
    } else {
      const blobs = path.join(out, 'blobs', 'sha256');
      fs.mkdirSync(blobs, { recursive: true });
      fs.writeFileSync(path.join(blobs, layerSha), layer);
      fs.writeFileSync(path.join(blobs, configSha), config);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configSha}`, size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerSha}`, size: layer.length }],
      });
      let manifestSha = sha256(manifest);
      fs.writeFileSync(path.join(blobs, manifestSha), manifest);
      let topType = 'application/vnd.oci.image.manifest.v1+json';
      let topSize = manifest.length;
      if (opts.multiArch) {
        const index = JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: `sha256:${manifestSha}`,
              size: manifest.length,
              platform: { architecture: 'amd64', os: 'linux' },
            },
            // the other platform's manifest is listed but not in the archive
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: `sha256:${sha256(`arm64 of ${repoTags.join(',')}`)}`,
              size: 1000,
              platform: { architecture: 'arm64', os: 'linux' },
            },
          ],
        });
        manifestSha = sha256(index);
        fs.writeFileSync(path.join(blobs, manifestSha), index);
        topType = 'application/vnd.oci.image.index.v1+json';
        topSize = index.length;
      }
      fs.writeFileSync(path.join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      fs.writeFileSync(
        path.join(out, 'index.json'),
        JSON.stringify({
          schemaVersion: 2,
          manifests: repoTags.map((t) => ({
            mediaType: topType,
            digest: `sha256:${manifestSha}`,
            size: topSize,
            annotations: { 'io.containerd.image.name': t, 'org.opencontainers.image.ref.name': t.slice(t.lastIndexOf(':') + 1) },
          })),
        }),
      );
      entries.push('blobs', 'oci-layout', 'index.json');
    }
    await execa('tar', ['-cf', path.resolve(dest), '-C', out, ...entries]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
