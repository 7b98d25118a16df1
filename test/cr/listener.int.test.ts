import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Pool, request } from 'undici';
import { createCrListener, type CrListener } from '../../src/cr/index.js';
import { isConfigError, isCpeSimError } from '../../src/errors/index.js';
import { createLogger } from '../../src/log/index.js';
import { formatBasicAuthorization, parseAuthHeader } from '../../src/httpauth/index.js';
import { DigestClient, endpoint, rawExchange, startListener, statuses, type Harness } from './helpers.js';

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});
async function harness(over: Parameters<typeof startListener>[0] = {}): Promise<Harness> {
  const h = await startListener(over);
  open.push(h.listener);
  return h;
}
function client(h: Harness, o: ConstructorParameters<typeof Client>[1] = {}): Client {
  const c = new Client(h.origin, o);
  open.push(c);
  return c;
}
async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await request(url, { method: method as 'GET', headers });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

describe('CR listener: binding and URLs', () => {
  it('seed: ":0 lets the OS pick a port; the actual bound port is logged at startup"', async () => {
    const h = await harness();
    const { host, port, family } = h.listener.address;
    expect(host).toBe('127.0.0.1');
    expect(family).toBe('IPv4');
    expect(port).toBeGreaterThan(0);
    const line = h.logLines.find((l) => l.includes('INFO') && l.includes('listener bound'));
    expect(line).toContain(`address=127.0.0.1:${port}`);
  });
  it('EADDRINUSE → CpeSimError CPESIM_ADDRESS_IN_USE naming the address', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const l = createCrListener({ bindAddr: `127.0.0.1:${port}`, mode: 'single' });
    try {
      await expect(l.listen()).rejects.toSatisfy((e: unknown) => isCpeSimError(e) && e.code === 'CPESIM_ADDRESS_IN_USE' && e.message.includes(`127.0.0.1:${port}`));
    } finally {
      await l.close();
      await new Promise((r) => blocker.close(r));
    }
  });
  it('a bad bindAddr is a ConfigError naming the input and the expected form', () => {
    expect(() => createCrListener({ bindAddr: 'localhost', mode: 'single' })).toThrow(/"localhost".*expected host:port, \[ipv6\]:port or :port/);
    try {
      createCrListener({ bindAddr: '::1:80', mode: 'single' });
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
    }
  });
  it('seed: "Single-CPE: http://<bind-addr>/<cr-path>; --cr-path defaults to /cr"', async () => {
    const h = await harness({ mode: 'single' });
    const url = h.listener.register('cpe-1', endpoint({ scheme: '' }));
    expect(url).toBe(`${h.origin}/cr`);
    expect(h.listener.urlFor('cpe-1')).toBe(url);
    // ownerOf() answers from the same routing table: exact request-target only.
    expect(h.listener.ownerOf('/cr')).toBe('cpe-1');
    expect(h.listener.ownerOf('/cr/')).toBeUndefined();
    expect(h.listener.ownerOf('/cr/cpe-1')).toBeUndefined();
    expect((await get(url)).status).toBe(200);
    expect((await get(`${h.origin}/cr/cpe-1`)).status).toBe(404);
    expect(() => h.listener.register('cpe-2', endpoint())).toThrow(/mode "single" already serves/);
  });
  it('seed: "Multi-CPE: http://<bind-addr>/<cr-path>/<cpe-id>" with a custom path', async () => {
    const h = await harness({ path: '/acs/wake' });
    const urls = ['cpe-1', 'cpe-2', 'cpe-3'].map((id) => h.listener.register(id, endpoint({ scheme: '' })));
    expect(urls).toEqual([`${h.origin}/acs/wake/cpe-1`, `${h.origin}/acs/wake/cpe-2`, `${h.origin}/acs/wake/cpe-3`]);
    expect((await get(urls[2]!)).status).toBe(200);
    expect(h.events.at(-1)).toMatchObject({ cpeId: 'cpe-3', status: 200, reason: 'accepted' });
  });
  it('seed: "When the bind address is unspecified (0.0.0.0 / ::), the published URL substitutes 127.0.0.1 and the listener logs a warning"', async () => {
    const h = await harness({ bindAddr: '0.0.0.0:0' });
    const url = h.listener.register('cpe-1', endpoint({ scheme: '' }));
    expect(url).toBe(`http://127.0.0.1:${h.listener.address.port}/cr/cpe-1`);
    expect(h.logLines.some((l) => l.includes('WARN') && l.includes('127.0.0.1'))).toBe(true);
    expect((await get(url)).status).toBe(200); // loopback only
  });
  it('seed: "Override the host explicitly if the ACS lives off-box": publishHost, IPv6 bracketed, no warning', async () => {
    const h = await harness({ bindAddr: '0.0.0.0:0', publishHost: 'cpe.lab.example' });
    expect(h.listener.register('cpe-1', endpoint())).toBe(`http://cpe.lab.example:${h.listener.address.port}/cr/cpe-1`);
    expect(h.logLines.some((l) => l.includes('WARN'))).toBe(false);
    const h6 = await harness({ publishHost: '2001:db8::5' });
    expect(h6.listener.urlFor('cpe-9')).toBe(`http://[2001:db8::5]:${h6.listener.address.port}/cr/cpe-9`);
  });
  it('cpe-labs --cr-advertise-host: host:port and [v6]:port replace the bound port too; bad values are refused', async () => {
    const h = await harness({ publishHost: 'nat.example:17547' });
    expect(h.listener.urlFor('cpe-1')).toBe('http://nat.example:17547/cr/cpe-1');
    const h6 = await harness({ publishHost: '[2001:db8::5]:8080' });
    expect(h6.listener.urlFor('cpe-2')).toBe('http://[2001:db8::5]:8080/cr/cpe-2');
    const bracketed = await harness({ publishHost: '[2001:db8::6]' });
    expect(bracketed.listener.urlFor('cpe-3')).toBe(`http://[2001:db8::6]:${bracketed.listener.address.port}/cr/cpe-3`);
    for (const bad of ['host/x', 'a b', 'host:0', 'host:99999', ':80', '[::1]:x']) {
      expect(() => createCrListener({ bindAddr: '127.0.0.1:0', mode: 'fleet', publishHost: bad }), bad).toThrow(/invalid CR publishHost/);
    }
  });
  it('register/urlFor refuse bad ids, duplicates, and unknown ports', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint());
    expect(() => h.listener.register('cpe-1', endpoint())).toThrow(/already registered/);
    expect(() => h.listener.register('cpe/1', endpoint())).toThrow(/invalid CR cpe id/);
    expect(() => h.listener.register('..', endpoint())).toThrow(/invalid CR cpe id/);
    expect(() => createCrListener({ bindAddr: '127.0.0.1:0', mode: 'fleet' }).urlFor('cpe-1')).toThrow(/listen\(\)/);
    expect(() => createCrListener({ bindAddr: '127.0.0.1:0', mode: 'fleet', path: '/cr/' })).toThrow(/invalid CR path/);
    h.listener.unregister('cpe-1');
    expect((await get(`${h.origin}/cr/cpe-1`)).status).toBe(404);
  });
});

