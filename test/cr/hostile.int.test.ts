/**
 * The CR listener against the hostile clients of issue 20: methods Node's parser
 * refuses (item 7, raw sockets and curl) and a Digest client whose nonce state was
 * evicted by more than 64 concurrent handshakes while the throttle window is open (item 9).
 */
import { execFile } from 'node:child_process';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { hasCurl } from '../support/curl.js';
import { DigestClient, endpoint, rawExchange, startListener, statuses, type Harness } from './helpers.js';

const open: Harness[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(open.splice(0).map((h) => h.listener.close()));
});
async function harness(): Promise<Harness> {
  const h = await startListener();
  open.push(h);
  return h;
}
function client(h: Harness): Client {
  const c = new Client(h.origin);
  clients.push(c);
  return c;
}

describe('methods Node refuses before our handler (issue 20 item 7)', () => {
  it.each(['get', 'FOO', 'BREW', 'G\x01T', 'PRI'])('%j gets 405 with Allow: GET, not 400', async (method) => {
    const h = await harness();
    const ep = endpoint();
    h.listener.register('cpe-1', ep);
    const r = await rawExchange(h.listener.address.port, `${method} /cr/cpe-1 HTTP/1.1\r\nHost: x\r\n\r\n`, { idleMs: 2000 });
    expect(statuses(r.text)).toEqual([405]);
    expect(r.text).toMatch(/\r\nAllow: GET\r\n/);
    expect(r.text).toMatch(/\r\nConnection: close\r\n/);
    expect(r.closedByServer).toBe(true);
    expect(h.events.at(-1)).toMatchObject({ method, path: '/cr/cpe-1', status: 405, reason: 'method' });
    expect(ep.state.fired).toBe(0);
  });

  it.each([
    ['a bad HTTP version', 'GET /cr/cpe-1 HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['a header line without a colon', 'GET /cr/cpe-1 HTTP/1.1\r\nHost x\r\n\r\n'],
    ['a space in the target', 'GET /cr/ cpe-1 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ])('%s still gets 400', async (_name, data) => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint());
    const r = await rawExchange(h.listener.address.port, data, { idleMs: 2000 });
    expect(statuses(r.text)).toEqual([400]);
    expect(r.text).not.toMatch(/Allow:/);
  });

  it.skipIf(!hasCurl)('curl -X get / -X BREW: 405 with Allow: GET', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint());
    for (const method of ['get', 'BREW']) {
      const out = await new Promise<string>((resolve) =>
        execFile('curl', ['-sS', '-i', '--noproxy', '*', '--max-time', '10', '-X', method, `${h.origin}/cr/cpe-1`], (_e, stdout, stderr) => resolve(stdout + stderr)),
      );
      expect(out).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
      expect(out).toMatch(/\r\nAllow: GET\r\n/);
    }
  });
});

describe('more than 64 concurrent Digest handshakes (issue 20 item 9)', () => {
  it('a client whose nonce state was evicted gets the throttle 503 while the window is open, not stale=true', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'digest', throttleWindowMs: 60_000 });
    h.listener.register('cpe-1', ep);
    const c = client(h);
    // A takes its challenge first, then 65 other clients (one more than the 64 nonces
    // that keep state) complete their handshakes before A answers.
    const a = new DigestClient(c, 'acs', 's3cret');
    const first = await a.once('/cr/cpe-1');
    expect(first.status).toBe(401);
    a.challenge = first.challenges[0];
    const others: number[] = [];
    for (let i = 0; i < 65; i++) others.push((await new DigestClient(c, 'acs', 's3cret').get('/cr/cpe-1')).status);
    expect(others[0]).toBe(200);
    expect(new Set(others.slice(1))).toEqual(new Set([503]));
    expect(h.listener.stats().nonces).toBe(64);
    const late = await a.once('/cr/cpe-1');
    expect(late.status).toBe(503); // was 401 stale=true, a challenge A could chase forever under the flood
    expect(late.headers['retry-after']).toBe('60');
    expect(late.challenges).toEqual([]);
    expect(h.events.at(-1)).toMatchObject({ status: 503, reason: 'throttled', detail: 'evicted' });
    expect(ep.state.fired).toBe(1);
  });

  it('once the window is closed, the evicted nonce is stale again (no replay) and the fresh one is accepted', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'digest', throttleWindowMs: 60_000 });
    h.listener.register('cpe-1', ep);
    const c = client(h);
    const a = new DigestClient(c, 'acs', 's3cret');
    a.challenge = (await a.once('/cr/cpe-1')).challenges[0];
    for (let i = 0; i < 65; i++) await new DigestClient(c, 'acs', 's3cret').get('/cr/cpe-1');
    h.clock.advance(60_000);
    const stale = await a.once('/cr/cpe-1');
    expect(stale.status).toBe(401);
    expect(stale.challenges[0]?.stale).toBe(true);
    expect((await a.get('/cr/cpe-1')).status).toBe(200);
    expect(ep.state.fired).toBe(2);
  });

  it('a wrong password never learns the throttle state, evicted nonce or not', async () => {
    const h = await harness();
    h.listener.register('cpe-1', endpoint({ scheme: 'digest', throttleWindowMs: 60_000 }));
    const c = client(h);
    const a = new DigestClient(c, 'acs', 'wrong');
    a.challenge = (await a.once('/cr/cpe-1')).challenges[0];
    for (let i = 0; i < 65; i++) await new DigestClient(c, 'acs', 's3cret').get('/cr/cpe-1');
    const r = await a.once('/cr/cpe-1');
    expect(r.status).toBe(401);
    expect(r.challenges[0]?.stale).toBeFalsy();
  });
});

describe('realm (issue 20 item 5)', () => {
  it('register() refuses a realm that cannot go in WWW-Authenticate, naming it', async () => {
    const h = await harness();
    expect(() => h.listener.register('cpe-1', endpoint({ scheme: 'digest', realm: 'cpe\r\nsim' }))).toThrow(/^invalid CR realm "cpe\\r\\nsim" for cpe-1: it contains a carriage return \(CR\) at offset 3/);
    expect(() => h.listener.register('cpe-1', endpoint({ scheme: 'basic', realm: 'a"b' }))).toThrow(/a double quote/);
    expect(h.listener.register('cpe-1', endpoint({ scheme: '', realm: 'x\ny' }))).toMatch(/\/cr\/cpe-1$/); // no auth: the realm is never sent
  });
});
