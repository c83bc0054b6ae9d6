// The fake `kubectl` CLI (kubectl v1.33 grammar). See test/fakes/README.md.
import { FlagError, findCommand, parseFlags } from './args.mjs';
import { deadExplanation, touch } from './cluster.mjs';
import { readKnobs } from './knobs.mjs';
import { KubeconfigError, resolveKubectlTarget } from './kubeconfig.mjs';
import { cmdApply, cmdCreateNamespace, cmdDelete, loadSources, normalizeDryRun } from './kubectl-apply.mjs';
import { cmdDescribe, cmdGet, cmdLogs } from './kubectl-read.mjs';
import { cmdRolloutStatus, cmdWait, parseFor } from './kubectl-wait.mjs';
import { K8S_VERSION } from './model.mjs';
import { consumeFailure, readState, updateState } from './state.mjs';
import { CliExit, parseGoDuration, sleep, toYaml } from './util.mjs';

const GLOBAL = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'request-timeout': { type: 'string', def: '0' },
  server: { type: 'string', short: 's' },
  cluster: { type: 'string' },
  user: { type: 'string' },
  token: { type: 'string' },
  as: { type: 'string' },
  'as-group': { type: 'stringArray' },
  'insecure-skip-tls-verify': { type: 'bool' },
  'certificate-authority': { type: 'string' },
  'client-certificate': { type: 'string' },
  'client-key': { type: 'string' },
  'tls-server-name': { type: 'string' },
  'match-server-version': { type: 'bool' },
  'disable-compression': { type: 'bool' },
  'cache-dir': { type: 'string' },
  'warnings-as-errors': { type: 'bool' },
  'log-flush-frequency': { type: 'duration' },
  v: { type: 'int', short: 'v' },
  help: { type: 'bool', short: 'h' },
};

const F = (short) => ({ type: 'stringSlice', ...(short ? { short } : {}) });
const OUTPUT = { output: { type: 'string', short: 'o' } };
const DRY = { 'dry-run': { type: 'string', def: 'none', noOptDefVal: 'unchanged' } };
const TEMPLATE = {
  template: { type: 'string' },
  'allow-missing-template-keys': { type: 'bool', def: true },
  'show-managed-fields': { type: 'bool' },
};

