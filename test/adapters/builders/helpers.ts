import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BuildRequest } from '../../../src/core/engine/interfaces.js';

export const BUSYBOX = '/bin/busybox';
export const DOCKER_BUILTIN_BUILDKIT = '/usr/bin/docker';
export const DOCKER_V28_NO_BUILDX = '/usr/local/bin/docker';
export const PODMAN = '/usr/bin/podman';

export function uid(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12);
}

export interface Ctx {
  dir: string;
  dockerfile: string;
  marker: string;
  write(rel: string, content: string): void;
  cleanup(): void;
}

/**
 * A build context: busybox as /bin/sh (shell-form RUN works: busybox picks the applet from argv[0]), a unique
 * marker file copied early so every later layer is unique to this test, and the given Dockerfile tail.
 */
export function makeContext(dockerfileTail: string, files: Record<string, string> = {}): Ctx {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-bt-'));
  copyFileSync(BUSYBOX, path.join(dir, 'busybox'));
  const marker = uid();
  writeFileSync(path.join(dir, 'marker'), marker + '\n');
  const write = (rel: string, content: string): void => {
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  };
  for (const [rel, content] of Object.entries(files)) write(rel, content);
  const dockerfile = path.join(dir, 'Dockerfile');
  writeFileSync(dockerfile, ['FROM scratch', 'COPY busybox /bin/sh', 'COPY marker /marker', dockerfileTail].join('\n') + '\n');
  return { dir, dockerfile, marker, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function request(ctx: Ctx, repo: string, over: Partial<BuildRequest> = {}): BuildRequest {
  const t = uid();
  return {
    service: 'svc',
    context: ctx.dir,
    dockerfile: ctx.dockerfile,
    image: repo,
    tag: `${repo}:e2e-${t}`,
    args: {},
    labels: { 'io.hybrid-e2e.inputs': `test-${ctx.marker}`, 'io.hybrid-e2e.run': `run-${t}` },
    cache: { backend: 'none', scope: 'test' },
    network: 'none',
    ...over,
  };
}

/** PIDs whose command line contains `needle` (Linux /proc). */
export function pidsMatching(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(needle)) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out.filter((p) => p !== process.pid);
}

export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, stepMs = 100): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export function tmpDir(prefix = 'hybrid-e2e-bt-out-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const has = (p: string): boolean => existsSync(p);
