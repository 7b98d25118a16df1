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

/** A session the back-off started whose numbers break TR-069 §3.2.1.1 (see {@link auditRetries}). */
export interface RetryViolation {
  cpeId: string;
  sessionId: number;
  /** The retry number: failed sessions in a row before it. */
  retry: number;
  rule: 'wait outside its range' | 'started before its wait' | 'RetryCount';
  detail: string;
}

/** Per retry number: how many, and the measured gaps (failed session's end → retry's start), simulated ms. */
export interface RetryGapStats {
  count: number;
  lowMs: number;
  highMs: number;
  minGapMs: number;
  maxGapMs: number;
}

/** What {@link auditRetries} found. */
export interface RetryAudit {
  /** Sessions started by the back-off (they carry `retryWaitMs`). */
  retries: number;
  violations: RetryViolation[];
  /** Keyed by retry number (1, 2, … 10). */
  byRetry: Map<number, RetryGapStats>;
}

/** The fields of a SessionRecord the audit reads. */
interface AuditedSession {
  id: number;
  cpeId: string;
  ok: boolean;
  startedAt: number;
  endedAt?: number;
  retryCount: number;
  retryWaitMs?: number;
}

/**
 * Checks a CPE's recorded sessions (oldest first) against TR-069 §3.2.1.1, from the
 * recorded times alone: each session the back-off started waited a draw inside
 * [m·k^(n−1), m·k^n] s for retry n, started no sooner than that after the failed session
 * ended, and reported RetryCount n (failed sessions in a row). Pass several CPEs'
 * sessions one CPE after another; `policy` is the CPEs' (default the spec's). The first
 * session of each CPE is taken as it says (its RetryCount starts the count).
 */
export function auditRetries(sessions: Iterable<AuditedSession>, policy: Partial<RetryPolicy> = {}, audit: RetryAudit = { retries: 0, violations: [], byRetry: new Map() }): RetryAudit {
  let prev: AuditedSession | undefined;
  let failures = 0;
  for (const s of sessions) {
    if (prev === undefined || prev.cpeId !== s.cpeId) {
      // The first session seen of a CPE (its transcript ring may have dropped older ones) is taken as it says.
      prev = undefined;
      failures = s.retryCount;
    }
    const v = (rule: RetryViolation['rule'], detail: string): void => void audit.violations.push({ cpeId: s.cpeId, sessionId: s.id, retry: failures, rule, detail });
    if (s.retryCount !== failures) v('RetryCount', `RetryCount ${s.retryCount} after ${failures} failed session(s) in a row`);
    if (s.retryWaitMs !== undefined && prev !== undefined && prev.endedAt !== undefined) {
      audit.retries++;
      const n = Math.max(1, failures);
      const [lo, hi] = retryWaitRangeMs(n, policy);
      if (s.retryWaitMs < lo || s.retryWaitMs > hi) v('wait outside its range', `waited ${s.retryWaitMs.toFixed(0)} ms, retry ${n} allows [${lo}, ${hi}] ms`);
      const gap = s.startedAt - prev.endedAt;
      // The CPE counts the wait from the recorded end; 1 ms absorbs floating-point sums of clock times.
      if (gap < s.retryWaitMs - 1) v('started before its wait', `started ${gap.toFixed(0)} ms after the failure, its wait was ${s.retryWaitMs.toFixed(0)} ms`);
      const st = audit.byRetry.get(n) ?? { count: 0, lowMs: lo, highMs: hi, minGapMs: Infinity, maxGapMs: -Infinity };
      st.count++;
      st.minGapMs = Math.min(st.minGapMs, gap);
      st.maxGapMs = Math.max(st.maxGapMs, gap);
      audit.byRetry.set(n, st);
    }
    failures = s.ok ? 0 : failures + 1;
    prev = s;
  }
  return audit;
}
