// Text a pull request controls (build output, error lines, task notes, findings, a forged results artifact in the
// fork-comment flow) reaches the summary and the sticky comment, but can neither mention (@user, @org/team) nor
// cross-reference (#12, owner/repo#3, GH-7) anyone: neutralised as GitHub renders it harmless.
import { describe, expect, it } from 'vitest';
import { renderComment, renderMatrixSummary } from '../../src/render/comment.js';
import { mdEscape, renderSummary } from '../../src/render/summary.js';
import { makeFindings, makeResults } from './fixtures.js';

const EVIL = 'ping @some-org/some-team and @user, see #12, owner/repo#3 and GH-7';
const budgets = { setup: 6 * 60_000, build: 3 * 60_000 };
const runUrl = 'https://github.com/hybrid-e2e/hybrid-e2e-action/actions/runs/42';

function crafted() {
  const r = makeResults({ services: ['gateway'], fail: 'deploy:gateway' });
  r.errors = [`deploy:gateway: ${EVIL}`];
  for (const t of r.tasks) {
    if (t.id === 'deploy:gateway') {
      t.error = EVIL;
      t.logTail = ['step 3/4', EVIL, '```', `@ghost #99`];
    } else t.note = EVIL;
  }
  const f = makeFindings(1);
  f[0]!.message = EVIL;
  r.compliance = { files: 1, findings: f };
  return r;
}

/** The markdown with code spans and fenced blocks removed: GitHub links nothing inside those. */
function outsideCode(md: string): string {
  return md.replace(/```[\s\S]*?```/g, '').replace(/``[^`]*``|`[^`\n]*`/g, '');
}

const LIVE = [/(?<![\w.])@[A-Za-z0-9]/, /#\d/, /\bGH-\d/i];

describe('untrusted text cannot mention or cross-reference', () => {
  it.each([
    ['the job summary', () => renderSummary(crafted(), { budgets, runUrl } as never)],
    ['the sticky comment', () => renderComment([{ name: 'gateway', results: crafted() }], { marker: '<!-- m -->', budgets, runUrl })],
    ['the report job summary', () => renderMatrixSummary([{ name: 'gateway', results: crafted() }], { budgets, runUrl })],
    [
      'a leg named by a forged artifact',
      () => renderComment([{ name: '@evil-team #5', missingReason: EVIL }], { marker: '<!-- m -->', budgets, runUrl }),
    ],
  ])('%s', (_name, render) => {
    const md = render();
    const text = outsideCode(md);
    for (const re of LIVE) expect(text, String(re)).not.toMatch(re);
    // the text is still there to read, with an invisible word joiner after @ and #
    expect(md).toContain('@\u2060some-org/some-team');
  });

  it('mdEscape neutralises every form and keeps what is not one', () => {
    expect(mdEscape(EVIL)).toBe('ping @\u2060some-org/some-team and @\u2060user, see \\#\u206012, owner/repo\\#\u20603 and GH-\u20607');
    // not mentions: an e-mail address, a ref@sha label
    expect(mdEscape('mail a@b.example, main@1a2b3c4')).toBe('mail a@b.example, main@1a2b3c4');
  });

  it('our own links still work', () => {
    const md = renderComment([{ name: 'gateway', results: crafted() }], { marker: '<!-- m -->', budgets, runUrl, maxChars: 2_000 });
    expect(md).toContain(`(${runUrl})`);
  });
});
