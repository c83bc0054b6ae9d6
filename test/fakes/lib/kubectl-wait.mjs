// kubectl rollout status / wait: poll the time-based model until done or timeout.
import { renderJsonPath } from './jsonpath.mjs';
import { evaluate, parseLabelSelector, selectorMatches } from './model.mjs';
import { loadFilenames, parseResourceArgs } from './kubectl-apply.mjs';
import { listObjects } from './kubectl-read.mjs';
import { refused } from './kubectl.mjs';
import { deadExplanation } from './cluster.mjs';
import { pluralRef, resolveType, typeForManifest, typeRef } from './resources.mjs';
import { readState } from './state.mjs';
import { CliExit, sleep } from './util.mjs';

const FOREVER = 7 * 24 * 3600 * 1000;

/** Re-read the cluster; fail like kubectl if it went away or died meanwhile. */
function liveCluster(k) {
  const c = readState(k.dir).clusters[k.clusterName];
  if (!c || c.status !== 'ready') throw refused(k.target);
  if (c.dead) throw refused(k.target, deadExplanation('kubectl', c));
  return c;
}

function makeToucher(k) {
  let last = 0;
  const every = Math.max(50, Math.min(1000, Math.floor(k.knobs.idleDeathMs / 4)));
  return () => {
    if (Date.now() - last >= every) {
      last = Date.now();
      k.touch();
    }
  };
}

// ------------------------------------------------------------------ rollout status

function rolloutState(t, o) {
  const name = o.metadata.name;
  const st = o.status ?? {};
  if (t.kind === 'Deployment') {
    const replicas = o.spec?.replicas ?? 1;
    const prog = (st.conditions ?? []).find((c) => c.type === 'Progressing');
    if (prog && prog.reason === 'ProgressDeadlineExceeded') return { error: `deployment "${name}" exceeded its progress deadline` };
    if ((st.updatedReplicas ?? 0) < replicas)
      return {
        msg: `Waiting for deployment "${name}" rollout to finish: ${st.updatedReplicas ?? 0} out of ${replicas} new replicas have been updated...`,
      };
    if ((st.replicas ?? 0) > (st.updatedReplicas ?? 0))
      return {
        msg: `Waiting for deployment "${name}" rollout to finish: ${(st.replicas ?? 0) - (st.updatedReplicas ?? 0)} old replicas are pending termination...`,
      };
    if ((st.availableReplicas ?? 0) < (st.updatedReplicas ?? 0))
      return {
        msg: `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas ?? 0} of ${st.updatedReplicas ?? 0} updated replicas are available...`,
      };
    return { done: `deployment "${name}" successfully rolled out` };
  }
  if (t.kind === 'StatefulSet') {
    const strategy = o.spec?.updateStrategy?.type ?? 'RollingUpdate';
    if (strategy !== 'RollingUpdate') return { error: `rollout status is only available for RollingUpdate strategy type` };
    const replicas = o.spec?.replicas ?? 1;
    if ((st.readyReplicas ?? 0) < replicas) return { msg: `Waiting for ${replicas - (st.readyReplicas ?? 0)} pods to be ready...` };
    return { done: `statefulset rolling update complete ${replicas} pods at revision ${st.updateRevision}...` };
  }
  if (t.kind === 'DaemonSet') {
    const desired = st.desiredNumberScheduled ?? 0;
    if ((st.updatedNumberScheduled ?? 0) < desired)
      return {
        msg: `Waiting for daemon set "${name}" rollout to finish: ${st.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...`,
      };
    if ((st.numberAvailable ?? 0) < (st.updatedNumberScheduled ?? 0))
      return {
        msg: `Waiting for daemon set "${name}" rollout to finish: ${st.numberAvailable ?? 0} of ${st.updatedNumberScheduled ?? 0} updated pods are available...`,
      };
    return { done: `daemon set "${name}" successfully rolled out` };
  }
  return { error: `no status viewer has been implemented for ${t.group ? `${t.kind}.${t.group}` : t.kind}` };
}

export async function cmdRolloutStatus(k) {
  const { flags, io, knobs, positionals } = k;
  let cluster = k.cluster();
  let req;
  if (flags.filename.length) {
    req = loadFilenames(flags.filename, flags.recursive).map((d) => ({
      t: typeForManifest(cluster, d.obj.apiVersion ?? '', d.obj.kind ?? ''),
      name: d.obj.metadata?.name,
    }));
  } else {
    if (!positionals.length)
      throw new CliExit(1, "error: required resource not specified\nSee 'kubectl rollout status -h' for help and examples");
    req = parseResourceArgs(cluster, positionals);
  }
  if (req.length !== 1 || !req[0].t)
    throw new CliExit(
      1,
      `error: rollout status is only supported on individual resources and resource collections, but ${req.length} resources were found`,
    );
  const { t, name } = req[0];
  if (!name) throw new CliExit(1, `error: rollout status is only supported on individual resources`);
  if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(t.kind)) {
    throw new CliExit(1, `error: no status viewer has been implemented for ${t.group ? `${t.kind}.${t.group}` : t.kind}`);
  }
  const deadline = Date.now() + (flags.timeout > 0 ? flags.timeout : FOREVER);
  const touchIt = makeToucher(k);
  let lastMsg = '';
  for (;;) {
    cluster = liveCluster(k);
    const world = evaluate(cluster, Date.now(), knobs);
    const o = listObjects(world, t, k.namespace).find((x) => x.metadata.name === name);
    if (!o) throw new CliExit(1, `Error from server (NotFound): ${pluralRef(t)} "${name}" not found`);
    const s = rolloutState(t, o);
    if (s.error) throw new CliExit(1, `error: ${s.error}`);
    if (s.done) {
      io.out(`${s.done}\n`);
      return 0;
    }
    if (s.msg !== lastMsg) {
      io.out(`${s.msg}\n`);
      lastMsg = s.msg;
    }
    if (!flags.watch) return 0;
    if (Date.now() >= deadline) throw new CliExit(1, 'error: timed out waiting for the condition');
    touchIt();
    await sleep(Math.min(knobs.pollMs, Math.max(1, deadline - Date.now())));
  }
}