describe('CR listener: routing', () => {
  it('seed: "dispatched to the right CPE\'s stack by exact URL-path match": everything else is 404', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: '' });
    h.listener.register('cpe-1', ep);
    const c = client(h);
    const paths = [
      '/cr', '/cr/', '/cr/cpe-1/', '/cr/cpe-1/x', '/cr/cpe-2', '/CR/cpe-1', '//cr/cpe-1', '/cr//cpe-1',
      '/cr/cpe-1?', '/cr/cpe-1?x=1', '/cr/cpe-1#f', '/cr/%63pe-1', '/cr/cpe-1%2F..', '/cr/cpe-1/../cpe-1', '/cr/./cpe-1', '/cr/cpe-1;x',
    ];
    for (const path of paths) {
      const res = await c.request({ method: 'GET', path });
      await res.body.dump();
      expect([path, res.statusCode, res.headers['www-authenticate']]).toEqual([path, 404, undefined]);
    }
    const ok = await c.request({ method: 'GET', path: '/cr/cpe-1' });
    await ok.body.dump();
    expect(ok.statusCode).toBe(200);
    expect(ep.state.fired).toBe(1);
  });
  it('absolute-form and asterisk-form request-targets are 404 (documented choice)', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint({ scheme: '' }));
    const port = h.listener.address.port;
    const r = await rawExchange(port, `GET http://127.0.0.1:${port}/cr/cpe-1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(statuses(r.text)).toEqual([404]);
    const star = await rawExchange(port, `GET * HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(statuses(star.text)).toEqual([404]);
  });
});

