/**
 * The kind config a run actually uses: the user's file (never modified) with its host ports checked or replaced
 * (`cluster.hostPorts`) and the coverage directory mounted into every node (`build.coverage`), written to the run dir.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { CreateTask } from '../plan/graph.js';
import type { Reporter } from '../reporter.js';
import { freePort, portIsFree } from './host-ports.js';
import type { PortMapping } from './results.js';

/** Where coverage data lands inside the kind nodes (GOCOVERDIR of the services built with coverage). */
export const NODE_COVERAGE_DIR = '/tmp/hybrid-e2e-coverage';

type NodeConfig = Record<string, unknown>;
interface PortMappingConfig {
  containerPort?: number;
  hostPort?: number;
  listenAddress?: string;
}

/** Writes `<runDir>/kind-config.yaml` when one is needed; `ports` lists the host port mappings it contains. */
export async function writeKindConfig(t: CreateTask, runDir: string, reporter: Reporter): Promise<{ file?: string; ports: PortMapping[] }> {
  const ports: PortMapping[] = [];
  if (!t.cluster.kindConfig && !t.coverage) return { ports };
  const cfg = (t.cluster.kindConfig ? parseYaml(readFileSync(t.cluster.kindConfig, 'utf8')) : null) ?? {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
  };
  const nodes: NodeConfig[] = Array.isArray(cfg.nodes) ? cfg.nodes : [];
  const taken = new Set<number>();
  for (const [i, n] of nodes.entries()) {
    const maps = Array.isArray(n.extraPortMappings) ? (n.extraPortMappings as PortMappingConfig[]) : [];
    for (const m of maps) {
      if (typeof m.hostPort !== 'number' || typeof m.containerPort !== 'number' || m.hostPort === 0) continue;
      const node = `${String(n.role ?? 'node')}${i ? `-${i}` : ''}`;
      if (t.cluster.hostPorts === 'auto') {
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
  if (ports.some((p) => p.requested !== undefined)) {
    reporter.info(`host ports: ${ports.map((p) => `${p.requested}→${p.hostPort}`).join(', ')} (cluster.hostPorts: auto)`);
  }
  if (t.coverage) {
    const covDir = path.join(runDir, 'coverage');
    mkdirSync(covDir, { recursive: true });
    const withMounts: NodeConfig[] = nodes.length ? nodes : [{ role: 'control-plane' }];
    for (const n of withMounts) {
      const mounts = Array.isArray(n.extraMounts) ? (n.extraMounts as unknown[]) : [];
      mounts.push({ hostPath: covDir, containerPath: NODE_COVERAGE_DIR });
      n.extraMounts = mounts;
    }
    cfg.nodes = withMounts;
  }
  const file = path.join(runDir, 'kind-config.yaml');
  writeFileSync(file, stringifyYaml(cfg));
  return { file, ports };
}
