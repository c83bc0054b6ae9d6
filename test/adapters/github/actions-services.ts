// Emulates the runner-side artifact and cache services that @actions/artifact (v2+, "artifacts v4") talks to, over real HTTP on
// 127.0.0.1: the results service's Twirp JSON API (CreateArtifact, FinalizeArtifact, ListArtifacts,
// GetSignedArtifactURL, DeleteArtifact) and the blob storage behind its signed URLs (Azure block blob upload:
// Put Block + Put Block List; plain GET download). Also the public REST endpoints a workflow_run uses to read another
// run's artifacts (mounted on the GitHub REST emulator through `restRoutes`). The cache service (v2, what
// @actions/cache uses with ACTIONS_CACHE_SERVICE_V2): CreateCacheEntry, FinalizeCacheEntryUpload and
// GetCacheEntryDownloadURL, with GitHub's matching (exact key, else the newest entry with a restore-key prefix; the
// version must match; entries are immutable).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredArtifact {
  id: number;
  runBackendId: string;
  jobBackendId: string;
  /** The numeric run id (GITHUB_RUN_ID) the backend run belongs to. */
  runId: number;
  name: string;
  blobPath: string;
  finalized: boolean;
  size: number;
  createdAt: string;
}

export interface CacheEntry {
  key: string;
  version: string;
  blobPath: string;
  finalized: boolean;
  size: number;
  createdAt: number;
}

