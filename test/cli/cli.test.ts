import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli.js';
import { REPO_ROOT, tempTree } from '../helpers/tmp.js';
import { VERSION } from '../../src/core/version.js';

const EXAMPLE = path.join(REPO_ROOT, 'examples/kubernaut/hybrid-e2e.yaml');

describe('hybrid-e2e CLI', () => {
  it('prints the plan as text and as JSON', async () => {
    const text = await cli(['plan', '--config', EXAMPLE, '--service', 'gateway']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Plan for .*hybrid-e2e\.yaml \(requested: gateway; services: postgresql, redis, datastorage, gateway\)/);
    const json = await cli(['plan', '--config', EXAMPLE, '-s', 'gateway', '--format', 'json']);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout);
    expect(plan.services).toEqual(['postgresql', 'redis', 'datastorage', 'gateway']);
    expect(plan.tasks.find((t: { id: string }) => t.id === 'cluster').deps).toHaveLength(4);
  });

  it('exits 2 with a positioned message and no stack trace on config errors', async () => {
    const t = tempTree({ 'hybrid-e2e.yaml': 'version: 1\nservices:\n  a:\n    dependsOn: [b]\n' });
    try {
      const r = await cli(['plan'], { cwd: t.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('hybrid-e2e plan: hybrid-e2e.yaml:4:17: services.a.dependsOn[0]: unknown service "b"\n');
      expect(r.stdout).toBe('');
    } finally {
      t.cleanup();
    }
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli(['plan', '--bogus'])).code).toBe(2);
    expect((await cli(['frobnicate'])).stderr).toMatch(/unknown command "frobnicate"/);
    expect((await cli(['plan', '--format', 'xml', '--config', EXAMPLE])).stderr).toMatch(/unknown format "xml"; use one of text, json/);
    expect((await cli([])).code).toBe(2);
  });

  it('prints help and version', async () => {
    expect((await cli(['help'])).stdout).toMatch(/Usage: hybrid-e2e <command>/);
    expect((await cli(['--version'])).stdout).toBe(`hybrid-e2e ${VERSION}\n`);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });

  it('prints a JSON Schema that matches the shipped dist/hybrid-e2e.schema.json', async () => {
    const r = await cli(['schema']);
    const schema = JSON.parse(r.stdout);
    expect(schema.properties.services).toBeDefined();
    expect(schema.properties.cluster.properties.start.enum).toEqual(['after-builds', 'predictive', 'with-builds']);
    expect(readFileSync(path.join(REPO_ROOT, 'dist/hybrid-e2e.schema.json'), 'utf8')).toBe(r.stdout);
  });
});
