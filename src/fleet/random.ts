/**
 * A small seeded PRNG, so `--seed` makes retry jitter repeatable. Not for secrets:
 * nonces and cnonces keep using `node:crypto`.
 * @module
 */

/**
 * mulberry32: 32-bit state, full period 2^32, good enough for back-off jitter.
 * Returns numbers uniform in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The generator of one CPE: derived from the fleet seed and the CPE's GLOBAL index, so
 * a CPE draws the same numbers whatever shard or boot order it runs in.
 */
export function cpeRandom(seed: number, index: number): () => number {
  // splitmix-style mixing of (seed, index) so neighbouring CPEs get unrelated streams.
  let h = (seed ^ Math.imul(index, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return mulberry32(h);
}
