// Process wrapper shared by the fakes: call log, running markers, signals, exit.
import fs from 'node:fs';
import path from 'node:path';
import { stateDir } from './state.mjs';
import { CliExit } from './util.mjs';

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * Run a fake tool's main function.
 * main(ctx) gets { argv, dir, io: { out, err }, record, onExit(fn) } and returns an exit code.
 * One JSON line per call is appended to $HYBRID_FAKE_STATE/calls.jsonl.
 */
export async function runTool(tool, main) {
  const startMs = Date.now();
  const argv = process.argv.slice(2);
  let stderrTail = '';
  const io = {
    out: (s) => {
      process.stdout.write(s);
    },
    err: (s) => {
      stderrTail = (stderrTail + s).slice(-4000);
      process.stderr.write(s);
    },
  };
  let dir;
  try {
    dir = stateDir(tool);
  } catch (e) {
    process.stderr.write(`${e.stderr}\n`);
    process.exit(e.code ?? 2);
  }
  const record = {
    tool,
    argv,
    cwd: process.cwd(),
    env: {
      KIND_EXPERIMENTAL_PROVIDER: process.env.KIND_EXPERIMENTAL_PROVIDER ?? null,
      KUBECONFIG: process.env.KUBECONFIG ?? null,
    },
    pid: process.pid,
    ppid: process.ppid,
    startMs,
  };
  const runningDir = path.join(dir, 'running');
  const marker = path.join(runningDir, `${process.pid}.json`);
  try {
    fs.mkdirSync(runningDir, { recursive: true });
    fs.writeFileSync(marker, JSON.stringify({ tool, argv, pid: process.pid, ppid: process.ppid, startMs }));
  } catch {
    // best effort
  }
  const exitHooks = [];
  let finished = false;
  const finish = (code, extra = {}) => {
    if (finished) return;
    finished = true;
    for (const h of exitHooks.splice(0)) {
      try {
        h();
      } catch {
        // ignore cleanup failures
      }
    }
    const line = { ...record, ...extra, endMs: Date.now(), exitCode: code, stderrTail };
    try {
      fs.appendFileSync(path.join(dir, 'calls.jsonl'), `${JSON.stringify(line)}\n`);
    } catch {
      // state dir removed under us: nothing to log into
    }
    try {
      fs.unlinkSync(marker);
    } catch {
      // ignore
    }
    process.exit(code);
  };
  for (const [sig, n] of Object.entries(SIGNALS)) {
    process.on(sig, () => finish(128 + n, { signal: sig }));
  }
  let code;
  try {
    code = await main({ argv, dir, io, record, onExit: (fn) => exitHooks.push(fn) });
    if (code === undefined) code = 0;
  } catch (e) {
    if (e instanceof CliExit) {
      if (e.stderr) io.err(e.stderr.endsWith('\n') ? e.stderr : `${e.stderr}\n`);
      Object.assign(record, e.extra);
      code = e.code;
    } else {
      io.err(`fake ${tool}: internal error: ${e && e.stack ? e.stack : String(e)}\n`);
      code = 70;
    }
  }
  finish(code);
}
