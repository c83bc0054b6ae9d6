// Bundles the action (main + post) and the CLI with ncc into dist/, then writes the config JSON Schema.
// dist/ is committed and must equal a fresh run of this script (checked by .ci/check-dist.mjs).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, renameSync, rmSync, writeFileSync, readFileSync, chmodSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
// Build beside dist/ (same depth, so source map paths are identical) and swap at the end: a failed or running
// bundle never leaves dist/ empty or half-written for whoever is using it.
const build = path.join(root, '.dist-build');
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const entries = [
  ['src/action/index.ts', '.dist-build'],
  ['src/action/post.ts', '.dist-build/post'],
  ['src/cli/bin.ts', '.dist-build/cli'],
];

rmSync(build, { recursive: true, force: true });
// The three bundles are independent: build them concurrently (ncc type-checks each, which dominates the time).
const run = promisify(execFile);
await Promise.all(
  entries.map(async ([entry, out]) => {
    try {
      await run(
        process.execPath,
        [ncc, 'build', entry, '-o', out, '--source-map', '--license', 'licenses.txt', '--quiet', '--target', 'es2022'],
        { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (e) {
      console.error(`ncc build ${entry} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      rmSync(build, { recursive: true, force: true });
      process.exit(1);
    }
  }),
);
// ncc emits ESM; a package.json next to each bundle makes Node treat it as such wherever dist/ is copied.
for (const [, out] of entries) writeFileSync(path.join(root, out, 'package.json'), '{ "type": "module" }\n');
const cli = path.join(build, 'cli', 'index.js');
const body = readFileSync(cli, 'utf8');
if (!body.startsWith('#!')) writeFileSync(cli, '#!/usr/bin/env node\n' + body);
chmodSync(cli, 0o755);
const schema = execFileSync(process.execPath, [cli, 'schema'], { cwd: root, encoding: 'utf8' });
writeFileSync(path.join(build, 'hybrid-e2e.schema.json'), schema);
rmSync(dist, { recursive: true, force: true });
renameSync(build, dist);
console.log(`bundled: ${readdirSync(dist).join(', ')}`);
