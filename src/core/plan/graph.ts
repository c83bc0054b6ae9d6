import path from 'node:path';
import { UserError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import type { LoadedConfig, ResolvedService } from '../config/load.js';

export type Phase = 'build' | 'cluster' | 'load' | 'deploy';
export type Pool = 'build' | 'cluster' | 'load' | 'deploy';

export interface PlanTask {
  /** `build:<svc>`, `cluster`, `load:<svc>`, `deploy:<svc>`. */
  id: string;
  phase: Phase;
  /** What the task does: build an image, make a prebuilt image available (`pull`), create the cluster, load, deploy. */
  action: 'build' | 'pull' | 'create' | 'load' | 'deploy';
  service?: string;
  /** Image repository (build) or reference (pull) the task produces or loads. */
  image?: string;
  /** Task ids that must finish successfully first. */
  deps: string[];
  pool: Pool;
}

export interface Plan {
  version: 1;
  config: string;
  requested: string[];
  /** Selected services (the closure over dependsOn), dependencies first. */
  services: string[];
  cluster: { baseName: string; unique: boolean; start: 'after-builds' | 'predictive' | 'with-builds' };
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
export function selectServices(loaded: LoadedConfig, requested: readonly string[]): string[] {
  const all = Object.keys(loaded.services);
  for (const r of requested) {
    if (!(r in loaded.services)) {
      throw new UserError(
        `${loaded.displayFile}: unknown service "${r}"${didYouMean(r, all)}. Services in this config: ${all.join(', ')}.`,
      );
    }
  }
  const wanted = new Set<string>();
  const add = (n: string) => {
    if (wanted.has(n)) return;
    wanted.add(n);
    for (const d of loaded.services[n]!.dependsOn) add(d);
  };
  for (const r of requested.length ? requested : all) add(r);
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (n: string) => {
    if (done.has(n)) return;
    done.add(n);
    for (const d of loaded.services[n]!.dependsOn) visit(d);
    order.push(n);
  };
  for (const n of all) if (wanted.has(n)) visit(n);
  return order;
}

function hasImage(s: ResolvedService): boolean {
  return Boolean(s.build || s.image);
}

/** Builds the task graph the engine executes. Pure: reads only the loaded config. */
export function buildPlan(loaded: LoadedConfig, requested: readonly string[] = [], opts: { start?: Plan['cluster']['start'] } = {}): Plan {
  const services = selectServices(loaded, requested);
  const start = opts.start ?? loaded.config.cluster.start;
  const tasks: PlanTask[] = [];
  const imageTasks: string[] = [];
  for (const name of services) {
    const s = loaded.services[name]!;
    if (s.build) {
      tasks.push({ id: `build:${name}`, phase: 'build', action: 'build', service: name, image: s.build.image, deps: [], pool: 'build' });
      imageTasks.push(`build:${name}`);
    } else if (s.image) {
      tasks.push({ id: `build:${name}`, phase: 'build', action: 'pull', service: name, image: s.image, deps: [], pool: 'build' });
      imageTasks.push(`build:${name}`);
    }
  }
  // The pattern's one barrier: the cluster is created only after every build (after-builds).
  // predictive/with-builds let the scheduler start it earlier; the graph edge is then advisory.
  tasks.push({ id: 'cluster', phase: 'cluster', action: 'create', deps: start === 'after-builds' ? [...imageTasks] : [], pool: 'cluster' });
  for (const name of services) {
    const s = loaded.services[name]!;
    if (hasImage(s)) {
      tasks.push({
        id: `load:${name}`,
        phase: 'load',
        action: 'load',
        service: name,
        image: s.build?.image ?? s.image!,
        deps: ['cluster', `build:${name}`],
        pool: 'load',
      });
    }
  }
  for (const name of services) {
    const s = loaded.services[name]!;
    const deps = hasImage(s) ? [`load:${name}`] : ['cluster'];
    for (const d of s.dependsOn) deps.push(`deploy:${d}`);
    tasks.push({ id: `deploy:${name}`, phase: 'deploy', action: 'deploy', service: name, deps, pool: 'deploy' });
  }
  return {
    version: 1,
    config: loaded.displayFile,
    requested: [...requested],
    services,
    cluster: { baseName: loaded.config.cluster.name, unique: loaded.config.cluster.unique, start },
    e2eServices: Object.keys(loaded.services).filter((n) => loaded.services[n]!.e2e),
    tasks,
  };
}

/** Human-readable plan: one line per task with what it waits for. */
export function renderPlanText(plan: Plan, loaded: LoadedConfig): string {
  const lines: string[] = [];
  const req = plan.requested.length ? plan.requested.join(', ') : 'all';
  lines.push(`Plan for ${plan.config} (requested: ${req}; services: ${plan.services.join(', ')})`);
  lines.push(`Cluster: ${plan.cluster.baseName}${plan.cluster.unique ? '-<run id>' : ''} (start: ${plan.cluster.start})`);
  const width = Math.max(...plan.tasks.map((t) => t.id.length));
  let phase = '';
  for (const t of plan.tasks) {
    if (t.phase !== phase) {
      phase = t.phase;
      lines.push('', `${phase}:`);
    }
    let what = '';
    const s = t.service ? loaded.services[t.service] : undefined;
    if (t.action === 'build' && s?.build)
      what = `${path.relative(loaded.dir, s.build.dockerfile) || s.build.dockerfile} → ${s.build.image}`;
    else if (t.action === 'pull') what = `prebuilt ${t.image}`;
    else if (t.action === 'create') what = 'kind create cluster';
    else if (t.action === 'load') what = `kind load ${t.image}`;
    else if (t.action === 'deploy' && s) what = `${s.manifests.length} manifest path(s) → namespace ${s.namespace}`;
    const after = t.deps.length ? `  after: ${t.deps.join(', ')}` : '';
    lines.push(`  ${t.id.padEnd(width)}  ${what}${after}`);
  }
  lines.push('', `${plan.tasks.length} tasks.`);
  return lines.join('\n') + '\n';
}
