// Kubeconfig files: written by `kind create cluster`, read by kubectl.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { yaml } from './yaml.mjs';
import { withLock, writeFileAtomic } from './state.mjs';
import { toYaml } from './util.mjs';

/** Default kubeconfig path: FAKE_DEFAULT_KUBECONFIG (tests) else $HOME/.kube/config. */
export function defaultKubeconfigPath(knobs) {
  return knobs.defaultKubeconfig || path.join(os.homedir(), '.kube', 'config');
}

/** The file kind writes to: --kubeconfig, else first entry of $KUBECONFIG, else the default. */
export function kindKubeconfigTarget(flag, knobs) {
  if (flag) return flag;
  const env = process.env.KUBECONFIG;
  if (env) {
    const first = env.split(path.delimiter).find((p) => p !== '');
    if (first) return first;
  }
  return defaultKubeconfigPath(knobs);
}

// Parsed kubeconfigs are cached in the state dir, keyed by path + inode + size + mtime,
// so most kubectl calls do not need to load the YAML parser at all.
function cacheFile() {
  return process.env.HYBRID_FAKE_STATE ? path.join(process.env.HYBRID_FAKE_STATE, 'kubeconfig-cache.json') : undefined;
}

function statKey(st) {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

function readCache() {
  const f = cacheFile();
  if (!f) return {};
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch {
    return {};
  }
}

function remember(file, st, doc) {
  const f = cacheFile();
  if (!f) return;
  const cache = readCache();
  cache[path.resolve(file)] = { key: statKey(st), doc };
  try {
    writeFileAtomic(f, JSON.stringify(cache));
  } catch {
    // the cache is only an optimisation
  }
}

function load(file) {
  let st;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
  const hit = readCache()[path.resolve(file)];
  if (hit && hit.key === statKey(st)) return hit.doc;
  const text = fs.readFileSync(file, 'utf8');
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = yaml().parse(text);
  }
  doc = doc && typeof doc === 'object' ? doc : {};
  remember(file, st, doc);
  return doc;
}

function save(file, cfg) {
  writeFileAtomic(file, toYaml(cfg));
  remember(file, fs.statSync(file), JSON.parse(JSON.stringify(cfg)));
}

function empty() {
  return { apiVersion: 'v1', clusters: [], contexts: [], 'current-context': '', kind: 'Config', preferences: {}, users: [] };
}

function upsert(list, entry) {
  const i = list.findIndex((e) => e?.name === entry.name);
  if (i === -1) list.push(entry);
  else list[i] = entry;
}

/** Merge a kind cluster's entries into `file` and make it the current context (like kind). */
export function writeKindKubeconfig(file, clusterName, port) {
  // kind takes a lock on the kubeconfig; parallel creates must not lose each other's entries
  const dir = process.env.HYBRID_FAKE_STATE;
  if (dir) return withLock(dir, () => writeKindKubeconfigUnlocked(file, clusterName, port));
  return writeKindKubeconfigUnlocked(file, clusterName, port);
}

function writeKindKubeconfigUnlocked(file, clusterName, port) {
  const cfg = load(file) ?? empty();
  for (const k of ['clusters', 'contexts', 'users']) if (!Array.isArray(cfg[k])) cfg[k] = [];
  const n = `kind-${clusterName}`;
  // Real kind writes https with the cluster's CA and a client certificate (kind pkg/cluster/internal/kubeconfig);
  // the emulator speaks plain http on 127.0.0.1, so the entry has no CA and no credentials.
  upsert(cfg.clusters, { cluster: { server: `http://127.0.0.1:${port}` }, name: n });
  upsert(cfg.contexts, { context: { cluster: n, user: n }, name: n });
  upsert(cfg.users, { name: n, user: {} });
  cfg['current-context'] = n;
  cfg.kind ??= 'Config';
  cfg.apiVersion ??= 'v1';
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  save(file, cfg);
}

