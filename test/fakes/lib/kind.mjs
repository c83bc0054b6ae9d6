// The fake `kind` CLI (kind v0.27.0 grammar). See test/fakes/README.md.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlagError, findCommand, parseFlags } from './args.mjs';
import {
  KIND_VERSION,
  KindConfigError,
  ctrImportCommand,
  deadExplanation,
  finishCluster,
  hostPathExists,
  newCluster,
  parseKindConfig,
  pickPort,
  providerBin,
  touch,
} from './cluster.mjs';
import { ArchiveError, normalizeImage, readImageArchive, repoOf } from './images.mjs';
import { durationFor, readKnobs } from './knobs.mjs';
import { kindKubeconfigTarget, kindKubeconfigText, removeKindKubeconfig, writeKindKubeconfig } from './kubeconfig.mjs';
import { DEFAULT_NODE_IMAGE, evaluate } from './model.mjs';
import { consumeFailure, readState, updateState, visibleClusters } from './state.mjs';
import { CliExit, formatGoDuration, hexOf, isoTime, pidAlive, sleep } from './util.mjs';

const GLOBAL = {
  loglevel: { type: 'string' },
  verbosity: { type: 'int', short: 'v' },
  quiet: { type: 'bool', short: 'q' },
  help: { type: 'bool', short: 'h' },
};
const NAME = { name: { type: 'string', short: 'n' } };

const TREE = {
  create: {
    sub: {
      cluster: {
        spec: {
          ...NAME,
          config: { type: 'string' },
          image: { type: 'string' },
          retain: { type: 'bool' },
          wait: { type: 'duration', def: 0 },
          kubeconfig: { type: 'string' },
        },
      },
    },
  },
  delete: {
    sub: {
      cluster: { spec: { ...NAME, kubeconfig: { type: 'string' } } },
      clusters: { spec: { all: { type: 'bool', short: 'A' }, kubeconfig: { type: 'string' } } },
    },
  },
  get: {
    sub: {
      clusters: { spec: {} },
      nodes: { spec: { ...NAME, 'all-clusters': { type: 'bool', short: 'A' } } },
      kubeconfig: { spec: { ...NAME, internal: { type: 'bool' } } },
    },
  },
  load: {
    sub: {
      'docker-image': { spec: { ...NAME, nodes: { type: 'stringSlice' } } },
      'image-archive': { spec: { ...NAME, nodes: { type: 'stringSlice' } } },
    },
  },
  export: {
    sub: { logs: { spec: { ...NAME } }, kubeconfig: { spec: { ...NAME, kubeconfig: { type: 'string' }, internal: { type: 'bool' } } } },
  },
  version: { spec: {} },
  build: { sub: { 'node-image': { spec: {} } } },
  completion: { spec: {} },
};

const fail = (msg, code = 1, extra = {}) => new CliExit(code, `ERROR: ${msg}`, extra);

function provider(io) {
  const p = process.env.KIND_EXPERIMENTAL_PROVIDER;
  if (!p) return 'docker';
  if (['docker', 'podman', 'nerdctl', 'finch', 'nerdctl.lima'].includes(p)) return p.startsWith('nerdctl') || p === 'finch' ? 'nerdctl' : p;
  io.err(`WARNING: ignoring unknown value "${p}" for KIND_EXPERIMENTAL_PROVIDER\n`);
  return 'docker';
}

function clusterName(flags) {
  return flags.name || process.env.KIND_CLUSTER_NAME || 'kind';
}

const APISERVER_BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'apiserver');

