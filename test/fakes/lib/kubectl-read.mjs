// kubectl get / describe / logs for the fake API server.
import { JsonPathError, jsonPathValues, renderJsonPath } from './jsonpath.mjs';
import { isCrashTarget } from './knobs.mjs';
import { evaluate, parseLabelSelector, selectorMatches } from './model.mjs';
import { kustomizeBuild, loadFilenames, parseResourceArgs } from './kubectl-apply.mjs';
import { pluralRef, resolveType, typeForManifest, typeRef } from './resources.mjs';
import { CliExit, humanAge, isoTime, renderTable, toYaml } from './util.mjs';

const ALLOWED_FORMATS =
  'custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml';

function groupOf(apiVersion) {
  return apiVersion && apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** Objects of type `t` in namespace `ns` (undefined = all namespaces), sorted like the API server. */
export function listObjects(world, t, ns) {
  return (world.byKind[t.kind] ?? [])
    .filter((o) => groupOf(o.apiVersion) === t.group)
    .filter((o) => !t.namespaced || ns === undefined || o.metadata.namespace === ns)
    .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
}

function fieldSelectorMatches(sel, obj) {
  if (!sel) return true;
  return sel.split(',').every((req) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(req.trim());
    if (!m) throw new CliExit(1, `error: invalid field selector: ${JSON.stringify(req)}`);
    let v = obj;
    for (const p of m[1].split('.')) v = v && typeof v === 'object' ? v[p] : undefined;
    const s = v === undefined || v === null ? '' : String(v);
    return m[2] === '!=' ? s !== m[3] : s === m[3];
  });
}

function notFound(t, name) {
  return `Error from server (NotFound): ${pluralRef(t)} "${name}" not found`;
}

// ------------------------------------------------------------------ tables

function podStatusText(p) {
  const init = (p.status.initContainerStatuses ?? []).find((c) => c.state.waiting);
  if (init) return `Init:${init.state.waiting.reason}`;
  for (const c of p.status.containerStatuses ?? [])
    if (c.state.waiting && c.state.waiting.reason !== 'PodInitializing') return c.state.waiting.reason;
  if (p.status.phase === 'Succeeded') return 'Completed';
  const unsched = (p.status.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unsched) return 'Pending';
  return p.status.phase;
}

function labelsText(l) {
  const e = Object.entries(l ?? {});
  return e.length ? e.map(([a, b]) => `${a}=${b}`).join(',') : '<none>';
}

