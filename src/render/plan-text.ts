import path from 'node:path';
import type { Plan, PlanTask } from '../core/plan/graph.js';

function describe(t: PlanTask, plan: Plan, dir: string): string {
  switch (t.action) {
    case 'build':
      return `${path.relative(dir, t.build.dockerfile) || t.build.dockerfile} → ${t.build.image}`;
    case 'pull':
      return `prebuilt ${t.image}`;
    case 'create':
      return 'kind create cluster';
    case 'load': {
      const source = plan.tasks.find((x) => x.id === `build:${t.service}`);
      return `kind load ${source?.action === 'build' ? source.build.image : source?.action === 'pull' ? source.image : t.service}`;
    }
    case 'deploy':
      return `${t.deploy.manifests.length} manifest path(s) → namespace ${t.deploy.namespace}`;
  }
}

/** Human-readable plan: one line per task with what it waits for. `dir` is the config's directory (paths relative to it). */
export function renderPlanText(plan: Plan, dir: string): string {
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
    const after = t.deps.length ? `  after: ${t.deps.join(', ')}` : '';
    lines.push(`  ${t.id.padEnd(width)}  ${describe(t, plan, dir)}${after}`);
  }
  lines.push('', `${plan.tasks.length} tasks.`);
  return lines.join('\n') + '\n';
}
