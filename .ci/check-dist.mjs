// Fails when dist/ differs from a fresh bundle: rebuilds into place and asks git what changed.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
execFileSync(process.execPath, [path.join(root, '.ci', 'bundle.mjs')], { cwd: root, stdio: 'inherit' });
const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', 'dist'], { cwd: root, encoding: 'utf8' });
if (status.trim()) {
  console.error('dist/ differs from a fresh "npm run bundle":\n' + status);
  console.error('Run "npm run bundle" and commit dist/ together with the source it comes from.');
  process.exit(1);
}
console.log('dist/ matches a fresh bundle.');