export const TREE = {
  apply: {
    spec: {
      filename: F('f'),
      kustomize: { type: 'string', short: 'k' },
      recursive: { type: 'bool', short: 'R' },
      'server-side': { type: 'bool' },
      'force-conflicts': { type: 'bool' },
      'field-manager': { type: 'string' },
      ...DRY,
      ...OUTPUT,
      ...TEMPLATE,
      validate: { type: 'string', def: 'strict', noOptDefVal: 'strict' },
      overwrite: { type: 'bool', def: true },
      force: { type: 'bool' },
      'grace-period': { type: 'int', def: -1 },
      timeout: { type: 'duration', def: 0 },
      wait: { type: 'bool' },
      selector: { type: 'string', short: 'l' },
      prune: { type: 'bool' },
      all: { type: 'bool' },
      cascade: { type: 'string', def: 'background', noOptDefVal: 'background' },
      'save-config': { type: 'bool' },
      record: { type: 'bool' },
    },
  },
  create: {
    spec: {
      filename: F('f'),
      ...DRY,
      ...OUTPUT,
      ...TEMPLATE,
      'save-config': { type: 'bool' },
      'field-manager': { type: 'string', def: 'kubectl-create' },
      validate: { type: 'string', def: 'strict', noOptDefVal: 'strict' },
      edit: { type: 'bool' },
      selector: { type: 'string', short: 'l' },
      raw: { type: 'string' },
    },
    sub: {
      namespace: {
        aliases: ['ns'],
        spec: {
          ...DRY,
          ...OUTPUT,
          ...TEMPLATE,
          'save-config': { type: 'bool' },
          'field-manager': { type: 'string', def: 'kubectl-create' },
          validate: { type: 'string', def: 'strict', noOptDefVal: 'strict' },
        },
      },
    },
  },
  get: {
    spec: {
      ...OUTPUT,
      ...TEMPLATE,
      selector: { type: 'string', short: 'l' },
      'all-namespaces': { type: 'bool', short: 'A' },
      'field-selector': { type: 'string' },
      watch: { type: 'bool', short: 'w' },
      'watch-only': { type: 'bool' },
      'ignore-not-found': { type: 'bool' },
      'show-labels': { type: 'bool' },
      'show-kind': { type: 'bool' },
      'no-headers': { type: 'bool' },
      'sort-by': { type: 'string' },
      'chunk-size': { type: 'int', def: 500 },
      'label-columns': { type: 'stringSlice', short: 'L' },
      filename: F('f'),
      recursive: { type: 'bool', short: 'R' },
      kustomize: { type: 'string', short: 'k' },
      'server-print': { type: 'bool', def: true },
      raw: { type: 'string' },
      subresource: { type: 'string' },
      'output-watch-events': { type: 'bool' },
    },
  },
  rollout: {
    sub: {
      status: {
        spec: {
          timeout: { type: 'duration', def: 0 },
          watch: { type: 'bool', short: 'w', def: true },
          revision: { type: 'int', def: 0 },
          filename: F('f'),
          selector: { type: 'string', short: 'l' },
          recursive: { type: 'bool', short: 'R' },
          kustomize: { type: 'string', short: 'k' },
        },
      },
      restart: { spec: { selector: { type: 'string', short: 'l' }, ...OUTPUT } },
      history: { spec: { revision: { type: 'int' }, ...OUTPUT } },
      undo: { spec: { 'to-revision': { type: 'int' }, ...OUTPUT } },
    },
  },
  wait: {
    spec: {
      for: { type: 'string' },
      timeout: { type: 'duration', def: 30_000 },
      all: { type: 'bool' },
      'all-namespaces': { type: 'bool', short: 'A' },
      selector: { type: 'string', short: 'l' },
      'field-selector': { type: 'string' },
      filename: F('f'),
      recursive: { type: 'bool', short: 'R' },
      local: { type: 'bool' },
      ...OUTPUT,
      ...TEMPLATE,
    },
  },
  describe: {
    spec: {
      selector: { type: 'string', short: 'l' },
      'all-namespaces': { type: 'bool', short: 'A' },
      'show-events': { type: 'bool', def: true },
      filename: F('f'),
      recursive: { type: 'bool', short: 'R' },
      kustomize: { type: 'string', short: 'k' },
      'chunk-size': { type: 'int', def: 500 },
    },
  },
  logs: {
    spec: {
      container: { type: 'string', short: 'c' },
      tail: { type: 'int', def: -1 },
      previous: { type: 'bool', short: 'p' },
      follow: { type: 'bool', short: 'f' },
      timestamps: { type: 'bool' },
      'all-containers': { type: 'bool' },
      'all-pods': { type: 'bool' },
      since: { type: 'duration', def: 0 },
      'since-time': { type: 'string' },
      'limit-bytes': { type: 'int', def: 0 },
      prefix: { type: 'bool' },
      selector: { type: 'string', short: 'l' },
      'max-log-requests': { type: 'int', def: 5 },
      'pod-running-timeout': { type: 'duration', def: 20_000 },
      'ignore-errors': { type: 'bool' },
      'insecure-skip-tls-verify-backend': { type: 'bool' },
    },
  },
  delete: {
    spec: {
      filename: F('f'),
      kustomize: { type: 'string', short: 'k' },
      recursive: { type: 'bool', short: 'R' },
      selector: { type: 'string', short: 'l' },
      'field-selector': { type: 'string' },
      all: { type: 'bool' },
      'all-namespaces': { type: 'bool', short: 'A' },
      'ignore-not-found': { type: 'bool' },
      wait: { type: 'bool', def: true },
      timeout: { type: 'duration', def: 0 },
      'grace-period': { type: 'int', def: -1 },
      now: { type: 'bool' },
      force: { type: 'bool' },
      cascade: { type: 'string', def: 'background', noOptDefVal: 'background' },
      interactive: { type: 'bool', short: 'i' },
      raw: { type: 'string' },
      ...OUTPUT,
      ...DRY,
    },
  },
  version: { spec: { client: { type: 'bool' }, ...OUTPUT } },
  'cluster-info': {
    spec: {},
    sub: {
      dump: {
        spec: {
          ...OUTPUT,
          'all-namespaces': { type: 'bool', short: 'A' },
          'output-directory': { type: 'string' },
          namespaces: { type: 'stringSlice' },
        },
      },
    },
  },
  config: {
    sub: {
      'current-context': { spec: {} },
      'get-contexts': { spec: { ...OUTPUT, 'no-headers': { type: 'bool' } } },
      'use-context': { spec: {} },
      view: { spec: { minify: { type: 'bool' }, raw: { type: 'bool' }, flatten: { type: 'bool' }, ...OUTPUT, ...TEMPLATE } },
    },
  },
  'api-resources': {
    spec: {
      namespaced: { type: 'bool', def: true },
      ...OUTPUT,
      'api-group': { type: 'string' },
      verbs: { type: 'stringSlice' },
      'no-headers': { type: 'bool' },
      'sort-by': { type: 'string' },
      categories: { type: 'stringSlice' },
      cached: { type: 'bool' },
    },
  },
};