export interface ActionsServices {
  url: string;
  artifacts: StoredArtifact[];
  caches: CacheEntry[];
  blobs: Map<string, Buffer>;
  requests: { method: string; path: string; status: number }[];
  /** An ACTIONS_RUNTIME_TOKEN for a job of run `runId` (a JWT whose scope names the backend run and job). */
  runtimeToken(runId: number, job: string): string;
  /** Handler for the GitHub REST emulator: the public artifact endpoints. */
  restRoutes: (method: string, url: URL, send: (status: number, data?: unknown, headers?: Record<string, string>) => void) => boolean;
  close(): Promise<void>;
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');

export async function startActionsServices(): Promise<ActionsServices> {
  const artifacts: StoredArtifact[] = [];
  const caches: CacheEntry[] = [];
  const blobs = new Map<string, Buffer>();
  const blocks = new Map<string, Map<string, Buffer>>();
  const requests: ActionsServices['requests'] = [];
  const runs = new Map<string, number>();
  let nextId = 9000;
  let clock = Date.UTC(2025, 0, 15, 12, 0, 0);
  let base = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const method = req.method ?? 'GET';
      const body = Buffer.concat(chunks);
      const rec = { method, path: url.pathname, status: 0 };
      requests.push(rec);
      const reply = (status: number, data?: unknown, headers: Record<string, string> = {}) => {
        rec.status = status;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(data === undefined ? '' : JSON.stringify(data));
      };
      // Twirp: POST /twirp/github.actions.results.api.v1.ArtifactService/<Method>
      const twirp = url.pathname.match(/^\/twirp\/github\.actions\.results\.api\.v1\.ArtifactService\/(\w+)$/);
      if (twirp && method === 'POST') {
        const auth = req.headers.authorization ?? '';
        const scope = decodeScope(auth.replace(/^Bearer\s+/i, ''));
        if (!scope) return reply(401, { code: 'unauthenticated', msg: 'bad runtime token' });
        const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        if (input['workflow_run_backend_id'] !== undefined && input['workflow_run_backend_id'] !== scope.run)
          return reply(403, { code: 'permission_denied', msg: 'run mismatch' });
        switch (twirp[1]) {
          case 'CreateArtifact': {
            const name = String(input['name']);
            if (artifacts.some((a) => a.runBackendId === scope.run && a.name === name))
              return reply(409, { code: 'already_exists', msg: `an artifact with this name already exists on the workflow run` });
            const blobPath = `/devstoreaccount1/actions-results/${scope.run}/${encodeURIComponent(name)}.zip`;
            artifacts.push({
              id: nextId++,
              runBackendId: scope.run,
              jobBackendId: scope.job,
              runId: runs.get(scope.run) ?? 0,
              name,
              blobPath,
              finalized: false,
              size: 0,
              createdAt: new Date((clock += 1000)).toISOString(),
            });
            return reply(200, { ok: true, signed_upload_url: `${base}${blobPath}?sig=upload-${scope.run}&sv=2024-01-01` });
          }
          case 'FinalizeArtifact': {
            const a = artifacts.find((x) => x.runBackendId === scope.run && x.name === input['name'] && !x.finalized);
            if (!a || !blobs.has(a.blobPath)) return reply(404, { code: 'not_found', msg: 'no uploaded artifact' });
            a.finalized = true;
            a.size = blobs.get(a.blobPath)!.length;
            return reply(200, { ok: true, artifact_id: String(a.id) });
          }
          case 'ListArtifacts': {
            let list = artifacts.filter((a) => a.runBackendId === scope.run && a.finalized);
            if (input['name_filter'] !== undefined) list = list.filter((a) => a.name === input['name_filter']);
            if (input['id_filter'] !== undefined) list = list.filter((a) => String(a.id) === String(input['id_filter']));
            return reply(200, {
              artifacts: list.map((a) => ({
                workflow_run_backend_id: a.runBackendId,
                workflow_job_run_backend_id: a.jobBackendId,
                database_id: String(a.id),
                name: a.name,
                size: String(a.size),
                created_at: a.createdAt,
              })),
            });
          }
          case 'GetSignedArtifactURL': {
            const a = artifacts.find((x) => x.runBackendId === scope.run && x.name === input['name'] && x.finalized);
            if (!a) return reply(404, { code: 'not_found', msg: 'artifact not found' });
            return reply(200, { signed_url: `${base}${a.blobPath}?sig=download-${a.id}` });
          }
          case 'DeleteArtifact': {
            const i = artifacts.findIndex((x) => x.runBackendId === scope.run && x.name === input['name']);
            if (i < 0) return reply(404, { code: 'not_found', msg: 'artifact not found' });
            const [a] = artifacts.splice(i, 1);
            blobs.delete(a!.blobPath);
            return reply(200, { ok: true, artifact_id: String(a!.id) });
          }
          default:
            return reply(404, { code: 'bad_route', msg: `no method ${twirp[1]}` });
        }
      }
      const cacheRpc = url.pathname.match(/^\/twirp\/github\.actions\.results\.api\.v1\.CacheService\/(\w+)$/);
      if (cacheRpc && method === 'POST') {
        if (!decodeScope((req.headers.authorization ?? '').replace(/^Bearer\s+/i, '')))
          return reply(401, { code: 'unauthenticated', msg: 'bad runtime token' });
        const input = JSON.parse(body.toString('utf8') || '{}') as {
          key?: string;
          version?: string;
          restore_keys?: string[];
          size_bytes?: string;
        };
        switch (cacheRpc[1]) {
          case 'CreateCacheEntry': {
            if (caches.some((c) => c.key === input.key && c.version === input.version))
              return reply(409, { code: 'already_exists', msg: 'cache entry already exists' });
            const blobPath = `/devstoreaccount1/actions-cache/${encodeURIComponent(input.key ?? '')}-${nextId++}`;
            caches.push({
              key: input.key ?? '',
              version: input.version ?? '',
              blobPath,
              finalized: false,
              size: 0,
              createdAt: (clock += 1000),
            });
            return reply(200, { ok: true, signed_upload_url: `${base}${blobPath}?sig=cache-upload` });
          }
          case 'FinalizeCacheEntryUpload': {
            const c = caches.find((x) => x.key === input.key && x.version === input.version && !x.finalized);
            if (!c || !blobs.has(c.blobPath)) return reply(404, { code: 'not_found', msg: 'no upload' });
            c.finalized = true;
            c.size = blobs.get(c.blobPath)!.length;
            return reply(200, { ok: true, entry_id: String(nextId++) });
          }
          case 'GetCacheEntryDownloadURL': {
            const ready = caches.filter((c) => c.finalized && c.version === input.version).sort((a, b) => b.createdAt - a.createdAt);
            const hit =
              ready.find((c) => c.key === input.key) ??
              (input.restore_keys ?? []).map((k) => ready.find((c) => c.key.startsWith(k))).find(Boolean);
            if (!hit) return reply(200, { ok: false });
            return reply(200, { ok: true, signed_download_url: `${base}${hit.blobPath}?sig=cache-download`, matched_key: hit.key });
          }
          default:
            return reply(404, { code: 'bad_route', msg: `no method ${cacheRpc[1]}` });
        }
      }
      // Blob storage (path-style, like Azurite): /<account>/<container>/<blob>?sig=...
      if (url.pathname.startsWith('/devstoreaccount1/')) {
        if (!url.searchParams.get('sig')) return reply(403, { message: 'no signature' });
        const blob = url.pathname;
        const comp = url.searchParams.get('comp');
        if (method === 'PUT' && comp === 'block') {
          const id = url.searchParams.get('blockid') ?? '';
          if (!blocks.has(blob)) blocks.set(blob, new Map());
          blocks.get(blob)!.set(id, body);
          rec.status = 201;
          res.writeHead(201, { 'x-ms-request-id': String(nextId), 'x-ms-version': '2024-01-01', 'x-ms-request-server-encrypted': 'true' });
          return res.end();
        }
        if (method === 'PUT' && comp === 'blocklist') {
          const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]!);
          const staged = blocks.get(blob) ?? new Map<string, Buffer>();
          if (ids.some((id) => !staged.has(id))) return reply(400, { message: 'InvalidBlockList' });
          blobs.set(blob, Buffer.concat(ids.map((id) => staged.get(id)!)));
          blocks.delete(blob);
          rec.status = 201;
          res.writeHead(201, {
            etag: `"0x${(nextId++).toString(16)}"`,
            'last-modified': new Date(clock).toUTCString(),
            'x-ms-version': '2024-01-01',
            'x-ms-request-server-encrypted': 'true',
          });
          return res.end();
        }
        if (method === 'PUT' && !comp) {
          blobs.set(blob, body);
          rec.status = 201;
          res.writeHead(201, { etag: `"0x${(nextId++).toString(16)}"`, 'last-modified': new Date(clock).toUTCString() });
          return res.end();
        }
        if (method === 'GET') {
          const data = blobs.get(blob);
          if (!data) return reply(404, { message: 'BlobNotFound' });
          rec.status = 200;
          res.writeHead(200, {
            'content-type': blob.includes('/actions-cache/') ? 'application/octet-stream' : 'application/zip',
            'content-length': String(data.length),
          });
          return res.end(data);
        }
      }
      return reply(404, { message: `not emulated: ${method} ${url.pathname}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const restRoutes: ActionsServices['restRoutes'] = (method, url, send) => {
    let m = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/artifacts$/);
    if (m && method === 'GET') {
      let list = artifacts.filter((a) => a.runId === Number(m![1]) && a.finalized);
      const name = url.searchParams.get('name');
      if (name) list = list.filter((a) => a.name === name);
      send(200, {
        total_count: list.length,
        artifacts: list.map((a) => ({
          id: a.id,
          node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
          name: a.name,
          size_in_bytes: a.size,
          expired: false,
          created_at: a.createdAt,
          updated_at: a.createdAt,
          workflow_run: { id: a.runId },
        })),
      });
      return true;
    }
    m = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/actions\/artifacts\/(\d+)\/zip$/);
    if (m && method === 'GET') {
      const a = artifacts.find((x) => x.id === Number(m![1]) && x.finalized);
      if (!a) send(404, { message: 'Not Found' });
      else send(302, undefined, { location: `${base}${a.blobPath}?sig=public-${a.id}` });
      return true;
    }
    return false;
  };

  return {
    url: base,
    artifacts,
    caches,
    blobs,
    requests,
    runtimeToken(runId, job) {
      const run = `00000000-0000-4000-8000-${String(runId).padStart(12, '0')}`;
      runs.set(run, runId);
      const payload = {
        scp: `Actions.GenericRead:1 Actions.Results:${run}:${b64url(job).slice(0, 12)}`,
        exp: Math.floor(Date.now() / 1000) + 3600,
      };
      return `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256' }))}.${b64url(JSON.stringify(payload))}.c2ln`;
    },
    restRoutes,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function decodeScope(jwt: string): { run: string; job: string } | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { scp?: string };
    const s = payload.scp
      ?.split(' ')
      .find((x) => x.startsWith('Actions.Results:'))
      ?.split(':');
    return s && s.length === 3 ? { run: s[1]!, job: s[2]! } : undefined;
  } catch {
    return undefined;
  }
}
