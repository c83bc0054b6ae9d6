// kubectl apply / create namespace / delete for the fake API server.
import fs from 'node:fs';
import path from 'node:path';
import { yaml } from './yaml.mjs';
import { storeObject } from './cluster.mjs';
import { parseImageRef } from './images.mjs';
import { durationFor } from './knobs.mjs';
import { labelsMatch, parseLabelSelector, selectorMatches } from './model.mjs';
import { objKey, pluralRef, resolveType, typeForManifest, typeRef } from './resources.mjs';
import { updateState } from './state.mjs';
import { CliExit, hash32, sleep, stableStringify, toYaml } from './util.mjs';

const EXTS = ['.json', '.yaml', '.yml'];

// ------------------------------------------------------------------ loading

function walk(dir, recursive) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...walk(p, recursive));
    } else if (EXTS.includes(path.extname(e.name))) out.push(p);
  }
  return out;
}

function parseDocs(text, source) {
  const docs = [];
  let all;
  try {
    all = yaml().parseAllDocuments(text, { prettyErrors: false });
  } catch (e) {
    throw new CliExit(1, `error: error parsing ${source}: error converting YAML to JSON: yaml: ${e.message}`);
  }
  for (const d of Array.isArray(all) ? all : [all]) {
    if (d.errors && d.errors.length) {
      const err = d.errors[0];
      const line = err.linePos?.[0]?.line;
      throw new CliExit(
        1,
        `error: error parsing ${source}: error converting YAML to JSON: yaml: ${line ? `line ${line}: ` : ''}${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    }
    const v = d.toJS();
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v))
      throw new CliExit(1, `error: error parsing ${source}: error converting YAML to JSON: yaml: document is not an object`);
    if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
      for (const it of v.items) docs.push({ obj: it, source });
    } else docs.push({ obj: v, source });
  }
  return docs;
}

/** Load manifests from -f sources (files, directories, "-"). */
export function loadFilenames(filenames, recursive) {
  const docs = [];
  for (const f of filenames) {
    if (f === '-') {
      docs.push(...parseDocs(fs.readFileSync(0, 'utf8'), 'STDIN'));
      continue;
    }
    if (/^https?:\/\//.test(f))
      throw new CliExit(1, `error: unable to read URL "${f}", server reported 0 , status code=0 (fake kubectl has no network)`);
    let st;
    try {
      st = fs.statSync(f);
    } catch {
      throw new CliExit(1, `error: the path "${f}" does not exist`);
    }
    const files = st.isDirectory() ? walk(f, recursive) : [f];
    if (!files.length) throw new CliExit(1, `error: error reading [${f}]: recognized file extensions are [.json .yaml .yml]`);
    for (const file of files) docs.push(...parseDocs(fs.readFileSync(file, 'utf8'), file));
  }
  return docs;
}

const KUSTOMIZE_FIELDS = ['apiVersion', 'kind', 'resources', 'namespace', 'images', 'commonLabels', 'labels', 'commonAnnotations', 'bases'];

function podSpecsOf(obj) {
  const specs = [];
  if (!obj || typeof obj !== 'object') return specs;
  if (obj.kind === 'Pod' && obj.spec) specs.push(obj.spec);
  if (obj.spec?.template?.spec) specs.push(obj.spec.template.spec);
  if (obj.spec?.jobTemplate?.spec?.template?.spec) specs.push(obj.spec.jobTemplate.spec.template.spec);
  return specs;
}

function templateMetaOf(obj) {
  if (obj.spec?.template) return (obj.spec.template.metadata ??= {});
  if (obj.spec?.jobTemplate?.spec?.template) return (obj.spec.jobTemplate.spec.template.metadata ??= {});
  return undefined;
}

/** Minimal `kustomize build` (resources, namespace, images, commonLabels, labels, commonAnnotations). */
export function kustomizeBuild(dir) {
  const abs = path.resolve(dir);
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((n) => path.join(abs, n)).find((p) => fs.existsSync(p));
  if (!file)
    throw new CliExit(1, `error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${abs}'`);
  const k = yaml().parse(fs.readFileSync(file, 'utf8')) ?? {};
  for (const key of Object.keys(k)) {
    if (!KUSTOMIZE_FIELDS.includes(key)) {
      throw new CliExit(
        1,
        `error: fake kubectl: kustomize field "${key}" in ${file} is not supported by the fake (supported: ${KUSTOMIZE_FIELDS.slice(2).join(', ')})`,
      );
    }
  }
  const docs = [];
  for (const r of [...(k.resources ?? []), ...(k.bases ?? [])]) {
    const p = path.resolve(abs, String(r));
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      throw new CliExit(
        1,
        `error: accumulating resources: accumulation err='accumulating resources from '${r}': open ${p}: no such file or directory'`,
      );
    }
    if (st.isDirectory()) docs.push(...kustomizeBuild(p));
    else docs.push(...parseDocs(fs.readFileSync(p, 'utf8'), p));
  }
  for (const d of docs) {
    const o = d.obj;
    o.metadata ??= {};
    if (k.namespace) {
      const t = BUILTIN_CLUSTER_SCOPED.has(o.kind);
      if (!t) o.metadata.namespace = k.namespace;
      if (o.kind === 'Namespace') {
        /* kustomize leaves Namespace objects alone unless renaming */
      }
    }
    const addLabels = (labels, selectors, templates) => {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), ...labels };
      if (templates) {
        const tm = templateMetaOf(o);
        if (tm) tm.labels = { ...(tm.labels ?? {}), ...labels };
      }
      if (selectors) {
        if (o.spec?.selector?.matchLabels) o.spec.selector.matchLabels = { ...o.spec.selector.matchLabels, ...labels };
        else if (o.kind === 'Service' && o.spec?.selector) o.spec.selector = { ...o.spec.selector, ...labels };
      }
    };
    if (k.commonLabels) addLabels(k.commonLabels, true, true);
    for (const l of k.labels ?? [])
      addLabels(l.pairs ?? {}, Boolean(l.includeSelectors), Boolean(l.includeTemplates || l.includeSelectors));
    if (k.commonAnnotations) {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), ...k.commonAnnotations };
      const tm = templateMetaOf(o);
      if (tm) tm.annotations = { ...(tm.annotations ?? {}), ...k.commonAnnotations };
    }
    for (const img of k.images ?? []) {
      for (const spec of podSpecsOf(o)) {
        for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
          const p = parseImageRef(c.image ?? '');
          if (!p) continue;
          const name = p.domain ? `${p.domain}/${p.path}` : p.path;
          if (name !== img.name) continue;
          const newName = img.newName ?? name;
          if (img.digest) c.image = `${newName}@${img.digest}`;
          else
            c.image = `${newName}${img.newTag ? `:${img.newTag}` : p.tag ? `:${p.tag}` : ''}${!img.newTag && p.digest ? `@${p.digest}` : ''}`;
        }
      }
    }
    d.source = dir;
  }
  return docs;
}

