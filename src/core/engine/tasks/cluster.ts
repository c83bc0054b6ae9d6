/**
 * The cluster task: `kind create cluster` (retried with a fresh cluster on known transient failures), then the
 * readiness gates. Output: the cluster's name and kubeconfig.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, ToolError } from '../../errors.js';
import type { CreateTask } from '../../plan/graph.js';
import type { ClusterInfo, EngineContext } from '../context.js';
import { classifyCreateFailure } from '../create-failures.js';
import { writeKindConfig } from '../kind-config.js';
import { clusterGates } from '../readiness.js';

export async function runCreate(t: CreateTask, ctx: EngineContext, signal: AbortSignal): Promise<ClusterInfo> {
  const { cluster: kind, kube } = ctx.tools;
  const name = ctx.clusterName;
  ctx.journal.set(t.id, { attempts: 0 });
  const { file: configFile, ports } = await writeKindConfig(t, ctx.runDir, ctx.reporter);
  ctx.journal.set(t.id, { ports });
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
      const failure = classifyCreateFailure(out);
      const transient = !signal.aborted && failure.transient;
      const retrying = transient && attempts <= t.cluster.retries;
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
