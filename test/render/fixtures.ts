// Deterministic results objects for the renderer snapshots (no clock, no randomness: a seeded LCG).
import type { Finding } from '../../src/core/compliance/types.js';
import type { Results, TaskResult } from '../../src/core/engine/results.js';
import { summarisePhases } from '../../src/core/engine/results.js';

export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export const KUBERNAUT = [
  'gateway',
  'datastorage',
  'aianalysis',
  'notification',
  'signalprocessing',
  'remediationorchestrator',
  'workflowexecution',
  'effectivenessmonitor',
  'authwebhook',
];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface FixtureOptions {
  services: string[];
  /** Prebuilt dependencies (pulled, not built). */
  prebuilt?: string[];
  seed?: number;
  /** Scales every duration. */
  scale?: number;
  /** Fail this task id (e.g. `deploy:gateway`): later dependents are skipped. */
  fail?: string;
  cachedEvery?: number;
  runId?: string;
}

/** A run of up: builds in parallel, the cluster after them, loads, then deploys in dependency order. */
export function makeResults(o: FixtureOptions): Results {
  const rnd = lcg(o.seed ?? 1);
  const scale = o.scale ?? 1;
  const tasks: TaskResult[] = [];
  const prebuilt = o.prebuilt ?? [];
  const all = [...prebuilt, ...o.services];
  let buildEnd = T0;
  all.forEach((svc, i) => {
    const isPre = prebuilt.includes(svc);
    const start = T0 + Math.round(rnd() * 800 * scale);
    const dur = Math.round((isPre ? 2000 + rnd() * 3000 : 60_000 + rnd() * 90_000) * scale);
    const cached = isPre || (o.cachedEvery ? i % o.cachedEvery === 0 : false);
    const end = start + (cached && !isPre ? Math.round(dur / 10) : dur);
    buildEnd = Math.max(buildEnd, end);
    tasks.push({
      id: `build:${svc}`,
      phase: 'build',
      service: svc,
      startMs: start,
      endMs: end,
      outcome: 'success',
      attempts: 1,
      cached,
      image: isPre ? `${svc}:16-alpine` : `localhost/kubernaut/${svc}:e2e-run-abc12345`,
      ...(isPre ? { note: 'local image' } : {}),
    });
  });
  const cStart = buildEnd + 50;
  const cEnd = cStart + Math.round(45_000 * scale);
  tasks.push({ id: 'cluster', phase: 'cluster', startMs: cStart, endMs: cEnd, outcome: 'success', attempts: 1 });
  let loadEnd = cEnd;
  all.forEach((svc) => {
    const s = cEnd + Math.round(rnd() * 2000 * scale);
    const e = s + Math.round((3000 + rnd() * 6000) * scale);
    loadEnd = Math.max(loadEnd, e);
    tasks.push({ id: `load:${svc}`, phase: 'load', service: svc, startMs: s, endMs: e, outcome: 'success', attempts: 1 });
  });
  // Deploy: prebuilt first, then the rest in order.
  let t = loadEnd;
  let failed = false;
  const errors: string[] = [];
  for (const svc of all) {
    const id = `deploy:${svc}`;
    if (failed) {
      tasks.push({ id, phase: 'deploy', service: svc, outcome: 'skipped', attempts: 0, note: 'a dependency failed' });
      continue;
    }
    const s = t + 20;
    const e = s + Math.round((5000 + rnd() * 15_000) * scale);
    if (id === o.fail) {
      failed = true;
      const error = `deployment/${svc} in e2e: pod ${svc}-7d9f8c-x2x4z is CrashLoopBackOff (exit code 2)`;
      tasks.push({
        id,
        phase: 'deploy',
        service: svc,
        startMs: s,
        endMs: e,
        outcome: 'failure',
        attempts: 1,
        error,
        logTail: [
          'starting service',
          'connecting to datastorage:8080',
          'panic: dial tcp 10.96.0.12:8080: connect: connection refused',
          'goroutine 1 [running]:',
        ],
      });
      errors.push(`${id}: ${error}`);
    } else {
      tasks.push({ id, phase: 'deploy', service: svc, startMs: s, endMs: e, outcome: 'success', attempts: 1 });
    }
    t = prebuilt.includes(svc) ? t : e;
  }
  const endMs = Math.max(...tasks.flatMap((x) => (x.endMs === undefined ? [] : [x.endMs])));
  return {
    version: 1,
    runId: o.runId ?? 'run-abc12345',
    runDir: '/tmp/hybrid-e2e-run-abc12345',
    outcome: failed ? 'failure' : 'success',
    startMs: T0,
    endMs,
    services: all,
    builder: 'docker 28.0.1 (buildx)',
    cluster: { name: 'kubernaut-e2e-abc12345', kubeconfig: '/tmp/hybrid-e2e-run-abc12345/kubeconfig' },
    phases: summarisePhases(tasks),
    tasks,
    errors,
    ...(failed ? { diagnosticsDir: '/tmp/hybrid-e2e-run-abc12345/diagnostics' } : {}),
  };
}

/** `n` findings across the nine services' Dockerfiles: errors, warnings and waived ones. */
export function makeFindings(n: number): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const svc = KUBERNAUT[i % KUBERNAUT.length]!;
    const line = 3 + Math.floor(i / KUBERNAUT.length) * 7;
    const kind = i % 5;
    if (kind === 3) {
      out.push({
        file: `docker/${svc}.Dockerfile`,
        line,
        endLine: line,
        rule: 'base-image-policy',
        severity: 'warning',
        message: `base image registry.access.redhat.com/ubi9/go-toolset:1.22 is older than the policy's >=1.25`,
        waived: false,
      });
    } else {
      const mgr = i % 2 ? 'microdnf' : 'dnf';
      out.push({
        file: `docker/${svc}.Dockerfile`,
        line,
        endLine: line + (i % 3 === 0 ? 1 : 0),
        column: 5,
        rule: 'no-package-upgrade',
        severity: 'error',
        message: `\`${mgr} update\` upgrades every package in the image: it adds minutes to every build and makes it unreproducible. Pin the base image instead.`,
        waived: kind === 4,
        ...(kind === 4 ? { reason: 'CVE-2025-1234 fix not in the base image yet' } : {}),
      });
    }
  }
  return out;
}

/** Nine legs: each brings up one service with its dependencies. */
export function nineLegs(opts: { fail?: string; findings?: number } = {}): { name: string; results: Results }[] {
  return KUBERNAUT.map((svc, i) => {
    const services = svc === 'datastorage' ? ['datastorage'] : ['datastorage', svc];
    const results = makeResults({
      services,
      prebuilt: ['postgresql', 'redis'],
      seed: 100 + i,
      cachedEvery: 2,
      runId: `run-${svc}`,
      ...(opts.fail === svc ? { fail: `deploy:${svc}` } : {}),
    });
    if (opts.findings) {
      // Each leg lints its own Dockerfiles; datastorage's findings appear in every leg (deduplicated in the comment).
      const all = makeFindings(opts.findings);
      results.compliance = {
        files: services.length,
        findings: all.filter((f) => services.some((s) => f.file === `docker/${s}.Dockerfile`)),
      };
    }
    return { name: svc, results };
  });
}

/** 3,000 tasks: 1,000 services, each built, loaded and deployed (minus the cluster task to land on 3,000). */
export function manyTasks(): Results {
  const services = Array.from({ length: 1000 }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
  const r = makeResults({ services, seed: 7, scale: 0.05, cachedEvery: 3 });
  r.tasks = r.tasks.filter((t) => t.id !== 'load:svc-0999');
  r.phases = summarisePhases(r.tasks);
  return r;
}
