import { describe, expect, it } from 'vitest';
import { decideXmppCr, jidAllowed, type XmppCrRequest } from '../../src/xmpp/index.js';

describe('Annex K rules', () => {
  it('ConnReqAllowedJabberIDs: empty allows all; a bare JID any resource; a full JID only itself', () => {
    expect(jidAllowed('acs@x/r1', '')).toBe(true);
    expect(jidAllowed('acs@x/r1', 'acs@x')).toBe(true);
    expect(jidAllowed('ACS@X/r1', 'acs@x')).toBe(true);
    expect(jidAllowed('acs@x/r1', 'acs@x/r2')).toBe(false);
    expect(jidAllowed('acs@x/r2', 'other@x, acs@x/r2')).toBe(true);
    expect(jidAllowed('evil@x/r1', 'acs@x')).toBe(false);
  });

  const base: XmppCrRequest = { from: 'acs@x/r', allowedJabberIds: 'acs@x', credentials: { username: 'u', password: 'p' }, given: { username: 'u', password: 'p' }, admit: () => true };
  it.each([
    ['accepted', base, 'result'],
    ['jid-not-allowed', { ...base, from: 'evil@x/r' }, 'service-unavailable'],
    ['wrong-credentials', { ...base, given: { username: 'u', password: 'x' } }, 'not-authorized'],
    ['wrong-credentials', { ...base, given: { username: 'x', password: 'p' } }, 'not-authorized'],
    ['malformed', { ...base, given: undefined }, 'not-authorized'],
    ['not-populated', { ...base, credentials: { username: '', password: '' }, given: { username: '', password: '' } }, 'not-authorized'],
    ['throttled', { ...base, admit: () => false }, 'service-unavailable'],
  ] as [string, XmppCrRequest, string][])('%s → %s', (reason, req, answer) => {
    expect(decideXmppCr(req)).toEqual({ reason, answer });
  });

  it('consults the throttle only for allowed, authentic requests', () => {
    let asked = 0;
    decideXmppCr({ ...base, from: 'evil@x/r', admit: () => (asked++, true) });
    decideXmppCr({ ...base, given: { username: 'u', password: 'x' }, admit: () => (asked++, true) });
    expect(asked).toBe(0);
  });

  it('a dark box (off, rebooting, uplink cut) refuses as an offline device, before any other check', () => {
    let asked = 0;
    expect(decideXmppCr({ ...base, dark: true, admit: () => (asked++, true) })).toEqual({ answer: 'service-unavailable', reason: 'powered-off' });
    expect(decideXmppCr({ ...base, from: 'evil@x/r', dark: true })).toEqual({ answer: 'service-unavailable', reason: 'powered-off' });
    expect(asked).toBe(0);
    expect(decideXmppCr({ ...base, dark: false })).toEqual({ answer: 'result', reason: 'accepted' });
  });
});
