/**
 * The USP retry back-off, one formula for every USP retry (TR-369 R-MQTT.10/.33 MQTT
 * connect, R-WS.19–.21 WebSocket session, R-NOT.1–4 NotifRetry): retry n (1, 2, …,
 * capped at 10) waits a random time in [m·k^(n-1), m·k^n] seconds, m the minimum wait
 * in seconds, k = multiplier / 1000, optionally capped by a maximum interval.
 * @module
 */

/** The exponent stops growing after this retry (TR-369: n ≤ 10). */
export const USP_RETRY_EXPONENT_CAP = 10;

/** Inputs of {@link uspRetryWaitMs}, as the TR-181 leaves hold them. */
export interface UspRetryPolicy {
  /** m, seconds (ConnectRetryTime, SessionRetryMinimumWaitInterval, USPNotifRetryMinimumWaitInterval; default 5). */
  minimumWaitS: number;
  /** k·1000 (…IntervalMultiplier; default 2000). */
  intervalMultiplier: number;
  /** Cap in seconds (MQTT ConnectRetryMaxInterval); none when absent. */
  maxIntervalS?: number;
}

/** The spec defaults: 5 s, ×2. */
export const DEFAULT_USP_RETRY: UspRetryPolicy = Object.freeze({ minimumWaitS: 5, intervalMultiplier: 2000 });

/**
 * The [low, high] wait in milliseconds before retry `n` (capped by `maxIntervalS`).
 * @example uspRetryRangeMs(1) // [5000, 10000]
 */
export function uspRetryRangeMs(n: number, policy: UspRetryPolicy = DEFAULT_USP_RETRY): [number, number] {
  const k = policy.intervalMultiplier / 1000;
  const e = Math.min(Math.max(1, Math.floor(n)), USP_RETRY_EXPONENT_CAP);
  const cap = policy.maxIntervalS !== undefined ? policy.maxIntervalS * 1000 : Infinity;
  return [Math.min(cap, policy.minimumWaitS * k ** (e - 1) * 1000), Math.min(cap, policy.minimumWaitS * k ** e * 1000)];
}

/** One randomised wait before retry `n`, in milliseconds; `random` is uniform in [0, 1). */
export function uspRetryWaitMs(n: number, policy: UspRetryPolicy, random: () => number): number {
  const [lo, hi] = uspRetryRangeMs(n, policy);
  return lo + (hi - lo) * random();
}

/**
 * A policy from TR-181 leaf values: a missing or out-of-range value (m 1..65535, k
 * 1000..65535, max ≥ 1) falls back to the default, so a typo cannot turn into a
 * zero-wait reconnect storm against a broker.
 */
export function uspRetryPolicyFrom(minimumWait: string | undefined, multiplier: string | undefined, maxInterval?: string): UspRetryPolicy {
  const num = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
  const m = num(minimumWait);
  const k = num(multiplier);
  const max = num(maxInterval);
  const policy: UspRetryPolicy = {
    minimumWaitS: m >= 1 && m <= 65535 ? m : DEFAULT_USP_RETRY.minimumWaitS,
    intervalMultiplier: k >= 1000 && k <= 65535 ? k : DEFAULT_USP_RETRY.intervalMultiplier,
  };
  if (max >= 1) policy.maxIntervalS = max;
  return policy;
}
