import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildUdpCr, MAX_UDP_CR_BYTES, parseUdpCr, udpCrSignature, verifyUdpCr } from '../../src/cr/index.js';

const SIG = 'fe3fd646070fdf8e7b62024493877a9741d50ef6'; // Python hmac.new(b'secret', b'1700000000' b'12345' b'cr-cpe-1' b'0123456789abcdef', sha1)
const GOOD = `GET http://127.0.0.1:7547?ts=1700000000&id=12345&un=cr-cpe-1&cn=0123456789abcdef&sig=${SIG} HTTP/1.1\r\nHost: 127.0.0.1:7547\r\n\r\n`;
const parse = (s: string) => parseUdpCr(Buffer.from(s, 'latin1'));
const reasonOf = (s: string) => {
  const r = parse(s);
  return r.ok ? 'ok' : r.reason;
};

describe('UDP Connection Request message (TR-069 Annex G)', () => {
  it('signs ts+id+un+cn with HMAC-SHA1 keyed by the CR password (checked against Python hmac)', () => {
    expect(udpCrSignature('secret', '1700000000', '12345', 'cr-cpe-1', '0123456789abcdef')).toBe(SIG);
  });

  it('parses the message GenieACS sends and verifies it', () => {
    const r = parse(GOOD);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message).toMatchObject({ ts: '1700000000', id: '12345', un: { raw: 'cr-cpe-1' }, sig: SIG, authority: '127.0.0.1:7547' });
    expect(verifyUdpCr(r.message, 'cr-cpe-1', 'secret')).toBe(true);
    expect(verifyUdpCr(r.message, 'cr-cpe-1', 'wrong')).toBe(false);
    expect(verifyUdpCr(r.message, 'cr-cpe-2', 'secret')).toBe(false);
  });

  it('builds exactly that message', () => {
    const b = buildUdpCr({ host: '127.0.0.1', port: 7547, username: 'cr-cpe-1', password: 'secret', ts: 1700000000, id: 12345, cn: '0123456789abcdef' });
    expect(b.toString()).toBe(GOOD);
  });

  it('accepts an upper-case sig and FreeACS\'s "/" path; a username GenieACS does not encode', () => {
    const r = parse(GOOD.replace(SIG, SIG.toUpperCase()).replace('7547?', '7547/?'));
    expect(r.ok && verifyUdpCr(r.message, 'cr-cpe-1', 'secret')).toBe(true);
    const plus = buildUdpCr({ host: 'h', port: 1, username: 'a+b@c', password: 'p' });
    const rp = parseUdpCr(plus);
    expect(rp.ok && verifyUdpCr(rp.message, 'a+b@c', 'p')).toBe(true);
  });

  it.each([
    ['oversized', 'x'.repeat(MAX_UDP_CR_BYTES + 1)],
    ['not-http', '\u0000\u0001garbage'],
    ['not-http', 'hello world'],
    ['truncated', GOOD.slice(0, 40)],
    ['truncated', GOOD.slice(0, GOOD.indexOf('\r\n'))],
    ['truncated', GOOD.slice(0, -2)],
    ['method', GOOD.replace('GET', 'POST')],
    ['malformed', GOOD.replace('HTTP/1.1', 'HTTP/1.0')],
    ['malformed', GOOD + 'body'],
    ['malformed', GOOD.replace('\r\n\r\n', '\r\nContent-Length: 4\r\n\r\n')],
    ['malformed', GOOD.replace('http://127.0.0.1:7547?', 'http://127.0.0.1:7547/cr?')],
    ['malformed', GOOD.replace('http://', 'https://')],
    ['malformed', GOOD.replace('ts=1700000000', 'ts=17x')],
    ['malformed', GOOD.replace(SIG, 'zz')],
    ['malformed', GOOD.replace('&id=12345', '&id=1&id=2')],
    ['malformed', GOOD.replace('un=cr-cpe-1', 'un=%zz')],
    ['missing-field', GOOD.replace(`&sig=${SIG}`, '')],
    ['missing-field', GOOD.replace('ts=1700000000&', '')],
    ['missing-field', GOOD.replace('un=cr-cpe-1', 'un=')],
  ])('drops %s input', (reason, input) => {
    expect(reasonOf(input)).toBe(reason);
  });

  it('never throws on 50,000 random or mutated datagrams and accepts none that were tampered with', () => {
    const good = Buffer.from(GOOD);
    let verified = 0;
    for (let i = 0; i < 50_000; i++) {
      let d: Buffer;
      if (i % 2 === 0) d = randomBytes(i % 3000);
      else {
        d = Buffer.from(good);
        // Flip 1-4 random bytes of a valid message.
        for (let k = 0; k <= i % 4; k++) d[Math.floor(Math.random() * d.length)] = Math.floor(Math.random() * 256);
      }
      const r = parseUdpCr(d);
      if (r.ok && verifyUdpCr(r.message, 'cr-cpe-1', 'secret') && !d.equals(good)) {
        // A flip inside a header name/value or the Host line can leave the signed fields intact: only then may it verify.
        const p = parseUdpCr(good);
        if (p.ok && (r.message.ts !== p.message.ts || r.message.id !== p.message.id || r.message.cn.raw !== p.message.cn.raw)) verified++;
      }
    }
    expect(verified).toBe(0);
  });
});
