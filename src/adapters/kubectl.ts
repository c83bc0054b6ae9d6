import { toGoDuration } from '../core/duration.js';
import { ToolError } from '../core/errors.js';
import type { CallOptions, KubeClient, KubeObject, PodState, WatchEvent } from '../core/engine/interfaces.js';
import { runChecked, runProcess } from './process.js';

/** `kubectl wait`, `kubectl rollout status`: the command a failure message names. */
function verbOf(args: readonly string[]): string {
  const words = args.filter((a) => !a.startsWith('-'));
  return `kubectl ${words[0] === 'rollout' ? words.slice(0, 2).join(' ') : (words[0] ?? '')}`.trim();
}

/** Thin adapter over kubectl bound to one kubeconfig: one typed method per call the engine makes. */
export class Kubectl implements KubeClient {
  constructor(
    private readonly kubeconfig: string,
    private readonly bin: string = 'kubectl',
    private readonly env: Record<string, string | undefined> = process.env,
    /** kubectl's discovery cache: the run's own (kubectl would otherwise write ~/.kube/cache). */
    private readonly cacheDir?: string,
  ) {}

  private argv(args: readonly string[]): string[] {
    return ['--kubeconfig', this.kubeconfig, ...(this.cacheDir ? ['--cache-dir', this.cacheDir] : []), ...args];
  }

  /** Runs `kubectl --kubeconfig <run's> <args>`; `verb` names the call in errors (`kubectl rollout status`). */
  private run(args: readonly string[], o: CallOptions = {}) {
    return runChecked(this.bin, this.argv(args), {
      env: this.env,
      verb: verbOf(args),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });
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

  /**
   * `kubectl get --raw <path>` lists, then `kubectl get --raw <path>?watch=1&resourceVersion=<list's>` streams the
   * changes: the API's own list-then-watch, so no change between the two is lost. The watch prints one JSON event per
   * line (the API server's watch encoding), which kubectl's --raw copies through as it arrives.
   */
  async watch(path: string, onEvent: (e: WatchEvent) => void, o: { signal: AbortSignal; onSynced: () => void }): Promise<void> {
    const { stdout } = await this.run(['get', '--raw', path], { signal: o.signal });
    const list = JSON.parse(stdout) as { kind?: string; metadata?: { resourceVersion?: string }; items?: KubeObject[] };
    const itemKind = list.kind?.replace(/List$/, '');
    for (const item of list.items ?? []) onEvent({ type: 'ADDED', object: { ...(itemKind ? { kind: itemKind } : {}), ...item } });
    o.onSynced();
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    let bad: string | undefined;
    const url = `${path}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(list.metadata?.resourceVersion ?? '0')}`;
    try {
      const r = await runProcess(this.bin, this.argv(['get', '--raw', url]), {
        env: this.env,
        signal: stop.signal,
        maxOutput: 0,
        onLine: (line) => {
          if (!line.trim()) return;
          let e: WatchEvent;
          try {
            e = JSON.parse(line) as WatchEvent;
          } catch {
            bad = `unexpected watch output: ${line.slice(0, 200)}`;
            return stop.abort();
          }
          if (e.type === 'ERROR') {
            // e.g. 410 Gone (the resourceVersion is too old): the caller lists and watches again.
            bad = `watch of ${path} ended: ${(e.object as { message?: string }).message ?? 'ERROR event'}`;
            return stop.abort();
          }
          onEvent(e);
        },
      });
      if (bad) throw new Error(bad);
      if (r.failed && !o.signal.aborted) {
        throw new ToolError({
          command: this.bin,
          args: this.argv(['get', '--raw', url]),
          stdout: '',
          stderr: r.tail.join('\n'),
          cancelled: r.cancelled,
          ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
          verb: 'kubectl get --raw (watch)',
        });
      }
    } finally {
      o.signal.removeEventListener('abort', onAbort);
    }
  }

  async pods(o?: CallOptions): Promise<PodState[]> {
    const { stdout } = await this.run(['get', 'pods', '-A', '-o', 'json'], o);
    const list = JSON.parse(stdout) as { items: KubeObject[] };
    return list.items.map((p) => ({
      name: p.metadata.name,
      namespace: p.metadata.namespace ?? 'default',
      ready: Boolean(
        (p.status?.conditions as Array<{ type: string; status: string }> | undefined)?.some(
          (c) => c.type === 'Ready' && c.status === 'True',
        ),
      ),
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
