import { describe, expect, it } from 'vitest';
import { hasPlaceholders, PlaceholderError, stampInstance, stampPlaceholders, stampSerial } from '../../src/profile/index.js';

/** Pinned rpick choices of CPEs 1-6 with seed 1 (src/random/, not cpe-labs' values). */
const RPICK_1_6_11 = ['11', '6', '1', '6', '1', '6'];
const cpe = (index: number) => ({ index, id: `cpe-${index}`, seed: 1n });

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
    ['{cpe:ipv4:10.0.0.0/24}', 255, '10.0.0.255'], // cpe-labs hands out the broadcast address (ref. 5.4)
    ['{cpe:ipv4:10.0.0.9/32}', 1, '10.0.0.9'], // a /32 is the address itself
    ['{cpe:ipv4:10.0.0.7/24}', 1, '10.0.0.1'], // host bits are masked off
    ['{cpe:0}', 7, '7'],
    ['{cpe:+3}', 7, '007'],
    ['{cpe:-3}', 7, '{cpe:-3}'], // a negative width is not a form: literal
    ['{cpe:ipv4:10.0.0.0/16}', 300, '10.0.1.44'],
    ['{cpe:ipv4:10.0.0.0/30}', 2, '10.0.0.2'],
    ['{cpe:ipv6:2001:db8::/64}', 7, '2001:db8::7'],
    ['{cpe:ipv6:2001:db8::/64}', 0x10000, '2001:db8::1:0'],
    ['{cpe:ipv6:2001:db8:0:1::/64}', 1, '2001:db8:0:1::1'],
    ['{cpe:ipv6:::ffff:10.0.0.0/120}', 5, '::ffff:a00:5'],
    ['{cpe:ipv6:2001:DB8::/126}', 3, '2001:db8::3'],
    // ref. 5.4: g = 1 is the SECOND prefix (super + g * 2^(128 - len)).
    ['{cpe:ipv6prefix:2001:db8::/32,56}', 1, '2001:db8:0:100::/56'],
    ['{cpe:ipv6prefix:2001:db8::/32,56}', 2, '2001:db8:0:200::/56'],
    ['{cpe:ipv6prefix:2001:db8:8000::/36,56}', 1, '2001:db8:8000:100::/56'],
    ['{cpe:ipv6prefix:2001:db8::/32,48}', 3, '2001:db8:3::/48'],
    ['{cpe:ipv6prefix:2001:db8::/48,64}', 65535, '2001:db8:0:ffff::/64'],
    // pick strides through the options by index, trimmed (ref. 5.3)
    ['{cpe:pick:1,6,11}', 1, '1'],
    ['{cpe:pick:1,6,11}', 2, '6'],
    ['{cpe:pick:1, 6 ,11}', 2, '6'],
    ['{cpe:pick:1,6,11}', 4, '1'],
    ['{cpe:pick:a,,b}', 2, ''],
    ['{cpe_id}', 12, 'cpe-12'],
    ['cr-{cpe_id}/{cpe:3}', 5, 'cr-cpe-5/005'],
  ])('%s for CPE %i → %s', (tpl, index, want) => {
    expect(stampPlaceholders(tpl, cpe(index))).toBe(want);
  });

  it('stamps for a single CPE too ({cpe_id} → cpe-1)', () => {
    expect(stampPlaceholders('{cpe_id}', cpe(1))).toBe('cpe-1');
  });

  it('keeps text that is not a placeholder literal', () => {
    for (const s of ['{', '}', '{}', '{x}', '{cpe', '{cpe-1}', '{cpe }', '{ cpe}', 'a{b}c', '{"json": 1}', '{CPE}', '{i}', '{cpeid}', 'x{cpe:4', '{cpe:-1}']) {
      expect(stampPlaceholders(s, cpe(3))).toBe(s);
    }
    expect(stampPlaceholders('{x}{cpe}{', cpe(3))).toBe('{x}3{');
  });

  it.each([
    ['{cpe:}', /unknown placeholder/],
    ['{cpe:256}', /from 0 to 255/],
    ['{cpe:hex}', /decimal number, found none/],
    ['{cpe:hex:x}', /decimal number/],
    ['{cpe:mac:4}', /N = 1, 2 or 3/],
    ['{cpe:mac:0}', /N = 1, 2 or 3/],
    ['{cpe:mac}', /N = 1, 2 or 3/],
    ['{cpe:ipv4:10.0.0.0}', /CIDR/],
    ['{cpe:ipv4:10.0.0/24}', /not an IPv4 address/],
    ['{cpe:ipv4:10.0.0.0/33}', /prefix length/],
    ['{cpe:ipv4:010.0.0.0/24}', /not an IPv4 address/],
    ['{cpe:ipv6:2001:db8:::/64}', /not an IPv6 address/],
    ['{cpe:ipv6:fe80::%eth0/64}', /not an IPv6 address/],
    ['{cpe:ipv6prefix:2001:db8::/32}', /SUPER,LEN/],
    ['{cpe:ipv6prefix:2001:db8::/32,/48}', /plain number/],
    ['{cpe:ipv6prefix:2001:db8::/56,48}', /longer than the super-prefix/],
    ['{cpe:alnum:0}', /N from 1/],
    ['{cpe:pick:}', /option list is empty/],
    ['{cpe:rpick:}', /option list is empty/],
    ['{cpe:ipv6prefix:2001:db8::/32,129}', /at most 128/],
    ['{cpe:foo:1}', /unknown placeholder/],
    ['{cpe_idx}', /unknown placeholder/],
  ])('rejects malformed %s', (tpl, re) => {
    expect(() => stampPlaceholders(tpl, cpe(1))).toThrow(PlaceholderError);
    expect(() => stampPlaceholders(tpl, cpe(1))).toThrow(re);
  });

  it.each([
    ['{cpe:mac:1}', 256, /room for 255 CPEs/],
    ['{cpe:mac:2}', 65536, /room for 65535 CPEs/],
    ['{cpe:ipv4:10.0.0.0/24}', 256, /room for 255 CPEs/],
    ['{cpe:ipv4:10.0.0.0/30}', 4, /room for 3 CPEs/],
    ['{cpe:ipv4:10.0.0.0/31}', 2, /room for 1 CPE,/],
    ['{cpe:ipv4:10.0.0.0/32}', 2, /room for 1 CPE,/],
    ['{cpe:ipv6:2001:db8::/126}', 4, /room for 3 CPEs/],
    ['{cpe:ipv6:2001:db8::/128}', 1, /room for 0 CPEs/],
    ['{cpe:ipv6prefix:2001:db8::/48,56}', 256, /room for 255 CPEs/],
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
    expect(() => stampSerial('{i:65}', 'SN', 1)).toThrow(/width/);
    expect(stampSerial('{i:0}', 'SN', 7)).toBe('7');
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
    expect(stampPlaceholders('{cpe:ipv6prefix:2001:db8::/32,56}', c)).toBe('2001:db8:0:700::/56');
    expect(stampPlaceholders('{cpe:ipv4:10.0.0.0/24}', c)).toBe('10.0.0.7');
    expect(stampPlaceholders('{cpe:mac:3}|{cpe:4}|{cpe:hex:4}|{cpe_id}', c)).toBe('00:00:07|0007|0007|cpe-7');
  });
});

