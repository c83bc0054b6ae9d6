import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compliancePolicySchema, defaultPolicy, lintText, type CompliancePolicyInput } from '../../../src/core/compliance/lint-files.js';
import { parseImageRef, substitute, tagVersion } from '../../../src/core/compliance/image.js';
import { compareVersions, parseConstraint, satisfies } from '../../../src/core/compliance/policy.js';
import { normalizeRepository } from '../../../src/core/image-ref.js';

const images = (text: string, policy?: CompliancePolicyInput) =>
  lintText(text, 'Dockerfile', policy)
    .filter((f) => f.rule === 'base-image-policy')
    .map((f) => [f.line, f.message]);

describe('compliance policy schema', () => {
  it('everything is optional, with defaults', () => {
    expect(defaultPolicy()).toEqual({
      rules: {},
      baseImages: { allowLatest: false, requireDigest: false, allowedRegistries: [], forbidden: [], repositories: {} },
    });
    expect(compliancePolicySchema.parse({ baseImages: { allowLatest: true } }).baseImages.requireDigest).toBe(false);
  });

  it('rejects typos and bad values', () => {
    const bad: unknown[] = [
      { rule: {} },
      { rules: { 'no-pakage-upgrade': 'off' } },
      { rules: { 'no-package-upgrade': 'fatal' } },
      { baseImages: { alowLatest: true } },
      { baseImages: { repositories: { golang: '1.25+' } } },
      { baseImages: { repositories: { golang: { version: '>=1.2', pin: true } } } },
      { baseImages: { allowedRegistries: 'quay.io' } },
    ];
    for (const b of bad) expect(compliancePolicySchema.safeParse(b).success, JSON.stringify(b)).toBe(false);
    const good: unknown[] = [
      {
        rules: { 'no-package-upgrade': 'warning', 'base-image-policy': 'error', 'waiver-missing-reason': 'off', 'waiver-invalid': 'error' },
      },
      {
        baseImages: {
          repositories: { golang: '>=1.22', 'quay.io/org/*': { allowLatest: true }, x: { version: '>= 9.4, <10', requireDigest: true } },
        },
      },
    ];
    for (const g of good) expect(compliancePolicySchema.safeParse(g).success, JSON.stringify(g)).toBe(true);
  });

  it('converts to JSON Schema with descriptions (for editors)', () => {
    type Node = { description?: string; additionalProperties?: unknown; enum?: unknown; anyOf?: unknown; properties: Record<string, Node> };
    const js = z.toJSONSchema(compliancePolicySchema, { io: 'input' }) as unknown as Node;
    expect(js.additionalProperties).toBe(false);
    expect(js.description).toMatch(/compliance/i);
    expect(
      js.properties.rules!.properties['no-package-upgrade']!.enum ?? js.properties.rules!.properties['no-package-upgrade']!.anyOf,
    ).toBeDefined();
    expect(js.properties.baseImages!.properties.allowLatest!.description).toMatch(/latest/);
    expect(js.properties.baseImages!.properties.repositories!.description).toMatch(/>=1\.25/);
  });

  it('severity overrides change or silence findings', () => {
    const text = 'FROM ubuntu\nRUN dnf update\n# hybrid-e2e ignore=no-package-upgrade\nRUN yum update';
    const rules = (p?: CompliancePolicyInput) => lintText(text, 'D', p).map((f) => `${f.rule}:${f.severity}`);
    expect(rules()).toEqual([
      'base-image-policy:warning',
      'no-package-upgrade:error',
      'waiver-missing-reason:warning',
      'no-package-upgrade:error',
    ]);
    expect(rules({ rules: { 'no-package-upgrade': 'warning', 'base-image-policy': 'error' } })).toEqual([
      'base-image-policy:error',
      'no-package-upgrade:warning',
      'waiver-missing-reason:warning',
      'no-package-upgrade:warning',
    ]);
    expect(rules({ rules: { 'no-package-upgrade': 'off', 'base-image-policy': 'off', 'waiver-missing-reason': 'off' } })).toEqual([]);
  });
});

