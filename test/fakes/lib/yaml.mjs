// Lazy access to the `yaml` package: loading it costs ~60 ms per process, and
// most fake calls (kubectl get -o json, rollout status, wait, kind load) never need it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let mod;

/** The `yaml` module, loaded on first use. */
export function yaml() {
  mod ??= require('yaml');
  return mod;
}
