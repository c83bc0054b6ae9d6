import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isResults, loadLegs } from '../../src/commands/report.js';
import { runReportCommand } from '../../src/cli/report-args.js';
import { nineLegs } from '../render/fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Downloaded-artifact layout: <root>/hybrid-e2e-results-<leg>/results.json, plus unrelated JSON. */
function artifactTree(legs: ReturnType<typeof nineLegs>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-report-'));
  dirs.push(root);
  for (const l of legs) {
    mkdirSync(path.join(root, `hybrid-e2e-results-${l.name}`));
    writeFileSync(path.join(root, `hybrid-e2e-results-${l.name}`, 'results.json'), JSON.stringify(l.results));
  }
  writeFileSync(path.join(root, 'package.json'), '{"name":"not-results"}');
  return root;
}

async function run(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runReportCommand(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {} });
  return { code, stdout, stderr };
}

describe('hybrid-e2e report (offline aggregation)', () => {
  it('aggregates nine downloaded legs into one comment, written with --markdown', async () => {
    const root = artifactTree(nineLegs({ fail: 'notification', findings: 25 }));
    const r = await run(['--results', root, '--markdown', 'out/comment.md', '--summary', 'out/summary.md'], root);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const md = readFileSync(path.join(root, 'out/comment.md'), 'utf8');
    expect(md.startsWith('<!-- hybrid-e2e:hybrid-e2e:report -->\n')).toBe(true);
    expect(md).toContain('### hybrid-e2e ❌ 8/9 legs passed');
    expect(md.split('\n').filter((l) => /^\| `\w+` \| (✅|❌) /.test(l) && !l.startsWith('| `cluster`'))).toHaveLength(9);
    expect(md).toContain('25 finding(s) (deduplicated across legs)');
    const summary = readFileSync(path.join(root, 'out/summary.md'), 'utf8');
    expect(summary).toContain('### Timelines');
    expect(summary.match(/```mermaid/g)).toHaveLength(9);
    expect(r.stderr).toContain('✘ notification: failure in');
    expect(r.stderr).toContain('8/9 legs passed; 15 Dockerfile error(s) in 25 finding(s); comment written to out/comment.md');
  });

  it('prints the comment to stdout and exits 0 when every leg passed; NAME=FILE names a leg', async () => {
    const root = artifactTree([]);
    const [a, b] = nineLegs();
    writeFileSync(path.join(root, 'one.json'), JSON.stringify(a!.results));
    writeFileSync(path.join(root, 'two.json'), JSON.stringify(b!.results));
    const r = await run(['gw=one.json', '--results', 'two.json'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\| `gw` \| ✅ success/m);
    expect(r.stdout).toMatch(/^\| `two` \| ✅ success/m);
  });

  it('reports expected legs that have no results (--service)', async () => {
    const root = artifactTree(nineLegs().slice(0, 2));
    const r = await run(['-r', root, '--service', 'gateway,datastorage,aianalysis'], root);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\| `aianalysis` \| ⚠️ no results \|/m);
    expect(r.stderr).toContain('✘ aianalysis: no results');
  });

  it('takes budgets from --config', async () => {
    const root = artifactTree(nineLegs().slice(0, 1));
    writeFileSync(
      path.join(root, 'hybrid-e2e.yaml'),
      'version: 1\nreport:\n  budgets: { setup: 1m, build: 10s }\nservices:\n  a:\n    image: busybox:1\n',
    );
    const r = await run(['-r', root, '-c', 'hybrid-e2e.yaml'], root);
    expect(r.stdout).toContain('(budget 1m 00s ❌)');
  });

  it('usage errors exit 2 with a message', async () => {
    const root = artifactTree([]);
    expect((await run([], root)).code).toBe(2);
    const none = await run(['-r', root], root);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no results files found in');
    const bad = await run(['-r', 'package.json'], root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('package.json: not a hybrid-e2e results file (version 1).');
    expect((await run(['-r', 'missing'], root)).stderr).toContain('results path missing does not exist.');
    expect((await run(['--bogus'], root)).code).toBe(2);
    expect((await run(['--help'], root)).stdout).toContain('Usage: hybrid-e2e report');
  });

  it('rejects results with fields of the wrong type (artifacts from a fork are untrusted)', async () => {
    const root = artifactTree([]);
    const [a] = nineLegs({ findings: 25 });
    const ok = structuredClone(a!.results);
    expect(isResults(ok)).toBe(true);
    const bad = [
      (r: Record<string, unknown>) => ((r['tasks'] as Record<string, unknown>[])[0]!['id'] = 5),
      (r: Record<string, unknown>) => ((r['tasks'] as Record<string, unknown>[])[0]!['phase'] = 'evil'),
      (r: Record<string, unknown>) => (r['errors'] = [{ html: '<img>' }]),
      (r: Record<string, unknown>) => ((r['compliance'] as { findings: Record<string, unknown>[] }).findings[0]!['line'] = '3'),
      (r: Record<string, unknown>) => (r['endMs'] = 'soon'),
      (r: Record<string, unknown>) => (r['cluster'] = null),
    ];
    for (const mutate of bad) {
      const r = structuredClone(ok) as unknown as Record<string, unknown>;
      mutate(r);
      expect(isResults(r)).toBe(false);
    }
    writeFileSync(
      path.join(root, 'evil.json'),
      JSON.stringify({ ...ok, tasks: [{ id: {}, phase: 'build', outcome: 'success', attempts: 1 }] }),
    );
    expect((await run(['-r', 'evil.json'], root)).stderr).toContain('evil.json: not a hybrid-e2e results file (version 1).');
  });

  it('duplicate leg names stay apart', () => {
    const root = artifactTree([]);
    const [a] = nineLegs();
    mkdirSync(path.join(root, 'x/hybrid-e2e-results-gateway'), { recursive: true });
    mkdirSync(path.join(root, 'y/hybrid-e2e-results-gateway'), { recursive: true });
    writeFileSync(path.join(root, 'x/hybrid-e2e-results-gateway/results.json'), JSON.stringify(a!.results));
    writeFileSync(path.join(root, 'y/hybrid-e2e-results-gateway/results.json'), JSON.stringify(a!.results));
    expect(loadLegs([root], root).map((l) => l.name)).toEqual(['gateway', 'gateway #2']);
  });
});
