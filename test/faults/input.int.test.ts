import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/core/config/loader.js';
import { ConfigError, UserError } from '../../src/core/errors.js';
import { lintText, fixText } from '../../src/core/compliance/lint-files.js';
import { createFakeEnv } from '../helpers/fakes.js';
import { runnableExample } from '../helpers/example.js';
import { REPO_ROOT, SHARED } from '../helpers/tmp.js';
import { down, FAST, leakCheck, readResults, startUp } from './helpers.js';

const VALID = readFileSync(path.join(REPO_ROOT, 'examples/kubernaut/hybrid-e2e.yaml'), 'utf8');
const EXAMPLE_FILE = path.join(REPO_ROOT, 'examples/kubernaut/hybrid-e2e.yaml');

/** Loading never throws anything but a positioned user error, and never hangs. */
function checkLoad(text: string): void {
  const t0 = Date.now();
  try {
    parseConfig(text, EXAMPLE_FILE, { displayFile: 'hybrid-e2e.yaml', workspace: path.join(REPO_ROOT, 'examples/kubernaut') });
  } catch (e) {
    if (e instanceof ConfigError) {
      expect(e.problems.length).toBeGreaterThan(0);
      for (const p of e.problems) {
        expect(p.line).toBeGreaterThanOrEqual(1);
        expect(p.column).toBeGreaterThanOrEqual(1);
        expect(p.message.length).toBeGreaterThan(0);
      }
    } else if (!(e instanceof UserError)) throw e;
  }
  expect(Date.now() - t0).toBeLessThan(2_000);
}

/** Line-level mutations of a valid text: delete, duplicate, swap, replace a token with a random string. */
const mutated = (base: string) =>
  fc
    .array(
      fc.tuple(fc.constantFrom('delete', 'dup', 'swap', 'replace', 'indent', 'insert'), fc.nat(), fc.nat(), fc.string({ maxLength: 20 })),
      { minLength: 1, maxLength: 6 },
    )
    .map((ops) => {
      const lines = base.split('\n');
      for (const [op, a, b, s] of ops) {
        const i = a % lines.length;
        const j = b % lines.length;
        if (op === 'delete') lines.splice(i, 1);
        else if (op === 'dup') lines.splice(i, 0, lines[i]!);
        else if (op === 'swap') [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        else if (op === 'replace') lines[i] = lines[i]!.replace(/[\w./-]+/, s);
        else if (op === 'indent') lines[i] = ' ' + lines[i];
        else lines.splice(i, 0, s);
        if (lines.length === 0) lines.push('');
      }
      return lines.join('\n');
    });

describe('bad input: the config loader', () => {
  it('random text: only positioned errors, never a crash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => checkLoad(s)),
      { numRuns: 400 },
    );
  });

  it('random YAML-ish values: only positioned errors, never a crash', () => {
    const yamlish = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ version: 1, services: v }));
    fc.assert(
      fc.property(yamlish, (s) => checkLoad(s)),
      { numRuns: 300 },
    );
  });

  it('mutated valid configs: only positioned errors, never a crash', () => {
    fc.assert(
      fc.property(mutated(VALID), (s) => checkLoad(s)),
      { numRuns: 400 },
    );
  });

  it('rejects shell metacharacters, traversal and newlines in names, images and paths', () => {
    const bad: Array<[string, RegExp]> = [
      ['  "gate;rm -rf /":\n    image: x:1\n', /is not a DNS-1123 label/],
      ['  gw:\n    image: "x:1 && curl evil"\n', /must be an image reference/],
      ['  gw:\n    build: { dockerfile: "../../../../etc/passwd", image: localhost/x/gw }\n', /resolves outside the workspace/],
      ['  gw:\n    build: { dockerfile: "/etc/passwd", image: localhost/x/gw }\n', /resolves outside the workspace/],
      ['  gw:\n    build: { dockerfile: "a\\nb", image: localhost/x/gw }\n', /may not contain newlines/],
      ['  gw:\n    build: { image: "localhost/x/$(id)" }\n', /must be an image repository/],
      ['  gw:\n    build: { image: localhost/x/gw, args: { "A;B": "1" } }\n', /build arg names are letters, digits and _/],
      ['  gw:\n    namespace: "ns`id`"\n', /must be a DNS-1123 label/],
    ];
    for (const [svc, re] of bad) {
      try {
        parseConfig(`version: 1\nservices:\n${svc}`, EXAMPLE_FILE, { workspace: path.join(REPO_ROOT, 'examples/kubernaut') });
        throw new Error(`accepted: ${svc}`);
      } catch (e) {
        expect(e, svc).toBeInstanceOf(ConfigError);
        expect((e as Error).message).toMatch(re);
      }
    }
  });
});