function tableFor(t, objs, now, wide) {
  const age = (o) => humanAge(now - Date.parse(o.metadata.creationTimestamp ?? isoTime(now)));
  switch (t.kind) {
    case 'Pod':
      return {
        headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', ...(wide ? ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] : [])],
        rows: objs.map((p) => {
          const cs = p.status.containerStatuses ?? [];
          const restarts = cs.reduce((a, c) => a + (c.restartCount ?? 0), 0);
          return [
            p.metadata.name,
            `${cs.filter((c) => c.ready).length}/${cs.length}`,
            podStatusText(p),
            String(restarts),
            age(p),
            ...(wide ? [p.status.podIP ?? '<none>', p.spec.nodeName ?? '<none>', '<none>', '<none>'] : []),
          ];
        }),
      };
    case 'Deployment':
      return {
        headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', ...(wide ? ['CONTAINERS', 'IMAGES', 'SELECTOR'] : [])],
        rows: objs.map((d) => {
          const cs = d.spec?.template?.spec?.containers ?? [];
          return [
            d.metadata.name,
            `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
            String(d.status?.updatedReplicas ?? 0),
            String(d.status?.availableReplicas ?? 0),
            age(d),
            ...(wide ? [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), labelsText(d.spec?.selector?.matchLabels)] : []),
          ];
        }),
      };
    case 'StatefulSet':
      return {
        headers: ['NAME', 'READY', 'AGE'],
        rows: objs.map((s) => [s.metadata.name, `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`, age(s)]),
      };
    case 'DaemonSet':
      return {
        headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
        rows: objs.map((d) => [
          d.metadata.name,
          String(d.status.desiredNumberScheduled),
          String(d.status.currentNumberScheduled),
          String(d.status.numberReady),
          String(d.status.updatedNumberScheduled),
          String(d.status.numberAvailable),
          labelsText(d.spec?.template?.spec?.nodeSelector),
          age(d),
        ]),
      };
    case 'ReplicaSet':
      return {
        headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
        rows: objs.map((r) => [
          r.metadata.name,
          String(r.spec.replicas),
          String(r.status.replicas),
          String(r.status.readyReplicas),
          age(r),
        ]),
      };
    case 'Service':
      return {
        headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', ...(wide ? ['SELECTOR'] : [])],
        rows: objs.map((s) => [
          s.metadata.name,
          s.spec?.type ?? 'ClusterIP',
          s.spec?.clusterIP ?? '<none>',
          '<none>',
          (s.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>',
          age(s),
          ...(wide ? [labelsText(s.spec?.selector)] : []),
        ]),
      };
    case 'Endpoints':
      return {
        headers: ['NAME', 'ENDPOINTS', 'AGE'],
        rows: objs.map((e) => {
          const eps = (e.subsets ?? []).flatMap((s) =>
            (s.addresses ?? []).flatMap((a) => (s.ports ?? [{ port: '' }]).map((p) => `${a.ip}:${p.port}`)),
          );
          return [
            e.metadata.name,
            eps.length ? eps.slice(0, 3).join(',') + (eps.length > 3 ? ` + ${eps.length - 3} more...` : '') : '<none>',
            age(e),
          ];
        }),
      };
    case 'EndpointSlice':
      return {
        headers: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
        rows: objs.map((e) => [
          e.metadata.name,
          e.addressType,
          (e.ports ?? []).map((p) => p.port).join(',') || '<unset>',
          (e.endpoints ?? []).map((x) => x.addresses[0]).join(',') || '<unset>',
          age(e),
        ]),
      };
    case 'Node':
      return {
        headers: [
          'NAME',
          'STATUS',
          'ROLES',
          'AGE',
          'VERSION',
          ...(wide ? ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] : []),
        ],
        rows: objs.map((n) => {
          const ready = (n.status.conditions ?? []).find((c) => c.type === 'Ready');
          const roles = Object.keys(n.metadata.labels ?? {})
            .filter((l) => l.startsWith('node-role.kubernetes.io/'))
            .map((l) => l.split('/')[1]);
          return [
            n.metadata.name,
            ready?.status === 'True' ? 'Ready' : 'NotReady',
            roles.join(',') || '<none>',
            age(n),
            n.status.nodeInfo.kubeletVersion,
            ...(wide
              ? [
                  n.status.addresses[0].address,
                  '<none>',
                  n.status.nodeInfo.osImage,
                  n.status.nodeInfo.kernelVersion,
                  n.status.nodeInfo.containerRuntimeVersion,
                ]
              : []),
          ];
        }),
      };
    case 'Namespace':
      return { headers: ['NAME', 'STATUS', 'AGE'], rows: objs.map((n) => [n.metadata.name, n.status?.phase ?? 'Active', age(n)]) };
    case 'ServiceAccount':
      return { headers: ['NAME', 'SECRETS', 'AGE'], rows: objs.map((s) => [s.metadata.name, String((s.secrets ?? []).length), age(s)]) };
    case 'ConfigMap':
      return {
        headers: ['NAME', 'DATA', 'AGE'],
        rows: objs.map((c) => [c.metadata.name, String(Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length), age(c)]),
      };
    case 'Secret':
      return {
        headers: ['NAME', 'TYPE', 'DATA', 'AGE'],
        rows: objs.map((c) => [
          c.metadata.name,
          c.type ?? 'Opaque',
          String(Object.keys(c.data ?? {}).length + Object.keys(c.stringData ?? {}).length),
          age(c),
        ]),
      };
    case 'Event':
      return {
        headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
        rows: objs.map((e) => [
          humanAge(now - Date.parse(e.lastTimestamp)),
          e.type,
          e.reason,
          `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}`,
          e.message,
        ]),
      };
    case 'CustomResourceDefinition':
      return { headers: ['NAME', 'CREATED AT'], rows: objs.map((c) => [c.metadata.name, c.metadata.creationTimestamp]) };
    case 'Job':
      return {
        headers: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
        rows: objs.map((j) => [
          j.metadata.name,
          j.status?.succeeded ? 'Complete' : 'Running',
          `${j.status?.succeeded ?? 0}/${j.spec?.completions ?? 1}`,
          age(j),
          age(j),
        ]),
      };
    default:
      return { headers: ['NAME', 'AGE'], rows: objs.map((o) => [o.metadata.name, age(o)]) };
  }
}

// ------------------------------------------------------------------ get

function printObjects(k, groups, single, wantedFormat) {
  const { io, flags } = k;
  const fmt = wantedFormat ?? '';
  const all = groups.flatMap((g) => g.objs.map((o) => ({ o, t: g.t })));
  const listDoc = () => ({ apiVersion: 'v1', items: all.map((x) => x.o), kind: 'List', metadata: { resourceVersion: '' } });
  const data = () => (single && all.length === 1 ? all[0].o : listDoc());
  if (fmt === 'json') return io.out(`${JSON.stringify(data(), null, 4)}\n`);
  if (fmt === 'yaml') return io.out(toYaml(data()));
  if (fmt === 'name') {
    for (const x of all) io.out(`${typeRef(x.t)}/${x.o.metadata.name}\n`);
    return;
  }
  const m = /^(jsonpath|jsonpath-as-json|custom-columns)=(.*)$/s.exec(fmt);
  if (m) {
    const expr = m[2].replace(/^'(.*)'$/s, '$1');
    if (m[1] === 'custom-columns') {
      const cols = expr.split(',').map((c) => {
        const i = c.indexOf(':');
        if (i === -1) throw new CliExit(1, `error: custom-columns format specified but no custom columns given`);
        return { h: c.slice(0, i), p: c.slice(i + 1).replace(/^\{(.*)\}$/, '$1') };
      });
      const rows = all.map((x) =>
        cols.map(
          (c) =>
            jsonPathValues(x.o, c.p.startsWith('.') ? c.p : `.${c.p}`)
              .map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)))
              .join(',') || '<none>',
        ),
      );
      io.out(
        renderTable(
          cols.map((c) => c.h),
          rows,
          flags['no-headers'],
        ),
      );
      return;
    }
    try {
      if (m[1] === 'jsonpath-as-json') io.out(`${JSON.stringify(jsonPathValues(data(), expr.replace(/^\{(.*)\}$/s, '$1')), null, 4)}\n`);
      else io.out(renderJsonPath(expr, data()));
    } catch (e) {
      if (e instanceof JsonPathError) throw new CliExit(1, `error: error parsing jsonpath ${expr}, ${e.message}`);
      throw e;
    }
    return;
  }
  if (fmt !== '' && fmt !== 'wide') {
    if (
      ['go-template', 'template', 'go-template-file', 'templatefile', 'jsonpath-file', 'custom-columns-file'].some(
        (f) => fmt === f || fmt.startsWith(`${f}=`),
      )
    ) {
      throw new CliExit(1, `error: fake kubectl: output format "${fmt}" is not implemented by the fake`);
    }
    throw new CliExit(
      1,
      `error: unable to match a printer suitable for the output format "${fmt}", allowed formats are: ${ALLOWED_FORMATS}`,
    );
  }
  const allNs = flags['all-namespaces'];
  const multi = groups.length > 1 || flags['show-kind'];
  let first = true;
  for (const g of groups) {
    if (!g.objs.length) continue;
    const tb = tableFor(g.t, g.objs, k.now, fmt === 'wide');
    let headers = tb.headers;
    let rows = tb.rows;
    if (multi) rows = rows.map((r) => [`${typeRef(g.t)}/${r[0]}`, ...r.slice(1)]);
    if (allNs && g.t.namespaced) {
      headers = ['NAMESPACE', ...headers];
      rows = rows.map((r, i) => [g.objs[i].metadata.namespace, ...r]);
    }
    if (flags['show-labels']) {
      headers = [...headers, 'LABELS'];
      rows = rows.map((r, i) => [...r, labelsText(g.objs[i].metadata.labels)]);
    }
    for (const lc of flags['label-columns'] ?? []) {
      headers = [...headers, lc.split('/').pop().toUpperCase()];
      rows = rows.map((r, i) => [...r, (g.objs[i].metadata.labels ?? {})[lc] ?? '']);
    }
    if (!first) io.out('\n');
    first = false;
    io.out(renderTable(headers, rows, flags['no-headers']));
  }
}

export async function cmdGet(k) {
  const { flags, positionals, io, knobs } = k;
  if (flags.watch || flags['watch-only'])
    throw new CliExit(1, 'error: fake kubectl: "kubectl get --watch" is not implemented by the fake; poll instead');
  if (!positionals.length && !flags.filename.length && !flags.kustomize) {
    throw new CliExit(
      1,
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples',
    );
  }
  const cluster = k.cluster();
  k.now = Date.now();
  const world = evaluate(cluster, k.now, knobs);
  const ns = flags['all-namespaces'] ? undefined : k.namespace;
  let req;
  if (flags.filename.length || flags.kustomize) {
    const docs = flags.kustomize ? kustomizeBuild(flags.kustomize) : loadFilenames(flags.filename, flags.recursive);
    req = docs.map((d) => {
      const t = typeForManifest(cluster, d.obj.apiVersion ?? '', d.obj.kind ?? '');
      if (!t)
        throw new CliExit(
          1,
          `error: resource mapping not found for name: "${d.obj.metadata?.name}" namespace: "" from "${d.source}": no matches for kind "${d.obj.kind}" in version "${d.obj.apiVersion}"\nensure CRDs are installed first`,
        );
      return { t, name: d.obj.metadata?.name, ns: d.obj.metadata?.namespace };
    });
  } else req = parseResourceArgs(cluster, positionals);
  const named = req.some((r) => r.name);
  if (named && flags.selector) throw new CliExit(1, 'error: name cannot be provided when a selector is specified');
  if (named && flags['all-namespaces'] && !flags.filename.length)
    throw new CliExit(1, 'error: a resource cannot be retrieved by name across all namespaces');
  const reqs = flags.selector ? parseSel(flags.selector) : [];
  const errors = [];
  const groups = [];
  for (const r of req) {
    const objs = listObjects(world, r.t, r.t.namespaced ? (r.ns ?? ns) : undefined);
    let g = groups.find((x) => x.t === r.t);
    if (!g) groups.push((g = { t: r.t, objs: [] }));
    if (r.name) {
      const o = objs.find((x) => x.metadata.name === r.name);
      if (o) g.objs.push(o);
      else if (!flags['ignore-not-found']) errors.push(notFound(r.t, r.name));
    } else {
      g.objs.push(...objs.filter((o) => selectorMatches(reqs, o.metadata.labels) && fieldSelectorMatches(flags['field-selector'], o)));
    }
  }
  if (flags['sort-by']) {
    const p = flags['sort-by'].replace(/^\{(.*)\}$/, '$1');
    for (const g of groups) {
      g.objs.sort((a, b) => {
        const va = jsonPathValues(a, p)[0];
        const vb = jsonPathValues(b, p)[0];
        if (typeof va === 'number' && typeof vb === 'number') return va - vb;
        return String(va ?? '').localeCompare(String(vb ?? ''));
      });
    }
  }
  const single = req.length === 1 && Boolean(req[0].name);
  const total = groups.reduce((a, g) => a + g.objs.length, 0);
  const fmt = flags.output ?? '';
  if (total === 0 && !errors.length && (fmt === '' || fmt === 'wide')) {
    if (!named)
      io.err(ns === undefined || !req.every((r) => r.t.namespaced) ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`);
  } else if (total > 0 || (!single && !named)) printObjects(k, groups, single, fmt);
  if (errors.length) throw new CliExit(1, errors.join('\n'));
  return 0;
}

function parseSel(s) {
  try {
    return parseLabelSelector(s);
  } catch (e) {
    throw new CliExit(1, `error: ${e.message}`);
  }
}

// ------------------------------------------------------------------ describe

function indentLabels(l, pad) {
  const e = Object.entries(l ?? {});
  if (!e.length) return '<none>';
  return e.map(([a, b], i) => `${i ? ' '.repeat(pad) : ''}${a}=${b}`).join('\n');
}

function eventsFor(world, o, now) {
  const evs = (world.byKind.Event ?? []).filter(
    (e) =>
      e.involvedObject.uid === o.metadata.uid ||
      (e.involvedObject.kind === o.kind &&
        e.involvedObject.name === o.metadata.name &&
        e.involvedObject.namespace === o.metadata.namespace),
  );
  if (!evs.length) return 'Events:                <none>\n';
  const rows = evs.map((e) => [
    e.type,
    e.reason,
    humanAge(now - Date.parse(e.lastTimestamp)),
    e.source.component + (e.source.host ? `, ${e.source.host}` : ''),
    e.message,
  ]);
  return `Events:\n${renderTable(['Type', 'Reason', 'Age', 'From', 'Message'], [['----', '------', '----', '----', '-------'], ...rows])
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n')}`;
}

function kv(pairs, width = 18) {
  return pairs.map(([a, b]) => `${`${a}:`.padEnd(width)}${`${a}:`.length >= width ? ' ' : ''}${b}`).join('\n') + '\n';
}

function describeOne(world, t, o, now, showEvents) {
  let s = '';
  if (t.kind === 'Pod') {
    const st = o.status;
    s += kv([
      ['Name', o.metadata.name],
      ['Namespace', o.metadata.namespace],
      ['Priority', '0'],
      ['Service Account', o.spec.serviceAccountName ?? 'default'],
      ['Node', o.spec.nodeName ? `${o.spec.nodeName}/${st.hostIP}` : '<none>'],
      ['Start Time', st.startTime ?? '<none>'],
      ['Labels', indentLabels(o.metadata.labels, 18)],
      ['Annotations', indentLabels(o.metadata.annotations, 18)],
      ['Status', st.phase],
      ['IP', st.podIP ?? ''],
      [
        'Controlled By',
        o.metadata.ownerReferences?.[0] ? `${o.metadata.ownerReferences[0].kind}/${o.metadata.ownerReferences[0].name}` : '<none>',
      ],
    ]);
    const section = (title, specs, statuses) => {
      if (!specs?.length) return;
      s += `${title}:\n`;
      for (const c of specs) {
        const cs = (statuses ?? []).find((x) => x.name === c.name) ?? {};
        const state = cs.state ?? {};
        const which = Object.keys(state)[0] ?? 'Waiting';
        s += `  ${c.name}:\n`;
        s += kv(
          [
            ['    Image', c.image],
            ['    Image ID', cs.imageID ?? ''],
            ['    Port', (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ') || '<none>'],
            ['    State', which[0].toUpperCase() + which.slice(1)],
          ],
          20,
        );
        const detail = state[which] ?? {};
        if (detail.reason) s += kv([['      Reason', detail.reason]], 20);
        if (detail.message) s += kv([['      Message', detail.message]], 20);
        if (detail.startedAt) s += kv([['      Started', detail.startedAt]], 20);
        if (detail.exitCode !== undefined) s += kv([['      Exit Code', String(detail.exitCode)]], 20);
        if (cs.lastState?.terminated)
          s += kv(
            [
              ['    Last State', 'Terminated'],
              ['      Reason', cs.lastState.terminated.reason],
              ['      Exit Code', String(cs.lastState.terminated.exitCode)],
            ],
            20,
          );
        s += kv(
          [
            ['    Ready', cs.ready ? 'True' : 'False'],
            ['    Restart Count', String(cs.restartCount ?? 0)],
            ['    Image Pull Policy', c.imagePullPolicy ?? '<default>'],
          ],
          20,
        );
      }
    };
    section('Init Containers', o.spec.initContainers, st.initContainerStatuses);
    section('Containers', o.spec.containers, st.containerStatuses);
    s += `Conditions:\n${renderTable(
      ['Type', 'Status'],
      (st.conditions ?? []).map((c) => [c.type, c.status]),
    )
      .split('\n')
      .map((l) => (l ? `  ${l}` : l))
      .join('\n')}`;
  } else if (['Deployment', 'StatefulSet', 'DaemonSet'].includes(t.kind)) {
    const st = o.status ?? {};
    const desired = o.spec?.replicas ?? st.desiredNumberScheduled ?? 1;
    const avail = st.availableReplicas ?? st.numberAvailable ?? 0;
    s += kv(
      [
        ['Name', o.metadata.name],
        ['Namespace', o.metadata.namespace],
        ['CreationTimestamp', o.metadata.creationTimestamp],
        ['Labels', indentLabels(o.metadata.labels, 24)],
        ['Selector', labelsText(o.spec?.selector?.matchLabels)],
        [
          'Replicas',
          `${desired} desired | ${st.updatedReplicas ?? st.updatedNumberScheduled ?? 0} updated | ${st.replicas ?? st.currentNumberScheduled ?? 0} total | ${avail} available | ${Math.max(0, desired - avail)} unavailable`,
        ],
      ],
      24,
    );
    s += 'Pod Template:\n';
    s += `  Labels:  ${labelsText(o.spec?.template?.metadata?.labels)}\n  Containers:\n`;
    for (const c of o.spec?.template?.spec?.containers ?? [])
      s += `   ${c.name}:\n    Image:             ${c.image}\n    Image Pull Policy: ${c.imagePullPolicy ?? '<default>'}\n`;
    if (st.conditions) {
      s += `Conditions:\n${renderTable(
        ['Type', 'Status', 'Reason'],
        [['----', '------', '------'], ...st.conditions.map((c) => [c.type, c.status, c.reason ?? ''])],
      )
        .split('\n')
        .map((l) => (l ? `  ${l}` : l))
        .join('\n')}`;
    }
  } else {
    s += kv([
      ['Name', o.metadata.name],
      ...(o.metadata.namespace ? [['Namespace', o.metadata.namespace]] : []),
      ['Labels', indentLabels(o.metadata.labels, 18)],
      ['Annotations', indentLabels(o.metadata.annotations, 18)],
    ]);
    const rest = { ...o };
    delete rest.metadata;
    delete rest.apiVersion;
    delete rest.kind;
    s += toYaml(rest)
      .split('\n')
      .map((l) => (l ? l : l))
      .join('\n');
  }
  if (showEvents) s += eventsFor(world, o, now);
  return s;
}

export async function cmdDescribe(k) {
  const { flags, positionals, io, knobs } = k;
  if (!positionals.length && !flags.filename.length)
    throw new CliExit(
      1,
      'error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.',
    );
  const cluster = k.cluster();
  const now = Date.now();
  const world = evaluate(cluster, now, knobs);
  const ns = flags['all-namespaces'] ? undefined : k.namespace;
  const reqs = flags.selector ? parseSel(flags.selector) : [];
  let req;
  if (positionals.length === 1 && !positionals[0].includes('/')) {
    const t = resolveType(cluster, positionals[0]);
    if (!t) throw new CliExit(1, `error: the server doesn't have a resource type "${positionals[0]}"`);
    req = [{ t }];
  } else req = parseResourceArgs(cluster, positionals);
  const out = [];
  const errors = [];
  for (const r of req) {
    const objs = listObjects(world, r.t, r.t.namespaced ? ns : undefined);
    if (r.name) {
      const exact = objs.filter((o) => o.metadata.name === r.name);
      const found = exact.length ? exact : objs.filter((o) => o.metadata.name.startsWith(r.name));
      if (!found.length) errors.push(notFound(r.t, r.name));
      for (const o of found) out.push(describeOne(world, r.t, o, now, flags['show-events']));
    } else {
      for (const o of objs.filter((x) => selectorMatches(reqs, x.metadata.labels)))
        out.push(describeOne(world, r.t, o, now, flags['show-events']));
    }
  }
  if (!out.length && !errors.length) io.err(ns ? `No resources found in ${ns} namespace.\n` : 'No resources found\n');
  io.out(out.join('\n\n'));
  if (errors.length) throw new CliExit(1, errors.join('\n'));
  return 0;
}

// ------------------------------------------------------------------ logs

function fakeLogLines(pod, container, image, crashed, previous) {
  const owner = pod.metadata.ownerReferences?.[0];
  const start = Date.parse(pod.status.startTime ?? pod.metadata.creationTimestamp);
  const ts = (i) => new Date(start + i * 7).toISOString();
  const lines = [
    [ts(0), `INFO starting ${container} (image ${image}) in pod ${pod.metadata.namespace}/${pod.metadata.name}`],
    [ts(1), `INFO loaded configuration from /etc/${container}/config.yaml`],
  ];
  if (crashed) {
    const what = owner ? `${owner.kind.toLowerCase()}/${owner.name}` : `pod/${pod.metadata.name}`;
    lines.push([ts(2), `ERROR fatal: fake crash injected by FAKE_CRASH (${what})${previous ? ' [previous instance]' : ''}`]);
    lines.push([ts(3), `panic: fake crash injected by FAKE_CRASH`]);
    lines.push([ts(3), ``]);
    lines.push([ts(3), `goroutine 1 [running]:`]);
    lines.push([ts(3), `main.main()`]);
    lines.push([ts(3), `\t/opt/app-root/src/cmd/${container}/main.go:42 +0x1d`]);
  } else {
    lines.push([ts(2), `INFO listening on :8080`]);
    lines.push([ts(3), `INFO ready`]);
  }
  return lines;
}

export async function cmdLogs(k) {
  const { flags, positionals, io, knobs } = k;
  const cluster = k.cluster();
  const now = Date.now();
  const world = evaluate(cluster, now, knobs);
  const pods = listObjects(world, resolveType(cluster, 'pods'), k.namespace);
  let targets = [];
  let containerArg = flags.container;
  if (flags.selector) {
    const reqs = parseSel(flags.selector);
    targets = pods.filter((p) => selectorMatches(reqs, p.metadata.labels));
    if (!targets.length) {
      io.err(`No resources found in ${k.namespace} namespace.\n`);
      return 0;
    }
  } else {
    if (!positionals.length)
      throw new CliExit(
        1,
        "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
      );
    if (positionals.length > 2)
      throw new CliExit(
        1,
        "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nSee 'kubectl logs -h' for help and examples",
      );
    if (positionals[1] !== undefined) {
      if (containerArg) throw new CliExit(1, `error: only one of -c or an inline [CONTAINER] arg is allowed`);
      containerArg = positionals[1];
    }
    const a = positionals[0];
    if (a.includes('/')) {
      const [typeArg, name] = [a.slice(0, a.indexOf('/')), a.slice(a.indexOf('/') + 1)];
      const t = resolveType(cluster, typeArg);
      if (!t) throw new CliExit(1, `error: the server doesn't have a resource type "${typeArg}"`);
      if (t.kind === 'Pod') {
        const p = pods.find((x) => x.metadata.name === name);
        if (!p) throw new CliExit(1, notFound(t, name));
        targets = [p];
      } else {
        const owner = listObjects(world, t, t.namespaced ? k.namespace : undefined).find((x) => x.metadata.name === name);
        if (!owner) throw new CliExit(1, notFound(t, name));
        const mine = pods.filter((p) => world.pods.find((wp) => wp.pod === p)?.ownerKey?.endsWith(`|${t.kind}|${k.namespace}|${name}`));
        if (!mine.length) throw new CliExit(1, `error: timed out waiting for the condition`);
        if (mine.length > 1 && !flags['all-pods']) io.err(`Found ${mine.length} pods, using pod/${mine[0].metadata.name}\n`);
        targets = flags['all-pods'] ? mine : [mine[0]];
      }
    } else {
      const p = pods.find((x) => x.metadata.name === a);
      if (!p) throw new CliExit(1, `Error from server (NotFound): pods "${a}" not found`);
      targets = [p];
    }
  }
  const errors = [];
  for (const pod of targets) {
    const specs = pod.spec.containers ?? [];
    let chosen;
    if (flags['all-containers']) chosen = [...(pod.spec.initContainers ?? []), ...specs];
    else if (containerArg) {
      const c = [...specs, ...(pod.spec.initContainers ?? [])].find((x) => x.name === containerArg);
      if (!c) throw new CliExit(1, `error: container ${containerArg} is not valid for pod ${pod.metadata.name}`);
      chosen = [c];
    } else {
      if (specs.length > 1) io.err(`Defaulted container "${specs[0].name}" out of: ${specs.map((c) => c.name).join(', ')}\n`);
      chosen = [specs[0]];
    }
    const owner = pod.metadata.ownerReferences?.[0];
    for (const c of chosen) {
      const cs = [...(pod.status.containerStatuses ?? []), ...(pod.status.initContainerStatuses ?? [])].find((x) => x.name === c.name);
      const waiting = cs?.state?.waiting;
      const crashed = Boolean(cs?.lastState?.terminated);
      if (flags.previous && !crashed) {
        errors.push(`Error from server (BadRequest): previous terminated container "${c.name}" in pod "${pod.metadata.name}" not found`);
        continue;
      }
      if (waiting && !crashed) {
        const why = ['ImagePullBackOff', 'ErrImagePull'].includes(waiting.reason)
          ? 'trying and failing to pull image'
          : ['ErrImageNeverPull', 'InvalidImageName'].includes(waiting.reason)
            ? "image can't be pulled"
            : waiting.reason;
        errors.push(`Error from server (BadRequest): container "${c.name}" in pod "${pod.metadata.name}" is waiting to start: ${why}`);
        continue;
      }
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
      let lines = fakeLogLines(pod, c.name, cs?.image ?? c.image, isCrash && crashed, flags.previous);
      if (flags.tail >= 0) lines = flags.tail === 0 ? [] : lines.slice(-flags.tail);
      for (const [ts, text] of lines)
        io.out(`${flags.prefix ? `[pod/${pod.metadata.name}/${c.name}] ` : ''}${flags.timestamps ? `${ts} ` : ''}${text}\n`);
    }
  }
  if (errors.length) throw new CliExit(1, errors.join('\n'));
  return 0;
}
