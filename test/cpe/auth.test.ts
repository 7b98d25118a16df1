import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionAuth, digestAuthorization } from '../../src/cpe/auth.js';
import { parseAuthHeader } from '../../src/httpauth/index.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

describe('ACS auth', () => {
  it('computes the RFC 2617 §3.5 example response', () => {
    const h = digestAuthorization(
      { realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: ['auth'], algorithm: 'MD5', opaque: '5ccc069c403ebaf9f0171e9517f40e41', stale: false },
      { username: 'Mufasa', password: 'Circle Of Life' },
      'GET',
      '/dir/index.html',
      1,
      '0a4f113b',
    );
    const p = parseAuthHeader(h).params;
    expect(p.get('response')).toBe('6629fae49393a05397450978507c4ef1');
    expect(p.get('nc')).toBe('00000001');
    expect(p.get('opaque')).toBe('5ccc069c403ebaf9f0171e9517f40e41');
    expect(h).toMatch(/qop=auth,/);
  });

  it('supports MD5-sess (RFC 7616 §3.4.2) and the RFC 2069 form without qop', () => {
    const c = { realm: 'r', nonce: 'n', qop: ['auth'], algorithm: 'MD5-sess', stale: false };
    const p = parseAuthHeader(digestAuthorization(c, { username: 'u', password: 'p' }, 'POST', '/acs', 2, 'cn')).params;
    const ha1 = md5(`${md5('u:r:p')}:n:cn`);
    expect(p.get('response')).toBe(md5(`${ha1}:n:00000002:cn:auth:${md5('POST:/acs')}`));
    expect(p.get('algorithm')).toBe('MD5-sess');

    const p2 = parseAuthHeader(digestAuthorization({ ...c, qop: [], algorithm: 'MD5' }, { username: 'u', password: 'p' }, 'POST', '/acs', 1, 'cn')).params;
    expect(p2.get('response')).toBe(md5(`${md5('u:r:p')}:n:${md5('POST:/acs')}`));
    expect(p2.has('nc')).toBe(false);
    expect(p2.has('qop')).toBe(false);
  });

  it('keeps one cnonce and increments nc on every later request of the session', () => {
    const a = new SessionAuth('/acs', () => ({ username: 'u', password: 'p' }));
    expect(a.authorization()).toBeUndefined();
    a.challenge(['Digest realm="GenieACS",qop="auth,auth-int",nonce="abc"']);
    const h1 = parseAuthHeader(a.authorization()!).params;
    const h2 = parseAuthHeader(a.authorization()!).params;
    expect(h1.get('nc')).toBe('00000001');
    expect(h2.get('nc')).toBe('00000002');
    expect(h1.get('cnonce')).toBe(h2.get('cnonce'));
  });

  it('prefers Digest over Basic and answers Basic alone', () => {
    const a = new SessionAuth('/acs', () => ({ username: 'u', password: 'p' }));
    a.challenge(['Basic realm="x"', 'Digest realm="r", nonce="n", qop="auth"']);
    expect(a.schemeName).toBe('digest');
    const b = new SessionAuth('/acs', () => ({ username: 'u', password: 'p' }));
    b.challenge(['Basic realm="x"']);
    expect(b.authorization()).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('fails clearly without credentials or with an unusable challenge', () => {
    expect(() => new SessionAuth('/', () => undefined).challenge(['Basic realm="x"'])).toThrow(/no ACS username/);
    const a = new SessionAuth('/', () => ({ username: 'u', password: 'p' }));
    expect(() => a.challenge(['Digest realm="r", nonce="n", algorithm=SHA-256'])).toThrow(/SHA-256/);
    expect(() => a.challenge(['Digest realm="r", nonce="n", qop="auth-int"'])).toThrow(/auth-int/);
    expect(() => a.challenge(['Negotiate abc'])).toThrow(/negotiate/);
    expect(() => a.challenge([])).toThrow(/without WWW-Authenticate/);
  });
});
