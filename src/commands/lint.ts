/** `hybrid-e2e lint [PATH...] [--config F] [--format text|json|sarif|markdown] [--fix [--dry-run]]` */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ComplianceInputError,
  RULES,
  discoverDockerfiles,
  displayPath,
  fixText,
  lintFiles,
  unifiedDiff,
  type CompliancePolicy,
  type Finding,
  type LintReport,
} from '../core/compliance/lint-files.js';
import type { ResolvedConfig } from '../core/config/loader.js';
import { buildPlan } from '../core/plan/graph.js';
import { lintExitCode, renderFixList, renderLintJson, renderLintMarkdown, renderLintText, type FixedEntry } from '../render/lint-text.js';
import { renderSarif } from '../render/sarif.js';
import { VERSION } from '../core/version.js';

export type LintFormat = 'text' | 'json' | 'sarif' | 'markdown';

export interface LintOptions {
  /** Files or directories to scan (relative to io.cwd or absolute). */
  paths: string[];
  /** Dockerfiles built by the config's services (absolute paths). */
  serviceDockerfiles?: string[];
  format: LintFormat;
  fix: boolean;
  dryRun: boolean;
  policy?: CompliancePolicy;
}

export interface LintIO {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

const FORMATS: readonly LintFormat[] = ['text', 'json', 'sarif', 'markdown'];

/** Exit code: 0 no unwaived error, 1 any unwaived error, 2 usage error. */
export async function runLint(opts: LintOptions, io: LintIO): Promise<number> {
  const usage = (msg: string): number => {
    io.stderr(`hybrid-e2e lint: ${msg}\n`);
    return 2;
  };
  if (!FORMATS.includes(opts.format)) return usage(`unknown format "${String(opts.format)}"; use one of ${FORMATS.join(', ')}.`);
  if (opts.dryRun && !opts.fix) return usage('--dry-run only applies to --fix: use "hybrid-e2e lint --fix --dry-run" to preview fixes.');
  const color = io.isTTY && !io.env.NO_COLOR;

  // 1. Which files.
  let files: string[];
  try {
    const set = new Set<string>();
    for (const f of opts.serviceDockerfiles ?? []) {
      const abs = path.resolve(io.cwd, f);
      if (!existsSync(abs) || !statSync(abs).isFile())
        return usage(
          `the Dockerfile ${displayPath(abs, io.cwd)} built by a service in the config does not exist; fix the service's build.dockerfile (or build.context) in the config.`,
        );
      set.add(abs);
    }
    const scan = opts.paths.length ? opts.paths : set.size ? [] : [io.cwd];
    for (const f of await discoverDockerfiles(scan, { cwd: io.cwd })) set.add(f);
    files = [...set].sort();
  } catch (e) {
    if (e instanceof ComplianceInputError)
      return usage(`${e.message}. Pass existing files or directories (relative to ${io.cwd}), or no path to scan the current directory.`);
    throw e;
  }

  // 2. Fix.
  let diff = '';
  let fixedEntries: FixedEntry[] = [];
  const unfixed: { finding: Finding; reason: string }[] = [];
  if (opts.fix) {
    let fixes = 0;
    let changedFiles = 0;
    const fixedList: FixedEntry[] = [];
    for (const abs of files) {
      const rel = displayPath(abs, io.cwd);
      let text: string;
      try {
        text = readFileSync(abs, 'utf8');
      } catch (e) {
        return usage(`cannot read ${rel}: ${(e as Error).message}`);
      }
      const r = fixText(text, rel, opts.policy);
      unfixed.push(...r.unfixed);
      if (!r.changed) continue;
      fixes += r.fixes;
      changedFiles++;
      for (const f of r.fixed) fixedList.push({ file: rel, line: f.line, removed: f.removed });
      if (opts.dryRun) diff += unifiedDiff(text, r.text, `a/${rel}`, `b/${rel}`);
      else writeFileSync(abs, r.text);
    }
    const what = `${fixes} package upgrade${fixes === 1 ? '' : 's'} in ${changedFiles} file${changedFiles === 1 ? '' : 's'}`;
    io.stderr(
      opts.dryRun
        ? `hybrid-e2e lint --fix --dry-run: would remove ${what} (nothing written).\n`
        : `hybrid-e2e lint --fix: removed ${what}.\n`,
    );
    fixedEntries = fixedList;
    for (const u of unfixed) io.stderr(`  ${u.finding.file}:${u.finding.line} not fixed automatically: ${u.reason}\n`);
  }

  // 3. Lint (after fixing, when files were written).
  let report: LintReport;
  try {
    report = await lintFiles(files, { cwd: io.cwd, ...(opts.policy ? { policy: opts.policy } : {}) });
  } catch (e) {
    if (e instanceof ComplianceInputError) return usage(e.message);
    throw e;
  }

  // 4. Output.
  switch (opts.format) {
    case 'json':
      io.stdout(renderLintJson(report, opts.dryRun ? { diff } : undefined));
      break;
    case 'sarif':
      io.stdout(JSON.stringify(renderSarif(report, { rules: RULES, srcRoot: io.cwd, toolVersion: VERSION }), null, 2) + '\n');
      if (opts.dryRun && diff) io.stderr(diff);
      break;
    case 'markdown':
      if (opts.dryRun) io.stdout(diff ? `\`\`\`diff\n${diff}\`\`\`\n\n` : '');
      io.stdout(renderLintMarkdown(report));
      break;
    case 'text':
      if (opts.dryRun) io.stdout(color ? colorDiff(diff) : diff);
      else {
        if (files.length === 0) {
          io.stdout(`No Dockerfiles found in ${opts.paths.length ? opts.paths.join(', ') : io.cwd}.\n`);
          break;
        }
        const fixable = opts.fix ? 0 : countFixable(report, files, io.cwd, opts.policy);
        io.stdout(renderLintText(report, { color, fixable }));
        // What --fix removed, after the lint of the result (the dry-run's diff already shows it).
        if (fixedEntries.length) io.stdout(renderFixList(fixedEntries));
      }
      break;
  }
  return lintExitCode(report);
}

function colorDiff(diff: string): string {
  return diff
    .split('\n')
    .map((l) =>
      l.startsWith('+++') || l.startsWith('---')
        ? `\x1b[1m${l}\x1b[0m`
        : l.startsWith('+')
          ? `\x1b[32m${l}\x1b[0m`
          : l.startsWith('-')
            ? `\x1b[31m${l}\x1b[0m`
            : l.startsWith('@@')
              ? `\x1b[36m${l}\x1b[0m`
              : l,
    )
    .join('\n');
}

/** How many unwaived findings `--fix` would remove (only computed for files with unwaived upgrade findings). */
function countFixable(report: LintReport, files: string[], cwd: string, policy?: CompliancePolicy): number {
  const withUpgrades = new Set(report.findings.filter((f) => f.rule === 'no-package-upgrade' && !f.waived).map((f) => f.file));
  let n = 0;
  for (const abs of files) {
    const rel = displayPath(abs, cwd);
    if (!withUpgrades.has(rel)) continue;
    n += fixText(readFileSync(abs, 'utf8'), rel, policy).fixes;
  }
  return n;
}

/** The Dockerfiles the selected services build (all services when none is selected). */
export function serviceDockerfiles(config: ResolvedConfig, services: readonly string[]): string[] {
  const selected = services.length ? buildPlan(config, services).services : Object.keys(config.services);
  return selected.flatMap((n) => (config.services[n]!.build ? [config.services[n]!.build!.dockerfile] : []));
}

/** Compliance of exactly the Dockerfiles these services build, with the config's policy; undefined when none is built. */
export async function lintServices(config: ResolvedConfig, services: readonly string[]): Promise<LintReport | undefined> {
  const files = serviceDockerfiles(config, services);
  if (!files.length) return undefined;
  return lintFiles(files, { cwd: config.workspace, ...(config.compliance ? { policy: config.compliance } : {}) });
}