// ------------------------------------------------------------------ wait

export function parseFor(f) {
  if (f === undefined || f === '') throw new CliExit(1, 'error: unrecognized condition: ""');
  if (f === 'delete') return { delete: true };
  if (f === 'create') return { create: true };
  const lower = f.toLowerCase();
  if (lower.startsWith('condition=')) {
    const rest = f.slice('condition='.length);
    const eq = rest.indexOf('=');
    const cond = eq === -1 ? rest : rest.slice(0, eq);
    const value = eq === -1 ? 'true' : rest.slice(eq + 1);
    if (!cond) throw new CliExit(1, `error: unrecognized condition: "${f}"`);
    return { condition: cond, value };
  }
  if (lower.startsWith('jsonpath=')) {
    const rest = f.slice('jsonpath='.length);
    const m = /^('?)(\{.*\})\1(?:=(.*))?$/s.exec(rest);
    if (!m) throw new CliExit(1, `error: unrecognized condition: "${f}"`);
    return { jsonpath: m[2], value: m[3] === undefined ? undefined : m[3].replace(/^(['"])(.*)\1$/, '$2') };
  }
  throw new CliExit(1, `error: unrecognized condition: "${f}"`);
}

function conditionMet(cond, obj) {
  if (cond.jsonpath) {
    let v;
    try {
      v = renderJsonPath(cond.jsonpath, obj);
    } catch {
      return false;
    }
    if (cond.value === undefined) return v !== '';
    return v === cond.value;
  }
  const cs = obj.status?.conditions ?? [];
  const c = cs.find((x) => x.type.toLowerCase() === cond.condition.toLowerCase());
  return Boolean(c) && c.status.toLowerCase() === cond.value.toLowerCase();
}

export async function cmdWait(k, parsedCond) {
  const { flags, io, knobs, positionals } = k;
  const cond = parsedCond ?? parseFor(flags.for);
  let cluster = k.cluster();
  let req;
  if (flags.filename.length) {
    req = loadFilenames(flags.filename, flags.recursive).map((d) => ({
      t: typeForManifest(cluster, d.obj.apiVersion ?? '', d.obj.kind ?? ''),
      name: d.obj.metadata?.name,
      ns: d.obj.metadata?.namespace,
    }));
  } else {
    if (!positionals.length)
      throw new CliExit(
        1,
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
      );
    if (positionals.length === 1 && !positionals[0].includes('/')) {
      const t = resolveType(cluster, positionals[0]);
      if (!t) throw new CliExit(1, `error: the server doesn't have a resource type "${positionals[0]}"`);
      req = [{ t }];
    } else req = parseResourceArgs(cluster, positionals);
  }
  const named = req.filter((r) => r.name);
  if (!named.length && !flags.all && !flags.selector && !flags['field-selector'])
    throw new CliExit(1, 'error: resource(s) were provided, but no name was specified');
  const nsAll = flags['all-namespaces'];
  const reqs = flags.selector ? parseLabelSelector(flags.selector) : [];
  const timeout = flags.timeout < 0 ? FOREVER : flags.timeout;
  const deadline = Date.now() + timeout;
  const touchIt = makeToucher(k);

  // expand the targets once (like kubectl's resource builder)
  const world0 = evaluate(cluster, Date.now(), knobs);
  let targets = [];
  for (const r of req) {
    const ns = r.t.namespaced ? (nsAll && !r.name ? undefined : (r.ns ?? k.namespace)) : undefined;
    if (r.name) {
      const exists = listObjects(world0, r.t, ns).some((o) => o.metadata.name === r.name);
      if (!exists && !cond.create && !cond.delete)
        throw new CliExit(1, `Error from server (NotFound): ${pluralRef(r.t)} "${r.name}" not found`);
      targets.push({ t: r.t, name: r.name, ns });
    } else {
      for (const o of listObjects(world0, r.t, ns))
        if (selectorMatches(reqs, o.metadata.labels)) targets.push({ t: r.t, name: o.metadata.name, ns: o.metadata.namespace });
    }
  }
  if (!targets.length) {
    if (cond.delete) return 0;
    throw new CliExit(1, 'error: no matching resources found');
  }
  const pending = new Set(targets.map((_, i) => i));
  for (;;) {
    cluster = liveCluster(k);
    const world = evaluate(cluster, Date.now(), knobs);
    for (const i of [...pending]) {
      const x = targets[i];
      const o = listObjects(world, x.t, x.ns).find((y) => y.metadata.name === x.name);
      let met;
      if (cond.delete) met = !o;
      else if (cond.create) met = Boolean(o);
      else met = Boolean(o) && conditionMet(cond, o);
      if (met) {
        pending.delete(i);
        io.out(flags.output === 'name' ? `${typeRef(x.t)}/${x.name}\n` : `${typeRef(x.t)}/${x.name} condition met\n`);
      }
    }
    if (!pending.size) return 0;
    if (Date.now() >= deadline) {
      const x = targets[[...pending][0]];
      throw new CliExit(1, `error: timed out waiting for the condition on ${x.t.plural}/${x.name}`);
    }
    touchIt();
    await sleep(Math.min(knobs.pollMs, Math.max(1, deadline - Date.now())));
  }
}
