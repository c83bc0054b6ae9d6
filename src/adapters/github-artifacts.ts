/**
 * Per-leg results as workflow artifacts: each `up` uploads `hybrid-e2e-results-<leg>` (results.json) and, after a
 * failure, `hybrid-e2e-diagnostics-<leg>`; `command: report` downloads every `hybrid-e2e-results-*` of the run.
 *
 * Two stores behind one interface: the Actions artifact service (@actions/artifact; for a `workflow_run`, the
 * triggering run's artifacts through the REST API) and a plain directory (HYBRID_E2E_ARTIFACT_DIR; tests and
 * self-hosted setups without the artifact service).
 */
import type { DefaultArtifactClient, FindOptions } from '@actions/artifact';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ArtifactStore {
  readonly kind: string;
  /** Uploads `files` (absolute, under `root`) as `name`, replacing an artifact of that name from an earlier attempt. */
  upload(name: string, files: string[], root: string): Promise<void>;
  /** Names of the artifacts that start with `prefix`. */
  list(prefix: string): Promise<string[]>;
  /** Extracts `name` into `dest` (created). */
  download(name: string, dest: string): Promise<void>;
}

export class DirArtifactStore implements ArtifactStore {
  readonly kind = 'directory';
  constructor(readonly dir: string) {}
  async upload(name: string, files: string[], root: string): Promise<void> {
    const dest = path.join(this.dir, name);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    for (const f of files) {
      const rel = path.relative(root, f);
      if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${f} is not under ${root}`);
      mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
      cpSync(f, path.join(dest, rel));
    }
  }
  async list(prefix: string): Promise<string[]> {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((n) => n.startsWith(prefix) && statSync(path.join(this.dir, n)).isDirectory())
      .sort();
  }
  async download(name: string, dest: string): Promise<void> {
    mkdirSync(dest, { recursive: true });
    cpSync(path.join(this.dir, name), dest, { recursive: true });
  }
}

export class GitHubArtifactStore implements ArtifactStore {
  readonly kind = 'actions';
  private clientP: Promise<DefaultArtifactClient> | undefined;
  /** @actions/artifact is loaded when first used: most runs never need it before their builds. */
  private client(): Promise<DefaultArtifactClient> {
    return (this.clientP ??= import('@actions/artifact').then((m) => new m.DefaultArtifactClient()));
  }
  /** `findBy` reads another run's artifacts (workflow_run) through the REST API with a token. */
  constructor(private readonly find?: FindOptions['findBy']) {}
  private get opts(): FindOptions {
    return this.find ? { findBy: this.find } : {};
  }
  async upload(name: string, files: string[], root: string): Promise<void> {
    // A re-run attempt finds the first attempt's artifact: replace it (artifacts are immutable otherwise).
    try {
      await (await this.client()).deleteArtifact(name);
    } catch {
      // none yet
    }
    await (await this.client()).uploadArtifact(name, files, root, { retentionDays: 7 });
  }
  async list(prefix: string): Promise<string[]> {
    const { artifacts } = await (await this.client()).listArtifacts({ latest: true, ...this.opts });
    return artifacts
      .map((a) => a.name)
      .filter((n) => n.startsWith(prefix))
      .sort();
  }
  async download(name: string, dest: string): Promise<void> {
    const { artifact } = await (await this.client()).getArtifact(name, this.opts);
    mkdirSync(dest, { recursive: true });
    await (await this.client()).downloadArtifact(artifact.id, { path: dest, ...this.opts });
  }
}

/** The store for this environment, or undefined when there is none (a run outside Actions). */
export function artifactStoreFor(env: Record<string, string | undefined>, find?: FindOptions['findBy']): ArtifactStore | undefined {
  if (env.HYBRID_E2E_ARTIFACT_DIR) return new DirArtifactStore(env.HYBRID_E2E_ARTIFACT_DIR);
  if (find) return new GitHubArtifactStore(find);
  if (env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL) return new GitHubArtifactStore();
  return undefined;
}

/** Every file under `dir` (for uploading a diagnostics directory). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
