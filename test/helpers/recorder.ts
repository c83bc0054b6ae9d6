/**
 * Stand-in executables for argv tests of the adapters: each records its argv and selected environment variables as
 * one JSON line, prints a canned answer and exits with a canned code. No real tool runs.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Recorded {
  tool: string;
  argv: string[];
  env: Record<string, string | null>;
}

export interface Recorders {
  dir: string;
  /** Adds an executable `name`: answers `stdout`/`stderr` and exits `exit` (by first matching argv substring rule). */
  add(name: string, rules?: Array<{ match?: string; stdout?: string; stderr?: string; exit?: number }>): string;
  calls(): Recorded[];
  /** PATH with the recorders first. */
  env: Record<string, string>;
  cleanup(): void;
}

export function recorders(envNames: string[] = ['KIND_EXPERIMENTAL_PROVIDER', 'KUBECONFIG']): Recorders {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-rec-'));
  const log = path.join(dir, 'calls.jsonl');
  return {
    dir,
    add(name, rules = []) {
      const file = path.join(dir, name);
      writeFileSync(
        file,
        `#!${process.execPath}
const fs = require('node:fs');
const argv = process.argv.slice(2);
const env = {};
for (const k of ${JSON.stringify(envNames)}) env[k] = process.env[k] ?? null;
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ tool: ${JSON.stringify(name)}, argv, env }) + '\\n');
const rules = ${JSON.stringify(rules)};
const r = rules.find((x) => !x.match || argv.join(' ').includes(x.match)) || {};
if (r.stdout) process.stdout.write(r.stdout);
if (r.stderr) process.stderr.write(r.stderr);
process.exit(r.exit ?? 0);
`,
      );
      chmodSync(file, 0o755);
      return file;
    },
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Recorded)
        : [],
    env: { ...(process.env as Record<string, string>), PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}` },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
