import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { RULES, discoverDockerfiles, lintFiles, type Finding, type LintReport } from '../../src/core/compliance/lint-files.js';
import { toAnnotations } from '../../src/render/annotations.js';
import { lintExitCode, renderLintJson, renderLintMarkdown, renderLintText } from '../../src/render/lint-text.js';
import { renderSarif } from '../../src/render/sarif.js';
import { CORPUS_HEAD, FIXTURES } from '../core/compliance/helpers.js';

const schema = JSON.parse(readFileSync(path.join(FIXTURES, 'sarif-2.1.0-subset.schema.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('uri', (s: string) => {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
});
ajv.addFormat('uri-reference', (s: string) => {
  try {
    new URL(s, 'file:///base/');
    return !/\s/.test(s);
  } catch {
    return false;
  }
});
const validate = ajv.compile(schema);

/** The parts of a SARIF log these tests read. */
interface Sarif {
  version: string;
  runs: {
    tool: { driver: { name: string; version?: string; rules: { id: string; help: { text: string } }[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      suppressions?: unknown;
      partialFingerprints: Record<string, string>;
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Record<string, number> } }[];
    }[];
  }[];
}

const finding = (over: Partial<Finding>): Finding => ({
  file: 'docker/a.Dockerfile',
  line: 3,
  endLine: 3,
  column: 5,
  rule: 'no-package-upgrade',
  severity: 'error',
  message: '`dnf update` upgrades every installed package',
  waived: false,
  ...over,
});

async function fixtureReport(): Promise<LintReport> {
  const dir = path.join(FIXTURES, 'corpus');
  const policy = (JSON.parse(readFileSync(path.join(FIXTURES, 'corpus.expected.json'), 'utf8')) as { policy: object }).policy;
  return lintFiles(await discoverDockerfiles([dir], { cwd: dir }), { cwd: dir, policy });
}

describe('SARIF', () => {
  it('the schema fixture rejects invalid logs (it is not vacuous)', () => {
    const ok = renderSarif({ files: 1, findings: [finding({})] }, { rules: RULES });
    expect(validate(ok)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutating arbitrary parts of a JSON document
    type J = any;
    const bad = (mutate: (l: J) => void): boolean => {
      const l = structuredClone(ok) as J;
      mutate(l);
      return validate(l) as boolean;
    };
    expect(bad((l) => (l.version = '2.0.0'))).toBe(false);
    expect(bad((l) => (l.runs[0].results[0].level = 'fatal'))).toBe(false);
    expect(bad((l) => delete l.runs[0].results[0].message)).toBe(false);
    expect(bad((l) => (l.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0))).toBe(false);
    expect(bad((l) => (l.runs[0].results[0].locations[0].physicalLocation.regoin = {}))).toBe(false);
    expect(bad((l) => delete l.runs[0].tool.driver.name)).toBe(false);
    expect(bad((l) => (l.runs[0].results[0].suppressions = [{ status: 'accepted' }]))).toBe(false);
  });

  it('validates for the real corpus and for the fixture corpus (waived findings, every rule)', async () => {
    const head = await lintFiles(await discoverDockerfiles([CORPUS_HEAD], { cwd: CORPUS_HEAD }), { cwd: CORPUS_HEAD });
    const fixtures = await fixtureReport();
    expect(new Set(fixtures.findings.map((f) => f.rule))).toEqual(new Set(RULES.map((r) => r.id)));
    for (const report of [head, fixtures, { files: 0, findings: [] }]) {
      const log = renderSarif(report, { rules: RULES, toolVersion: '0.1.0', srcRoot: '/work/repo with space' });
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('describes the tool, its rules with help text, and results with physical locations and suppressions', async () => {
    const report = await fixtureReport();
    const log = renderSarif(report, { rules: RULES, toolVersion: '1.2.3', srcRoot: '/src' }) as unknown as Sarif;
    const run = log.runs[0]!;
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver).toMatchObject({ name: 'hybrid-e2e', version: '1.2.3' });
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    for (const r of run.tool.driver.rules) expect(r.help.text.length).toBeGreaterThan(40);
    expect(run.originalUriBaseIds['%SRCROOT%']!.uri).toBe('file:///src/');
    expect(run.results).toHaveLength(report.findings.length);
    report.findings.forEach((f, i) => {
      const r = run.results[i]!;
      expect(r.ruleId).toBe(f.rule);
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(f.rule);
      expect(r.level).toBe(f.severity);
      expect(r.locations[0]!.physicalLocation).toEqual({
        artifactLocation: { uri: f.file, uriBaseId: '%SRCROOT%' },
        region: { startLine: f.line, endLine: f.endLine, startColumn: f.column },
      });
      if (f.waived)
        expect(r.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', ...(f.reason ? { justification: f.reason } : {}) }]);
      else expect(r).not.toHaveProperty('suppressions');
    });
    const prints = run.results.map((r) => r.partialFingerprints['hybridE2eFinding/v1']);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('encodes file paths as URI references and keeps fingerprints stable when lines move', () => {
    const a = renderSarif(
      { files: 1, findings: [finding({ file: 'dir with space/#x.Dockerfile' })] },
      { rules: RULES },
    ) as unknown as Sarif;
    expect(a.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('dir%20with%20space/%23x.Dockerfile');
    const b = renderSarif(
      {
        files: 1,
        findings: [finding({ file: 'dir with space/#x.Dockerfile', line: 40, endLine: 41 })],
      },
      { rules: RULES },
    ) as unknown as Sarif;
    expect(b.runs[0]!.results[0]!.partialFingerprints).toEqual(a.runs[0]!.results[0]!.partialFingerprints);
  });
});

describe('text, markdown, json', () => {
  const report: LintReport = {
    files: 3,
    findings: [
      finding({}),
      finding({ line: 9, endLine: 10, rule: 'base-image-policy', severity: 'warning', message: 'uses :latest' }),
      finding({ file: 'b/Dockerfile', line: 2, waived: true, reason: 'policy | SEC-1' }),
    ],
  };

  it('text: file:line rule [severity] message, grouped by file, with a one-line total; colour only on request', () => {
    const text = renderLintText(report, { fixable: 1 });
    expect(text).toBe(
      [
        'docker/a.Dockerfile:3 no-package-upgrade [error] `dnf update` upgrades every installed package',
        'docker/a.Dockerfile:9 base-image-policy [warning] uses :latest',
        '',
        'b/Dockerfile:2 no-package-upgrade [waived] `dnf update` upgrades every installed package (waived: policy | SEC-1)',
        '',
        '1 error, 1 warning, 1 waived in 2 of 3 Dockerfiles.',
        '1 finding can be fixed automatically: hybrid-e2e lint --fix (preview with --fix --dry-run).',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('\x1b[');
    expect(renderLintText(report, { color: true })).toContain('\x1b[31m[error]\x1b[0m');
    expect(renderLintText({ files: 2, findings: [] })).toBe('No problems in 2 Dockerfiles.\n');
  });

  it('markdown: a table, errors first, pipes escaped', () => {
    const md = renderLintMarkdown(report);
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('| error |');
    expect(rows[2]).toContain('waived (error)');
    expect(rows[2]).toContain('policy \\| SEC-1');
    expect(md).toContain('**1 error**');
    expect(renderLintMarkdown(report, { maxRows: 1 })).toContain('…and 2 more');
  });

  it('json: exactly one object with files and findings; reason only on waived findings', () => {
    const parsed = JSON.parse(renderLintJson(report));
    expect(Object.keys(parsed)).toEqual(['files', 'findings']);
    expect(parsed.findings[0]).toEqual({
      file: 'docker/a.Dockerfile',
      line: 3,
      endLine: 3,
      column: 5,
      rule: 'no-package-upgrade',
      severity: 'error',
      message: '`dnf update` upgrades every installed package',
      waived: false,
    });
    expect(parsed.findings[2].reason).toBe('policy | SEC-1');
  });

  it('exit code: 1 only for unwaived errors', () => {
    expect(lintExitCode(report)).toBe(1);
    expect(lintExitCode({ files: 1, findings: [report.findings[1]!, report.findings[2]!] })).toBe(0);
  });
});

describe('annotations', () => {
  it('at most 10, errors first, waived ones as notices, the rest summarised', () => {
    const findings: Finding[] = [
      ...Array.from({ length: 8 }, (_, i) => finding({ file: 'w', line: i + 1, severity: 'warning', rule: 'base-image-policy' })),
      ...Array.from({ length: 3 }, (_, i) => finding({ file: 'z', line: i + 1, waived: true, reason: 'r' })),
      ...Array.from({ length: 4 }, (_, i) => finding({ file: 'e', line: i + 1, endLine: i + 2 })),
    ];
    const { annotations, summary } = toAnnotations(findings, { pathPrefix: 'services/api/' });
    expect(annotations).toHaveLength(10);
    expect(annotations.map((a) => a.level)).toEqual([...Array(4).fill('error'), ...Array(6).fill('warning')]);
    expect(annotations[0]).toEqual({
      level: 'error',
      message: finding({}).message,
      file: 'services/api/e',
      startLine: 1,
      endLine: 2,
      title: 'no-package-upgrade (error)',
    });
    expect(summary).toBe(
      '5 more Dockerfile findings (2 warnings, 3 waived) not shown as annotations (GitHub shows at most 10 per step): see the job summary, or run hybrid-e2e lint locally.',
    );
    const few = toAnnotations(findings.slice(8, 9));
    expect(few).toEqual({
      annotations: [
        {
          level: 'notice',
          message: `${finding({}).message}\nWaived: r`,
          file: 'z',
          startLine: 1,
          endLine: 3,
          title: 'no-package-upgrade (waived)',
        },
      ],
    });
  });
});
