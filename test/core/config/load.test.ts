import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadConfig } from '../../../src/core/config/loader.js';
import { ConfigError, UserError } from '../../../src/core/errors.js';
import { tempTree } from '../../helpers/tmp.js';

const FILES = {
  'docker/data-storage.Dockerfile': 'FROM scratch\n',
  'docker/gateway.Dockerfile': 'FROM scratch\n',
  'deploy/postgresql.yaml': 'kind: List\n',
  'deploy/datastorage/deployment.yaml': 'kind: List\n',
  'deploy/gateway.yaml': 'kind: List\n',
  'test/kind.yaml': 'kind: Cluster\n',
};

const VALID = `version: 1
cluster:
  name: e2e
  kindConfig: test/kind.yaml
services:
  postgresql:
    image: postgres:16-alpine
    manifests: [deploy/postgresql.yaml]
  datastorage:
    build:
      context: .
      dockerfile: docker/data-storage.Dockerfile
      image: localhost/kubernaut/datastorage
      args: { GOFLAGS: -cover, N: 3 }
    manifests: [deploy/datastorage/]
    namespace: kubernaut-system
    dependsOn: [postgresql]
    wait: [deployment/datastorage]
  gateway:
    build: { dockerfile: docker/gateway.Dockerfile, image: localhost/kubernaut/gateway }
    manifests: [deploy/gateway.yaml]
    dependsOn: [datastorage]
`;

let cleanups: Array<() => void> = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function load(yaml: string, extra: Record<string, string> = {}) {
  const t = tempTree({ ...FILES, ...extra, 'hybrid-e2e.yaml': yaml });
  cleanups.push(t.cleanup);
  return { dir: t.dir, load: () => loadConfig('hybrid-e2e.yaml', { cwd: t.dir, workspace: t.dir }) };
}

