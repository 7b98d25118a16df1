/**
 * random/: the one source of seeded randomness (ref. profile-format 13). Every stream
 * is keyed by (root seed, key) — e.g. `cpe-7:generators` — so a CPE draws the same
 * numbers whatever the fleet size, shard or boot order. Not for secrets: nonces and
 * cnonces use `node:crypto`.
 *
 * Deliberately NOT Go's `math/rand` (which cpe-labs uses): its seeding folds 64 bits
 * into 2^31 − 1 states, so in a 200 000-CPE fleet about nine pairs of CPEs share a
 * stream (duplicate serials). Here the key is hashed to 64 bits (FNV-1a, then the
 * SplitMix64 finaliser) and expanded by SplitMix64 into the 256-bit state of
 * xoshiro256** (Blackman & Vigna). Values therefore differ from cpe-labs for the
 * same seed; see docs/decisions/004-random.md.
 * @module
 */
import { randomBytes } from 'node:crypto';

const MASK64 = (1n << 64n) - 1n;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/** A seeded stream of 64-bit random numbers. */
export interface Rng {
  /** The next raw 64-bit value, in [0, 2^64). */
  nextU64(): bigint;
  /** Uniform in [0, n) for 0 < n ≤ 2^63 (rejection sampling: no modulo bias). */
  int63n(n: bigint): bigint;
  /** Uniform in [0, n) for 0 < n ≤ 2^53. */
  intn(n: number): number;
  /** Uniform in [0, 1), 53 bits. */
  float(): number;
}

/** SplitMix64 finaliser (Stafford variant 13): a bijection of 64-bit values. */
export function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

const encoder = new TextEncoder();

/**
 * 64-bit hash of (root seed, key): FNV-1a over the seed's 8 bytes (two's complement,
 * big-endian) then the key's UTF-8 bytes, finished with {@link mix64} so that keys
 * differing in their last byte still give unrelated states.
 * @example keyHash(1n, 'cpe-1:serial') // a fixed 64-bit bigint
 */
export function keyHash(seed: bigint, key: string): bigint {
  let h = FNV_OFFSET;
  const s = BigInt.asUintN(64, seed);
  for (let shift = 56n; shift >= 0n; shift -= 8n) {
    h = ((h ^ ((s >> shift) & 0xffn)) * FNV_PRIME) & MASK64;
  }
  for (const b of encoder.encode(key)) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK64;
  return mix64(h);
}

function rotl(x: bigint, k: bigint): bigint {
  return ((x << k) | (x >> (64n - k))) & MASK64;
}

class Xoshiro256 implements Rng {
  private s0: bigint;
  private s1: bigint;
  private s2: bigint;
  private s3: bigint;

  constructor(seed64: bigint) {
    // SplitMix64 expansion, as the xoshiro authors recommend; never all zero in practice
    // (the four outputs of a bijective mixer over consecutive counters).
    let x = seed64;
    const next = (): bigint => {
      x = (x + 0x9e3779b97f4a7c15n) & MASK64;
      return mix64(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  nextU64(): bigint {
    const result = (rotl((this.s1 * 5n) & MASK64, 7n) * 9n) & MASK64;
    const t = (this.s1 << 17n) & MASK64;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 45n);
    return result;
  }

  int63n(n: bigint): bigint {
    if (n <= 0n || n > 1n << 63n) throw new RangeError(`int63n: expected 0 < n <= 2^63, got ${n}`);
    // Reject the top partial block of 2^64 so every residue is equally likely.
    const limit = (1n << 64n) - ((1n << 64n) % n);
    for (;;) {
      const v = this.nextU64();
      if (v < limit) return v % n;
    }
  }

  intn(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`intn: expected a positive safe integer, got ${n}`);
    return Number(this.int63n(BigInt(n)));
  }

  float(): number {
    return Number(this.nextU64() >> 11n) / 2 ** 53;
  }
}

/**
 * The stream for `key` under `seed`. Keys (ref. 13.1): `cpe-<g>` (periodic jitter),
 * `cpe-<g>:retry`, `cpe-<g>:generators`, `cpe-<g>:rpick:<form body>`; g is the GLOBAL
 * index. Two calls with the same arguments return independent objects that draw the
 * same sequence.
 * @example streamFor(1n, 'cpe-7:generators').intn(6) // the same number on every run
 */
export function streamFor(seed: bigint, key: string): Rng {
  return new Xoshiro256(keyHash(seed, key));
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * The root seed of a run: `explicit` when given and non-zero (a signed 64-bit
 * integer), else a fresh random non-zero one, which the caller should log so the run
 * can be replayed with `--seed`. (`0` means "choose one", as in cpe-labs.)
 * @throws RangeError when `explicit` is outside the signed 64-bit range.
 * @example rootSeed(42n) // 42n
 */
export function rootSeed(explicit?: bigint): bigint {
  if (explicit !== undefined) {
    if (explicit < INT64_MIN || explicit > INT64_MAX) throw new RangeError(`seed must be a signed 64-bit integer, got ${explicit}`);
    if (explicit !== 0n) return explicit;
  }
  for (;;) {
    const s = randomBytes(8).readBigInt64BE(0);
    if (s !== 0n) return s;
  }
}

/** Digits and upper-case letters, the alphabet of `{cpe:ALNUM:N}`. */
export const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** The units mod 36: multipliers of an affine bijection of the 36 symbols. */
const UNITS36 = [1, 5, 7, 11, 13, 17, 19, 23, 25, 29, 31, 35] as const;

/**
 * Character `k` (0-based) of the alnum sequence of CPE `g`: the text `{cpe:alnum:N}`
 * forms draw from. Unlike a plain random stream this is a keyed bijection, so serials
 * are unique BY CONSTRUCTION: the first N characters determine `g mod 36^N` (the k-th
 * base-36 digit of g, least significant first, is passed through an affine bijection
 * of the 36 symbols keyed by (seed, k, g mod 36^k)). So any two CPEs with
 * g < 36^N get different first-N-character strings, and the characters still look
 * random (each permutation depends on every lower digit).
 * @example alnumChar(1n, 7, 0) // one of 0-9A-Z, the same on every run
 */
export function alnumChar(seed: bigint, g: number, k: number): string {
  const big = BigInt(g);
  const radix = 36n ** BigInt(k);
  const low = big % radix;
  const digit = Number((big / radix) % 36n);
  const h = keyHash(seed, `alnum:${k}:${low}`);
  const a = UNITS36[Number(h % 12n)] ?? 1;
  const b = Number((h / 12n) % 36n);
  return ALNUM[(a * digit + b) % 36] ?? '0';
}

/**
 * `n` characters of CPE `g`'s alnum sequence starting at position `from`: consecutive
 * `{cpe:alnum}` forms of one string continue where the previous one stopped.
 */
export function alnumRun(seed: bigint, g: number, from: number, n: number): string {
  let out = '';
  for (let k = from; k < from + n; k++) out += alnumChar(seed, g, k);
  return out;
}
