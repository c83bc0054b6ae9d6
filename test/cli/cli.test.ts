import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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

describe('bundled action and CLI (dist/)', () => {
  it('node dist/index.js with runner-style env prints the plan and sets outputs; the bundled CLI prints the same graph', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-action-'));
    try {
      const output = path.join(tmp, 'output');
      writeFileSync(output, '');
      const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/index.js')], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          GITHUB_OUTPUT: output,
          GITHUB_WORKSPACE: REPO_ROOT,
          INPUT_COMMAND: 'plan',
          INPUT_CONFIG: 'examples/kubernaut/hybrid-e2e.yaml',
          INPUT_SERVICE: 'gateway',
        },
      });
      expect(r.status).toBe(0);
      const cliOut = execFileSync(
        process.execPath,
        [path.join(REPO_ROOT, 'dist/cli/index.js'), 'plan', '--config', 'examples/kubernaut/hybrid-e2e.yaml', '--service', 'gateway'],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      );
      expect(r.stdout.trim()).toBe(cliOut.trim());
      const outputs = readFileSync(output, 'utf8');
      const plan = outputs.match(/^plan<<(.+)\n([\s\S]*?)\n\1$/m);
      expect(plan).not.toBeNull();
      expect(JSON.parse(plan![2]!).services).toEqual(['postgresql', 'redis', 'datastorage', 'gateway']);
      expect(outputs).toMatch(/^cluster-name<<(.+)\nkubernaut-e2e\n\1$/m);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('fails the step with the config error, without a stack trace', () => {
    const t = tempTree({ 'hybrid-e2e.yaml': 'version: 1\nservices:\n  Bad_Name: {}\n' });
    try {
      const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/index.js')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GITHUB_WORKSPACE: t.dir, INPUT_COMMAND: 'plan' },
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('::error::hybrid-e2e.yaml:3:3: services.Bad_Name: service name "Bad_Name" is not a DNS-1123 label');
      expect(r.stdout).not.toMatch(/\n\s+at /);
    } finally {
      t.cleanup();
    }
  });
});
