import { describe, expect, it } from 'vitest';
import { DurationError, parseDuration, parseDurationNs } from '../../src/profile/index.js';

const NS = 1n;
const US = 1000n;
const MS = 1000n * US;
const S = 1000n * MS;
const M = 60n * S;
const H = 60n * M;
const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);

// Go's src/time/time_test.go parseDurationTests (facts carried over; table rewritten).
const valid: Array<[string, bigint]> = [
  // simple
  ['0', 0n],
  ['5s', 5n * S],
  ['30s', 30n * S],
  ['1478s', 1478n * S],
  // sign
  ['-5s', -5n * S],
  ['+5s', 5n * S],
  ['-0', 0n],
  ['+0', 0n],
  // decimal
  ['5.0s', 5n * S],
  ['5.6s', 5n * S + 600n * MS],
  ['5.s', 5n * S],
  ['.5s', 500n * MS],
  ['1.0s', 1n * S],
  ['1.00s', 1n * S],
  ['1.004s', 1n * S + 4n * MS],
  ['1.0040s', 1n * S + 4n * MS],
  ['100.00100s', 100n * S + 1n * MS],
  // different units
  ['10ns', 10n * NS],
  ['11us', 11n * US],
  ['12\u00b5s', 12n * US], // U+00B5 MICRO SIGN
  ['12\u03bcs', 12n * US], // U+03BC GREEK SMALL LETTER MU
  ['13ms', 13n * MS],
  ['14s', 14n * S],
  ['15m', 15n * M],
  ['16h', 16n * H],
  // composite durations
  ['3h30m', 3n * H + 30n * M],
  ['10.5s4m', 4n * M + 10n * S + 500n * MS],
  ['-2m3.4s', -(2n * M + 3n * S + 400n * MS)],
  ['1h2m3s4ms5us6ns', 1n * H + 2n * M + 3n * S + 4n * MS + 5n * US + 6n * NS],
  ['39h9m14.425s', 39n * H + 9n * M + 14n * S + 425n * MS],
  // large value
  ['52763797000ns', 52763797000n * NS],
  // more than 9 digits after the decimal point (Go issue 6617)
  ['0.3333333333333333333h', 20n * M],
  // 1<<53 + 1 is not exact in a float64
  ['9007199254740993ns', (1n << 53n) + 1n],
  // the int64 limits
  ['9223372036854775807ns', MAX],
  ['9223372036854775.807us', MAX],
  ['9223372036s854ms775us807ns', MAX],
  ['-9223372036854775808ns', MIN],
  ['-9223372036854775.808us', MIN],
  ['-9223372036s854ms775us808ns', MIN],
  // largest negative round-trip value (Go issue 48629)
  ['-2562047h47m16.854775808s', MIN],
  // huge fraction (Go issue 15011)
  ['0.100000000000000000000h', 6n * M],
  // first overflow check in the fraction
  ['0.830103483285477580700h', 49n * M + 48n * S + 372539827n * NS],
  // cases named in the cpe-sim brief
  ['1.5h', 90n * M],
  ['1h15m30.5s', 1n * H + 15n * M + 30n * S + 500n * MS],
  ['-1.5h', -90n * M],
  ['300ms', 300n * MS],
  ['2h45m', 2n * H + 45n * M],
  ['1\u00b5s', 1n * US],
  ['1us', 1n * US],
];

// Go's parseDurationErrorTests, plus cpe-sim's own.
const invalid: string[] = [
  '',
  '3',
  '-',
  's',
  '.',
  '-.',
  '.s',
  '+.s',
  '1d',
  '\x85\x85',
  '\xffff',
  'hello \xffff world',
  '\uFFFD',
  '\uFFFD hello \uFFFD world',
  // overflow
  '9223372036854775810ns',
  '9223372036854775808ns',
  '-9223372036854775809ns',
  '9223372036854776us',
  '3000000h',
  '9223372036854775.808us',
  '9223372036854ms775us808ns',
  // cpe-sim brief
  '5 seconds',
  '5',
  '1.5',
  ' 5s',
  '5s ',
  '5S',
  '1h-5m',
];

describe('parseDurationNs (Go time.ParseDuration)', () => {
  it.each(valid)('parses %j', (input, want) => {
    expect(parseDurationNs(input)).toBe(want);
  });

  it.each(invalid)('rejects %j with a DurationError naming the input', (input) => {
    let err: unknown;
    try {
      parseDurationNs(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DurationError);
    const de = err as DurationError;
    expect(de.code).toBe('CPESIM_DURATION_INVALID');
    expect(de.input).toBe(input);
    expect(de.message).toContain(JSON.stringify(input));
    expect(de.message).toContain('expected a Go duration');
  });

  it('names an unknown unit in the message', () => {
    expect(() => parseDurationNs('1d')).toThrow(/unknown unit "d"/);
    expect(() => parseDurationNs('5 seconds')).toThrow(/unknown unit " seconds"/);
  });
});

describe('parseDuration (milliseconds)', () => {
  it('converts to milliseconds, fractional below 1 ms', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1500us')).toBe(1.5);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('-1.5h')).toBe(-5_400_000);
  });
  it('throws DurationError like parseDurationNs', () => {
    expect(() => parseDuration('10')).toThrow(DurationError);
  });
});
