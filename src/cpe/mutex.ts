/**
 * A FIFO async mutex: one CWMP session at a time per CPE (TR-069 §3.7.1: a CPE has
 * at most one session open with its ACS). Periodic, Connection Request, API and
 * scheduled sessions queue here; different CPEs each have their own mutex and run
 * in parallel.
 * @module
 */

/**
 * Serialises sessions of one CPE. Waiters are served in arrival order.
 * @example
 * const release = await mutex.acquire();
 * try { await runSession(); } finally { release(); }
 */
export class SessionMutex {
  private held = false;
  private readonly queue: Array<(release: () => void) => void> = [];

  /** True while some holder has not released yet. */
  get locked(): boolean {
    return this.held;
  }

  /** Number of acquirers waiting behind the current holder. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves with a release function once the caller owns the mutex. Calling the
   * release function more than once is harmless (the second call does nothing), so a
   * `finally` that releases cannot hand the lock to two waiters.
   */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      if (!this.held) {
        this.held = true;
        resolve(this.makeRelease());
      } else {
        this.queue.push(resolve);
      }
    });
  }

  private makeRelease(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next(this.makeRelease());
      else this.held = false;
    };
  }
}
