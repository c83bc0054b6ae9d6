/** An error caused by the user's input (config, arguments). The CLI exits 2 and prints no stack trace. */
export class UserError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** The run cannot go ahead on this machine as it is (e.g. too little free disk); exit 1, no stack trace. */
export class RunBlockedError extends UserError {
  override readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = 'RunBlockedError';
  }
}

/** One positioned problem in a config file. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Field path such as `services.gateway.dependsOn[0]`; empty for the document root. */
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** Every problem found in one config file, reported together. */
export class ConfigError extends UserError {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      problems.length === 1
        ? formatProblem(problems[0]!)
        : `${problems.length} problems in ${problems[0]?.file ?? 'config'}:\n` + problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The last `n` non-blank lines of `text`. */
export function lastLines(text: string, n: number): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(-n);
}

export interface ToolErrorDetails {
  /** The executable as invoked (`kind`, `/usr/bin/docker`). */
  command: string;
  args: readonly string[];
  exitCode?: number;
  signal?: string;
  stdout: string;
  stderr: string;
  cancelled: boolean;
  timedOut?: boolean;
  /** `ENOENT`, `EACCES`, ... when the process could not be started. */
  spawnError?: string;
  /** A short name of what was run, for messages (`kubectl rollout status`). Default: the command and its first words. */
  verb?: string;
}

/**
 * A tool process (kind, kubectl, docker, podman) that failed, was killed or could not be started. Thrown by the
 * adapters; the engine reads `output` to classify failures (e.g. kind's transient create errors).
 */
export class ToolError extends Error {
  readonly command: string;
  readonly args: readonly string[];
  readonly exitCode?: number;
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly cancelled: boolean;
  readonly timedOut: boolean;
  readonly spawnError?: string;
  readonly verb: string;

  constructor(d: ToolErrorDetails) {
    const verb =
      d.verb ??
      `${d.command} ${d.args
        .filter((a) => !a.startsWith('-'))
        .slice(0, 2)
        .join(' ')}`.trim();
    const tail = lastLines(d.stderr || d.stdout, 5).join('\n');
    super(
      d.spawnError === 'ENOENT'
        ? `${d.command}: command not found on PATH; install it (see the README's quick start) or put it on PATH`
        : d.spawnError
          ? `${verb} could not be started (${d.spawnError})`
          : d.cancelled
            ? `${verb} was cancelled`
            : d.timedOut
              ? `${verb} timed out${tail ? `:\n${tail}` : ''}`
              : `${verb} ${d.exitCode !== undefined ? `exited with ${d.exitCode}` : `was killed by ${d.signal ?? 'a signal'}`}${tail ? `:\n${tail}` : ''}`,
    );
    this.name = 'ToolError';
    this.command = d.command;
    this.args = d.args;
    this.exitCode = d.exitCode;
    this.signal = d.signal;
    this.stdout = d.stdout;
    this.stderr = d.stderr;
    this.cancelled = d.cancelled;
    this.timedOut = d.timedOut ?? false;
    this.spawnError = d.spawnError;
    this.verb = verb;
  }

  /** stdout and stderr together, for matching error signatures. */
  get output(): string {
    return `${this.stdout}\n${this.stderr}`;
  }
}

export interface BuildErrorDetails {
  service?: string;
  exitCode?: number;
  signal?: string;
  logTail: string[];
  /** Name of the failing step (e.g. `[2/3] RUN make`) when it could be identified. */
  failedStep?: string;
  /** Last lines of the failing step's output. */
  stepTail?: string[];
  cancelled?: boolean;
  attempts?: number;
}

/** A build (or save/pull/tag) that failed or was cancelled. Thrown by the image builder adapters. */
export class BuildError extends Error {
  readonly service?: string;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly logTail: string[];
  readonly failedStep?: string;
  readonly stepTail?: string[];
  readonly cancelled: boolean;
  readonly attempts?: number;

  constructor(message: string, d: BuildErrorDetails) {
    super(message);
    this.name = 'BuildError';
    this.service = d.service;
    this.exitCode = d.exitCode;
    this.signal = d.signal;
    this.logTail = d.logTail;
    this.failedStep = d.failedStep;
    this.stepTail = d.stepTail;
    this.cancelled = d.cancelled ?? false;
    this.attempts = d.attempts;
  }

  /** The same fields as one object. */
  get details(): BuildErrorDetails {
    return {
      service: this.service,
      exitCode: this.exitCode,
      signal: this.signal,
      logTail: this.logTail,
      failedStep: this.failedStep,
      stepTail: this.stepTail,
      cancelled: this.cancelled,
      attempts: this.attempts,
    };
  }
}

/** The most useful output lines of a failed tool or build: the failing step's, else the log's tail. */
export function failureOutput(e: unknown, n = 20): string[] | undefined {
  if (e instanceof BuildError) return e.stepTail?.length ? e.stepTail : e.logTail.length ? e.logTail : undefined;
  if (e instanceof ToolError) {
    const lines = lastLines(e.output, n);
    return lines.length ? lines : undefined;
  }
  const d = (e as { details?: { stepTail?: string[]; logTail?: string[] } } | undefined)?.details;
  return d?.stepTail ?? d?.logTail;
}
