/**
 * Value changes of generated leaves somebody watches. Generated values are computed on
 * read (./generators.ts, decision 006), so nothing "writes" them: a watched leaf that a
 * generator drives (a CWMP Notification 1/2, TR-069 A.3.2.4; a USP ValueChange
 * subscription) is instead looked at on the fleet's one Scheduler at each of its
 * generator's tick times (the analytic next-change time), and a move is reported as a
 * device-side change. Only watched leaves get a job: unwatched generators cost nothing.
 * @module
 */
import type { Scheduler, ScheduledJob } from '../clock/index.js';
import type { GeneratorClock } from './generators.js';
import type { ParameterChange, ParameterTree } from './types.js';

interface Watched {
  job: ScheduledJob | undefined;
  /** Value last reported (or seen when the watch began). */
  last: string;
}

/** One tree's watched generated leaves (one watcher per consumer: CWMP, USP); made on the first one. */
export class GeneratedWatch {
  private readonly watched = new Map<string, Watched>();
  private unsubscribeStart: (() => void) | undefined;

  constructor(
    private readonly params: ParameterTree,
    private readonly scheduler: Scheduler,
    private readonly clock: GeneratorClock | undefined,
    private readonly emit: (change: ParameterChange) => void,
  ) {}

  /** True while some leaf is watched. */
  get size(): number {
    return this.watched.size;
  }

  /**
   * Watches exactly the generated leaves among `paths` (others are ignored): new ones
   * from their current value on, ones no longer listed dropped.
   */
  reconcile(paths: Iterable<string>): void {
    const want = new Set<string>();
    for (const p of paths) if (this.params.generator(p) !== undefined) want.add(p);
    for (const [path, w] of this.watched) {
      if (!want.has(path)) {
        w.job?.cancel();
        this.watched.delete(path);
      }
    }
    for (const path of want) {
      if (this.watched.has(path)) continue;
      const w: Watched = { job: undefined, last: this.params.getValue(path) ?? '' };
      this.watched.set(path, w);
      this.arm(path, w);
    }
  }

  /** Any write to a watched leaf (ACS or device) is the value the next move is compared with. */
  written(path: string, value: string): void {
    const w = this.watched.get(path);
    if (w) w.last = value;
  }

  /** Cancels every job. */
  close(): void {
    for (const w of this.watched.values()) w.job?.cancel();
    this.watched.clear();
    this.unsubscribeStart?.();
    this.unsubscribeStart = undefined;
  }

  private arm(path: string, w: Watched): void {
    const due = this.params.nextGeneratorTick(path);
    if (due !== undefined) {
      w.job = this.scheduler.at(due, () => this.tick(path));
      return;
    }
    // Generators have not started yet (bootstrap phase): arm everything once they do.
    if (this.clock === undefined) return;
    this.unsubscribeStart ??= this.clock.onStart(() => {
      this.unsubscribeStart = undefined;
      for (const [p, x] of this.watched) if (x.job === undefined) this.arm(p, x);
    });
  }

  private tick(path: string): void {
    const w = this.watched.get(path);
    if (!w) return;
    w.job = undefined;
    const value = this.params.getValue(path);
    // The row was deleted: nothing left to watch.
    if (value === undefined || this.params.generator(path) === undefined) {
      this.watched.delete(path);
      return;
    }
    if (value !== w.last) {
      const oldValue = w.last;
      w.last = value;
      this.emit({ path, oldValue, newValue: value, origin: 'internal' });
    }
    this.arm(path, w);
  }
}
