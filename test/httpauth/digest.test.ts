import { describe, expect, it } from 'vitest';
import {
  digestHa1,
  digestResponse,
  digestRspauth,
  formatDigestAuthorization,
  parseAuthHeader,
  parseBasicCredentials,
  formatBasicAuthorization,
  AuthHeaderError,
} from '../../src/httpauth/index.js';

// RFC 7616 §3.9.1 (MD5 example).
const RFC = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  password: 'Circle of Life',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  qop: 'auth' as const,
};

describe('httpauth digest math (RFC 7616 §3.9.1)', () => {
  it('computes the worked MD5 example response 8ca523f5e9506fed4657c9700eebdbec', () => {
    expect(digestResponse(RFC)).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });
  it('HA1 is MD5(username:realm:password)', () => {
    const ha1 = digestHa1('Mufasa', 'http-auth@example.org', 'Circle of Life');
    expect(ha1).toMatch(/^[0-9a-f]{32}$/);
    expect(digestResponse(RFC, ha1)).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(digestResponse({ ...RFC, password: 'circle of life' })).not.toBe('8ca523f5e9506fed4657c9700eebdbec');
  });
  it('rspauth hashes an empty method (RFC 7616 §3.5) and so differs from response', () => {
    const r = digestRspauth(RFC);
    expect(r).toMatch(/^[0-9a-f]{32}$/);
    expect(r).not.toBe(digestResponse(RFC));
    expect(r).toBe(digestResponse({ ...RFC, method: '' }));
  });
  it('formatDigestAuthorization round-trips through parseAuthHeader', () => {
    const v = formatDigestAuthorization({
      challenge: { realm: RFC.realm, nonce: RFC.nonce, qop: ['auth'], algorithm: 'MD5', stale: false },
      username: RFC.username,
      password: RFC.password,
      method: 'GET',
      uri: RFC.uri,
      nc: 1,
      cnonce: RFC.cnonce,
    });
    const h = parseAuthHeader(v);
    expect(h.scheme).toBe('digest');
    expect(h.params.get('response')).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(v).toContain('nc=00000001');
    expect(v).toContain('qop=auth,');
  });
});

describe('httpauth header parsing', () => {
  it('accepts quoted and unquoted values, lower-cases keys', () => {
    const h = parseAuthHeader('Digest QOP="auth", algorithm=MD5, nc=00000001, username="a\\"b"');
    expect(h.params.get('qop')).toBe('auth');
    expect(h.params.get('algorithm')).toBe('MD5');
    expect(h.params.get('username')).toBe('a"b');
  });
  it.each([
    ['unterminated quote', 'Digest username="abc'],
    ['duplicate parameter', 'Digest nc=00000001, nc=00000002'],
    ['junk between parameters', 'Digest a=b c=d'],
    ['no scheme', '   '],
  ])('rejects %s', (_n, v) => {
    expect(() => parseAuthHeader(v)).toThrow(AuthHeaderError);
  });
  it('Basic: decodes canonical base64 with a colon; refuses the rest', () => {
    const tok = formatBasicAuthorization('user', 'pa:ss').slice(6);
    expect(parseBasicCredentials(tok)).toEqual({ username: 'user', password: 'pa:ss' });
    expect(parseBasicCredentials('!!!!')).toBeUndefined();
    expect(parseBasicCredentials(Buffer.from('nocolon').toString('base64'))).toBeUndefined();
    expect(parseBasicCredentials('dXNlcjpwYXNz=')).toBeUndefined();
  });
});
