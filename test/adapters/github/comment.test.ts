import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, parseRetryAfter, retryDecision } from '../../../src/adapters/github-client.js';
import { GITHUB_ACTIONS_BOT, findPullRequestForRun, upsertComment, type UpsertOptions } from '../../../src/adapters/github-comment.js';
import type { ClientOptions } from '../../../src/adapters/github-client.js';

/** A retrying client for the token, then upsertComment: what the action does. */
const postStickyComment = (o: UpsertOptions & { token: string; client?: ClientOptions }) =>
  upsertComment(createGitHubClient(o.token, { ...o.client, ...(o.log ? { log: o.client?.log ?? o.log } : {}) }), o.token, o);
import { startEmulator, type Emulator } from './emulator.js';

const BOT_TOKEN = 'ghs_botTokenValue0123456789';
const RO_TOKEN = 'ghs_forkReadOnlyToken000000';
const PAT = 'ghp_personalAccessToken00000';
const marker = '<!-- hybrid-e2e:e2e:report -->';
const target = { owner: 'acme', repo: 'kubernaut', issueNumber: 7 };

let gh: Emulator;
let logs: string[];
let delays: number[];

beforeEach(async () => {
  gh = await startEmulator({
    tokens: {
      [BOT_TOKEN]: { login: GITHUB_ACTIONS_BOT, type: 'Bot', installation: true },
      [RO_TOKEN]: { login: GITHUB_ACTIONS_BOT, type: 'Bot', installation: true, readOnly: true },
      [PAT]: { login: 'ci-user', type: 'User' },
    },
  });
  logs = [];
  delays = [];
});
afterEach(async () => {
  await gh.close();
});

/** A client whose waits are recorded, not slept (fast tests); real waits are tested separately. */
const client = (token = BOT_TOKEN, o: { realSleep?: boolean; retries?: number } = {}) =>
  createGitHubClient(token, {
    baseUrl: gh.url,
    baseDelayMs: 10,
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    log: (l) => logs.push(l),
    ...(o.realSleep ? {} : { sleep: async (ms: number) => void delays.push(ms) }),
  });

const upsert = (body: string, token = BOT_TOKEN, c = client(token)) =>
  upsertComment(c, token, { ...target, marker, body: `${marker}\n${body}`, log: (l) => logs.push(l) });