const BUILTIN_CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'IngressClass',
  'APIService',
  'RuntimeClass',
  'CSIDriver',
  'VolumeAttachment',
]);

export function loadSources(k) {
  const { flags } = k;
  if (flags.kustomize && flags.filename.length) throw new CliExit(1, 'error: only one of -f or -k can be specified');
  if (flags.kustomize) return kustomizeBuild(flags.kustomize);
  if (!flags.filename.length) throw new CliExit(1, 'error: must specify one of -f and -k');
  return loadFilenames(flags.filename, flags.recursive);
}

// ------------------------------------------------------------------ validation

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function goMap(m) {
  return `map[string]string{${Object.entries(m ?? {})
    .map(([a, b]) => `${JSON.stringify(a)}:${JSON.stringify(b)}`)
    .join(', ')}}`;
}

function validateContainers(spec, prefix, errs) {
  const cs = spec?.containers;
  if (!Array.isArray(cs) || cs.length === 0) {
    errs.push(`${prefix}.containers: Required value`);
    return;
  }
  for (const [field, list] of [
    ['containers', cs],
    ['initContainers', spec.initContainers ?? []],
  ]) {
    for (const [i, c] of list.entries()) {
      const p = `${prefix}.${field}[${i}]`;
      if (!c?.name) errs.push(`${p}.name: Required value`);
      else if (!DNS1123_LABEL.test(c.name))
        errs.push(
          `${p}.name: Invalid value: ${JSON.stringify(c.name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        );
      if (!c?.image) errs.push(`${p}.image: Required value`);
      if (c?.imagePullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
        errs.push(
          `${p}.imagePullPolicy: Unsupported value: ${JSON.stringify(c.imagePullPolicy)}: supported values: "Always", "IfNotPresent", "Never"`,
        );
      }
    }
  }
}

/** Server-side validation of one object. Returns a list of field errors. */
function validateObject(obj, t, prev) {
  const errs = [];
  const name = obj.metadata?.name;
  const nameRe = ['Namespace', 'Service'].includes(obj.kind) ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (t.group === '' || ['apps', 'batch'].includes(t.group)) {
    if (!nameRe.test(name) || name.length > 253) {
      errs.push(
        `metadata.name: Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 ${nameRe === DNS1123_LABEL ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      );
    }
  }
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(obj.kind)) {
    const sel = obj.spec?.selector;
    const tl = obj.spec?.template?.metadata?.labels ?? {};
    if (!sel || (!sel.matchLabels && !sel.matchExpressions)) errs.push('spec.selector: Required value');
    else if (!labelsMatch(sel, tl))
      errs.push(`spec.template.metadata.labels: Invalid value: ${goMap(tl)}: \`selector\` does not match template \`labels\``);
    validateContainers(obj.spec?.template?.spec, 'spec.template.spec', errs);
    if (prev && stableStringify(prev.obj.spec?.selector) !== stableStringify(sel)) {
      errs.push(
        `spec.selector: Invalid value: v1.LabelSelector{MatchLabels:${goMap(sel?.matchLabels)}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`,
      );
    }
    if (obj.spec?.replicas !== undefined && (!Number.isInteger(obj.spec.replicas) || obj.spec.replicas < 0))
      errs.push(`spec.replicas: Invalid value: ${obj.spec.replicas}: must be greater than or equal to 0`);
  } else if (obj.kind === 'Job') {
    validateContainers(obj.spec?.template?.spec, 'spec.template.spec', errs);
  } else if (obj.kind === 'Pod') {
    validateContainers(obj.spec, 'spec', errs);
  } else if (obj.kind === 'Service') {
    for (const [i, p] of (obj.spec?.ports ?? []).entries()) {
      if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535)
        errs.push(`spec.ports[${i}].port: Invalid value: ${p?.port}: must be between 1 and 65535, inclusive`);
    }
  }
  return errs;
}

