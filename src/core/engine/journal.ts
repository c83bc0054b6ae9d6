import { errorMessage, failureOutput } from '../errors.js';
import type { Reporter } from '../reporter.js';
import type { PortMapping } from './results.js';

/** What a task tells the results besides its outcome and timing. */
export interface TaskReport {
  attempts?: number;
  cached?: boolean;
  note?: string;
  /** Image reference built or loaded. */
  image?: string;
  error?: string;
  /** Last lines of the failing command's output. */
  logTail?: string[];
  /** cluster: host ports of the kind config's port mappings. */
  ports?: PortMapping[];
  /** cluster: `kind create` succeeded (the cluster exists, even if a readiness gate failed later). */
  created?: boolean;
}

/** Per-task reports and the run's errors in the order they happened. */
export class TaskJournal {
  private readonly reports = new Map<string, TaskReport>();
  private readonly failures: string[] = [];

  constructor(private readonly reporter: Reporter) {}

  set(id: string, patch: TaskReport): void {
    this.reports.set(id, { ...this.reports.get(id), ...patch });
  }

  get(id: string): TaskReport {
    return this.reports.get(id) ?? {};
  }

  /** Records a task's failure: its message, the failing command's last output lines, a warning in the log. */
  fail(id: string, e: unknown): void {
    const msg = errorMessage(e);
    const logTail = failureOutput(e);
    this.set(id, { error: msg, ...(logTail?.length ? { logTail } : {}) });
    if (this.get(id).attempts === undefined) this.set(id, { attempts: 1 });
    this.failures.push(`${id}: ${msg}`);
    this.reporter.warn(`${id} failed: ${msg}`);
  }

  errors(): string[] {
    return [...this.failures];
  }
}
