import { describe, expect, it } from 'vitest';
import { authorizeCr, digestChallenge, basicChallenge, type CrAuthRequest } from '../../src/cr/auth.js';
import { NonceStore } from '../../src/cr/nonce.js';
import { digestResponse, formatBasicAuthorization, parseAuthHeader, quote } from '../../src/httpauth/index.js';

const REALM = 'cpe-sim';
const CREDS = { username: 'acs', password: 's3cret' };

function digestHeader(o: { nonce: string; nc?: string; uri?: string; password?: string; username?: string; realm?: string; extra?: string; qop?: string | null; algorithm?: string | null }): string {
  const nc = o.nc ?? '00000001';
  const uri = o.uri ?? '/cr';
  const realm = o.realm ?? REALM;
  const username = o.username ?? CREDS.username;
  const response = digestResponse({ username, realm, password: o.password ?? CREDS.password, method: 'GET', uri, nonce: o.nonce, nc, cnonce: 'abc', qop: 'auth' });
  const parts = [`username=${quote(username)}`, `realm=${quote(realm)}`, `nonce=${quote(o.nonce)}`, `uri=${quote(uri)}`, `cnonce="abc"`, `nc=${nc}`, `response=${quote(response)}`];
  if (o.qop !== null) parts.push(`qop=${o.qop ?? 'auth'}`);
  if (o.algorithm !== null) parts.push(`algorithm=${o.algorithm ?? 'MD5'}`);
  if (o.extra) parts.push(o.extra);
  return `Digest ${parts.join(', ')}`;
}

function setup() {
  let t = 0;
  const nonces = new NonceStore({ scope: 'x', now: () => t, lifetimeMs: 1000 });
  const req = (authorization: CrAuthRequest['authorization'], over: Partial<CrAuthRequest> = {}): ReturnType<typeof authorizeCr> =>
    authorizeCr({ scheme: 'digest', realm: REALM, credentials: CREDS, authorization, method: 'GET', target: '/cr', nonces, ...over });
  return { nonces, req, advance: (ms: number) => (t += ms) };
}

const challengeOf = (o: ReturnType<typeof authorizeCr>) => (o.ok || o.status !== 401 || !o.challenge ? undefined : parseAuthHeader(o.challenge));

