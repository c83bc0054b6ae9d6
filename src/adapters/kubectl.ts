import { toGoDuration } from '../core/duration.js';
import { ToolError } from '../core/errors.js';
import type { CallOptions, ContainerState, KubeClient, PodState } from '../core/engine/interfaces.js';
import { runChecked } from './process.js';

interface PodJson {
  metadata: { name: string; namespace: string };
  status?: {
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{
      name: string;
      image?: string;
      restartCount?: number;
      state?: { waiting?: { reason?: string; message?: string } };
    }>;
  };
}

/** Thin adapter over kubectl bound to one kubeconfig: one typed method per call the engine makes. */
export class Kubectl implements KubeClient {
  constructor(
    private readonly kubeconfig: string,
    private readonly bin: string = 'kubectl',
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /** Runs `kubectl --kubeconfig <run's> <args>`; `verb` names the call in errors (`kubectl rollout status`). */
  private run(args: readonly string[], o: CallOptions = {}) {
    return runChecked(this.bin, ['--kubeconfig', this.kubeconfig, ...args], {
      env: this.env,
      verb: `kubectl ${args
        .filter((a) => !a.startsWith('-'))
        .slice(0, 2)
        .join(' ')}`,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });
  }

  private async json<T>(args: readonly string[], o?: CallOptions): Promise<T> {
    const { stdout } = await this.run([...args, '-o', 'json'], o);
    return JSON.parse(stdout) as T;
  }

  async apply(file: string, namespace: string | undefined, o?: CallOptions): Promise<void> {
    await this.run(
      ['apply', '--server-side', '--force-conflicts', '--field-manager', 'hybrid-e2e', ...(namespace ? ['-n', namespace] : []), '-f', file],
      o,
    );
  }

  async kustomize(dir: string, o?: CallOptions): Promise<string> {
    return (await this.run(['kustomize', dir], o)).stdout;
  }

  async rolloutStatus(target: string, namespace: string, timeoutMs: number, o?: CallOptions): Promise<void> {
    await this.run(['rollout', 'status', target, '-n', namespace, `--timeout=${toGoDuration(timeoutMs)}`], o);
  }

  async waitFor(
    condition: string,
    targets: readonly string[],
    namespace: string | undefined,
    timeoutMs: number,
    o?: CallOptions,
  ): Promise<void> {
    await this.run(
      ['wait', `--for=${condition}`, ...targets, ...(namespace ? ['-n', namespace] : []), `--timeout=${toGoDuration(timeoutMs)}`],
      o,
    );
  }

  async nodes(o?: CallOptions): Promise<Array<{ name: string; ready: boolean }>> {
    const list = await this.json<{
      items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
    }>(['get', 'nodes'], o);
    return list.items.map((n) => ({
      name: n.metadata.name,
      ready: Boolean(n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
    }));
  }

  async serviceAccountExists(name: string, namespace: string, o?: CallOptions): Promise<boolean> {
    try {
      await this.run(['get', 'serviceaccount', name, '-n', namespace, '-o', 'name'], o);
      return true;
    } catch (e) {
      if (e instanceof ToolError && /NotFound|not found/.test(e.stderr)) return false;
      throw e;
    }
  }

  async endpointsReady(service: string, namespace: string, o?: CallOptions): Promise<boolean> {
    const ep = await this.json<{ subsets?: Array<{ addresses?: unknown[] }> }>(['get', 'endpoints', service, '-n', namespace], o);
    return Boolean(ep.subsets?.some((s) => (s.addresses?.length ?? 0) > 0));
  }

  async pods(namespace: string | undefined, selector: string | undefined, o?: CallOptions): Promise<PodState[]> {
    const list = await this.json<{ items: PodJson[] }>(
      ['get', 'pods', ...(namespace ? ['-n', namespace] : ['-A']), ...(selector ? ['-l', selector] : [])],
      o,
    );
    return list.items.map((p) => ({
      name: p.metadata.name,
      namespace: p.metadata.namespace,
      ready: Boolean(p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
      containers: (p.status?.containerStatuses ?? []).map((cs): ContainerState => ({
        name: cs.name,
        ...(cs.image ? { image: cs.image } : {}),
        ...(cs.state?.waiting?.reason ? { waitingReason: cs.state.waiting.reason } : {}),
        ...(cs.state?.waiting?.message ? { waitingMessage: cs.state.waiting.message } : {}),
        ...(cs.restartCount !== undefined ? { restartCount: cs.restartCount } : {}),
      })),
    }));
  }

  async events(o?: CallOptions): Promise<string> {
    return (await this.run(['get', 'events', '-A'], o)).stdout;
  }

  async describePod(name: string, namespace: string, o?: CallOptions): Promise<string> {
    return (await this.run(['describe', 'pod', name, '-n', namespace], o)).stdout;
  }

  async podLogs(name: string, namespace: string, o?: CallOptions): Promise<string> {
    return (await this.run(['logs', name, '-n', namespace, '--all-containers', '--tail=200'], o)).stdout;
  }
}
