import { describe, expect, it } from 'vitest';
import { checkValue, normalizeValue } from '../../src/datamodel/check.js';

describe('checkValue', () => {
  it.each([
    ['xsd:int', '-2147483648'],
    ['xsd:int', '2147483647'],
    ['xsd:int', '+7'],
    ['xsd:unsignedInt', '0'],
    ['xsd:unsignedInt', '4294967295'],
    ['xsd:long', '-9223372036854775808'],
    ['xsd:long', '9223372036854775807'],
    ['xsd:unsignedLong', '18446744073709551615'],
    ['xsd:boolean', 'true'],
    ['xsd:boolean', 'false'],
    ['xsd:boolean', '1'],
    ['xsd:boolean', '0'],
    ['xsd:dateTime', '0001-01-01T00:00:00Z'],
    ['xsd:dateTime', '2025-03-01T10:15:00'],
    ['xsd:dateTime', '2025-03-01T10:15:00.000Z'],
    ['xsd:dateTime', '2024-02-29T23:59:59.123456+05:30'],
    ['xsd:dateTime', '2025-03-01T10:15:00-08:00'],
    ['xsd:base64', ''],
    ['xsd:base64', 'aGVsbG8='],
    ['xsd:base64', 'aGk='],
    ['xsd:base64', 'YWJj'],
    ['xsd:string', ''],
    ['xsd:string', 'any <text> & "quotes"'],
  ] as const)('%s accepts %j', (type, value) => {
    expect(checkValue(type, value)).toBeUndefined();
  });

  it.each([
    ['xsd:int', '2147483648'],
    ['xsd:int', '-2147483649'],
    ['xsd:int', '1.5'],
    ['xsd:int', ''],
    ['xsd:int', ' 1'],
    ['xsd:int', '0x10'],
    ['xsd:unsignedInt', '-1'],
    ['xsd:unsignedInt', '4294967296'],
    ['xsd:unsignedInt', 'abc'],
    ['xsd:long', '9223372036854775808'],
    ['xsd:long', '-9223372036854775809'],
    ['xsd:unsignedLong', '18446744073709551616'],
    ['xsd:unsignedLong', '-1'],
    ['xsd:boolean', 'TRUE'],
    ['xsd:boolean', 'yes'],
    ['xsd:boolean', ''],
    ['xsd:boolean', '2'],
    ['xsd:dateTime', '2025-03-01'],
    ['xsd:dateTime', '2025-03-01 10:15:00Z'],
    ['xsd:dateTime', '2025-13-01T10:15:00Z'],
    ['xsd:dateTime', '2025-02-29T10:15:00Z'],
    ['xsd:dateTime', '2025-03-01T24:00:00Z'],
    ['xsd:dateTime', '2025-03-01T10:60:00Z'],
    ['xsd:dateTime', '2025-03-01T10:15:00+15:00'],
    ['xsd:dateTime', '0000-01-01T00:00:00Z'],
    ['xsd:dateTime', ''],
    ['xsd:base64', 'aGVsbG8'],
    ['xsd:base64', 'aGk=='],
    ['xsd:base64', 'aGl='],
    ['xsd:base64', 'a GVsbG8='],
    ['xsd:base64', '!!!!'],
    ['xsd:string', 'bell\u0007'],
  ] as const)('%s rejects %j with a reason', (type, value) => {
    const why = checkValue(type, value);
    expect(why).toBeTypeOf('string');
    expect(why).toContain(type === 'xsd:string' ? 'xsd:string' : type);
  });

  it('names the input and the expected range', () => {
    expect(checkValue('xsd:unsignedInt', '-1')).toBe("'-1' is not an xsd:unsignedInt (expected an integer 0..4294967295)");
    expect(checkValue('xsd:int', '2147483648')).toContain('-2147483648..2147483647');
  });
});

describe('normalizeValue', () => {
  it('stores booleans canonically', () => {
    expect(normalizeValue('xsd:boolean', '1')).toBe('true');
    expect(normalizeValue('xsd:boolean', '0')).toBe('false');
    expect(normalizeValue('xsd:boolean', 'true')).toBe('true');
    expect(normalizeValue('xsd:boolean', 'false')).toBe('false');
  });
  it('stores integers without sign or leading zeros', () => {
    expect(normalizeValue('xsd:int', '+007')).toBe('7');
    expect(normalizeValue('xsd:int', '-0')).toBe('0');
    expect(normalizeValue('xsd:unsignedLong', '18446744073709551615')).toBe('18446744073709551615');
  });
  it('keeps other types as given', () => {
    expect(normalizeValue('xsd:dateTime', '2025-03-01T10:15:00.000Z')).toBe('2025-03-01T10:15:00.000Z');
    expect(normalizeValue('xsd:string', ' x ')).toBe(' x ');
  });
});