describe('CR listener: order of checks', () => {
  it('seed: "Method (GET only; everything else → 405 with Allow: GET)", before auth and before routing', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'digest' });
    h.listener.register('cpe-1', ep);
    const c = client(h);
    for (const method of ['POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']) {
      for (const path of ['/cr/cpe-1', '/nope']) {
        const res = await c.request({ method, path, ...(method === 'POST' ? { body: 'x' } : {}) });
        await res.body.dump();
        expect([method, path, res.statusCode, res.headers.allow, res.headers['www-authenticate']]).toEqual([method, path, 405, 'GET', undefined]);
      }
    }
    const port = h.listener.address.port;
    const r = await rawExchange(port, `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    expect(r.text).toMatch(/^HTTP\/1\.1 405 .*\r\nAllow: GET\r\n/);
    expect(ep.state.fired).toBe(0);
  });
  it('seed: "Auth" comes before "Throttle": a throttled CPE still answers 401 to a bad password', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint({ scheme: 'basic', throttleWindowMs: 60_000 }));
    const url = h.listener.urlFor('cpe-1');
    expect((await get(url, { authorization: formatBasicAuthorization('acs', 's3cret') })).status).toBe(200);
    expect((await get(url, { authorization: formatBasicAuthorization('acs', 's3cret') })).status).toBe(503);
    const bad = await get(url, { authorization: formatBasicAuthorization('acs', 'wrong') });
    expect(bad.status).toBe(401);
    expect(bad.headers['retry-after']).toBeUndefined();
    expect((await get(url)).status).toBe(401);
  });
  it('seed: "Throttle (only counts authenticated requests, so unauthenticated callers can\'t probe throttle state)"', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'digest', throttleWindowMs: 5000 });
    h.listener.register('cpe-1', ep);
    // 20 unauthenticated / wrong-password requests neither open the window…
    for (let i = 0; i < 10; i++) expect((await get(h.listener.urlFor('cpe-1'))).status).toBe(401);
    const wrong = new DigestClient(client(h), 'acs', 'bad');
    for (let i = 0; i < 10; i++) expect((await wrong.get('/cr/cpe-1')).status).toBe(401);
    const dc = new DigestClient(client(h), 'acs', 's3cret');
    expect((await dc.get('/cr/cpe-1')).status).toBe(200);
    // …nor see it: while throttled they still get 401 with a challenge, never 503/Retry-After.
    const probe = await get(h.listener.urlFor('cpe-1'));
    expect(probe.status).toBe(401);
    expect(probe.headers['retry-after']).toBeUndefined();
    expect((await wrong.get('/cr/cpe-1')).status).toBe(401);
    expect((await dc.get('/cr/cpe-1')).status).toBe(503);
    expect(ep.state.fired).toBe(1);
  });
  it('seed: "Per-CPE OnRequest callback": called once per accepted CR, after the 200 was written (a throwing callback cannot spoil the 200)', async () => {
    const h = await harness();
    let calls = 0;
    h.listener.register('cpe-1', {
      config: { scheme: '', realm: '', throttleWindowMs: 0 },
      credentials: () => ({ username: '', password: '' }),
      onRequest: () => {
        calls++;
        throw new Error('boom');
      },
    });
    const r = await get(h.listener.urlFor('cpe-1'));
    expect(r).toMatchObject({ status: 200, body: '' });
    await new Promise((res) => setImmediate(res));
    expect(calls).toBe(1);
    expect(h.logLines.some((l) => l.includes('onRequest threw') && l.includes('boom'))).toBe(true);
    expect(h.events.at(-1)).toMatchObject({ status: 200, reason: 'accepted' });
  });
});

describe('CR listener: schemes', () => {
  it('seed: "\\"\\"(omitted): no auth. Every request returns 200 OK" with an empty body', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: '' }, { username: '', password: '' });
    h.listener.register('cpe-1', ep);
    for (let i = 0; i < 3; i++) {
      const r = await get(h.listener.urlFor('cpe-1'), { authorization: 'Basic garbage' });
      expect(r.status).toBe(200);
      expect(r.body).toBe('');
      expect(r.headers['content-length']).toBe('0');
    }
    expect(ep.state.fired).toBe(3);
  });
  it('seed: "basic: RFC 7617 HTTP Basic … failures emit WWW-Authenticate: Basic realm=\\"...\\" and 401"', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'basic', realm: 'lab' });
    h.listener.register('cpe-1', ep);
    const url = h.listener.urlFor('cpe-1');
    for (const auth of [undefined, formatBasicAuthorization('acs', 'x'), formatBasicAuthorization('x', 's3cret'), 'Basic ####', 'Basic YWNz', 'Digest username="acs"']) {
      const r = await get(url, auth ? { authorization: auth } : {});
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Basic realm="lab"');
    }
    expect(ep.state.fired).toBe(0);
    expect((await get(url, { authorization: formatBasicAuthorization('acs', 's3cret') })).status).toBe(200);
    expect(ep.state.fired).toBe(1);
  });
  it('seed: "digest: RFC 7616 Digest, MD5 + qop=auth": challenge, then 200 on the same keep-alive connection, with a verifiable rspauth', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'digest', realm: 'cpe-sim' });
    h.listener.register('cpe-1', ep);
    const dc = new DigestClient(client(h), 'acs', 's3cret');
    const first = await dc.once('/cr/cpe-1');
    expect(first.status).toBe(401);
    const www = first.headers['www-authenticate'] as string;
    expect(www).toMatch(/^Digest realm="cpe-sim", nonce="[A-Za-z0-9_-]+", qop="auth", algorithm=MD5$/);
    const r = await dc.get('/cr/cpe-1');
    expect(r.status).toBe(200);
    expect(dc.lastRspauthOk).toBe(true);
    expect(h.listener.stats().connectionsAccepted).toBe(1); // the retry reused the challenged connection
    expect(ep.state.fired).toBe(1);
    // The nonce is reused with nc=2 on the next CR.
    expect((await dc.get('/cr/cpe-1')).status).toBe(200);
    expect(dc.nc).toBe(2);
    expect(ep.state.fired).toBe(2);
  });
  it('seed: "stale-nonce signaling": an expired nonce with a correct digest gets stale=true; a wrong password gets no stale', async () => {
    const h = await harness({ nonceLifetimeMs: 60_000 });
    h.listener.register('cpe-1', endpoint());
    const dc = new DigestClient(client(h), 'acs', 's3cret');
    expect((await dc.get('/cr/cpe-1')).status).toBe(200);
    const old = dc.challenge!.nonce;
    h.clock.advance(60_000);
    const r = await dc.once('/cr/cpe-1');
    expect(r.status).toBe(401);
    expect(r.challenges[0]).toMatchObject({ stale: true, algorithm: 'MD5' });
    expect(r.challenges[0]!.nonce).not.toBe(old);
    const wrong = new DigestClient(client(h), 'acs', 'nope');
    wrong.challenge = { ...dc.challenge!, nonce: old };
    const w = await wrong.once('/cr/cpe-1');
    expect(w.status).toBe(401);
    expect(w.challenges[0]!.stale).toBe(false);
    // A curl-like client recovers from stale without new credentials.
    expect((await dc.get('/cr/cpe-1')).status).toBe(200);
    expect(h.events.map((e) => e.reason)).toContain('stale');
  });
  it('seed: "replay protection (nc tracking)": a used nc is rejected with a fresh challenge, no stale', async () => {
    const h = await harness();
    const ep = endpoint();
    h.listener.register('cpe-1', ep);
    const dc = new DigestClient(client(h), 'acs', 's3cret');
    expect((await dc.get('/cr/cpe-1')).status).toBe(200);
    const replay = await dc.once('/cr/cpe-1', { nc: 1 });
    expect(replay.status).toBe(401);
    expect(replay.challenges[0]!.stale).toBe(false);
    expect(replay.challenges[0]!.nonce).not.toBe(dc.challenge!.nonce);
    expect(h.events.at(-1)).toMatchObject({ reason: 'replay', detail: 'nc-reused' });
    expect(ep.state.fired).toBe(1);
    // An nc that has fallen below the window is refused too.
    expect((await dc.once('/cr/cpe-1', { nc: 200 })).status).toBe(200);
    expect((await dc.once('/cr/cpe-1', { nc: 100 })).status).toBe(401);
    expect((await dc.once('/cr/cpe-1', { nc: 199 })).status).toBe(200);
  });
  it('RFC 7616 §3.4.6: a uri parameter that differs from the request-target is 400 and never accepted', async () => {
    const h = await harness();
    const ep = endpoint();
    h.listener.register('cpe-1', ep);
    h.listener.register('cpe-2', endpoint());
    const dc = new DigestClient(client(h), 'acs', 's3cret');
    await dc.once('/cr/cpe-1').then((r) => (dc.challenge = r.challenges[0]));
    // Digest computed correctly for /cr/cpe-2 but sent to /cr/cpe-1.
    const r = await dc.once('/cr/cpe-1', { uri: '/cr/cpe-2' });
    expect(r.status).toBe(400);
    expect(h.events.at(-1)).toMatchObject({ status: 400, detail: 'uri-mismatch' });
    expect(ep.state.fired).toBe(0);
  });
  it('a nonce of one CPE is unknown to another (stale, so only after a correct digest)', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint());
    const ep2 = endpoint();
    h.listener.register('cpe-2', ep2);
    const dc = new DigestClient(client(h), 'acs', 's3cret');
    expect((await dc.get('/cr/cpe-1')).status).toBe(200);
    const r = await dc.once('/cr/cpe-2');
    expect(r.status).toBe(401);
    expect(r.challenges[0]!.stale).toBe(true);
    expect(ep2.state.fired).toBe(0);
  });
  it('seed: "The listener reads them per request … so an SPV that updates them takes effect immediately"', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'basic' });
    h.listener.register('cpe-1', ep);
    const url = h.listener.urlFor('cpe-1');
    expect((await get(url, { authorization: formatBasicAuthorization('acs', 's3cret') })).status).toBe(200);
    ep.state.creds = { username: 'acs', password: 'rotated' };
    expect((await get(url, { authorization: formatBasicAuthorization('acs', 's3cret') })).status).toBe(401);
    expect((await get(url, { authorization: formatBasicAuthorization('acs', 'rotated') })).status).toBe(200);
  });
  it('seed: "Empty username = credentials not populated yet; the listener fails closed without writing a challenge"', async () => {
    const h = await harness();
    const d = endpoint({ scheme: 'digest' }, { username: '', password: '' });
    const b = endpoint({ scheme: 'basic' }, { username: '', password: 'x' });
    h.listener.register('cpe-1', d);
    h.listener.register('cpe-2', b);
    for (const id of ['cpe-1', 'cpe-2']) {
      for (const auth of [undefined, formatBasicAuthorization('', 'x')]) {
        const r = await get(h.listener.urlFor(id), auth ? { authorization: auth } : {});
        expect(r.status).toBe(401);
        expect(r.headers['www-authenticate']).toBeUndefined();
      }
    }
    expect(h.events.every((e) => e.reason === 'not-populated')).toBe(true);
    expect(d.state.fired + b.state.fired).toBe(0);
  });
  it.each([
    ['bad base64', 'Basic !!!!'],
    ['no colon', `Basic ${Buffer.from('nocolon').toString('base64')}`],
    ['unterminated quotes', 'Digest username="acs, realm="cpe-sim'],
    ['duplicate params', 'Digest username="acs", username="acs"'],
    ['huge value', `Digest username="${'x'.repeat(6000)}"`],
    ['unknown scheme', 'Negotiate abcdef'],
    ['no qop', 'Digest username="acs", realm="cpe-sim", nonce="x", uri="/cr/cpe-1", response="00000000000000000000000000000000"'],
  ])('malformed Authorization (%s) → 401 with a fresh Digest challenge', async (_n, auth) => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint());
    const r = await get(h.listener.urlFor('cpe-1'), { authorization: auth });
    expect(r.status).toBe(401);
    expect(parseAuthHeader(r.headers['www-authenticate'] as string).params.get('nonce')).toBeTruthy();
  });
  it('two Authorization headers are refused (not first-wins)', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint({ scheme: 'basic' }));
    const good = formatBasicAuthorization('acs', 's3cret');
    const port = h.listener.address.port;
    const r = await rawExchange(port, `GET /cr/cpe-1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\nAuthorization: ${good}\r\nConnection: close\r\n\r\n`);
    expect(statuses(r.text)).toEqual([401]);
  });
});

describe('CR listener: throttle', () => {
  it('seed: "Inside the window the listener returns 503 Service Unavailable with a Retry-After header (rounded up to the next whole second so the client retry actually clears the window)"', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'basic', throttleWindowMs: 4500 });
    h.listener.register('cpe-1', ep);
    const url = h.listener.urlFor('cpe-1');
    const auth = { authorization: formatBasicAuthorization('acs', 's3cret') };
    expect((await get(url, auth)).status).toBe(200);
    h.clock.advance(200);
    const t = await get(url, auth);
    expect(t.status).toBe(503);
    expect(t.headers['retry-after']).toBe('5'); // 4.3 s → 5
    h.clock.advance(4299);
    const t2 = await get(url, auth);
    expect(t2.headers['retry-after']).toBe('1'); // 1 ms left → 1, never 0
    h.clock.advance(1);
    expect((await get(url, auth)).status).toBe(200);
    expect(ep.state.fired).toBe(2);
    expect(h.events.filter((e) => e.status === 503).map((e) => e.retryAfter)).toEqual([5, 1]);
  });
  it('503s do not extend the window (documented choice); window 0 = off', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint({ scheme: '', throttleWindowMs: 2000 }));
    h.listener.register('cpe-2', endpoint({ scheme: '', throttleWindowMs: 0 }));
    expect((await get(h.listener.urlFor('cpe-1'))).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      h.clock.advance(300);
      expect((await get(h.listener.urlFor('cpe-1'))).status).toBe(503);
    }
    h.clock.advance(500);
    expect((await get(h.listener.urlFor('cpe-1'))).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get(h.listener.urlFor('cpe-2'))).status).toBe(200);
  });
  it('throttle is per CPE', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint({ scheme: '', throttleWindowMs: 5000 }));
    h.listener.register('cpe-2', endpoint({ scheme: '', throttleWindowMs: 5000 }));
    expect((await get(h.listener.urlFor('cpe-1'))).status).toBe(200);
    expect((await get(h.listener.urlFor('cpe-2'))).status).toBe(200);
    expect((await get(h.listener.urlFor('cpe-1'))).status).toBe(503);
  });
  it('1,000 concurrent CRs at one throttled CPE → exactly one 200 and 999 503 with Retry-After, no leaks', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'basic', throttleWindowMs: 5000 });
    h.listener.register('cpe-1', ep);
    const pool = new Pool(h.origin, { connections: 16, pipelining: 1 });
    open.push(pool);
    const auth = formatBasicAuthorization('acs', 's3cret');
    const results = await Promise.all(
      Array.from({ length: 1000 }, async () => {
        const res = await pool.request({ method: 'GET', path: '/cr/cpe-1', headers: { authorization: auth } });
        await res.body.dump();
        return { status: res.statusCode, retryAfter: res.headers['retry-after'] };
      }),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const throttled = results.filter((r) => r.status === 503);
    expect(throttled).toHaveLength(999);
    expect(new Set(throttled.map((r) => r.retryAfter))).toEqual(new Set(['5'])); // clock frozen: 5 s left
    await new Promise((r) => setImmediate(r));
    expect(ep.state.fired).toBe(1);
    expect(h.listener.stats().connectionsAccepted).toBeLessThanOrEqual(16);
  });
  it('a flood of unauthenticated Digest requests creates no nonce state; authenticated nonces are capped per endpoint', async () => {
    const h = await harness({ maxNoncesPerEndpoint: 8 });
    h.listener.register('cpe-1', endpoint());
    const pool = new Pool(h.origin, { connections: 8 });
    open.push(pool);
    await Promise.all(
      Array.from({ length: 500 }, async () => {
        const res = await pool.request({ method: 'GET', path: '/cr/cpe-1' });
        await res.body.dump();
        expect(res.statusCode).toBe(401);
      }),
    );
    expect(h.listener.stats().nonces).toBe(0);
    for (let i = 0; i < 20; i++) expect((await new DigestClient(client(h), 'acs', 's3cret').get('/cr/cpe-1')).status).toBe(200);
    expect(h.listener.stats().nonces).toBe(8);
  });
});

describe('CR listener: hostile input and lifecycle', () => {
  it('oversized headers → 431 from Node (maxHeaderSize set explicitly)', async () => {
    const h = await harness({ maxHeaderSize: 2048 });
    h.listener.register('cpe-1', endpoint());
    const r = await rawExchange(h.listener.address.port, `GET /cr/cpe-1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(3000)}\r\n\r\n`);
    expect(statuses(r.text)).toEqual([431]);
    // The same 3000-byte header is fine with the default limit (8192).
    const h2 = await harness();
    h2.listener.register('cpe-1', endpoint({ scheme: '' }));
    const r2 = await rawExchange(h2.listener.address.port, `GET /cr/cpe-1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(3000)}\r\nConnection: close\r\n\r\n`);
    expect(statuses(r2.text)).toEqual([200]);
  });
  it('headersTimeout: a client that never finishes its headers gets 408 and is disconnected', async () => {
    const h = await harness({ headersTimeoutMs: 150, requestTimeoutMs: 300 });
    h.listener.register('cpe-1', endpoint());
    const r = await rawExchange(h.listener.address.port, 'GET /cr/cpe-1 HTTP/1.1\r\nHost: x\r\n', { idleMs: 3000 });
    expect(r.closedByServer).toBe(true);
    expect(statuses(r.text)).toEqual([408]);
  });
  it('requestTimeout: a body that never finishes does not hold the connection', async () => {
    const h = await harness({ headersTimeoutMs: 100, requestTimeoutMs: 200 });
    h.listener.register('cpe-1', endpoint());
    const r = await rawExchange(h.listener.address.port, 'POST /cr/cpe-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc', { idleMs: 3000 });
    expect(r.closedByServer).toBe(true);
    expect(statuses(r.text)[0]).toBe(405);
  });
  it('request bodies are drained and ignored; keep-alive continues', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: '' });
    h.listener.register('cpe-1', ep);
    const req = (body: string) => `GET /cr/cpe-1 HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const r = await rawExchange(h.listener.address.port, req('hello world') + req('') + req('<soap/>'));
    expect(statuses(r.text)).toEqual([200, 200, 200]);
    expect(h.listener.stats().connectionsAccepted).toBe(1);
  });
  it('logs never contain passwords or Authorization values', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint({ scheme: 'digest' }, { username: 'acs', password: 'Pa55-w0rd-XYZ' }));
    h.listener.register('cpe-2', endpoint({ scheme: 'basic' }, { username: 'acs', password: 'Pa55-w0rd-XYZ' }));
    const dc = new DigestClient(client(h), 'acs', 'Pa55-w0rd-XYZ');
    expect((await dc.get('/cr/cpe-1')).status).toBe(200);
    const bad = new DigestClient(client(h), 'acs', 'Wr0ng-PaSS-123');
    await bad.get('/cr/cpe-1');
    const basicOk = formatBasicAuthorization('acs', 'Pa55-w0rd-XYZ');
    const basicBad = formatBasicAuthorization('acs', 'Wr0ng-PaSS-123');
    expect((await get(h.listener.urlFor('cpe-2'), { authorization: basicOk })).status).toBe(200);
    await get(h.listener.urlFor('cpe-2'), { authorization: basicBad });
    const all = h.logLines.join('\n');
    expect(h.logLines.length).toBeGreaterThan(4);
    for (const secret of ['Pa55-w0rd-XYZ', 'Wr0ng-PaSS-123', basicOk.slice(6), basicBad.slice(6), dc.cnonce, 'response=', 'Authorization', 'authorization']) {
      expect(all).not.toContain(secret);
    }
  });
  it('close() is idempotent, closes idle keep-alive sockets, and listen() after close() rejects', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint({ scheme: '' }));
    const c = client(h, { keepAliveTimeout: 60_000 });
    const disconnected = new Promise<void>((r) => c.once('disconnect', () => r()));
    const res = await c.request({ method: 'GET', path: '/cr/cpe-1' });
    await res.body.dump();
    expect(h.listener.stats().openConnections).toBe(1);
    const p1 = h.listener.close();
    const p2 = h.listener.close();
    expect(p2).toBe(p1);
    await p1;
    await disconnected;
    expect(h.listener.stats().openConnections).toBe(0);
    await expect(h.listener.listen()).rejects.toMatchObject({ code: 'CPESIM_LISTENER_CLOSED' });
    await h.listener.close();
  });
  it('a credentials() callback that throws gives 500, is logged, and the listener keeps serving', async () => {
    const h = await harness();
    h.listener.register('cpe-1', {
      config: { scheme: 'digest', realm: 'r', throttleWindowMs: 0 },
      credentials: () => {
        throw new Error('tree gone');
      },
      onRequest: () => {},
    });
    h.listener.register('cpe-2', endpoint({ scheme: '' }));
    expect((await get(h.listener.urlFor('cpe-1'))).status).toBe(500);
    expect(h.logLines.some((l) => l.includes('credentials() threw') && l.includes('tree gone'))).toBe(true);
    expect((await get(h.listener.urlFor('cpe-2'))).status).toBe(200);
  });
  it('is AsyncDisposable', async () => {
    let l: CrListener | undefined;
    {
      await using cr = createCrListener({ bindAddr: '127.0.0.1:0', mode: 'single', logger: createLogger({ level: 'silent' }) });
      await cr.listen();
      l = cr;
    }
    await expect(l.listen()).rejects.toMatchObject({ code: 'CPESIM_LISTENER_CLOSED' });
  });
});
