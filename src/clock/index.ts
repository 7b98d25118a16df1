/**
 * Time, injectable. Production uses real time; tests compress it (`timeScale`) so a
 * 5 s retry backoff or a 300 s periodic interval fires in milliseconds, and no test
 * waits real seconds. The {@link Scheduler} keeps ONE timer for any number of due
 * jobs (a binary heap keyed by due time): 100,000 CPEs must not mean 100,000 timers.
 * @module
 */

/** Source of time and the one primitive timer the scheduler needs. */
export interface Clock {
  /** Simulated wall-clock time in ms since the epoch (what the CPE reports as CurrentTime). */
  now(): number;
  /**
   * Arms a real timer after `ms` simulated milliseconds. It may fire early (real delays
   * are capped at {@link MAX_TIMER_MS}); the {@link Scheduler} then re-arms for the rest.
   */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Simulated ms per real ms (1 in production, 1000 when `timeScale` is 0.001). */
  readonly speed: number;
}

/**
 * Longest real delay `setTimeout` honours: 2³¹−1 ms, about 24.8 days. A longer one fires
 * after 1 ms with a `TimeoutOverflowWarning`, so a ScheduleInform of 2,147,484 s or a
 * PeriodicInformInterval as long would re-arm the shared timer every millisecond.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Real time, optionally compressed. `timeScale` 0.001 makes one simulated second
 * last one real millisecond; `now()` then advances 1000× faster than the wall clock,
 * so CurrentTime and phase arithmetic stay consistent with the delays.
 */
export function createClock(options: { timeScale?: number } = {}): Clock {
  const scale = options.timeScale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`timeScale must be a positive number, got ${String(options.timeScale)}`);
  const origin = Date.now();
  const perf0 = performance.now();
  return {
    speed: 1 / scale,
    now: () => (scale === 1 ? Date.now() : origin + (performance.now() - perf0) / scale),
    setTimer: (fn, ms) => {
      // Capped, so a long delay is held quietly: the timer fires after 24.8 days, the
      // scheduler finds nothing due yet and re-arms for what is left.
      const t = setTimeout(fn, Math.min(MAX_TIMER_MS, Math.max(0, ms * scale)));
      // A pending CPE timer must never keep a test process or the CLI alive on its own;
      // daemon mode keeps the process alive through its listener and signal handlers.
      t.unref();
      return t;
    },
    clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

/** A scheduled job; call `cancel()` to drop it. */
export interface ScheduledJob {
  readonly due: number;
  cancel(): void;
}

/**
 * A heap entry is also the caller's handle: one object per job, no closure. A 100k
 * fleet holds one periodic job per CPE, so this is per-CPE memory.
 */
class Entry implements ScheduledJob {
  cancelled = false;
  constructor(
    readonly due: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

/** What `at()` returns once the scheduler is closed: the job never runs. */
const closedJob = (due: number): ScheduledJob => ({ due, cancel: () => undefined });

/**
 * One timer + a min-heap of jobs keyed by due time (simulated ms). Cancelling is O(1)
 * (lazy deletion); the heap drops cancelled entries when they reach the top.
 */
export class Scheduler {
  readonly clock: Clock;
  private heap: Entry[] = [];
  private seq = 0;
  private timer: unknown = undefined;
  private timerDue = Infinity;
  private closed = false;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Number of live (not cancelled) jobs; O(n), for tests and stats. */
  get size(): number {
    return this.heap.filter((e) => !e.cancelled).length;
  }

  /** Runs `fn` after `delayMs` simulated milliseconds. */
  after(delayMs: number, fn: () => void): ScheduledJob {
    return this.at(this.clock.now() + Math.max(0, delayMs), fn);
  }

  /** Runs `fn` at simulated time `due` (ms since epoch). */
  at(due: number, fn: () => void): ScheduledJob {
    if (this.closed) return closedJob(due);
    const entry = new Entry(due, this.seq++, fn);
    this.push(entry);
    this.arm();
    return entry;
  }

  /** Cancels every job and the timer; later `after()` calls are ignored. Idempotent. */
  close(): void {
    this.closed = true;
    this.heap = [];
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private arm(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    const top = this.heap[0];
    if (!top) {
      if (this.timer !== undefined) this.clock.clearTimer(this.timer);
      this.timer = undefined;
      this.timerDue = Infinity;
      return;
    }
    if (this.timer !== undefined && this.timerDue <= top.due) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timerDue = top.due;
    this.timer = this.clock.setTimer(() => this.fire(), top.due - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.clock.now();
    // Run everything due; jobs scheduled by a job for "now" run on the next tick, never in this loop.
    const due: Entry[] = [];
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const e = this.pop()!;
      if (!e.cancelled) due.push(e);
    }
    for (const e of due) {
      if (this.closed) return;
      try {
        e.fn();
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    if (!this.closed) this.arm();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
