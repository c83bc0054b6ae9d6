import { toGoDuration } from '../core/duration.js';
import type { CallOptions, ClusterTool, CreateClusterSpec } from '../core/engine/interfaces.js';
import { runChecked, type ProcessOptions } from './process.js';

/** Thin adapter over the kind CLI: argument arrays, nothing else. */
export class Kind implements ClusterTool {
  constructor(
    private readonly bin: string = 'kind',
    /** `podman` sets KIND_EXPERIMENTAL_PROVIDER=podman on every call. */
    private readonly provider: 'docker' | 'podman' = 'docker',
    /** Base environment of every call (PATH decides which kind runs). */
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /** Every call gets the same provider: KIND_EXPERIMENTAL_PROVIDER=podman with podman, unset with docker. */
  private run(args: string[], o: CallOptions = {}) {
    const opts: ProcessOptions = {
      env: { ...this.env, KIND_EXPERIMENTAL_PROVIDER: this.provider === 'podman' ? 'podman' : undefined },
      verb: `kind ${args.slice(0, 2).join(' ')}`,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    };
    return runChecked(this.bin, args, opts);
  }

  async create(a: CreateClusterSpec, o?: CallOptions): Promise<void> {
    const args = ['create', 'cluster', '--name', a.name, '--kubeconfig', a.kubeconfig, '--wait', toGoDuration(a.waitMs)];
    if (a.retain) args.push('--retain');
    if (a.config) args.push('--config', a.config);
    if (a.nodeImage) args.push('--image', a.nodeImage);
    await this.run(args, o);
  }

  async delete(name: string, kubeconfig: string, o?: CallOptions): Promise<void> {
    await this.run(['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig], o);
  }

  async loadImageArchive(tarball: string, cluster: string, o?: CallOptions): Promise<void> {
    await this.run(['load', 'image-archive', tarball, '--name', cluster], o);
  }

  async exportLogs(dir: string, cluster: string, o?: CallOptions): Promise<void> {
    await this.run(['export', 'logs', dir, '--name', cluster], o);
  }
}
