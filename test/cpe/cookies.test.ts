import { describe, expect, it } from 'vitest';
import { CookieJar, splitSetCookie } from '../../src/cpe/cookies.js';

describe('CookieJar', () => {
  it('stores name=value and sends them back', () => {
    const jar = new CookieJar();
    jar.store(['session=abc; Path=/', 'lb=n1'], '/acs');
    expect(jar.header('/acs')).toBe('session=abc; lb=n1');
  });

  it('tolerates several cookies joined with commas, but not the comma in Expires', () => {
    expect(splitSetCookie('a=1; Path=/, b=2; Expires=Wed, 21 Oct 2099 07:28:00 GMT')).toEqual(['a=1; Path=/', 'b=2; Expires=Wed, 21 Oct 2099 07:28:00 GMT']);
    const jar = new CookieJar();
    jar.store('a=1, b=2', '/');
    expect(jar.header('/')).toBe('a=1; b=2');
  });

  it('honours Path and deletes on Max-Age=0 or a past Expires', () => {
    const jar = new CookieJar();
    jar.store(['x=1; Path=/other', 'y=2; Path=/acs'], '/acs');
    expect(jar.header('/acs')).toBe('y=2');
    jar.store('y=2; Path=/acs; Max-Age=0', '/acs');
    expect(jar.header('/acs')).toBeUndefined();
    jar.store('z=3; Path=/', '/acs');
    jar.store('z=3; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT', '/acs');
    expect(jar.size).toBe(1); // only x for /other
  });

  it('replaces a cookie with the same name and path, ignores nameless ones', () => {
    const jar = new CookieJar();
    jar.store('s=1; Path=/', '/acs');
    jar.store('s=2; Path=/', '/acs');
    jar.store('=nope', '/acs');
    jar.store('"quoted', '/acs');
    expect(jar.header('/acs')).toBe('s=2');
  });

  it('unquotes a quoted value', () => {
    const jar = new CookieJar();
    jar.store('s="v1"', '/');
    expect(jar.header('/')).toBe('s=v1');
  });
});