export function usageError(cmdPath, msg) {
  return new CliExit(1, `error: ${msg}\nSee 'kubectl ${cmdPath ? `${cmdPath} ` : ''}--help' for usage.`);
}

/** Connection refused, like kubectl against a server that is not there. */
export function refused(target, extra = '') {
  const d = new Date();
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const stamp = `E${pad(d.getMonth() + 1)}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`;
  const line = `${stamp} ${String(process.pid).padStart(7)} memcache.go:265] "Unhandled Error" err="couldn't get current server API group list: Get \\"${target.server}/api?timeout=32s\\": dial tcp ${target.hostPort === 'localhost:8080' ? '127.0.0.1:8080' : target.hostPort}: connect: connection refused"`;
  return new CliExit(
    1,
    `${Array(5).fill(line).join('\n')}\nThe connection to the server ${target.hostPort} was refused - did you specify the right host or port?${extra ? `\n${extra}` : ''}`,
    { refused: true },
  );
}

function verbOps(verb) {
  const ops = [`kubectl:${verb}`];
  if (['apply', 'rollout', 'wait', 'logs', 'describe'].includes(verb)) ops.push(verb);
  return ops;
}

export async function kubectlMain(ctx) {
  const { argv, io, record, dir } = ctx;
  const knobs = readKnobs('kubectl');
  const found = findCommand(argv, TREE, GLOBAL);
  if (found.unknown) throw new CliExit(1, `error: unknown command "${found.unknown}" for "kubectl"`);
  const cmdPath = found.path.join(' ');
  let parsed;
  try {
    const spec = { ...GLOBAL };
    let level = TREE;
    for (const p of found.path) {
      Object.assign(spec, level[p].spec ?? {});
      level = level[p].sub;
    }
    parsed = parseFlags(found.rest, spec);
  } catch (e) {
    if (e instanceof FlagError) throw usageError(cmdPath, e.message);
    throw e;
  }
  const { flags, positionals } = parsed;
  record.op = `kubectl:${found.path.join('-') || 'root'}`;
  if (flags.help) {
    io.out(`fake kubectl: help for "kubectl ${cmdPath}" (see test/fakes/README.md)\n`);
    return 0;
  }
  if (found.path.length === 0) {
    if (positionals.length) throw new CliExit(1, `error: unknown command "${positionals[0]}" for "kubectl"`);
    io.out('kubectl controls the Kubernetes cluster manager.\n');
    return 0;
  }
  if (found.node?.sub && !found.node.spec) {
    if (positionals.length)
      throw new CliExit(1, `error: unknown command "${positionals[0]}"\nSee 'kubectl ${cmdPath} -h' for help and examples`);
    io.out(`Usage:\n  kubectl ${cmdPath} SUBCOMMAND [options]\n`);
    return 1;
  }
  const rt = flags['request-timeout'];
  if (!/^\d+$/.test(rt)) {
    try {
      parseGoDuration(rt);
    } catch {
      throw new CliExit(
        1,
        'error: Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)',
      );
    }
  }

  // ---- argument checks kubectl makes before it talks to the server
  const pre = preflight(cmdPath, flags, positionals, io);

  // ---- commands that need no server
  if (cmdPath === 'version' && flags.client) return cmdVersion(io, flags, undefined);
  if (cmdPath.startsWith('config ')) return cmdConfig(ctx, cmdPath, flags, positionals, knobs);
  const dry = flags['dry-run'];
  if (cmdPath === 'create namespace' && (dry === 'client' || dry === 'unchanged')) {
    return cmdCreateNamespace({ ctx, io, flags, positionals, knobs, cmdPath, clientOnly: true });
  }
  if (['rollout restart', 'rollout history', 'rollout undo', 'cluster-info dump', 'api-resources'].includes(cmdPath)) {
    throw new CliExit(1, `error: fake kubectl: "kubectl ${cmdPath}" is a real kubectl command that the fake does not implement`);
  }
  if (cmdPath === 'create' && !flags.filename.length) {
    throw new CliExit(1, 'error: must specify one of -f and -k');
  }
  if (cmdPath === 'create')
    throw new CliExit(1, 'error: fake kubectl: "kubectl create -f" is not implemented by the fake; use "kubectl apply -f"');

  // ---- resolve the cluster
  let target;
  try {
    target = resolveKubectlTarget({ kubeconfigFlag: flags.kubeconfig, contextFlag: flags.context, serverFlag: flags.server, knobs });
  } catch (e) {
    if (!(e instanceof KubeconfigError)) throw e;
    if (e.message.startsWith('context was not found')) throw new CliExit(1, `Error in configuration: ${e.message}`);
    throw new CliExit(1, `error: ${e.message}`);
  }
  record.server = target.server;
  const now = Date.now();
  const lookup = (state) => {
    const c = Object.values(state.clusters).find(
      (x) => x.status === 'ready' && x.port === target.port && ['127.0.0.1', 'localhost'].includes(target.host),
    );
    if (!c) return undefined;
    const t = touch(c, now, knobs);
    return { name: c.name, dead: t.dead ? c : undefined };
  };
  // activity stamps only matter for idle death; without it, skip the state write
  const res = knobs.idleDeathMs > 0 ? updateState(dir, lookup) : lookup(readState(dir));
  if (!res) throw refused(target);
  record.cluster = res.name;
  if (res.dead) throw refused(target, deadExplanation('kubectl', res.dead));

  const verb = found.path[0];
  const rule = consumeFailure(dir, knobs.fail, verbOps(verb), [argv.join(' '), res.name]);
  if (knobs.kubectlMs) await sleep(knobs.kubectlMs);
  if (rule) {
    await sleep(rule.delayMs ?? 0);
    throw new CliExit(rule.exit ?? 1, rule.message ?? 'Unable to connect to the server: net/http: TLS handshake timeout', {
      injected: true,
      rule: rule.index,
    });
  }

  const k = {
    ctx,
    io,
    dir,
    knobs,
    flags,
    positionals,
    dashAt: parsed.dashAt,
    cmdPath,
    target,
    clusterName: res.name,
    namespace: flags.namespace || target.namespace || 'default',
    namespaceExplicit: Boolean(flags.namespace),
    cluster: () => readState(dir).clusters[res.name],
    alive: () => {
      const st = readState(dir).clusters[res.name];
      return st && st.status === 'ready' && !st.dead ? st : undefined;
    },
    touch: () => {
      if (knobs.idleDeathMs > 0) {
        updateState(dir, (state) => {
          const c = state.clusters[res.name];
          if (c) touch(c, Date.now(), knobs);
        });
      }
    },
  };
  switch (cmdPath) {
    case 'version':
      return cmdVersion(io, flags, k);
    case 'cluster-info':
      if (positionals.length) throw new CliExit(1, `error: unknown command "${positionals[0]}" for "kubectl cluster-info"`);
      io.out(
        `Kubernetes control plane is running at ${target.server}\nCoreDNS is running at ${target.server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`,
      );
      return 0;
    case 'apply':
      return cmdApply(k, pre.docs);
    case 'create namespace':
      return cmdCreateNamespace({ ...k, clientOnly: false });
    case 'delete':
      return cmdDelete(k);
    case 'get':
      return cmdGet(k);
    case 'describe':
      return cmdDescribe(k);
    case 'logs':
      return cmdLogs(k);
    case 'rollout status':
      return cmdRolloutStatus(k);
    case 'wait':
      return cmdWait(k, pre.cond);
    default:
      throw new CliExit(1, `error: fake kubectl: "kubectl ${cmdPath}" is not implemented by the fake`);
  }
}

