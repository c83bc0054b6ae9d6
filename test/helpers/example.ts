import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { REPO_ROOT } from './tmp.js';

/** Removes every local image (docker and podman) whose repository starts with `prefix`. */
export async function removeImagesWithPrefix(prefix: string): Promise<void> {
  for (const bin of ['docker', 'podman']) {
    const r = await execa(bin, ['images', '--format', '{{.Repository}}:{{.Tag}}'], { reject: false });
    const refs = String(r.stdout ?? '')
      .split('\n')
      .filter((l) => l.startsWith(prefix) || l.startsWith(`localhost/${prefix}`));
    if (refs.length) await execa(bin, ['rmi', '-f', ...refs], { reject: false });
  }
}

/**
 * A private copy of examples/runnable with Debian's busybox-static copied in. Its image repositories get a
 * test-unique prefix (so tags, cache and cleanup never touch another test's images) and a random marker file makes
 * its image inputs new for this test run (a cold first build).
 */
export function runnableExample(): { dir: string; config: string; repoPrefix: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-example-'));
  cpSync(path.join(REPO_ROOT, 'examples/runnable'), dir, { recursive: true });
  cpSync('/bin/busybox', path.join(dir, 'bin/busybox'));
  const id = randomBytes(4).toString('hex');
  const repoPrefix = `localhost/t${id}/`;
  const files = [path.join(dir, 'hybrid-e2e.yaml'), ...readdirSync(path.join(dir, 'deploy')).map((f) => path.join(dir, 'deploy', f))];
  for (const f of files) writeFileSync(f, readFileSync(f, 'utf8').replaceAll('localhost/runnable/', repoPrefix));
  writeFileSync(path.join(dir, 'marker'), id);
  return {
    dir,
    config: path.join(dir, 'hybrid-e2e.yaml'),
    repoPrefix,
    cleanup: async () => {
      rmSync(dir, { recursive: true, force: true });
      await removeImagesWithPrefix(repoPrefix);
    },
  };
}
