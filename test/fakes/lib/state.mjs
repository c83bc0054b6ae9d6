// State of the fake clusters, shared by every fake process through files in
// $HYBRID_FAKE_STATE. All mutations happen under one lock file (O_EXCL create,
// stale locks of dead processes are broken) and state is written atomically
// (write to a temp file, then rename), so many fakes can run in parallel.
import fs from 'node:fs';
import path from 'node:path';
import { CliExit, hash32, pidAlive, sleepSync, stableStringify } from './util.mjs';

export function stateDir(tool) {
  const dir = process.env.HYBRID_FAKE_STATE;
  if (!dir) {
    throw new CliExit(
      2,
      `fake ${tool}: HYBRID_FAKE_STATE is not set. The fake ${tool} keeps its cluster state and call log in that directory; ` +
        `set it (test/helpers/fakes.ts createFakeEnv() does) before running the fake.`,
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const STALE_LOCK_MS = 10_000;

/** Run `fn` while holding the state lock. Synchronous: signals cannot interrupt it. */
export function withLock(dir, fn) {
  const lock = path.join(dir, 'state.lock');
  const started = Date.now();
  let attempt = 0;
  for (;;) {
    try {
      const fd = fs.openSync(lock, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let stale = false;
      try {
        const owner = Number(fs.readFileSync(lock, 'utf8').trim());
        const st = fs.statSync(lock);
        stale = (owner > 0 && !pidAlive(owner)) || Date.now() - st.mtimeMs > STALE_LOCK_MS;
      } catch {
        // lock vanished or is being written: retry
      }
      if (stale) {
        try {
          fs.unlinkSync(lock);
        } catch {
          // someone else broke it
        }
        continue;
      }
      if (Date.now() - started > 30_000) throw new Error(`fake: could not acquire ${lock} within 30s`);
      attempt++;
      sleepSync(Math.min(20, 1 + attempt) + (hash32(`${process.pid}:${attempt}`) % 5));
    }
  }
  try {
    return fn();
  } finally {
    try {
      fs.unlinkSync(lock);
    } catch {
      // ignore
    }
  }
}

function emptyState() {
  return { version: 1, clusters: {}, failCounters: {} };
}

export function readState(dir) {
  const file = path.join(dir, 'state.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return emptyState();
    throw e;
  }
}

export function writeFileAtomic(file, content) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

function writeState(dir, state) {
  writeFileAtomic(path.join(dir, 'state.json'), JSON.stringify(state, null, 1));
}

/** Read-modify-write the state under the lock. `fn` may return a value. `skipWrite`: read under the lock only. */
export function updateState(dir, fn, { skipWrite = false } = {}) {
  return withLock(dir, () => {
    const state = readState(dir);
    const result = fn(state);
    if (!skipWrite) writeState(dir, state);
    return result;
  });
}

// ---------------------------------------------------------------- failures

function ruleMatches(rule, opIds, subjects) {
  const ops = Array.isArray(rule.op) ? rule.op : [rule.op];
  if (!ops.some((o) => opIds.includes(o))) return false;
  if (rule.match === undefined || rule.match === '') return true;
  let test;
  if (rule.match.length > 2 && rule.match.startsWith('/') && rule.match.endsWith('/')) {
    const re = new RegExp(rule.match.slice(1, -1));
    test = (s) => re.test(s);
  } else {
    test = (s) => s.includes(rule.match);
  }
  return subjects.some((s) => typeof s === 'string' && test(s));
}

/**
 * Decide whether this call fails by FAKE_FAIL. Counters are persisted so
 * `times: 1` fails only the first matching call (across processes).
 * Returns the firing rule (with its index) or undefined.
 */
export function consumeFailure(dir, rules, opIds, subjects) {
  if (!rules.length) return undefined;
  const matching = rules.map((r, i) => ({ r, i })).filter(({ r }) => ruleMatches(r, opIds, subjects));
  if (!matching.length) return undefined;
  return updateState(dir, (state) => {
    state.failCounters ??= {};
    let fired;
    for (const { r, i } of matching) {
      const key = `${i}:${hash32(stableStringify(r)).toString(16)}`;
      const c = (state.failCounters[key] ??= { seen: 0, failed: 0 });
      c.seen++;
      if (fired) continue;
      if (c.seen <= (r.after ?? 0)) continue;
      if (r.times !== undefined && c.failed >= r.times) continue;
      c.failed++;
      fired = { ...r, index: i };
    }
    return fired;
  });
}

// ---------------------------------------------------------------- clusters

/** Clusters visible to a kind process using this provider. */
export function visibleClusters(state, provider) {
  return Object.values(state.clusters).filter((c) => c.provider === provider);
}
