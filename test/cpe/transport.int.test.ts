import { afterEach, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { digestResponse, parseAuthHeader, parseBasicCredentials } from '../../src/httpauth/index.js';
import { TRANSPORTS, TestBed, describeOverTransports, envelope, informResponse, queueAcs, rawHeader, virtualClock } from './harness.js';
import { TransportError, createTransport } from '../../src/cpe/transport.js';
import type { AcsHandler, Reply, SeenRequest } from './harness.js';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

const gpv = envelope('<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>Device.DeviceInfo.HardwareVersion</string></ParameterNames></cwmp:GetParameterValues>', { id: 'g1' });

/** An ACS that sends one GPV and adds `headers` to its answer to requests of `kind`. */
function gpvAcsWithHeaders(kind: SeenRequest['kind'], headers: NonNullable<Reply['headers']>): AcsHandler {
  const base = queueAcs({ rpcs: [gpv] });
  return (req, a) => {
    const r = base(req, a);
    return req.kind === kind ? { ...r, headers } : r;
  };
}

describeOverTransports('session HTTP', () => {
  describe('cookies (TR-069 §3.4.2)', () => {
    it('echoes cookies on every later POST of the session and never into the next session', async () => {
      bed = new TestBed(virtualClock());
      const acs = await bed.acs(gpvAcsWithHeaders('inform', { 'set-cookie': ['session=0123456789abcdef; Path=/', 'lb=node2, extra=1'] }));
      const cpe = bed.cpe(acs.url);
      cpe.start();
      await cpe.whenBootstrapped();
      const [inform, empty, resp] = acs.requests;
      expect(inform!.headers.cookie).toBeUndefined();
      expect(empty!.headers.cookie).toBe('session=0123456789abcdef; lb=node2; extra=1');
      expect(resp!.headers.cookie).toBe('session=0123456789abcdef; lb=node2; extra=1');
      await cpe.inform(['2 PERIODIC']);
      const second = acs.requests.filter((r) => r.kind === 'inform')[1]!;
      expect(second.headers.cookie).toBeUndefined();
    });
  });

  /** An ACS that demands auth: Digest (GenieACS style, nonce per connection) or Basic. */
  function authAcs(scheme: 'digest' | 'basic', user: string, pass: string, inner: AcsHandler): AcsHandler & { state: { verified: number; ncs: string[] } } {
    const nonces = new Map<number, string>();
    const state = { verified: 0, ncs: [] as string[] };
    const handler = (req: SeenRequest, acs: Parameters<AcsHandler>[1]): Reply | Promise<Reply> => {
      const h = req.headers.authorization;
      let ok = false;
      if (h && scheme === 'basic') {
        const p = parseAuthHeader(h);
        const c = p.token68 ? parseBasicCredentials(p.token68) : undefined;
        ok = p.scheme === 'basic' && c?.username === user && c.password === pass;
      } else if (h && scheme === 'digest') {
        const p = parseAuthHeader(h).params;
        const nonce = nonces.get(req.conn);
        const expected =
          nonce &&
          digestResponse({ username: user, realm: 'GenieACS', password: pass, method: 'POST', uri: p.get('uri') ?? '', nonce, nc: p.get('nc') ?? '', cnonce: p.get('cnonce') ?? '', qop: 'auth' });
        ok = p.get('nonce') === nonce && p.get('uri') === '/acs?x=1' && p.get('response') === expected;
        if (ok) state.ncs.push(p.get('nc')!);
      }
      if (!ok) {
        const nonce = `n${req.conn}-${Math.random().toString(16).slice(2)}`;
        nonces.set(req.conn, nonce);
        const challenge = scheme === 'digest' ? `Digest realm="GenieACS",qop="auth,auth-int",nonce="${nonce}"` : 'Basic realm="GenieACS"';
        return { status: 401, headers: { 'www-authenticate': challenge } };
      }
      state.verified++;
      return inner(req, acs);
    };
    return Object.assign(handler, { state });
  }

  describe('connection reuse', () => {
    it('the POSTs of a session share one connection; after the ACS answers with Connection: close, the next POST opens a new one', async () => {
      bed = new TestBed(virtualClock());
      const acs = await bed.acs(gpvAcsWithHeaders('empty', { connection: 'close' }));
      const cpe = bed.cpe(acs.url);
      cpe.start();
      const rec = await cpe.whenBootstrapped();
      expect(rec.ok, rec.toString()).toBe(true);
      expect(acs.requests.map((r) => [r.kind, r.conn])).toEqual([
        ['inform', 1],
        ['empty', 1],
        ['response', 2],
      ]);
    });
  });

  describe('ACS authentication (TR-069 §3.4.4)', () => {
    it('Digest: challenge on the Inform, retry on the same connection, Authorization with incrementing nc on every later POST', async () => {
      bed = new TestBed(virtualClock());
      const h = authAcs('digest', 'cpe-user', 'cpe-pass', queueAcs({ rpcs: [gpv] }));
      const acs = await bed.acs(h, '/acs?x=1');
      const cpe = bed.cpe(acs.url, { acs: { url: acs.url, username: 'cpe-user', password: 'cpe-pass', timeoutMs: 2000 } });
      cpe.start();
      const rec = await cpe.whenBootstrapped();
      expect(rec.ok, rec.toString()).toBe(true);
      expect(acs.requests.map((r) => r.kind)).toEqual(['inform', 'inform', 'empty', 'response']);
      expect(acs.requests[0]!.headers.authorization).toBeUndefined();
      expect(new Set(acs.requests.map((r) => r.conn)).size).toBe(1); // the nonce is per connection: keep-alive is mandatory
      expect(h.state.ncs).toEqual(['00000001', '00000002', '00000003']);
      expect(rec.entries[1]).toMatchObject({ dir: 'acs->cpe', status: 401 });
    });

    it('Basic with credentials from the ManagementServer.Username/Password leaves', async () => {
      bed = new TestBed(virtualClock());
      const h = authAcs('basic', 'OUI-SN', 'p:w', queueAcs());
      const acs = await bed.acs(h);
      const cpe = bed.cpe(acs.url);
      cpe.params.setInternal('Device.ManagementServer.Username', 'OUI-SN');
      cpe.params.setInternal('Device.ManagementServer.Password', 'p:w');
      cpe.start();
      const rec = await cpe.whenBootstrapped();
      expect(rec.ok).toBe(true);
      expect(h.state.verified).toBe(2); // authenticated Inform + empty POST
      expect(acs.requests[2]!.headers.authorization).toMatch(/^Basic /);
    });

    it('a 401 to the authenticated retry fails the session (wrong password)', async () => {
      bed = new TestBed(virtualClock());
      const acs = await bed.acs(authAcs('digest', 'u', 'right', queueAcs()));
      const cpe = bed.cpe(acs.url, { acs: { url: acs.url, username: 'u', password: 'wrong' } });
      cpe.start();
      const rec = await cpe.waitForSession(() => true);
      expect(rec.ok).toBe(false);
      expect(rec.error).toMatch(/401 to the authenticated retry/);
      expect(acs.requests).toHaveLength(2);
      expect(cpe.pendingEvents.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    });

    it('a 401 without configured credentials fails the session with a clear error', async () => {
      bed = new TestBed(virtualClock());
      const acs = await bed.acs(authAcs('basic', 'u', 'p', queueAcs()));
      const cpe = bed.cpe(acs.url);
      cpe.start();
      const rec = await cpe.waitForSession(() => true);
      expect(rec.error).toMatch(/no ACS username is configured/);
    });
  });
});

describe('transport: fetch (msw-interceptable)', () => {
  it('runs a full session over the global fetch with the same headers', async () => {
    bed = new TestBed(virtualClock());
    const acs = await bed.acs(queueAcs({ rpcs: [gpv] }));
    const cpe = bed.cpe(acs.url, { acs: { url: acs.url, transport: 'fetch', timeoutMs: 2000 } });
    cpe.start();
    const rec = await cpe.whenBootstrapped();
    expect(rec.ok, rec.toString()).toBe(true);
    const [inform, empty, resp] = acs.requests;
    expect(rawHeader(inform!, 'soapaction')).toBe('""');
    expect(empty!.body).toBe('');
    expect(empty!.headers['content-type']).toBeUndefined();
    expect(rawHeader(empty!, 'soapaction')).toBeUndefined();
    expect(rawHeader(resp!, 'soapaction')).toBe('');
    expect(resp!.id).toBe('g1');
  });

  it('msw intercepts the fetch transport (no socket is opened)', async () => {
    bed = new TestBed(virtualClock());
    const seen: string[] = [];
    // Port 1 on loopback: if interception failed the CPE would get ECONNREFUSED, never a success.
    const url = 'http://127.0.0.1:1/cwmp';
    const server = setupServer(
      http.post(url, async ({ request }) => {
        const body = await request.text();
        seen.push(body === '' ? 'empty' : /Inform>/.test(body) ? 'inform' : 'other');
        if (/<cwmp:Inform>/.test(body)) {
          const id = /<cwmp:ID[^>]*>([^<]*)</.exec(body)?.[1];
          return new HttpResponse(informResponse(id), { status: 200, headers: { 'content-type': 'text/xml' } });
        }
        return new HttpResponse(null, { status: 204 });
      }),
    );
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const cpe = bed.cpe(url, { acs: { url, transport: 'fetch', timeoutMs: 2000 } });
      cpe.start();
      const rec = await cpe.whenBootstrapped();
      expect(rec.ok, rec.toString()).toBe(true);
      expect(seen).toEqual(['inform', 'empty']);
    } finally {
      server.close();
    }
  });
});

describe('msw listening in the same process', () => {
  // msw 2 patches node:http, so the default transport's requests pass through its
  // interceptor; with 'bypass' they must still reach the socket ACS, on one connection.
  it.each(TRANSPORTS)('a CPE on the %s transport still talks to a socket ACS over one connection (onUnhandledRequest: bypass)', async (transport) => {
    bed = new TestBed(virtualClock());
    const acs = await bed.acs(queueAcs({ rpcs: [gpv] }));
    const server = setupServer();
    server.listen({ onUnhandledRequest: 'bypass' });
    try {
      const cpe = bed.cpe(acs.url, { acs: { url: acs.url, transport, timeoutMs: 2000 } });
      cpe.start();
      const rec = await cpe.whenBootstrapped();
      expect(rec.ok, rec.toString()).toBe(true);
      expect(acs.requests.map((r) => r.kind)).toEqual(['inform', 'empty', 'response']);
      expect(new Set(acs.requests.map((r) => r.conn)).size).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe('node:http transport', () => {
  it('a header node:http refuses fails the POST as a TransportError, not a stray exception', async () => {
    bed = new TestBed(virtualClock());
    const t = createTransport('http', new URL('http://127.0.0.1:1/acs'));
    try {
      const err = await t.post({ headers: { 'x-bad': 'a\nb' }, body: '', timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect(err).toMatchObject({ kind: 'network', message: expect.stringMatching(/x-bad|header|character/i) });
    } finally {
      await t.close();
    }
  });
});
