/**
 * kind and kubectl for a run: a pinned version (inputs `kind-version`, `kubectl-version`) is installed (tool cache or
 * a checksum-verified download); without a pin the tool on PATH is used, and a missing tool gets the default pin.
 */
import { DEFAULT_VERSIONS, installTool, toolVersion, type ToolName } from '../adapters/tool-install.js';
import type { ToolVersion } from '../render/summary.js';
import type { Env } from './compose.js';

export { DEFAULT_VERSIONS, type ToolName };

export interface ToolSetupIO {
  info(line: string): void;
  /** Puts a directory first on PATH, for this process and later steps (the action's `core.addPath`). */
  addPath(dir: string): void;
}

/** Each tool: the pin if given, else the one on PATH, else the default pin. Prints and returns the versions used. */
export async function setupTools(pins: Partial<Record<ToolName, string>>, env: Env, io: ToolSetupIO): Promise<ToolVersion[]> {
  const out: ToolVersion[] = [];
  for (const tool of ['kind', 'kubectl'] as const) {
    const pin = pins[tool];
    let source: string;
    if (pin) {
      const r = await installTool(tool, pin, env);
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
      const r = await installTool(tool, DEFAULT_VERSIONS[tool], env);
      io.addPath(r.dir);
      source = r.source;
    }
    const v = (await toolVersion(tool, { ...env, PATH: process.env.PATH })) ?? pins[tool] ?? DEFAULT_VERSIONS[tool];
    out.push({ name: tool, version: v, source });
    io.info(`${tool} ${v} (${source})`);
  }
  return out;
}