function containersOf(obj) {
  const spec = podSpecsOf(obj)[0];
  if (!spec) return undefined;
  const m = (c) => ({ name: c?.name, image: c?.image, imagePullPolicy: c?.imagePullPolicy ?? null });
  return { containers: (spec.containers ?? []).map(m), initContainers: (spec.initContainers ?? []).map(m) };
}

function withDefaults(obj, cluster) {
  if (obj.kind === 'Service') {
    obj.spec ??= {};
    obj.spec.type ??= 'ClusterIP';
    if (obj.spec.clusterIP === undefined) {
      const h = hash32(`${cluster.name}|${obj.metadata.namespace}|${obj.metadata.name}`);
      obj.spec.clusterIP = `10.96.${(h >>> 8) % 256}.${(h % 253) + 2}`;
    }
    obj.spec.ports = (obj.spec.ports ?? []).map((p) => ({ protocol: 'TCP', targetPort: p.port, ...p }));
  }
  return obj;
}

// ------------------------------------------------------------------ apply

export async function cmdApply(k, preloaded) {
  const { flags, io, ctx, knobs, dir } = k;
  const dry = normalizeDryRun(flags['dry-run'], { err: () => {} });
  const ssa = flags['server-side'];
  if (flags.prune) throw new CliExit(1, 'error: fake kubectl: --prune is not implemented by the fake');
  const out = flags.output;
  if (out && !['json', 'yaml', 'name'].includes(out)) {
    throw new CliExit(1, `error: unable to match a printer suitable for the output format "${out}", allowed formats are: json,name,yaml`);
  }
  const manager = flags['field-manager'] || (ssa ? 'kubectl' : 'kubectl-client-side-apply');
  const docs = preloaded ?? loadSources(k);
  if (!docs.length) throw new CliExit(1, 'error: no objects passed to apply');

  const errors = [];
  const applied = [];
  const printed = [];
  // mapping happens against the cluster as it is before this apply (like kubectl's discovery)
  const before = k.cluster();
  const items = [];
  for (const d of docs) {
    const o = d.obj;
    const missing = [];
    if (!o.apiVersion) missing.push('apiVersion not set');
    if (!o.kind) missing.push('kind not set');
    if (missing.length) {
      errors.push(
        `error: error validating "${d.source}": error validating data: [${missing.join(', ')}]; if you choose to ignore these errors, turn validation off with --validate=false`,
      );
      continue;
    }
    const t = typeForManifest(before, o.apiVersion, o.kind);
    const name = o.metadata?.name;
    const ns0 = o.metadata?.namespace;
    if (!t) {
      errors.push(
        `error: resource mapping not found for name: "${name ?? ''}" namespace: "${ns0 ?? ''}" from "${d.source}": no matches for kind "${o.kind}" in version "${o.apiVersion}"\nensure CRDs are installed first`,
      );
      applied.push({
        kind: o.kind,
        apiVersion: o.apiVersion,
        name,
        namespace: ns0 ?? null,
        error: 'no matches for kind',
        ...containersOf(o),
      });
      continue;
    }
    if (!name) {
      errors.push(
        o.metadata?.generateName
          ? `error: from ${d.source}: cannot use generate name with apply`
          : `error: error when retrieving current configuration of:\nResource: "${t.group ? `${t.group}/` : ''}${t.versions[0]}, Resource=${t.plural}", GroupVersionKind: "${o.apiVersion}, Kind=${o.kind}"\nName: "", Namespace: "${ns0 ?? k.namespace}"\nfrom server for: "${d.source}": resource name may not be empty`,
      );
      continue;
    }
    let ns;
    if (t.namespaced) {
      if (ns0 && k.namespaceExplicit && ns0 !== k.namespace) {
        errors.push(
          `error: the namespace from the provided object "${ns0}" does not match the namespace "${k.namespace}". You must pass '--namespace=${ns0}' to perform this operation.`,
        );
        continue;
      }
      ns = ns0 || k.namespace;
    }
    const obj = JSON.parse(JSON.stringify(o));
    obj.metadata = { ...obj.metadata };
    if (ns) obj.metadata.namespace = ns;
    else delete obj.metadata.namespace;
    items.push({ obj, t, source: d.source });
  }

  // modelled latency of the API calls
  let ms = knobs.applyMs;
  for (const it of items)
    ms += durationFor(
      knobs,
      'apply',
      [
        `${it.obj.metadata.namespace ?? ''}/${it.t.singular}/${it.obj.metadata.name}`,
        `${it.t.singular}/${it.obj.metadata.name}`,
        it.obj.metadata.name,
      ],
      0,
    );
  await sleep(ms);

  const suffix = dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : '';
  const results = updateState(dir, (state) => {
    const cluster = state.clusters[k.clusterName];
    if (!cluster) return { gone: true };
    const res = [];
    for (const it of items) {
      const { obj, t, source } = it;
      const ns = obj.metadata.namespace;
      const key = objKey(t, ns, obj.metadata.name);
      const prev = cluster.objects[key];
      const rec = {
        kind: obj.kind,
        apiVersion: obj.apiVersion,
        name: obj.metadata.name,
        namespace: ns ?? null,
        ...containersOf(obj),
        ...(dry !== 'none' ? { dryRun: dry } : {}),
      };
      if (dry === 'client') {
        res.push({
          rec: { ...rec, action: prev ? 'configured' : 'created' },
          line: `${typeRef(t)}/${obj.metadata.name} ${prev ? 'configured' : 'created'}${suffix}`,
          obj,
        });
        continue;
      }
      if (ns && !Object.values(cluster.objects).some((x) => x.obj.kind === 'Namespace' && x.obj.metadata.name === ns)) {
        res.push({
          rec: { ...rec, error: 'namespace not found' },
          err: `Error from server (NotFound): error when creating "${source}": namespaces "${ns}" not found`,
        });
        continue;
      }
      const ferrs = validateObject(obj, t, prev);
      if (ferrs.length) {
        const head = `The ${obj.kind} "${obj.metadata.name}" is invalid: `;
        res.push({
          rec: { ...rec, error: 'invalid' },
          err: ferrs.length === 1 ? `${head}${ferrs[0]}` : `${head}\n${ferrs.map((e) => `* ${e}`).join('\n')}`,
        });
        continue;
      }
      if (ssa && prev && prev.applyMode === 'ssa' && prev.fieldManager && prev.fieldManager !== manager && !flags['force-conflicts']) {
        const conflicts = imageConflicts(prev.obj, obj);
        if (conflicts.length) {
          res.push({
            rec: { ...rec, error: 'conflict' },
            err: `error: Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${conflicts.map((f) => `conflict with "${prev.fieldManager}" using ${obj.apiVersion}: ${f}`).join('\n')}\nPlease review the fields above--they currently have other managers. Here\nare the ways you can resolve this warning:\n* If you intend to manage all of these fields, please re-run the apply\n  command with the \`--force-conflicts\` flag.\n* If you do not intend to manage all of the fields, please edit your\n  manifest to remove references to the fields that should keep their\n  current managers.\n* You may co-own fields by updating your manifest to match the existing\n  value; in this case, you'll become the manager if the other manager(s)\n  stop managing the field (remove it from their configuration).\nSee https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`,
          });
          continue;
        }
      }
      withDefaults(obj, cluster);
      if (!ssa) {
        const last = JSON.parse(JSON.stringify(it.obj));
        obj.metadata.annotations = {
          ...(obj.metadata.annotations ?? {}),
          'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(last)}\n`,
        };
      }
      if (dry === 'server') {
        res.push({
          rec: { ...rec, action: prev ? 'configured' : 'created' },
          line: `${typeRef(t)}/${obj.metadata.name} ${ssa ? 'serverside-applied' : prev ? 'configured' : 'created'}${suffix}`,
          obj,
        });
        continue;
      }
      const { action, record } = storeObject(cluster, t, obj, Date.now(), { fieldManager: manager });
      record.applyMode = ssa ? 'ssa' : 'csa';
      res.push({
        rec: { ...rec, action },
        line: `${typeRef(t)}/${obj.metadata.name} ${ssa ? 'serverside-applied' : action}${suffix}`,
        obj: record.obj,
      });
    }
    return { res };
  });
  if (results.gone)
    throw new CliExit(1, `The connection to the server ${k.target.hostPort} was refused - did you specify the right host or port?`);
  for (const r of results.res) {
    applied.push(r.rec);
    if (r.err) errors.push(r.err);
    if (r.line) printed.push(r);
  }
  ctx.record.applied = applied;
  if (out === 'name') for (const r of printed) io.out(`${r.line.split(' ')[0]}\n`);
  else if (out === 'json' || out === 'yaml') {
    const objs = printed.map((r) => r.obj);
    const doc = objs.length === 1 ? objs[0] : { apiVersion: 'v1', kind: 'List', items: objs, metadata: { resourceVersion: '' } };
    io.out(out === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : toYaml(doc));
  } else for (const r of printed) io.out(`${r.line}\n`);
  if (errors.length) throw new CliExit(1, errors.join('\n'));
  return 0;
}

