/** How the engine talks to whoever drives it (action log, terminal, tests). Knows nothing about GitHub. */
export interface Reporter {
  info(line: string): void;
  warn(line: string): void;
  task(id: string, event: 'start' | 'end', detail?: { outcome?: string; ms?: number; note?: string }): void;
}
