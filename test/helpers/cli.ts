import { runCli } from '../../src/cli/cli.js';

/** Runs the CLI in-process with captured output. */
export async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; signal?: AbortSignal } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    {
      cwd: opts.cwd ?? process.cwd(),
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      isTTY: false,
      env: { ...process.env, ...opts.env },
    },
    opts.signal,
  );
  return { code, stdout, stderr };
}
