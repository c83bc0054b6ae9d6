/** The `plan` use case: the task graph of the selected services, and the reusable workflow's matrix. */
import { loadConfig, type ResolvedConfig } from '../core/config/loader.js';
import { buildPlan, matrixServices, type Plan } from '../core/plan/graph.js';
import { renderPlanText } from '../render/plan-text.js';

export { loadConfig, type ResolvedConfig };

export interface PlanOutput {
  plan: Plan;
  text: string;
  /** The matrix: the requested services, else every service with `e2e: true`, else every service. */
  matrix: string[];
}

export function plan(config: ResolvedConfig, services: readonly string[]): PlanOutput {
  const p = buildPlan(config, services);
  return { plan: p, text: renderPlanText(p, config.dir), matrix: services.length ? [...services] : matrixServices(config) };
}
