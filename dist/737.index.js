export const id = 737;
export const ids = [737,993];
export const modules = {

/***/ 55993:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   c2: () => (/* binding */ statusOf),
/* harmony export */   createGitHubClient: () => (/* binding */ createGitHubClient),
/* harmony export */   gg: () => (/* binding */ describeApiError)
/* harmony export */ });
/* unused harmony exports parseRetryAfter, retryDecision */
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(61351);
/**
 * An authenticated REST client (@actions/github's octokit) that retries what GitHub asks to be retried:
 * - 429 and secondary rate limits (403 with `retry-after` or a "secondary rate limit" message): waits `retry-after`
 *   seconds (or until `x-ratelimit-reset`, or one minute), for every method: the request was rejected, not processed;
 * - a primary rate limit (403/429 with `x-ratelimit-remaining: 0`): waits until `x-ratelimit-reset`;
 * - 5xx and network errors: exponential backoff, for idempotent methods only (a POST that got a 502 may have been
 *   processed; callers that create things re-check before repeating themselves).
 * A wait longer than `maxWaitMs` is not waited: the error goes to the caller. The token is never logged.
 */

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
function header(e, name) {
    const v = e.response?.headers?.[name];
    return v === undefined ? undefined : String(v);
}
function bodyMessage(e) {
    const d = e.response?.data;
    return `${typeof d?.message === 'string' ? d.message : ''} ${e.message ?? ''}`;
}
/** `retry-after` as ms: delta-seconds or an HTTP date. */
function parseRetryAfter(v, now) {
    if (v === undefined || v.trim() === '')
        return undefined;
    if (/^\d+(\.\d+)?$/.test(v.trim()))
        return Math.ceil(Number(v) * 1000);
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
/** Pure: should a failed request be retried, and after how long. `attempt` counts from 0 (the first retry). */
function retryDecision(e, method, attempt, o) {
    const status = e.status ?? 0;
    const retryAfter = parseRetryAfter(header(e, 'retry-after'), o.now);
    const remaining = header(e, 'x-ratelimit-remaining');
    const resetS = Number(header(e, 'x-ratelimit-reset'));
    const untilReset = Number.isFinite(resetS) && resetS > 0 ? Math.max(0, resetS * 1000 - o.now) + 1000 : undefined;
    const secondary = /secondary rate limit|abuse detection/i.test(bodyMessage(e));
    const limited = status === 429 || (status === 403 && (secondary || retryAfter !== undefined || remaining === '0'));
    if (limited) {
        const delayMs = retryAfter ?? (remaining === '0' ? untilReset : undefined) ?? 60_000;
        if (delayMs > o.maxWaitMs)
            return {
                retry: false,
                reason: `rate limited for ${Math.ceil(delayMs / 1000)}s, longer than the ${Math.ceil(o.maxWaitMs / 1000)}s we wait`,
            };
        return { retry: true, delayMs, reason: `${status} ${secondary ? 'secondary rate limit' : 'rate limit'}` };
    }
    const transient = status >= 500 || status === 0;
    if (transient && IDEMPOTENT.has(method.toUpperCase())) {
        const delayMs = Math.min(o.maxWaitMs, retryAfter ?? o.baseDelayMs * 2 ** attempt);
        return { retry: true, delayMs, reason: status ? `${status} server error` : 'network error' };
    }
    return { retry: false };
}
const defaultSleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** An octokit for `token` that retries rate limits and transient errors (see the file comment). */
function createGitHubClient(token, o = {}) {
    const client = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(token, {
        ...(o.baseUrl ? { baseUrl: o.baseUrl.replace(/\/+$/, '') } : {}),
        log: { debug: () => { }, info: () => { }, warn: () => { }, error: () => { } },
    });
    const retries = o.retries ?? 4;
    const sleep = o.sleep ?? defaultSleep;
    const now = o.now ?? Date.now;
    client.hook.wrap('request', async (request, options) => {
        for (let attempt = 0;; attempt++) {
            try {
                return await request(options);
            }
            catch (err) {
                const e = err;
                const d = attempt < retries
                    ? retryDecision(e, options.method, attempt, {
                        baseDelayMs: o.baseDelayMs ?? 1000,
                        maxWaitMs: o.maxWaitMs ?? 90_000,
                        now: now(),
                    })
                    : { retry: false };
                if (!d.retry)
                    throw err;
                const route = String(options.url).replace(/\?.*$/, '');
                o.log?.(`GitHub API ${options.method} ${route}: ${d.reason}; retrying in ${(d.delayMs / 1000).toFixed(1)}s (attempt ${attempt + 2} of ${retries + 1})`);
                await sleep(d.delayMs);
            }
        }
    });
    return client;
}
/** HTTP status of an octokit error (0 for network errors). */
function statusOf(err) {
    const s = err?.status;
    return typeof s === 'number' ? s : 0;
}
/** A one-line description of an API error without headers or the token. */
function describeApiError(err) {
    const e = err;
    const d = e?.response?.data;
    const msg = typeof d?.message === 'string' ? d.message : (e?.message ?? String(err));
    return `${e?.status ? `HTTP ${e.status}: ` : ''}${msg.split('\n')[0]}`;
}


/***/ }),

