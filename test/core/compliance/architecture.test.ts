import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const sources = [
  ...readdirSync(path.join(REPO, 'src/core/compliance')).map((f) => path.join('src/core/compliance', f)),
  'src/render/sarif.ts',
  'src/render/lint-text.ts',
  'src/render/annotations.ts',
];

describe('compliance engine architecture', () => {
  it.each(sources)('%s imports nothing GitHub-specific and only node builtins, zod and local modules', (file) => {
    const text = readFileSync(path.join(REPO, file), 'utf8');
    const imports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
    // Every `from '...'` clause was seen by the pattern (so nothing slips past it).
    expect(imports.length).toBe((text.match(/\bfrom\s+'/g) ?? []).length);
    for (const spec of imports) {
      expect(spec.startsWith('@actions/'), `${file} imports ${spec}`).toBe(false);
      expect(spec.startsWith('.') || spec.startsWith('node:') || spec === 'zod', `${file} imports ${spec}`).toBe(true);
      if (spec.startsWith('.')) expect(spec.endsWith('.js'), `${file}: relative import ${spec} must end in .js`).toBe(true);
    }
  });
});
