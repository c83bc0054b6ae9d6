/**
 * The dependency rule, checked on every source file:
 *   action, cli → commands → { core, adapters, render };  adapters → core;  render → core (types only);
 *   core → nothing outside core (node built-ins, zod, yaml).
 * Drivers (action, cli) may import core types, never core values. Processes are spawned from one module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/tmp.js';

const SRC = path.join(REPO_ROOT, 'src');
type Layer = 'core' | 'adapters' | 'render' | 'commands' | 'action' | 'cli';
const LAYERS: Layer[] = ['core', 'adapters', 'render', 'commands', 'action', 'cli'];

/** Which layers a layer may import values from, and which only types from. */
const ALLOWED: Record<Layer, { values: Layer[]; types: Layer[]; packages: true | string[] }> = {
  core: { values: ['core'], types: ['core'], packages: ['zod', 'yaml'] },
  adapters: { values: ['adapters', 'core'], types: ['adapters', 'core'], packages: true },
  render: { values: ['render'], types: ['render', 'core'], packages: [] },
  commands: { values: ['commands', 'core', 'adapters', 'render'], types: ['commands', 'core', 'adapters', 'render'], packages: true },
  action: { values: ['action', 'commands'], types: ['action', 'commands', 'core'], packages: true },
  cli: { values: ['cli', 'commands'], types: ['cli', 'commands', 'core'], packages: [] },
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

/** Every import and re-export specifier of a file, with whether it is type-only. */
export function importsOf(text: string): Import[] {
  const out: Import[] = [];
  const stmt = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s+'([^']+)'/gms;
  for (const m of text.matchAll(stmt)) {
    const clause = m[3]!;
    // `import { type A, type B } from` is type-only too.
    const named = /^\{([^}]*)\}$/.exec(clause.trim());
    const allTypes = named ? named[1]!.split(',').every((n) => !n.trim() || /^type\s/.test(n.trim())) : false;
    out.push({ spec: m[4]!, typeOnly: Boolean(m[2]) || allTypes });
  }
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g))
    out.push({ spec: m[1]!, typeOnly: /typeof\s+import\(\s*$/.test(text.slice(0, m.index)) });
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push({ spec: m[1]!, typeOnly: false });
  return out;
}

const files = sources(SRC);
const layerOf = (abs: string): Layer => path.relative(SRC, abs).split(path.sep)[0] as Layer;
const isBuiltin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec);
const packageName = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

describe('architecture', () => {
  it('every source file is in one of the layers', () => {
    const stray = files.filter((f) => !LAYERS.includes(layerOf(f)) && path.basename(f) !== 'tsconfig.json');
    expect(stray.map((f) => path.relative(REPO_ROOT, f))).toEqual([]);
  });

  it('the import parser sees every import of a file', () => {
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const froms = (text.match(/^\s*(?:import|export)\s[^;]*?\bfrom\s+'/gms) ?? []).length;
      const seen = importsOf(text).filter((i) => !/^\s*import\('/.test(i.spec)).length;
      expect(seen, path.relative(REPO_ROOT, f)).toBeGreaterThanOrEqual(froms);
    }
    expect(importsOf("import { type A, type B } from './x.js';\nimport { c } from './y.js';")).toEqual([
      { spec: './x.js', typeOnly: true },
      { spec: './y.js', typeOnly: false },
    ]);
  });

  for (const layer of LAYERS) {
    it(`${layer} imports only what the dependency rule allows`, () => {
      const rule = ALLOWED[layer];
      const violations: string[] = [];
      for (const f of files.filter((x) => layerOf(x) === layer)) {
        const rel = path.relative(REPO_ROOT, f);
        for (const imp of importsOf(readFileSync(f, 'utf8'))) {
          if (imp.spec.startsWith('.')) {
            if (!imp.spec.endsWith('.js')) violations.push(`${rel}: relative import ${imp.spec} must end in .js`);
            const target = layerOf(path.resolve(path.dirname(f), imp.spec));
            const ok = (imp.typeOnly ? rule.types : rule.values).includes(target);
            if (!ok) violations.push(`${rel}: ${imp.typeOnly ? 'type ' : ''}import from ${target} (${imp.spec})`);
          } else if (!isBuiltin(imp.spec)) {
            const pkg = packageName(imp.spec);
            if (rule.packages !== true && !rule.packages.includes(pkg)) violations.push(`${rel}: imports package ${pkg}`);
          }
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('processes are spawned from one module (src/adapters/process.ts)', () => {
    const spawners = files.filter((f) =>
      importsOf(readFileSync(f, 'utf8')).some((i) => ['execa', 'node:child_process', 'child_process'].includes(i.spec)),
    );
    expect(spawners.map((f) => path.relative(REPO_ROOT, f))).toEqual(['src/adapters/process.ts']);
  });

  it('no two modules share a file name', () => {
    const byName = new Map<string, string[]>();
    for (const f of files) byName.set(path.basename(f), [...(byName.get(path.basename(f)) ?? []), path.relative(REPO_ROOT, f)]);
    expect([...byName.values()].filter((v) => v.length > 1)).toEqual([]);
  });

  it('no engine file is over 300 lines', () => {
    const long = files
      .filter((f) => f.startsWith(path.join(SRC, 'core', 'engine')))
      .map((f) => ({ file: path.relative(REPO_ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.lines > 300);
    expect(long).toEqual([]);
  });
});
