import { describe, expect, it } from 'vitest';
import { auditRetries, retryPolicyFrom, retryWaitMs, retryWaitRangeMs } from '../../src/cpe/backoff.js';

describe('retry backoff (TR-069 §3.2.1.1)', () => {
  it('uses [m·k^(n-1), m·k^n] seconds with the spec defaults m=5, k=2', () => {
    const table: Array<[number, number, number]> = [
      [1, 5, 10],
      [2, 10, 20],
      [3, 20, 40],
      [4, 40, 80],
      [5, 80, 160],
      [6, 160, 320],
      [7, 320, 640],
      [8, 640, 1280],
      [9, 1280, 2560],
      [10, 2560, 5120],
    ];
    for (const [n, lo, hi] of table) expect(retryWaitRangeMs(n)).toEqual([lo * 1000, hi * 1000]);
  });

  it('caps the exponent at 10', () => {
    expect(retryWaitRangeMs(11)).toEqual(retryWaitRangeMs(10));
    expect(retryWaitRangeMs(500)).toEqual([2560_000, 5120_000]);
  });

  it('honours CWMPRetryMinimumWaitInterval and CWMPRetryIntervalMultiplier', () => {
    expect(retryWaitRangeMs(1, { minimumWaitS: 30, intervalMultiplier: 1500 })).toEqual([30_000, 45_000]);
    expect(retryWaitRangeMs(3, { minimumWaitS: 1, intervalMultiplier: 1000 })).toEqual([1000, 1000]);
  });

  it('draws uniformly inside the range with the injected random', () => {
    expect(retryWaitMs(1, {}, () => 0)).toBe(5000);
    expect(retryWaitMs(1, {}, () => 0.5)).toBe(7500);
    expect(retryWaitMs(2, {}, () => 0.999999)).toBeCloseTo(20_000, -1);
    for (let i = 0; i < 100; i++) {
      const w = retryWaitMs(4);
      expect(w).toBeGreaterThanOrEqual(40_000);
      expect(w).toBeLessThanOrEqual(80_000);
    }
  });

  it('reads the leaves and falls back to the defaults when absent or out of range', () => {
    expect(retryPolicyFrom('10', '3000')).toEqual({ minimumWaitS: 10, intervalMultiplier: 3000 });
    expect(retryPolicyFrom(undefined, undefined)).toEqual({ minimumWaitS: 5, intervalMultiplier: 2000 });
    expect(retryPolicyFrom('0', '999')).toEqual({ minimumWaitS: 5, intervalMultiplier: 2000 });
    expect(retryPolicyFrom('abc', '70000')).toEqual({ minimumWaitS: 5, intervalMultiplier: 2000 });
  });
});

describe('auditRetries (the storm bench and test read the recorded sessions with it)', () => {
  const S = (id: number, ok: boolean, startedAt: number, endedAt: number, retryCount: number, retryWaitMs?: number, cpeId = 'cpe-1') => ({ id, cpeId, ok, startedAt, endedAt, retryCount, ...(retryWaitMs !== undefined ? { retryWaitMs } : {}) });

  it('accepts retries whose drawn wait is in range and waited, and measures the gaps per retry number', () => {
    const a = auditRetries([S(1, false, 0, 10, 0), S(2, false, 6010, 6020, 1, 6000), S(3, true, 20020, 20030, 2, 14000), S(1, true, 0, 5, 0, undefined, 'cpe-2')]);
    expect(a.violations).toEqual([]);
    expect(a.retries).toBe(2);
    expect(a.byRetry.get(1)).toEqual({ count: 1, lowMs: 5000, highMs: 10000, minGapMs: 6000, maxGapMs: 6000 });
    expect(a.byRetry.get(2)).toMatchObject({ count: 1, lowMs: 10000, highMs: 20000, minGapMs: 14000 });
  });

  it('names each broken rule: a wait out of its range, a retry sooner than its wait, a wrong RetryCount', () => {
    const a = auditRetries([S(1, false, 0, 10, 0), S(2, false, 4010, 4020, 1, 4000), S(3, false, 5000, 5010, 2, 12000), S(4, true, 31000, 31010, 7, 25000)]);
    expect(a.violations.map((v) => [v.sessionId, v.rule])).toEqual([
      [2, 'wait outside its range'],
      [3, 'started before its wait'],
      [4, 'RetryCount'],
    ]);
    expect(a.violations[0]!.detail).toBe('waited 4000 ms, retry 1 allows [5000, 10000] ms');
  });

  it('reads the policy the CPEs use, and takes each CPE\'s first visible session as it says', () => {
    const policy = retryPolicyFrom('1', '1500');
    expect(auditRetries([S(5, false, 0, 10, 3), S(6, true, 4100, 4110, 4, 4000)], policy).violations).toEqual([]);
  });
});
