/**
 * The one process runner: every tool the product runs (docker, podman, kind, kubectl) goes through here, with an
 * argument array (never a shell), its output streamed line by line into a bounded tail, and on cancellation the whole
 * process tree killed.
 *
 * Why a tree kill: `podman build` runs each RUN step as an OCI container whose processes live in their own session
 * under podman's `buildah-oci-runtime` monitor. Sending SIGTERM/SIGINT to podman (4.3) leaves those processes
 * running (re-parented to init) and leaks the build's working containers. Killing the container processes first
 * makes podman fail the step and clean up by itself; then the remaining tree is terminated. `docker build` has no
 * such children: the daemon cancels the build when the client goes away. kind and kubectl get SIGTERM, then SIGKILL.
 *
 * execa is used for spawning (exit codes, signals, timeouts, spawn errors); the tree kill and line splitting are
 * ours because execa kills only the direct child and its line mode cannot split bare `\r` progress redraws.
 */
import { access, readdir, readFile, realpath } from 'node:fs/promises';
import { constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { ToolError } from '../core/errors.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Collects lines, splitting on \n, \r\n and bare \r (progress redraws). */
export class LineSplitter {
  private buf = '';
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: string): void {
    this.buf += chunk;
    const parts = this.buf.split(/\r\n|\n|\r/);
    this.buf = parts.pop() ?? '';
    for (const p of parts) this.emit(p);
  }
  end(): void {
    if (this.buf.length > 0) this.emit(this.buf);
    this.buf = '';
  }
}

export class Tail {
  private readonly lines: string[] = [];
  constructor(private readonly max: number) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  get(): string[] {
    return [...this.lines];
  }
}

export interface ProcessOptions {
  /** The complete environment of the child (default: this process's). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  /** Grace period for the root process after its container children were killed, and before SIGKILL. */
  killGraceMs?: number;
  tailLines?: number;
  timeoutMs?: number;
  input?: string;
  /** Keep at most this many characters of stdout and of stderr (default 64 MiB; builds are chatty: they keep less). */
  maxOutput?: number;
  /**
   * Start the command in its own session, so a terminal's Ctrl-C reaches only us: the caller aborts `signal`, and
   * the tree kill below stops the build in the right order. Used for podman, which on SIGINT exits leaving its RUN
   * containers running.
   */
  detached?: boolean;
  /** Short name for error messages (`kubectl rollout status`). */
  verb?: string;
}

export interface ProcessResult {
  exitCode?: number;
  signal?: string;
  cancelled: boolean;
  timedOut: boolean;
  /** Last lines of interleaved stdout+stderr (ANSI stripped). */
  tail: string[];
  stdout: string;
  stderr: string;
  failed: boolean;
  /** The process could not be started: `ENOENT`, `EACCES`, ... */
  spawnError?: string;
}

/** Runs `file args`; never throws for a failing command (the caller decides). */
export async function runProcess(file: string, args: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  const tail = new Tail(opts.tailLines ?? 30);
  const keepMax = opts.maxOutput ?? 64 << 20;
  let stdout = '';
  let stderr = '';
  let cancelled = false;
  const onLine = (line: string): void => {
    const clean = stripAnsi(line);
    tail.push(clean);
    opts.onLine?.(clean);
  };
  const outSplit = new LineSplitter(onLine);
  const errSplit = new LineSplitter(onLine);

  if (opts.signal?.aborted) return { cancelled: true, timedOut: false, tail: [], stdout: '', stderr: '', failed: true };

  const child = execa(file, args, {
    env: opts.env ?? process.env,
    extendEnv: false,
    cwd: opts.cwd,
    reject: false,
    buffer: false,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    input: opts.input,
    timeout: opts.timeoutMs,
    forceKillAfterDelay: opts.killGraceMs ?? 3000,
    detached: opts.detached ?? false,
    windowsHide: true,
  });

  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    if (stdout.length < keepMax) stdout += d;
    outSplit.push(d);
  });
  child.stderr?.on('data', (d: string) => {
    if (stderr.length < keepMax) stderr += d;
    errSplit.push(d);
  });

  let exited = false;
  const onAbort = (): void => {
    if (exited) return;
    cancelled = true;
    if (child.pid !== undefined) void killTree(child.pid, opts.killGraceMs ?? 3000, () => exited);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const r = await child;
  exited = true;
  opts.signal?.removeEventListener('abort', onAbort);
  outSplit.end();
  errSplit.end();

  const code = (r as { code?: string }).code;
  const spawnError = r.exitCode === undefined && r.signal === undefined && r.failed ? (code ?? r.shortMessage) : undefined;
  return {
    exitCode: r.exitCode,
    signal: r.signal,
    cancelled: cancelled || Boolean(opts.signal?.aborted && r.failed),
    timedOut: r.timedOut,
    tail: tail.get(),
    stdout,
    stderr,
    failed: r.failed,
    ...(spawnError ? { spawnError } : {}),
  };
}