describe('base-image-policy', () => {
  it('flags :latest and untagged images without digest unless allowed', () => {
    expect(images('FROM ubuntu\nFROM ubuntu:latest\nFROM ubuntu:latest@sha256:abc\nFROM ubuntu:24.04').map(([l]) => l)).toEqual([1, 2]);
    expect(images('FROM ubuntu\nFROM ubuntu:latest', { baseImages: { allowLatest: true } })).toEqual([]);
    expect(images('FROM ubuntu', { baseImages: { repositories: { 'docker.io/library/ubuntu': { allowLatest: true } } } })).toEqual([]);
  });

  it('requires digests when configured, globally or per repository', () => {
    expect(images('FROM a:1\nFROM a:1@sha256:0f', { baseImages: { requireDigest: true } }).map(([l]) => l)).toEqual([1]);
    expect(images('FROM a:1\nFROM b:1', { baseImages: { repositories: { b: { requireDigest: true } } } }).map(([l]) => l)).toEqual([2]);
  });

  it('checks minimum versions per repository, with ARG substitution', () => {
    const policy = { baseImages: { repositories: { 'registry.access.redhat.com/ubi9/go-toolset': '>=1.25' } } };
    const text =
      'ARG V=1.24\nARG IMG=registry.access.redhat.com/ubi9/go-toolset\nFROM ${IMG}:${V} AS b\nFROM ${IMG}:1.25\nFROM $IMG:1.26.1\nFROM ${IMG}:1.9\nFROM ${IMG}:stable';
    const got = images(text, policy);
    expect(got.map(([l]) => l)).toEqual([3, 6, 7]);
    expect(got[0]![1]).toContain('`registry.access.redhat.com/ubi9/go-toolset:1.24` (from ${IMG}:${V})');
    expect(got[0]![1]).toContain('>=1.25');
    expect(got[2]![1]).toContain('no version number');
  });

  it('skips stage aliases, scratch and images that depend on args without defaults', () => {
    expect(images('FROM ubuntu:24.04 AS Base\nFROM base\nFROM scratch\nARG X\nFROM ${X}\nFROM ${Y:-alpine}:3')).toEqual([]);
    // ARGs declared after the first FROM do not apply to FROM.
    expect(images('FROM a:1\nARG T=latest\nFROM b:${T}')).toEqual([]);
  });

  it('forbidden repositories and allowed registries', () => {
    const policy = {
      baseImages: { forbidden: ['centos', 'quay.io/bad/**'], allowedRegistries: ['registry.access.redhat.com', 'quay.io'] },
    };
    const got = images('FROM centos:7\nFROM quay.io/bad/x/y:1\nFROM registry.access.redhat.com/ubi9:9.5\nFROM ghcr.io/o/i:1', policy);
    expect(
      got.map(([l, m]) => [l, /forbidden/.test(String(m)) ? 'forbidden' : /allowedRegistries/.test(String(m)) ? 'registry' : '?']),
    ).toEqual([
      [1, 'forbidden'],
      [1, 'registry'],
      [2, 'forbidden'],
      [4, 'registry'],
    ]);
  });

  it('reports the line of the image word, also on a continuation line', () => {
    expect(lintText('FROM --platform=$BUILDPLATFORM \\\n   golang AS b', 'D')[0]).toMatchObject({ line: 2, column: 4 });
  });
});

describe('image references and versions', () => {
  it('parses references like Docker', () => {
    expect(parseImageRef('golang:1.22')).toEqual({
      raw: 'golang:1.22',
      repository: 'docker.io/library/golang',
      registry: 'docker.io',
      tag: '1.22',
    });
    expect(parseImageRef('localhost:5000/a/b@sha256:x')).toEqual({
      raw: 'localhost:5000/a/b@sha256:x',
      repository: 'localhost:5000/a/b',
      registry: 'localhost:5000',
      digest: 'sha256:x',
    });
    expect(parseImageRef('Quay.io/Org/App:v2')).toMatchObject({ repository: 'quay.io/org/app', tag: 'v2' });
    expect(normalizeRepository('bitnami/redis')).toBe('docker.io/bitnami/redis');
  });

  it('compares numeric versions with missing parts as 0', () => {
    expect(tagVersion('1.25-alpine')).toEqual([1, 25]);
    expect(tagVersion('v9.4.1')).toEqual([9, 4, 1]);
    expect(tagVersion('bookworm')).toBeNull();
    expect(compareVersions([1, 25], [1, 25, 0])).toBe(0);
    expect(compareVersions([1, 9], [1, 25])).toBe(-1);
    expect(satisfies([9, 5], parseConstraint('>=9.4, <10'))).toBe(true);
    expect(satisfies([10, 0], parseConstraint('>=9.4 <10'))).toBe(false);
    expect(satisfies([1, 25], parseConstraint('=1.25'))).toBe(true);
    expect(satisfies([1, 25], parseConstraint('!=1.25'))).toBe(false);
  });

  it('substitutes ARG values like BuildKit', () => {
    const vars = new Map<string, string | null>([
      ['A', 'x'],
      ['E', ''],
      ['N', null],
    ]);
    expect(substitute('${A}-$A-${E:-d}-${E-d}-${N:-n}-${A:+alt}-${U+u}', vars)).toBe('x-x-d--n-alt-');
    expect(substitute('$U', vars)).toBeNull();
    expect(substitute('${N}', vars)).toBeNull();
    expect(substitute('plain', vars)).toBe('plain');
  });
});
