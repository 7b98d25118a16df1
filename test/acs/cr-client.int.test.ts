import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionRequestClient, connectionRequest, createFakeAcs } from '../../src/acs/index.js';
import { authParams, md5 } from './raw-cpe.js';

/**
 * A small CR endpoint written here (not src/cr) implementing RFC 7616 Digest
 * independently: nonces it issued, strictly increasing nc per nonce, optional
 * stale=true on the first authorized attempt.
 */
interface CrServerOpts {
  scheme?: 'digest' | 'basic' | 'none' | 'bare401';
  user?: string;
  pass?: string;
  staleFirst?: boolean;
  okStatus?: number;
  status503?: string; // Retry-After value
  hang?: boolean;
  opaque?: string;
}
interface Seen {
  url: string;
  socket: number;
  authorization?: string;
  status: number;
}
async function crServer(o: CrServerOpts = {}): Promise<{ url: string; seen: Seen[]; nonces: string[]; forgetNonces(): void; close(): Promise<void> }> {
  const user = o.user ?? 'acs';
  const pass = o.pass ?? 'secret';
  const realm = 'cr-realm';
  const nonces: string[] = [];
  const lastNc = new Map<string, number>();
  const seen: Seen[] = [];
  const sockets = new Map<Socket, number>();
  let staleSent = false;
  const newNonce = (): string => {
    const n = md5(String(Math.random()) + nonces.length);
    nonces.push(n);
    lastNc.set(n, 0);
    return n;
  };
  const challenge = (stale = false): string =>
    `Digest realm="${realm}", qop="auth", nonce="${newNonce()}", algorithm=MD5${o.opaque ? `, opaque="${o.opaque}"` : ''}${stale ? ', stale=true' : ''}`;
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization;
    const rec: Seen = { url: req.url ?? '', socket: sockets.get(req.socket) ?? -1, status: 0, ...(auth ? { authorization: auth } : {}) };
    seen.push(rec);
    const send = (status: number, headers: Record<string, string> = {}): void => {
      rec.status = status;
      res.writeHead(status, headers);
      res.end();
    };
    if (o.hang) return; // never answer
    const accept = (): void => {
      if (o.status503 !== undefined) return send(503, { 'retry-after': o.status503 });
      send(o.okStatus ?? 200);
    };
    switch (o.scheme ?? 'digest') {
      case 'none':
        return accept();
      case 'bare401':
        return send(401);
      case 'basic':
        if (auth === `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`) return accept();
        return send(401, { 'www-authenticate': `Basic realm="${realm}"` });
      case 'digest': {
        if (!auth?.startsWith('Digest ')) return send(401, { 'www-authenticate': challenge() });
        const p = authParams(auth);
        const nc = parseInt(p['nc'] ?? '0', 16);
        const ha1 = md5(`${user}:${realm}:${pass}`);
        const ha2 = md5(`GET:${p['uri']}`);
        const expected = md5(`${ha1}:${p['nonce']}:${p['nc']}:${p['cnonce']}:${p['qop']}:${ha2}`);
        if (p['uri'] !== req.url || p['response'] !== expected || p['username'] !== user || p['qop'] !== 'auth' || (o.opaque && p['opaque'] !== o.opaque)) {
          return send(401, { 'www-authenticate': challenge() });
        }
        const last = lastNc.get(p['nonce']!);
        if (last === undefined) return send(401, { 'www-authenticate': challenge(true) });
        if (nc <= last) return send(401, { 'www-authenticate': challenge() });
        lastNc.set(p['nonce']!, nc);
        if (o.staleFirst && !staleSent) {
          staleSent = true;
          return send(401, { 'www-authenticate': challenge(true) });
        }
        return accept();
      }
    }
  });
  let next = 1;
  server.on('connection', (s: Socket) => sockets.set(s, next++));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/cr/cpe-1?x=1`,
    seen,
    nonces,
    forgetNonces: () => lastNc.clear(),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});
async function withServer(o: CrServerOpts): ReturnType<typeof crServer> {
  const s = await crServer(o);
  cleanup.push(() => s.close());
  return s;
}
const creds = { username: 'acs', password: 'secret' };

describe('connectionRequest(): a real CR client', () => {
  it('answers a Digest challenge (qop=auth, uri = path+query, opaque echoed) on the same connection', async () => {
    const srv = await withServer({ opaque: 'op-42' });
    const r = await connectionRequest(srv.url, creds);
    expect(r).toMatchObject({ status: 200, attempts: 2, scheme: 'digest', nc: 1, url: srv.url });
    expect(srv.seen).toHaveLength(2);
    expect(srv.seen[0]!.authorization).toBeUndefined();
    const a = authParams(srv.seen[1]!.authorization!);
    expect(a).toMatchObject({ username: 'acs', realm: 'cr-realm', uri: '/cr/cpe-1?x=1', qop: 'auth', nc: '00000001', opaque: 'op-42', nonce: srv.nonces[0] });
    // RFC 7616 §3.4: qop, nc and algorithm are tokens, not quoted.
    expect(srv.seen[1]!.authorization).toMatch(/qop=auth(,|$)/);
    expect(srv.seen[1]!.authorization).toMatch(/nc=00000001/);
    expect(srv.seen[1]!.socket).toBe(srv.seen[0]!.socket); // keep-alive: the retry reuses the challenged connection
  });

  it('retries once on stale=true with the new nonce and nc reset to 1', async () => {
    const srv = await withServer({ staleFirst: true, okStatus: 204 });
    const r = await connectionRequest(srv.url, creds);
    expect(r).toMatchObject({ status: 204, attempts: 3, scheme: 'digest', nc: 1 });
    const second = authParams(srv.seen[1]!.authorization!);
    const third = authParams(srv.seen[2]!.authorization!);
    expect(second['nonce']).toBe(srv.nonces[0]);
    expect(third['nonce']).toBe(srv.nonces[1]);
    expect(third['nc']).toBe('00000001');
    expect(third['cnonce']).not.toBe(second['cnonce']);
  });

  it('wrong password: the second 401 (not stale) is final', async () => {
    const srv = await withServer({});
    const r = await connectionRequest(srv.url, { username: 'acs', password: 'bad' });
    expect(r).toMatchObject({ status: 401, attempts: 2, scheme: 'digest' });
    expect(r.headers['www-authenticate']).toMatch(/^Digest /);
  });

  it('ConnectionRequestClient reuses the nonce with an incremented nc, and recovers on stale', async () => {
    const srv = await withServer({});
    await using client = new ConnectionRequestClient(creds);
    const r1 = await client.send(srv.url);
    const r2 = await client.send(srv.url);
    const r3 = await client.send(srv.url);
    expect([r1.attempts, r2.attempts, r3.attempts]).toEqual([2, 1, 1]);
    expect([r1.nc, r2.nc, r3.nc]).toEqual([1, 2, 3]);
    expect(srv.seen.slice(1).map((s) => authParams(s.authorization!)['nc'])).toEqual(['00000001', '00000002', '00000003']);
    expect(new Set(srv.seen.slice(1).map((s) => authParams(s.authorization!)['nonce'])).size).toBe(1);
    expect(new Set(srv.seen.slice(1).map((s) => authParams(s.authorization!)['cnonce'])).size).toBe(1);

    // A server that forgot the nonce answers the pre-emptive attempt with stale=true: a fresh nonce, nc=1.
    const srv2 = await withServer({});
    await using c2 = new ConnectionRequestClient(creds);
    await c2.send(srv2.url);
    srv2.forgetNonces();
    const reset = await c2.send(srv2.url.replace('?x=1', '?x=2'));
    expect(reset).toMatchObject({ status: 200, attempts: 2, nc: 1 });
    expect(srv2.seen.map((s) => s.status)).toEqual([401, 200, 401, 200]);
    expect(srv2.seen[2]!.authorization).toMatch(/nc=00000002/); // the pre-emptive try
    expect(srv2.seen[2]!.authorization).toMatch(/uri="\/cr\/cpe-1\?x=2"/);
    expect(authParams(srv2.seen[3]!.authorization!)['nonce']).toBe(srv2.nonces[1]);
  });

  it('answers a Basic challenge, and sends nothing when not challenged', async () => {
    const basic = await withServer({ scheme: 'basic' });
    const r = await connectionRequest(basic.url, creds);
    expect(r).toMatchObject({ status: 200, attempts: 2, scheme: 'basic' });
    expect(basic.seen[1]!.authorization).toBe(`Basic ${Buffer.from('acs:secret').toString('base64')}`);

    const none = await withServer({ scheme: 'none', okStatus: 204 });
    const n = await connectionRequest(none.url, creds);
    expect(n.status).toBe(204);
    expect(n.attempts).toBe(1);
    expect(n.scheme).toBeUndefined();
  });

  it('401 without WWW-Authenticate is returned as is (no retry)', async () => {
    const srv = await withServer({ scheme: 'bare401' });
    const r = await connectionRequest(srv.url, creds);
    expect(r).toMatchObject({ status: 401, attempts: 1 });
    expect(srv.seen).toHaveLength(1);
  });

  it('reports 503 with retryAfter in seconds', async () => {
    const srv = await withServer({ scheme: 'none', status503: '12' });
    const r = await connectionRequest(srv.url);
    expect(r).toMatchObject({ status: 503, retryAfter: 12 });
  });

  it('times out with a clear error; only http: URLs; connection refused is a clear error', async () => {
    const srv = await withServer({ hang: true });
    await expect(connectionRequest(srv.url, { ...creds, timeoutMs: 50 })).rejects.toMatchObject({
      code: 'CPESIM_CR_TIMEOUT',
      message: expect.stringContaining(`Connection Request to ${srv.url} timed out after 50 ms`) as unknown,
    });
    await expect(connectionRequest('https://127.0.0.1:1/cr')).rejects.toMatchObject({ code: 'CPESIM_CR_INVALID_URL', message: expect.stringMatching(/only http:/) as unknown });
    await expect(connectionRequest('not a url')).rejects.toMatchObject({ code: 'CPESIM_CR_INVALID_URL' });
    // A port that nobody listens on.
    const tmp = createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const port = (tmp.address() as AddressInfo).port;
    await new Promise<void>((r) => tmp.close(() => r()));
    await expect(connectionRequest(`http://127.0.0.1:${port}/cr`, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'CPESIM_CR_FAILED', message: expect.stringMatching(/ECONNREFUSED/) as unknown });
  });

  it('acs.connectionRequest() uses the same client, and close() aborts an in-flight CR', async () => {
    const srv = await withServer({});
    const acs = await createFakeAcs();
    expect((await acs.connectionRequest(srv.url, creds)).status).toBe(200);
    const hang = await withServer({ hang: true });
    const p = acs.connectionRequest(hang.url, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    await acs.close();
    await expect(p).rejects.toThrow(/Connection Request to .* failed/);
  });
});
