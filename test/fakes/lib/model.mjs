// The time-based model of a fake cluster: nodes, pods, workload status,
// endpoints and events are computed from the stored objects, the images
// imported on each node and the current time. Nothing runs in the background:
// every kubectl call evaluates the model at "now".
import { durationFor, isCrashTarget } from './knobs.mjs';
import { normalizeImage, parseImageRef } from './images.mjs';
import { BUILTIN, allTypes, apiVersionOf } from './resources.mjs';
import { clone, hash32, hexOf, isoTime, k8sSuffix, stableStringify, uidOf } from './util.mjs';

export const K8S_VERSION = 'v1.33.1';
export const DEFAULT_NODE_IMAGE = `kindest/node:${K8S_VERSION}`;

export const SYSTEM_IMAGES = [
  'registry.k8s.io/coredns/coredns:v1.12.0',
  'registry.k8s.io/etcd:3.5.21-0',
  `registry.k8s.io/kube-apiserver-amd64:${K8S_VERSION}`,
  `registry.k8s.io/kube-controller-manager-amd64:${K8S_VERSION}`,
  `registry.k8s.io/kube-proxy-amd64:${K8S_VERSION}`,
  `registry.k8s.io/kube-scheduler-amd64:${K8S_VERSION}`,
  'docker.io/kindest/kindnetd:v20250512-df8de77b',
  'docker.io/kindest/local-path-provisioner:v20250214-acbabc1a',
  'docker.io/kindest/local-path-helper:v20241212-8ac705d0',
  'registry.k8s.io/pause:3.10',
];

// ------------------------------------------------------------ helpers

export function labelsMatch(selector, labels) {
  if (!selector) return false;
  const ml = selector.matchLabels ?? (selector.matchExpressions ? {} : selector);
  for (const [k, v] of Object.entries(ml ?? {})) if ((labels ?? {})[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels ?? {}, e.key);
    const val = (labels ?? {})[e.key];
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(val))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(val)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Parse a kubectl label selector string ("a=b,c!=d,e in (x,y),!f,g"). */
export function parseLabelSelector(s) {
  const reqs = [];
  const parts = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    let m;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      reqs.push({
        key: m[1],
        op: m[2],
        values: m[3]
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      });
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(p))) {
      reqs.push({ key: m[1], op: m[2] === '!=' ? '!=' : '=', values: [m[3]] });
    } else if ((m = /^!([\w./-]+)$/.exec(p))) {
      reqs.push({ key: m[1], op: '!' });
    } else if ((m = /^([\w./-]+)$/.exec(p))) {
      reqs.push({ key: m[1], op: 'exists' });
    } else {
      throw new Error(`unable to parse requirement: ${JSON.stringify(p)}`);
    }
  }
  return reqs;
}

export function selectorMatches(reqs, labels) {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case '=':
        return has && l[r.key] === r.values[0];
      case '!=':
        return !has || l[r.key] !== r.values[0];
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      case '!':
        return !has;
      default:
        return has;
    }
  });
}

