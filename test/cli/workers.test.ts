/** The arithmetic of `--workers`: nested shards and per-worker CR ports. */
import { describe, expect, it } from 'vitest';
import { workerBindAddr, workerShard } from '../../src/cli/workers.js';

/** 1-based inclusive range of shard i/n of N (the fleet's slicing rule). */
const slice = (N: number, i: number, n: number): number[] => {
  const out: number[] = [];
  for (let x = Math.floor((i * N) / n) + 1; x <= Math.floor(((i + 1) * N) / n); x++) out.push(x);
  return out;
};

describe('workerShard', () => {
  it('worker k of W simulates slice i·W+k of n·W', () => {
    expect(workerShard(undefined, 2, 1)).toEqual({ index: 1, total: 2 });
    expect(workerShard({ index: 1, total: 3 }, 4, 2)).toEqual({ index: 6, total: 12 });
  });

  it('the workers of shard i/n together hold exactly slice i/n (no CPE lost or doubled)', () => {
    for (const N of [1, 7, 10, 1000, 10_007]) {
      for (const n of [1, 2, 3, 8]) {
        for (const W of [1, 2, 3, 5]) {
          for (let i = 0; i < n; i++) {
            const parts = Array.from({ length: W }, (_, k) => {
              const s = workerShard({ index: i, total: n }, W, k);
              return slice(N, s.index, s.total);
            });
            expect(parts.flat()).toEqual(slice(N, i, n));
          }
        }
      }
    }
  });
});

describe('workerBindAddr', () => {
  it('moves a fixed port by the worker number; port 0 stays 0 (the OS picks one per worker)', () => {
    expect(workerBindAddr('127.0.0.1:7547', 0)).toBe('127.0.0.1:7547');
    expect(workerBindAddr('127.0.0.1:7547', 3)).toBe('127.0.0.1:7550');
    expect(workerBindAddr('[::1]:8000', 1)).toBe('[::1]:8001');
    expect(workerBindAddr(':9000', 2)).toBe(':9002');
    expect(workerBindAddr('127.0.0.1:0', 5)).toBe('127.0.0.1:0');
  });

  it('rejects a port past 65535', () => {
    expect(() => workerBindAddr('127.0.0.1:65535', 1)).toThrow(/port 65536 > 65535/);
  });
});