describe('bad input: the Dockerfile linter', () => {
  const corpus = [
    ...['kubernaut-dockerfiles', 'kubernaut-dockerfiles-head'].flatMap((d) =>
      readdirSync(path.join(SHARED, d)).map((f) => readFileSync(path.join(SHARED, d, f), 'utf8')),
    ),
  ];

  it('random and mutated Dockerfiles: never crashes, never loops, time bounded; --fix output still lints', () => {
    const source = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.constantFrom(...corpus).chain((base) => mutated(base)),
      fc
        .array(
          fc.constantFrom(
            'RUN ',
            'dnf ',
            'update',
            ' -y',
            ' && ',
            '\\\n',
            '<<EOF\n',
            'EOF\n',
            '"',
            "'",
            '$(',
            ')',
            '#',
            '\n',
            '[',
            ']',
            ',',
            'microdnf ',
            'apt-get upgrade',
            '|| true',
            '; ',
            'sh -c "',
          ),
          { maxLength: 60 },
        )
        .map((p) => p.join('')),
    );
    fc.assert(
      fc.property(source, (text) => {
        const t0 = Date.now();
        const findings = lintText(text, 'Dockerfile');
        const fixed = fixText(text, 'Dockerfile');
        const again = lintText(fixed.text, 'Dockerfile');
        expect(Array.isArray(findings) && Array.isArray(again)).toBe(true);
        expect(Date.now() - t0).toBeLessThan(1_000);
      }),
      { numRuns: 500 },
    );
  });
});

describe('untrusted values reach tools as single argv entries', () => {
  let ex: Awaited<ReturnType<typeof runnableExample>>;
  beforeAll(() => {
    ex = runnableExample();
  });
  afterAll(async () => {
    await ex.cleanup();
  });

  it('build args with shell metacharacters and newlines are passed verbatim, never interpreted', async () => {
    const marker = path.join(ex.dir, 'pwned');
    const nasty = `x; touch ${marker}; $(touch ${marker}) \`touch ${marker}\` "'\nsecond line`;
    const cfg = path.join(ex.dir, 'hybrid-e2e.yaml');
    writeFileSync(
      cfg,
      readFileSync(cfg, 'utf8').replace(
        '  redis:\n    build: { dockerfile: docker/redis.Dockerfile,',
        `  redis:\n    build: { args: { NASTY: ${JSON.stringify(nasty)} }, dockerfile: docker/redis.Dockerfile,`,
      ),
    );
    const record = path.join(ex.dir, 'docker-argv.jsonl');
    const fake = createFakeEnv(FAST);
    try {
      const { proc, resultsFile } = startUp(ex.config, fake, ['-s', 'redis'], {
        HYBRID_E2E_DOCKER: path.join(REPO_ROOT, 'test/faults/bin/docker-recorder'),
        RECORD_ARGV_FILE: record,
      });
      const res = await proc;
      expect(res.exitCode, String(res.all)).toBe(0);
      const calls = readFileSync(record, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[]);
      const build = calls.find((a) => a.includes('build'))!;
      expect(build).toBeDefined();
      const i = build.indexOf(`NASTY=${nasty}`);
      expect(i, JSON.stringify(build)).toBeGreaterThan(0);
      expect(build[i - 1]).toBe('--build-arg');
      expect(existsSync(marker)).toBe(false);
      const r = readResults(resultsFile);
      await down(fake, r.runDir);
      await leakCheck(fake, r);
    } finally {
      fake.cleanup();
    }
  });
});
