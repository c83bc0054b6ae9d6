// Environment knobs of the fakes. Every knob is documented in test/fakes/README.md.
import { CliExit } from './util.mjs';

function intKnob(tool, name, def) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new CliExit(2, `fake ${tool}: configuration error: ${name}=${JSON.stringify(raw)} is not a non-negative number`);
  }
  return n;
}

function jsonKnob(tool, name, def, check) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  let v;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new CliExit(2, `fake ${tool}: configuration error: ${name} is not valid JSON: ${e.message}`);
  }
  const problem = check(v);
  if (problem) throw new CliExit(2, `fake ${tool}: configuration error: ${name}: ${problem}`);
  return v;
}

const RULE_KEYS = new Set(['op', 'match', 'times', 'after', 'message', 'exit', 'delayMs', 'stdout']);

function checkFailRules(v) {
  if (!Array.isArray(v)) return 'must be a JSON array of rules';
  for (const [i, r] of v.entries()) {
    if (!r || typeof r !== 'object' || Array.isArray(r)) return `rule ${i} must be an object`;
    for (const k of Object.keys(r)) if (!RULE_KEYS.has(k)) return `rule ${i}: unknown field ${JSON.stringify(k)}`;
    const ops = Array.isArray(r.op) ? r.op : [r.op];
    if (ops.length === 0 || ops.some((o) => typeof o !== 'string' || o === ''))
      return `rule ${i}: "op" must be a non-empty string or array of strings`;
    if (r.match !== undefined && typeof r.match !== 'string') return `rule ${i}: "match" must be a string`;
    for (const k of ['times', 'after', 'exit', 'delayMs']) {
      if (r[k] !== undefined && (!Number.isInteger(r[k]) || r[k] < 0)) return `rule ${i}: "${k}" must be a non-negative integer`;
    }
    if (r.message !== undefined && typeof r.message !== 'string') return `rule ${i}: "message" must be a string`;
  }
  return undefined;
}

/** Read and validate all knobs. Throws CliExit(2) on a malformed knob. */
export function readKnobs(tool) {
  const k = {
    seed: intKnob(tool, 'FAKE_SEED', 1),
    createMs: intKnob(tool, 'FAKE_KIND_CREATE_MS', 0),
    deleteMs: intKnob(tool, 'FAKE_KIND_DELETE_MS', 0),
    loadMs: intKnob(tool, 'FAKE_KIND_LOAD_MS', 0),
    exportMs: intKnob(tool, 'FAKE_KIND_EXPORT_MS', 0),
    kubectlMs: intKnob(tool, 'FAKE_KUBECTL_MS', 0),
    applyMs: intKnob(tool, 'FAKE_KUBECTL_APPLY_MS', 0),
    rolloutMs: intKnob(tool, 'FAKE_ROLLOUT_MS', 0),
    endpointsDelayMs: intKnob(tool, 'FAKE_ENDPOINTS_DELAY_MS', 0),
    nodeReadyMs: intKnob(tool, 'FAKE_NODE_READY_MS', 0),
    corednsMs: intKnob(tool, 'FAKE_COREDNS_READY_MS', 0),
    saDelayMs: intKnob(tool, 'FAKE_SA_DELAY_MS', 0),
    crashAfterMs: intKnob(tool, 'FAKE_CRASH_AFTER_MS', 100),
    crashRestartMs: intKnob(tool, 'FAKE_CRASH_RESTART_MS', 1000),
    pullBackoffMs: intKnob(tool, 'FAKE_PULL_BACKOFF_MS', 0),
    pollMs: Math.max(5, intKnob(tool, 'FAKE_POLL_MS', 100)),
    maxParallelLoads: intKnob(tool, 'FAKE_KIND_MAX_PARALLEL_LOADS', 3),
    idleDeathMs: intKnob(tool, 'FAKE_KIND_IDLE_DEATH_MS', 0),
    durations: jsonKnob(tool, 'FAKE_DURATIONS', {}, (v) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return 'must be a JSON object {"op:target": ms}';
      for (const [key, ms] of Object.entries(v)) {
        if (!/^[a-z-]+:.+/.test(key)) return `key ${JSON.stringify(key)} must look like "op:target"`;
        if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
          return `value of ${JSON.stringify(key)} must be a non-negative number`;
      }
      return undefined;
    }),
    fail: jsonKnob(tool, 'FAKE_FAIL', [], checkFailRules),
    crash: jsonKnob(tool, 'FAKE_CRASH', [], (v) =>
      Array.isArray(v) && v.every((s) => typeof s === 'string') ? undefined : 'must be a JSON array of strings like "deployment/gateway"',
    ),
    defaultKubeconfig: process.env.FAKE_DEFAULT_KUBECONFIG || '',
    dockerBin: process.env.FAKE_DOCKER_BIN || 'docker',
    podmanBin: process.env.FAKE_PODMAN_BIN || 'podman',
  };
  return k;
}

/**
 * Modelled duration of `op`: the first "op:target" key of FAKE_DURATIONS that
 * matches one of `targets` (in order), else `def`.
 */
export function durationFor(knobs, op, targets, def) {
  for (const t of targets) {
    if (t === undefined || t === '') continue;
    const v = knobs.durations[`${op}:${t}`];
    if (v !== undefined) return Math.round(v);
  }
  return Math.round(def);
}

/** True if the FAKE_CRASH list names this workload (`kind/name`, `ns/kind/name` or `name`). */
export function isCrashTarget(knobs, kind, namespace, name) {
  const k = kind.toLowerCase();
  return knobs.crash.some((c) => c === name || c === `${k}/${name}` || c === `${namespace}/${k}/${name}` || c === `${namespace}/${name}`);
}