/** The error messages, one per problem, as the CLI prints them. */
function problems(yaml: string, extra: Record<string, string> = {}): string[] {
  const { load: l } = load(yaml, extra);
  try {
    l();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.path ? p.path + ': ' : ''}${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads a valid config and resolves paths against the config directory', () => {
    const { dir, load: l } = load(VALID);
    const c = l();
    expect(Object.keys(c.services)).toEqual(['postgresql', 'datastorage', 'gateway']);
    const ds = c.services.datastorage!;
    expect(ds.build).toEqual({
      context: dir,
      dockerfile: path.join(dir, 'docker/data-storage.Dockerfile'),
      image: 'localhost/kubernaut/datastorage',
      args: { GOFLAGS: '-cover', N: '3' },
      coverage: false,
      coverageArg: 'GOFLAGS',
    });
    expect(ds.manifests).toEqual([path.join(dir, 'deploy/datastorage')]);
    expect(ds.namespace).toBe('kubernaut-system');
    expect(ds.waitTimeoutMs).toBe(300_000);
    expect(c.services.postgresql!.image).toBe('postgres:16-alpine');
    expect(c.services.gateway!.namespace).toBe('default');
    expect(c.cluster.kindConfig).toBe(path.join(dir, 'test/kind.yaml'));
    expect(c.cluster).toMatchObject({ name: 'e2e', unique: true, retries: 2, waitTimeoutMs: 300_000 });
    // Unset: the plan decides (predictive with history, else after-builds).
    expect(c.cluster.start).toBeUndefined();
    expect(c.report.budgets).toMatchObject({ setup: 360_000, build: 180_000 });
  });

  it('resolves every duration to ms in each form the schema accepts, cluster.waitTimeout included', () => {
    for (const [written, ms] of [
      ['7m', 420_000],
      ['90', 90_000],
      ['1m30s', 90_000],
      ['45s', 45_000],
    ] as const) {
      const c = load(VALID.replace('  name: e2e\n', `  name: e2e\n  waitTimeout: ${written}\n`)).load();
      expect(c.cluster.waitTimeoutMs, written).toBe(ms);
    }
    const numeric = load(VALID.replace('  name: e2e\n', '  name: e2e\n  waitTimeout: 120\n')).load();
    expect(numeric.cluster.waitTimeoutMs).toBe(120_000);
    const budgets = load(VALID + 'report:\n  budgets: { setup: 10m, build: 90, deploy: 1m }\n').load();
    expect(budgets.report.budgets).toEqual({ setup: 600_000, build: 90_000, deploy: 60_000 });
  });

  it('reports YAML syntax errors with file, line and column', () => {
    const msgs = problems('version: 1\nservices:\n  a: [unclosed\n  b: {}\n');
    expect(msgs.length).toBeGreaterThan(0);
    expect(msgs[0]).toMatch(/^hybrid-e2e\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it('reports a duplicate key as a syntax error at its line', () => {
    const msgs = problems('version: 1\nservices:\n  a:\n    image: x:1\n  a:\n    image: y:1\n');
    expect(msgs).toEqual([expect.stringMatching(/^hybrid-e2e\.yaml:5:3: YAML syntax error: Map keys must be unique/)]);
  });

  it('reports an unknown service in dependsOn with a suggestion, at the entry', () => {
    const yaml = VALID.replace('dependsOn: [datastorage]', 'dependsOn: [datastorge]');
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:22:17: services.gateway.dependsOn[0]: unknown service "datastorge" (did you mean "datastorage"?)',
    ]);
  });

  it('reports dependency cycles with the path of the cycle', () => {
    const yaml = VALID.replace('    dependsOn: [postgresql]', '    dependsOn: [postgresql, gateway]');
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:22:17: services.gateway.dependsOn[0]: dependency cycle: datastorage → gateway → datastorage',
    ]);
  });

  it('reports a service depending on itself', () => {
    const yaml = VALID.replace('dependsOn: [datastorage]', 'dependsOn: [gateway]');
    expect(problems(yaml)).toEqual(['hybrid-e2e.yaml:22:17: services.gateway.dependsOn[0]: a service cannot depend on itself']);
  });

  it('reports missing files with the path it looked for', () => {
    const yaml = VALID.replace('docker/gateway.Dockerfile', 'docker/gatewy.Dockerfile').replace('deploy/postgresql.yaml', 'deploy/pg.yaml');
    const msgs = problems(yaml);
    expect(msgs).toHaveLength(2);
    expect(msgs[0]).toMatch(
      /^hybrid-e2e\.yaml:8:17: services\.postgresql\.manifests\[0\]: file not found: deploy\/pg\.yaml \(looked for .*deploy\/pg\.yaml\)$/,
    );
    expect(msgs[1]).toMatch(/^hybrid-e2e\.yaml:20:26: services\.gateway\.build\.dockerfile: file not found: docker\/gatewy\.Dockerfile/);
  });

  it('reports a Dockerfile path that is a directory', () => {
    const yaml = VALID.replace('docker/gateway.Dockerfile', 'docker');
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:20:26: services.gateway.build.dockerfile: expected a file, but docker is a directory',
    ]);
  });

  it('reports duplicate image repositories at the second service', () => {
    const yaml = VALID.replace('image: localhost/kubernaut/gateway', 'image: localhost/kubernaut/datastorage');
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:20:60: services.gateway.build.image: image repository "localhost/kubernaut/datastorage" is already built by service "datastorage"; give each service its own repository',
    ]);
  });

  it('reports service names that are not DNS-1123 labels, at the key', () => {
    const yaml = VALID.replace('  gateway:\n', '  Gate_way:\n');
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:19:3: services.Gate_way: service name "Gate_way" is not a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)',
    ]);
  });

  it('reports unknown fields with a suggestion', () => {
    const yaml = VALID.replace('    namespace: kubernaut-system', '    namespce: kubernaut-system');
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:16:5: services.datastorage.namespce: unknown field "namespce" (did you mean "namespace"?)',
    ]);
  });

  it('reports wrong types and missing required fields', () => {
    const yaml = VALID.replace('version: 1', 'version: 2')
      .replace('    dependsOn: [postgresql]\n', '    dependsOn: postgresql\n')
      .replace('      image: localhost/kubernaut/datastorage\n', '');
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:1:10: version: must be one of 1, got number 2',
      'hybrid-e2e.yaml:11:7: services.datastorage.build.image: required field is missing',
      'hybrid-e2e.yaml:16:16: services.datastorage.dependsOn: expected array, got string "postgresql"',
    ]);
  });

  it('rejects image references with shell metacharacters', () => {
    const yaml = VALID.replace('image: postgres:16-alpine', 'image: "postgres:16;rm -rf /"');
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:7:12: services.postgresql.image: must be an image reference such as postgres:16-alpine',
    ]);
  });

  it('rejects paths that escape the workspace', () => {
    const yaml = VALID.replace('docker/gateway.Dockerfile', '../../etc/passwd');
    expect(problems(yaml)[0]).toMatch(
      /^hybrid-e2e\.yaml:20:26: services\.gateway\.build\.dockerfile: path "\.\.\/\.\.\/etc\/passwd" resolves outside the workspace/,
    );
  });

  it('rejects a service with both image and build', () => {
    const yaml = VALID.replace(
      '    image: postgres:16-alpine\n',
      '    image: postgres:16-alpine\n    build: { dockerfile: docker/gateway.Dockerfile, image: localhost/x/pg }\n',
    );
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:7:12: services.postgresql.image: a service has either "image" (prebuilt) or "build", not both',
    ]);
  });

  it('rejects a document that is not a mapping', () => {
    expect(problems('- a\n- b\n')).toEqual(['hybrid-e2e.yaml:1:1: expected a mapping with "version: 1" and "services:", got a list']);
  });

  it('rejects bad durations and enum values', () => {
    const yaml = VALID.replace('  name: e2e\n', '  name: e2e\n  start: sometimes\n').replace(
      '    wait: [deployment/datastorage]\n',
      '    wait: [deployment/datastorage]\n    waitTimeout: soon\n',
    );
    expect(problems(yaml)).toEqual([
      'hybrid-e2e.yaml:4:10: cluster.start: must be one of "after-builds", "predictive", "with-builds", got string "sometimes"',
      'hybrid-e2e.yaml:20:18: services.datastorage.waitTimeout: "soon" is not a duration (use e.g. 90s, 5m, 1m30s)',
    ]);
  });

  it('says what to do when the config file is missing', () => {
    const t = tempTree({});
    cleanups.push(t.cleanup);
    expect(() => loadConfig('nope.yaml', { cwd: t.dir })).toThrow(UserError);
    expect(() => loadConfig('nope.yaml', { cwd: t.dir })).toThrow(
      /nope\.yaml: config file not found\. Create it .* or pass --config PATH\./,
    );
  });
});

describe('loadConfig YAML edge cases', () => {
  it('reports an unresolved alias at its position', () => {
    const t = tempTree({ 'hybrid-e2e.yaml': 'version: 1\nservices:\n  a: *nope\n' });
    try {
      expect(() => loadConfig('hybrid-e2e.yaml', { cwd: t.dir, workspace: t.dir })).toThrow(
        /^hybrid-e2e\.yaml:3:6: YAML error: Unresolved alias/,
      );
    } finally {
      t.cleanup();
    }
  });
});