const LOGS_USAGE =
  "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples";
const RESOURCES_REQUIRED =
  "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

/** Client-side argument validation (no server needed), like kubectl's Complete/Validate. */
function preflight(cmdPath, flags, positionals, io) {
  const out = {};
  switch (cmdPath) {
    case 'get':
      if (!positionals.length && !flags.filename.length && !flags.kustomize) {
        throw new CliExit(
          1,
          'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples',
        );
      }
      break;
    case 'rollout status':
      if (!positionals.length && !flags.filename.length && !flags.kustomize) throw new CliExit(1, 'error: required resource not specified');
      break;
    case 'describe':
      if (!positionals.length && !flags.filename.length && !flags.kustomize)
        throw new CliExit(
          1,
          'error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.',
        );
      break;
    case 'logs':
      if ((!positionals.length && !flags.selector) || positionals.length > 2) throw new CliExit(1, LOGS_USAGE);
      break;
    case 'delete':
      if (!positionals.length && !flags.filename.length && !flags.kustomize) throw new CliExit(1, RESOURCES_REQUIRED);
      normalizeDryRun(flags['dry-run'], io);
      break;
    case 'wait':
      out.cond = parseFor(flags.for);
      if (!positionals.length && !flags.filename.length) throw new CliExit(1, RESOURCES_REQUIRED);
      break;
    case 'create namespace':
      if (positionals.length !== 1)
        throw new CliExit(
          1,
          `error: exactly one NAME is required, got ${positionals.length}\nSee 'kubectl create namespace -h' for help and examples`,
        );
      normalizeDryRun(flags['dry-run'], io);
      break;
    case 'apply': {
      if (positionals.length)
        throw new CliExit(1, `error: Unexpected args: [${positionals.join(' ')}]\nSee 'kubectl apply -h' for help and examples`);
      const dry = normalizeDryRun(flags['dry-run'], io);
      if (flags['server-side'] && dry === 'client')
        throw new CliExit(1, "error: --dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)");
      if (flags['force-conflicts'] && !flags['server-side']) throw new CliExit(1, 'error: --force-conflicts only works with --server-side');
      out.docs = loadSources({ flags });
      out.dry = dry;
      break;
    }
    default:
      break;
  }
  return out;
}

