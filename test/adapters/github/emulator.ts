// A small GitHub REST emulator over real HTTP on 127.0.0.1, for the comment and pull request endpoints the action
// uses. Pagination with Link headers, token identities (GITHUB_TOKEN-like installation tokens cannot call GET /user;
// read-only tokens get 403 on writes, as a fork PR's token does), fault injection (5xx, 429, secondary rate limits).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Identity {
  login: string;
  type: 'User' | 'Bot';
  /** Installation token: GET /user answers 403. */
  installation?: boolean;
  /** Writes answer 403 "Resource not accessible by integration" (a fork PR's GITHUB_TOKEN). */
  readOnly?: boolean;
}

export interface StoredComment {
  id: number;
  node_id: string;
  body: string;
  user: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
  html_url: string;
  issue_url: string;
  owner: string;
  repo: string;
  issue: number;
}

export interface Fault {
  method?: string;
  /** Matched against the path (without query). */
  path?: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Process the request anyway before failing it (a 502 after the write happened). */
  afterProcessing?: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  at: number;
  authorization?: string;
  body?: unknown;
}

export interface PullRequest {
  number: number;
  state: 'open' | 'closed';
  head: { sha: string; ref: string; repo: { full_name: string } };
  base: { ref: string; repo: { full_name: string } };
}

export interface Emulator {
  url: string;
  comments: StoredComment[];
  pulls: Map<string, PullRequest[]>;
  requests: RequestRecord[];
  tokens: Map<string, Identity>;
  faults: Fault[];
  addComment(owner: string, repo: string, issue: number, body: string, user: { login: string; type: 'User' | 'Bot' }): StoredComment;
  issueComments(owner: string, repo: string, issue: number): StoredComment[];
  close(): Promise<void>;
}

const DEFAULT_PER_PAGE = 30;

/** Extra REST routes (e.g. the public artifact endpoints); return true when handled. */
export type Route = (method: string, url: URL, send: (status: number, data?: unknown, headers?: Record<string, string>) => void) => boolean;

