import { execa, type Options } from 'execa';

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number | undefined,
    readonly stdout: string,
    readonly stderr: string,
    readonly cancelled: boolean,
    readonly spawnError?: string,
    readonly signal?: string,
  ) {
    const tail = lastLines(stderr || stdout, 5).join('\n');
    const name = `${command} ${args
      .filter((a) => !a.startsWith('-'))
      .slice(0, 2)
      .join(' ')}`.trim();
    super(
      spawnError === 'ENOENT'
        ? `${command}: command not found on PATH; install it (see the README's quick start) or put it on PATH`
        : cancelled
          ? `${name} was cancelled`
          : `${name} ${exitCode !== undefined ? `exited with ${exitCode}` : `was killed by ${signal ?? 'a signal'}`}${tail ? `:\n${tail}` : ''}`,
    );
    this.name = 'CommandError';
  }
  get output(): string {
    return `${this.stdout}\n${this.stderr}`;
  }
}

export function lastLines(text: string, n: number): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(-n);
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  signal?: AbortSignal;
  input?: string;
  timeoutMs?: number;
  onLine?: (line: string) => void;
}

/** Runs a command with an argument array (never a shell). Resolves with stdout; throws CommandError. */
export async function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const sub = execa(command, args, {
    env: opts.env,
    extendEnv: opts.env === undefined,
    cwd: opts.cwd,
    reject: false,
    all: false,
    stripFinalNewline: true,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    forceKillAfterDelay: 5000,
    ...(opts.onLine
      ? {
          stdout: [
            'pipe',
            function* (line: unknown) {
              opts.onLine!(String(line));
              yield line;
            },
          ],
          stderr: [
            'pipe',
            function* (line: unknown) {
              opts.onLine!(String(line));
              yield line;
            },
          ],
        }
      : {}),
  } as Options);
  const r = await sub;
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  if (r.failed) {
    const code = (r as { code?: string }).code;
    throw new CommandError(
      command,
      args,
      r.exitCode,
      stdout,
      stderr,
      Boolean(r.isCanceled || opts.signal?.aborted),
      code === 'ENOENT' ? 'ENOENT' : undefined,
      r.signal,
    );
  }
  return { stdout, stderr };
}
