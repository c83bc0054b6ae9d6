import { describe, expect, it } from 'vitest';
import { ttyReporter } from '../../src/commands/progress.js';
import { phaseRecap } from '../../src/render/recap.js';

describe('progress output', () => {
  it('the TTY reporter keeps a status line of running tasks and clears it around permanent lines', async () => {
    let out = '';
    const r = ttyReporter((s) => (out += s), Date.now());
    r.task('build:a', 'start');
    r.task('build:b', 'start');
    await new Promise((res) => setTimeout(res, 600));
    expect(out).toMatch(/⏳ build:a \d+s · build:b \d+s/);
    r.task('build:a', 'end', { outcome: 'success', ms: 600 });
    r.stop();
    const lastStatus = out.lastIndexOf('⏳');
    expect(out.slice(lastStatus)).toMatch(/^⏳ build:b \d+s/);
    expect(out).toMatch(/✔ build:a success in 0\.6s/);
    expect(out.endsWith('\r\x1b[K')).toBe(true);
  });

  it('recaps tasks per phase with duration, offset, cache and attempts', () => {
    const groups = phaseRecap({
      startMs: 1000,
      tasks: [
        { id: 'build:a', phase: 'build', outcome: 'success', startMs: 1000, endMs: 3500, cached: true, attempts: 1 },
        { id: 'cluster', phase: 'cluster', outcome: 'success', startMs: 3500, endMs: 9000, attempts: 2 },
        { id: 'load:a', phase: 'load', outcome: 'skipped', attempts: 0 },
      ],
    });
    expect(groups.map((g) => g.phase)).toEqual(['build', 'cluster', 'load']);
    expect(groups[0]!.lines[0]).toMatch(/^build:a\s+success\s+2\.5s\s+\+0\.0s cached$/);
    expect(groups[1]!.lines[0]).toMatch(/^cluster\s+success\s+5\.5s\s+\+2\.5s attempts=2$/);
    expect(groups[2]!.lines[0]).toMatch(/^load:a\s+skipped\s+—$/);
  });
});