export async function kindMain(ctx) {
  const { argv, io, record } = ctx;
  const knobs = readKnobs('kind');
  const found = findCommand(argv, TREE, GLOBAL);
  if (found.unknown) throw fail(`unknown command "${found.unknown}" for "kind"`);
  const pathStr = found.path.join(' ');
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
    if (e instanceof FlagError) throw fail(e.message);
    throw e;
  }
  const { flags, positionals } = parsed;
  record.op = `kind:${found.path.join('-') || 'root'}`;
  const quiet = flags.quiet;
  const log = (s) => {
    if (!quiet) io.err(s);
  };
  if (flags.help) {
    io.out(`fake kind ${KIND_VERSION}: help for "kind ${pathStr}" (see test/fakes/README.md)\n`);
    return 0;
  }
  if (found.node?.sub && !found.node.spec) {
    if (positionals.length) throw fail(`unknown command "${positionals[0]}" for "kind ${pathStr}"`);
    io.out(`Usage:\n  kind ${pathStr} [command]\n`);
    return 0;
  }
  if (found.path.length === 0) {
    if (positionals.length) throw fail(`unknown command "${positionals[0]}" for "kind"`);
    io.out("kind creates and manages local Kubernetes clusters using Docker container 'nodes'\n\nUsage:\n  kind [command]\n");
    return 0;
  }
  const prov = provider(io);
  record.provider = prov;
  const noArgs = () => {
    if (positionals.length) throw fail(`unknown command "${positionals[0]}" for "kind ${pathStr}"`);
  };
  switch (pathStr) {
    case 'version':
      noArgs();
      io.out(`kind ${KIND_VERSION} go1.24.2 linux/amd64\n`);
      return 0;
    case 'create cluster':
      noArgs();
      return createCluster(ctx, flags, prov, knobs, log);
    case 'delete cluster':
      noArgs();
      return deleteClusters(ctx, [clusterName(flags)], flags, prov, knobs, log, false);
    case 'delete clusters': {
      const names = flags.all ? visibleClusters(readState(ctx.dir), prov).map((c) => c.name) : positionals;
      if (!flags.all && names.length === 0) throw fail('no cluster names provided');
      return deleteClusters(ctx, names, flags, prov, knobs, log, true);
    }
    case 'get clusters': {
      noArgs();
      const names = visibleClusters(readState(ctx.dir), prov)
        .map((c) => c.name)
        .sort();
      if (!names.length) log('No kind clusters found.\n');
      for (const n of names) io.out(`${n}\n`);
      return 0;
    }
    case 'get nodes': {
      noArgs();
      const state = readState(ctx.dir);
      const cs = flags['all-clusters']
        ? visibleClusters(state, prov)
        : visibleClusters(state, prov).filter((c) => c.name === clusterName(flags));
      const nodes = cs.flatMap((c) => [...(c.externalLoadBalancer ? [c.externalLoadBalancer] : []), ...c.nodes.map((n) => n.name)]);
      if (!nodes.length) log(`No kind nodes found for cluster "${clusterName(flags)}".\n`);
      for (const n of nodes) io.out(`${n}\n`);
      return 0;
    }
    case 'get kubeconfig': {
      noArgs();
      const name = clusterName(flags);
      const c = visibleClusters(readState(ctx.dir), prov).find((x) => x.name === name && x.status === 'ready');
      if (!c)
        throw fail(
          `could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`,
        );
      io.out(kindKubeconfigText(name, c.port, flags.internal));
      return 0;
    }
    case 'export kubeconfig': {
      noArgs();
      const name = clusterName(flags);
      const c = visibleClusters(readState(ctx.dir), prov).find((x) => x.name === name && x.status === 'ready');
      if (!c)
        throw fail(
          `could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`,
        );
      writeKindKubeconfig(kindKubeconfigTarget(flags.kubeconfig, knobs), name, c.port);
      log(`Set kubectl context to "kind-${name}"\n`);
      return 0;
    }
    case 'export logs':
      if (positionals.length > 1) throw fail(`accepts at most 1 arg(s), received ${positionals.length}`);
      return exportLogs(ctx, flags, prov, knobs, positionals[0]);
    case 'load image-archive':
      if (positionals.length < 1) throw fail('name of image archive is required');
      return loadImages(ctx, flags, prov, knobs, log, { archives: positionals });
    case 'load docker-image':
      if (positionals.length < 1) throw fail('name of image is required');
      return loadImages(ctx, flags, prov, knobs, log, { images: positionals });
    default:
      throw fail(`fake kind: "kind ${pathStr}" is a real kind command that the fake does not implement`);
  }
}