/** Runs `file args` and resolves with its output; throws ToolError when it fails, is killed or cannot start. */
export async function runChecked(
  file: string,
  args: readonly string[],
  opts: ProcessOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const r = await runProcess(file, args, opts);
  const stdout = r.stdout.replace(/\r?\n$/, '');
  const stderr = r.stderr.replace(/\r?\n$/, '');
  if (r.failed || r.cancelled) {
    throw new ToolError({
      command: file,
      args,
      stdout,
      stderr,
      cancelled: r.cancelled,
      timedOut: r.timedOut,
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      ...(r.signal ? { signal: r.signal } : {}),
      ...(r.spawnError ? { spawnError: r.spawnError } : {}),
      ...(opts.verb ? { verb: opts.verb } : {}),
    });
  }
  return { stdout, stderr };
}

/** Quick command for probes: full stdout/stderr, short timeout, never throws. */
export async function probe(
  file: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  timeoutMs = 10_000,
): Promise<{ ok: boolean; exitCode?: number; stdout: string; stderr: string; error?: string }> {
  const r = await runProcess(file, args, { env, timeoutMs, tailLines: 5 });
  return {
    ok: r.exitCode === 0,
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    stdout: r.stdout,
    stderr: r.stderr,
    ...(r.exitCode === undefined ? { error: r.spawnError ?? (r.timedOut ? 'timed out' : `killed by ${r.signal ?? 'a signal'}`) } : {}),
  };
}

interface ProcInfo {
  pid: number;
  ppid: number;
  sid: number;
  start: string;
}

async function readProc(pid: number): Promise<ProcInfo | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // fields[0]=state, [1]=ppid, [2]=pgrp, [3]=session, ..., [19]=starttime
    return { pid, ppid: Number(fields[1]), sid: Number(fields[3]), start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** All descendants of `root` (Linux /proc; empty elsewhere), parents before children. */
export async function descendants(root: number): Promise<ProcInfo[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const infos = (await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readProc(Number(n))))).filter(
    (p): p is ProcInfo => p !== undefined,
  );
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of infos) {
    const list = byParent.get(p.ppid) ?? [];
    list.push(p);
    byParent.set(p.ppid, list);
  }
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const c of byParent.get(pid) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