function effectivePullPolicy(c) {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const p = parseImageRef(c.image ?? '');
  if (!p) return 'IfNotPresent';
  if (p.digest) return 'IfNotPresent';
  return !p.tag || p.tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function registryHost(norm) {
  const d = norm.split('/')[0];
  return d === 'docker.io' ? 'registry-1.docker.io' : d;
}

function pullErrorMessage(norm) {
  const host = registryHost(norm);
  const p = parseImageRef(norm);
  const ref = p?.tag || p?.digest || 'latest';
  const repoPath = p ? p.path : norm;
  const cause =
    host === 'localhost' || host.startsWith('localhost:')
      ? `dial tcp [::1]:443: connect: connection refused`
      : `dial tcp: lookup ${host.split(':')[0]} on 10.96.0.10:53: no such host`;
  return `failed to pull and unpack image "${norm}": failed to resolve reference "${norm}": failed to do request: Head "https://${host}/v2/${repoPath}/manifests/${ref}": ${cause}`;
}

/** Whether `image` (with pull policy) is usable on `node` at time `t`. */
function imageOn(node, container, t, podStart, knobs) {
  const image = container.image ?? '';
  const norm = normalizeImage(image);
  if (!norm) {
    return {
      ok: false,
      reason: 'InvalidImageName',
      message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`,
      norm: image,
    };
  }
  const policy = effectivePullPolicy(container);
  const rec = (node.images ?? {})[norm];
  if (policy !== 'Always' && rec && rec.importedMs <= t) return { ok: true, at: Math.max(podStart, rec.importedMs), norm, policy };
  if (policy === 'Never') {
    return {
      ok: false,
      reason: 'ErrImageNeverPull',
      message: `Container image "${image}" is not present with pull policy of Never`,
      norm,
      policy,
    };
  }
  const errPull = t - podStart < knobs.pullBackoffMs;
  return {
    ok: false,
    reason: errPull ? 'ErrImagePull' : 'ImagePullBackOff',
    message: errPull ? pullErrorMessage(norm) : `Back-off pulling image "${image}": ErrImagePull: ${pullErrorMessage(norm)}`,
    norm,
    policy,
    pullFailed: true,
  };
}

/** The Secrets/ConfigMaps a container's env needs: { missing: message } or { at: when the last one appeared }. */
function configRefs(cluster, ns, c, now) {
  let at = 0;
  const find = (kind, name) =>
    Object.values(cluster.objects).find(
      (o) => o.obj.kind === kind && o.obj.metadata.namespace === ns && o.obj.metadata.name === name && o.createdMs <= now,
    );
  const need = (kind, name, key, optional) => {
    if (!name || optional) return undefined;
    const o = find(kind, name);
    const what = kind === 'Secret' ? 'secret' : 'configmap';
    if (!o) return `${what} "${name}" not found`;
    if (key !== undefined) {
      const data = { ...(o.obj.data ?? {}), ...(o.obj.stringData ?? {}) };
      if (!(key in data)) return `couldn't find key ${key} in ${kind} ${ns}/${name}`;
    }
    at = Math.max(at, o.createdMs);
    return undefined;
  };
  for (const e of c.env ?? []) {
    const sk = e.valueFrom?.secretKeyRef;
    const ck = e.valueFrom?.configMapKeyRef;
    const m = (sk && need('Secret', sk.name, sk.key, sk.optional)) || (ck && need('ConfigMap', ck.name, ck.key, ck.optional));
    if (m) return { missing: m };
  }
  for (const e of c.envFrom ?? []) {
    const m =
      (e.secretRef && need('Secret', e.secretRef.name, undefined, e.secretRef.optional)) ||
      (e.configMapRef && need('ConfigMap', e.configMapRef.name, undefined, e.configMapRef.optional));
    if (m) return { missing: m };
  }
  return { at };
}

function nodeIP(cluster, idx) {
  return cluster.provider === 'podman' ? `10.89.0.${idx + 2}` : `172.18.0.${idx + 2}`;
}

export function nodeLabels(cluster, node) {
  const l = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    ...(node.labels ?? {}),
  };
  if (node.role === 'control-plane') {
    l['node-role.kubernetes.io/control-plane'] = '';
    l['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  return l;
}

function nodeTainted(cluster, node) {
  return node.role === 'control-plane' && cluster.nodes.some((n) => n.role === 'worker');
}

function schedulableNodes(cluster, podSpec) {
  const tol = podSpec.tolerations ?? [];
  const toleratesCP =
    tol.some((t) => t.operator === 'Exists' && (!t.key || t.key === 'node-role.kubernetes.io/control-plane')) ||
    tol.some((t) => t.key === 'node-role.kubernetes.io/control-plane');
  return cluster.nodes.filter((n) => {
    if (nodeTainted(cluster, n) && !toleratesCP) return false;
    const sel = podSpec.nodeSelector ?? {};
    const labels = nodeLabels(cluster, n);
    return Object.entries(sel).every(([k, v]) => labels[k] === v);
  });
}

// ------------------------------------------------------------ pods

function rolloutFor(cluster, o, knobs) {
  if (o.rolloutMs !== undefined) return o.rolloutMs;
  const kind = o.obj.kind.toLowerCase();
  const ns = o.obj.metadata.namespace ?? '';
  const name = o.obj.metadata.name;
  return durationFor(knobs, 'rollout', [`${ns}/${kind}/${name}`, `${kind}/${name}`, name], knobs.rolloutMs);
}

/**
 * Status of one pod at `now`. Returns { pod (API object), readyAt (ms or Infinity), info }.
 */
function buildPod(cluster, ctx) {
  const { owner, template, name, node, podStart, rolloutMs, crash, now, knobs, ownerRef, extraLabels, completes } = ctx;
  const spec = clone(template.spec ?? {});
  const meta = template.metadata ?? {};
  const ns = owner.obj.metadata.namespace ?? 'default';
  const uid = uidOf(`${cluster.name}|pod|${ns}|${name}|${podStart}`);
  const nodeIdx = node ? cluster.nodes.indexOf(node) : -1;
  const ip = node ? `10.244.${nodeIdx}.${2 + (hash32(name) % 250)}` : undefined;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid,
      resourceVersion: String(1000 + (hash32(`${name}|${now}`) % 100000)),
      creationTimestamp: isoTime(podStart),
      labels: { ...(meta.labels ?? {}), ...(extraLabels ?? {}) },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(ownerRef ? { ownerReferences: [ownerRef] } : {}),
      ...(ctx.generateName ? { generateName: ctx.generateName } : {}),
    },
    spec: { ...spec, ...(node ? { nodeName: node.name } : {}), restartPolicy: spec.restartPolicy ?? (completes ? 'Never' : 'Always') },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
  const events = [];
  const ev = (t, type, reason, message, component = 'kubelet') => {
    if (t <= now) events.push({ t, type, reason, message, component, involved: { kind: 'Pod', name, namespace: ns, uid } });
  };
  if (!node) {
    const total = cluster.nodes.length;
    const msg = `0/${total} nodes are available: ${total} node(s) didn't match Pod's node affinity/selector. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
    pod.status.conditions = [
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg, lastTransitionTime: isoTime(podStart) },
    ];
    ev(podStart, 'Warning', 'FailedScheduling', msg, 'default-scheduler');
    return { pod, readyAt: Infinity, events, info: { scheduled: false } };
  }
  ev(podStart, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node.name}`, 'default-scheduler');
  pod.status.hostIP = nodeIP(cluster, nodeIdx);
  pod.status.hostIPs = [{ ip: pod.status.hostIP }];
  pod.status.startTime = isoTime(podStart);

  // init containers: complete instantly once their image is there
  let initDoneAt = podStart;
  let initBlocked;
  const initStatuses = [];
  for (const c of spec.initContainers ?? []) {
    const img = imageOn(node, c, now, podStart, knobs);
    if (!img.ok) {
      initBlocked ??= img;
      initStatuses.push({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: img.reason, message: img.message } },
      });
      ev(podStart, 'Warning', 'Failed', `Error: ${img.reason}`);
      continue;
    }
    initDoneAt = Math.max(initDoneAt, img.at);
    initStatuses.push({
      name: c.name,
      image: img.norm,
      imageID: `${img.norm.split(':')[0]}@sha256:${hexOf(img.norm, 64)}`,
      ready: true,
      restartCount: 0,
      started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: isoTime(img.at), finishedAt: isoTime(img.at) } },
    });
  }

  let readyAt = initBlocked ? Infinity : initDoneAt;
  let anyWaitingFresh = false;
  let anyRunning = false;
  let allTerminatedOk = true;
  const statuses = [];
  for (const c of spec.containers ?? []) {
    const base = { name: c.name, image: c.image, imageID: '', restartCount: 0, ready: false, started: false };
    if (initBlocked) {
      statuses.push({ ...base, state: { waiting: { reason: 'PodInitializing' } } });
      anyWaitingFresh = true;
      allTerminatedOk = false;
      continue;
    }
    const img = imageOn(node, c, now, initDoneAt, knobs);
    if (!img.ok) {
      statuses.push({ ...base, state: { waiting: { reason: img.reason, message: img.message } } });
      if (img.pullFailed) {
        ev(initDoneAt, 'Normal', 'Pulling', `Pulling image "${c.image}"`);
        ev(initDoneAt, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${pullErrorMessage(img.norm)}`);
        ev(initDoneAt, 'Warning', 'Failed', 'Error: ErrImagePull');
        if (img.reason === 'ImagePullBackOff') {
          ev(initDoneAt + 1, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
          ev(initDoneAt + 1, 'Warning', 'Failed', 'Error: ImagePullBackOff');
        }
      } else {
        ev(initDoneAt, 'Warning', img.reason, img.message);
        ev(initDoneAt, 'Warning', 'Failed', `Error: ${img.reason}`);
      }
      readyAt = Infinity;
      anyWaitingFresh = true;
      allTerminatedOk = false;
      continue;
    }
    // Secrets and ConfigMaps the container's environment needs: the kubelet fails the container with
    // CreateContainerConfigError while one is missing and retries on every sync, so it starts once it appears
    // (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables).
    const refs = configRefs(cluster, ns, c, now);
    if (refs.missing) {
      statuses.push({ ...base, image: img.norm, state: { waiting: { reason: 'CreateContainerConfigError', message: refs.missing } } });
      ev(initDoneAt, 'Warning', 'Failed', `Error: ${refs.missing}`);
      readyAt = Infinity;
      anyWaitingFresh = true;
      allTerminatedOk = false;
      continue;
    }
    const start = Math.max(initDoneAt, img.at, refs.at);
    const imageID = `${img.norm.split(':')[0]}@sha256:${hexOf(img.norm, 64)}`;
    const runningAt = start + Math.floor(rolloutMs / 2);
    const cReadyAt = start + rolloutMs;
    ev(start, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
    if (now < runningAt) {
      statuses.push({ ...base, image: img.norm, state: { waiting: { reason: 'ContainerCreating' } } });
      readyAt = crash ? Infinity : Math.max(readyAt, cReadyAt);
      anyWaitingFresh = true;
      allTerminatedOk = false;
      continue;
    }
    ev(runningAt, 'Normal', 'Created', `Created container: ${c.name}`);
    ev(runningAt, 'Normal', 'Started', `Started container ${c.name}`);
    if (crash) {
      // The kubelet restarts a crashing container after a back-off of 10 s doubling up to 5 min
      // (pkg/kubelet/kubelet.go: backOffPeriod 10 s, MaxContainerBackOff 300 s); here every 10 s of it last
      // FAKE_CRASH_RESTART_MS. Each run lasts FAKE_CRASH_AFTER_MS before the crash.
      readyAt = Infinity;
      allTerminatedOk = false;
      anyRunning = true; // restarting containers count as running for the phase
      const step = Math.max(1, knobs.crashRestartMs);
      let runStart = runningAt;
      let restarts = 0;
      let crashed;
      for (let guard = 0; guard < 10_000; guard++) {
        const crashAt = runStart + knobs.crashAfterMs;
        if (now < crashAt) break;
        const backoff = Math.min(30 * step, step * 2 ** restarts);
        crashed = { at: crashAt, start: runStart, backoffS: Math.min(300, 10 * 2 ** restarts) };
        if (now < crashAt + backoff) break;
        runStart = crashAt + backoff;
        restarts++;
        crashed = undefined;
      }
      const last =
        restarts > 0 || crashed
          ? {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                startedAt: isoTime(crashed?.start ?? runStart),
                finishedAt: isoTime(crashed?.at ?? runStart),
              },
            }
          : undefined;
      if (crashed) {
        statuses.push({
          ...base,
          image: img.norm,
          imageID,
          restartCount: restarts,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off ${crashed.backoffS >= 60 ? `${Math.floor(crashed.backoffS / 60)}m${crashed.backoffS % 60 ? `${crashed.backoffS % 60}s` : '0s'}` : `${crashed.backoffS}s`} restarting failed container=${c.name} pod=${name}_${ns}(${uid})`,
            },
          },
          lastState: last,
        });
      } else {
        statuses.push({
          ...base,
          image: img.norm,
          imageID,
          restartCount: restarts,
          started: true,
          state: { running: { startedAt: isoTime(runStart) } },
          ...(restarts ? { lastState: last } : {}),
        });
      }
      if (restarts > 0 || crashed)
        ev(
          runningAt + knobs.crashAfterMs,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${name}_${ns}(${uid})`,
        );
      continue;
    }
    if (completes) {
      if (now >= cReadyAt) {
        statuses.push({
          ...base,
          image: img.norm,
          imageID,
          state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: isoTime(runningAt), finishedAt: isoTime(cReadyAt) } },
        });
      } else {
        statuses.push({ ...base, image: img.norm, imageID, started: true, state: { running: { startedAt: isoTime(runningAt) } } });
        anyRunning = true;
        allTerminatedOk = false;
      }
      readyAt = Math.max(readyAt, cReadyAt);
      continue;
    }
    allTerminatedOk = false;
    anyRunning = true;
    const ready = now >= cReadyAt;
    if (!ready && c.readinessProbe)
      ev(
        runningAt,
        'Warning',
        'Unhealthy',
        `Readiness probe failed: Get "http://${ip}:8080/readyz": dial tcp ${ip}:8080: connect: connection refused`,
      );
    statuses.push({ ...base, image: img.norm, imageID, ready, started: true, state: { running: { startedAt: isoTime(runningAt) } } });
    readyAt = Math.max(readyAt, cReadyAt);
  }

  const ready = readyAt <= now;
  if (completes && allTerminatedOk && statuses.length) pod.status.phase = 'Succeeded';
  else if (anyWaitingFresh && !anyRunning) pod.status.phase = 'Pending';
  else if (anyRunning || ready) pod.status.phase = 'Running';
  if (pod.status.phase !== 'Pending' || anyRunning) {
    pod.status.podIP = ip;
    pod.status.podIPs = [{ ip }];
  }
  const t = (ms) => isoTime(Math.min(ms, now));
  pod.status.conditions = [
    { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: t(podStart) },
    {
      type: 'Initialized',
      status: initBlocked ? 'False' : 'True',
      lastTransitionTime: t(initDoneAt),
      ...(initBlocked
        ? {
            reason: 'ContainersNotInitialized',
            message: `containers with incomplete status: [${(spec.initContainers ?? []).map((c) => c.name).join(' ')}]`,
          }
        : {}),
    },
    {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      lastTransitionTime: t(ready ? readyAt : podStart),
      ...(ready
        ? {}
        : {
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${statuses
              .filter((s) => !s.ready)
              .map((s) => s.name)
              .join(' ')}]`,
          }),
    },
    {
      type: 'ContainersReady',
      status: ready ? 'True' : 'False',
      lastTransitionTime: t(ready ? readyAt : podStart),
      ...(ready
        ? {}
        : {
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${statuses
              .filter((s) => !s.ready)
              .map((s) => s.name)
              .join(' ')}]`,
          }),
    },
    { type: 'PodScheduled', status: 'True', lastTransitionTime: t(podStart) },
  ];
  if (completes && pod.status.phase === 'Succeeded') {
    for (const c of pod.status.conditions)
      if (c.type === 'Ready' || c.type === 'ContainersReady') {
        c.status = 'False';
        c.reason = 'PodCompleted';
      }
  }
  if (initStatuses.length) pod.status.initContainerStatuses = initStatuses;
  pod.status.containerStatuses = statuses;
  return { pod, readyAt, events, info: { scheduled: true, node: node.name, ip, crash, completes } };
}

function templateHash(template) {
  return k8sSuffix(stableStringify(template), 10);
}

function workloadPods(cluster, o, now, knobs) {
  const obj = o.obj;
  const kind = obj.kind;
  const ns = obj.metadata.namespace ?? 'default';
  const name = obj.metadata.name;
  const template = obj.spec?.template ?? {};
  const podSpec = template.spec ?? {};
  const crash = isCrashTarget(knobs, kind, ns, name);
  const rolloutMs = rolloutFor(cluster, o, knobs);
  const base = Math.max(o.templateMs ?? o.createdMs, cluster.nodesReadyMs ?? 0);
  const nodes = schedulableNodes(cluster, podSpec);
  const pick = (i) => (nodes.length ? nodes[(hash32(`${ns}/${name}`) + i) % nodes.length] : undefined);
  const ownerUid = obj.metadata.uid;
  const out = [];
  if (kind === 'Deployment') {
    const h = templateHash(template);
    const replicas = obj.spec?.replicas ?? 1;
    for (let i = 0; i < replicas; i++) {
      out.push(
        buildPod(cluster, {
          owner: o,
          template,
          name: `${name}-${h}-${k8sSuffix(`${ownerUid}|${h}|${i}`)}`,
          generateName: `${name}-${h}-`,
          node: pick(i),
          podStart: base,
          rolloutMs,
          crash,
          now,
          knobs,
          extraLabels: { 'pod-template-hash': h },
          ownerRef: {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `${name}-${h}`,
            uid: uidOf(`${ownerUid}|rs|${h}`),
            controller: true,
            blockOwnerDeletion: true,
          },
        }),
      );
    }
  } else if (kind === 'StatefulSet') {
    const replicas = obj.spec?.replicas ?? 1;
    const parallel = obj.spec?.podManagementPolicy === 'Parallel';
    const rev = `${name}-${templateHash(template)}`;
    let start = base;
    for (let i = 0; i < replicas; i++) {
      if (start > now) break;
      const p = buildPod(cluster, {
        owner: o,
        template,
        name: `${name}-${i}`,
        generateName: `${name}-`,
        node: pick(i),
        podStart: start,
        rolloutMs,
        crash,
        now,
        knobs,
        extraLabels: {
          'apps.kubernetes.io/pod-index': String(i),
          'controller-revision-hash': rev,
          'statefulset.kubernetes.io/pod-name': `${name}-${i}`,
        },
        ownerRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: ownerUid, controller: true, blockOwnerDeletion: true },
      });
      out.push(p);
      if (!parallel) {
        if (p.readyAt > now) break;
        start = p.readyAt;
      }
    }
  } else if (kind === 'DaemonSet') {
    const rev = templateHash(template);
    for (const n of nodes) {
      out.push(
        buildPod(cluster, {
          owner: o,
          template,
          name: `${name}-${k8sSuffix(`${ownerUid}|${n.name}|${rev}`)}`,
          generateName: `${name}-`,
          node: n,
          podStart: base,
          rolloutMs,
          crash,
          now,
          knobs,
          extraLabels: { 'controller-revision-hash': rev, 'pod-template-generation': String(o.generation ?? 1) },
          ownerRef: { apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: ownerUid, controller: true, blockOwnerDeletion: true },
        }),
      );
    }
  } else if (kind === 'Job') {
    out.push(
      buildPod(cluster, {
        owner: o,
        template,
        name: `${name}-${k8sSuffix(`${ownerUid}|job`)}`,
        generateName: `${name}-`,
        node: pick(0),
        podStart: base,
        rolloutMs,
        crash,
        now,
        knobs,
        completes: true,
        extraLabels: {
          'batch.kubernetes.io/job-name': name,
          'job-name': name,
          'batch.kubernetes.io/controller-uid': ownerUid,
          'controller-uid': ownerUid,
        },
        ownerRef: { apiVersion: 'batch/v1', kind: 'Job', name, uid: ownerUid, controller: true, blockOwnerDeletion: true },
      }),
    );
  } else if (kind === 'Pod') {
    const p = buildPod(cluster, {
      owner: o,
      template: { metadata: obj.metadata, spec: obj.spec },
      name,
      node: obj.spec?.nodeName ? cluster.nodes.find((n) => n.name === obj.spec.nodeName) : pick(0),
      podStart: base,
      rolloutMs,
      crash,
      now,
      knobs,
      completes: obj.spec?.restartPolicy === 'Never' || obj.spec?.restartPolicy === 'OnFailure',
    });
    p.pod.metadata.uid = ownerUid;
    p.pod.metadata.creationTimestamp = obj.metadata.creationTimestamp;
    out.push(p);
  }
  return out.map((p) => ({ ...p, ownerKey: o.key, rolloutMs }));
}

// ------------------------------------------------------------ world

function maxUnavailable(obj, replicas) {
  const mu = obj.spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  if (typeof mu === 'number') return mu;
  const m = /^(\d+)%$/.exec(String(mu));
  return m ? Math.floor((replicas * Number(m[1])) / 100) : Number(mu) || 0;
}

/**
 * Evaluate the whole cluster at `now`. Returns an object with lists by kind
 * (stored objects get a computed .status) and the pod internals.
 */
export function evaluate(cluster, now, knobs) {
  const pods = [];
  const events = [];
  const podsByOwner = {};
  for (const o of Object.values(cluster.objects)) {
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod'].includes(o.obj.kind)) continue;
    const ps = workloadPods(cluster, o, now, knobs);
    podsByOwner[o.key] = ps;
    pods.push(...ps);
    for (const p of ps) events.push(...p.events);
  }
  const readyTimes = {};
  for (const p of pods) readyTimes[`${p.pod.metadata.namespace}/${p.pod.metadata.name}`] = p.readyAt;

  const out = {}; // kind -> objects
  const add = (obj) => (out[obj.kind] ??= []).push(obj);
  for (const p of pods) add(p.pod);

  for (const o of Object.values(cluster.objects)) {
    const obj = clone(o.obj);
    if (obj.kind === 'Pod') continue; // represented by the evaluated pod
    const ps = podsByOwner[o.key] ?? [];
    const ns = obj.metadata.namespace;
    const created = o.templateMs ?? o.createdMs;
    if (obj.kind === 'Deployment') {
      const replicas = obj.spec?.replicas ?? 1;
      const ready = ps.filter((p) => p.readyAt <= now).length;
      const h = templateHash(obj.spec?.template ?? {});
      const available = ready;
      const complete = available >= replicas;
      const deadline = (obj.spec?.progressDeadlineSeconds ?? 600) * 1000;
      const exceeded = !complete && now - created > deadline;
      const rsName = `${obj.metadata.name}-${h}`;
      const lastReady = ps.length ? Math.max(...ps.map((p) => p.readyAt)) : created;
      obj.status = {
        observedGeneration: obj.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        ...(ready ? { readyReplicas: ready, availableReplicas: available } : {}),
        ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
        conditions: [
          available >= replicas - maxUnavailable(obj, replicas)
            ? {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: 'Deployment has minimum availability.',
                lastTransitionTime: isoTime(Math.min(now, lastReady)),
                lastUpdateTime: isoTime(Math.min(now, lastReady)),
              }
            : {
                type: 'Available',
                status: 'False',
                reason: 'MinimumReplicasUnavailable',
                message: 'Deployment does not have minimum availability.',
                lastTransitionTime: isoTime(created),
                lastUpdateTime: isoTime(created),
              },
          exceeded
            ? {
                type: 'Progressing',
                status: 'False',
                reason: 'ProgressDeadlineExceeded',
                message: `ReplicaSet "${rsName}" has timed out progressing.`,
                lastTransitionTime: isoTime(created + deadline),
                lastUpdateTime: isoTime(created + deadline),
              }
            : complete
              ? {
                  type: 'Progressing',
                  status: 'True',
                  reason: 'NewReplicaSetAvailable',
                  message: `ReplicaSet "${rsName}" has successfully progressed.`,
                  lastTransitionTime: isoTime(created),
                  lastUpdateTime: isoTime(Math.min(now, lastReady)),
                }
              : {
                  type: 'Progressing',
                  status: 'True',
                  reason: 'ReplicaSetUpdated',
                  message: `ReplicaSet "${rsName}" is progressing.`,
                  lastTransitionTime: isoTime(created),
                  lastUpdateTime: isoTime(created),
                },
        ],
      };
      add({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          namespace: ns,
          uid: uidOf(`${obj.metadata.uid}|rs|${h}`),
          creationTimestamp: isoTime(created),
          labels: { ...(obj.spec?.template?.metadata?.labels ?? {}), 'pod-template-hash': h },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: obj.metadata.name,
              uid: obj.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: { replicas, selector: obj.spec?.selector, template: obj.spec?.template },
        status: { replicas, fullyLabeledReplicas: replicas, readyReplicas: ready, availableReplicas: available, observedGeneration: 1 },
      });
      events.push({
        t: created,
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: `Scaled up replica set ${rsName} from 0 to ${replicas}`,
        component: 'deployment-controller',
        involved: { kind: 'Deployment', name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid },
      });
    } else if (obj.kind === 'StatefulSet') {
      const replicas = obj.spec?.replicas ?? 1;
      const ready = ps.filter((p) => p.readyAt <= now).length;
      const rev = `${obj.metadata.name}-${templateHash(obj.spec?.template ?? {})}`;
      obj.status = {
        observedGeneration: obj.metadata.generation,
        replicas: ps.length,
        readyReplicas: ready,
        currentReplicas: ps.length,
        updatedReplicas: ps.length,
        availableReplicas: ready,
        currentRevision: rev,
        updateRevision: rev,
        collisionCount: 0,
      };
      if (!replicas) obj.status.replicas = 0;
    } else if (obj.kind === 'DaemonSet') {
      const ready = ps.filter((p) => p.readyAt <= now).length;
      obj.status = {
        observedGeneration: obj.metadata.generation,
        desiredNumberScheduled: ps.length,
        currentNumberScheduled: ps.length,
        updatedNumberScheduled: ps.length,
        numberReady: ready,
        numberAvailable: ready,
        numberMisscheduled: 0,
        ...(ps.length - ready ? { numberUnavailable: ps.length - ready } : {}),
      };
    } else if (obj.kind === 'Job') {
      const done = ps.filter((p) => p.pod.status.phase === 'Succeeded');
      obj.status = {
        startTime: isoTime(created),
        ...(done.length
          ? { succeeded: done.length, completionTime: isoTime(Math.max(...done.map((p) => p.readyAt))) }
          : { active: ps.length }),
        ready: 0,
      };
      if (done.length) {
        const ct = isoTime(Math.max(...done.map((p) => p.readyAt)));
        obj.status.conditions = [
          { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: ct, lastTransitionTime: ct },
          { type: 'Complete', status: 'True', lastProbeTime: ct, lastTransitionTime: ct },
        ];
      }
    } else if (obj.kind === 'Namespace') {
      obj.status = { phase: 'Active' };
    } else if (obj.kind === 'CustomResourceDefinition') {
      const names = obj.spec?.names ?? {};
      const ct = isoTime(o.createdMs);
      obj.status = {
        acceptedNames: names,
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: ct },
          {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
            lastTransitionTime: ct,
          },
        ],
        storedVersions: (obj.spec?.versions ?? []).filter((v) => v.storage).map((v) => v.name),
      };
    } else if (obj.kind === 'Service') {
      obj.status = { loadBalancer: {} };
    } else if (obj.kind === 'PersistentVolumeClaim') {
      obj.status = {
        phase: 'Bound',
        accessModes: obj.spec?.accessModes ?? ['ReadWriteOnce'],
        capacity: { storage: obj.spec?.resources?.requests?.storage ?? '1Gi' },
      };
    }
    add(obj);
  }

  // default service accounts (created by the token controller, a little later)
  for (const nsObj of out.Namespace ?? []) {
    const nsName = nsObj.metadata.name;
    const nsRec = Object.values(cluster.objects).find((x) => x.obj.kind === 'Namespace' && x.obj.metadata.name === nsName);
    const at = (nsRec?.createdMs ?? 0) + (nsRec?.system ? 0 : knobs.saDelayMs);
    const exists = (out.ServiceAccount ?? []).some((s) => s.metadata.namespace === nsName && s.metadata.name === 'default');
    if (!exists && at <= now) {
      add({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: nsName, uid: uidOf(`${cluster.name}|sa|${nsName}`), creationTimestamp: isoTime(at) },
      });
    }
  }

  // endpoints and endpoint slices of services with selectors
  for (const svc of out.Service ?? []) {
    const ns = svc.metadata.namespace;
    const sel = svc.spec?.selector;
    const hasManual = (out.Endpoints ?? []).some((e) => e.metadata.namespace === ns && e.metadata.name === svc.metadata.name);
    if (svc.metadata.name === 'kubernetes' && ns === 'default') {
      const cpIP = nodeIP(cluster, 0);
      if (!hasManual)
        add({
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
          subsets: [{ addresses: [{ ip: cpIP }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
        });
      continue;
    }
    if (!sel || hasManual) continue;
    const delay = durationFor(knobs, 'endpoints', [`${ns}/${svc.metadata.name}`, svc.metadata.name], knobs.endpointsDelayMs);
    const matching = pods.filter(
      (p) =>
        p.pod.metadata.namespace === ns &&
        p.info.scheduled &&
        Object.entries(sel).every(([k, v]) => p.pod.metadata.labels[k] === v) &&
        p.pod.status.phase !== 'Succeeded',
    );
    const ports = (svc.spec?.ports ?? []).map((sp) => {
      let port = sp.targetPort ?? sp.port;
      if (typeof port === 'string') {
        for (const p of matching)
          for (const c of p.pod.spec.containers ?? []) for (const cp of c.ports ?? []) if (cp.name === port) port = cp.containerPort;
      }
      return { ...(sp.name ? { name: sp.name } : {}), port: typeof port === 'number' ? port : sp.port, protocol: sp.protocol ?? 'TCP' };
    });
    const addr = (p) => ({
      ip: p.info.ip,
      nodeName: p.info.node,
      targetRef: { kind: 'Pod', name: p.pod.metadata.name, namespace: ns, uid: p.pod.metadata.uid },
    });
    const ready = matching.filter((p) => p.readyAt + delay <= now);
    const notReady = matching.filter((p) => !(p.readyAt + delay <= now) && p.pod.status.podIP);
    const subsets =
      ready.length || notReady.length
        ? [
            {
              ...(ready.length ? { addresses: ready.map(addr) } : {}),
              ...(notReady.length ? { notReadyAddresses: notReady.map(addr) } : {}),
              ports,
            },
          ]
        : undefined;
    add({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: svc.metadata.name,
        namespace: ns,
        uid: uidOf(`${svc.metadata.uid}|ep`),
        creationTimestamp: svc.metadata.creationTimestamp,
        labels: { ...(svc.metadata.labels ?? {}) },
      },
      ...(subsets ? { subsets } : {}),
    });
    add({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${svc.metadata.name}-${k8sSuffix(`${svc.metadata.uid}|slice`)}`,
        namespace: ns,
        uid: uidOf(`${svc.metadata.uid}|slice`),
        creationTimestamp: svc.metadata.creationTimestamp,
        generateName: `${svc.metadata.name}-`,
        labels: {
          ...(svc.metadata.labels ?? {}),
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          'kubernetes.io/service-name': svc.metadata.name,
        },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      addressType: 'IPv4',
      endpoints: [...ready, ...notReady].map((p) => {
        const r = ready.includes(p);
        return {
          addresses: [p.info.ip],
          conditions: { ready: r, serving: r, terminating: false },
          nodeName: p.info.node,
          targetRef: { kind: 'Pod', name: p.pod.metadata.name, namespace: ns, uid: p.pod.metadata.uid },
        };
      }),
      ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol })),
    });
  }

  // nodes
  for (const [i, n] of cluster.nodes.entries()) add(nodeObject(cluster, n, i, now));

  // events
  for (const [i, e] of events.sort((a, b) => a.t - b.t).entries()) {
    add({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${e.involved.name}.${hexOf(`${e.involved.uid}|${e.reason}|${e.t}|${i}`, 16)}`,
        namespace: e.involved.namespace,
        creationTimestamp: isoTime(e.t),
      },
      involvedObject: {
        apiVersion: e.involved.kind === 'Pod' ? 'v1' : 'apps/v1',
        kind: e.involved.kind,
        name: e.involved.name,
        namespace: e.involved.namespace,
        uid: e.involved.uid,
      },
      reason: e.reason,
      message: e.message,
      type: e.type,
      count: 1,
      firstTimestamp: isoTime(e.t),
      lastTimestamp: isoTime(e.t),
      source: {
        component: e.component,
        ...(e.component === 'kubelet' ? { host: pods.find((p) => p.pod.metadata.uid === e.involved.uid)?.info.node } : {}),
      },
      reportingComponent: e.component,
      reportingInstance: '',
    });
  }
  return { byKind: out, pods, now };
}

export function nodeObject(cluster, n, i, now) {
  const readyAt = cluster.nodesReadyMs ?? cluster.readyMs ?? now;
  const ready = readyAt <= now;
  const tainted = nodeTainted(cluster, n);
  const ct = isoTime(cluster.createStartMs ?? now);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      uid: uidOf(`${cluster.name}|node|${n.name}`),
      creationTimestamp: ct,
      labels: nodeLabels(cluster, n),
      annotations: { 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock' },
    },
    spec: {
      podCIDR: `10.244.${i}.0/24`,
      podCIDRs: [`10.244.${i}.0/24`],
      providerID: `kind://${cluster.provider}/${cluster.name}/${n.name}`,
      ...(tainted ? { taints: [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }] } : {}),
      ...(!ready ? { taints: [{ effect: 'NoSchedule', key: 'node.kubernetes.io/not-ready' }] } : {}),
    },
    status: {
      addresses: [
        { address: nodeIP(cluster, i), type: 'InternalIP' },
        { address: n.name, type: 'Hostname' },
      ],
      conditions: [
        {
          type: 'MemoryPressure',
          status: 'False',
          reason: 'KubeletHasSufficientMemory',
          message: 'kubelet has sufficient memory available',
          lastHeartbeatTime: isoTime(now),
          lastTransitionTime: ct,
        },
        {
          type: 'DiskPressure',
          status: 'False',
          reason: 'KubeletHasNoDiskPressure',
          message: 'kubelet has no disk pressure',
          lastHeartbeatTime: isoTime(now),
          lastTransitionTime: ct,
        },
        {
          type: 'PIDPressure',
          status: 'False',
          reason: 'KubeletHasSufficientPID',
          message: 'kubelet has sufficient PID available',
          lastHeartbeatTime: isoTime(now),
          lastTransitionTime: ct,
        },
        ready
          ? {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
              lastHeartbeatTime: isoTime(now),
              lastTransitionTime: isoTime(readyAt),
            }
          : {
              type: 'Ready',
              status: 'False',
              reason: 'KubeletNotReady',
              message:
                'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
              lastHeartbeatTime: isoTime(now),
              lastTransitionTime: ct,
            },
      ],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://2.1.1',
        kernelVersion: '6.8.0-fake',
        kubeProxyVersion: '',
        kubeletVersion: K8S_VERSION,
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        bootID: uidOf(`${cluster.name}|boot|${n.name}`),
        machineID: hexOf(`${cluster.name}|machine|${n.name}`, 32),
        systemUUID: uidOf(`${cluster.name}|sys|${n.name}`),
      },
      images: Object.keys(n.images ?? {}).map((ref) => ({ names: [ref], sizeBytes: 1000000 + (hash32(ref) % 50000000) })),
      capacity: { cpu: '8', 'ephemeral-storage': '102626232Ki', memory: '32853556Ki', pods: '110' },
      allocatable: { cpu: '8', 'ephemeral-storage': '102626232Ki', memory: '32853556Ki', pods: '110' },
    },
  };
}

