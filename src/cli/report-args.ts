/** `hybrid-e2e report --results DIR... [--markdown FILE]`: the matrix report (commands/report.ts), offline. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_REPORT, errorMessage, loadConfig, UserError } from '../commands/common.js';
import { collectLegs, fmtDuration, renderReport, reportMarker } from '../commands/report.js';
import type { CliIO } from './io.js';

const USAGE = `Usage: hybrid-e2e report --results PATH [--results PATH...] [options]

Aggregates the results files of several runs (matrix legs) into the PR comment the action posts.
PATH is a results file, a directory searched for results files (e.g. downloaded artifacts), or NAME=PATH.

Options:
  -r, --results PATH     Results file or directory (repeatable; positional PATHs work too)
      --markdown FILE    Write the comment markdown to FILE (default: print it to stdout)
      --summary FILE     Also write the full job summary markdown to FILE
  -c, --config FILE      Take report.budgets from this config (default: setup 6m, build 3m)
  -s, --service NAME     Expected legs (repeatable or comma-separated): missing ones are reported as such
      --marker-key KEY   Key in the hidden marker (default: report)

Exit codes: 0 every leg passed, 1 a leg failed or has no results, 2 usage error or no results found.
`;

/** `hybrid-e2e report ...` (argv after the word `report`). */
export async function runReportCommand(argv: readonly string[], io: CliIO): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        results: { type: 'string', short: 'r', multiple: true },
        markdown: { type: 'string' },
        summary: { type: 'string' },
        config: { type: 'string', short: 'c' },
        service: { type: 'string', short: 's', multiple: true },
        'marker-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    io.stderr(`hybrid-e2e report: ${errorMessage(e).replace(/\. To specify.*$/s, '')}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const specs = [...(values.results ?? []), ...positionals];
  if (!specs.length) {
    io.stderr(`hybrid-e2e report: give at least one --results PATH.\n\n${USAGE}`);
    return 2;
  }
  try {
    const report = values.config ? loadConfig(values.config, { cwd: io.cwd }).report : DEFAULT_REPORT;
    const expected = (values.service ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
    const legs = collectLegs(specs, io.cwd, expected);
    const r = renderReport(legs, { ...report, marker: reportMarker(values['marker-key'] ?? 'report') });
    const write = (file: string, text: string) => {
      const abs = path.resolve(io.cwd, file);
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    };
    if (values.markdown) write(values.markdown, r.markdown);
    else io.stdout(r.markdown);
    if (values.summary) write(values.summary, r.summary);
    for (const l of legs) {
      io.stderr(
        l.results
          ? `${l.results.outcome === 'success' ? '✔' : '✘'} ${l.name}: ${l.results.outcome} in ${fmtDuration(l.results.endMs - l.results.startMs)}\n`
          : `✘ ${l.name}: no results\n`,
      );
    }
    io.stderr(
      `${legs.length - r.failed.length}/${legs.length} legs passed; ${r.violations} Dockerfile error(s) in ${r.findings.length} finding(s)${values.markdown ? `; comment written to ${values.markdown}` : ''}\n`,
    );
    return r.failed.length ? 1 : 0;
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`hybrid-e2e report: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
