// A strict command-line parser with spf13/pflag + cobra semantics, used by the
// fake kind and kubectl so that their grammar errors match the real tools.
import { parseGoDuration } from './util.mjs';

export class FlagError extends Error {}

function parseBool(v) {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function displayName(name, f) {
  return f.short ? `-${f.short}, --${name}` : `--${name}`;
}

/**
 * Parse `argv` against a flag spec:
 *   { name: { type: 'bool'|'string'|'stringArray'|'stringSlice'|'duration'|'int', short?, def?, noOptDefVal? } }
 * Returns { flags, changed: Set<name>, positionals, dashAt } or throws FlagError with pflag's message.
 */
export function parseFlags(argv, spec) {
  const byShort = {};
  for (const [name, f] of Object.entries(spec)) if (f.short) byShort[f.short] = name;
  const flags = {};
  const changed = new Set();
  for (const [name, f] of Object.entries(spec)) {
    if (f.def !== undefined) flags[name] = Array.isArray(f.def) ? [...f.def] : f.def;
    else if (f.type === 'bool') flags[name] = false;
    else if (f.type === 'stringArray' || f.type === 'stringSlice') flags[name] = [];
  }
  const positionals = [];
  let dashAt = -1;

  const set = (name, raw) => {
    const f = spec[name];
    try {
      switch (f.type) {
        case 'bool':
          flags[name] = typeof raw === 'boolean' ? raw : parseBool(raw);
          break;
        case 'string':
          flags[name] = raw;
          break;
        case 'int': {
          if (!/^[-+]?\d+$/.test(raw)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
          flags[name] = Number(raw);
          break;
        }
        case 'duration':
          flags[name] = parseGoDuration(raw);
          break;
        case 'stringArray':
          if (!changed.has(name)) flags[name] = [];
          flags[name].push(raw);
          break;
        case 'stringSlice':
          if (!changed.has(name)) flags[name] = [];
          flags[name].push(...(raw === '' ? [] : raw.split(',')));
          break;
        default:
          throw new Error(`internal: unknown flag type ${f.type}`);
      }
    } catch (e) {
      throw new FlagError(`invalid argument ${JSON.stringify(String(raw))} for ${JSON.stringify(displayName(name, f))} flag: ${e.message}`);
    }
    changed.add(name);
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      dashAt = positionals.length;
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      const f = spec[name];
      if (!f) throw new FlagError(`unknown flag: --${name}`);
      if (eq !== -1) set(name, a.slice(eq + 1));
      else if (f.type === 'bool') set(name, true);
      else if (f.noOptDefVal !== undefined) set(name, f.noOptDefVal);
      else if (i + 1 < argv.length) set(name, argv[++i]);
      else throw new FlagError(`flag needs an argument: --${name}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const shorts = a.slice(1);
      for (let j = 0; j < shorts.length; j++) {
        const c = shorts[j];
        const name = byShort[c];
        if (!name) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        const f = spec[name];
        const rest = shorts.slice(j + 1);
        if (f.type === 'bool' || f.noOptDefVal !== undefined) {
          if (rest.startsWith('=')) {
            set(name, rest.slice(1));
            break;
          }
          set(name, f.type === 'bool' ? true : f.noOptDefVal);
          continue;
        }
        if (rest.startsWith('=')) set(name, rest.slice(1));
        else if (rest !== '') set(name, rest);
        else if (i + 1 < argv.length) set(name, argv[++i]);
        else throw new FlagError(`flag needs an argument: '${c}' in ${a}`);
        break;
      }
      continue;
    }
    positionals.push(a);
  }
  return { flags, changed, positionals, dashAt };
}

/**
 * Find the (sub)command path like cobra's Find: walk non-flag tokens down the
 * command tree, skipping flags (and the values of known value-taking flags).
 * tree: { name: { aliases?: string[], spec?: flagSpec, sub?: tree } }
 * Returns { path: string[], node, rest: argv without the path tokens, unknown?: string }.
 */
export function findCommand(argv, tree, globalSpec) {
  const path = [];
  const used = new Set();
  let level = tree;
  let node;
  let spec = { ...globalSpec };
  const byShort = () => {
    const m = {};
    for (const [n, f] of Object.entries(spec)) if (f.short) m[f.short] = n;
    return m;
  };
  let shorts = byShort();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('--') && a.length > 2) {
      if (a.includes('=')) continue;
      const f = spec[a.slice(2)];
      if (f && f.type !== 'bool' && f.noOptDefVal === undefined) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const last = a.length === 2 ? a[1] : undefined;
      const f = last ? spec[shorts[last]] : undefined;
      if (f && f.type !== 'bool' && f.noOptDefVal === undefined) i++;
      continue;
    }
    if (!level) break;
    const entry = Object.entries(level).find(([name, n]) => name === a || (n.aliases ?? []).includes(a));
    if (!entry) {
      if (path.length === 0) return { path, node: undefined, rest: argv, unknown: a };
      break;
    }
    path.push(entry[0]);
    used.add(i);
    node = entry[1];
    spec = { ...spec, ...(node.spec ?? {}) };
    shorts = byShort();
    level = node.sub;
  }
  return { path, node, rest: argv.filter((_, i) => !used.has(i)) };
}