/** System objects of a fresh kind cluster (namespaces, CoreDNS, kube-proxy, kindnet, ...). */
export function systemObjects(cluster, knobs) {
  const cp = cluster.nodes.find((n) => n.role === 'control-plane') ?? cluster.nodes[0];
  const tolerateAll = [{ operator: 'Exists' }];
  const list = [];
  const ns = (name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
  });
  for (const n of ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'local-path-storage']) list.push({ obj: ns(n) });
  list.push({
    obj: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        template: {
          metadata: { labels: { 'k8s-app': 'kube-dns' } },
          spec: {
            priorityClassName: 'system-cluster-critical',
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' },
            ],
            containers: [
              {
                name: 'coredns',
                image: 'registry.k8s.io/coredns/coredns:v1.12.0',
                imagePullPolicy: 'IfNotPresent',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { containerPort: 53, name: 'dns', protocol: 'UDP' },
                  { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                  { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
                ],
              },
            ],
          },
        },
      },
    },
    rolloutMs: knobs.corednsMs,
  });
  list.push({
    obj: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      },
      spec: {
        clusterIP: '10.96.0.10',
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
        type: 'ClusterIP',
      },
    },
  });
  list.push({
    obj: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], type: 'ClusterIP' },
    },
  });
  for (const [name, image, labels] of [
    ['kindnet', 'docker.io/kindest/kindnetd:v20250512-df8de77b', { app: 'kindnet', 'k8s-app': 'kindnet', tier: 'node' }],
    ['kube-proxy', `registry.k8s.io/kube-proxy-amd64:${K8S_VERSION}`, { 'k8s-app': 'kube-proxy' }],
  ]) {
    list.push({
      obj: {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name, namespace: 'kube-system', labels },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              hostNetwork: true,
              tolerations: tolerateAll,
              containers: [{ name: name === 'kindnet' ? 'kindnet-cni' : name, image, imagePullPolicy: 'IfNotPresent' }],
            },
          },
        },
      },
    });
  }
  const lpLabels = { app: 'local-path-provisioner' };
  list.push({
    obj: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'local-path-provisioner', namespace: 'local-path-storage' },
      spec: {
        replicas: 1,
        selector: { matchLabels: lpLabels },
        template: {
          metadata: { labels: lpLabels },
          spec: {
            tolerations: tolerateAll,
            containers: [
              {
                name: 'local-path-provisioner',
                image: 'docker.io/kindest/local-path-provisioner:v20250214-acbabc1a',
                imagePullPolicy: 'IfNotPresent',
              },
            ],
          },
        },
      },
    },
  });
  for (const [comp, image] of [
    ['etcd', 'registry.k8s.io/etcd:3.5.21-0'],
    ['kube-apiserver', `registry.k8s.io/kube-apiserver-amd64:${K8S_VERSION}`],
    ['kube-controller-manager', `registry.k8s.io/kube-controller-manager-amd64:${K8S_VERSION}`],
    ['kube-scheduler', `registry.k8s.io/kube-scheduler-amd64:${K8S_VERSION}`],
  ]) {
    list.push({
      obj: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${comp}-${cp.name}`, namespace: 'kube-system', labels: { component: comp, tier: 'control-plane' } },
        spec: {
          nodeName: cp.name,
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          tolerations: tolerateAll,
          containers: [{ name: comp, image, imagePullPolicy: 'IfNotPresent' }],
        },
      },
      rolloutMs: 0,
    });
  }
  list.push({
    obj: {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
  });
  return list;
}

export { BUILTIN, allTypes, apiVersionOf };