describe('authorizeCr: digest', () => {
  it('challenge shape: Digest realm, nonce, qop="auth", algorithm=MD5', () => {
    expect(digestChallenge('r', 'N')).toBe('Digest realm="r", nonce="N", qop="auth", algorithm=MD5');
    expect(digestChallenge('r', 'N', true)).toBe('Digest realm="r", nonce="N", qop="auth", algorithm=MD5, stale=true');
    expect(basicChallenge('cpe "sim"')).toBe('Basic realm="cpe \\"sim\\""');
  });
  it('no Authorization → 401 with a fresh challenge', () => {
    const { req } = setup();
    const o = req(undefined);
    expect(o).toMatchObject({ ok: false, status: 401, reason: 'unauthorized', detail: 'no-credentials' });
    expect(challengeOf(o)?.params.get('stale')).toBeUndefined();
  });
  it('correct digest → ok with Authentication-Info rspauth', () => {
    const { req, nonces } = setup();
    const o = req(digestHeader({ nonce: nonces.issue() }));
    expect(o.ok).toBe(true);
    if (o.ok) expect(o.authenticationInfo).toMatch(/^qop=auth, rspauth="[0-9a-f]{32}", cnonce="abc", nc=00000001$/);
  });
  it('accepts quoted or unquoted qop/algorithm/nc', () => {
    const { req, nonces } = setup();
    const n = nonces.issue();
    const h = digestHeader({ nonce: n, qop: '"auth"', algorithm: '"MD5"' }).replace('nc=00000001', 'nc="00000001"');
    expect(req(h).ok).toBe(true);
    expect(req(digestHeader({ nonce: n, nc: '00000002', algorithm: null })).ok).toBe(true); // absent algorithm = MD5
  });
  it('wrong password → 401, fresh challenge, no stale', () => {
    const { req, nonces } = setup();
    const o = req(digestHeader({ nonce: nonces.issue(), password: 'nope' }));
    expect(o).toMatchObject({ status: 401, reason: 'unauthorized', detail: 'wrong-credentials' });
    expect(challengeOf(o)?.params.get('stale')).toBeUndefined();
  });
  it('wrong username / wrong realm → 401 no stale', () => {
    const { req, nonces } = setup();
    expect(req(digestHeader({ nonce: nonces.issue(), username: 'other' }))).toMatchObject({ detail: 'wrong-credentials' });
    expect(req(digestHeader({ nonce: nonces.issue(), realm: 'other' }))).toMatchObject({ detail: 'wrong-realm' });
  });
  it('expired nonce with a correct digest → stale=true; with a wrong password → plain 401', () => {
    const { req, nonces, advance } = setup();
    const n = nonces.issue();
    advance(1000);
    const o = req(digestHeader({ nonce: n }));
    expect(o).toMatchObject({ status: 401, reason: 'stale', detail: 'expired' });
    const c = challengeOf(o)!;
    expect(c.params.get('stale')).toBe('true');
    expect(c.params.get('nonce')).not.toBe(n);
    const o2 = req(digestHeader({ nonce: n, password: 'bad' }));
    expect(o2).toMatchObject({ reason: 'unauthorized', detail: 'wrong-credentials' });
    expect(challengeOf(o2)?.params.get('stale')).toBeUndefined();
  });
  it('unknown nonce: stale=true with correct credentials, plain 401 with wrong ones (documented)', () => {
    const { req } = setup();
    expect(req(digestHeader({ nonce: 'bm90LW91cnM' }))).toMatchObject({ reason: 'stale', detail: 'unknown' });
    expect(req(digestHeader({ nonce: 'bm90LW91cnM', password: 'x' }))).toMatchObject({ reason: 'unauthorized' });
  });
  it('nc already used → 401 replay with a fresh challenge, no stale', () => {
    const { req, nonces } = setup();
    const n = nonces.issue();
    expect(req(digestHeader({ nonce: n })).ok).toBe(true);
    const o = req(digestHeader({ nonce: n }));
    expect(o).toMatchObject({ status: 401, reason: 'replay', detail: 'nc-reused' });
    expect(challengeOf(o)?.params.get('stale')).toBeUndefined();
    expect(challengeOf(o)?.params.get('nonce')).not.toBe(n);
  });
  it('uri must equal the request-target exactly → 400 otherwise (RFC 7616 §3.4.6), even with a correct digest for that uri', () => {
    const { req, nonces } = setup();
    expect(req(digestHeader({ nonce: nonces.issue(), uri: '/cr/' }))).toMatchObject({ status: 400, detail: 'uri-mismatch' });
    expect(req(digestHeader({ nonce: nonces.issue(), uri: 'http://127.0.0.1/cr' }))).toMatchObject({ status: 400 });
    expect(req(digestHeader({ nonce: nonces.issue(), uri: '/cr?x' }))).toMatchObject({ status: 400 });
  });
  it.each([
    ['no qop (RFC 2069 form)', { qop: null }, 'no-qop'],
    ['qop=auth-int', { qop: 'auth-int' }, 'unsupported-qop'],
    ['algorithm=MD5-sess', { algorithm: 'MD5-sess' }, 'unsupported-algorithm'],
    ['algorithm=SHA-256', { algorithm: 'SHA-256' }, 'unsupported-algorithm'],
    ['userhash=true', { extra: 'userhash=true' }, 'unsupported-userhash'],
  ] as const)('%s → 401 with a fresh MD5 challenge', (_n, over, detail) => {
    const { req, nonces } = setup();
    const o = req(digestHeader({ nonce: nonces.issue(), ...over }));
    expect(o).toMatchObject({ status: 401, reason: 'unauthorized', detail });
    const c = challengeOf(o)!;
    expect(c.params.get('algorithm')).toBe('MD5');
    expect(c.params.get('qop')).toBe('auth');
  });
  it.each([
    ['unterminated quotes', 'Digest username="acs'],
    ['duplicate params', 'Digest nc=00000001, nc=00000001'],
    ['unknown scheme', 'Bearer abc'],
    ['Basic on a digest endpoint', formatBasicAuthorization('acs', 's3cret')],
    ['missing cnonce', 'Digest username="acs", realm="cpe-sim", nonce="x", uri="/cr", nc=00000001, qop=auth, response="0"'],
    ['bad nc', digestHeader({ nonce: 'x', nc: '1' })],
    ['huge value', `Digest username="${'a'.repeat(100_000)}"`],
  ])('malformed: %s → 401 with a fresh challenge', (_n, h) => {
    const { req } = setup();
    const o = req(h);
    expect(o).toMatchObject({ ok: false, status: 401, reason: 'unauthorized' });
    expect(challengeOf(o)?.scheme).toBe('digest');
  });
  it('two Authorization headers → 401 (refused, not first-wins)', () => {
    const { req, nonces } = setup();
    const good = digestHeader({ nonce: nonces.issue() });
    expect(req([good, good])).toMatchObject({ status: 401, detail: 'duplicate-header' });
  });
  it('seed: "Empty username = credentials not populated yet; the listener fails closed without writing a challenge"', () => {
    const { req, nonces } = setup();
    const o = req(digestHeader({ nonce: nonces.issue(), username: '', password: '' }), { credentials: { username: '', password: '' } });
    expect(o).toEqual({ ok: false, status: 401, reason: 'not-populated', detail: 'not-populated', challenge: undefined });
  });
  it('failed authentication creates no nonce state', () => {
    const { req, nonces } = setup();
    for (let i = 0; i < 100; i++) req(digestHeader({ nonce: nonces.issue(), password: 'bad' }));
    expect(nonces.size).toBe(0);
  });
});

