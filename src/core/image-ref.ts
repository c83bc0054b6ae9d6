/**
 * Image references: the one parser and normaliser, used where manifests are rewritten to built tags and where base
 * images are checked against the policy. Normalisation follows the docker/containerd reference rules
 * (distribution/reference `ParseNormalizedNamed`): no registry means `docker.io`, a single path component means the
 * `library/` namespace, `index.docker.io` is the legacy name of `docker.io`, and names are lower case.
 */

export interface ImageRefParts {
  /** The name as written: registry (if any) and path, without tag or digest. */
  name: string;
  tag?: string;
  /** `sha256:<hex>` (without the `@`). */
  digest?: string;
}

/** Splits `name[:tag][@digest]`; a `:` before the last `/` is a registry port, not a tag. */
export function splitImageRef(ref: string): ImageRefParts {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `redis` → `docker.io/library/redis`, `org/app` → `docker.io/org/app`; `localhost/…` and `host:port/…` stay. */
export function normalizeRepository(repo: string): string {
  const r = repo.trim().toLowerCase();
  const slash = r.indexOf('/');
  const first = slash < 0 ? r : r.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return first === 'index.docker.io' || first === 'registry-1.docker.io' ? 'docker.io' + r.slice(slash) : r;
  return slash < 0 ? `docker.io/library/${r}` : `docker.io/${r}`;
}
