import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFakeEnv } from '../helpers/fakes.js';
import { runnableExample } from '../helpers/example.js';
import { FAST, leakCheck, readResults, startUp, waitForOutput } from './helpers.js';

// SIGTERM/SIGINT in each phase: children stopped within 10 s, the run's cluster and temp files removed by the same
// process, results written with outcome "cancelled", exit code 130.
const CASES = [
  { phase: 'build', signal: 'SIGTERM', at: /▶ build:redis/, knobs: {} },
  { phase: 'build', signal: 'SIGINT', at: /▶ build:redis/, knobs: {} },
  { phase: 'cluster', signal: 'SIGTERM', at: /▶ cluster/, knobs: { createMs: 60_000 } },
  { phase: 'load', signal: 'SIGINT', at: /▶ load:redis/, knobs: { loadMs: 60_000 } },
  { phase: 'deploy', signal: 'SIGTERM', at: /▶ deploy:redis/, knobs: { rolloutMs: 60_000 } },
  { phase: 'deploy', signal: 'SIGINT', at: /▶ deploy:redis/, knobs: { rolloutMs: 60_000 } },
] as const;

describe('cancellation', () => {
  let ex: Awaited<ReturnType<typeof runnableExample>>;
  beforeAll(() => {
    ex = runnableExample();
  });
  afterAll(async () => {
    await ex.cleanup();
  });

  for (const c of CASES) {
    it(`${c.signal} during ${c.phase}`, async () => {
      const df = path.join(ex.dir, 'docker/redis.Dockerfile');
      const original = readFileSync(df, 'utf8');
      // A build that takes long enough to be interrupted (and different inputs each case: no reuse).
      if (c.phase === 'build')
        writeFileSync(df, original.replace('ENTRYPOINT', `RUN ["/bin/busybox", "sleep", "30"]\nLABEL case="${c.signal}"\nENTRYPOINT`));
      const fake = createFakeEnv({ ...FAST, ...c.knobs });
      try {
        const { proc, resultsFile } = startUp(ex.config, fake, ['-s', 'redis']);
        await waitForOutput(proc, c.at);
        await new Promise((r) => setTimeout(r, 300));
        const t0 = Date.now();
        proc.kill(c.signal);
        const res = await proc;
        expect(Date.now() - t0, 'exited within 10 s').toBeLessThan(10_000);
        expect(res.exitCode, String(res.all)).toBe(130);
        const r = readResults(resultsFile);
        expect(r.outcome).toBe('cancelled');
        expect(r.tasks.find((t) => t.phase === c.phase)!.outcome).toBe('cancelled');
        await leakCheck(fake, r);
      } finally {
        writeFileSync(df, original);
        fake.cleanup();
      }
    });
  }
});
