import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inform } from '../../src/cwmp/index.js';
import type { SessionRecord } from '../../src/cpe/index.js';
import { TestBed, describeOverTransports, envelope, fault, fixture, informResponse, queueAcs, virtualClock, downloadFixture } from './harness.js';
import type { Reply, SeenRequest } from './harness.js';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

const informOf = (r: SeenRequest | undefined): Inform => {
  const m = /<RetryCount>(\d+)<\/RetryCount>/.exec(r?.body ?? '');
  const events = [...(r?.body ?? '').matchAll(/<EventCode>([^<]*)<\/EventCode>/g)].map((x) => x[1]!);
  return { name: 'Inform', retryCount: Number(m?.[1]), event: events.map((e) => ({ eventCode: e, commandKey: '' })) } as Inform;
};

describeOverTransports('failures', () => {
  describe('failed sessions (TR-069 §3.7.1.4) and retry (§3.2.1.1)', () => {
    it.each<[string, (req: SeenRequest) => Reply, RegExp]>([
      ['HTTP 500', () => ({ status: 500, body: 'oops' }), /HTTP 500/],
      ['HTTP 404', () => ({ status: 404 }), /HTTP 404/],
      ['malformed XML', () => ({ body: '<soap-env:Envelope><broken' }), /malformed SOAP/],
      ['a non-8005 fault to the Inform', (r) => ({ body: fault(8002, 'Internal error', r.id) }), /fault 8002/],
      ['8005 to the Inform itself', (r) => ({ body: fault(8005, 'Retry request', r.id) }), /fault 8005/],
      ['a dropped connection', () => ({ destroy: true }), /socket|closed|ECONNRESET|other side/i],
      ['no answer within acs.timeoutMs', () => ({ hang: true }), /no HTTP response within 150 ms/],
      ['a response body that stalls for acs.timeoutMs', () => ({ stallBody: true, body: '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">' }), /no HTTP response within 150 ms/],
      ['a redirect loop (more than five hops, TR-069 §3.4.5)', () => ({ status: 302, headers: { location: '/elsewhere' } }), /more than 5 HTTP redirects/],
      ['an empty response to the Inform', () => ({ status: 204 }), /empty response instead of InformResponse/],
    ])('%s fails the session; events stay queued and a retry is scheduled', async (_name, reply, why) => {
      bed = new TestBed(virtualClock());
      const acs = await bed.acs(reply);
      const c = bed.cpe(acs.url, { acs: { url: acs.url, timeoutMs: 150 } });
      c.start();
      const rec = await c.waitForSession(() => true);
      expect(rec.ok).toBe(false);
      expect(rec.error).toMatch(why);
      expect(c.pendingEvents.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
      expect(c.retryCount).toBe(1);
      expect(c.nextRetryAt).toBe(rec.endedAt! + 5000); // random() = 0 → lower bound m·k^0
    });

    it('acs.timeoutMs bounds every POST of the session, not only the first: a hang on the empty POST fails it', async () => {
      bed = new TestBed(virtualClock());
      // The Inform is answered after 100 ms, so a deadline armed once for the whole session
      // (150 ms) would fire 50 ms into the empty POST; one re-armed per POST fires at 150 ms.
      const acs = await bed.acs(async (req) => {
        if (req.kind !== 'inform') return { hang: true };
        await new Promise((r) => setTimeout(r, 100));
        return { body: informResponse(req.id) };
      });
      const c = bed.cpe(acs.url, { acs: { url: acs.url, timeoutMs: 150 } });
      c.start();
      const t0 = performance.now();
      const rec = await c.waitForSession(() => true);
      const took = performance.now() - t0;
      expect(rec.ok).toBe(false);
      expect(rec.error).toMatch(/no HTTP response within 150 ms/);
      expect(rec.entries.map((e) => e.summary)).toEqual([expect.stringMatching(/^Inform /), 'InformResponse', '(empty)']);
      // 100 ms for the Inform + 150 ms for the empty POST (the lower bound is what matters).
      expect(took).toBeGreaterThanOrEqual(240);
      // The InformResponse delivered the events: nothing is left to retry.
      expect(c.pendingEvents).toEqual([]);
    });

    it('connection refused fails the session cleanly', async () => {
      bed = new TestBed(virtualClock());
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const port = (srv.address() as AddressInfo).port;
      await new Promise<void>((r) => srv.close(() => r()));
      const cpe = bed.cpe(`http://127.0.0.1:${port}/acs`);
      cpe.start();
      const rec = await cpe.waitForSession(() => true);
      expect(rec.ok).toBe(false);
      expect(rec.error).toMatch(/ECONNREFUSED/);
    });

    it('an https: ACS URL is spoken to over TLS (a plain-TCP peer fails the handshake, not the URL)', async () => {
      bed = new TestBed(virtualClock());
      // A peer that answers the ClientHello with plain text: only a TLS client chokes on it.
      const peers = new Set<Socket>();
      const srv = createServer((s) => {
        peers.add(s);
        s.on('error', () => {});
        s.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      });
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      try {
        const port = (srv.address() as AddressInfo).port;
        const cpe = bed.cpe(`https://127.0.0.1:${port}/acs`);
        cpe.start();
        const rec = await cpe.waitForSession(() => true);
        expect(rec.ok).toBe(false);
        expect(rec.error).not.toMatch(/not supported|ERR_INVALID_PROTOCOL/i);
        expect(rec.error).toMatch(/SSL|TLS|EPROTO|wrong version|ECONNRESET|socket/i);
      } finally {
        for (const p of peers) p.destroy();
        await new Promise<void>((r) => srv.close(() => r()));
      }
    });

    it('retries with growing backoff, RetryCount counts consecutive failures, 0 BOOTSTRAP survives, success resets', async () => {
      bed = new TestBed(virtualClock());
      let informs = 0;
      const acs = await bed.acs((req) => {
        if (req.kind === 'inform') return ++informs <= 4 ? { status: 503 } : { body: informResponse(req.id) };
        return { status: 204 };
      });
      const cpe = bed.cpe(acs.url, { retry: { random: () => 0.5 } });
      const all: SessionRecord[] = [];
      cpe.onSession((s) => all.push(s));
      cpe.start();
      const boot = await cpe.whenBootstrapped();
      expect(boot.retryCount).toBe(4);
      expect(all.map((s) => s.ok)).toEqual([false, false, false, false, true]);
      const sent = acs.requests.filter((r) => r.kind === 'inform').map(informOf);
      expect(sent.map((i) => i.retryCount)).toEqual([0, 1, 2, 3, 4]);
      for (const i of sent) expect(i.event.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
      // Waits before retry n: midpoint of [5·2^(n-1), 5·2^n] s with random 0.5.
      const gaps = all.slice(1).map((s, i) => s.startedAt - all[i]!.endedAt!);
      expect(gaps).toEqual([7500, 15000, 30000, 60000]);
      expect(cpe.retryCount).toBe(0);
      await cpe.inform(['2 PERIODIC']);
      expect(informOf(acs.requests.filter((r) => r.kind === 'inform').pop()).retryCount).toBe(0);
    });

    it('reads CWMPRetryMinimumWaitInterval / CWMPRetryIntervalMultiplier from the tree', async () => {
      bed = new TestBed(virtualClock());
      let n = 0;
      const acs = await bed.acs((req) => (req.kind === 'inform' && ++n <= 2 ? { status: 500 } : req.kind === 'inform' ? { body: informResponse(req.id) } : { status: 204 }));
      const cpe = bed.cpe(acs.url, { retry: { random: () => 0 } });
      cpe.params.setInternal('Device.ManagementServer.CWMPRetryMinimumWaitInterval', '30');
      cpe.params.setInternal('Device.ManagementServer.CWMPRetryIntervalMultiplier', '3000');
      cpe.start();
      await cpe.whenBootstrapped();
      const s = cpe.sessions;
      expect(s[1]!.startedAt - s[0]!.endedAt!).toBe(30_000);
      expect(s[2]!.startedAt - s[1]!.endedAt!).toBe(90_000);
    });

    it('backoff is compressed by the clock timeScale (no real seconds)', async () => {
      bed = new TestBed(0.0001);
      let n = 0;
      const acs = await bed.acs((req) => (req.kind === 'inform' && ++n <= 3 ? { status: 500 } : req.kind === 'inform' ? { body: informResponse(req.id) } : { status: 204 }));
      const cpe = bed.cpe(acs.url, { retry: { random: () => 1 } }); // 10 + 20 + 40 s simulated
      cpe.start();
      const rec = await cpe.whenBootstrapped();
      expect(rec.retryCount).toBe(3);
      // The retry is armed when the failure is seen, before the record's endedAt is taken: at
      // this scale 0.1 real ms between the two is 1,000 simulated ms, so measure from the start.
      expect(cpe.sessions[1]!.startedAt - cpe.sessions[0]!.startedAt).toBeGreaterThanOrEqual(10_000);
    });

    it('6 CONNECTION REQUEST is dropped by a failed session; nothing left → no retry, RetryCount carried to the next Inform', async () => {
      bed = new TestBed(virtualClock());
      let failNext = false;
      const acs = await bed.acs((req) => {
        if (req.kind === 'inform') {
          if (failNext) {
            failNext = false;
            return { status: 500 };
          }
          return { body: informResponse(req.id) };
        }
        return { status: 204 };
      });
      const cpe = bed.cpe(acs.url);
      cpe.start();
      await cpe.whenBootstrapped();
      failNext = true;
      cpe.connectionRequest();
      const failed = await cpe.waitForSession((s) => !s.ok);
      expect(failed.events.map((e) => e.eventCode)).toEqual(['6 CONNECTION REQUEST']);
      expect(cpe.pendingEvents).toEqual([]);
      expect(cpe.nextRetryAt).toBeUndefined();
      const next = await cpe.inform(['2 PERIODIC']);
      expect(next.retryCount).toBe(1);
      expect(next.events.map((e) => e.eventCode)).toEqual(['2 PERIODIC']);
    });

    it('a fault from the ACS in the middle of the session fails it after the events were delivered', async () => {
      bed = new TestBed(virtualClock());
      const acs = await bed.acs((req) => (req.kind === 'inform' ? { body: informResponse(req.id) } : { body: fault(8003, 'Invalid arguments', 'x') }));
      const cpe = bed.cpe(acs.url);
      cpe.start();
      const rec = await cpe.waitForSession(() => true);
      expect(rec.ok).toBe(false);
      expect(rec.error).toMatch(/8003/);
      expect(cpe.pendingEvents).toEqual([]); // InformResponse delivered them
      expect(cpe.informs[0]!.ok).toBe(true);
      expect(cpe.retryCount).toBe(1);
    });

    it('a well-formed envelope the ACS sends where a response is expected is a protocol violation', async () => {
      bed = new TestBed(virtualClock());
      const acs = await bed.acs((req) => (req.kind === 'inform' ? { body: informResponse(req.id) } : { body: fixture('acs/inform-response-genieacs.xml') }));
      const cpe = bed.cpe(acs.url);
      cpe.start();
      const rec = await cpe.waitForSession(() => true);
      expect(rec.error).toMatch(/protocol violation: ACS sent InformResponse/);
    });
  });
});

describe('8005 Retry request and HoldRequests', () => {
  it('8005 to TransferComplete → the CPE resends TransferComplete in the same session', async () => {
    bed = new TestBed(virtualClock());
    let tcs = 0;
    const base = queueAcs({ rpcs: [downloadFixture()] });
    const acs = await bed.acs((req, a) => {
      if (req.kind === 'transfer-complete' && ++tcs === 1) return { body: fixture('acs/fault-8005.xml') };
      return base(req, a);
    });
    const cpe = bed.cpe(acs.url, { profile: { transfer: { defaultDelay: '30s' } } });
    cpe.start();
    const rec = await cpe.waitForSession((s) => s.events.some((e) => e.eventCode === '7 TRANSFER COMPLETE'));
    expect(rec.ok, rec.toString()).toBe(true);
    const sessionKinds = acs.requests.slice(acs.requests.findIndex((r) => r.kind === 'inform' && r.body.includes('7 TRANSFER COMPLETE'))).map((r) => r.kind);
    expect(sessionKinds).toEqual(['inform', 'transfer-complete', 'transfer-complete', 'empty']);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('8005 forever → bounded retries, then the session fails and the transfer stays pending', async () => {
    bed = new TestBed(virtualClock());
    const base = queueAcs({ rpcs: [downloadFixture()] });
    const acs = await bed.acs((req, a) => (req.kind === 'transfer-complete' ? { body: fixture('acs/fault-8005.xml') } : base(req, a)));
    const cpe = bed.cpe(acs.url);
    cpe.start();
    const rec = await cpe.waitForSession((s) => !s.ok);
    expect(rec.error).toMatch(/TransferComplete with fault 8005/);
    expect(rec.entries.filter((e) => e.dir === 'cpe->acs' && e.summary.startsWith('TransferComplete'))).toHaveLength(4);
    expect(cpe.pendingEvents.map((e) => e.eventCode)).toEqual(['7 TRANSFER COMPLETE', 'M Download']);
  });

  it('HoldRequests=1 in InformResponse: no CPE request in the next POST (empty POST instead); the transfer waits for the next session', async () => {
    bed = new TestBed(virtualClock());
    let hold = false;
    const base = queueAcs({ rpcs: [downloadFixture()] });
    const acs = await bed.acs((req, a) => {
      if (req.kind === 'inform' && hold) return { body: informResponse(req.id, '1-2', '<cwmp:HoldRequests soap-env:mustUnderstand="1">1</cwmp:HoldRequests>') };
      return base(req, a);
    });
    const cpe = bed.cpe(acs.url, { profile: { transfer: { defaultDelay: '10s' } } });
    cpe.start();
    await cpe.whenBootstrapped();
    hold = true;
    const held = await cpe.waitForSession((s) => s.events.some((e) => e.eventCode === '7 TRANSFER COMPLETE'));
    expect(held.ok).toBe(true);
    expect(held.entries.filter((e) => e.dir === 'cpe->acs').map((e) => e.summary.split(' ')[0])).toEqual(['Inform', '(empty)']);
    expect(cpe.pendingEvents.map((e) => e.eventCode)).toEqual(['7 TRANSFER COMPLETE', 'M Download']);
    hold = false;
    const next = await cpe.inform(['2 PERIODIC']);
    expect(next.entries.filter((e) => e.dir === 'cpe->acs').map((e) => e.summary.split(' ')[0])).toEqual(['Inform', 'TransferComplete', '(empty)']);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('HoldRequests from a default-namespace envelope (fixture) is honoured too', async () => {
    bed = new TestBed(virtualClock());
    const acs = await bed.acs((req) => (req.kind === 'inform' ? { body: fixture('acs/inform-response-default-ns.xml') } : { status: 204 }));
    const cpe = bed.cpe(acs.url, { sendGetRPCMethods: true });
    cpe.start();
    const rec = await cpe.whenBootstrapped();
    expect(acs.requests.map((r) => r.kind)).toEqual(['inform', 'empty']);
    expect(rec.ok).toBe(true);
  });

  it('NoMoreRequests in a header is ignored', async () => {
    bed = new TestBed(virtualClock());
    const base = queueAcs();
    const acs = await bed.acs((req, a) =>
      req.kind === 'inform' ? { body: informResponse(req.id, '1-2', '<cwmp:NoMoreRequests>1</cwmp:NoMoreRequests>') } : base(req, a),
    );
    const cpe = bed.cpe(acs.url, { sendGetRPCMethods: true });
    cpe.start();
    await cpe.whenBootstrapped();
    expect(acs.requests.map((r) => r.kind)).toEqual(['inform', 'get-rpc-methods', 'empty']);
  });
});

describe('misc session rules', () => {
  it('envelope helper sanity: our raw XML is what the ACS sends', () => {
    expect(envelope('<cwmp:X/>', { id: '1' })).toContain('<cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID>');
  });
});
