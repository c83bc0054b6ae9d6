// Kubernetes API emulator: one HTTP server per fake cluster, on 127.0.0.1, that the real kubectl talks to.
//
// `kind create cluster` (lib/kind.mjs) starts it as a detached process and writes its address into the kubeconfig;
// it exits by itself when its cluster leaves the state (kind delete) or dies (FAKE_KIND_IDLE_DEATH_MS), so a
// connection to a deleted or dead cluster is refused, as with real kind.
//
// The objects come from the time-based model (lib/model.mjs): every tick (FAKE_POLL_MS) the server evaluates the
// cluster at "now", diffs it against the last snapshot and turns the differences into watch events with the
// server's own resourceVersions, so list-then-watch behaves like the real API server:
// - list: `metadata.resourceVersion` of the list is the latest event's (apiserver/pkg/storage/cacher/cacher.go);
// - watch from a resourceVersion replays every later event; one older than the kept history gets
//   `410 Gone` / `Expired` ("too old resource version"), as etcd3/watcher.go does after compaction;
// - watch without a resourceVersion (or "0") starts with an ADDED event per object (synthetic initial events);
// - bookmarks (`allowWatchBookmarks=true`) carry the current resourceVersion.
//
// What the real kubectl sends was checked with `kubectl -v=8` against this server; see test/fakes/README.md.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { durationFor, isCrashTarget } from './knobs.mjs';
import { evaluate, parseLabelSelector, selectorMatches } from './model.mjs';
import { allTypes, apiVersionOf, objKey, typeForManifest } from './resources.mjs';
import { storeObject, touch } from './cluster.mjs';
import { consumeFailure, readState, updateState } from './state.mjs';
import { clone, humanAge, isoTime, sleep } from './util.mjs';
import { yaml } from './yaml.mjs';

const HISTORY = 50_000;
const DISCOVERY_PREFIXES = ['/version', '/api', '/apis', '/openapi', '/healthz', '/readyz', '/livez'];