function cmdVersion(io, flags, k) {
  const client = {
    major: '1',
    minor: '33',
    gitVersion: K8S_VERSION,
    gitCommit: '8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828',
    gitTreeState: 'clean',
    buildDate: '2025-05-15T08:27:33Z',
    goVersion: 'go1.24.2',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
  const server = k ? { ...client, buildDate: '2025-05-21T18:07:11Z' } : undefined;
  const o = flags.output;
  if (o && o !== 'json' && o !== 'yaml') throw new CliExit(1, `error: --output must be 'yaml' or 'json'`);
  const doc = { clientVersion: client, kustomizeVersion: 'v5.6.0', ...(server ? { serverVersion: server } : {}) };
  if (o === 'json') io.out(`${JSON.stringify(doc, null, 2)}\n`);
  else if (o === 'yaml') io.out(toYaml(doc));
  else io.out(`Client Version: ${K8S_VERSION}\nKustomize Version: v5.6.0\n${server ? `Server Version: ${K8S_VERSION}\n` : ''}`);
  return 0;
}

function cmdConfig(ctx, cmdPath, flags, positionals, knobs) {
  const { io } = ctx;
  let target;
  try {
    target = resolveKubectlTarget({ kubeconfigFlag: flags.kubeconfig, contextFlag: flags.context, serverFlag: undefined, knobs });
  } catch (e) {
    if (e instanceof KubeconfigError) throw new CliExit(1, `error: ${e.message}`);
    throw e;
  }
  if (cmdPath === 'config current-context') {
    if (!target.context) throw new CliExit(1, 'error: current-context is not set');
    io.out(`${target.context}\n`);
    return 0;
  }
  throw new CliExit(1, `error: fake kubectl: "kubectl ${cmdPath}" is not implemented by the fake`);
}
