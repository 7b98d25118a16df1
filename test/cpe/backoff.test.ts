import { describe, expect, it } from 'vitest';
import { retryPolicyFrom, retryWaitMs, retryWaitRangeMs } from '../../src/cpe/backoff.js';

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
