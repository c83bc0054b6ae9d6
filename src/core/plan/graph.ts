import { UserError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import type { ResolvedBuild, ResolvedCluster, ResolvedConfig, ResolvedDeployPolicy } from '../config/loader.js';

/** The run's phases, in order. Every list of phases in the product is this one. */
export const PHASES = ['build', 'cluster', 'load', 'deploy'] as const;
export type Phase = (typeof PHASES)[number];
export type Pool = Phase;

interface TaskBase {
  /** `build:<svc>`, `cluster`, `load:<svc>`, `deploy:<svc>`. */
  id: string;
  phase: Phase;
  /** Task ids that must finish successfully first. */
  deps: string[];
  pool: Pool;
}

/** Build an image from a Dockerfile. */
export interface BuildTask extends TaskBase {
  action: 'build';
  service: string;
  build: ResolvedBuild;
}

/** Make a prebuilt image available locally (pull it when missing). */
export interface PullTask extends TaskBase {
  action: 'pull';
  service: string;
  image: string;
}

/** Create the kind cluster and wait until it can take workloads. */
export interface CreateTask extends TaskBase {
  action: 'create';
  cluster: ResolvedCluster & { start: ClusterStartStrategy };
  /** Namespaces of the selected services (created with the cluster). */
  namespaces: string[];
  /** Some selected service builds with coverage: mount the coverage directory into the nodes. */
  coverage: boolean;
}

/** Import the service's image into the cluster. */
export interface LoadTask extends TaskBase {
  action: 'load';
  service: string;
}

export interface DeploySpec {
  manifests: string[];
  namespace: string;
  /** Explicit readiness targets (`kind/name`); default: the workloads in the manifests. */
  wait?: string[];
  waitTimeoutMs: number;
  /** The repository the service builds: containers using it are pointed at the built tag. */
  repository?: string;
  /** When a pod that is not ready yet counts as failed. */
  policy: ResolvedDeployPolicy;
}

/** Apply the service's manifests and wait until it is ready. */
export interface DeployTask extends TaskBase {
  action: 'deploy';
  service: string;
  deploy: DeploySpec;
}

export type ClusterStartStrategy = NonNullable<ResolvedCluster['start']>;

export type PlanTask = BuildTask | PullTask | CreateTask | LoadTask | DeployTask;

export interface Plan {
  version: 1;
  config: string;
  requested: string[];
  /** Selected services (the closure over dependsOn), dependencies first. */
  services: string[];
  cluster: { baseName: string; unique: boolean; start: ClusterStartStrategy };
  /** Every service of the config marked `e2e: true`: the reusable workflow's default matrix. */
  e2eServices: string[];
  tasks: PlanTask[];
}

/** Splits `a,b` / newline / space separated service lists (action input, CLI flag). */
export function parseServiceList(values: string | readonly string[] | undefined): string[] {
  const list = typeof values === 'string' ? [values] : (values ?? []);
  return [
    ...new Set(
      list
        .flatMap((v) => v.split(/[\s,]+/))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** The requested services plus everything they transitively depend on, dependencies first (stable by config order). */
export function selectServices(config: ResolvedConfig, requested: readonly string[]): string[] {
  const all = Object.keys(config.services);
  for (const r of requested) {
    if (!(r in config.services)) {
      throw new UserError(
        `${config.displayFile}: unknown service "${r}"${didYouMean(r, all)}. Services in this config: ${all.join(', ')}.`,
      );
    }
  }
  const wanted = new Set<string>();
  const add = (n: string) => {
    if (wanted.has(n)) return;
    wanted.add(n);
    for (const d of config.services[n]!.dependsOn) add(d);
  };
  for (const r of requested.length ? requested : all) add(r);
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (n: string) => {
    if (done.has(n)) return;
    done.add(n);
    for (const d of config.services[n]!.dependsOn) visit(d);
    order.push(n);
  };
  for (const n of all) if (wanted.has(n)) visit(n);
  return order;
}

/** The reusable workflow's default matrix: services with `e2e: true`, else every service. */
export function matrixServices(config: ResolvedConfig): string[] {
  const flagged = Object.keys(config.services).filter((n) => config.services[n]!.e2e);
  return flagged.length ? flagged : Object.keys(config.services);
}

/**
 * Unless the config says otherwise: predictive when an earlier run's durations cover the cluster and every image
 * task (the predictive start then times the create to be ready as the builds end), else after the builds.
 */
function defaultStart(config: ResolvedConfig, services: string[], history: Record<string, number> | undefined): ClusterStartStrategy {
  if (!history || history['cluster'] === undefined) return 'after-builds';
  const images = services.filter((n) => config.services[n]!.build || config.services[n]!.image);
  return images.every((n) => history[`build:${n}`] !== undefined) ? 'predictive' : 'after-builds';
}

/** Builds the task graph the engine executes. Pure: reads only the resolved config; every task carries its spec. */
export function buildPlan(
  config: ResolvedConfig,
  requested: readonly string[] = [],
  opts: { start?: ClusterStartStrategy; history?: Record<string, number> } = {},
): Plan {
  const services = selectServices(config, requested);
  const start = opts.start ?? config.cluster.start ?? defaultStart(config, services, opts.history);
  const tasks: PlanTask[] = [];
  const imageTasks: string[] = [];
  for (const name of services) {
    const s = config.services[name]!;
    const id = `build:${name}`;
    if (s.build) tasks.push({ id, phase: 'build', action: 'build', service: name, build: s.build, deps: [], pool: 'build' });
    else if (s.image) tasks.push({ id, phase: 'build', action: 'pull', service: name, image: s.image, deps: [], pool: 'build' });
    else continue;
    imageTasks.push(id);
  }
  // The pattern's one barrier: the cluster is created only after every build (after-builds).
  // predictive/with-builds let the scheduler start it earlier; the graph edge is then advisory.
  tasks.push({
    id: 'cluster',
    phase: 'cluster',
    action: 'create',
    cluster: { ...config.cluster, start },
    namespaces: [...new Set(services.map((n) => config.services[n]!.namespace))],
    coverage: services.some((n) => config.services[n]!.build?.coverage),
    deps: start === 'after-builds' ? [...imageTasks] : [],
    pool: 'cluster',
  });
  for (const name of services) {
    if (imageTasks.includes(`build:${name}`)) {
      tasks.push({ id: `load:${name}`, phase: 'load', action: 'load', service: name, deps: ['cluster', `build:${name}`], pool: 'load' });
    }
  }
  for (const name of services) {
    const s = config.services[name]!;
    const deps = imageTasks.includes(`build:${name}`) ? [`load:${name}`] : ['cluster'];
    for (const d of s.dependsOn) deps.push(`deploy:${d}`);
    const deploy: DeploySpec = {
      manifests: s.manifests,
      namespace: s.namespace,
      ...(s.wait ? { wait: s.wait } : {}),
      waitTimeoutMs: s.waitTimeoutMs,
      ...(s.build ? { repository: s.build.image } : {}),
      policy: config.deploy,
    };
    tasks.push({ id: `deploy:${name}`, phase: 'deploy', action: 'deploy', service: name, deploy, deps, pool: 'deploy' });
  }
  return {
    version: 1,
    config: config.displayFile,
    requested: [...requested],
    services,
    cluster: { baseName: config.cluster.name, unique: config.cluster.unique, start },
    e2eServices: Object.keys(config.services).filter((n) => config.services[n]!.e2e),
    tasks,
  };
}
