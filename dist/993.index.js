export const id = 993;
export const ids = [993];
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


/***/ })

};

//# sourceMappingURL=993.index.js.map