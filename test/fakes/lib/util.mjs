// Shared helpers for the fake `kind` and `kubectl` executables.
// Plain ESM JavaScript, no build step.

/** Error that ends the fake CLI with a message on stderr and an exit code. */
export class CliExit extends Error {
  /**
   * @param {number} code exit code
   * @param {string} [stderr] text written to stderr (a trailing newline is added if missing)
   * @param {Record<string, unknown>} [extra] fields merged into the call record
   */
  constructor(code, stderr = '', extra = {}) {
    super(stderr || `exit ${code}`);
    this.code = code;
    this.stderr = stderr;
    this.extra = extra;
  }
}

/** Configuration error of the fake itself (bad knob); exit code 2. */
export function configError(tool, message) {
  return new CliExit(2, `fake ${tool}: configuration error: ${message}`);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

const sleepBuf = new Int32Array(new SharedArrayBuffer(4));
/** Blocking sleep (used only for short lock back-off). */
export function sleepSync(ms) {
  Atomics.wait(sleepBuf, 0, 0, Math.max(0, ms));
}

/** FNV-1a 32-bit hash of a string. */
export function hash32(str) {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Deterministic pseudo-random generator (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
/** Kubernetes-style random suffix, deterministic in `key`. */
export function k8sSuffix(key, len = 5) {
  const r = rng(hash32(key));
  let s = '';
  for (let i = 0; i < len; i++) s += ALNUM[Math.floor(r() * ALNUM.length)];
  return s;
}

/** Hex string deterministic in `key`. */
export function hexOf(key, len = 12) {
  let s = '';
  let i = 0;
  while (s.length < len) s += hash32(`${key}#${i++}`).toString(16).padStart(8, '0');
  return s.slice(0, len);
}

/** A UUID-shaped string deterministic in `key`. */
export function uidOf(key) {
  const h = hexOf(key, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const UNIT_MS = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parse a Go time.Duration string ("1m30s", "500ms", "0"). Returns milliseconds.
 * Throws an Error whose message matches Go's (`time: invalid duration "x"`).
 */
export function parseGoDuration(input) {
  const orig = input;
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration ${JSON.stringify(orig)}`);
  let total = 0;
  while (s !== '') {
    const num = /^([0-9]*(?:\.[0-9]*)?)/.exec(s);
    const n = num ? num[1] : '';
    if (n === '' || n === '.') throw new Error(`time: invalid duration ${JSON.stringify(orig)}`);
    s = s.slice(n.length);
    const unit = /^([^0-9.]*)/.exec(s);
    const u = unit ? unit[1] : '';
    if (u === '') throw new Error(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const mult = UNIT_MS[u];
    if (mult === undefined) throw new Error(`time: unknown unit ${JSON.stringify(u)} in duration ${JSON.stringify(orig)}`);
    total += Number(n) * mult;
    s = s.slice(u.length);
  }
  return sign * total;
}

/** Format milliseconds like Go's Duration.String() (e.g. "1m30s", "500ms", "0s"). */
export function formatGoDuration(ms) {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let rest = ms / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const sec = Number(rest.toFixed(3));
  let out = '';
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${sec}s`;
  return out;
}

/** kubectl-style human age ("5s", "3m2s", "10m", "5h", "2d"). */
export function humanAge(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

export function isoTime(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** JSON.stringify with sorted keys (for change detection). */
export function stableStringify(v) {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function clone(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/** True if a process with this pid is alive. */
export function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e && e.code === 'EPERM';
  }
}

/** Render an aligned table like kubectl's human printer (3 spaces between columns). */
export function renderTable(headers, rows, noHeaders = false) {
  const all = noHeaders ? rows : [headers, ...rows];
  if (all.length === 0) return '';
  const widths = headers.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  return (
    all
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? String(c ?? '') : String(c ?? '').padEnd(widths[i] + 3)))
          .join('')
          .replace(/\s+$/, ''),
      )
      .join('\n') + '\n'
  );
}

const YAML_RESERVED =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function yamlScalar(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  if (s === '' || YAML_RESERVED.test(s) || !/^[A-Za-z0-9_./@$(][^\n]*$/.test(s) || /: |\s#|:$|\s$|[\t"'`{}[\],&*!|>%]/.test(s))
    return JSON.stringify(s);
  return s;
}

/**
 * Serialise JSON-like data as block YAML in kubectl's style (sequences are not
 * indented under their key). Used for every YAML the fakes print or write, so
 * the `yaml` package is only needed for parsing.
 */
export function toYaml(value) {
  const lines = [];
  const isEmpty = (v) => (Array.isArray(v) ? v.length === 0 : v && typeof v === 'object' ? Object.keys(v).length === 0 : false);
  const isColl = (v) => v !== null && typeof v === 'object';
  const emit = (v, pad) => {
    if (Array.isArray(v)) {
      for (const item of v) {
        if (isColl(item) && !isEmpty(item)) {
          const sub = [];
          const save = lines.length;
          emit(item, `${pad}  `);
          sub.push(...lines.splice(save));
          sub[0] = `${pad}- ${sub[0].slice(pad.length + 2)}`;
          lines.push(...sub);
        } else lines.push(`${pad}- ${isColl(item) ? (Array.isArray(item) ? '[]' : '{}') : yamlScalar(item)}`);
      }
      return;
    }
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) continue;
      const key = yamlScalar(k);
      if (isColl(val) && !isEmpty(val)) {
        lines.push(`${pad}${key}:`);
        emit(val, Array.isArray(val) ? pad : `${pad}  `);
      } else if (isColl(val)) lines.push(`${pad}${key}: ${Array.isArray(val) ? '[]' : '{}'}`);
      else if (typeof val === 'string' && val.includes('\n') && !/[\t\r]/.test(val) && !/(^|\n) /.test(val) && !/\n\n$/.test(val)) {
        lines.push(`${pad}${key}: |${val.endsWith('\n') ? '' : '-'}`);
        for (const l of val.replace(/\n$/, '').split('\n')) lines.push(l === '' ? '' : `${pad}  ${l}`);
      } else lines.push(`${pad}${key}: ${yamlScalar(val)}`);
    }
  };
  if (!isColl(value) || isEmpty(value)) return `${isColl(value) ? (Array.isArray(value) ? '[]' : '{}') : yamlScalar(value)}\n`;
  emit(value, '');
  return `${lines.join('\n')}\n`;
}