// ------------------------------------------------------------------ create

async function createCluster(ctx, flags, prov, knobs, log) {
  const { dir, record } = ctx;
  let config = { nodes: [{ role: 'control-plane', labels: {}, extraMounts: [], extraPortMappings: [] }], networking: {} };
  let configPath;
  if (flags.config) {
    let text;
    try {
      text = flags.config === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(flags.config, 'utf8');
    } catch (e) {
      throw fail(
        `failed to create cluster: error reading file: open ${flags.config}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`,
      );
    }
    configPath = flags.config === '-' ? '-' : path.resolve(flags.config);
    try {
      config = parseKindConfig(text, process.cwd());
    } catch (e) {
      if (e instanceof KindConfigError) throw fail(`failed to create cluster: ${e.message}`);
      throw e;
    }
  }
  const name = flags.name || process.env.KIND_CLUSTER_NAME || config.name || 'kind';
  record.cluster = name;
  if (!/^[a-z0-9.-]+$/.test(name)) {
    throw fail(`failed to create cluster: '${name}' is not a valid cluster name, cluster names must match \`^[a-z0-9.-]+$\``);
  }
  const nodeImage = flags.image || DEFAULT_NODE_IMAGE;
  const kubeconfig = path.resolve(kindKubeconfigTarget(flags.kubeconfig, knobs));
  const start = Date.now();
  log(`Creating cluster "${name}" ...\n`);
  const bin = providerBin(prov);

  const conflict = updateState(dir, (state) => {
    if (state.clusters[name]) return { exists: true };
    // host ports are shared by every cluster on the host, whatever the provider
    const taken = new Map();
    for (const c of Object.values(state.clusters))
      for (const n of c.nodes)
        for (const p of n.extraPortMappings ?? []) if (p.hostPort) taken.set(`${p.hostPort}/${p.protocol ?? 'TCP'}`, c.name);
    for (const n of config.nodes) {
      for (const p of n.extraPortMappings) {
        if (p.hostPort && taken.has(`${p.hostPort}/${p.protocol}`)) return { port: p, other: taken.get(`${p.hostPort}/${p.protocol}`) };
      }
    }
    const port = pickPort(state, name, knobs.seed);
    state.clusters[name] = newCluster({
      name,
      provider: prov,
      config,
      configPath,
      nodeImage,
      port,
      now: start,
      kubeconfig,
      retain: flags.retain,
    });
    return undefined;
  });
  if (conflict?.exists) throw fail(`failed to create cluster: node(s) already exist for a cluster with the name "${name}"`);
  log(` ✓ Ensuring node image (${nodeImage}) 🖼\n`);
  const removeUnlessRetained = () =>
    updateState(dir, (state) => {
      const c = state.clusters[name];
      if (!c || c.createStartMs !== start) return;
      if (flags.retain) c.status = 'failed';
      else delete state.clusters[name];
    });
  if (conflict?.port) {
    const p = conflict.port;
    const msg =
      prov === 'podman'
        ? `Error: rootlessport listen tcp ${p.listenAddress}:${p.hostPort}: bind: address already in use`
        : `docker: Error response from daemon: driver failed programming external connectivity on endpoint ${name}-control-plane (${hexOf(name, 64)}): Bind for ${p.listenAddress}:${p.hostPort} failed: port is already allocated.`;
    log(' ✗ Preparing nodes 📦\n');
    throw fail(
      `failed to create cluster: command "${bin} run --name ${name}-control-plane --hostname ${name}-control-plane --label io.x-k8s.kind.role=control-plane --privileged ... --publish=${p.listenAddress}:${p.hostPort}:${p.containerPort}/${p.protocol.toLowerCase()} ... ${nodeImage}" failed with error: exit status 125\nCommand Output: ${msg}`,
      1,
      { injected: false, portConflict: { hostPort: p.hostPort, otherCluster: conflict.other } },
    );
  }
  if (prov === 'podman') {
    for (const n of config.nodes) {
      for (const m of n.extraMounts) {
        if (m.hostPathResolved && !hostPathExists(m.hostPathResolved)) {
          // podman (unlike docker) does not create missing bind-mount sources
          removeUnlessRetained();
          log(' ✗ Preparing nodes 📦\n');
          throw fail(
            `failed to create cluster: command "podman run --name ${name}-control-plane ... --volume=${m.hostPath}:${m.containerPath} ... ${nodeImage}" failed with error: exit status 125\nCommand Output: Error: statfs ${m.hostPathResolved}: no such file or directory`,
          );
        }
      }
    }
  }
  log(' ✓ Preparing nodes 📦\n ✓ Writing configuration 📜\n');
  const createMs = durationFor(knobs, 'create', [name], knobs.createMs);
  const rule = consumeFailure(dir, knobs.fail, ['create', 'kind:create', 'kind:create-cluster'], [ctx.argv.join(' '), name, prov]);
  if (rule) {
    await sleep(rule.delayMs ?? createMs);
    removeUnlessRetained();
    log(' ✗ Starting control-plane 🕹️\n');
    const msg =
      rule.message ??
      `failed to create cluster: failed to init node with kubeadm: command "${bin} exec --privileged ${name}-control-plane kubeadm init --config=/kind/kubeadm.conf --skip-token-print --v=6" failed with error: exit status 1\n` +
        `Command Output: I${isoTime(Date.now()).slice(5, 10).replace('-', '')} 10:00:00.000000     208 initconfiguration.go:260] loading configuration from "/kind/kubeadm.conf"\n` +
        `[init] Using Kubernetes version: v1.33.1\n[kubelet-start] Starting the kubelet\n[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "/etc/kubernetes/manifests"\n` +
        `[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s\n` +
        `[kubelet-check] It seems like the kubelet isn't running or healthy.\n` +
        `[kubelet-check] The HTTP call equal to 'curl -sSL http://localhost:10248/healthz' failed with error: Get "http://localhost:10248/healthz": dial tcp [::1]:10248: connect: connection refused.\n` +
        `Unfortunately, an error has occurred:\n\ttimed out waiting for the condition`;
    throw new CliExit(rule.exit ?? 1, rule.message ? msg : `ERROR: ${msg}`, { injected: true, rule: rule.index });
  }
  await sleep(createMs);
  const ok = updateState(dir, (state) => {
    const c = state.clusters[name];
    if (!c || c.createStartMs !== start) return false;
    finishCluster(c, Date.now(), knobs);
    return true;
  });
  if (!ok) throw fail(`failed to create cluster: the cluster "${name}" was deleted while it was being created`);
  const port = await startApiserver(dir, name);
  writeKindKubeconfig(kubeconfig, name, port);
  log(' ✓ Starting control-plane 🕹️\n ✓ Installing CNI 🔌\n ✓ Installing StorageClass 💾\n');
  if (flags.wait > 0) {
    log(` ✓ Waiting ≤ ${formatGoDuration(flags.wait)} for control-plane = Ready ⏳\n`);
    const waitFor = Math.min(flags.wait, knobs.nodeReadyMs);
    await sleep(waitFor);
    if (knobs.nodeReadyMs > flags.wait) log(' • WARNING: Timed out waiting for Ready ⚠️\n');
    else log(` • Ready after ${formatGoDuration(Math.round(waitFor / 1000) * 1000)} 💚\n`);
  }
  log(
    `Set kubectl context to "kind-${name}"\nYou can now use your cluster with:\n\nkubectl cluster-info --context kind-${name}${flags.kubeconfig ? ` --kubeconfig ${flags.kubeconfig}` : ''}\n\nThanks for using kind! 😊\n`,
  );
  return 0;
}

