/**
 * kind and kubectl for a run. The action: a pinned version (inputs `kind-version`, `kubectl-version`) is installed
 * (tool cache or a checksum-verified download); without a pin the tool on PATH is used, and a missing tool gets the
 * default pin. The CLI: the tool on PATH, else the default pin from the per-user cache, downloaded and verified the
 * same way when it is not there yet (unless installing is turned off).
 */
import {
  DEFAULT_VERSIONS,
  findUserTool,
  installTool,
  installUserTool,
  manualInstall,
  toolVersion,
  userToolDir,
  type ChecksumPins,
  type ToolName,
} from '../adapters/tool-install.js';
import { findExecutable } from '../adapters/process.js';
import { UserError } from '../core/errors.js';
import type { ToolVersion } from '../render/summary.js';
import type { Env } from './compose.js';
import path from 'node:path';

export { DEFAULT_VERSIONS, type ChecksumPins, type ToolName };

export interface ToolSetupIO {
  info(line: string): void;
  /** Puts a directory first on PATH, for this process and later steps (the action's `core.addPath`). */
  addPath(dir: string): void;
}

/** Each tool: the pin if given, else the one on PATH, else the default pin. Prints and returns the versions used. */
export async function setupTools(
  pins: Partial<Record<ToolName, string>>,
  env: Env,
  io: ToolSetupIO,
  o: { checksums?: ChecksumPins } = {},
): Promise<ToolVersion[]> {
  const out: ToolVersion[] = [];
  const opts = o.checksums ? { pins: o.checksums } : {};
  for (const tool of ['kind', 'kubectl'] as const) {
    const pin = pins[tool];
    let source: string;
    if (pin) {
      const r = await installTool(tool, pin, env, opts);
      io.addPath(r.dir);
      source = r.source;
    } else {
      const found = await toolVersion(tool, { ...env, PATH: process.env.PATH });
      if (found) {
        out.push({ name: tool, version: found, source: 'PATH' });
        io.info(`${tool} ${found} (PATH)`);
        continue;
      }
      io.info(`${tool} is not on PATH: installing ${DEFAULT_VERSIONS[tool]}`);
      const r = await installTool(tool, DEFAULT_VERSIONS[tool], env, opts);
      io.addPath(r.dir);
      source = r.source;
    }
    const v = (await toolVersion(tool, { ...env, PATH: process.env.PATH })) ?? pins[tool] ?? DEFAULT_VERSIONS[tool];
    out.push({ name: tool, version: v, source });
    io.info(`${tool} ${v} (${source})`);
  }
  return out;
}

/** `HYBRID_E2E_NO_INSTALL=1` (or `true`, `yes`): the CLI never downloads a tool. */
export function installDisabled(env: Env): boolean {
  return /^(1|true|yes)$/i.test(env.HYBRID_E2E_NO_INSTALL ?? '');
}

export interface CliToolsOptions {
  /** Download a tool that is missing (false: `--no-install` or HYBRID_E2E_NO_INSTALL=1). */
  install: boolean;
  info(line: string): void;
  /** sha256 pins of the releases (default: the built-in ones; tests inject their fake release's). */
  checksums?: ChecksumPins;
}

/**
 * For the CLI: each tool from PATH; else the default pin, from the per-user cache (`$XDG_CACHE_HOME/hybrid-e2e/tools`)
 * or downloaded into it and verified against its sha256 first. Returns `env` with the directories of the tools taken
 * from the cache first on PATH. Throws a UserError that says how to install the tool by hand when installing is off
 * or the download fails.
 */
export async function ensureTools(tools: readonly ToolName[], env: Env, o: CliToolsOptions): Promise<Env> {
  const dirs: string[] = [];
  for (const tool of tools) {
    if (await findExecutable(tool, env)) continue;
    const version = DEFAULT_VERSIONS[tool];
    const cached = findUserTool(tool, version, env);
    if (cached) {
      dirs.push(cached);
      continue;
    }
    if (!o.install) {
      throw new UserError(
        `${tool} is not on PATH, and installing it is turned off (--no-install or HYBRID_E2E_NO_INSTALL=1). Install ${tool} ${version} by hand: ${manualInstall(tool, version, env)}; or run without --no-install to have it downloaded, checksum-verified, into ${userToolDir(tool, version, env)}.`,
      );
    }
    o.info(`${tool} is not on PATH: installing ${version} into ${userToolDir(tool, version, env)}`);
    const dir = await installUserTool(tool, version, env, o.checksums ? { pins: o.checksums } : {});
    o.info(`${tool} ${version} installed (sha256 verified)`);
    dirs.push(dir);
  }
  if (!dirs.length) return env;
  return { ...env, PATH: [...dirs, env.PATH ?? ''].filter(Boolean).join(path.delimiter) };
}