function imageConflicts(prevObj, obj) {
  const a = podSpecsOf(prevObj)[0];
  const b = podSpecsOf(obj)[0];
  if (!a || !b) return [];
  const base = obj.kind === 'Pod' ? '.spec' : '.spec.template.spec';
  const out = [];
  for (const c of b.containers ?? []) {
    const old = (a.containers ?? []).find((x) => x.name === c.name);
    if (old && old.image !== c.image) out.push(`${base}.containers[name="${c.name}"].image`);
  }
  return out;
}

export function normalizeDryRun(v, io) {
  if (v === 'unchanged') {
    io.err('W0000 00:00:00.000000       1 helpers.go:703] --dry-run is deprecated and can be replaced with --dry-run=client.\n');
    return 'client';
  }
  if (!['none', 'client', 'server'].includes(v))
    throw new CliExit(1, `error: Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
  return v;
}

// ------------------------------------------------------------------ create namespace

export async function cmdCreateNamespace(k) {
  const { flags, io, positionals } = k;
  const dry = normalizeDryRun(flags['dry-run'], io);
  if (positionals.length !== 1)
    throw new CliExit(
      1,
      `error: exactly one NAME is required, got ${positionals.length}\nSee 'kubectl create namespace -h' for help and examples`,
    );
  const name = positionals[0];
  const out = flags.output;
  if (out && !['json', 'yaml', 'name'].includes(out))
    throw new CliExit(1, `error: unable to match a printer suitable for the output format "${out}", allowed formats are: json,name,yaml`);
  const obj = { apiVersion: 'v1', kind: 'Namespace', metadata: { creationTimestamp: null, name }, spec: {}, status: {} };
  const print = (o, line) => {
    if (out === 'json') io.out(`${JSON.stringify(o, null, 4)}\n`);
    else if (out === 'yaml') io.out(toYaml(o));
    else if (out === 'name') io.out(`namespace/${name}\n`);
    else io.out(`${line}\n`);
  };
  if (k.clientOnly) {
    print(obj, `namespace/${name} created (dry run)`);
    return 0;
  }
  if (!DNS1123_LABEL.test(name) || name.length > 63) {
    throw new CliExit(
      1,
      `The Namespace "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
  }
  if (k.knobs.applyMs) await sleep(k.knobs.applyMs);
  const r = updateState(k.dir, (state) => {
    const cluster = state.clusters[k.clusterName];
    if (!cluster) return { gone: true };
    const t = resolveType(cluster, 'namespaces');
    if (cluster.objects[objKey(t, undefined, name)]) return { exists: true };
    if (dry === 'server') return { obj };
    const { record } = storeObject(
      cluster,
      t,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
      },
      Date.now(),
      { fieldManager: flags['field-manager'] },
    );
    return { obj: record.obj };
  });
  if (r.gone)
    throw new CliExit(1, `The connection to the server ${k.target.hostPort} was refused - did you specify the right host or port?`);
  if (r.exists) throw new CliExit(1, `Error from server (AlreadyExists): namespaces "${name}" already exists`);
  k.ctx.record.applied = [
    { kind: 'Namespace', apiVersion: 'v1', name, namespace: null, action: 'created', ...(dry !== 'none' ? { dryRun: dry } : {}) },
  ];
  print(r.obj, `namespace/${name} created${dry === 'server' ? ' (server dry run)' : ''}`);
  return 0;
}

