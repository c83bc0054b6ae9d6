import { mkdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan, type BuildTask, type PullTask } from '../../../../src/core/plan/graph.js';
import { INPUTS_LABEL, runBuild, runPull } from '../../../../src/core/engine/tasks/build.js';
import { engineContext, testRepo, type TestRepo } from '../../../helpers/engine.js';
import { memoryTools } from '../../../helpers/memory-tools.js';

let repo: TestRepo;
afterEach(() => repo?.cleanup());
const signal = new AbortController().signal;
const task = <T>(id: string) => buildPlan(repo.config).tasks.find((t) => t.id === id) as T;

describe('build task', () => {
  it('builds with the run-unique tag, the cache tag and the inputs label in one call: no tag, no inspect, no save', async () => {
    repo = testRepo();
    const ctx = engineContext(repo);
    const img = await runBuild(task<BuildTask>('build:gateway'), ctx, signal);
    expect(img.service).toBe('gateway');
    expect(img.repository).toBe('localhost/k/gateway');
    expect(img.ref).toMatch(/^localhost\/k\/gateway:e2e-r1-[0-9a-f]{8}$/);
    // The image reaches the cluster with its load wave: no tarball of its own.
    expect(img.tarball).toBeUndefined();
    expect(ctx.tools.log.of('builder').map((c) => c.op)).toEqual(['imagesByLabel', 'build']);
    const labels = ctx.tools.builder.images.get(img.ref)!;
    expect(labels['io.hybrid-e2e.run']).toBe('r1');
    const hash = labels[INPUTS_LABEL]!;
    expect(ctx.tools.builder.images.has(`localhost/k/gateway:cache-${hash.slice(0, 12)}`)).toBe(true);
    expect(ctx.state.state.images).toEqual([img.ref]);
    expect(ctx.journal.get('build:gateway')).toMatchObject({ image: img.ref, cached: false, attempts: 1 });
  });

  it('reuses the image built from the same inputs (one label lookup for the run): one tag, no build', async () => {
    repo = testRepo();
    const first = engineContext(repo);
    const built = await runBuild(task<BuildTask>('build:gateway'), first, signal);
    const hash = first.tools.builder.images.get(built.ref)![INPUTS_LABEL]!;
    const tools = memoryTools({ builder: { images: { 'localhost/k/gateway:cache-x': { [INPUTS_LABEL]: hash } } } });
    const ctx = engineContext(repo, tools, { runId: 'r2' });
    const img = await runBuild(task<BuildTask>('build:gateway'), ctx, signal);
    await runBuild(task<BuildTask>('build:datastorage'), ctx, signal);
    expect(tools.log.of('builder', 'imagesByLabel')).toHaveLength(1);
    expect(tools.log.of('builder', 'build').map((c) => c.args[0])).toEqual(['datastorage']);
    expect(tools.log.of('builder', 'tag')[0]!.args).toEqual(['localhost/k/gateway:cache-x', img.ref]);
    expect(ctx.journal.get('build:gateway')).toMatchObject({
      cached: true,
      note: expect.stringMatching(/reused the image built from the same inputs/),
    });
  });

  it('a docker-container builder (tarball output) still reuses an image a build-once job handed over, and builds straight to a tarball otherwise', async () => {
    repo = testRepo();
    const first = engineContext(repo);
    const built = await runBuild(task<BuildTask>('build:gateway'), first, signal);
    const hash = first.tools.builder.images.get(built.ref)![INPUTS_LABEL]!;
    const caps = { tarballOnly: true, outputTarball: true };
    const loaded = engineContext(
      repo,
      memoryTools({ builder: { caps, images: { 'localhost/k/gateway:e2e-x': { [INPUTS_LABEL]: hash } } } }),
    );
    await runBuild(task<BuildTask>('build:gateway'), loaded, signal);
    expect(loaded.tools.log.of('builder').map((c) => c.op)).toEqual(['imagesByLabel', 'tag']);
    const fresh = engineContext(repo, memoryTools({ builder: { caps } }));
    const img = await runBuild(task<BuildTask>('build:gateway'), fresh, signal);
    expect(readFileSync(img.tarball!, 'utf8')).toBe(`archive of ${img.ref}\n`);
    // No content-addressed tag: such an image lives only in its tarball.
    expect([...fresh.tools.builder.images.keys()]).toEqual([img.ref]);
  });

  it('build-once keeps one tarball per image', async () => {
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools(), { keepTarballs: true });
    const img = await runBuild(task<BuildTask>('build:gateway'), ctx, signal);
    expect(readFileSync(img.tarball!, 'utf8')).toBe(`archive of ${img.ref}\n`);
  });

  it('retries a killed build up to builds.retries, then names the kill and the setting', async () => {
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools({ builder: { fail: { gateway: { signal: 'SIGKILL', times: 1 } } } }), { buildRetries: 1 });
    await runBuild(task<BuildTask>('build:gateway'), ctx, signal);
    expect(ctx.journal.get('build:gateway').attempts).toBe(2);
    expect(ctx.reporter.warnings.join('\n')).toMatch(/killed by SIGKILL .*retrying \(builds.retries: 1\)/);

    const noRetry = engineContext(repo, memoryTools({ builder: { fail: { gateway: { signal: 'SIGKILL' } } } }));
    await expect(runBuild(task<BuildTask>('build:gateway'), noRetry, signal)).rejects.toThrow(
      'the build process was killed by SIGKILL: the engine crashed or ran out of memory; set builds.retries to retry such builds',
    );
  });

  it('does not retry a failing RUN step, and the failure keeps the step output', async () => {
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools({ builder: { fail: { gateway: {} } } }), { buildRetries: 3 });
    const err = await runBuild(task<BuildTask>('build:gateway'), ctx, signal).catch((e: unknown) => e);
    expect(String(err)).toMatch(/RUN false/);
    expect(ctx.tools.log.of('builder', 'build')).toHaveLength(1);
    // The tag was recorded before the build: down removes it whatever happened.
    expect(ctx.state.state.images).toHaveLength(1);
    ctx.journal.fail('build:gateway', err);
    expect(ctx.journal.get('build:gateway').logTail).toEqual(['step output']);
  });

  it('turns ENOSPC while saving into a message with the directory, the free space and the fix', async () => {
    repo = testRepo();
    const ctx = engineContext(repo, memoryTools({ builder: { saveError: 'write /tmp/x: no space left on device' } }), {
      keepTarballs: true,
    });
    mkdirSync(ctx.tarballDir, { recursive: true });
    await expect(runBuild(task<BuildTask>('build:gateway'), ctx, signal)).rejects.toThrow(
      new RegExp(
        `not enough disk space in ${ctx.tarballDir.replace(/[/.]/g, '\\$&')} for the image tarball of gateway \\(\\d+ MiB free.*HYBRID_E2E_TMPDIR`,
      ),
    );
  });

  it("a prebuilt image is used when present, and pulled for the nodes' platform when not", async () => {
    repo = testRepo();
    const present = engineContext(repo, memoryTools({ builder: { images: { 'postgres:16-alpine': {} } } }));
    const a = await runPull(task<PullTask>('build:postgresql'), present, signal);
    expect(a).toEqual({ service: 'postgresql', repository: 'postgres:16-alpine', ref: 'postgres:16-alpine', prebuilt: true });
    expect(present.tools.log.of('builder', 'pull')).toHaveLength(0);
    expect(present.journal.get('build:postgresql')).toMatchObject({ cached: true, note: 'local image' });

    const missing = engineContext(repo);
    await runPull(task<PullTask>('build:postgresql'), missing, signal);
    expect(missing.tools.log.of('builder').map((c) => [c.op, ...c.args])).toEqual([
      ['imageExists', 'postgres:16-alpine'],
      ['pull', 'postgres:16-alpine', 'linux/amd64'],
    ]);
    expect(missing.journal.get('build:postgresql')).toMatchObject({ cached: false, note: 'pulled' });
  });
});