describe('seeded forms: alnum and rpick (values pinned; they differ from cpe-labs by design, decision 004)', () => {
  it('{cpe:ALNUM:N} / {cpe:alnum:N} draw the CPE\'s alnum sequence; forms of one string continue it', () => {
    expect(stampPlaceholders('{cpe:ALNUM:6}', cpe(1))).toBe('GIAQ8O');
    expect(stampPlaceholders('{cpe:alnum:6}', cpe(1))).toBe('giaq8o');
    expect(stampPlaceholders('{cpe:ALNUM:3}-{cpe:ALNUM:3}', cpe(1))).toBe('GIA-Q8O');
    expect(stampPlaceholders('{cpe:ALNUM:6}', cpe(2))).toBe('LFQMIW');
    // A new string starts over: the same form in two leaves gives the same token.
    expect(stampPlaceholders('x{cpe:ALNUM:4}', cpe(1))).toBe('xGIAQ');
  });

  it('{cpe:rpick:…} picks one option per CPE and list text; the same list gives the same choice everywhere', () => {
    const picks = [1, 2, 3, 4, 5, 6].map((g) => stampPlaceholders('{cpe:rpick:1,6,11}', cpe(g)));
    expect(picks).toEqual(RPICK_1_6_11);
    expect(stampPlaceholders('{cpe:rpick:1,6,11}/{cpe:rpick:1,6,11}', cpe(3))).toBe(`${picks[2]}/${picks[2]}`);
    for (const p of picks) expect(['1', '6', '11']).toContain(p);
  });

  it('a different seed gives other values, the same seed the same ones', () => {
    expect(stampPlaceholders('{cpe:ALNUM:8}', { ...cpe(1), seed: 42n })).toBe('OFAEGQHV');
    expect(stampPlaceholders('{cpe:ALNUM:8}', { ...cpe(1), seed: 42n })).toBe(stampPlaceholders('{cpe:ALNUM:8}', { ...cpe(1), seed: 42n }));
  });
});

describe('pools (ref. 5.4)', () => {
  const pools = {
    wan4: { type: 'ipv4', cidr: '198.51.100.0/24' },
    wan6: { type: 'ipv6', cidr: '2001:db8:10::/64' },
    pd: { type: 'ipv6prefix', super: '2001:db8:8000::/36', sublen: 56 },
  } as const;
  it.each([
    ['{wan4}', 1, '198.51.100.1'],
    ['{wan4}', 255, '198.51.100.255'],
    ['{wan6}', 7, '2001:db8:10::7'],
    ['{pd}', 1, '2001:db8:8000:100::/56'],
    ['{pd}', 2, '2001:db8:8000:200::/56'],
    ['gw {wan4} / {cpe}', 3, 'gw 198.51.100.3 / 3'],
    ['{other}', 3, '{other}'],
  ])('%s for CPE %i → %s', (tpl, g, want) => {
    expect(stampPlaceholders(tpl, cpe(g), pools)).toBe(want);
  });
  it('a pool too small for the CPE is an error naming the pool', () => {
    expect(() => stampPlaceholders('{wan4}', cpe(256), pools)).toThrow(/\{wan4\} has room for 255 CPEs/);
  });
  it('hasPlaceholders sees pool names', () => {
    expect(hasPlaceholders('{wan4}', pools)).toBe(true);
    expect(hasPlaceholders('{wan4}')).toBe(false);
  });
});

describe('serial patterns (ref. 5.2)', () => {
  it('runs the placeholder engine after {base}/{i}, one alnum sequence for the whole serial', () => {
    expect(stampSerial('EX{cpe:ALNUM:6}', 'EX', 1, 1n)).toBe('EXGIAQ8O');
    expect(stampSerial('{base}{cpe:ALNUM:2}', 'S{cpe:ALNUM:2}', 1, 1n)).toBe('SGIAQ');
    expect(stampSerial('{base}-{i}', 'ABC', 1)).toBe('ABC-1');
  });
  it('refuses a serial over 64 bytes', () => {
    expect(() => stampSerial('{base}-{i}', 'X'.repeat(63), 1)).toThrow(/at most 64/);
  });
});
