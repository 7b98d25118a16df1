/**
 * Value checks for the leaf types of a profile (TR-069 A.2.1 data types, XML Schema
 * Part 2 lexical forms). Used by SetParameterValues (fault 9007) and `setInternal`.
 * @module
 */
import type { XsdType } from '../profile/types.js';

/** Inclusive integer ranges per type (XML Schema Part 2 §3.3). */
const INTEGER_RANGES: Readonly<Partial<Record<XsdType, readonly [bigint, bigint]>>> = {
  'xsd:int': [-(2n ** 31n), 2n ** 31n - 1n],
  'xsd:unsignedInt': [0n, 2n ** 32n - 1n],
  'xsd:long': [-(2n ** 63n), 2n ** 63n - 1n],
  'xsd:unsignedLong': [0n, 2n ** 64n - 1n],
};

// XML Schema dateTime: [-]YYYY-MM-DDThh:mm:ss[.fff][Z|(+|-)hh:mm]
const DATE_TIME = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;
// Characters XML 1.0 §2.2 cannot carry: such a value could never be sent in a SOAP envelope.
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Checks `value` against the lexical space of `type`.
 *
 * - `xsd:int` / `xsd:unsignedInt` / `xsd:long` / `xsd:unsignedLong`: decimal digits with an
 *   optional sign (`+` only for unsigned types), within the 32/64-bit range;
 * - `xsd:boolean`: `true`, `false`, `1`, `0` (TR-069 A.2.1; GenieACS may send `1`/`0`);
 * - `xsd:dateTime`: ISO 8601 `YYYY-MM-DDThh:mm:ss`, optional fraction and zone (`Z`, `±hh:mm`);
 *   `0001-01-01T00:00:00Z` (Unknown Time, TR-106) is valid;
 * - `xsd:base64`: canonical base64 (padding present, unused bits zero, no whitespace);
 * - `xsd:string`: any text XML can carry.
 *
 * @returns `undefined` when the value is valid, else one sentence saying why not.
 * @example
 * checkValue('xsd:unsignedInt', '300');  // undefined
 * checkValue('xsd:unsignedInt', '-1');   // "'-1' is not an xsd:unsignedInt (expected an integer 0..4294967295)"
 */
export function checkValue(type: XsdType, value: string): string | undefined {
  const range = INTEGER_RANGES[type];
  if (range) {
    const [min, max] = range;
    const expected = `expected an integer ${min}..${max}`;
    const signs = min < 0n ? /^[+-]?\d+$/ : /^\+?\d+$/;
    if (!signs.test(value)) return `'${value}' is not an ${type} (${expected})`;
    const n = BigInt(value);
    if (n < min || n > max) return `'${value}' is out of range for ${type} (${expected})`;
    return undefined;
  }
  switch (type) {
    case 'xsd:boolean':
      return /^(true|false|1|0)$/.test(value) ? undefined : `'${value}' is not an xsd:boolean (expected true, false, 1 or 0)`;
    case 'xsd:dateTime':
      return checkDateTime(value);
    case 'xsd:base64':
      if (!BASE64.test(value) || Buffer.from(value, 'base64').toString('base64') !== value) {
        return `'${value}' is not canonical xsd:base64 (expected groups of 4 characters A-Z a-z 0-9 + / with = padding)`;
      }
      return undefined;
    case 'xsd:string':
      return XML_ILLEGAL.test(value) ? `the xsd:string value contains a character XML cannot carry` : undefined;
    default:
      return `unknown type '${String(type)}'`;
  }
}

function checkDateTime(value: string): string | undefined {
  const why = `'${value}' is not an xsd:dateTime (expected YYYY-MM-DDThh:mm:ss with optional .fraction and Z or ±hh:mm)`;
  const m = DATE_TIME.exec(value);
  if (!m) return why;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return why;
  if (hour > 23 || minute > 59 || second > 59) return why;
  if (m[9] !== undefined && (Number(m[9]) > 14 || Number(m[10]) > 59)) return why;
  return undefined;
}

/**
 * The canonical form a valid value is stored in: booleans become `true`/`false`,
 * integers lose a `+` sign and leading zeros; other types are stored as given.
 * Call only after {@link checkValue} accepted the value.
 * @example
 * normalizeValue('xsd:boolean', '1');  // 'true'
 * normalizeValue('xsd:int', '+007');   // '7'
 */
export function normalizeValue(type: XsdType, value: string): string {
  if (type === 'xsd:boolean') return value === '1' || value === 'true' ? 'true' : 'false';
  if (INTEGER_RANGES[type]) return BigInt(value).toString();
  return value;
}