// ------------------------------------------------------------------ delete

/** Parse "TYPE NAME...", "TYPE/NAME ..." and "TYPE1,TYPE2" arguments. */
export function parseResourceArgs(cluster, args) {
  const out = [];
  if (!args.length) return out;
  if (args.every((a) => a.includes('/'))) {
    for (const a of args) {
      const i = a.indexOf('/');
      const typeArg = a.slice(0, i);
      const name = a.slice(i + 1);
      const t = resolveType(cluster, typeArg);
      if (!t) throw new CliExit(1, `error: the server doesn't have a resource type "${typeArg}"`);
      if (!name) throw new CliExit(1, `error: arguments in resource/name form must have a single resource and name`);
      out.push({ t, name });
    }
    return out;
  }
  if (args.some((a) => a.includes('/')))
    throw new CliExit(
      1,
      "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>')",
    );
  const types = args[0]
    .split(',')
    .flatMap((a) =>
      a === 'all' ? ['pods', 'services', 'daemonsets', 'deployments', 'replicasets', 'statefulsets', 'jobs', 'cronjobs'] : [a],
    );
  const resolved = types.map((a) => {
    const t = resolveType(cluster, a);
    if (!t) throw new CliExit(1, `error: the server doesn't have a resource type "${a}"`);
    return t;
  });
  const names = args.slice(1);
  for (const t of resolved) {
    if (names.length) for (const name of names) out.push({ t, name });
    else out.push({ t });
  }
  return out;
}

