import { describe, expect, it } from 'vitest';
import { hasPlaceholders, PlaceholderError, stampInstance, stampPlaceholders, stampSerial } from '../../src/profile/index.js';

const cpe = (index: number) => ({ index, id: `cpe-${index}` });

describe('stampPlaceholders', () => {
  it.each([
    ['{cpe}', 7, '7'],
    ['{cpe:4}', 7, '0007'],
    ['{cpe:2}', 123, '123'], // wider than N: not truncated
    ['{cpe:hex:4}', 255, '00ff'],
    ['{cpe:HEX:4}', 255, '00FF'],
    ['{cpe:hex:1}', 4096, '1000'],
    ['{cpe:mac:3}', 7, '00:00:07'],
    ['{cpe:mac:1}', 255, 'ff'],
    ['{cpe:MAC:2}', 0xabc, '0A:BC'],
    ['{cpe:mac:3}', 0xfffffe, 'ff:ff:fe'],
    ['{cpe:ipv4:10.0.0.0/24}', 1, '10.0.0.1'],
    ['{cpe:ipv4:10.0.0.0/24}', 254, '10.0.0.254'],
    ['{cpe:ipv4:10.0.0.0/16}', 300, '10.0.1.44'],
    ['{cpe:ipv4:10.0.0.0/30}', 2, '10.0.0.2'],
    ['{cpe:ipv6:2001:db8::/64}', 7, '2001:db8::7'],
    ['{cpe:ipv6:2001:db8::/64}', 0x10000, '2001:db8::1:0'],
    ['{cpe:ipv6:2001:db8:0:1::/64}', 1, '2001:db8:0:1::1'],
    ['{cpe:ipv6:::ffff:10.0.0.0/120}', 5, '::ffff:a00:5'],
    ['{cpe:ipv6:2001:DB8::/126}', 3, '2001:db8::3'],
    ['{cpe:ipv6prefix:2001:db8::/32,56}', 1, '2001:db8::/56'],
    ['{cpe:ipv6prefix:2001:db8::/32,56}', 2, '2001:db8:0:100::/56'],
    ['{cpe:ipv6prefix:2001:db8::/32,/48}', 3, '2001:db8:2::/48'],
    ['{cpe:ipv6prefix:2001:db8::/48,64}', 65536, '2001:db8:0:ffff::/64'],
    ['{cpe_id}', 12, 'cpe-12'],
    ['cr-{cpe_id}/{cpe:3}', 5, 'cr-cpe-5/005'],
  ])('%s for CPE %i → %s', (tpl, index, want) => {
    expect(stampPlaceholders(tpl, cpe(index))).toBe(want);
  });

  it('stamps for a single CPE too ({cpe_id} → cpe-1)', () => {
    expect(stampPlaceholders('{cpe_id}', cpe(1))).toBe('cpe-1');
  });

  it('keeps text that is not a placeholder literal', () => {
    for (const s of ['{', '}', '{}', '{x}', '{cpe', '{cpe-1}', '{cpe }', '{ cpe}', 'a{b}c', '{"json": 1}', '{CPE}', '{i}']) {
      expect(stampPlaceholders(s, cpe(3))).toBe(s);
    }
    expect(stampPlaceholders('{x}{cpe}{', cpe(3))).toBe('{x}3{');
  });

  it.each([
    ['{cpe:}', /unknown placeholder/],
    ['{cpe:0}', /between 1 and 32/],
    ['{cpe:hex}', /missing width/],
    ['{cpe:hex:x}', /decimal number/],
    ['{cpe:mac:4}', /N = 1, 2 or 3/],
    ['{cpe:mac:0}', /N = 1, 2 or 3/],
    ['{cpe:mac}', /N = 1, 2 or 3/],
    ['{cpe:ipv4:10.0.0.0}', /CIDR/],
    ['{cpe:ipv4:10.0.0/24}', /not an IPv4 address/],
    ['{cpe:ipv4:10.0.0.1/24}', /host bits set.*10\.0\.0\.0\/24/],
    ['{cpe:ipv4:10.0.0.0/33}', /prefix length/],
    ['{cpe:ipv4:010.0.0.0/24}', /not an IPv4 address/],
    ['{cpe:ipv6:2001:db8::1/64}', /host bits set.*2001:db8::\/64/],
    ['{cpe:ipv6:2001:db8:::/64}', /not an IPv6 address/],
    ['{cpe:ipv6:fe80::%eth0/64}', /not an IPv6 address/],
    ['{cpe:ipv6prefix:2001:db8::/32}', /SUPER,SUBLEN/],
    ['{cpe:ipv6prefix:2001:db8::/56,48}', /SUBLEN must be longer/],
    ['{cpe:ipv6prefix:2001:db8::/32,129}', /at most 128/],
    ['{cpe:foo:1}', /unknown placeholder/],
    ['{cpe_idx}', /unknown placeholder/],
    ['{cpeid}', /unknown placeholder/],
    ['x{cpe:4', /unterminated/],
  ])('rejects malformed %s', (tpl, re) => {
    expect(() => stampPlaceholders(tpl, cpe(1))).toThrow(PlaceholderError);
    expect(() => stampPlaceholders(tpl, cpe(1))).toThrow(re);
  });

  it.each([
    ['{cpe:mac:1}', 256, /room for 255 CPEs/],
    ['{cpe:mac:2}', 65536, /room for 65535 CPEs/],
    ['{cpe:ipv4:10.0.0.0/24}', 255, /room for 254 CPEs/],
    ['{cpe:ipv4:10.0.0.0/30}', 3, /room for 2 CPEs/],
    ['{cpe:ipv4:10.0.0.0/31}', 1, /room for 0 CPEs/],
    ['{cpe:ipv6:2001:db8::/126}', 4, /room for 3 CPEs/],
    ['{cpe:ipv6:2001:db8::/128}', 1, /room for 0 CPEs/],
    ['{cpe:ipv6prefix:2001:db8::/48,56}', 257, /room for 256 CPEs/],
  ])('capacity: %s cannot hold CPE %i', (tpl, index, re) => {
    expect(() => stampPlaceholders(tpl, cpe(index))).toThrow(re);
  });

  it('rejects a CPE index below 1', () => {
    expect(() => stampPlaceholders('{cpe}', { index: 0, id: 'cpe-0' })).toThrow(/≥ 1/);
  });
});

