/**
 * Setup file of the fast tier (`npm test`): every test runs with a PATH on which no container engine, cluster tool or
 * browser can be found, so the tier passes on a machine that has none of them and a test that needs one fails here
 * (and belongs in the integration tier, `*.int.test.ts`). The shadow PATH holds links to every other executable.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

const HIDDEN =
  /^(docker|dockerd|docker-.*|podman|buildah|containerd.*|ctr|runc|crun|nerdctl|kind|kubectl|chromium|chromium-browser|google-chrome.*)$/;

function shadowPath(PATH: string): string {
  const dirs = PATH.split(path.delimiter).filter((d) => d && path.isAbsolute(d));
  const dest = path.join(os.tmpdir(), `hybrid-e2e-no-engines-${createHash('sha256').update(dirs.join('\0')).digest('hex').slice(0, 12)}`);
  if (existsSync(dest)) return dest;
  const tmp = `${dest}.${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (HIDDEN.test(n) || existsSync(path.join(tmp, n))) continue;
      try {
        symlinkSync(path.join(dir, n), path.join(tmp, n));
      } catch {
        /* a name seen twice meanwhile */
      }
    }
  }
  try {
    renameSync(tmp, dest);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another worker made it first
  }
  return dest;
}

process.env.PATH = shadowPath(process.env.PATH ?? '/usr/bin:/bin');
for (const k of ['HYBRID_E2E_DOCKER', 'HYBRID_E2E_PODMAN', 'DOCKER_HOST', 'CONTAINER_HOST']) delete process.env[k];
