import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blobBase, readRunContext } from '../../../src/adapters/github-context.js';
import { pullRequestEvent } from './emulator.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function eventFile(event: unknown): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-ctx-'));
  dirs.push(d);
  writeFileSync(path.join(d, 'event.json'), JSON.stringify(event));
  return path.join(d, 'event.json');
}
const base = {
  GITHUB_REPOSITORY: 'acme/kubernaut',
  GITHUB_RUN_ID: '99',
  GITHUB_WORKFLOW: 'e2e',
  GITHUB_JOB: 'report',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
};

describe('run context from the runner environment and event', () => {
  it('pull_request: number, head SHA (not the merge commit), same-repo, blob links at the head', () => {
    const ctx = readRunContext({
      ...base,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_SHA: 'm'.repeat(40),
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_EVENT_PATH: eventFile(pullRequestEvent({ number: 7, owner: 'acme', repo: 'kubernaut', headSha: 'h'.repeat(40) })),
    });
    expect(ctx).toMatchObject({
      prNumber: 7,
      headSha: 'h'.repeat(40),
      fromFork: false,
      owner: 'acme',
      repo: 'kubernaut',
      onDefaultBranch: false,
      runUrl: 'https://github.com/acme/kubernaut/actions/runs/99',
    });
    expect(blobBase(ctx)).toBe(`https://github.com/acme/kubernaut/blob/${'h'.repeat(40)}`);
  });

  it('a fork PR is recognised', () => {
    const ctx = readRunContext({
      ...base,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile(
        pullRequestEvent({ number: 8, owner: 'acme', repo: 'kubernaut', headSha: 'f'.repeat(40), headRepo: 'forker/kubernaut' }),
      ),
    });
    expect(ctx.fromFork).toBe(true);
  });

  it('push to the default branch is where baselines are saved; other branches and PRs are not', () => {
    const push = eventFile({ ref: 'refs/heads/main', repository: { full_name: 'acme/kubernaut', default_branch: 'main' } });
    expect(
      readRunContext({ ...base, GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_PATH: push }).onDefaultBranch,
    ).toBe(true);
    expect(
      readRunContext({ ...base, GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/dev', GITHUB_EVENT_PATH: push }).onDefaultBranch,
    ).toBe(false);
    expect(
      readRunContext({ ...base, GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_PATH: push })
        .onDefaultBranch,
    ).toBe(false);
  });

  it('workflow_run: the triggering run, its head, and its PR when the event names it', () => {
    const wr = (prs: unknown[]) =>
      eventFile({
        action: 'completed',
        workflow_run: {
          id: 555,
          event: 'pull_request',
          head_sha: 'a'.repeat(40),
          head_branch: 'feature',
          head_repository: { full_name: 'forker/kubernaut' },
          pull_requests: prs,
        },
        repository: { full_name: 'acme/kubernaut', default_branch: 'main' },
      });
    const fork = readRunContext({ ...base, GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: wr([]) });
    expect(fork).toMatchObject({
      workflowRun: { id: 555, headSha: 'a'.repeat(40), headBranch: 'feature', headRepository: 'forker/kubernaut' },
      fromFork: true,
      headSha: 'a'.repeat(40),
    });
    expect(fork.prNumber).toBeUndefined();
    const same = readRunContext({
      ...base,
      GITHUB_EVENT_NAME: 'workflow_run',
      GITHUB_EVENT_PATH: wr([{ number: 12, head: { sha: 'a'.repeat(40) } }]),
    });
    expect(same.prNumber).toBe(12);
    // A PR entry for another head is not this run's.
    expect(readRunContext({ ...base, GITHUB_EVENT_PATH: wr([{ number: 13, head: { sha: 'b'.repeat(40) } }]) }).prNumber).toBeUndefined();
  });

  it('no event file, or a broken one: defaults, no PR', () => {
    expect(readRunContext({})).toMatchObject({
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      workflow: 'workflow',
      job: 'job',
      fromFork: false,
      onDefaultBranch: false,
    });
    const broken = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-ctx-'));
    dirs.push(broken);
    writeFileSync(path.join(broken, 'e.json'), '{not json');
    expect(readRunContext({ GITHUB_EVENT_PATH: path.join(broken, 'e.json') }).prNumber).toBeUndefined();
  });
});
