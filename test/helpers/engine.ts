/**
 * For unit tests of the engine: a small repository (a prebuilt PostgreSQL, DataStorage depending on it, a gateway
 * depending on DataStorage), its resolved config, and an EngineContext over in-memory tools.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type ResolvedConfig } from '../../src/core/config/loader.js';
import type { EngineContext } from '../../src/core/engine/context.js';
import { ClusterWatch } from '../../src/core/engine/cluster-watch.js';
import { TaskJournal } from '../../src/core/engine/journal.js';
import { LoadWaves } from '../../src/core/engine/load-waves.js';
import { buildPlan } from '../../src/core/plan/graph.js';
import { RunStateFile } from '../../src/core/engine/run-state.js';
import type { Reporter } from '../../src/core/reporter.js';
import { memoryTools, type MemoryTools } from './memory-tools.js';
import { tempTree } from './tmp.js';

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: ${name}, image: ${image} }]
---
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec: { selector: { app: ${name} }, ports: [{ port: 80 }] }
`;

export const REPO_FILES: Record<string, string> = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'docker/ds.Dockerfile': 'FROM scratch\nCOPY ds.txt /ds.txt\n',
  'docker/gw.Dockerfile': 'FROM scratch\nCOPY gw.txt /gw.txt\n',
  'ds.txt': 'datastorage\n',
  'gw.txt': 'gateway\n',
  'deploy/pg.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: postgresql }
spec:
  selector: { matchLabels: { app: postgresql } }
  serviceName: postgresql
  template:
    metadata: { labels: { app: postgresql } }
    spec:
      containers: [{ name: postgresql, image: postgres:16-alpine }]
`,
  'deploy/ds.yaml': deployment('datastorage', 'localhost/k/datastorage:dev'),
  'deploy/gw.yaml': deployment('gateway', 'k/gateway'),
};

export function configYaml(extra = ''): string {
  return `version: 1
cluster:
  name: e2e
  waitTimeout: 7m
${extra}services:
  postgresql:
    image: postgres:16-alpine
    manifests: [deploy/pg.yaml]
  datastorage:
    build: { dockerfile: docker/ds.Dockerfile, image: localhost/k/datastorage }
    manifests: [deploy/ds.yaml]
    namespace: k-system
    dependsOn: [postgresql]
  gateway:
    build: { dockerfile: docker/gw.Dockerfile, image: localhost/k/gateway }
    manifests: [deploy/gw.yaml]
    dependsOn: [datastorage]
    waitTimeout: 90s
`;
}

export interface TestRepo {
  dir: string;
  config: ResolvedConfig;
  /** Run directories made for this repository's contexts (removed by cleanup). */
  runDirs: string[];
  /** Called by cleanup (the contexts' watches). */
  closers: Array<() => void>;
  cleanup: () => void;
}

/** The repository above, with `files` added or replaced; the config is `configYaml(extraClusterLines)` unless given. */
export function testRepo(o: { files?: Record<string, string>; config?: string } = {}): TestRepo {
  const t = tempTree({ ...REPO_FILES, 'hybrid-e2e.yaml': o.config ?? configYaml(), ...o.files }, 'hybrid-e2e-engine-');
  const runDirs: string[] = [];
  const closers: Array<() => void> = [];
  return {
    dir: t.dir,
    config: loadConfig(path.join(t.dir, 'hybrid-e2e.yaml')),
    runDirs,
    closers,
    cleanup: () => {
      for (const c of closers) c();
      t.cleanup();
      for (const d of runDirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

export interface CapturedReporter extends Reporter {
  lines: string[];
  warnings: string[];
}

export function captureReporter(): CapturedReporter {
  const lines: string[] = [];
  const warnings: string[] = [];
  return {
    lines,
    warnings,
    info: (l) => lines.push(l),
    warn: (l) => {
      warnings.push(l);
      lines.push(`warning: ${l}`);
    },
    task: (id, e, d) => lines.push(`${e} ${id}${d?.outcome ? ` ${d.outcome}` : ''}`),
  };
}

/** An EngineContext for one task test, with its own run directory (outside the repository: it is a build context). */
export function engineContext(
  repo: TestRepo,
  tools: MemoryTools = memoryTools(),
  over: Partial<EngineContext> = {},
): EngineContext & { tools: MemoryTools; reporter: CapturedReporter } {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-run-'));
  repo.runDirs.push(runDir);
  const reporter = captureReporter();
  const watch = new ClusterWatch(tools.kube, 10);
  repo.closers.push(() => watch.close());
  let labelled: Promise<Map<string, string>> | undefined;
  const stop = new AbortController();
  repo.closers.push(() => stop.abort());
  const ctx = {
    runId: 'r1',
    runDir,
    clusterName: 'e2e-r1',
    kubeconfig: path.join(runDir, 'kubeconfig'),
    tarballDir: path.join(runDir, 'images'),
    keepTarballs: false,
    localImages: () => (labelled ??= tools.builder.imagesByLabel('io.hybrid-e2e.inputs')),
    cache: 'none' as const,
    cacheDir: path.join(runDir, 'cache'),
    buildRetries: 0,
    buildNetwork: 'none' as const,
    tools,
    watch,
    reporter,
    state: new RunStateFile(
      {
        runId: 'r1',
        runDir,
        pid: process.pid,
        provider: 'docker',
        engineBinary: tools.builder.caps.binary,
        images: [],
      },
      process.env,
    ),
    journal: new TaskJournal(reporter),
    ...over,
  } as EngineContext & { tools: MemoryTools; reporter: CapturedReporter };
  ctx.waves = over.waves ?? new LoadWaves(ctx, buildPlan(repo.config), repo.config.builds.loadParallelism, stop.signal);
  return ctx;
}
