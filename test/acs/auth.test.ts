import { describe, expect, it } from 'vitest';
import { AcsAuthenticator } from '../../src/acs/auth.js';
import { authParams, digestAuth } from './raw-cpe.js';

describe('AcsAuthenticator (digest)', () => {
  const make = (t: { now: number }, extra = {}) =>
    new AcsAuthenticator({ scheme: 'digest', username: 'u', password: 'p', realm: 'R', nonceLifetimeMs: 1000, ...extra }, () => t.now);

  it('accepts a correct answer once per nc, in increasing order', () => {
    const t = { now: 0 };
    const a = make(t);
    const ch = a.challenge(1);
    expect(a.check(digestAuth(ch, 'u', 'p', 'POST', '/cwmp', 1), 'POST', '/cwmp', 1)).toMatchObject({ ok: true });
    expect(a.check(digestAuth(ch, 'u', 'p', 'POST', '/cwmp', 1), 'POST', '/cwmp', 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/replayed/) as unknown });
    expect(a.check(digestAuth(ch, 'u', 'p', 'POST', '/cwmp', 5), 'POST', '/cwmp', 1)).toMatchObject({ ok: true });
  });

  it('an expired or unknown nonce with a correct digest gets stale=true; a wrong digest does not', () => {
    const t = { now: 0 };
    const a = make(t);
    const ch = a.challenge(1);
    t.now = 1001;
    const out = a.check(digestAuth(ch, 'u', 'p', 'POST', '/cwmp', 1), 'POST', '/cwmp', 1);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.reason).toMatch(/expired/);
      expect(authParams(out.challenge)['stale']).toBe('true');
    }
    const forged = ch.replace(/nonce="[^"]+"/, 'nonce="deadbeef"');
    const unknown = a.check(digestAuth(forged, 'u', 'p', 'POST', '/cwmp', 1), 'POST', '/cwmp', 1);
    expect(!unknown.ok && unknown.challenge).toMatch(/stale=true/);
    const wrong = a.check(digestAuth(forged, 'u', 'bad', 'POST', '/cwmp', 1), 'POST', '/cwmp', 1);
    expect(!wrong.ok && wrong.challenge).not.toMatch(/stale/);
  });

  it('refuses a missing opaque, a foreign realm, no qop, and nonce reuse on another connection unless scope is any', () => {
    const a = make({ now: 0 });
    const ch = a.challenge(1);
    const good = digestAuth(ch, 'u', 'p', 'POST', '/cwmp', 1);
    expect(a.check(good.replace(/, opaque="[^"]+"/, ''), 'POST', '/cwmp', 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/opaque/) as unknown });
    expect(a.check(good.replace(/qop=auth, nc=\w+, cnonce="[^"]+", /, ''), 'POST', '/cwmp', 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/qop/) as unknown });
    expect(a.check(good, 'POST', '/cwmp', 2)).toMatchObject({ ok: false, reason: expect.stringMatching(/another TCP connection/) as unknown });
    const any = make({ now: 0 }, { nonceScope: 'any' });
    const ch2 = any.challenge(1);
    expect(any.check(digestAuth(ch2, 'u', 'p', 'POST', '/cwmp', 1), 'POST', '/cwmp', 2)).toMatchObject({ ok: true });
  });
});

describe('AcsAuthenticator (basic)', () => {
  it('checks user and password, and the challenge names the realm', () => {
    const a = new AcsAuthenticator({ scheme: 'basic', username: 'u', password: 'p:w' }, Date.now);
    expect(a.challenge(undefined)).toBe('Basic realm="cpe-sim-acs", charset="UTF-8"');
    expect(a.check(`Basic ${Buffer.from('u:p:w').toString('base64')}`, 'POST', '/', undefined)).toMatchObject({ ok: true });
    expect(a.check(`Basic ${Buffer.from('u:p').toString('base64')}`, 'POST', '/', undefined).ok).toBe(false);
    expect(a.check(undefined, 'POST', '/', undefined).ok).toBe(false);
  });
});
