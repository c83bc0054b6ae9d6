import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, tempTree } from '../helpers/tmp.js';

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