/** Remove a kind cluster's entries from `file` (like `kind delete cluster`). */
export function removeKindKubeconfig(file, clusterName) {
  const dir = process.env.HYBRID_FAKE_STATE;
  if (dir) return withLock(dir, () => removeKindKubeconfigUnlocked(file, clusterName));
  return removeKindKubeconfigUnlocked(file, clusterName);
}

function removeKindKubeconfigUnlocked(file, clusterName) {
  const cfg = load(file);
  if (!cfg) return;
  const n = `kind-${clusterName}`;
  let mutated = false;
  for (const k of ['clusters', 'contexts', 'users']) {
    if (!Array.isArray(cfg[k])) continue;
    const kept = cfg[k].filter((e) => e?.name !== n);
    mutated ||= kept.length !== cfg[k].length;
    cfg[k] = kept;
  }
  if (cfg['current-context'] === n) {
    cfg['current-context'] = '';
    mutated = true;
  }
  // kind writes the file back only when it removed something (remove.go:45-50)
  if (mutated) save(file, cfg);
}

/** The kubeconfig text kind prints for `kind get kubeconfig`. */
export function kindKubeconfigText(clusterName, port, internal) {
  const n = `kind-${clusterName}`;
  const server = internal ? `https://${clusterName}-control-plane:6443` : `http://127.0.0.1:${port}`;
  return toYaml({
    apiVersion: 'v1',
    clusters: [{ cluster: { server }, name: n }],
    contexts: [{ context: { cluster: n, user: n }, name: n }],
    'current-context': n,
    kind: 'Config',
    preferences: {},
    users: [{ name: n, user: {} }],
  });
}

export class KubeconfigError extends Error {}

/**
 * Resolve the server kubectl talks to, like client-go's loading rules.
 * Returns { server, host, port, context, namespace, files }.
 */
export function resolveKubectlTarget({ kubeconfigFlag, contextFlag, serverFlag, knobs }) {
  let files;
  if (kubeconfigFlag) {
    if (!fs.existsSync(kubeconfigFlag)) throw new KubeconfigError(`stat ${kubeconfigFlag}: no such file or directory`);
    files = [kubeconfigFlag];
  } else if (process.env.KUBECONFIG) {
    files = process.env.KUBECONFIG.split(path.delimiter).filter((p) => p !== '');
  } else {
    files = [defaultKubeconfigPath(knobs)];
  }
  const merged = { clusters: {}, contexts: {}, users: {}, current: '' };
  for (const f of files) {
    let cfg;
    try {
      cfg = load(f);
    } catch (e) {
      throw new KubeconfigError(`error loading config file "${f}": ${e.message}`);
    }
    if (!cfg) continue;
    if (!merged.current && cfg['current-context']) merged.current = cfg['current-context'];
    for (const [k, dst] of [
      ['clusters', merged.clusters],
      ['contexts', merged.contexts],
      ['users', merged.users],
    ]) {
      for (const e of Array.isArray(cfg[k]) ? cfg[k] : []) if (e?.name && !(e.name in dst)) dst[e.name] = e;
    }
  }
  const ctxName = contextFlag || merged.current;
  let server = 'http://localhost:8080';
  let namespace = '';
  if (contextFlag && !merged.contexts[contextFlag]) {
    throw new KubeconfigError(`context was not found for specified context: ${contextFlag}`);
  }
  if (ctxName && merged.contexts[ctxName]) {
    const ctx = merged.contexts[ctxName].context ?? {};
    namespace = ctx.namespace ?? '';
    const cl = merged.clusters[ctx.cluster];
    if (!cl) throw new KubeconfigError(`cluster has no server defined`);
    server = cl.cluster?.server ?? server;
  }
  if (serverFlag) server = serverFlag;
  let u;
  try {
    u = new URL(server);
  } catch {
    throw new KubeconfigError(`couldn't parse server ${JSON.stringify(server)}`);
  }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return { server, host: u.hostname, hostPort: `${u.hostname}:${port}`, port, context: ctxName, namespace, files };
}
