/**
 * Go `time.ParseDuration`, ported rule for rule so that every duration a profile of the
 * seed's (Go) simulator accepts is accepted here with the same value, and every one it
 * rejects is rejected. The arithmetic is done on `bigint` nanoseconds with the same
 * int64 overflow limits as Go; fractions go through float64 exactly as Go does, so
 * `0.3333333333333333333h` is 20m, as in Go.
 * @module
 */
import { CpeSimError } from '../errors/index.js';

/**
 * A string is not a Go duration. `input` is the offending text.
 *
 * @example
 * try { parseDuration('5 seconds') } catch (e) { if (e instanceof DurationError) console.error(e.message) }
 */
export class DurationError extends CpeSimError {
  override name = 'DurationError';
  /** The text that failed to parse. */
  readonly input: string;
  constructor(input: string, reason: string) {
    super(
      'CPESIM_DURATION_INVALID',
      `invalid duration ${JSON.stringify(input)}: ${reason}; expected a Go duration such as "300ms", "5s", "1.5h" or "2h45m" (units ns, us, µs, ms, s, m, h; "0" alone is allowed)`,
    );
    this.input = input;
  }
}

const NS = 1n;
const US = 1000n * NS;
const MS = 1000n * US;
const SECOND = 1000n * MS;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

/** Go's unitMap: both micro signs (U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU) are accepted. */
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', NS],
  ['us', US],
  ['\u00b5s', US],
  ['\u03bcs', US],
  ['ms', MS],
  ['s', SECOND],
  ['m', MINUTE],
  ['h', HOUR],
]);

/** 1<<63: the magnitude limit Go checks against while accumulating (uint64 arithmetic). */
const LIMIT = 1n << 63n;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses a Go duration string into nanoseconds, exactly like Go's `time.ParseDuration`:
 * an optional sign then a sequence of decimal numbers, each with an optional fraction
 * and a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`), e.g. `300ms`, `-1.5h`,
 * `2h45m`. `0` (optionally signed) is the only number allowed without a unit. Values
 * outside int64 nanoseconds are errors.
 *
 * @throws {DurationError} when `s` is not a valid duration.
 * @example
 * parseDurationNs('1h15m30.5s') // 4530500000000n
 */
export function parseDurationNs(s: string): bigint {
  const orig = s;
  let rest = s;
  let neg = false;
  const first = rest[0];
  if (first === '-' || first === '+') {
    neg = first === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw new DurationError(orig, 'it is empty');
  let total = 0n;
  while (rest !== '') {
    const c = rest[0];
    if (!(c === '.' || isDigit(c))) throw new DurationError(orig, `expected a number at ${JSON.stringify(rest)}`);
    // Integer part: Go's leadingInt, which fails on values above 1<<63.
    let i = 0;
    let v = 0n;
    while (i < rest.length && isDigit(rest[i])) {
      if (v > LIMIT / 10n) throw new DurationError(orig, 'it overflows the int64 nanosecond range');
      v = v * 10n + BigInt(rest.charCodeAt(i) - 48);
      if (v > LIMIT) throw new DurationError(orig, 'it overflows the int64 nanosecond range');
      i++;
    }
    const pre = i > 0;
    rest = rest.slice(i);
    // Fraction: Go's leadingFraction, which stops gaining precision instead of failing.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (rest[0] === '.') {
      rest = rest.slice(1);
      let j = 0;
      let overflow = false;
      while (j < rest.length && isDigit(rest[j])) {
        if (!overflow) {
          if (f > (LIMIT - 1n) / 10n) {
            overflow = true;
          } else {
            const y = f * 10n + BigInt(rest.charCodeAt(j) - 48);
            if (y > LIMIT) overflow = true;
            else {
              f = y;
              scale *= 10;
            }
          }
        }
        j++;
      }
      post = j > 0;
      rest = rest.slice(j);
    }
    if (!pre && !post) throw new DurationError(orig, 'a number has no digits');
    let u = 0;
    while (u < rest.length && !(rest[u] === '.' || isDigit(rest[u]))) u++;
    if (u === 0) throw new DurationError(orig, 'a number has no unit');
    const unitName = rest.slice(0, u);
    rest = rest.slice(u);
    const unit = UNITS.get(unitName);
    if (unit === undefined) throw new DurationError(orig, `unknown unit ${JSON.stringify(unitName)}`);
    if (v > LIMIT / unit) throw new DurationError(orig, 'it overflows the int64 nanosecond range');
    v *= unit;
    if (f > 0n) {
      // Go: v += uint64(float64(f) * (float64(unit) / scale)), float64 keeps ns accuracy for fractions of hours.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > LIMIT) throw new DurationError(orig, 'it overflows the int64 nanosecond range');
    }
    total += v;
    if (total > LIMIT) throw new DurationError(orig, 'it overflows the int64 nanosecond range');
  }
  if (neg) return -total;
  if (total > LIMIT - 1n) throw new DurationError(orig, 'it overflows the int64 nanosecond range');
  return total;
}

/**
 * Like {@link parseDurationNs} but returns milliseconds as a number (fractional for
 * sub-millisecond parts: `1500us` → 1.5).
 *
 * @throws {DurationError} when `s` is not a valid duration.
 * @example
 * parseDuration('5s') // 5000
 */
export function parseDuration(s: string): number {
  return Number(parseDurationNs(s)) / 1e6;
}
