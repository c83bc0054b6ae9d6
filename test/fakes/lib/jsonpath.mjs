// A subset of kubectl's JSONPath templates: {.a.b}, {.a[0]}, {.a[*].b},
// {.a[?(@.type=="Ready")].status}, {..name}, {.a[1:3]}, {range ...}{end},
// string literals {"\n"}, escaped dots (.metadata.labels.app\.kubernetes\.io/name).
// Missing keys print nothing (kubectl's allow-missing-template-keys=true).

export class JsonPathError extends Error {}

function splitTemplate(tpl) {
  const parts = [];
  let i = 0;
  let text = '';
  while (i < tpl.length) {
    const ch = tpl[i];
    if (ch === '{') {
      if (text) parts.push({ text });
      text = '';
      let j = i + 1;
      let quote = '';
      let depth = 0;
      for (; j < tpl.length; j++) {
        const c = tpl[j];
        if (quote) {
          if (c === '\\') j++;
          else if (c === quote) quote = '';
          continue;
        }
        if (c === '"' || c === "'") quote = c;
        else if (c === '[') depth++;
        else if (c === ']') depth--;
        else if (c === '}' && depth <= 0) break;
      }
      if (j >= tpl.length) throw new JsonPathError(`unclosed action`);
      parts.push({ expr: tpl.slice(i + 1, j).trim() });
      i = j + 1;
    } else {
      text += ch;
      i++;
    }
  }
  if (text) parts.push({ text });
  return parts;
}

function unquote(s) {
  if (s.startsWith('"')) return JSON.parse(s);
  return s.slice(1, -1).replace(/\\(.)/g, (_, c) => ({ n: '\n', t: '\t' })[c] ?? c);
}

