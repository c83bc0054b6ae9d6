/**
 * The sticky PR comment: find ours by its hidden marker, update it, or create it.
 *
 * Only comments written by the token's own identity are candidates: a comment by anyone else that contains the
 * marker text (quoted, copied, or malicious) is never edited. The identity of an installation token (GITHUB_TOKEN
 * is one) cannot be asked (`GET /user` answers 403), so it is `github-actions[bot]` unless told otherwise.
 *
 * Failures never throw: a 403/404 on write (a fork's read-only token, missing `pull-requests: write`) comes back as
 * `skipped` with the reason, for the caller to warn about.
 */
import { describeApiError, statusOf, type GitHubClient } from './github-client.js';

export const GITHUB_ACTIONS_BOT = 'github-actions[bot]';

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface UpsertOptions extends CommentTarget {
  marker: string;
  body: string;
  /** Login of the token's identity; resolved when absent (see resolveIdentity). */
  identity?: string;
  log?: (line: string) => void;
}

export type UpsertResult =
  | { action: 'created' | 'updated' | 'unchanged'; id: number; url?: string; identity: string; removedDuplicates: number }
  | { action: 'skipped'; status: number; reason: string; identity?: string };

interface ApiComment {
  id: number;
  body?: string | null;
  html_url?: string;
  user?: { login?: string; type?: string } | null;
}

/**
 * Who the token is. Installation tokens (`ghs_`, which GITHUB_TOKEN is) cannot call `GET /user`: they are
 * `github-actions[bot]`. Personal tokens are whoever `GET /user` says; if that fails, the bot again.
 */
export async function resolveIdentity(client: GitHubClient, token: string, override?: string): Promise<string> {
  if (override) return override;
  if (token.startsWith('ghs_')) return GITHUB_ACTIONS_BOT;
  try {
    const { data } = await client.rest.users.getAuthenticated();
    return data.login;
  } catch {
    return GITHUB_ACTIONS_BOT;
  }
}

/** A comment is ours when it carries the marker and was written by `identity` (a bot login must be a Bot account). */
export function isOurs(c: ApiComment, marker: string, identity: string): boolean {
  if (!c.body?.includes(marker)) return false;
  const login = c.user?.login;
  if (!login || login.toLowerCase() !== identity.toLowerCase()) return false;
  return !identity.endsWith('[bot]') || c.user?.type === undefined || c.user.type === 'Bot';
}

async function findOurs(client: GitHubClient, o: UpsertOptions & { identity: string }): Promise<ApiComment[]> {
  const all = (await client.paginate(client.rest.issues.listComments, {
    owner: o.owner,
    repo: o.repo,
    issue_number: o.issueNumber,
    per_page: 100,
  })) as ApiComment[];
  return all.filter((c) => isOurs(c, o.marker, o.identity));
}

/** Find-by-marker, then update or create. Never throws for API errors: see UpsertResult. */
export async function upsertComment(client: GitHubClient, token: string, opts: UpsertOptions): Promise<UpsertResult> {
  const log = opts.log ?? (() => {});
  let identity: string | undefined;
  try {
    identity = await resolveIdentity(client, token, opts.identity);
    const o = { ...opts, identity };
    const body = opts.body.includes(opts.marker) ? opts.body : `${opts.marker}\n${opts.body}`;
    const ours = await findOurs(client, o);
    if (ours.length > 0) {
      const [keep, ...dupes] = ours;
      let removed = 0;
      for (const d of dupes) {
        // Left over from an earlier race: one sticky comment is the point.
        try {
          await client.rest.issues.deleteComment({ owner: o.owner, repo: o.repo, comment_id: d.id });
          removed++;
        } catch (e) {
          log(`could not remove duplicate comment ${d.id}: ${describeApiError(e)}`);
        }
      }
      if (keep!.body === body)
        return {
          action: 'unchanged',
          id: keep!.id,
          ...(keep!.html_url ? { url: keep!.html_url } : {}),
          identity,
          removedDuplicates: removed,
        };
      const { data } = await client.rest.issues.updateComment({ owner: o.owner, repo: o.repo, comment_id: keep!.id, body });
      return { action: 'updated', id: data.id, url: data.html_url, identity, removedDuplicates: removed };
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const { data } = await client.rest.issues.createComment({ owner: o.owner, repo: o.repo, issue_number: o.issueNumber, body });
        return { action: 'created', id: data.id, url: data.html_url, identity, removedDuplicates: 0 };
      } catch (e) {
        // A POST that failed with a server error may still have been processed: look before posting again.
        if (statusOf(e) < 500 || attempt >= 2) throw e;
        log(`creating the comment failed (${describeApiError(e)}); checking whether it exists before retrying`);
        const again = await findOurs(client, o);
        if (again.length) {
          const { data } = await client.rest.issues.updateComment({ owner: o.owner, repo: o.repo, comment_id: again[0]!.id, body });
          return { action: 'updated', id: data.id, url: data.html_url, identity, removedDuplicates: 0 };
        }
      }
    }
  } catch (e) {
    return { action: 'skipped', status: statusOf(e), reason: describeApiError(e), ...(identity ? { identity } : {}) };
  }
}

/**
 * The open PR a `workflow_run` belongs to when the event does not say (fork PRs: `pull_requests` is empty there):
 * the open PR whose head is the run's head SHA from the run's head repository.
 */
export async function findPullRequestForRun(
  client: GitHubClient,
  o: { owner: string; repo: string; headSha: string; headRepository?: string; headBranch?: string },
): Promise<number | undefined> {
  const headOwner = o.headRepository?.split('/')[0];
  const params = {
    owner: o.owner,
    repo: o.repo,
    state: 'open' as const,
    per_page: 100,
    ...(headOwner && o.headBranch ? { head: `${headOwner}:${o.headBranch}` } : {}),
  };
  const pulls = await client.paginate(client.rest.pulls.list, params);
  const match = pulls.find((p) => p.head.sha === o.headSha && (!o.headRepository || p.head.repo?.full_name === o.headRepository));
  return match?.number;
}
