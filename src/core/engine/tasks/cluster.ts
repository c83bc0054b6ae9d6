/**
 * The cluster task: `kind create cluster` (retried with a fresh cluster on known transient failures), then the
 * readiness gates. Output: the cluster's name and kubeconfig.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, ToolError } from '../../errors.js';
import type { CreateTask } from '../../plan/graph.js';
import type { ClusterInfo, EngineContext } from '../context.js';
import { classifyCreateFailure, isPortConflict } from '../create-failures.js';
import { writeKindConfig } from '../kind-config.js';
import { clusterGates } from '../readiness.js';

const MAX_PORT_REPICKS = 3;

export async function runCreate(t: CreateTask, ctx: EngineContext, signal: AbortSignal): Promise<ClusterInfo> {
  const { cluster: kind, kube } = ctx.tools;
  const name = ctx.clusterName;
  ctx.journal.set(t.id, { attempts: 0 });
  let { file: configFile, ports } = await writeKindConfig(t, ctx.runDir, ctx.reporter);
  ctx.journal.set(t.id, { ports });
  /** New host ports picked after kind found one taken (hostPorts: auto): another run took it after we probed. */
  let repicks = 0;
  ctx.state.update((s) => (s.cluster = { name, kubeconfig: ctx.kubeconfig }));
  let attempts = 0;
  let logsNote = '';
  for (;;) {
    attempts++;
    ctx.journal.set(t.id, { attempts });
    try {
      // --retain keeps the nodes of a failed create so their logs can be exported before we delete them.
      await kind.create(
        {
          name,
          kubeconfig: ctx.kubeconfig,
          waitMs: t.cluster.waitTimeoutMs,
          retain: true,
          ...(configFile ? { config: configFile } : {}),
          ...(t.cluster.nodeImage ? { nodeImage: t.cluster.nodeImage } : {}),
        },
        { signal },
      );
      ctx.journal.set(t.id, { created: true });
      break;
    } catch (e) {
      const out = e instanceof ToolError ? e.output : errorMessage(e);
      // With hostPorts: auto the ports were free when picked; a concurrent run may take one before kind publishes
      // it (the probe and the bind are not atomic). Pick free ports again, a few times, rather than fail the run.
      if (!signal.aborted && t.cluster.hostPorts === 'auto' && ports.length && isPortConflict(out) && repicks < MAX_PORT_REPICKS) {
        repicks++;
        await kind.delete(name, ctx.kubeconfig).catch(() => undefined);
        ({ file: configFile, ports } = await writeKindConfig(t, ctx.runDir, ctx.reporter));
        ctx.journal.set(t.id, { ports });
        ctx.reporter.warn(`cluster: a host port was taken between picking it and kind create (another run?); picked free ports again`);
        continue;
      }
      const failure = classifyCreateFailure(out);
      const transient = !signal.aborted && failure.transient;
      const retrying = transient && attempts - repicks <= t.cluster.retries;
      if (!retrying && !signal.aborted) {
        const logs = path.join(ctx.runDir, 'diagnostics', `kind-create-attempt-${attempts}`);
        mkdirSync(path.dirname(logs), { recursive: true });
        await kind.exportLogs(logs, name, { timeoutMs: 60_000 }).then(
          () => {
            logsNote = ` (kind logs: ${logs})`;
            ctx.journal.set(t.id, { note: `kind logs: ${logs}` });
          },
          () => undefined,
        );
      }
      await kind.delete(name, ctx.kubeconfig).catch(() => undefined);
      if (retrying) {
        ctx.reporter.warn(
          `cluster: kind create failed with a known transient error (${failure.reason}; attempt ${attempts}); retrying with a fresh cluster`,
        );
        continue;
      }
      const what = transient
        ? `kind create cluster failed ${attempts} time(s) with a known transient error (${failure.reason})`
        : failure.reason === 'kind create cluster failed'
          ? failure.reason
          : `kind create cluster failed: ${failure.reason}${!failure.transient && failure.hint ? `. ${failure.hint}` : ''}`;
      throw new Error(`${what}${logsNote}: ${errorMessage(e)}`);
    }
  }
  await clusterGates(t, ctx.watch, kube, ctx.runDir, signal);
  ctx.journal.set(t.id, { note: name });
  return { name, kubeconfig: ctx.kubeconfig };
}