/***/ 60737:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   findPullRequestForRun: () => (/* binding */ findPullRequestForRun),
/* harmony export */   upsertComment: () => (/* binding */ upsertComment)
/* harmony export */ });
/* unused harmony exports GITHUB_ACTIONS_BOT, resolveIdentity, isOurs */
/* harmony import */ var _github_client_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(55993);
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

const GITHUB_ACTIONS_BOT = 'github-actions[bot]';
/**
 * Who the token is. Installation tokens (`ghs_`, which GITHUB_TOKEN is) cannot call `GET /user`: they are
 * `github-actions[bot]`. Personal tokens are whoever `GET /user` says; if that fails, the bot again.
 */
async function resolveIdentity(client, token, override) {
    if (override)
        return override;
    if (token.startsWith('ghs_'))
        return GITHUB_ACTIONS_BOT;
    try {
        const { data } = await client.rest.users.getAuthenticated();
        return data.login;
    }
    catch {
        return GITHUB_ACTIONS_BOT;
    }
}
/** A comment is ours when it carries the marker and was written by `identity` (a bot login must be a Bot account). */
function isOurs(c, marker, identity) {
    if (!c.body?.includes(marker))
        return false;
    const login = c.user?.login;
    if (!login || login.toLowerCase() !== identity.toLowerCase())
        return false;
    return !identity.endsWith('[bot]') || c.user?.type === undefined || c.user.type === 'Bot';
}
async function findOurs(client, o) {
    const all = (await client.paginate(client.rest.issues.listComments, {
        owner: o.owner,
        repo: o.repo,
        issue_number: o.issueNumber,
        per_page: 100,
    }));
    return all.filter((c) => isOurs(c, o.marker, o.identity));
}
/** Find-by-marker, then update or create. Never throws for API errors: see UpsertResult. */
async function upsertComment(client, token, opts) {
    const log = opts.log ?? (() => { });
    let identity;
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
                }
                catch (e) {
                    log(`could not remove duplicate comment ${d.id}: ${(0,_github_client_js__WEBPACK_IMPORTED_MODULE_0__/* .describeApiError */ .gg)(e)}`);
                }
            }
            if (keep.body === body)
                return {
                    action: 'unchanged',
                    id: keep.id,
                    ...(keep.html_url ? { url: keep.html_url } : {}),
                    identity,
                    removedDuplicates: removed,
                };
            const { data } = await client.rest.issues.updateComment({ owner: o.owner, repo: o.repo, comment_id: keep.id, body });
            return { action: 'updated', id: data.id, url: data.html_url, identity, removedDuplicates: removed };
        }
        for (let attempt = 0;; attempt++) {
            try {
                const { data } = await client.rest.issues.createComment({ owner: o.owner, repo: o.repo, issue_number: o.issueNumber, body });
                return { action: 'created', id: data.id, url: data.html_url, identity, removedDuplicates: 0 };
            }
            catch (e) {
                // A POST that failed with a server error may still have been processed: look before posting again.
                if ((0,_github_client_js__WEBPACK_IMPORTED_MODULE_0__/* .statusOf */ .c2)(e) < 500 || attempt >= 2)
                    throw e;
                log(`creating the comment failed (${(0,_github_client_js__WEBPACK_IMPORTED_MODULE_0__/* .describeApiError */ .gg)(e)}); checking whether it exists before retrying`);
                const again = await findOurs(client, o);
                if (again.length) {
                    const { data } = await client.rest.issues.updateComment({ owner: o.owner, repo: o.repo, comment_id: again[0].id, body });
                    return { action: 'updated', id: data.id, url: data.html_url, identity, removedDuplicates: 0 };
                }
            }
        }
    }
    catch (e) {
        return { action: 'skipped', status: (0,_github_client_js__WEBPACK_IMPORTED_MODULE_0__/* .statusOf */ .c2)(e), reason: (0,_github_client_js__WEBPACK_IMPORTED_MODULE_0__/* .describeApiError */ .gg)(e), ...(identity ? { identity } : {}) };
    }
}
/**
 * The open PR a `workflow_run` belongs to when the event does not say (fork PRs: `pull_requests` is empty there):
 * the open PR whose head is the run's head SHA from the run's head repository.
 */
async function findPullRequestForRun(client, o) {
    const headOwner = o.headRepository?.split('/')[0];
    const params = {
        owner: o.owner,
        repo: o.repo,
        state: 'open',
        per_page: 100,
        ...(headOwner && o.headBranch ? { head: `${headOwner}:${o.headBranch}` } : {}),
    };
    const pulls = await client.paginate(client.rest.pulls.list, params);
    const match = pulls.find((p) => p.head.sha === o.headSha && (!o.headRepository || p.head.repo?.full_name === o.headRepository));
    return match?.number;
}


/***/ })

};

//# sourceMappingURL=737.index.js.map