/**
 * When the cluster task may start. after-builds: the plan's edges (cluster after every build). with-builds: at once.
 * predictive: when the predicted remaining build wall time falls to the predicted create time (predict.ts).
 * While the cluster boots during builds, the build pool gives up one slot (kubelet needs the CPU).
 */
import type { Plan, PlanTask } from '../plan/graph.js';
import type { Reporter } from '../reporter.js';
import { shouldStartCluster } from './predict.js';
import type { GraphRun } from './scheduler.js';

export interface ClusterStartOptions {
  plan: Plan;
  buildSlots: number;
  reporter: Reporter;
  /** Task durations (ms) from earlier runs. */
  history?: Record<string, number>;
  /** Never start while more than predicted create + this much build work remains. */
  marginMs: number;
}

export class ClusterStart {
  private readonly buildIds: string[];
  private readonly started = new Map<string, number>();
  private readonly outcomes = new Map<string, string>();
  private readonly ended = new Map<string, number>();
  private readonly createMs: number | undefined;
  private note: string | undefined;
  private run: Pick<GraphRun<unknown>, 'poke' | 'setPoolSize'> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ClusterStartOptions) {
    this.buildIds = o.plan.tasks.filter((t) => t.phase === 'build').map((t) => t.id);
    this.createMs = o.history?.['cluster'];
    if (this.strategy === 'predictive' && (this.createMs === undefined || this.buildIds.some((id) => o.history?.[id] === undefined))) {
      o.reporter.info(
        'cluster start: predictive, but no duration history for every build and the cluster yet: creating it after the builds this time',
      );
    }
  }

  private get strategy() {
    return this.o.plan.cluster.start;
  }

  /** The scheduler's gate: true to start, false to wait, `skip` when a build failed (no cluster then). */
  readonly gate = (t: PlanTask): boolean | 'skip' => {
    if (t.id !== 'cluster' || this.strategy === 'after-builds') return true;
    if ([...this.outcomes.values()].some((v) => v !== 'success')) return 'skip';
    if (this.outcomes.size === this.buildIds.length) return true;
    if (this.strategy === 'with-builds') return true;
    if (this.createMs === undefined) return false;
    const p = shouldStartCluster({
      now: Date.now(),
      slots: this.o.buildSlots,
      pending: this.buildIds
        .filter((id) => !this.outcomes.has(id))
        .map((id) => ({ id, ...(this.started.has(id) ? { startedMs: this.started.get(id)! } : {}) })),
      finished: [...this.ended].map(([id, end]) => ({ id, ms: end - (this.started.get(id) ?? end) })),
      history: this.o.history ?? {},
      createMs: this.createMs,
      marginMs: this.o.marginMs,
    });
    if (p?.start)
      this.note = `started with ~${(p.remainingMs / 1000).toFixed(1)}s of build work left (predicted create ${(this.createMs / 1000).toFixed(1)}s)`;
    return p?.start ?? false;
  };

  /** Attach to the running graph: re-check the gate every 200 ms while it can start early. */
  attach(run: Pick<GraphRun<unknown>, 'poke' | 'setPoolSize'>): void {
    this.run = run;
    if (this.strategy !== 'after-builds') this.timer = setInterval(() => run.poke(), 200);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Scheduler events: build progress feeds the prediction; a cluster booting during builds takes a build slot. */
  onEvent(e: { id: string; type: 'start' | 'end'; outcome?: string }): void {
    if (e.id.startsWith('build:')) {
      if (e.type === 'start') this.started.set(e.id, Date.now());
      else {
        this.outcomes.set(e.id, e.outcome ?? 'failure');
        this.ended.set(e.id, Date.now());
      }
    }
    if (e.id !== 'cluster') return;
    if (e.type === 'start' && this.outcomes.size < this.buildIds.length) {
      this.run?.setPoolSize('build', Math.max(1, this.o.buildSlots - 1));
      if (this.note) this.o.reporter.info(`cluster: ${this.note}`);
    }
    if (e.type === 'end') {
      this.run?.setPoolSize('build', this.o.buildSlots);
      this.stop();
    }
  }
}
