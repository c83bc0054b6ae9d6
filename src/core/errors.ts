/** An error caused by the user's input (config, arguments). The CLI exits 2 and prints no stack trace. */
export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** One positioned problem in a config file. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Field path such as `services.gateway.dependsOn[0]`; empty for the document root. */
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** Every problem found in one config file, reported together. */
export class ConfigError extends UserError {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      problems.length === 1
        ? formatProblem(problems[0]!)
        : `${problems.length} problems in ${problems[0]?.file ?? 'config'}:\n` + problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
