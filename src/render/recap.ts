/** Per-phase recap lines (task, outcome, duration), for one log group per phase once the run is over. */
export function phaseRecap(results: {
  startMs: number;
  tasks: ReadonlyArray<{
    id: string;
    phase: string;
    outcome: string;
    startMs?: number;
    endMs?: number;
    cached?: boolean;
    attempts: number;
  }>;
}): Array<{ phase: string; lines: string[] }> {
  // Tasks come in plan order, so the phases in order of first appearance are the run's phases in order.
  const phases = [...new Set(results.tasks.map((t) => t.phase))];
  return phases
    .map((phase) => ({
      phase,
      lines: results.tasks
        .filter((t) => t.phase === phase)
        .map((t) => {
          const at = t.startMs !== undefined ? `+${((t.startMs - results.startMs) / 1000).toFixed(1)}s` : '';
          const d = t.startMs !== undefined && t.endMs !== undefined ? `${((t.endMs - t.startMs) / 1000).toFixed(1)}s` : '—';
          return `${t.id.padEnd(28)} ${t.outcome.padEnd(9)} ${d.padStart(7)} ${at.padStart(8)}${t.cached ? ' cached' : ''}${t.attempts > 1 ? ` attempts=${t.attempts}` : ''}`.trimEnd();
        }),
    }))
    .filter((g) => g.lines.length > 0);
}
