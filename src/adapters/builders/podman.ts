/**
 * `podman build --layers` builder.
 *
 * Parallel builds: our first users saw podman crash when several `podman build`s ran at once (storage lock and
 * layer races in podman 4.x). Two defences, both here:
 * 1. `caps.maxParallelBuilds` defaults to 1 and is enforced by this builder with a semaphore (the scheduler should
 *    size its build pool from it; then the semaphore never waits). Override with `HYBRID_E2E_PODMAN_PARALLEL_BUILDS`.
 * 2. A build that dies with a crash signature (killed by a signal, Go `panic:`/`fatal error:`, storage errors such
 *    as `layer not known` or `database is locked`) is retried once. A RUN step that exits non-zero is a real
 *    failure and is never retried.
 *
 * Cancellation: podman 4.x, on SIGINT/SIGTERM, exits and leaves its RUN container processes running and its working
 * containers behind. So builds run in their own session (a terminal's Ctrl-C reaches only us; the CLI turns it into
 * an abort) and an abort kills the RUN containers' processes first, lets podman fail the step and clean up, then
 * terminates what is left (see proc.ts killTree).
 *
 * Cache: podman always uses its own layer cache (`--layers`); the `registry` backend maps to
 * `--cache-from/--cache-to <ref>` (podman >= 4.1). `gha` and `local` cannot be exported by podman.
 */
import { BuildOutputParser } from './build-output.js';
import type { ProcessResult } from '../process.js';
import { commonBuildFlags, EngineBuilder, type BuildInvocation } from './base.js';
import { BuildError } from '../../core/errors.js';
import type { BuildRequest, BuilderCapabilities } from '../../core/engine/interfaces.js';
import path from 'node:path';

const CRASH_PATTERNS: RegExp[] = [
  /\bpanic: /,
  /\bfatal error: /,
  /SIGSEGV|SIGABRT|segmentation violation/,
  /concurrent map (read and )?write/,
  /layer not known/,
  /database is locked/,
  /identifier is not a (container|layer|image)/,
  /error (committing|creating) (the )?(container|build container).*(exists|in use|not known|locked)/i,
  /resource temporarily unavailable/,
];

/** A podman failure that looks like a crash of podman itself rather than a failing Dockerfile step. */
export function isPodmanCrash(r: Pick<ProcessResult, 'exitCode' | 'signal' | 'tail' | 'cancelled'>, failedStepError?: string): boolean {
  if (r.cancelled) return false;
  if (failedStepError && /while running runtime: exit status \d+/.test(failedStepError)) return false;
  if (r.signal) return true;
  return r.tail.some((l) => CRASH_PATTERNS.some((p) => p.test(l)));
}

export function podmanBuildArgs(caps: BuilderCapabilities, req: BuildRequest, tmp: string): string[] {
  const a = ['build', '--layers', '--force-rm', '--format', 'docker', ...commonBuildFlags(req, path.join(tmp, 'iid'))];
  // podman keeps cache layers in a repository (tags are its own): one sub-repository per image.
  if (caps.cacheExport && req.cache.backend === 'registry' && req.cache.ref) {
    const repo = `${req.cache.ref}/${req.cache.scope.toLowerCase()}`;
    a.push('--cache-from', repo, '--cache-to', repo);
  }
  a.push(req.context);
  return a;
}

class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          const i = this.waiters.indexOf(wake);
          if (i !== -1) this.waiters.splice(i, 1);
          reject(new BuildError('build was cancelled while waiting for a podman build slot', { logTail: [], cancelled: true }));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(wake);
      });
    }
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiters.shift()?.();
    }
  }
}

export class PodmanBuilder extends EngineBuilder {
  private readonly slots: Semaphore;

  constructor(caps: BuilderCapabilities, env: NodeJS.ProcessEnv) {
    super(caps, env);
    this.slots = new Semaphore(Math.max(1, caps.maxParallelBuilds ?? 1));
  }

  protected override detachBuilds = true;

  protected override withSlot<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.slots.run(fn, signal);
  }

  protected invocation(req: BuildRequest, tmp: string): BuildInvocation {
    return { args: podmanBuildArgs(this.caps, req, tmp), env: {}, format: 'podman' };
  }

  protected override shouldRetry(r: ProcessResult, parser: BuildOutputParser, attempt: number): boolean {
    return attempt === 1 && isPodmanCrash(r, parser.summary().failedStep?.error);
  }

  protected saveArgs(refs: string[], dest: string): string[] {
    // Several images in one docker-archive need --multi-image-archive (podman's default writes only the first).
    return ['save', '--format', 'docker-archive', ...(refs.length > 1 ? ['--multi-image-archive'] : []), '--output', dest, ...refs];
  }

  override async imageExists(ref: string): Promise<boolean> {
    const r = await this.runEngine(['image', 'exists', ref]);
    return r.exitCode === 0;
  }

  protected dataRootFormat = '{{.Store.GraphRoot}}';

  async dispose(): Promise<void> {
    // podman builds need no builder of their own.
  }

  async removeImages(refs: string[]): Promise<void> {
    if (refs.length === 0) return;
    // No --force: podman's --force also removes containers using the image. --ignore skips missing images.
    const r = await this.runEngine(['rmi', '--ignore', ...refs], { keepOutput: true });
    if (r.exitCode !== 0) {
      throw new BuildError(`podman rmi failed: ${r.stderr.trim().split('\n').slice(-3).join('; ')}`, {
        exitCode: r.exitCode,
        logTail: r.tail,
      });
    }
  }
}