describe('authorizeCr: basic and none', () => {
  const basic = (authorization: string | undefined, credentials = CREDS) =>
    authorizeCr({ scheme: 'basic', realm: REALM, credentials, authorization, method: 'GET', target: '/cr', nonces: undefined });
  it('seed: "basic: RFC 7617 HTTP Basic. Constant-time compare on user / pass; failures emit WWW-Authenticate: Basic realm=..."', () => {
    expect(basic(formatBasicAuthorization('acs', 's3cret'))).toEqual({ ok: true });
    for (const h of [formatBasicAuthorization('acs', 's3cre'), formatBasicAuthorization('acs', 's3cret!'), formatBasicAuthorization('ac', 's3cret'), undefined, 'Basic !!!', 'Basic bm9jb2xvbg==', 'Digest a=b']) {
      expect(basic(h)).toMatchObject({ ok: false, status: 401, reason: 'unauthorized', challenge: 'Basic realm="cpe-sim"' });
    }
  });
  it('passwords containing a colon work (first colon splits)', () => {
    expect(basic(formatBasicAuthorization('acs', 'a:b'), { username: 'acs', password: 'a:b' }).ok).toBe(true);
  });
  it('empty username fails closed with no challenge', () => {
    expect(basic(formatBasicAuthorization('', ''), { username: '', password: '' })).toMatchObject({ reason: 'not-populated', challenge: undefined });
  });
  it('seed: "\\"\\"(omitted): no auth. Every request returns 200 OK"', () => {
    expect(authorizeCr({ scheme: '', realm: '', credentials: { username: '', password: '' }, authorization: 'garbage', method: 'GET', target: '/cr', nonces: undefined })).toEqual({ ok: true });
  });
});
