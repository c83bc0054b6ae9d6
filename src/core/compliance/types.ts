/** Public data types of the Dockerfile compliance engine. Pure data: safe to serialise as JSON. */

export type Severity = 'error' | 'warning';
export type SeveritySetting = Severity | 'off';

export type RuleId = 'no-package-upgrade' | 'base-image-policy' | 'waiver-missing-reason' | 'waiver-invalid' | 'dockerfile-syntax';

export interface Finding {
  /** Path relative to the lint cwd, POSIX separators. */
  file: string;
  /** 1-based physical line of the offending word (for upgrades: the package manager command word). */
  line: number;
  /** 1-based physical line where the offending command / reference ends. */
  endLine: number;
  /** 1-based column (UTF-16 code units) of the offending word. */
  column?: number;
  rule: string;
  severity: Severity;
  message: string;
  /** True when a `# hybrid-e2e ignore=<rule>` comment waives this finding; waived findings never fail a run. */
  waived: boolean;
  /** The waiver's reason, when waived with one. */
  reason?: string;
}

export interface LintReport {
  /** Number of files scanned. */
  files: number;
  findings: Finding[];
}

export interface FixResult {
  text: string;
  changed: boolean;
  /** Number of findings removed by the fix. */
  fixes: number;
  /** What was removed, one entry per fixed finding (1-based line of the command word). */
  fixed: { line: number; removed: string }[];
  /** Unwaived findings of fixable rules that could not be fixed automatically (see messages). */
  unfixable: number;
}
