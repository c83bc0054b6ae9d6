import { run, type RunOptions } from '../core/proc.js';

/** Thin adapter over kubectl bound to one kubeconfig. */
export class Kubectl {
  constructor(
    private readonly kubeconfig: string,
    private readonly bin: string = 'kubectl',
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  run(args: readonly string[], o: RunOptions = {}) {
    return run(this.bin, ['--kubeconfig', this.kubeconfig, ...args], { ...o, env: { ...this.env, ...o.env } });
  }

  async json<T = unknown>(args: readonly string[], o?: RunOptions): Promise<T> {
    const { stdout } = await this.run([...args, '-o', 'json'], o);
    return JSON.parse(stdout) as T;
  }

  apply(file: string, namespace: string, o?: RunOptions) {
    return this.run(['apply', '--server-side', '--force-conflicts', '--field-manager', 'hybrid-e2e', '-n', namespace, '-f', file], o);
  }

  rolloutStatus(target: string, namespace: string, timeoutMs: number, o?: RunOptions) {
    return this.run(['rollout', 'status', target, '-n', namespace, `--timeout=${Math.ceil(timeoutMs / 1000)}s`], o);
  }

  waitFor(condition: string, target: string, namespace: string | undefined, timeoutMs: number, o?: RunOptions) {
    return this.run(
      ['wait', `--for=${condition}`, target, ...(namespace ? ['-n', namespace] : []), `--timeout=${Math.ceil(timeoutMs / 1000)}s`],
      o,
    );
  }

  kustomize(dir: string, o?: RunOptions) {
    return this.run(['kustomize', dir], o);
  }
}
