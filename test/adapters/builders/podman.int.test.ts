import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectBuilder } from '../../../src/adapters/builders/detect.js';
import { BuildError } from '../../../src/core/errors.js';
import type { ImageBuilder as Builder, BuildRequest } from '../../../src/core/engine/interfaces.js';
import { builderSuite } from './suite.js';
import { makeContext, PODMAN, request, tmpDir, type Ctx } from './helpers.js';

const env = { ...process.env };

/** IDs of intermediate images this build committed (podman prints `--> <id>` per step, `--> Using cache <id>` on hits). */
function committedIds(lines: string[]): string[] {
  return lines.map((l) => /^--> ([0-9a-f]{11,64})$/.exec(l.trim())?.[1]).filter((x): x is string => x !== undefined);
}

describe('podman build', () => {
  builderSuite({
    repo: 'localhost/hybrid-e2e-test/podman',
    builder: async () => {
      const d = await detectBuilder('podman', { env: { ...env, HYBRID_E2E_PODMAN: PODMAN }, cacheBackend: 'none' });
      expect(d.builder.caps.kind).toBe('podman');
      return d.builder;
    },
    afterAbort: async (lines) => {
      // The RUN step's working container is named after the image committed by the step before it.
      const ids = committedIds(lines);
      const last = ids[ids.length - 1];
      expect(last).toBeDefined();
      const names = execFileSync(PODMAN, ['ps', '--all', '--external', '--format', '{{.Names}}'], { encoding: 'utf8' });
      expect(names.split('\n').filter((n) => n.startsWith(last!.slice(0, 11)))).toEqual([]);
    },
    cleanup: async (lines) => {
      // Our layers are unique (marker file), so their intermediate images are ours; shared ones refuse removal.
      for (const id of committedIds(lines).reverse()) {
        try {
          execFileSync(PODMAN, ['rmi', '--ignore', id], { stdio: 'ignore' });
        } catch {
          /* still used by another image: not ours to force */
        }
      }
    },
  });
});

describe('podman robustness', () => {
  const refs: string[] = [];
  const lines: string[] = [];
  const contexts: Ctx[] = [];
  let dir: { dir: string; cleanup: () => void } | undefined;
  let real: Builder | undefined;

  const ctx = (tail: string): Ctx => {
    const c = makeContext(tail);
    contexts.push(c);
    return c;
  };
  const req = (c: Ctx, onLine?: (l: string) => void): BuildRequest => {
    const r = request(c, 'localhost/hybrid-e2e-test/podman', {
      onLine: (l) => {
        lines.push(l);
        onLine?.(l);
      },
    });
    refs.push(r.tag);
    return r;
  };

  afterAll(async () => {
    await real?.removeImages(refs);
    for (const id of committedIds(lines).reverse()) {
      try {
        execFileSync(PODMAN, ['rmi', '--ignore', id], { stdio: 'ignore' });
      } catch {
        /* shared */
      }
    }
    for (const c of contexts) c.cleanup();
    dir?.cleanup();
  });

  it('retries once when podman itself crashes, but not when a RUN step fails', async () => {
    real = (await detectBuilder('podman', { env: { ...env, HYBRID_E2E_PODMAN: PODMAN }, cacheBackend: 'none' })).builder;
    // A podman that crashes like a Go panic on its first build, then behaves.
    dir = tmpDir('hybrid-e2e-bt-podwrap-');
    const mark = path.join(dir.dir, 'crashed-once');
    const wrapper = path.join(dir.dir, 'podman');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `if [ "$1" = build ] && [ ! -e '${mark}' ]; then`,
        `  : > '${mark}'`,
        "  echo 'panic: runtime error: invalid memory address or nil pointer dereference' >&2",
        "  echo '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]' >&2",
        '  exit 2',
        'fi',
        `exec ${PODMAN} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    const b = (await detectBuilder('podman', { env: { ...env, HYBRID_E2E_PODMAN: wrapper }, cacheBackend: 'none' })).builder;
    const seen: string[] = [];
    const res = await b.build(req(ctx('ENV A=1'), (l) => seen.push(l)));
    expect(existsSync(mark)).toBe(true);
    expect(res.attempts).toBe(2);
    expect(seen.some((l) => /crashed during the build .*retrying once/.test(l))).toBe(true);
    expect(await b.imageExists(res.ref)).toBe(true);

    const err = await b.build(req(ctx('RUN exit 4'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).attempts).toBe(1);
  });

  it('serialises concurrent builds (maxParallelBuilds 1); a build waiting for its slot is cancelled at once', async () => {
    const builder = (real ??= (await detectBuilder('podman', { env: { ...env, HYBRID_E2E_PODMAN: PODMAN }, cacheBackend: 'none' }))
      .builder);
    expect(builder.caps.maxParallelBuilds).toBe(1);
    const spans: { first: number; last: number; done: number }[] = [];
    const run = async (): Promise<void> => {
      const span = { first: 0, last: 0, done: 0 };
      spans.push(span);
      await builder.build(
        req(ctx('RUN echo begin; sleep 0.5; echo end'), () => {
          const now = performance.now();
          if (!span.first) span.first = now;
          span.last = now;
        }),
      );
      span.done = performance.now();
    };
    const both = Promise.all([run(), run()]);
    // A third build queued behind them is cancelled while it waits, without running.
    const ac = new AbortController();
    const third: string[] = [];
    const waiting = builder.build({ ...req(ctx('ENV B=1'), (l) => third.push(l)), signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 300);
    const err = await waiting;
    const cancelledAt = performance.now();
    await both;
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).cancelled).toBe(true);
    expect(third).toEqual([]);
    const [a, b] = spans as [(typeof spans)[0], (typeof spans)[0]];
    expect(cancelledAt).toBeLessThan(Math.min(a.done, b.done));
    expect(a.first).toBeGreaterThan(0);
    expect(b.first).toBeGreaterThan(0);
    const overlap = Math.min(a.last, b.last) - Math.max(a.first, b.first);
    expect(overlap).toBeLessThan(0);
  });
});
