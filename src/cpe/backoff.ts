/**
 * Session retry backoff (TR-069 §3.2.1.1, TR-181 ManagementServer.CWMPRetry*):
 * the wait before retry n (n = 1, 2, …, capped at 10) is uniformly random in
 * [m·k^(n-1), m·k^n] seconds, m = CWMPRetryMinimumWaitInterval (default 5),
 * k = CWMPRetryIntervalMultiplier / 1000 (default 2000 → 2).
 * @module
 */

/** Spec default of `CWMPRetryMinimumWaitInterval`, seconds. */
export const DEFAULT_RETRY_MINIMUM_WAIT_S = 5;
/** Spec default of `CWMPRetryIntervalMultiplier`, thousandths. */
export const DEFAULT_RETRY_INTERVAL_MULTIPLIER = 2000;
/** Retry number after which the interval stops growing (TR-069 §3.2.1.1). */
export const RETRY_EXPONENT_CAP = 10;

/** Inputs of the backoff computation. */
export interface RetryPolicy {
  /** m, seconds (TR-181 range 1..65535). */
  minimumWaitS: number;
  /** k·1000 (TR-181 range 1000..65535). */
  intervalMultiplier: number;
}

/**
 * The [low, high] wait range in simulated milliseconds before retry `n`.
 * @param n 1 for the first retry (after one failed session); values above 10 use 10.
 * @example retryWaitRangeMs(1) // [5000, 10000]
 */
export function retryWaitRangeMs(n: number, policy: Partial<RetryPolicy> = {}): [number, number] {
  const m = policy.minimumWaitS ?? DEFAULT_RETRY_MINIMUM_WAIT_S;
  const k = (policy.intervalMultiplier ?? DEFAULT_RETRY_INTERVAL_MULTIPLIER) / 1000;
  const e = Math.min(Math.max(1, Math.floor(n)), RETRY_EXPONENT_CAP);
  return [m * k ** (e - 1) * 1000, m * k ** e * 1000];
}

/**
 * One randomised wait before retry `n`, in simulated milliseconds.
 * @param random uniform in [0, 1); injectable so tests are deterministic.
 */
export function retryWaitMs(n: number, policy: Partial<RetryPolicy> = {}, random: () => number = Math.random): number {
  const [lo, hi] = retryWaitRangeMs(n, policy);
  return lo + (hi - lo) * random();
}

/**
 * Reads the two TR-181 leaves, falling back to the spec defaults when a leaf is
 * absent or out of its range (1..65535 and 1000..65535): a profile typo must not
 * turn into a zero-wait retry storm against the ACS.
 */
export function retryPolicyFrom(minimumWait: string | undefined, multiplier: string | undefined): RetryPolicy {
  const m = minimumWait !== undefined && /^\d+$/.test(minimumWait) ? Number(minimumWait) : NaN;
  const k = multiplier !== undefined && /^\d+$/.test(multiplier) ? Number(multiplier) : NaN;
  return {
    minimumWaitS: m >= 1 && m <= 65535 ? m : DEFAULT_RETRY_MINIMUM_WAIT_S,
    intervalMultiplier: k >= 1000 && k <= 65535 ? k : DEFAULT_RETRY_INTERVAL_MULTIPLIER,
  };
}
