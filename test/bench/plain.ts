/**
 * The plain baseline of issue 12: what a team writes without the tool, the seed's four phases as a short script,
 * run side by side with the engine on the same workload, tools and fakes. Every image is built in parallel, then
 * the cluster is created, every image is loaded (`kind load docker-image`, at most three at once: more fail with
 * ctr's exit 255 on one node, the fake kind models that), then every manifest is applied in dependency order and
 * each deployment waited for with `kubectl rollout status`. No caching beyond the engine's layer cache, no retries,
 * no readiness gates beyond rollout status: the least a working script does.
 */
import { execa } from 'execa';
import path from 'node:path';

export interface PlainService {
  name: string;
  context: string;
  dockerfile: string;
  image: string;
  manifest: string;
  dependsOn: readonly string[];
}

/** Runs `items` with at most `n` at a time. */
async function pool<T>(items: readonly T[], n: number, f: (x: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(n, queue.length) }, async () => {
      for (let x = queue.shift(); x !== undefined; x = queue.shift()) await f(x);
    }),
  );
}

/** Dependency levels: every service after the ones it depends on. */
function levels(services: readonly PlainService[]): PlainService[][] {
  const done = new Set<string>();
  const out: PlainService[][] = [];
  let rest = [...services];
  while (rest.length) {
    const level = rest.filter((s) => s.dependsOn.every((d) => done.has(d)));
    if (!level.length) throw new Error('dependency cycle');
    out.push(level);
    for (const s of level) done.add(s.name);
    rest = rest.filter((s) => !level.includes(s));
  }
  return out;
}

/** The script; returns its wall time (ms) and the time of each phase. */
export async function plainRun(
  services: readonly PlainService[],
  o: { docker: string; cluster: string; dir: string; env: Record<string, string> },
): Promise<{ wallMs: number; phases: Record<string, number> }> {
  const run = (file: string, args: string[]) => execa(file, args, { env: o.env, extendEnv: false, stdin: 'ignore' });
  const kubeconfig = path.join(o.dir, `${o.cluster}.kubeconfig`);
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  let mark = t0;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };
  await Promise.all(
    services.map((s) => run(o.docker, ['build', '--network', 'none', '-t', s.image, '-f', s.dockerfile, s.context]).then(() => undefined)),
  );
  phase('build');
  await run('kind', ['create', 'cluster', '--name', o.cluster, '--kubeconfig', kubeconfig, '--wait', '5m']);
  phase('cluster');
  await pool(services, 3, (s) => run('kind', ['load', 'docker-image', s.image, '--name', o.cluster]));
  phase('load');
  const k = (args: string[]) => run('kubectl', ['--kubeconfig', kubeconfig, ...args]);
  for (const level of levels(services)) {
    await Promise.all(
      level.map(async (s) => {
        await k(['apply', '-f', s.manifest]);
        await k(['rollout', 'status', `deployment/${s.name}`, '--timeout=5m']);
      }),
    );
  }
  phase('deploy');
  const wallMs = Math.round(performance.now() - t0);
  await run('kind', ['delete', 'cluster', '--name', o.cluster, '--kubeconfig', kubeconfig]);
  return { wallMs, phases };
}