export async function startEmulator(opts: { tokens?: Record<string, Identity>; routes?: Route[] } = {}): Promise<Emulator> {
  const comments: StoredComment[] = [];
  const pulls = new Map<string, PullRequest[]>();
  const requests: RequestRecord[] = [];
  const tokens = new Map(Object.entries(opts.tokens ?? {}));
  const faults: Fault[] = [];
  let nextId = 1000;
  let clock = Date.UTC(2025, 0, 15, 12, 0, 0);
  const stamp = () => new Date((clock += 1000)).toISOString();
  let base = '';

  const add = (owner: string, repo: string, issue: number, body: string, user: { login: string; type: 'User' | 'Bot' }): StoredComment => {
    const id = nextId++;
    const c: StoredComment = {
      id,
      node_id: `IC_${id}`,
      body,
      user: { login: user.login, id: user.login.length * 1000 + 7, type: user.type },
      created_at: stamp(),
      updated_at: '',
      html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      issue_url: `${base}/repos/${owner}/${repo}/issues/${issue}`,
      owner,
      repo,
      issue,
    };
    c.updated_at = c.created_at;
    comments.push(c);
    return c;
  };
  const view = (c: StoredComment) => {
    const { owner: _o, repo: _r, issue: _i, ...rest } = c;
    return rest;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const method = req.method ?? 'GET';
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        body = undefined;
      }
      const rec: RequestRecord = {
        method,
        path: url.pathname,
        query: url.search,
        status: 0,
        at: Date.now(),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(body !== undefined ? { body } : {}),
      };
      requests.push(rec);
      const send = (status: number, data?: unknown, headers: Record<string, string> = {}) => {
        rec.status = status;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3', ...headers });
        res.end(data === undefined ? '' : JSON.stringify(data));
      };
      const fault = faults.find((f) => (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname)) && (f.times ?? 1) > 0);
      const fail = (f: Fault) => {
        f.times = (f.times ?? 1) - 1;
        send(f.status, f.body ?? { message: f.status >= 500 ? 'Server Error' : 'Error' }, f.headers);
      };
      if (fault && !fault.afterProcessing) return fail(fault);
      const respond = fault ? () => fail(fault) : send;

      const auth = req.headers.authorization ?? '';
      const token = auth.replace(/^(token|bearer)\s+/i, '');
      const who = tokens.get(token);
      if (!who) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const forbidden = () =>
        send(403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
          status: '403',
        });

      let m: RegExpMatchArray | null;
      if (method === 'GET' && url.pathname === '/user') {
        if (who.installation) return send(403, { message: 'Resource not accessible by integration', status: '403' });
        return respond(200, { login: who.login, id: 1, type: who.type });
      }
      if ((m = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/))) {
        const [, owner, repo, n] = m as unknown as [string, string, string, string];
        if (method === 'GET') {
          const list = comments.filter((c) => c.owner === owner && c.repo === repo && c.issue === Number(n));
          const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? DEFAULT_PER_PAGE) || DEFAULT_PER_PAGE);
          const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
          const last = Math.max(1, Math.ceil(list.length / perPage));
          const link = (p: number, rel: string) => {
            const u = new URL(url.pathname, base);
            u.searchParams.set('per_page', String(perPage));
            u.searchParams.set('page', String(p));
            return `<${u.toString()}>; rel="${rel}"`;
          };
          const links = [];
          if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
          if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
          return respond(200, list.slice((page - 1) * perPage, page * perPage).map(view), links.length ? { link: links.join(', ') } : {});
        }
        if (method === 'POST') {
          if (who.readOnly) return forbidden();
          const text = (body as { body?: unknown } | undefined)?.body;
          if (typeof text !== 'string') return send(422, { message: 'Invalid request.\n\n"body" wasn\'t supplied.' });
          if (text.length > 65_536)
            return send(422, {
              message: 'Validation Failed',
              errors: [
                { resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' },
              ],
            });
          return respond(201, view(add(owner, repo, Number(n), text, who)));
        }
      }
      if ((m = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/))) {
        const c = comments.find((x) => x.id === Number(m![3]) && x.owner === m![1] && x.repo === m![2]);
        if (!c) return send(404, { message: 'Not Found' });
        if (method === 'GET') return respond(200, view(c));
        if (who.readOnly) return forbidden();
        // Like GitHub: only the author (or an admin, not modelled) may edit or delete a comment.
        if (c.user.login !== who.login) return send(403, { message: 'You do not have permission to modify this comment' });
        if (method === 'PATCH') {
          const text = (body as { body?: unknown } | undefined)?.body;
          if (typeof text !== 'string') return send(422, { message: 'body is required' });
          if (text.length > 65_536)
            return send(422, {
              message: 'Validation Failed',
              errors: [{ field: 'body', message: 'body is too long (maximum is 65536 characters)' }],
            });
          c.body = text;
          c.updated_at = stamp();
          return respond(200, view(c));
        }
        if (method === 'DELETE') {
          comments.splice(comments.indexOf(c), 1);
          rec.status = 204;
          if (fault) return fail(fault);
          res.writeHead(204);
          return res.end();
        }
      }
      if ((m = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls$/)) && method === 'GET') {
        let list = pulls.get(`${m[1]}/${m[2]}`) ?? [];
        const state = url.searchParams.get('state') ?? 'open';
        if (state !== 'all') list = list.filter((p) => p.state === state);
        const head = url.searchParams.get('head');
        if (head) list = list.filter((p) => `${p.head.repo.full_name.split('/')[0]}:${p.head.ref}` === head);
        return respond(200, list);
      }
      for (const route of opts.routes ?? []) if (route(method, url, send)) return;
      return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    comments,
    pulls,
    requests,
    tokens,
    faults,
    addComment: add,
    issueComments: (owner, repo, issue) => comments.filter((c) => c.owner === owner && c.repo === repo && c.issue === issue),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A real-shaped `pull_request` (opened/synchronize) event payload, trimmed to what matters plus enough context. */
export function pullRequestEvent(o: {
  number: number;
  owner: string;
  repo: string;
  headSha: string;
  headRepo?: string;
  headRef?: string;
  action?: string;
}) {
  const full = `${o.owner}/${o.repo}`;
  const headRepo = o.headRepo ?? full;
  const repoObj = (name: string) => ({
    id: 1,
    node_id: 'R_1',
    name: name.split('/')[1],
    full_name: name,
    private: false,
    owner: { login: name.split('/')[0], type: 'Organization' },
    html_url: `https://github.com/${name}`,
    fork: name !== full,
    default_branch: 'main',
  });
  return {
    action: o.action ?? 'synchronize',
    number: o.number,
    pull_request: {
      url: `https://api.github.com/repos/${full}/pulls/${o.number}`,
      id: 123456789,
      node_id: 'PR_kwDO',
      html_url: `https://github.com/${full}/pull/${o.number}`,
      number: o.number,
      state: 'open',
      locked: false,
      title: 'Speed up the e2e setup',
      user: { login: 'octocat', id: 1, type: 'User' },
      body: 'Please review.',
      draft: false,
      head: {
        label: `${headRepo.split('/')[0]}:${o.headRef ?? 'feature'}`,
        ref: o.headRef ?? 'feature',
        sha: o.headSha,
        user: { login: headRepo.split('/')[0] },
        repo: repoObj(headRepo),
      },
      base: { label: `${o.owner}:main`, ref: 'main', sha: 'b'.repeat(40), user: { login: o.owner }, repo: repoObj(full) },
      author_association: 'CONTRIBUTOR',
      merged: false,
      mergeable: null,
      comments: 0,
      commits: 3,
      additions: 10,
      deletions: 2,
      changed_files: 2,
    },
    repository: repoObj(full),
    organization: { login: o.owner, id: 2 },
    sender: { login: 'octocat', id: 1, type: 'User' },
  };
}
