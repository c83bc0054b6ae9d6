import type { Reporter } from '../reporter.js';
import type { ClusterWatch } from './cluster-watch.js';
import type { CacheBackend, EngineTools } from './interfaces.js';
import type { LoadWaves } from './load-waves.js';
import type { TaskJournal } from './journal.js';
import type { RunStateFile } from './run-state.js';

/** An image ready for the cluster: built (or pulled) by a build task, handed to its load and deploy tasks. */
export interface BuiltImage {
  service: string;
  /** Repository (`localhost/kubernaut/gateway`) for built images; the reference itself for prebuilt ones. */
  repository: string;
  /** The exact reference the cluster will run (`<repository>:e2e-<run id>-<hash8>`, or the prebuilt reference). */
  ref: string;
  /** docker-archive tarball of this image alone (a builder that writes one, or build-once); gone once loaded. */
  tarball?: string;
  /** A prebuilt image (saved for the nodes' platform only). */
  prebuilt?: boolean;
}

export interface ClusterInfo {
  name: string;
  kubeconfig: string;
}

/** What a task hands on to the tasks that depend on it. */
export type TaskOutput =
  { kind: 'image'; image: BuiltImage } | { kind: 'cluster'; cluster: ClusterInfo } | { kind: 'deployed'; service: string };

/** Everything a task may use: fixed for the run, except the state file and the journal, which tasks write to. */
export interface EngineContext {
  runId: string;
  runDir: string;
  clusterName: string;
  /** The run's own kubeconfig (kind writes it; every kubectl call reads it). */
  kubeconfig: string;
  /** Where image tarballs and load-wave archives are written. */
  tarballDir: string;
  /** Build-once: every image saved to its own tarball in tarballDir, and kept. */
  keepTarballs: boolean;
  /** Local images by their build-inputs label, looked up once per run (shared by every build task). */
  localImages: () => Promise<Map<string, string>>;
  /** Registry cache reference (builds.cacheRef), for the `registry` backend. */
  cacheRef?: string;
  /** A content-addressed cache tag was made or reused by this run (for keeping the newest ones). */
  onCacheTag?: (tag: string) => void;
  cache: CacheBackend;
  /** Root of the `local` cache backend (one directory per image). */
  cacheDir: string;
  /** Extra attempts for a build whose process was killed (builds.retries). */
  buildRetries: number;
  buildNetwork: 'none' | 'default';
  tools: EngineTools;
  /** The run's shared watches of the cluster (readiness). */
  watch: ClusterWatch;
  /** How images reach the cluster: combined archives, dependencies first. */
  waves: LoadWaves;
  reporter: Reporter;
  /** What the run created so far (for `down` and the post step). */
  state: RunStateFile;
  journal: TaskJournal;
}

/** The output of `id` among a task's inputs, narrowed to its kind. */
export function inputOf<K extends TaskOutput['kind']>(
  inputs: ReadonlyMap<string, TaskOutput>,
  id: string,
  kind: K,
): Extract<TaskOutput, { kind: K }> {
  const out = inputs.get(id);
  if (!out || out.kind !== kind) throw new Error(`internal: task input ${id} is ${out ? out.kind : 'missing'}, expected ${kind}`);
  return out as Extract<TaskOutput, { kind: K }>;
}