/**
 * Starts the cluster's API emulator (bin/apiserver) as a detached process and records its address. It stops by itself
 * when the cluster leaves the state, so a test that forgets `kind delete` leaks no server beyond its state dir.
 */
async function startApiserver(dir, name) {
  const portFile = path.join(dir, `apiserver-${name}.json`);
  fs.rmSync(portFile, { force: true });
  const log = fs.openSync(path.join(dir, `apiserver-${name}.log`), 'a');
  const child = spawn(process.execPath, [APISERVER_BIN, dir, name, portFile], {
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  });
  child.unref();
  fs.closeSync(log);
  const started = Date.now();
  while (!fs.existsSync(portFile)) {
    if (child.exitCode !== null || Date.now() - started > 20_000)
      throw fail(`failed to create cluster: the API emulator did not start; see ${path.join(dir, `apiserver-${name}.log`)}`);
    await sleep(10);
  }
  const { pid, port } = JSON.parse(fs.readFileSync(portFile, 'utf8'));
  updateState(dir, (state) => {
    const c = state.clusters[name];
    if (c) Object.assign(c, { port, apiserverPid: pid });
  });
  return port;
}

/** kind's kubeconfig.Remove: lock (creating the directory), read, drop the entries, write. Returns an error text. */
function kindRemoveEntry(file, name) {
  const lock = `${file}.lock`;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(lock, '', { flag: 'wx' });
  } catch (e) {
    return `failed to lock config file: open ${lock}: ${e.code === 'EEXIST' ? 'file exists' : e.message}`;
  }
  try {
    removeKindKubeconfig(file, name);
    return undefined;
  } catch (e) {
    return `failed to read kubeconfig to remove KIND entry: ${e.message}`;
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function stopApiserver(c) {
  if (!c?.apiserverPid) return;
  try {
    process.kill(c.apiserverPid, 'SIGTERM');
  } catch {
    // already gone
  }
}

// ------------------------------------------------------------------ delete

async function deleteClusters(ctx, names, flags, prov, knobs, log, plural) {
  const { dir, record } = ctx;
  record.cluster = names.length === 1 ? names[0] : names;
  const deleted = [];
  for (const name of names) {
    if (!plural) log(`Deleting cluster "${name}" ...\n`);
    const rule = consumeFailure(dir, knobs.fail, ['delete', 'kind:delete', 'kind:delete-cluster'], [ctx.argv.join(' '), name]);
    const c = readState(dir).clusters[name];
    const visible = c && c.provider === prov;
    if (rule) {
      await sleep(rule.delayMs ?? 0);
      throw new CliExit(
        rule.exit ?? 1,
        rule.message ??
          `ERROR: failed to delete cluster "${name}": error deleting nodes: command "${providerBin(prov)} rm -f -v ${name}-control-plane" failed with error: exit status 1`,
        { injected: true, rule: rule.index },
      );
    }
    // Like kind (pkg/cluster/internal/delete/delete.go:30-55): the kubeconfig entry is removed first, from
    // --kubeconfig, else $KUBECONFIG, else ~/.kube/config, under a lock file (kubeconfig/internal/kubeconfig/
    // remove.go:27-55, lock.go); a failure there is logged, the nodes are deleted anyway, and the command fails.
    const kc = flags.kubeconfig ? flags.kubeconfig : kindKubeconfigTarget('', knobs);
    const kerr = visible ? kindRemoveEntry(kc, name) : undefined;
    if (kerr) log(`ERROR: failed to update kubeconfig: ${kerr}\n`);
    if (!visible) continue;
    await sleep(durationFor(knobs, 'delete', [name], knobs.deleteMs));
    const removed = updateState(dir, (state) => {
      const cur = state.clusters[name];
      if (!cur || cur.provider !== prov) return undefined;
      delete state.clusters[name];
      return cur;
    });
    if (!removed) continue;
    stopApiserver(removed);
    deleted.push(removed);
    if (kerr) {
      if (!plural) log(`Deleted nodes: [${removed.nodes.map((n) => JSON.stringify(n.name)).join(' ')}]\n`);
      throw new CliExit(1, `ERROR: failed to delete cluster "${name}": ${kerr}`);
    }
  }
  if (plural) log(`Deleted clusters: [${deleted.map((c) => JSON.stringify(c.name)).join(' ')}]\n`);
  else if (deleted.length) log(`Deleted nodes: [${deleted[0].nodes.map((n) => JSON.stringify(n.name)).join(' ')}]\n`);
  return 0;
}

// ------------------------------------------------------------------ export logs

async function exportLogs(ctx, flags, prov, knobs, dirArg) {
  const { dir, io, record } = ctx;
  const name = clusterName(flags);
  record.cluster = name;
  const c = visibleClusters(readState(dir), prov).find((x) => x.name === name);
  if (!c) throw fail(`unknown cluster "${name}"`);
  const rule = consumeFailure(dir, knobs.fail, ['export', 'kind:export', 'kind:export-logs'], [ctx.argv.join(' '), name]);
  await sleep(rule?.delayMs ?? durationFor(knobs, 'export', [name], knobs.exportMs));
  if (rule)
    throw new CliExit(
      rule.exit ?? 1,
      rule.message ??
        `ERROR: [command "${providerBin(prov)} exec --privileged ${name}-control-plane journalctl --no-pager" failed with error: exit status 1]`,
      { injected: true, rule: rule.index },
    );
  const out = path.resolve(dirArg ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kind-logs-')));
  io.err(`Exporting logs for cluster "${name}" to:\n`);
  fs.mkdirSync(out, { recursive: true });
  const now = Date.now();
  fs.writeFileSync(path.join(out, 'kind-version.txt'), `kind ${KIND_VERSION} go1.24.2 linux/amd64\n`);
  fs.writeFileSync(path.join(out, `${prov}-info.txt`), `fake ${prov} info for cluster ${name}\nprovider: ${prov}\n`);
  const world = c.status === 'ready' ? evaluate(c, now, knobs) : { pods: [] };
  for (const n of c.nodes) {
    const nd = path.join(out, n.name);
    fs.mkdirSync(nd, { recursive: true });
    fs.writeFileSync(
      path.join(nd, 'kubelet.log'),
      `${isoTime(c.createStartMs)} ${n.name} kubelet[201]: I0000 Started kubelet\n${c.dead ? `${isoTime(c.dead.atMs)} ${n.name} kubelet[201]: E0000 node container exited while idle\n` : ''}`,
    );
    fs.writeFileSync(
      path.join(nd, 'containerd.log'),
      Object.entries(n.images)
        .filter(([, v]) => !v.preloaded)
        .map(([ref, v]) => `${isoTime(v.importedMs)} ${n.name} containerd[120]: level=info msg="ImageCreate event name:\\"${ref}\\""`)
        .join('\n') + '\n',
    );
    fs.writeFileSync(path.join(nd, 'images.log'), `IMAGE\n${Object.keys(n.images).sort().join('\n')}\n`);
    fs.writeFileSync(
      path.join(nd, 'inspect.json'),
      JSON.stringify(
        [
          {
            Name: `/${n.name}`,
            State: { Status: c.dead ? 'exited' : 'running' },
            Config: { Image: n.image, Labels: { 'io.x-k8s.kind.cluster': name, 'io.x-k8s.kind.role': n.role } },
            Mounts: n.extraMounts,
          },
        ],
        null,
        2,
      ),
    );
    for (const p of world.pods.filter((x) => x.info.node === n.name)) {
      const pm = p.pod.metadata;
      for (const cs of p.pod.status.containerStatuses ?? []) {
        const cd = path.join(nd, 'pods', `${pm.namespace}_${pm.name}_${pm.uid}`, cs.name);
        fs.mkdirSync(cd, { recursive: true });
        fs.writeFileSync(path.join(cd, '0.log'), cs.state.waiting ? '' : `${isoTime(now)} stdout F fake log of ${cs.name}\n`);
      }
    }
  }
  io.out(`${out}\n`);
  record.exportedTo = out;
  return 0;
}

// ------------------------------------------------------------------ load

function inspectLocalImage(prov, image, knobs) {
  const bin = prov === 'podman' ? knobs.podmanBin : knobs.dockerBin;
  const r = spawnSync(bin, ['image', 'inspect', '--format', '{{.Id}} {{json .RepoTags}}', image], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) return undefined;
  const line = r.stdout.trim().split('\n')[0] ?? '';
  const sp = line.indexOf(' ');
  const id = sp === -1 ? line : line.slice(0, sp);
  let repoTags = [];
  try {
    repoTags = JSON.parse(line.slice(sp + 1)) ?? [];
  } catch {
    repoTags = [];
  }
  return { id, repoTags };
}

async function loadImages(ctx, flags, prov, knobs, log, { archives, images }) {
  const { dir, record, onExit } = ctx;
  const name = clusterName(flags);
  record.cluster = name;
  // 1. what is going to be imported
  const items = [];
  if (archives) {
    for (const a of archives) {
      try {
        fs.statSync(a);
      } catch (e) {
        throw fail(`stat ${a}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
      }
      items.push({ archive: path.resolve(a), label: a });
    }
  } else {
    for (const img of images) {
      const info = inspectLocalImage(prov, img, knobs);
      if (!info) throw fail(`image: "${img}" not present locally`);
      let refs = info.repoTags.filter((t) => t === img || t === `localhost/${img}` || normalizeImage(t) === normalizeImage(img));
      if (prov !== 'podman' || refs.length === 0) refs = [img];
      items.push({ image: img, id: info.id, label: img, tags: [...new Set(refs.map(normalizeImage).filter(Boolean))], rawTags: refs });
    }
  }
  // 2. the cluster and its nodes
  const state = readState(dir);
  const c = visibleClusters(state, prov).find((x) => x.name === name);
  if (!c || c.status === 'failed') throw fail(`no nodes found for cluster "${name}"`);
  let targets = c.nodes.map((n) => n.name);
  if (flags.nodes.length) {
    for (const n of flags.nodes) if (!targets.includes(n)) throw fail(`unknown node: ${archives ? n : JSON.stringify(n)}`);
    targets = flags.nodes;
  }
  const importCmd = (node) => ctrImportCommand(prov, node);
  // 3. archive contents (ctr import would fail on a bad archive)
  for (const it of items) {
    if (!it.archive) continue;
    try {
      const info = readImageArchive(it.archive);
      it.format = info.format;
      it.tags = info.tags;
      it.rawTags = info.rawTags;
      it.digests = info.digests;
    } catch (e) {
      if (!(e instanceof ArchiveError)) throw e;
      throw fail(
        `failed to load image: command "${importCmd(targets[0])}" failed with error: exit status 1\nCommand Output: ctr: ${e.message}`,
        1,
        { loaded: [], rejectedArchive: it.archive },
      );
    }
  }
  record.loaded = items.map((it) => ({
    ...(it.archive ? { archive: it.archive, format: it.format } : { image: it.image }),
    images: it.tags,
    nodes: targets,
  }));
  // 4. the cluster must be alive
  const alive = updateState(dir, (s) => {
    const cur = s.clusters[name];
    if (!cur || cur.createStartMs !== c.createStartMs) return { gone: true };
    if (cur.status !== 'ready') return { notReady: true, cluster: cur };
    const t = touch(cur, Date.now(), knobs);
    return { dead: t.dead, cluster: cur };
  });
  if (alive.gone) throw fail(`no nodes found for cluster "${name}"`);
  if (alive.notReady) {
    // the node containers exist while kind create is still running, but containerd is not up yet
    throw fail(
      `failed to load image: command "${importCmd(targets[0])}" failed with error: exit status 1\nCommand Output: ctr: failed to dial "/run/containerd/containerd.sock": context deadline exceeded`,
      1,
      { clusterNotReady: true },
    );
  }
  if (alive.dead) {
    throw fail(
      `failed to load image: command "${importCmd(targets[0])}" failed with error: exit status 1\nCommand Output: Error response from daemon: container ${hexOf(targets[0], 64)} is not running\n${deadExplanation('kind', alive.cluster)}`,
      1,
      { clusterDead: true },
    );
  }
  for (const it of items) {
    const keys = [
      ...(it.rawTags ?? []),
      ...(it.tags ?? []),
      ...(it.rawTags ?? []).map(repoOf),
      ...(it.tags ?? []).map(repoOf),
      it.label,
      it.archive ? path.basename(it.archive) : undefined,
    ];
    const loadMs = durationFor(knobs, 'load', keys, knobs.loadMs);
    // 5. docker-image: skip nodes that already have the image with the same ID
    if (it.image) {
      const need = targets.filter((n) => {
        const node = alive.cluster.nodes.find((x) => x.name === n);
        return !it.tags.every((t) => node.images[t]?.id === it.id);
      });
      if (!need.length) {
        log(`Image: "${it.image}" with ID "${it.id}" found to be already present on all nodes.\n`);
        continue;
      }
      for (const n of need) log(`Image: "${it.image}" with ID "${it.id}" not yet present on node "${n}", loading...\n`);
    }
    // 6. injected failure
    const rule = consumeFailure(
      dir,
      knobs.fail,
      ['load', 'kind:load', archives ? 'kind:load-image-archive' : 'kind:load-docker-image'],
      [ctx.argv.join(' '), name, ...keys.filter(Boolean), ...targets],
    );
    if (rule) {
      await sleep(rule.delayMs ?? loadMs);
      throw new CliExit(
        rule.exit ?? 1,
        rule.message ??
          `ERROR: failed to load image: command "${importCmd(targets[0])}" failed with error: exit status 255\nCommand Output: ctr: failed to ingest "blobs/sha256/${hexOf(`${it.label}|blob`, 64)}": unexpected EOF`,
        { injected: true, rule: rule.index },
      );
    }
    // 7. concurrent imports per node
    const token = `${process.pid}:${it.label}:${Date.now()}`;
    const overload = updateState(dir, (s) => {
      const cur = s.clusters[name];
      if (!cur) return undefined;
      cur.loadsInFlight = (cur.loadsInFlight ?? []).filter((l) => pidAlive(l.pid));
      for (const n of targets) {
        const count = cur.loadsInFlight.filter((l) => l.node === n).length;
        if (knobs.maxParallelLoads > 0 && count >= knobs.maxParallelLoads) return { node: n, count };
      }
      for (const n of targets) cur.loadsInFlight.push({ pid: process.pid, node: n, token, image: it.label, startMs: Date.now() });
      return undefined;
    });
    const release = () =>
      updateState(dir, (s) => {
        const cur = s.clusters[name];
        if (cur) cur.loadsInFlight = (cur.loadsInFlight ?? []).filter((l) => l.token !== token);
      });
    if (overload) {
      await sleep(Math.floor(loadMs / 2));
      throw fail(
        `failed to load image: command "${importCmd(overload.node)}" failed with error: exit status 255\nCommand Output: ctr: failed to ingest "blobs/sha256/${hexOf(`${it.label}|layer`, 64)}": failed to open writer: rpc error: code = Unavailable desc = ref k8s.io/1/tar-blobs/sha256/${hexOf(`${it.label}|layer`, 64)} locked: unavailable`,
        1,
        { overload: { node: overload.node, inFlight: overload.count, max: knobs.maxParallelLoads } },
      );
    }
    onExit(release);
    await sleep(loadMs);
    // 8. record the import
    const result = updateState(dir, (s) => {
      const cur = s.clusters[name];
      if (cur) cur.loadsInFlight = (cur.loadsInFlight ?? []).filter((l) => l.token !== token);
      if (!cur || cur.createStartMs !== c.createStartMs) return 'gone';
      const now = Date.now();
      for (const n of targets) {
        const node = cur.nodes.find((x) => x.name === n);
        for (const t of it.tags ?? [])
          node.images[t] = {
            importedMs: now,
            ...(it.archive ? { archive: it.archive } : { source: prov }),
            ...(it.id ? { id: it.id } : {}),
            ...(it.digests ? { digests: it.digests } : {}),
          };
      }
      cur.lastActivityMs = now;
      return 'ok';
    });
    if (result === 'gone') {
      throw fail(
        `failed to load image: command "${importCmd(targets[0])}" failed with error: exit status 1\nCommand Output: Error response from daemon: No such container: ${targets[0]}`,
      );
    }
  }
  return 0;
}
