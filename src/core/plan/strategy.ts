import type { Plan } from './graph.js';

/**
 * Scheduling strategies, for comparison (the benchmark) and for users who want the plain pattern:
 * - `graph` (default): the task graph, no barrier but "cluster after every build".
 * - `predictive`: like graph, but the cluster may start before the last build ends (see predict.ts).
 * - `barrier`: the plan's four phases, each waiting for the whole previous one (loads after every build and the
 *   cluster, deploys after every load), dependencies still honoured inside the deploy phase.
 * - `sequential`: barrier with one task at a time.
 */
export type Strategy = 'graph' | 'predictive' | 'barrier' | 'sequential';

export function applyStrategy(
  plan: Plan,
  strategy: Strategy,
): { plan: Plan; pools?: Partial<Record<'build' | 'load' | 'deploy', number>> } {
  if (strategy === 'graph') return { plan: { ...plan, cluster: { ...plan.cluster, start: 'after-builds' } } };
  const builds = plan.tasks.filter((t) => t.phase === 'build').map((t) => t.id);
  const loads = plan.tasks.filter((t) => t.phase === 'load').map((t) => t.id);
  if (strategy === 'predictive') {
    return {
      plan: {
        ...plan,
        cluster: { ...plan.cluster, start: 'predictive' },
        tasks: plan.tasks.map((t) => (t.id === 'cluster' ? { ...t, deps: [] } : t)),
      },
    };
  }
  const tasks = plan.tasks.map((t) => {
    if (t.id === 'cluster') return { ...t, deps: [...builds] };
    if (t.phase === 'load') return { ...t, deps: [...new Set([...t.deps, 'cluster', ...builds])] };
    if (t.phase === 'deploy') return { ...t, deps: [...new Set([...t.deps, 'cluster', ...loads])] };
    return t;
  });
  const barrier: Plan = { ...plan, cluster: { ...plan.cluster, start: 'after-builds' }, tasks };
  return strategy === 'barrier' ? { plan: barrier } : { plan: barrier, pools: { build: 1, load: 1, deploy: 1 } };
}
