import { run, type RunOptions } from '../core/proc.js';

/** Thin adapter over the kind CLI: builds argument arrays, nothing else. */
export class Kind {
  constructor(
    private readonly bin: string = 'kind',
    /** `podman` sets KIND_EXPERIMENTAL_PROVIDER=podman on every call. */
    private readonly provider: 'docker' | 'podman' = 'docker',
    /** Base environment of every call (PATH decides which kind runs). */
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /** Every call gets the same provider: KIND_EXPERIMENTAL_PROVIDER=podman with podman, unset with docker. */
  private opts(o: RunOptions = {}): RunOptions {
    return { ...o, env: { ...this.env, ...o.env, KIND_EXPERIMENTAL_PROVIDER: this.provider === 'podman' ? 'podman' : undefined } };
  }

  createCluster(
    a: { name: string; config?: string; image?: string; kubeconfig: string; waitMs: number; retain?: boolean },
    o?: RunOptions,
  ) {
    const args = ['create', 'cluster', '--name', a.name, '--kubeconfig', a.kubeconfig, '--wait', `${Math.ceil(a.waitMs / 1000)}s`];
    if (a.retain) args.push('--retain');
    if (a.config) args.push('--config', a.config);
    if (a.image) args.push('--image', a.image);
    return run(this.bin, args, this.opts(o));
  }

  deleteCluster(name: string, kubeconfig?: string, o?: RunOptions) {
    return run(this.bin, ['delete', 'cluster', '--name', name, ...(kubeconfig ? ['--kubeconfig', kubeconfig] : [])], this.opts(o));
  }

  async getClusters(o?: RunOptions): Promise<string[]> {
    const { stdout } = await run(this.bin, ['get', 'clusters'], this.opts(o));
    return stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('No kind clusters'));
  }

  loadImageArchive(tarball: string, cluster: string, o?: RunOptions) {
    return run(this.bin, ['load', 'image-archive', tarball, '--name', cluster], this.opts(o));
  }

  loadDockerImage(ref: string, cluster: string, o?: RunOptions) {
    return run(this.bin, ['load', 'docker-image', ref, '--name', cluster], this.opts(o));
  }

  exportLogs(dir: string, cluster: string, o?: RunOptions) {
    return run(this.bin, ['export', 'logs', dir, '--name', cluster], this.opts(o));
  }
}
