import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Reporter } from '../reporter.js';
import type { ClusterTool, KubeClient } from './interfaces.js';

/**
 * After a failure, while the cluster still exists: kind's logs, the cluster's events, and the description and logs of
 * every pod that is not ready, into `<run dir>/diagnostics/`. Every step is best effort (its error is written instead).
 */
export async function collectDiagnostics(
  runDir: string,
  clusterName: string,
  kind: ClusterTool,
  kube: KubeClient,
  reporter: Reporter,
): Promise<string> {
  const dir = path.join(runDir, 'diagnostics');
  mkdirSync(dir, { recursive: true });
  const o = { timeoutMs: 30_000 };
  const save = async (name: string, read: () => Promise<string>) => {
    try {
      writeFileSync(path.join(dir, name), await read());
    } catch (e) {
      writeFileSync(path.join(dir, name), `failed: ${errorMessage(e)}\n`);
    }
  };
  await kind
    .exportLogs(path.join(dir, 'kind-logs'), clusterName, { timeoutMs: 60_000 })
    .catch((e) => writeFileSync(path.join(dir, 'kind-logs.error.txt'), errorMessage(e)));
  await save('events.txt', () => kube.events(o));
  try {
    for (const p of await kube.pods(o)) {
      if (p.ready) continue;
      const base = `${p.namespace}_${p.name}`;
      await save(`${base}.describe.txt`, () => kube.describePod(p.name, p.namespace, o));
      await save(`${base}.log`, () => kube.podLogs(p.name, p.namespace, o));
    }
  } catch (e) {
    writeFileSync(path.join(dir, 'pods.error.txt'), errorMessage(e));
  }
  reporter.info(`diagnostics written to ${dir}`);
  return dir;
}
