/**
 * The cluster task: `kind create cluster` (retried with a fresh cluster on known transient failures), then the
 * readiness gates. Output: the cluster's name and kubeconfig.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, lastLines, ToolError } from '../../errors.js';
import type { CreateTask } from '../../plan/graph.js';
import type { ClusterInfo, EngineContext } from '../context.js';
import { writeKindConfig } from '../kind-config.js';
import { clusterGates } from '../readiness.js';

const TRANSIENT_CREATE = [
  /kubelet-check/i,
  /failed to init node/i,
  /kubelet.*(health|healthz)/i,
  /\bcrun\b/i,
  /OCI runtime/i,
  /could not find a log line/i,
  /timed out waiting for the condition/i,
];

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
      const transient = !signal.aborted && TRANSIENT_CREATE.some((re) => re.test(out));
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
        ctx.reporter.warn(`cluster: kind create failed with a known transient error (attempt ${attempts}); retrying with a fresh cluster`);
        continue;
      }
      if (/address already in use|port is already allocated/i.test(out)) {
        throw new Error(
          `kind create cluster failed: a host port of the kind config is already in use, maybe by another run of this config. Set cluster.hostPorts: auto to give each run free host ports. (${lastLines(out, 1)[0] ?? ''})`,
        );
      }
      throw new Error(
        `${transient ? `kind create cluster failed ${attempts} time(s) with a known transient error` : 'kind create cluster failed'}${logsNote}: ${errorMessage(e)}`,
      );
    }
  }
  await clusterGates(t, kube, ctx.runDir, ctx.pollMs, signal);
  ctx.journal.set(t.id, { note: name });
  return { name, kubeconfig: ctx.kubeconfig };
}