/** Run the emulator of cluster `name`; resolves when it stops. Writes {pid, port} to `portFile` once listening. */
export async function apiserverMain({ dir, name, knobs, portFile }) {
  let rv = 1000;
  /** key -> { rv, digest, obj, type } of the last snapshot */
  let current = new Map();
  const history = []; // { rv, type, key, obj, t }
  const watchers = new Set();
  let lastTick = 0;
  let cluster;
  let stopping = false;

  const callLog = (rec) => {
    try {
      fs.appendFileSync(path.join(dir, 'calls.jsonl'), `${JSON.stringify({ tool: 'apiserver', cluster: name, ...rec })}\n`);
    } catch {
      // state dir removed: nothing to log into
    }
  };

  const loadCluster = () => readState(dir).clusters[name];

  /** Evaluates the model and records the differences as events. */
  const tick = (force = false) => {
    const now = Date.now();
    if (!force && now - lastTick < 15 && cluster) return;
    lastTick = now;
    const c = loadCluster();
    if (!c || c.status !== 'ready' || c.dead) return shutdown();
    cluster = c;
    const world = evaluate(c, now, knobs);
    const next = new Map();
    for (const objs of Object.values(world.byKind)) {
      for (const o of objs) {
        const type = typeForManifest(c, o.apiVersion, o.kind);
        if (!type) continue;
        const key = objKey(type, o.metadata.namespace, o.metadata.name);
        const obj = { ...o, metadata: { ...o.metadata } };
        delete obj.metadata.resourceVersion;
        const digest = JSON.stringify(obj);
        const prev = current.get(key);
        if (prev && prev.digest === digest) {
          next.set(key, prev);
          continue;
        }
        obj.metadata.resourceVersion = String(++rv);
        const entry = { rv, digest, obj, type };
        next.set(key, entry);
        emit({ rv, type: prev ? 'MODIFIED' : 'ADDED', key, obj, t: type });
      }
    }
    for (const [key, prev] of current) {
      if (next.has(key)) continue;
      const obj = { ...prev.obj, metadata: { ...prev.obj.metadata, resourceVersion: String(++rv) } };
      emit({ rv, type: 'DELETED', key, obj, t: prev.type });
    }
    current = next;
    // The moment each workload became ready, as the model sees it: the truth the engine tests order applies against.
    for (const [key, e] of next) {
      const ready = workloadReady(e.obj);
      if (ready === undefined) continue;
      if (ready && !readyKeys.has(key)) {
        readyKeys.add(key);
        callLog({ op: 'ready', kind: e.obj.kind, namespace: e.obj.metadata.namespace ?? null, name: e.obj.metadata.name, t: now });
      } else if (!ready) readyKeys.delete(key);
    }
  };
  const readyKeys = new Set();

  const emit = (ev) => {
    history.push(ev);
    if (history.length > HISTORY) history.splice(0, history.length - HISTORY);
    for (const w of watchers) w.offer(ev);
  };

  // ------------------------------------------------------------------ HTTP

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, status(500, 'InternalError', `emulator: ${e && e.stack ? e.stack : String(e)}`));
      else res.destroy();
    });
  });
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function shutdown() {
    if (stopping) return;
    stopping = true;
    for (const w of watchers) w.close();
    server.close();
    for (const s of sockets) s.destroy();
    clearInterval(timer);
  }

  let lastTouch = 0;
  const touchCluster = () => {
    const now = Date.now();
    if (now - lastTouch < 250 && !knobs.idleDeathMs) return true;
    lastTouch = now;
    const r = updateState(dir, (state) => {
      const c = state.clusters[name];
      if (!c) return { gone: true };
      return touch(c, now, knobs);
    });
    if (r.gone || r.dead) {
      shutdown();
      return false;
    }
    return true;
  };

  async function handle(req, res) {
    const url = new URL(req.url, 'http://127.0.0.1');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const discovery = DISCOVERY_PREFIXES.some(
      (d) => p === d || (p.startsWith(`${d}/`) && !/^\/apis?\/[^/]+(\/[^/]+)?\/(namespaces|[a-z]+)/.test(p)),
    );
    if (!touchCluster()) return req.socket.destroy();
    tick();
    if (stopping) return req.socket.destroy();
    const isWatch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
    if (!discovery && !isWatch && knobs.kubectlMs) await sleep(knobs.kubectlMs);
    if (p === '/version') return send(res, 200, versionInfo());
    if (p === '/healthz' || p === '/readyz' || p === '/livez') return sendText(res, 200, 'ok');
    if (p === '/api')
      return send(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '172.18.0.2:6443' }],
      });
    if (p === '/apis') return send(res, 200, groupList());
    if (p === '/openapi/v3') return send(res, 200, openapiRoot());
    if (p.startsWith('/openapi/v3/')) return openapiDoc(res, p.slice('/openapi/v3/'.length));
    if (p === '/openapi/v2') {
      // kubectl reads the v2 document (protobuf only) for client-side schema validation of what the v3 check could
      // not clear, e.g. an unknown kind: an empty Document (zero bytes of protobuf) knows no type, so kubectl skips
      // validation and reports the missing mapping itself, as against a real server.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 0 });
      return res.end();
    }
    if (p.startsWith('/openapi/')) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const r = parseResourcePath(p);
    if (!r) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (r.discovery) return send(res, 200, resourceList(r.group, r.version));
    return resource(req, res, url, r, isWatch);
  }

  function parseResourcePath(p) {
    const seg = p.split('/').filter(Boolean).map(decodeURIComponent);
    let group;
    let version;
    let rest;
    if (seg[0] === 'api' && seg[1]) [group, version, rest] = ['', seg[1], seg.slice(2)];
    else if (seg[0] === 'apis' && seg[1] && seg[2]) [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
    else return undefined;
    if (!allTypes(cluster).some((t) => t.group === group && t.versions.includes(version))) return undefined;
    if (!rest.length) return { discovery: true, group, version };
    let namespace;
    if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && ['status', 'finalize'].includes(rest[2]))) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, objName, sub] = rest;
    const type = allTypes(cluster).find((t) => t.group === group && t.versions.includes(version) && t.plural === plural);
    if (!type) return { missing: plural, group, version };
    return { group, version, type, namespace: type.namespaced ? namespace : undefined, name: objName, sub };
  }

  // ------------------------------------------------------------------ resources

  async function resource(req, res, url, r, isWatch) {
    if (r.missing) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const { type, namespace, name: objName, sub } = r;
    const method = req.method;
    if (method === 'GET' && !objName) {
      if (isWatch) return watch(req, res, url, r);
      return list(req, res, url, r);
    }
    if (method === 'GET') {
      const e = current.get(objKey(type, namespace, objName));
      if (!e) return send(res, 404, notFound(type, objName));
      if (sub === 'log') return logs(res, url, e.obj);
      return sendObject(req, res, 200, e.obj, type);
    }
    const body = await readBody(req);
    if (method === 'PATCH' || method === 'PUT' || method === 'POST') {
      const ct = (req.headers['content-type'] ?? '').split(';')[0].trim();
      let obj;
      try {
        obj = ct === 'application/apply-patch+yaml' ? yaml().parse(body) : JSON.parse(body);
      } catch (e) {
        return send(res, 400, status(400, 'BadRequest', `error decoding ${ct}: ${e.message}`));
      }
      if (method === 'PATCH' && ct !== 'application/apply-patch+yaml') {
        const e = current.get(objKey(type, namespace, objName));
        if (!e) return send(res, 404, notFound(type, objName));
        obj = mergePatch(clone(e.obj), obj);
      }
      return await write(
        req,
        res,
        url,
        r,
        obj,
        method === 'PATCH' && ct === 'application/apply-patch+yaml' ? 'apply' : method.toLowerCase(),
      );
    }
    if (method === 'DELETE') return remove(res, r);
    return send(res, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
  }

  function matching(url, r) {
    const ls = url.searchParams.get('labelSelector');
    const fs_ = url.searchParams.get('fieldSelector');
    const reqs = ls ? parseLabelSelector(ls) : undefined;
    return (obj) =>
      (!r.namespace || obj.metadata.namespace === r.namespace) &&
      (!reqs || selectorMatches(reqs, obj.metadata.labels ?? {})) &&
      fieldSelectorMatches(fs_, obj);
  }

  function list(req, res, url, r) {
    const rule = consumeFailure(dir, knobs.fail, ['apiserver:list'], [url.pathname]);
    if (rule)
      return send(
        res,
        rule.exit ?? 500,
        status(rule.exit ?? 500, 'InternalError', rule.message ?? `Internal error occurred: injected by FAKE_FAIL rule ${rule.index}`),
      );
    const ok = matching(url, r);
    const items = [...current.values()]
      .filter((e) => e.type === r.type && ok(e.obj))
      .map((e) => e.obj)
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
    callLog({ op: 'list', path: url.pathname, query: url.search, t: Date.now() });
    if (wantsTable(req)) return send(res, 200, table(r.type, items));
    return send(res, 200, {
      kind: `${r.type.kind}List`,
      apiVersion: apiVersionOf(r.type),
      metadata: { resourceVersion: String(rv) },
      items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
    });
  }

  function watch(req, res, url, r) {
    const ok = matching(url, r);
    const from = url.searchParams.get('resourceVersion') ?? '';
    const bookmarks = url.searchParams.get('allowWatchBookmarks') === 'true';
    const timeoutS = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    callLog({ op: 'watch', path: url.pathname, query: url.search, t: Date.now() });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // The API server answers a watch at once (client-go waits for the response headers before it reports the watch
    // as started; without this, Node would hold them back until the first event).
    res.flushHeaders();
    const line = (type, obj) => res.write(`${JSON.stringify({ type, object: obj })}\n`);
    let closed = false;
    const w = {
      offer(ev) {
        if (!closed && ev.t === r.type && ok(ev.obj)) line(ev.type, ev.obj);
      },
      close() {
        if (closed) return;
        closed = true;
        watchers.delete(w);
        clearInterval(bm);
        clearTimeout(to);
        res.end();
      },
    };
    if (from === '' || from === '0') {
      for (const e of current.values()) if (e.type === r.type && ok(e.obj)) line('ADDED', e.obj);
    } else {
      const since = Number(from);
      const oldest = history.length ? history[0].rv : rv + 1;
      if (!Number.isFinite(since) || since < oldest - 1) {
        line('ERROR', status(410, 'Expired', `too old resource version: ${from} (${oldest - 1})`));
        return res.end();
      }
      for (const ev of history) if (ev.rv > since) w.offer(ev);
    }
    watchers.add(w);
    const bm = setInterval(() => {
      if (bookmarks) line('BOOKMARK', { kind: r.type.kind, apiVersion: apiVersionOf(r.type), metadata: { resourceVersion: String(rv) } });
    }, 5000);
    const to = timeoutS > 0 ? setTimeout(() => w.close(), timeoutS * 1000) : undefined;
    req.on('close', () => w.close());
  }

  async function write(req, res, url, r, obj, verb) {
    const { type } = r;
    if (!obj || typeof obj !== 'object' || !obj.metadata?.name)
      return send(res, 400, status(400, 'BadRequest', 'metadata.name: Required value'));
    if (r.name && obj.metadata.name !== r.name)
      return send(
        res,
        400,
        status(400, 'BadRequest', `the name of the object (${obj.metadata.name}) does not match the name on the URL (${r.name})`),
      );
    if (type.synthetic && type.kind !== 'Pod')
      return send(res, 405, status(405, 'MethodNotAllowed', `emulator: ${type.plural} are computed by the model and cannot be written`));
    const ns = type.namespaced ? (r.namespace ?? obj.metadata.namespace ?? 'default') : undefined;
    obj.metadata.namespace = ns;
    const manager = url.searchParams.get('fieldManager') ?? (verb === 'apply' ? undefined : 'kubectl-client-side-apply');
    if (verb === 'apply' && !manager)
      return send(res, 400, status(400, 'BadRequest', 'PATCH /apply requires a non-empty fieldManager query parameter'));
    const rule = consumeFailure(
      dir,
      knobs.fail,
      ['apply', `apiserver:${verb}`],
      [`${ns ?? ''}/${type.kind.toLowerCase()}/${obj.metadata.name}`, obj.metadata.name],
    );
    if (rule)
      return send(
        res,
        rule.exit ?? 500,
        status(rule.exit ?? 500, 'InternalError', rule.message ?? `Internal error occurred: injected by FAKE_FAIL rule ${rule.index}`),
      );
    const force = url.searchParams.get('force') === 'true';
    const dryRun = url.searchParams.get('dryRun') === 'All';
    const invalid = validate(type, obj);
    if (invalid) return send(res, 422, invalid);
    // FAKE_KUBECTL_APPLY_MS per write, plus FAKE_DURATIONS "apply:<ns>/<kind>/<name>" (or <kind>/<name>, <name>)
    const kindName = `${type.kind.toLowerCase()}/${obj.metadata.name}`;
    await sleep(knobs.applyMs + durationFor(knobs, 'apply', [`${ns ?? ''}/${kindName}`, kindName, obj.metadata.name], 0));
    const now = Date.now();
    const result = updateState(
      dir,
      (state) => {
        const c = state.clusters[name];
        if (!c) return { code: 503 };
        if (ns && !Object.values(c.objects).some((o) => o.obj.kind === 'Namespace' && o.obj.metadata.name === ns))
          return { code: 404, body: status(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' }) };
        const key = objKey(type, ns, obj.metadata.name);
        const prev = c.objects[key];
        if (verb === 'post' && prev)
          return { code: 409, body: status(409, 'AlreadyExists', `${plural(type)} "${obj.metadata.name}" already exists`) };
        if ((verb === 'put' || verb === 'patch') && !prev) return { code: 404, body: notFound(type, obj.metadata.name) };
        // Server-side apply: a field owned by another manager is a conflict unless forced
        // (apiserver/pkg/endpoints/handlers/fieldmanager; kubectl --force-conflicts sets force=true).
        if (verb === 'apply' && prev?.fieldManager && prev.fieldManager !== manager && !force) {
          const changed = JSON.stringify(prev.obj.spec ?? null) !== JSON.stringify(obj.spec ?? null);
          if (changed)
            return {
              code: 409,
              body: status(409, 'Conflict', `Apply failed with 1 conflict: conflict with "${prev.fieldManager}": .spec`, {
                causes: [{ reason: 'FieldManagerConflict', message: `conflict with "${prev.fieldManager}"`, field: '.spec' }],
              }),
            };
        }
        if (dryRun) {
          // dryRun=All: admitted and answered, never stored (apiserver handlers/patch.go, create.go)
          const scratch = clone(c);
          const { record, action } = storeObject(scratch, type, obj, now, { fieldManager: manager });
          return { code: action === 'created' ? 201 : 200, action, dryObject: record.obj };
        }
        const { action } = storeObject(c, type, obj, now, { fieldManager: manager });
        c.objects[key].applyMode = verb === 'apply' ? 'ssa' : 'csa';
        return { code: action === 'created' ? 201 : 200, key, action };
      },
      { skipWrite: dryRun },
    );
    callLog({
      op: verb,
      path: url.pathname,
      fieldManager: manager,
      force,
      t: now,
      code: result.code,
      applied: [
        {
          kind: type.kind,
          apiVersion: obj.apiVersion,
          name: obj.metadata.name,
          namespace: ns ?? null,
          action: result.action,
          containers: containersOf(obj, 'containers'),
          initContainers: containersOf(obj, 'initContainers'),
        },
      ],
    });
    if (result.code === 503) return send(res, 503, status(503, 'ServiceUnavailable', 'the cluster is gone'));
    if (result.body) return send(res, result.code, result.body);
    if (result.dryObject) return sendObject(req, res, result.code, result.dryObject, type);
    tick(true);
    const e = current.get(result.key);
    return sendObject(req, res, result.code, e.obj, type);
  }

  function remove(res, r) {
    const key = objKey(r.type, r.namespace, r.name);
    const gone = updateState(dir, (state) => {
      const c = state.clusters[name];
      if (!c?.objects[key]) return undefined;
      const o = c.objects[key];
      delete c.objects[key];
      if (o.obj.kind === 'Namespace')
        for (const [k, x] of Object.entries(c.objects)) if (x.obj.metadata.namespace === o.obj.metadata.name) delete c.objects[k];
      return o;
    });
    if (!gone) return send(res, 404, notFound(r.type, r.name));
    callLog({ op: 'delete', kind: r.type.kind, name: r.name, namespace: r.namespace ?? null, t: Date.now() });
    tick(true);
    return send(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: r.name, kind: r.type.plural, uid: gone.obj.metadata.uid },
    });
  }

  function logs(res, url, pod) {
    const container = url.searchParams.get('container') ?? pod.spec.containers?.[0]?.name;
    const all = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])];
    if (!all.some((c) => c.name === container))
      return send(res, 400, status(400, 'BadRequest', `container ${container} is not valid for pod ${pod.metadata.name}`));
    const cs = [...(pod.status.containerStatuses ?? []), ...(pod.status.initContainerStatuses ?? [])].find((x) => x.name === container);
    const waiting = cs?.state?.waiting;
    const crashed = Boolean(cs?.lastState?.terminated);
    const previous = url.searchParams.get('previous') === 'true';
    if (previous && !crashed)
      return send(
        res,
        400,
        status(400, 'BadRequest', `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`),
      );
    // kubelet's answer for a container that never ran (pkg/kubelet/kubelet_pods.go validateContainerLogStatus)
    if (waiting && !crashed) {
      const why = ['ImagePullBackOff', 'ErrImagePull'].includes(waiting.reason)
        ? 'trying and failing to pull image'
        : ['ErrImageNeverPull', 'InvalidImageName'].includes(waiting.reason)
          ? "image can't be pulled"
          : waiting.reason;
      return send(
        res,
        400,
        status(400, 'BadRequest', `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${why}`),
      );
    }
    const owner = pod.metadata.ownerReferences?.[0];
    const isCrash =
      crashed ||
      (owner
        ? isCrashTarget(
            knobs,
            owner.kind === 'ReplicaSet' ? 'Deployment' : owner.kind,
            pod.metadata.namespace,
            owner.kind === 'ReplicaSet' ? owner.name.replace(/-[^-]+$/, '') : owner.name,
          )
        : false);
    const start = Date.parse(pod.status.startTime ?? pod.metadata.creationTimestamp);
    const lines = [
      `INFO starting ${container} (image ${cs?.image ?? ''}) in pod ${pod.metadata.namespace}/${pod.metadata.name}`,
      `INFO loaded configuration from /etc/${container}/config.yaml`,
    ];
    if (isCrash && crashed) {
      const what = owner ? `${owner.kind.toLowerCase()}/${owner.name}` : `pod/${pod.metadata.name}`;
      lines.push(
        `ERROR fatal: fake crash injected by FAKE_CRASH (${what})${previous ? ' [previous instance]' : ''}`,
        'panic: fake crash injected by FAKE_CRASH',
        '',
        'goroutine 1 [running]:',
        'main.main()',
        `\t/opt/app-root/src/cmd/${container}/main.go:42 +0x1d`,
      );
    } else lines.push('INFO listening on :8080', 'INFO ready');
    const tail = Number(url.searchParams.get('tailLines') ?? -1);
    const shown = tail >= 0 ? lines.slice(Math.max(0, lines.length - tail)) : lines;
    const ts = url.searchParams.get('timestamps') === 'true';
    return sendText(res, 200, shown.map((l, i) => `${ts ? `${new Date(start + i * 7).toISOString()} ` : ''}${l}\n`).join(''));
  }

  // ------------------------------------------------------------------ discovery

  function versionInfo() {
    return {
      major: '1',
      minor: '33',
      gitVersion: 'v1.33.1',
      gitCommit: '8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828',
      gitTreeState: 'clean',
      buildDate: '2025-05-21T08:15:01Z',
      goVersion: 'go1.24.2',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
  }

  function groups() {
    const m = new Map();
    for (const t of allTypes(cluster)) {
      if (!t.group) continue;
      const g = m.get(t.group) ?? [];
      for (const v of t.versions) if (!g.includes(v)) g.push(v);
      m.set(t.group, g);
    }
    return m;
  }

  function groupList() {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups()].map(([g, vs]) => ({
        name: g,
        versions: vs.map((v) => ({ groupVersion: `${g}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${g}/${vs[0]}`, version: vs[0] },
      })),
    };
  }

  function resourceList(group, version) {
    const resources = [];
    for (const t of allTypes(cluster)) {
      if (t.group !== group || !t.versions.includes(version)) continue;
      const verbs =
        t.synthetic && t.kind !== 'Pod'
          ? ['get', 'list', 'watch']
          : ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs,
        ...(t.short.length ? { shortNames: t.short } : {}),
      });
      if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod', 'CustomResourceDefinition'].includes(t.kind))
        resources.push({
          name: `${t.plural}/status`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'patch', 'update'],
        });
      if (t.kind === 'Pod') resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }

  // OpenAPI v3, only as much as kubectl reads: the root lists one document per group-version; each document has a
  // PATCH operation per kind with the `fieldValidation` query parameter, which is how kubectl decides that the
  // server validates fields itself (cli-runtime pkg/resource/query_param_verifier_v3.go supportsQueryParamV3), so it
  // skips client-side schema validation (kubectl pkg/cmd/util/factory_client_access.go:146-179).
  function gvPaths() {
    const out = ['api/v1'];
    for (const [g, vs] of groups()) for (const v of vs) out.push(`apis/${g}/${v}`);
    return out;
  }

  function openapiRoot() {
    const paths = {};
    for (const p of gvPaths()) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${crdHash()}` };
    return { paths };
  }

  function crdHash() {
    return String(allTypes(cluster).length);
  }

  function openapiDoc(res, gvPath) {
    if (!gvPaths().includes(gvPath)) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const [group, version] = gvPath === 'api/v1' ? ['', 'v1'] : gvPath.split('/').slice(1);
    const paths = {};
    for (const t of allTypes(cluster)) {
      if (t.group !== group || !t.versions.includes(version)) continue;
      const base = `/${gvPath}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}/{name}`;
      paths[base] = {
        patch: {
          operationId: `patch${t.kind}`,
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': { group, version, kind: t.kind },
          parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((n) => ({
            name: n,
            in: 'query',
            schema: { type: n === 'force' ? 'boolean' : 'string' },
            uniqueItems: true,
          })),
          responses: { 200: { description: 'OK' } },
        },
      };
    }
    return send(res, 200, { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.33.1' }, paths, components: { schemas: {} } });
  }

  // ------------------------------------------------------------------ output

  function wantsTable(req) {
    return /as=Table/.test(req.headers.accept ?? '');
  }

  function table(type, items) {
    const now = Date.now();
    const age = (o) => humanAge(now - Date.parse(o.metadata.creationTimestamp ?? isoTime(now)));
    const col = (n) => ({ name: n, type: 'string', format: n === 'Name' ? 'name' : '', description: '', priority: 0 });
    let columns = [col('Name'), col('Age')];
    let cells = (o) => [o.metadata.name, age(o)];
    if (type.kind === 'Event') {
      columns = [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')];
      cells = (o) => [
        humanAge(now - Date.parse(o.lastTimestamp)),
        o.type,
        o.reason,
        `${o.involvedObject.kind.toLowerCase()}/${o.involvedObject.name}`,
        o.message,
      ];
    } else if (type.kind === 'Pod') {
      columns = [col('Name'), col('Ready'), col('Status'), col('Restarts'), col('Age')];
      cells = (o) => {
        const cs = o.status?.containerStatuses ?? [];
        const w = cs.find((c) => c.state?.waiting)?.state.waiting.reason;
        return [
          o.metadata.name,
          `${cs.filter((c) => c.ready).length}/${cs.length}`,
          w ?? o.status?.phase,
          cs.reduce((n, c) => n + (c.restartCount ?? 0), 0),
          age(o),
        ];
      };
    }
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: String(rv) },
      columnDefinitions: columns,
      rows: items.map((o) => ({
        cells: cells(o),
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
      })),
    };
  }

  function sendObject(req, res, code, obj, type) {
    if (wantsTable(req)) return send(res, code, table(type, [obj]));
    return send(res, code, obj);
  }

  // ------------------------------------------------------------------ start

  cluster = loadCluster();
  if (!cluster) throw new Error(`emulator: no cluster "${name}" in ${dir}`);
  tick(true);
  const timer = setInterval(() => tick(true), Math.max(20, knobs.pollMs));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;
  fs.writeFileSync(`${portFile}.tmp`, JSON.stringify({ pid: process.pid, port }));
  fs.renameSync(`${portFile}.tmp`, portFile);
  await new Promise((resolve) => server.on('close', resolve));
}

// ------------------------------------------------------------------ helpers

function plural(t) {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

function status(code, reason, message, details) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function notFound(t, objName) {
  return status(404, 'NotFound', `${plural(t)} "${objName}" not found`, {
    name: objName,
    ...(t.group ? { group: t.group } : {}),
    kind: t.plural,
  });
}

function send(res, code, body) {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res, code, text) {
  res.writeHead(code, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function mergePatch(target, patch) {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Field selectors the API server supports on every type (metadata.name/namespace) plus the ones kubectl uses. */
function fieldSelectorMatches(sel, obj) {
  if (!sel) return true;
  return sel.split(',').every((req) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(req.trim());
    if (!m) return false;
    let v = obj;
    for (const p of m[1].split('.')) v = v && typeof v === 'object' ? v[p] : undefined;
    const s = v === undefined || v === null ? '' : String(v);
    return m[2] === '!=' ? s !== m[3] : s === m[3];
  });
}

/** Whether a workload is fully rolled out (undefined for other kinds). */
function workloadReady(o) {
  const st = o.status ?? {};
  const gen = (o.metadata.generation ?? 1) <= (st.observedGeneration ?? 0);
  switch (o.kind) {
    case 'Deployment':
      return gen && (st.updatedReplicas ?? 0) >= (o.spec?.replicas ?? 1) && (st.availableReplicas ?? 0) >= (o.spec?.replicas ?? 1);
    case 'StatefulSet':
      return gen && (st.readyReplicas ?? 0) >= (o.spec?.replicas ?? 1);
    case 'DaemonSet':
      return gen && (st.numberReady ?? 0) >= (st.desiredNumberScheduled ?? 0) && (st.desiredNumberScheduled ?? 0) > 0;
    case 'Job':
      return (st.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');
    default:
      return undefined;
  }
}

/**
 * The API server's validation of what the product and the tests send: a workload's selector must select its
 * template (kubernetes pkg/apis/apps/validation ValidateDeploymentSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec).
 */
function validate(type, obj) {
  if (!['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(type.kind)) return undefined;
  const sel = obj.spec?.selector;
  const labels = obj.spec?.template?.metadata?.labels ?? {};
  const causes = [];
  if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length))
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
  else if (!Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v)) {
    const shown = `map[string]string{${Object.entries(labels)
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
      .join(', ')}}`;
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${shown}: \`selector\` does not match template \`labels\``,
      field: 'spec.template.metadata.labels',
    });
  }
  if (!causes.length) return undefined;
  const gk = `${type.kind}${type.group ? `.${type.group}` : ''}`;
  return status(422, 'Invalid', `${gk} "${obj.metadata.name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, {
    name: obj.metadata.name,
    group: type.group,
    kind: type.kind,
    causes,
  });
}

function containersOf(obj, field) {
  const spec = obj.kind === 'Pod' ? obj.spec : (obj.spec?.template?.spec ?? obj.spec?.jobTemplate?.spec?.template?.spec);
  return (spec?.[field] ?? []).map((c) => ({ name: c.name, image: c.image, imagePullPolicy: c.imagePullPolicy ?? null }));
}
