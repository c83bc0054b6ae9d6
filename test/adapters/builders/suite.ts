/** Behaviour every builder must show, run against real engines by docker.test.ts and podman.test.ts. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configDigest, readDockerArchiveManifest } from '../../../src/adapters/builders/archive.js';
import { BuildError } from '../../../src/core/errors.js';
import type { ImageBuilder as Builder, BuildRequest } from '../../../src/core/engine/interfaces.js';
import { makeContext, pidsMatching, request, tmpDir, uid, waitFor, type Ctx } from './helpers.js';

export interface SuiteOptions {
  builder: () => Promise<Builder>;
  repo: string;
  /** Extra leftover check after an aborted build (e.g. podman working containers). */
  afterAbort?: (lines: string[]) => Promise<void>;
  /** Test tag/remove/save too (set false where another suite already drives the same engine commands). */
  imageOps?: boolean;
  /** Also test a failing pull (podman retries an unreachable registry for ~3 s: docker only keeps the suite fast). */
  pullFailure?: boolean;
  /** Cleanup of engine state the build left besides the tagged refs (podman intermediate images). */
  cleanup?: (allLines: string[]) => Promise<void>;
}

export function builderSuite(o: SuiteOptions): void {
  const refs: string[] = [];
  const contexts: Ctx[] = [];
  const allLines: string[] = [];
  let out: { dir: string; cleanup: () => void };
  let b: Builder;

  const ctx = (tail: string, files: Record<string, string> = {}): Ctx => {
    const c = makeContext(tail, files);
    contexts.push(c);
    return c;
  };
  const req = (c: Ctx, over: Partial<BuildRequest> = {}): BuildRequest => {
    const r = request(c, o.repo, { onLine: (l) => allLines.push(l), ...over });
    refs.push(r.tag);
    return r;
  };

  beforeAll(async () => {
    out = tmpDir();
    b = await o.builder();
  });

  afterAll(async () => {
    await b?.removeImages(refs);
    await o.cleanup?.(allLines);
    for (const c of contexts) c.cleanup();
    out?.cleanup();
  });

  it('builds to a docker-archive tarball whose manifest names the ref, and finds the image by label', async () => {
    const c = ctx('COPY app.txt /app.txt\nRUN cat /app.txt > /copy.txt', { 'app.txt': 'one\n' });
    const tarball = path.join(out.dir, `first-${uid()}.tar`);
    const r = req(c, { tarball });
    const lines: string[] = [];
    const res = await b.build({ ...r, onLine: (l) => (lines.push(l), allLines.push(l)) });
    expect(res.ref).toBe(r.tag);
    expect(res.cached).toBe(false); // the marker makes every layer new
    expect(res.tarball).toBe(tarball);
    expect(existsSync(tarball)).toBe(true);
    expect(res.tarballBytes).toBe(statSync(tarball).size);
    expect(res.tarballBytes).toBeGreaterThan(500_000); // busybox is in there
    const manifest = await readDockerArchiveManifest(tarball);
    expect(manifest).toHaveLength(1);
    expect(manifest[0]!.RepoTags).toContain(r.tag);
    expect(configDigest(manifest[0]!)).toBe(res.imageId);
    expect(lines.length).toBeGreaterThan(3);
    expect(res.logTail.length).toBeGreaterThan(0);
    expect(res.logTail.length).toBeLessThanOrEqual(30);
    expect(await b.imageExists(r.tag)).toBe(true);
    const byLabel = await b.imagesByLabel('io.hybrid-e2e.inputs');
    expect(byLabel.get(r.labels!['io.hybrid-e2e.inputs']!)).toBe(r.tag);
    expect(byLabel.get(`absent-${uid()}`)).toBeUndefined();
  });

  it('reports cached: true for an identical rebuild (new tag and run label) and cached: false after a file change', async () => {
    const c = ctx('COPY app.txt /app.txt\nRUN cat /app.txt > /copy.txt\nENV MODE=test', { 'app.txt': 'one\n' });
    const first = await b.build(req(c));
    expect(first.cached).toBe(false);
    const second = await b.build(req(c));
    expect(second.cached).toBe(true);
    expect(second.steps!.total).toBeGreaterThanOrEqual(3);
    expect(second.steps!.cached).toBe(second.steps!.total);
    c.write('app.txt', 'two\n');
    const third = await b.build(req(c));
    expect(third.cached).toBe(false);
    expect(third.steps!.cached).toBeLessThan(third.steps!.total);
    expect(third.steps!.cached).toBeGreaterThanOrEqual(2); // the layers before the changed COPY still hit
  });

  it('a failing RUN throws BuildError carrying the failing step and its last lines', async () => {
    const m = uid();
    const c = ctx(`RUN echo out-${m}; echo err-${m} >&2; exit 7`);
    const tarball = path.join(out.dir, `fail-${m}.tar`);
    const err = await b.build(req(c, { tarball })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildError);
    const be = err as BuildError;
    expect(be.cancelled).toBe(false);
    expect(be.exitCode).not.toBe(0);
    expect(be.failedStep).toMatch(new RegExp(`RUN echo out-${m}`));
    expect(be.message).toContain(`RUN echo out-${m}`);
    const stepText = be.stepTail!.join('\n');
    expect(stepText).toContain(`out-${m}`);
    expect(stepText).toContain(`err-${m}`);
    expect(be.logTail.join('\n')).toContain(`out-${m}`);
    expect(be.details.stepTail).toEqual(be.stepTail);
    expect(existsSync(tarball)).toBe(false);
  });

  it('aborting the signal kills the build and leaves no process behind', async () => {
    const m = uid();
    const secs = 3000 + Math.floor(Math.random() * 6000);
    const c = ctx(`RUN echo started-${m}; sleep ${secs}; echo never`);
    const ac = new AbortController();
    const lines: string[] = [];
    const started = Date.now();
    const p = b.build(
      req(c, {
        signal: ac.signal,
        onLine: (l) => {
          lines.push(l);
          allLines.push(l);
          if (l.includes(`started-${m}`) && !l.includes('echo')) ac.abort();
        },
      }),
    );
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).cancelled).toBe(true);
    expect(ac.signal.aborted).toBe(true); // it was our abort, not a failure
    expect(Date.now() - started).toBeLessThan(30_000);
    const gone = await waitFor(() => pidsMatching(`sleep ${secs}`).length === 0, 10_000);
    expect(pidsMatching(`sleep ${secs}`)).toEqual([]);
    expect(gone).toBe(true);
    await o.afterAbort?.(lines);
  });

  it.runIf(o.imageOps !== false)('tags, removes idempotently, and refuses nothing for missing images', async () => {
    const c = ctx('ENV X=1');
    const r = req(c);
    await b.build(r);
    const alias = `${o.repo}:alias-${uid()}`;
    refs.push(alias);
    await b.tag(r.tag, alias);
    expect(await b.imageExists(alias)).toBe(true);
    await b.removeImages([alias, `${o.repo}:missing-${uid()}`]);
    expect(await b.imageExists(alias)).toBe(false);
    expect(await b.imageExists(r.tag)).toBe(true);
    await b.removeImages([alias]); // again: no error
    await b.removeImages([]);
  });

  it.runIf(o.imageOps !== false)('save writes a docker-archive of an existing image and fails clearly for a missing one', async () => {
    const c = ctx('ENV Y=2');
    const r = req(c);
    const res = await b.build(r);
    expect(res.tarball).toBeUndefined();
    const dest = path.join(out.dir, 'nested', `saved-${uid()}.tar`);
    const { bytes } = await b.save(r.tag, dest);
    expect(bytes).toBe(statSync(dest).size);
    const manifest = await readDockerArchiveManifest(dest);
    expect(manifest[0]!.RepoTags).toContain(r.tag);
    const missingDest = path.join(out.dir, `missing-${uid()}.tar`);
    await expect(b.save(`${o.repo}:missing-${uid()}`, missingDest)).rejects.toBeInstanceOf(BuildError);
    expect(existsSync(missingDest)).toBe(false);
  });

  it.runIf(o.pullFailure)('pull of an unreachable registry fails with the reason the engine gave', async () => {
    const err = await b.pull(`localhost:1/hybrid-e2e-test/absent:${uid()}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toMatch(/pull localhost:1\/hybrid-e2e-test\/absent:\w+ failed .*connection refused/);
  });
}
