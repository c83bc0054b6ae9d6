// The summary's mermaid gantt rendered by mermaid itself in headless Chromium (as GitHub renders it): it must parse,
// produce an SVG, and draw exactly one bar per timed task, each where and as long as the task ran.
// Needs Debian's chromium (.ci/run installs it) and the mermaid browser bundle (devDependency).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderGantt, renderSummary, timedTasks } from '../../src/render/summary.js';
import type { Results } from '../../src/core/engine/results.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { KUBERNAUT, makeResults } from './fixtures.js';

// DOM globals used inside page.evaluate (this file compiles with Node's types only).
interface DomEl {
  id: string;
  innerHTML: string;
  getAttribute(name: string): string | null;
  querySelector(sel: string): DomEl | null;
  querySelectorAll(sel: string): Iterable<DomEl>;
}
interface Mermaid {
  initialize(o: object): void;
  parse(t: string): Promise<unknown>;
  render(id: string, t: string): Promise<{ svg: string }>;
}
declare const window: { mermaid: Mermaid };
declare const document: { getElementById(id: string): DomEl | null };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MERMAID = path.join(REPO_ROOT, 'node_modules/mermaid/dist/mermaid.min.js');

let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  // Nothing leaves the page: mermaid comes from node_modules, the page from setContent.
  await page.route('**/*', (route) => route.abort());
  await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
  await page.addScriptTag({ path: MERMAID });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

interface Rendered {
  error?: string;
  svg: boolean;
  bars: { id: string; cls: string; x: number; width: number }[];
}

/** Renders the gantt block of a summary with mermaid in the page. */
async function render(markdown: string, id: string): Promise<Rendered> {
  const m = markdown.match(/```mermaid\n([\s\S]*?)\n```/);
  if (!m) throw new Error('no mermaid block');
  return page.evaluate(
    async ({ text, id }) => {
      const mermaid = window.mermaid;
      try {
        await mermaid.parse(text);
        const { svg } = await mermaid.render(id, text);
        const out = document.getElementById('out')!;
        out.innerHTML = svg;
        const bars = [...out.querySelectorAll('svg rect.task')].map((r) => ({
          id: r.id,
          cls: r.getAttribute('class') ?? '',
          x: Number(r.getAttribute('x')),
          width: Number(r.getAttribute('width')),
        }));
        return { svg: out.querySelector('svg') !== null, bars };
      } catch (e) {
        return { error: String((e as Error)?.message ?? e), svg: false, bars: [] };
      }
    },
    { text: m[1]!, id },
  );
}

function checkBars(r: Results, out: Rendered, id: string) {
  expect(out.error).toBeUndefined();
  expect(out.svg).toBe(true);
  const tasks = timedTasks(r);
  expect(out.bars).toHaveLength(tasks.length);
  // Bars are t0..tN in the gantt's order (by phase, then start): map them back and check geometry.
  const order = ['build', 'cluster', 'load', 'deploy'].flatMap((p) =>
    tasks.filter((t) => t.phase === p).sort((a, b) => a.startMs! - b.startMs! || a.id.localeCompare(b.id)),
  );
  expect(out.bars.map((b) => b.id)).toEqual(order.map((_, i) => `${id}-t${i}`));
  const pxPerMs = (out.bars.at(-1)!.x + out.bars.at(-1)!.width - out.bars[0]!.x) / (order.at(-1)!.endMs! - order[0]!.startMs!);
  order.forEach((t, i) => {
    const b = out.bars[i]!;
    // mermaid rounds to whole pixels; allow 2 px.
    expect(Math.abs(b.width - (t.endMs! - t.startMs!) * pxPerMs), `${t.id} width`).toBeLessThanOrEqual(2);
    expect(Math.abs(b.x - out.bars[0]!.x - (t.startMs! - order[0]!.startMs!) * pxPerMs), `${t.id} start`).toBeLessThanOrEqual(2);
    if (t.outcome === 'failure') expect(b.cls).toContain('crit');
    else if (t.cached) expect(b.cls).toContain('done');
  });
}

describe('the summary gantt in mermaid (headless Chromium)', () => {
  it('all green, eleven services: one bar per task, placed and sized by the timings', async () => {
    const r = makeResults({
      services: ['datastorage', ...KUBERNAUT.filter((s) => s !== 'datastorage')],
      prebuilt: ['postgresql', 'redis'],
      seed: 3,
      cachedEvery: 3,
    });
    checkBars(r, await render(renderSummary(r, { budgets: {} }), 'green'), 'green');
  });

  it('a failed leg: the failed task is critical, skipped tasks have no bar', async () => {
    const r = makeResults({
      services: ['datastorage', 'gateway', 'notification'],
      prebuilt: ['postgresql', 'redis'],
      seed: 5,
      fail: 'deploy:datastorage',
    });
    expect(r.tasks.some((t) => t.outcome === 'skipped')).toBe(true);
    checkBars(r, await render(renderGantt(r), 'failed'), 'failed');
  });

  it('hostile task names and the largest gantt the summary draws (100 tasks) still parse', async () => {
    const services = Array.from({ length: 33 }, (_, i) => (i === 0 ? 'we:ird;na#me "x" <b>' : `svc-${i}`));
    const r = makeResults({ services, seed: 9, scale: 0.1 });
    expect(timedTasks(r)).toHaveLength(100);
    const md = renderSummary(r, { budgets: {} });
    expect(md).toContain('```mermaid');
    checkBars(r, await render(md, 'big'), 'big');
  });

  it('a broken chart is reported as a parse error (the check can fail)', async () => {
    // A task line without a name: what an empty label would produce (ganttLabel never emits one).
    const out = await render('```mermaid\ngantt\n  dateFormat x\n  section build\n  a :t0, 10, 20\n  :t1, 10, 20\n```', 'broken');
    expect(out.error).toMatch(/Parse error on line 5/);
    expect(out.error).toBeDefined();
    expect(out.bars).toHaveLength(0);
  });
});
