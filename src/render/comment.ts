import type { Finding } from '../core/compliance/types.js';
import type { Results } from '../core/engine/results.js';
import { mdEscape, renderComplianceTable } from './summary.js';

export const COMMENT_LIMIT = 65_536;

export function commentMarker(workflow: string, key: string): string {
  return `<!-- hybrid-e2e:${workflow.replace(/-->/g, '')}:${key.replace(/-->/g, '')} -->`;
}

export interface CommentOptions {
  marker: string;
  /** Link to the run's job summary, used when the comment is truncated. */
  runUrl?: string;
  blobBase?: string;
  setupBudgetMs?: number;
  maxChars?: number;
}

const ICON: Record<string, string> = { success: '✅', failure: '❌', cancelled: '⏹️' };
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Findings from several legs, each (file, line, rule) once. */
export function dedupeFindings(lists: ReadonlyArray<readonly Finding[]>): Finding[] {
  const seen = new Map<string, Finding>();
  for (const list of lists) for (const f of list) seen.set(`${f.file}:${f.line}:${f.rule}`, seen.get(`${f.file}:${f.line}:${f.rule}`) ?? f);
  return [...seen.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** The sticky PR comment for one or more matrix legs: a pure function of their results. */
export function renderComment(legs: ReadonlyArray<{ name: string; results: Results }>, opts: CommentOptions): string {
  const failed = legs.filter((l) => l.results.outcome !== 'success');
  const slowest = legs.reduce((m, l) => Math.max(m, l.results.endMs - l.results.startMs), 0);
  const head = [
    opts.marker,
    `### hybrid-e2e ${failed.length ? '❌' : '✅'} ${legs.length - failed.length}/${legs.length} legs passed`,
    `Slowest setup: **${s1(slowest)}**${opts.setupBudgetMs ? ` (budget ${s1(opts.setupBudgetMs)})` : ''}.`,
    '',
    '| leg | outcome | setup | build | cluster | load | deploy | cached builds |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const rows = legs.map(({ name, results: r }) => {
    const phase = (n: string) => {
      const p = r.phases.find((x) => x.name === n);
      return p?.startMs !== undefined && p.endMs !== undefined ? s1(p.endMs - p.startMs) : '—';
    };
    const builds = r.tasks.filter((t) => t.phase === 'build');
    return `| \`${mdEscape(name)}\` | ${ICON[r.outcome] ?? ''} ${r.outcome} | ${s1(r.endMs - r.startMs)} | ${phase('build')} | ${phase('cluster')} | ${phase('load')} | ${phase('deploy')} | ${builds.filter((t) => t.cached).length}/${builds.length} |`;
  });
  const errors = failed.flatMap(({ name, results: r }) => r.errors.slice(0, 5).map((e) => `- \`${mdEscape(name)}\`: ${mdEscape(e.split('\n')[0]!.slice(0, 300))}`));
  const findings = dedupeFindings(legs.map((l) => l.results.compliance?.findings ?? []));
  const body = [...head, ...rows];
  if (errors.length) body.push('', '**Errors**', ...errors);
  const unwaived = findings.filter((f) => !f.waived && f.severity === 'error').length;
  body.push('', `<details><summary>Dockerfile compliance: ${unwaived} error(s), ${findings.length} finding(s)</summary>`, '', renderComplianceTable(findings, opts.blobBase), '', '</details>');
  let text = body.join('\n') + '\n';
  const max = opts.maxChars ?? COMMENT_LIMIT;
  if (text.length > max) {
    const note = `\n\n_Comment truncated (GitHub allows ${COMMENT_LIMIT} characters).${opts.runUrl ? ` See the [run summary](${opts.runUrl}) for everything.` : ''}_\n`;
    text = text.slice(0, max - note.length);
    text = text.slice(0, text.lastIndexOf('\n')) + note;
  }
  return text;
}
