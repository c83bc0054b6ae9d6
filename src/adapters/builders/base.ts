/** Shared parts of the docker and podman builders: running a build, turning failures into BuildError, image ops. */
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BuildOutputParser, type OutputFormat } from './build-output.js';
import { BuildError } from '../../core/errors.js';
import { tempRoot } from '../../core/run-id.js';
import type { BuildRequest, BuildResult, BuilderCapabilities, ImageBuilder, LocalImage } from '../../core/engine/interfaces.js';
import { runProcess, type ProcessResult } from '../process.js';

export interface BuildInvocation {
  args: string[];
  env: Record<string, string>;
  format: OutputFormat;
}

export function cancelledError(what: string, tail: string[], service?: string): BuildError {
  return new BuildError(`${what} was cancelled`, { service, logTail: tail, cancelled: true });
}

/** `k=v` pairs for `--build-arg`/`--label` in a stable order. */
export function sortedPairs(rec: Record<string, string> | undefined): [string, string][] {
  return Object.entries(rec ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Flags common to `docker build`, `docker buildx build` and `podman build`. */
export function commonBuildFlags(req: BuildRequest, iidFile: string): string[] {
  const a = ['--file', req.dockerfile, '--tag', req.tag, ...(req.extraTags ?? []).flatMap((t) => ['--tag', t]), '--iidfile', iidFile];
  if (req.target) a.push('--target', req.target);
  for (const [k, v] of sortedPairs(req.args)) a.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of sortedPairs(req.labels)) a.push('--label', `${k}=${v}`);
  if ((req.network ?? 'default') === 'none') a.push('--network', 'none');
  return a;
}

export function describeFailure(
  what: string,
  r: ProcessResult,
  parser: BuildOutputParser,
): { message: string; failedStep?: string; stepTail?: string[] } {
  const s = parser.summary();
  const how = r.spawnError ?? (r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode ?? '?'}`);
  if (s.failedStep) {
    const err = s.failedStep.error ? `: ${s.failedStep.error}` : '';
    return { message: `${what} failed (${how}) at ${s.failedStep.name}${err}`, failedStep: s.failedStep.name, stepTail: s.failedStep.tail };
  }
  const last = [...r.tail].reverse().find((l) => l.trim().length > 0);
  return { message: `${what} failed (${how})${last ? `: ${last.trim()}` : ''}` };
}

export abstract class EngineBuilder implements ImageBuilder {
  private noteGiven = false;
  /** Run builds in their own session (see RunOptions.detached). */
  protected detachBuilds = false;

  constructor(
    readonly caps: BuilderCapabilities,
    protected readonly env: NodeJS.ProcessEnv,
  ) {}

  protected abstract invocation(req: BuildRequest, tmp: string): BuildInvocation;
  protected abstract saveArgs(refs: string[], dest: string, platform?: string): string[];

  /** Whether this failed attempt should be retried (podman crash signatures). */
  protected shouldRetry(_r: ProcessResult, _parser: BuildOutputParser, _attempt: number): boolean {
    return false;
  }

  protected engineEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
    return { ...this.env, ...(extra ?? {}) };
  }

  protected async runEngine(
    args: string[],
    opts: {
      signal?: AbortSignal;
      env?: Record<string, string>;
      keepOutput?: boolean;
      onLine?: (l: string) => void;
      timeoutMs?: number;
    } = {},
  ): Promise<ProcessResult> {
    return runProcess(this.caps.binary, args, {
      env: this.engineEnv(opts.env),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.keepOutput ? {} : { maxOutput: 0 }),
      ...(opts.onLine ? { onLine: opts.onLine } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
  }

  /** Hook to limit concurrency (podman). Must give up waiting when `signal` aborts. */
  protected async withSlot<T>(fn: () => Promise<T>, _signal?: AbortSignal): Promise<T> {
    return fn();
  }

  async build(req: BuildRequest): Promise<BuildResult> {
    return this.withSlot(() => this.buildNow(req), req.signal);
  }

  private async buildNow(req: BuildRequest): Promise<BuildResult> {
    const what = `build of ${req.service} (${req.tag})`;
    if (req.signal?.aborted) throw cancelledError(what, [], req.service);
    const started = Date.now();
    const tmp = await mkdtemp(path.join(tempRoot(this.env), 'hybrid-e2e-build-'));
    try {
      let attempt = 0;
      for (;;) {
        attempt++;
        const inv = this.invocation(req, tmp);
        const parser = new BuildOutputParser(inv.format, { labels: req.labels });
        if (req.tarball && this.caps.outputTarball) await mkdir(path.dirname(req.tarball), { recursive: true });
        const r = await runProcess(this.caps.binary, inv.args, {
          env: this.engineEnv({ ...inv.env, ...(req.env ?? {}) }),
          ...(req.signal ? { signal: req.signal } : {}),
          maxOutput: 0,
          detached: this.detachBuilds,
          onLine: (line) => {
            parser.push(line);
            req.onLine?.(line);
          },
        });
        if (r.cancelled || req.signal?.aborted) {
          if (req.tarball) await rm(req.tarball, { force: true });
          throw new BuildError(`${what} was cancelled`, {
            service: req.service,
            logTail: r.tail,
            cancelled: true,
            signal: r.signal,
            attempts: attempt,
          });
        }
        if (r.exitCode !== 0) {
          if (this.shouldRetry(r, parser, attempt)) {
            req.onLine?.(`hybrid-e2e: ${this.caps.engine} crashed during the build (${r.signal ?? `exit ${r.exitCode}`}); retrying once`);
            continue;
          }
          if (req.tarball) await rm(req.tarball, { force: true });
          const f = describeFailure(what, r, parser);
          throw new BuildError(f.message, {
            service: req.service,
            exitCode: r.exitCode,
            signal: r.signal,
            logTail: r.tail,
            failedStep: f.failedStep,
            stepTail: f.stepTail,
            attempts: attempt,
          });
        }
        const summary = parser.summary();
        const result: BuildResult = {
          ref: req.tag,
          imageId: await this.imageIdAfterBuild(req, tmp),
          cached: summary.allCached,
          steps: { total: summary.total, cached: summary.cached },
          logTail: r.tail,
          attempts: attempt,
        };
        if (this.caps.cacheNote && req.cache.backend !== 'none' && !this.noteGiven) {
          this.noteGiven = true;
          result.cacheNote = this.caps.cacheNote;
        }
        if (req.tarball) {
          if (this.caps.outputTarball) {
            result.tarball = req.tarball;
            result.tarballBytes = (await stat(req.tarball)).size;
          } else {
            const { bytes } = await this.save(req.tag, req.tarball, req.signal);
            result.tarball = req.tarball;
            result.tarballBytes = bytes;
          }
        }
        result.durationMs = Date.now() - started;
        return result;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  protected async imageIdAfterBuild(req: BuildRequest, tmp: string): Promise<string> {
    try {
      const id = (await readFile(path.join(tmp, 'iid'), 'utf8')).trim();
      if (id) return id.startsWith('sha256:') ? id : `sha256:${id}`;
    } catch {
      /* fall through */
    }
    const r = await this.runEngine(['image', 'inspect', '--format', '{{.Id}}', req.tag], { keepOutput: true });
    const id = r.stdout.trim();
    if (r.exitCode !== 0 || !id)
      throw new BuildError(`build of ${req.service} succeeded but its image ID could not be read`, {
        service: req.service,
        logTail: r.tail,
      });
    return id.startsWith('sha256:') ? id : `sha256:${id}`;
  }

  save(ref: string, dest: string, signal?: AbortSignal, platform?: string): Promise<{ bytes: number }> {
    return this.saveMany([ref], dest, signal, platform);
  }

  async saveMany(refs: string[], dest: string, signal?: AbortSignal, platform?: string): Promise<{ bytes: number }> {
    const ref = refs.join(' ');
    await mkdir(path.dirname(dest), { recursive: true });
    const r = await this.runEngine(this.saveArgs(refs, dest, this.caps.savePlatform ? platform : undefined), { signal });
    if (r.cancelled || signal?.aborted) {
      await rm(dest, { force: true });
      throw cancelledError(`${this.caps.engine} save ${ref}`, r.tail);
    }
    if (r.exitCode !== 0) {
      await rm(dest, { force: true });
      throw new BuildError(`${this.caps.engine} save ${ref} failed (exit ${r.exitCode ?? r.signal ?? '?'}): ${r.tail.join(' ').trim()}`, {
        exitCode: r.exitCode,
        signal: r.signal,
        logTail: r.tail,
      });
    }
    return { bytes: (await stat(dest)).size };
  }

  async imageExists(ref: string): Promise<boolean> {
    const r = await this.runEngine(['image', 'inspect', '--format', '{{.Id}}', ref]);
    return r.exitCode === 0;
  }

  /**
   * Every local image carrying `label`: two calls whatever their number, the ids of the images that have the label,
   * then one inspect of them all (`docker images` cannot print labels).
   */
  async labelledImages(label: string): Promise<LocalImage[]> {
    const list = await this.runEngine(['images', '--filter', `label=${label}`, '--format', '{{.ID}}'], { keepOutput: true });
    if (list.exitCode !== 0) {
      throw new BuildError(`listing images by label ${label} failed: ${list.tail.join(' ').trim()}`, {
        exitCode: list.exitCode,
        logTail: list.tail,
      });
    }
    const ids = [
      ...new Set(
        list.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      ),
    ];
    if (!ids.length) return [];
    const r = await this.runEngine(['image', 'inspect', ...ids], { keepOutput: true });
    // An image removed between the two calls makes inspect fail for it; what it printed for the others still counts.
    let images: Array<{
      Id?: string;
      RepoTags?: string[] | null;
      Created?: string;
      Size?: number;
      Config?: { Labels?: Record<string, string> | null };
    }> = [];
    try {
      images = JSON.parse(r.stdout || '[]') as typeof images;
    } catch {
      throw new BuildError(`inspecting the images labelled ${label} failed: ${r.tail.join(' ').trim()}`, {
        exitCode: r.exitCode,
        logTail: r.tail,
      });
    }
    return images
      .filter((img) => img.Id && img.Config?.Labels?.[label])
      .map((img) => ({
        id: img.Id!,
        tags: (img.RepoTags ?? []).filter((t) => !t.includes('<none>')),
        labels: img.Config?.Labels ?? {},
        createdMs: img.Created ? Date.parse(img.Created) || 0 : 0,
        bytes: img.Size ?? 0,
      }));
  }

  /** Every local image carrying `label`, by its value: a tagged reference where there is one, else the image id. */
  async imagesByLabel(label: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const img of await this.labelledImages(label)) {
      const value = img.labels[label]!;
      if (img.tags[0]) out.set(value, img.tags[0]);
      else if (!out.has(value)) out.set(value, img.id);
    }
    return out;
  }

  async tag(src: string, dest: string): Promise<void> {
    const r = await this.runEngine(['tag', src, dest]);
    if (r.exitCode !== 0)
      throw new BuildError(`${this.caps.engine} tag ${src} ${dest} failed: ${r.tail.join(' ').trim()}`, {
        exitCode: r.exitCode,
        logTail: r.tail,
      });
  }

  abstract removeImages(refs: string[]): Promise<void>;

  abstract dispose(): Promise<void>;

  /** `docker info` / `podman info` format of the engine's storage root. */
  protected abstract dataRootFormat: string;

  async dataRoot(): Promise<string | undefined> {
    const r = await this.runEngine(['info', '--format', this.dataRootFormat], { keepOutput: true, timeoutMs: 15_000 });
    const dir = r.stdout.trim();
    return r.exitCode === 0 && dir.startsWith('/') ? dir : undefined;
  }

  async pull(ref: string, signal?: AbortSignal, platform?: string): Promise<void> {
    const r = await this.runEngine(['pull', ...(platform ? ['--platform', platform] : []), ref], { signal });
    if (r.cancelled || signal?.aborted) throw cancelledError(`${this.caps.engine} pull ${ref}`, r.tail);
    if (r.exitCode !== 0) {
      throw new BuildError(
        `${this.caps.engine} pull ${ref} failed (exit ${r.exitCode ?? r.signal ?? '?'}): ${r.tail.slice(-3).join(' ').trim()}`,
        {
          exitCode: r.exitCode,
          signal: r.signal,
          logTail: r.tail,
        },
      );
    }
  }
}
