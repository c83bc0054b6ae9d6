import { describe, expect, it } from 'vitest';
import { toAnnotations } from '../../src/render/annotations.js';
import {
  COMMENT_LIMIT,
  commentMarker,
  dedupeFindings,
  renderComment,
  renderLintComment,
  renderMatrixSummary,
} from '../../src/render/comment.js';
import { SUMMARY_LIMIT, compareToBaseline, fmtDuration, renderGantt, renderSummary, timedTasks } from '../../src/render/summary.js';
import { KUBERNAUT, T0, makeFindings, makeResults, manyTasks, nineLegs } from './fixtures.js';

const budgets = { setup: 6 * 60_000, build: 3 * 60_000 };
const marker = commentMarker('e2e', 'report');
const runUrl = 'https://github.com/acme/kubernaut/actions/runs/42';
const blobBase = 'https://github.com/acme/kubernaut/blob/0123456789abcdef0123456789abcdef01234567';
const snap = (name: string) => `./__snapshots__/${name}`;

function allServicesRun() {
  return makeResults({
    services: ['datastorage', ...KUBERNAUT.filter((s) => s !== 'datastorage')],
    prebuilt: ['postgresql', 'redis'],
    seed: 3,
    cachedEvery: 3,
  });
}

describe('job summary', () => {
  it('all green: phases within budget, a gantt with one bar per timed task', async () => {
    const r = allServicesRun();
    const md = renderSummary(r, {
      budgets,
      blobBase,
      tools: [
        { name: 'kind', version: 'v0.27.0', source: 'PATH' },
        { name: 'kubectl', version: 'v1.32.2', source: 'tool-cache' },
      ],
    });
    await expect(md).toMatchFileSnapshot(snap('summary-all-green.md'));
    expect(md).toMatch(/^## hybrid-e2e ✅ success/);
    const gantt = md.slice(md.indexOf('```mermaid'), md.indexOf('```', md.indexOf('```mermaid') + 3));
    expect(gantt.split('\n').filter((l) => /:\s*(crit, |done, )?t\d+, \d+, \d+$/.test(l))).toHaveLength(timedTasks(r).length);
    expect(md).toContain('| **setup** (total) |');
    expect(md).toContain('Tools: kind `v0.27.0` (PATH), kubectl `v1.32.2` (tool-cache).');
    expect(md).not.toContain('❌');
  });

  it('one leg failed: errors, the failed phase, skipped deploys and the diagnostics directory', async () => {
    const legs = nineLegs({ fail: 'gateway' });
    const r = legs.find((l) => l.name === 'gateway')!.results;
    const md = renderSummary(r, { budgets, blobBase });
    await expect(md).toMatchFileSnapshot(snap('summary-one-failed.md'));
    expect(md).toMatch(/^## hybrid-e2e ❌ failure/);
    expect(md).toContain('- deploy:gateway: deployment/gateway in e2e: pod gateway-7d9f8c-x2x4z is CrashLoopBackOff (exit code 2)');
    expect(md).toMatch(/\| deploy \| \+[^|]+\| [^|]+\| — \| ❌ failed \|/);
    expect(md).toContain(':crit, ');
    expect(md).toContain('/tmp/hybrid-e2e-run-abc12345/diagnostics');
  });

  it('25 compliance findings: every one in the table, linked to the blob at the head SHA', async () => {
    const r = allServicesRun();
    r.compliance = { files: 9, findings: makeFindings(25) };
    const md = renderSummary(r, { budgets, blobBase });
    await expect(md).toMatchFileSnapshot(snap('summary-25-findings.md'));
    const rows = md.split('\n').filter((l) => l.startsWith(`| [docker/`));
    expect(rows).toHaveLength(25);
    expect(md).toContain(`[docker/gateway.Dockerfile:3](${blobBase}/docker/gateway.Dockerfile#L3-L4)`);
    expect(md).toContain('### Dockerfile compliance: 15 error(s), 25 finding(s) in 9 file(s)');
    expect(md).toContain('yes: CVE-2025-1234 fix not in the base image yet');
    // Unwaived errors come first.
    expect(rows[0]).toContain('| error | ');
    expect(rows[0]).toContain('| no |');
    expect(rows.at(-1)).toContain('| yes: ');
  });

  it('25 findings as annotations: 10 shown, the rest summarised in one line', async () => {
    const set = toAnnotations(makeFindings(25));
    expect(set.annotations).toHaveLength(10);
    expect(set.annotations.every((a) => a.level === 'error')).toBe(true);
    expect(set.summary).toBe(
      '15 more Dockerfile findings (5 errors, 5 warnings, 5 waived) not shown as annotations (GitHub shows at most 10 per step): see the job summary, or run hybrid-e2e lint locally.',
    );
    await expect(JSON.stringify(set, null, 2) + '\n').toMatchFileSnapshot(snap('annotations-25-findings.json'));
  });

  it('3,000 tasks: the gantt falls back to the tables and the summary stays under 1 MiB', async () => {
    const r = manyTasks();
    expect(r.tasks).toHaveLength(3000);
    const md = renderSummary(r, { budgets });
    await expect(md).toMatchFileSnapshot(snap('summary-3000-tasks.md'));
    expect(md).not.toContain('```mermaid');
    expect(md).toContain('_Gantt chart omitted: 3000 tasks are more than 100; the phase and task tables have the timings._');
    expect(Buffer.byteLength(md)).toBeLessThan(SUMMARY_LIMIT);
    expect(md.split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(3000);
  });

  it('truncates rows (findings before tasks keep their place) to stay under maxBytes, with a note', () => {
    const r = manyTasks();
    r.compliance = { files: 9, findings: makeFindings(25) };
    const md = renderSummary(r, { budgets, maxBytes: 60_000 });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(60_000);
    expect(md).toMatch(/_\d+ more task\(s\) not shown \(summary size limit\); the results file has all of them._/);
    expect(md.split('\n').filter((l) => l.startsWith('| `docker/'))).toHaveLength(25);
    expect(md).toContain('</details>');
  });

  it('baseline: per-phase delta in seconds and percent, regressions over the threshold flagged', () => {
    const base = allServicesRun();
    const cur = allServicesRun();
    // Make the current deploy phase 60 s slower.
    for (const t of cur.tasks) if (t.phase === 'deploy' && t.endMs !== undefined) t.endMs += 60_000;
    cur.endMs += 60_000;
    cur.phases = cur.phases.map((p) => (p.name === 'deploy' ? { ...p, endMs: p.endMs! + 60_000 } : p));
    const deltas = compareToBaseline(cur, base, 0.2);
    const deploy = deltas.find((d) => d.phase === 'deploy')!;
    expect(deploy.deltaMs).toBe(60_000);
    expect(deploy.regression).toBe(deploy.ratio > 0.2);
    expect(deltas.find((d) => d.phase === 'build')).toMatchObject({ deltaMs: 0, regression: false });
    const md = renderSummary(cur, { budgets, baseline: { results: base, label: 'main@1a2b3c4' }, regressionThreshold: 0.2 });
    expect(md).toContain('| vs baseline |');
    expect(md).toMatch(/\| deploy \|[^\n]*\| \+1m 00s \(\+\d+%\) 🐢 \|/);
    expect(md).toContain('Baseline: main@1a2b3c4');
    expect(md).toMatch(/🐢 \*\*Slower than the baseline\*\* \(threshold 20%\): [^\n]*deploy \+1m 00s/);
    // A faster run shows a negative delta and no regression line.
    const faster = renderSummary(base, { budgets, baseline: { results: cur } });
    expect(faster).toMatch(/\| deploy \|[^\n]*\| -1m 00s \(-\d+%\) \|/);
    expect(faster).not.toContain('Slower than the baseline');
  });

  it('budget marks: ⚠️ from 90% of the budget, ❌ over it', () => {
    const r = makeResults({ services: ['a'], seed: 1 });
    const total = r.endMs - r.startMs;
    expect(renderSummary(r, { budgets: { setup: total * 2 } })).toMatch(/\| \*\*setup\*\* \(total\) [^\n]*\| ✅ \|/);
    expect(renderSummary(r, { budgets: { setup: Math.round(total / 0.95) } })).toMatch(/\| ⚠️ 95% of budget \|/);
    expect(renderSummary(r, { budgets: { setup: total - 5000 } })).toContain('| ❌ over by 5.0s |');
  });

  it('escapes markdown and HTML in error text and sanitises gantt labels', () => {
    const r = makeResults({ services: ['a'], seed: 1, fail: 'deploy:a' });
    r.errors = ['deploy:a: <script>alert(1)</script> | pipe `tick` *bold*\nsecond line'];
    r.tasks.find((t) => t.id === 'deploy:a')!.service = 'we:ird;na#me';
    const md = renderSummary(r, { budgets });
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt; \\| pipe \\`tick\\` \\*bold\\*');
    expect(md).not.toContain('second line');
    expect(renderGantt(r)).toContain('  we ird na me :crit, ');
  });

  it('formats durations', () => {
    expect([
      fmtDuration(0),
      fmtDuration(12_345),
      fmtDuration(65_000),
      fmtDuration(3_723_000),
      fmtDuration(-1500),
      fmtDuration(undefined),
    ]).toEqual(['0.0s', '12.3s', '1m 05s', '1h 02m 03s', '-1.5s', '—']);
  });
});

describe('PR comment', () => {
  it('all green: one row per leg, totals, the marker first', async () => {
    const text = renderComment(nineLegs(), { marker, budgets, runUrl, blobBase });
    await expect(text).toMatchFileSnapshot(snap('comment-all-green.md'));
    expect(text.startsWith(`${marker}\n`)).toBe(true);
    expect(text).toContain('### hybrid-e2e ✅ 9/9 legs passed');
    expect(text).toMatch(/\*\*Totals:\*\* 9 legs: 9 ✅ · slowest setup `\w+` \*\*/);
    for (const s of KUBERNAUT) expect(text).toMatch(new RegExp(`^\\| \`${s}\` \\| ✅ success \\|`, 'm'));
    expect(text.match(/<details><summary>✅ /g)).toHaveLength(9);
  });

  it('one leg failed: its row, its errors and its log tail, and its section open', async () => {
    const text = renderComment(nineLegs({ fail: 'gateway' }), { marker, budgets, runUrl, blobBase });
    await expect(text).toMatchFileSnapshot(snap('comment-one-failed.md'));
    expect(text).toContain('### hybrid-e2e ❌ 8/9 legs passed');
    expect(text).toMatch(/^\| `gateway` \| ❌ failure \|/m);
    expect(text).toContain(
      '- `gateway`: deploy:gateway: deployment/gateway in e2e: pod gateway-7d9f8c-x2x4z is CrashLoopBackOff (exit code 2)',
    );
    expect(text).toContain('<details open><summary>❌ gateway: failure');
    expect(text).toContain('panic: dial tcp 10.96.0.12:8080: connect: connection refused');
  });

  it('a leg without results is reported, not dropped', () => {
    const legs = [...nineLegs().slice(0, 2), { name: 'notification' }];
    const text = renderComment(legs, { marker, budgets });
    expect(text).toContain('### hybrid-e2e ❌ 2/3 legs passed');
    expect(text).toMatch(/^\| `notification` \| ⚠️ no results \|/m);
    expect(text).toContain('- `notification`: no results — the leg did not upload any; see its log');
  });

  it("25 findings spread over nine legs are deduplicated (datastorage's appear in every leg)", async () => {
    const legs = nineLegs({ findings: 25 });
    const perLeg = legs.reduce((a, l) => a + (l.results.compliance?.findings.length ?? 0), 0);
    expect(perLeg).toBeGreaterThan(25);
    expect(dedupeFindings(legs.map((l) => l.results.compliance!.findings))).toHaveLength(25);
    const text = renderComment(legs, { marker, budgets, runUrl, blobBase });
    await expect(text).toMatchFileSnapshot(snap('comment-25-findings.md'));
    expect(text).toContain('Dockerfile compliance: 15 error(s), 25 finding(s) (deduplicated across legs)');
    expect(text.split('\n').filter((l) => l.startsWith('| [docker/'))).toHaveLength(25);
  });

  it('3,000 tasks: truncated under 65,536 characters with a link to the run summary', async () => {
    const r = manyTasks();
    const text = renderComment([{ name: 'everything', results: r }], { marker, budgets, runUrl });
    await expect(text).toMatchFileSnapshot(snap('comment-3000-tasks.md'));
    expect(text.length).toBeLessThan(COMMENT_LIMIT);
    expect(text.startsWith(marker)).toBe(true);
    expect(text).toMatch(/_\d+ more task\(s\) not shown\._/);
    expect(text).toContain(`[The run's summary](${runUrl}) has everything.`);
    expect(text.trimEnd().endsWith('_')).toBe(true);
    // The details block is closed: the markdown after the truncation still renders.
    expect(text.match(/<details/g)!.length).toBe(text.match(/<\/details>/g)!.length);
  });

  it('baseline regressions appear in the comment', () => {
    const legs = nineLegs();
    const slow = structuredClone(legs[0]!.results);
    slow.endMs += 120_000;
    const text = renderComment([{ name: 'gateway', results: slow, baseline: { results: legs[0]!.results } }], { marker, budgets });
    expect(text).toContain('| setup vs baseline |');
    expect(text).toMatch(/🐢 \*\*Slower than the baseline\*\* \(threshold 20%\): `gateway` setup \+2m 00s \(\+\d+%\)/);
  });

  it('the marker cannot be broken out of by workflow names', () => {
    expect(commentMarker('my --> wf', 'a\nb')).toBe('<!-- hybrid-e2e:my - wf:a-b -->');
    expect(commentMarker('e2e', 'report')).toBe('<!-- hybrid-e2e:e2e:report -->');
  });

  it('is a pure function: same input, same text; the input is not modified', () => {
    const legs = nineLegs({ fail: 'aianalysis', findings: 25 });
    const copy = structuredClone(legs);
    const a = renderComment(legs, { marker, budgets, runUrl, blobBase });
    expect(renderComment(legs, { marker, budgets, runUrl, blobBase })).toBe(a);
    expect(legs).toEqual(copy);
    expect(T0).toBe(Date.UTC(2025, 0, 15, 12, 0, 0));
  });
});

describe('matrix summary and lint comment', () => {
  it("the report job's summary: every leg, its gantt, under 1 MiB even with a 3,000-task leg", () => {
    const legs = [...nineLegs({ fail: 'gateway', findings: 25 }), { name: 'everything', results: manyTasks() }];
    const md = renderMatrixSummary(legs, { budgets, runUrl, blobBase });
    expect(Buffer.byteLength(md)).toBeLessThan(SUMMARY_LIMIT);
    expect(md.match(/```mermaid/g)).toHaveLength(9);
    expect(md).toContain('_everything: gantt chart omitted (3000 tasks are more than 100)._');
    expect(md).toContain('### hybrid-e2e ❌ 9/10 legs passed');
    expect(md).not.toContain('<!--');
    const small = renderMatrixSummary(legs, { budgets, maxBytes: 100_000 });
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(100_000);
    expect(small).toContain('more task(s) not shown');
  });

  it('lint comment: marker, counts, and findings that fit', () => {
    const report = { files: 9, findings: makeFindings(25) };
    const text = renderLintComment(report, { marker: commentMarker('ci', 'lint/lint'), blobBase });
    expect(text.startsWith('<!-- hybrid-e2e:ci:lint/lint -->')).toBe(true);
    expect(text).toContain('### hybrid-e2e lint ❌ 15 error(s), 25 finding(s) in 9 Dockerfile(s)');
    expect(text.split('\n').filter((l) => l.startsWith('| [docker/'))).toHaveLength(25);
    const tiny = renderLintComment({ files: 9, findings: makeFindings(2000) }, { marker: 'm', maxChars: 20_000 });
    expect(tiny.length).toBeLessThanOrEqual(20_000);
    expect(tiny).toMatch(/more finding\(s\) not shown/);
  });
});