describe('hasPlaceholders', () => {
  it('detects {cpe…} forms only', () => {
    expect(hasPlaceholders('cr-{cpe_id}')).toBe(true);
    expect(hasPlaceholders('{cpe}')).toBe(true);
    expect(hasPlaceholders('{cpe:ipv4:10.0.0.0/8}')).toBe(true);
    expect(hasPlaceholders('{cpe-1} {x} {')).toBe(false);
    expect(hasPlaceholders('plain')).toBe(false);
    expect(hasPlaceholders('{i}')).toBe(false);
  });
});

describe('stampSerial', () => {
  it('stamps {base}, {i} and {i:N}', () => {
    expect(stampSerial('{base}-{i}', 'SN', 7)).toBe('SN-7');
    expect(stampSerial('LAB-{i:04}', 'SN', 7)).toBe('LAB-0007');
    expect(stampSerial('LAB-{i:4}', 'SN', 12345)).toBe('LAB-12345');
    expect(stampSerial('{base}', 'SN', 7)).toBe('SN');
    expect(stampSerial('{x}-{base}', 'SN', 7)).toBe('{x}-SN');
  });
  it('rejects malformed {i:…} and {base:…}', () => {
    expect(() => stampSerial('{i:x}', 'SN', 1)).toThrow(PlaceholderError);
    expect(() => stampSerial('{i:0}', 'SN', 1)).toThrow(/width/);
    expect(() => stampSerial('{base:2}', 'SN', 1)).toThrow(/takes no argument/);
    expect(() => stampSerial('A-{i:4', 'SN', 1)).toThrow(/unterminated/);
  });
  it('rejects a malformed pattern on every call, also right after stamping with a valid one', () => {
    expect(stampSerial('LAB-{i:04}', 'SN', 1)).toBe('LAB-0001');
    expect(stampSerial('LAB-{i:04}', 'SN', 2)).toBe('LAB-0002');
    expect(() => stampSerial('LAB-{i:99}', 'SN', 3)).toThrow(/width/);
    expect(() => stampSerial('LAB-{i:99}', 'SN', 3)).toThrow(/width/);
    expect(stampSerial('LAB-{i:04}', 'SN', 4)).toBe('LAB-0004');
  });
});

describe('stampInstance', () => {
  it('replaces every {i}', () => {
    expect(stampInstance('Device.WiFi.SSID.{i}.SSID', 2)).toBe('Device.WiFi.SSID.2.SSID');
    expect(stampInstance('host-{i}-{i}', 3)).toBe('host-3-3');
    expect(stampInstance('none', 3)).toBe('none');
  });
});

describe('documented examples (docs/profile.md)', () => {
  it('CPE 7 stamps as documented', () => {
    const c = cpe(7);
    expect(stampPlaceholders('{cpe:ipv6prefix:2001:db8::/32,56}', c)).toBe('2001:db8:0:600::/56');
    expect(stampPlaceholders('{cpe:ipv4:10.0.0.0/24}', c)).toBe('10.0.0.7');
    expect(stampPlaceholders('{cpe:mac:3}|{cpe:4}|{cpe:hex:4}|{cpe_id}', c)).toBe('00:00:07|0007|0007|cpe-7');
  });
});
