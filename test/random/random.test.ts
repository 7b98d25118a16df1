import { describe, expect, it } from 'vitest';
import { alnumChar, alnumRun, keyHash, mix64, rootSeed, streamFor } from '../../src/random/index.js';

describe('random: seeded streams (ref. profile-format 13)', () => {
  it('mix64 is the SplitMix64 finaliser (first SplitMix64 output from state 0 is the published e220a8397b1dcdaf)', () => {
    expect(mix64(0x9e3779b97f4a7c15n).toString(16)).toBe('e220a8397b1dcdaf');
  });

  it('pins the stream of (seed 1, cpe-1:generators): hash, raw draws, intn, int63n, float', () => {
    expect(keyHash(1n, 'cpe-1:generators').toString(16)).toBe('38263a9a4d06677d');
    const r = streamFor(1n, 'cpe-1:generators');
    expect(r.nextU64()).toBe(8122851906230248138n);
    expect(r.nextU64()).toBe(9737037091154555850n);
    expect(r.intn(100)).toBe(10);
    expect(r.int63n(1000n)).toBe(465n);
    expect(r.float()).toBeCloseTo(0.09514772273587457, 15);
  });

  it('a stream depends on every bit of the seed and the key; the same pair replays', () => {
    expect(keyHash(-1n, 'a').toString(16)).toBe('77f5e5a72d77836c');
    expect(keyHash(1n, 'cpe-1')).not.toBe(keyHash(1n, 'cpe-2'));
    expect(keyHash(1n, 'cpe-1')).not.toBe(keyHash(2n, 'cpe-1'));
    // Seeds that agree modulo 2^31 - 1 (the Go math/rand fold) still give different streams.
    expect(keyHash(5n, 'k')).not.toBe(keyHash(5n + 2147483647n, 'k'));
    const a = streamFor(7n, 'x');
    const b = streamFor(7n, 'x');
    expect([a.nextU64(), a.nextU64()]).toEqual([b.nextU64(), b.nextU64()]);
  });

  it('intn and int63n stay in range and reject bad bounds', () => {
    const r = streamFor(3n, 'range');
    for (let k = 0; k < 200; k++) {
      const v = r.intn(7);
      expect(v >= 0 && v < 7).toBe(true);
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
    expect(() => r.intn(0)).toThrow(RangeError);
    expect(() => r.int63n(0n)).toThrow(RangeError);
  });

  it('rootSeed keeps an explicit non-zero int64, draws a fresh non-zero one for 0 or none, rejects out-of-range', () => {
    expect(rootSeed(42n)).toBe(42n);
    expect(rootSeed(-9223372036854775808n)).toBe(-9223372036854775808n);
    expect(rootSeed(0n)).not.toBe(0n);
    expect(rootSeed()).not.toBe(rootSeed());
    expect(() => rootSeed(1n << 63n)).toThrow(RangeError);
  });
});

describe('random: alnum sequences are unique by construction', () => {
  it('pins the first characters for seeds 1 and 42', () => {
    expect([1, 2, 3, 36, 37].map((g) => alnumRun(1n, g, 0, 6))).toEqual(['GIAQ8O', 'LFQMIW', 'Q86WZG', 'BV6SUP', 'G5U4RU']);
    expect(alnumRun(42n, 1, 0, 8)).toBe('OFAEGQHV');
  });

  it('a run continues the sequence: two runs of 3 equal one run of 6', () => {
    expect(alnumRun(1n, 5, 0, 3) + alnumRun(1n, 5, 3, 3)).toBe(alnumRun(1n, 5, 0, 6));
    expect(alnumChar(1n, 5, 2)).toBe(alnumRun(1n, 5, 2, 1));
  });

  it('the first N characters never repeat among CPEs 1 … 36^N - 1 (here N = 3: all 46655 distinct)', () => {
    const seen = new Set<string>();
    for (let g = 1; g < 36 ** 3; g++) seen.add(alnumRun(9n, g, 0, 3));
    expect(seen.size).toBe(36 ** 3 - 1);
  });
});
