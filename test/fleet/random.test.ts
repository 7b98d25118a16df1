import { describe, expect, it } from 'vitest';
import { cpeRandom, mulberry32 } from '../../src/fleet/random.js';

describe('seeded random numbers (--seed)', () => {
  it('repeats the same stream for the same seed and CPE index', () => {
    const a = cpeRandom(42, 7);
    const b = cpeRandom(42, 7);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
  it('differs between CPEs and between seeds', () => {
    expect(cpeRandom(42, 1)()).not.toBe(cpeRandom(42, 2)());
    expect(cpeRandom(1, 1)()).not.toBe(cpeRandom(2, 1)());
  });
  it('is roughly uniform', () => {
    const r = mulberry32(123);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += r();
    expect(sum / 10_000).toBeGreaterThan(0.48);
    expect(sum / 10_000).toBeLessThan(0.52);
  });
});