describe('sticky comment upsert against the REST emulator', () => {
  it('creates the comment, then updates the same one: exactly one comment', async () => {
    const a = await upsert('run 1');
    expect(a).toMatchObject({ action: 'created', identity: GITHUB_ACTIONS_BOT });
    const b = await upsert('run 2');
    expect(b).toMatchObject({ action: 'updated' });
    expect(b.action !== 'skipped' && a.action !== 'skipped' && b.id === a.id).toBe(true);
    const list = gh.issueComments('acme', 'kubernaut', 7);
    expect(list).toHaveLength(1);
    expect(list[0]!.body).toBe(`${marker}\nrun 2`);
    // GITHUB_TOKEN is an installation token: GET /user is never called for it.
    expect(gh.requests.some((r) => r.path === '/user')).toBe(false);
    // Same body again: nothing to write.
    expect((await upsert('run 2')).action).toBe('unchanged');
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('follows Link pagination to find its comment on a later page', async () => {
    for (let i = 0; i < 230; i++)
      gh.addComment('acme', 'kubernaut', 7, `chatter ${i}`, { login: i % 2 ? 'alice' : 'renovate[bot]', type: i % 2 ? 'User' : 'Bot' });
    const ours = gh.addComment('acme', 'kubernaut', 7, `${marker}\nold`, { login: GITHUB_ACTIONS_BOT, type: 'Bot' });
    for (let i = 0; i < 10; i++) gh.addComment('acme', 'kubernaut', 7, `later ${i}`, { login: 'bob', type: 'User' });
    const r = await upsert('new');
    expect(r).toMatchObject({ action: 'updated', id: ours.id });
    const pages = gh.requests
      .filter((q) => q.method === 'GET' && q.path.endsWith('/issues/7/comments'))
      .map((q) => new URLSearchParams(q.query).get('page') ?? '1');
    expect(pages).toEqual(['1', '2', '3']);
    expect(gh.issueComments('acme', 'kubernaut', 7)).toHaveLength(241);
  });

  it('never touches a human comment that contains the marker', async () => {
    const human = gh.addComment('acme', 'kubernaut', 7, `Quoting the bot:\n${marker}\nlooks slow`, { login: 'alice', type: 'User' });
    // A lookalike bot from another app with the marker is not ours either.
    const other = gh.addComment('acme', 'kubernaut', 7, `${marker}\nimpostor`, { login: 'other-app[bot]', type: 'Bot' });
    const a = await upsert('run 1');
    expect(a.action).toBe('created');
    await upsert('run 2');
    expect(gh.comments.find((c) => c.id === human.id)!.body).toBe(`Quoting the bot:\n${marker}\nlooks slow`);
    expect(gh.comments.find((c) => c.id === other.id)!.body).toBe(`${marker}\nimpostor`);
    expect(gh.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual([
      `/repos/acme/kubernaut/issues/comments/${a.action !== 'skipped' ? a.id : 0}`,
    ]);
    expect(gh.issueComments('acme', 'kubernaut', 7)).toHaveLength(3);
  });

  it("a personal token is whoever GET /user says; the bot's comment is not its own", async () => {
    const bots = gh.addComment('acme', 'kubernaut', 7, `${marker}\nfrom the bot`, { login: GITHUB_ACTIONS_BOT, type: 'Bot' });
    const r = await upsert('from the PAT', PAT);
    expect(r).toMatchObject({ action: 'created', identity: 'ci-user' });
    expect(gh.comments.find((c) => c.id === bots.id)!.body).toBe(`${marker}\nfrom the bot`);
    expect(gh.requests.filter((q) => q.path === '/user')).toHaveLength(1);
  });

  it('removes extra copies of its own comment left by an earlier race', async () => {
    const first = gh.addComment('acme', 'kubernaut', 7, `${marker}\na`, { login: GITHUB_ACTIONS_BOT, type: 'Bot' });
    gh.addComment('acme', 'kubernaut', 7, `${marker}\nb`, { login: GITHUB_ACTIONS_BOT, type: 'Bot' });
    const r = await upsert('c');
    expect(r).toMatchObject({ action: 'updated', id: first.id, removedDuplicates: 1 });
    expect(gh.issueComments('acme', 'kubernaut', 7).map((c) => c.body)).toEqual([`${marker}\nc`]);
  });

  it("403 on write (a fork PR's read-only token) is a skip with the reason, not an error", async () => {
    const r = await upsert('x', RO_TOKEN);
    expect(r).toEqual({
      action: 'skipped',
      status: 403,
      reason: 'HTTP 403: Resource not accessible by integration',
      identity: GITHUB_ACTIONS_BOT,
    });
    expect(gh.comments).toHaveLength(0);
    // 403 without a rate-limit signal is not retried.
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });

  it('404 (no such PR, or no access) is a skip too', async () => {
    gh.faults.push({ method: 'GET', path: /\/issues\/7\/comments$/, status: 404, body: { message: 'Not Found' } });
    expect(await upsert('x')).toMatchObject({ action: 'skipped', status: 404, reason: 'HTTP 404: Not Found' });
  });

  it('retries 5xx on reads with exponential backoff', async () => {
    gh.faults.push({ method: 'GET', path: /comments$/, status: 502, times: 2 });
    expect((await upsert('x')).action).toBe('created');
    expect(delays).toEqual([10, 20]);
    expect(gh.requests.filter((q) => q.method === 'GET').map((q) => q.status)).toEqual([502, 502, 200]);
    expect(logs[0]).toMatch(
      /^GitHub API GET http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/kubernaut\/issues\/7\/comments: 502 server error; retrying in 0\.0s \(attempt 2 of 5\)$/,
    );
  });

  it('gives up after the retries and reports the status', async () => {
    gh.faults.push({ method: 'GET', status: 503, times: 100 });
    expect(await upsert('x', BOT_TOKEN, client(BOT_TOKEN, { retries: 2 }))).toMatchObject({ action: 'skipped', status: 503 });
    expect(gh.requests).toHaveLength(3);
  });

  it('honours Retry-After on 429 (a real wait)', async () => {
    gh.faults.push({ method: 'GET', status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too Many Requests' } });
    const t0 = Date.now();
    expect((await upsert('x', BOT_TOKEN, client(BOT_TOKEN, { realSleep: true }))).action).toBe('created');
    const gets = gh.requests.filter((q) => q.method === 'GET');
    expect(gets.map((q) => q.status)).toEqual([429, 200]);
    expect(gets[1]!.at - gets[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('retries a secondary rate limit (403) on a POST after the time GitHub asks', async () => {
    gh.faults.push({
      method: 'POST',
      status: 403,
      headers: { 'retry-after': '7' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    });
    expect((await upsert('x')).action).toBe('created');
    expect(delays).toEqual([7000]);
    expect(gh.comments).toHaveLength(1);
  });

  it('a POST that failed with 502 after being processed is not posted twice', async () => {
    gh.faults.push({ method: 'POST', status: 502, afterProcessing: true });
    const r = await upsert('x');
    expect(r.action).toBe('updated');
    expect(gh.issueComments('acme', 'kubernaut', 7)).toHaveLength(1);
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });

  it('sends the token only in the Authorization header and never logs it', async () => {
    gh.faults.push({ method: 'GET', status: 500 }, { method: 'POST', status: 429, headers: { 'retry-after': '0' } });
    const r = await postStickyComment({
      ...target,
      marker,
      body: 'hello',
      token: BOT_TOKEN,
      client: { baseUrl: gh.url, sleep: async () => {} },
      log: (l) => logs.push(l),
    });
    expect(r.action).toBe('created');
    expect(gh.comments[0]!.body).toBe(`${marker}\nhello`);
    expect(gh.requests.every((q) => q.authorization === `token ${BOT_TOKEN}`)).toBe(true);
    expect(gh.requests.every((q) => !q.query.includes(BOT_TOKEN))).toBe(true);
    expect(logs.length).toBeGreaterThanOrEqual(2);
    expect(logs.join('\n')).not.toContain(BOT_TOKEN);
    const bad = await postStickyComment({
      ...target,
      marker,
      body: 'x',
      token: 'ghp_unknownTokenValue',
      client: { baseUrl: gh.url },
      log: (l) => logs.push(l),
    });
    expect(bad).toMatchObject({ action: 'skipped', status: 401 });
    expect(JSON.stringify(bad)).not.toContain('ghp_unknownTokenValue');
  });

  it("finds the open PR of a fork's workflow_run by head SHA and repository", async () => {
    gh.pulls.set('acme/kubernaut', [
      {
        number: 3,
        state: 'open',
        head: { sha: 'a'.repeat(40), ref: 'feature', repo: { full_name: 'acme/kubernaut' } },
        base: { ref: 'main', repo: { full_name: 'acme/kubernaut' } },
      },
      {
        number: 9,
        state: 'open',
        head: { sha: 'c'.repeat(40), ref: 'feature', repo: { full_name: 'forker/kubernaut' } },
        base: { ref: 'main', repo: { full_name: 'acme/kubernaut' } },
      },
    ]);
    const c = client();
    expect(
      await findPullRequestForRun(c, {
        owner: 'acme',
        repo: 'kubernaut',
        headSha: 'c'.repeat(40),
        headRepository: 'forker/kubernaut',
        headBranch: 'feature',
      }),
    ).toBe(9);
    expect(
      await findPullRequestForRun(c, {
        owner: 'acme',
        repo: 'kubernaut',
        headSha: 'd'.repeat(40),
        headRepository: 'forker/kubernaut',
        headBranch: 'feature',
      }),
    ).toBeUndefined();
    expect(gh.requests.at(-1)!.query).toContain('head=forker%3Afeature');
  });
});

describe('retry decisions', () => {
  const o = { baseDelayMs: 1000, maxWaitMs: 90_000, now: Date.UTC(2025, 0, 1) };
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3', o.now)).toBe(3000);
    expect(parseRetryAfter(new Date(o.now + 5000).toUTCString(), o.now)).toBe(5000);
    expect(parseRetryAfter('soon', o.now)).toBeUndefined();
  });
  it('waits for a primary rate limit reset, but not for longer than maxWaitMs', () => {
    const reset = String(Math.floor(o.now / 1000) + 30);
    expect(
      retryDecision({ status: 403, response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } } }, 'GET', 0, o),
    ).toEqual({ retry: true, delayMs: 31_000, reason: '403 rate limit' });
    const far = String(Math.floor(o.now / 1000) + 3600);
    expect(
      retryDecision({ status: 403, response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': far } } }, 'GET', 0, o),
    ).toMatchObject({ retry: false });
  });
  it('secondary rate limit without Retry-After waits a minute', () => {
    expect(retryDecision({ status: 403, message: 'You have exceeded a secondary rate limit' }, 'POST', 0, o)).toEqual({
      retry: true,
      delayMs: 60_000,
      reason: '403 secondary rate limit',
    });
  });
  it('does not repeat a POST after a server error (the caller re-checks), nor retry 4xx', () => {
    expect(retryDecision({ status: 502 }, 'POST', 0, o)).toEqual({ retry: false });
    expect(retryDecision({ status: 502 }, 'PATCH', 2, o)).toEqual({ retry: true, delayMs: 4000, reason: '502 server error' });
    expect(retryDecision({ status: 422 }, 'GET', 0, o)).toEqual({ retry: false });
    expect(retryDecision({ status: 403, message: 'Resource not accessible by integration' }, 'POST', 0, o)).toEqual({ retry: false });
  });
});