export async function cmdDelete(k) {
  const { flags, io, dir, positionals } = k;
  const cluster0 = k.cluster();
  let targets = [];
  if (flags.filename.length || flags.kustomize) {
    const docs = flags.kustomize ? kustomizeBuild(flags.kustomize) : loadFilenames(flags.filename, flags.recursive);
    for (const d of docs) {
      const t = typeForManifest(cluster0, d.obj.apiVersion ?? '', d.obj.kind ?? '');
      if (!t)
        throw new CliExit(
          1,
          `error: resource mapping not found for name: "${d.obj.metadata?.name ?? ''}" namespace: "${d.obj.metadata?.namespace ?? ''}" from "${d.source}": no matches for kind "${d.obj.kind}" in version "${d.obj.apiVersion}"\nensure CRDs are installed first`,
        );
      targets.push({ t, name: d.obj.metadata?.name, namespace: t.namespaced ? d.obj.metadata?.namespace || k.namespace : undefined });
    }
  } else {
    if (!positionals.length)
      throw new CliExit(
        1,
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
      );
    targets = parseResourceArgs(cluster0, positionals);
    const hasNames = targets.some((x) => x.name);
    if (!hasNames && !flags.all && !flags.selector && !flags['field-selector']) {
      throw new CliExit(1, 'error: resource(s) were provided, but no name was specified');
    }
    if (!hasNames) {
      const reqs = flags.selector ? parseLabelSelector(flags.selector) : [];
      const expanded = [];
      for (const x of targets) {
        for (const o of Object.values(cluster0.objects)) {
          if (o.obj.kind !== x.t.kind || o.system) continue;
          if (x.t.namespaced && !flags['all-namespaces'] && o.obj.metadata.namespace !== k.namespace) continue;
          if (!selectorMatches(reqs, o.obj.metadata.labels)) continue;
          expanded.push({ t: x.t, name: o.obj.metadata.name, namespace: o.obj.metadata.namespace });
        }
      }
      targets = expanded;
      if (!targets.length) {
        io.err(`No resources found\n`);
        return 0;
      }
    }
  }
  const dry = normalizeDryRun(flags['dry-run'], io);
  const r = updateState(dir, (state) => {
    const cluster = state.clusters[k.clusterName];
    if (!cluster) return { gone: true };
    const lines = [];
    const errs = [];
    for (const x of targets) {
      const ns = x.t.namespaced ? (x.namespace ?? k.namespace) : undefined;
      const key = objKey(x.t, ns, x.name);
      const rec = cluster.objects[key];
      if (!rec) {
        if (!flags['ignore-not-found']) errs.push(`Error from server (NotFound): ${pluralRef(x.t)} "${x.name}" not found`);
        continue;
      }
      if (dry === 'none') {
        delete cluster.objects[key];
        if (x.t.kind === 'Namespace') {
          for (const [kk, o] of Object.entries(cluster.objects)) if (o.obj.metadata.namespace === x.name) delete cluster.objects[kk];
        }
      }
      lines.push(`${typeRef(x.t)} "${x.name}" deleted${dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : ''}`);
    }
    return { lines, errs };
  });
  if (r.gone)
    throw new CliExit(1, `The connection to the server ${k.target.hostPort} was refused - did you specify the right host or port?`);
  for (const l of r.lines) io.out(flags.output === 'name' ? `${l.split(' ')[0]}/${l.split('"')[1]}\n` : `${l}\n`);
  if (r.errs.length) throw new CliExit(1, r.errs.join('\n'));
  return 0;
}
