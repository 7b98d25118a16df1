/**
 * The per-endpoint Connection Request throttle (TR-069 §3.2.2: the CPE "SHOULD
 * restrict the number of Connection Requests it accepts during a given period").
 * Pure: time comes in as an argument.
 * @module
 */

/** Outcome of {@link CrThrottle.admit}. */
export type ThrottleVerdict = { ok: true } | { ok: false; remainingMs: number; retryAfterS: number };

/**
 * A fixed window opened by each accepted request. Only accepted requests open a
 * window; rejected ones do not extend it (a client retrying on `Retry-After` must
 * get through, however many others were turned away meanwhile).
 * @example
 * const t = new CrThrottle(5000);
 * t.admit(0);     // { ok: true }
 * t.admit(1200);  // { ok: false, remainingMs: 3800, retryAfterS: 4 }
 * t.admit(5000);  // { ok: true }
 */
export class CrThrottle {
  private openedAt: number | undefined;
  /** @param windowMs 0 (or less) disables the throttle. */
  constructor(readonly windowMs: number) {}

  /** Admits a request at time `now` (ms), opening a window, or says how long until the window clears. */
  admit(now: number): ThrottleVerdict {
    const v = this.peek(now);
    if (v.ok) this.openedAt = now;
    return v;
  }

  /** What {@link CrThrottle.admit} would answer at `now`, without opening a window. */
  peek(now: number): ThrottleVerdict {
    if (this.windowMs > 0 && this.openedAt !== undefined) {
      // min(): a clock that stepped back must not promise more than one window.
      const remainingMs = Math.min(this.windowMs, this.openedAt + this.windowMs - now);
      if (remainingMs > 0) {
        // Seed: "rounded up to the next whole second so the client retry actually
        // clears the window"; remainingMs > 0 so this is never 0.
        return { ok: false, remainingMs, retryAfterS: Math.max(1, Math.ceil(remainingMs / 1000)) };
      }
    }
    return { ok: true };
  }
}