function parseLiteral(s) {
  const t = s.trim();
  if (/^["'].*["']$/.test(t)) return unquote(t);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

/** Parse a path like `.a.b[0][*][?(@.x=="y")]..c` into steps. */
function parsePath(p) {
  const steps = [];
  let i = 0;
  if (p.startsWith('$')) i = 1;
  else if (p.startsWith('@')) i = 1;
  while (i < p.length) {
    if (p.startsWith('..', i)) {
      i += 2;
      let name = '';
      while (i < p.length && !/[.[]/.test(p[i])) name += p[i++];
      steps.push({ recursive: name });
      continue;
    }
    if (p[i] === '.') {
      i++;
      let name = '';
      while (i < p.length) {
        if (p[i] === '\\' && i + 1 < p.length) {
          name += p[i + 1];
          i += 2;
          continue;
        }
        if (p[i] === '.' || p[i] === '[') break;
        name += p[i++];
      }
      if (name === '*') steps.push({ wildcard: true });
      else if (name !== '') steps.push({ field: name });
      continue;
    }
    if (p[i] === '[') {
      let depth = 0;
      let j = i;
      let quote = '';
      for (; j < p.length; j++) {
        const c = p[j];
        if (quote) {
          if (c === quote) quote = '';
          continue;
        }
        if (c === '"' || c === "'") quote = c;
        else if (c === '[') depth++;
        else if (c === ']') {
          depth--;
          if (depth === 0) break;
        }
      }
      const inner = p.slice(i + 1, j).trim();
      i = j + 1;
      if (inner === '*') steps.push({ wildcard: true });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push({ filter: parseFilter(inner.slice(2, -1)) });
      else if (/^["'].*["']$/.test(inner)) steps.push({ field: unquote(inner) });
      else if (/^-?\d*:-?\d*(:\d+)?$/.test(inner)) {
        const [a, b] = inner.split(':');
        steps.push({ slice: [a === '' ? undefined : Number(a), b === '' ? undefined : Number(b)] });
      } else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (inner.includes(',')) steps.push({ union: inner.split(',').map((x) => parseLiteral(x)) });
      else throw new JsonPathError(`invalid array index ${inner}`);
      continue;
    }
    throw new JsonPathError(`unrecognized character in action: ${JSON.stringify(p[i])}`);
  }
  return steps;
}

function parseFilter(f) {
  const m = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(f.trim());
  if (m) return { path: parsePath(m[1].trim()), op: m[2], value: parseLiteral(m[3]) };
  return { path: parsePath(f.trim()), op: 'exists' };
}

function applySteps(values, steps) {
  let cur = values;
  for (const s of steps) {
    const next = [];
    for (const v of cur) {
      if (v === null || v === undefined) continue;
      if (s.field !== undefined) {
        if (typeof v === 'object' && !Array.isArray(v) && s.field in v) next.push(v[s.field]);
      } else if (s.wildcard) {
        if (Array.isArray(v)) next.push(...v);
        else if (typeof v === 'object') next.push(...Object.values(v));
      } else if (s.index !== undefined) {
        if (Array.isArray(v)) {
          const idx = s.index < 0 ? v.length + s.index : s.index;
          if (idx >= 0 && idx < v.length) next.push(v[idx]);
        }
      } else if (s.slice) {
        if (Array.isArray(v)) next.push(...v.slice(s.slice[0], s.slice[1]));
      } else if (s.union) {
        for (const u of s.union) {
          if (Array.isArray(v) && typeof u === 'number') {
            if (v[u] !== undefined) next.push(v[u]);
          } else if (typeof v === 'object' && u in v) next.push(v[u]);
        }
      } else if (s.filter) {
        const items = Array.isArray(v) ? v : [v];
        for (const it of items) {
          const got = applySteps([it], s.filter.path);
          if (s.filter.op === 'exists') {
            if (got.length && got[0] !== undefined) next.push(it);
            continue;
          }
          if (!got.length) continue;
          const a = got[0];
          const b = s.filter.value;
          const ok =
            s.filter.op === '=='
              ? String(a) === String(b)
              : s.filter.op === '!='
                ? String(a) !== String(b)
                : s.filter.op === '<'
                  ? Number(a) < Number(b)
                  : s.filter.op === '>'
                    ? Number(a) > Number(b)
                    : s.filter.op === '<='
                      ? Number(a) <= Number(b)
                      : Number(a) >= Number(b);
          if (ok) next.push(it);
        }
      } else if (s.recursive !== undefined) {
        const walk = (x) => {
          if (x && typeof x === 'object') {
            if (!Array.isArray(x) && s.recursive in x) next.push(x[s.recursive]);
            for (const c of Object.values(x)) walk(c);
          }
        };
        walk(v);
      }
    }
    cur = next;
  }
  return cur;
}

function show(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Evaluate a single path expression (no braces) against `data`; returns the matched values. */
export function jsonPathValues(data, expr) {
  return applySteps([data], parsePath(expr.trim()));
}

/** Render a kubectl JSONPath template. */
export function renderJsonPath(tpl, data) {
  const parts = splitTemplate(tpl);
  let pos = 0;
  const run = (ctx, stopAtEnd) => {
    let out = '';
    while (pos < parts.length) {
      const p = parts[pos];
      if (p.text !== undefined) {
        out += p.text;
        pos++;
        continue;
      }
      const e = p.expr;
      if (e === 'end') {
        if (!stopAtEnd) throw new JsonPathError('not in range, nothing to end');
        pos++;
        return out;
      }
      if (e.startsWith('range ')) {
        pos++;
        const items = applySteps([ctx], parsePath(e.slice(6).trim()));
        const list = items.length === 1 && Array.isArray(items[0]) ? items[0] : items;
        const bodyStart = pos;
        if (list.length === 0) {
          // skip to matching end
          let depth = 1;
          while (pos < parts.length && depth > 0) {
            const x = parts[pos].expr;
            if (x && x.startsWith('range ')) depth++;
            if (x === 'end') depth--;
            pos++;
          }
          continue;
        }
        for (const it of list) {
          pos = bodyStart;
          out += run(it, true);
        }
        continue;
      }
      pos++;
      if (/^["'].*["']$/s.test(e)) {
        out += unquote(e);
        continue;
      }
      const vals = applySteps([ctx], parsePath(e));
      out += vals.map(show).join(' ');
    }
    if (stopAtEnd) throw new JsonPathError('range without end');
    return out;
  };
  return run(data, false);
}