function signalIfSame(p: ProcInfo, sig: NodeJS.Signals, current: ProcInfo | undefined): void {
  if (current === undefined || current.start !== p.start) return; // gone, or pid reused
  try {
    process.kill(p.pid, sig);
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

/**
 * Kill a process tree: first the descendants that left the root's session (container processes), giving the root
 * `graceMs` to notice and clean up; then SIGTERM the root and its remaining descendants; SIGKILL after `graceMs`.
 */
export async function killTree(root: number, graceMs: number, exited: () => boolean): Promise<void> {
  const rootInfo = await readProc(root);
  const desc = await descendants(root);
  const foreign = desc.filter((p) => rootInfo === undefined || p.sid !== rootInfo.sid);
  for (const p of foreign) signalIfSame(p, 'SIGKILL', await readProc(p.pid));
  if (foreign.length > 0) await waitUntil(exited, graceMs);
  if (!exited()) {
    // Snapshot again: the tree may have grown meanwhile.
    const now = await descendants(root);
    try {
      process.kill(root, 'SIGTERM');
    } catch {
      /* gone */
    }
    for (const p of now) signalIfSame(p, 'SIGTERM', await readProc(p.pid));
    await waitUntil(exited, graceMs);
    for (const p of [...desc, ...now]) signalIfSame(p, 'SIGKILL', await readProc(p.pid));
    if (!exited()) {
      try {
        process.kill(root, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  } else {
    // Root exited by itself; make sure nothing it started survives.
    for (const p of desc) signalIfSame(p, 'SIGKILL', await readProc(p.pid));
  }
}

/** The first executable named `name` on PATH. */
export async function findExecutable(name: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  return (await findAllExecutables(name, env))[0];
}

/** Every executable named `name` on PATH, in PATH order, without duplicates (same real file). */
export async function findAllExecutables(name: string, env: Record<string, string | undefined>): Promise<string[]> {
  const PATH = env.PATH ?? env.Path ?? '';
  const out: string[] = [];
  const seen = new Set<string>();
  for (const dir of PATH.split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    if (!(await isExecutable(candidate))) continue;
    let real = candidate;
    try {
      real = await realpath(candidate);
    } catch {
      /* keep */
    }
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(candidate);
  }
  return out;
}

export async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The start time of a process (clock ticks since boot, from /proc), or undefined when it does not exist. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that started as (`pid`, `start`) still runs; a pid reused by another process does not count. */
export function processAlive(pid: number, start?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (start === undefined) return true;
  const now = processStart(pid);
  return now === undefined ? existsSync('/proc') === false : now === start;
}

/**
 * Processes a run left behind when it was killed without cleaning up (SIGKILL, OOM, a closed laptop): the tools the
 * engine runs (kind, kubectl, docker, podman, buildx) whose command line names the run's directory or its run id
 * (kind's `--name <cluster>-<id>`, tags `:e2e-<id>-…`, `--kubeconfig <run dir>/…`), never this process or its
 * ancestors, nor any other program (an editor or `tail` on a file of the run). Linux /proc; none elsewhere.
 */
const RUN_TOOLS = new Set(['kind', 'kubectl', 'docker', 'podman', 'docker-buildx', 'buildctl']);

export async function leftoverProcesses(runId: string, runDir: string): Promise<ProcInfo[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const ancestors = new Set<number>();
  for (let p: number | undefined = process.pid; p && p > 1 && !ancestors.has(p); p = (await readProc(p))?.ppid) ancestors.add(p);
  const out: ProcInfo[] = [];
  for (const n of names.filter((x) => /^\d+$/.test(x))) {
    const pid = Number(n);
    if (ancestors.has(pid)) continue;
    let argv: string[];
    try {
      argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    } catch {
      continue;
    }
    // the tool itself, or a script of that name run by an interpreter (`node …/kind`)
    if (!argv.slice(0, 2).some((a) => RUN_TOOLS.has(path.basename(a)))) continue;
    const cmdline = argv.join(' ');
    if (!cmdline.includes(runDir) && !new RegExp(`(^|[^a-z0-9])(e2e-)?${runId}([^a-z0-9]|$)`).test(cmdline)) continue;
    const info = await readProc(pid);
    if (info) out.push(info);
  }
  return out;
}

/**
 * Stops what a dead run left running (see `leftoverProcesses`) so that nothing recreates what `down` removes: a
 * `kind create` that goes on after its parent died would bring the cluster back. SIGTERM, then SIGKILL after
 * `graceMs`. Returns how many processes were found.
 */
export async function stopLeftoverProcesses(runId: string, runDir: string, graceMs = 3000): Promise<number> {
  const found = await leftoverProcesses(runId, runDir);
  for (const p of found) signalIfSame(p, 'SIGTERM', await readProc(p.pid));
  const gone = () => found.every((p) => !processAlive(p.pid, p.start));
  await waitUntil(gone, graceMs);
  for (const p of found) signalIfSame(p, 'SIGKILL', await readProc(p.pid));
  await waitUntil(gone, 1000);
  return found.length;
}
