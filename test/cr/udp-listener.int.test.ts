import { createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createUdpCrListener, CrThrottle, type UdpCrEvent, type UdpCrListener } from '../../src/cr/index.js';
import { sendUdpConnectionRequest } from '../../src/acs/index.js';

let clockMs = 1_700_000_000_000;
const open: UdpCrListener[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function start(over: { maxClockSkewS?: number; acceptMillisecondTs?: boolean } = {}) {
  const events: UdpCrEvent[] = [];
  const l = createUdpCrListener({ bindAddr: '127.0.0.1:0', now: () => clockMs, onRequest: (e) => events.push(e), ...over });
  open.push(l);
  await l.listen();
  const fired: Record<string, number> = {};
  const add = (id: string, username: string, password: string, throttle = new CrThrottle(0)) => {
    const creds = { username, password };
    fired[id] = 0;
    l.register(id, { credentials: () => creds, throttle, onRequest: () => void (fired[id] = (fired[id] ?? 0) + 1) });
    return creds;
  };
  /** Resolves once `n` more datagrams have been handled. */
  const settled = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const want = events.length + n;
      const t = setTimeout(() => reject(new Error(`only ${events.length}/${want} datagrams handled`)), 10_000);
      const poll = () => (events.length >= want ? (clearTimeout(t), resolve()) : setTimeout(poll, 5));
      poll();
    });
  return { l, events, fired, add, settled, address: l.publishedAddress };
}

/** GenieACS's udpConnectionRequest, rewritten from its description (three copies, seconds, lower-case hex, Host header). */
async function genieacsSend(address: string, username: string, password: string, ts = Math.trunc(clockMs / 1000), id = Math.trunc(Math.random() * 4294967295)) {
  const [host, port] = address.split(':') as [string, string];
  const cn = randomBytes(8).toString('hex');
  const sig = createHmac('sha1', password).update(`${ts}${id}${username}${cn}`).digest('hex');
  const msg = Buffer.from(`GET http://${host}:${port}?ts=${ts}&id=${id}&un=${username}&cn=${cn}&sig=${sig} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
  const s = createSocket('udp4');
  for (let i = 0; i < 3; i++) await new Promise<void>((r, j) => s.send(msg, Number(port), host, (e) => (e ? j(e) : r())));
  s.close();
}

async function sendRaw(address: string, payloads: (string | Buffer)[]) {
  const [host, port] = address.split(':') as [string, string];
  const s = createSocket('udp4');
  for (const p of payloads) await new Promise<void>((r, j) => s.send(typeof p === 'string' ? Buffer.from(p, 'latin1') : p, Number(port), host, (e) => (e ? j(e) : r())));
  s.close();
}

describe('UDP Connection Request listener (Annex G) over a real socket', () => {
  it('wakes exactly the CPE named by un, once for GenieACS\'s three copies', async () => {
    const h = await start();
    h.add('cpe-1', 'cr-cpe-1', 'pw1');
    h.add('cpe-2', 'cr-cpe-2', 'pw2');
    await genieacsSend(h.address, 'cr-cpe-2', 'pw2');
    await h.settled(3);
    expect(h.fired).toEqual({ 'cpe-1': 0, 'cpe-2': 1 });
    expect(h.events.map((e) => [e.cpeId, e.reason])).toEqual([['cpe-2', 'accepted'], ['cpe-2', 'replay'], ['cpe-2', 'replay']]);
    expect(h.l.stats()).toMatchObject({ received: 3, byReason: { accepted: 1, replay: 2, 'bad-signature': 0 } });
  });

  it('fake ACS sends what GenieACS sends', async () => {
    const h = await start();
    h.add('cpe-1', 'cr-cpe-1', 'pw1');
    const sent = await sendUdpConnectionRequest(h.address, { username: 'cr-cpe-1', password: 'pw1', ts: Math.trunc(clockMs / 1000) });
    await h.settled(3);
    expect(sent.datagrams).toBe(3);
    expect(sent.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\?ts=\d+&id=\d+&un=cr-cpe-1&cn=[0-9a-f]{16}&sig=[0-9a-f]{40} HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n\r\n$/);
    expect(h.fired['cpe-1']).toBe(1);
  });

  it('drops forged, replayed, stale, skewed and unknown messages silently, counting each reason', async () => {
    const h = await start();
    h.add('cpe-1', 'cr-cpe-1', 'pw1');
    const now = Math.trunc(clockMs / 1000);
    await genieacsSend(h.address, 'cr-cpe-1', 'wrong', now, 1); // bad signature x3
    await genieacsSend(h.address, 'nobody', 'pw1', now, 2); // unknown user x3
    await genieacsSend(h.address, 'cr-cpe-1', 'pw1', now - 3600, 3); // far past x3
    await genieacsSend(h.address, 'cr-cpe-1', 'pw1', now + 3600, 4); // far future x3
    await h.settled(12);
    expect(h.fired['cpe-1']).toBe(0);
    await genieacsSend(h.address, 'cr-cpe-1', 'pw1', now, 5); // accepted + 2 replays
    await h.settled(3);
    await genieacsSend(h.address, 'cr-cpe-1', 'pw1', now - 10, 6); // older than the last accepted ts
    await h.settled(3);
    expect(h.fired['cpe-1']).toBe(1);
    expect(h.l.stats().byReason).toMatchObject({ 'bad-signature': 3, 'unknown-user': 3, 'clock-skew': 6, accepted: 1, replay: 2, stale: 3 });
  });

  it('shares the throttle it is given: a second request inside the window is dropped as throttled', async () => {
    const h = await start();
    const throttle = new CrThrottle(5000);
    h.add('cpe-1', 'cr-cpe-1', 'pw1', throttle);
    expect(throttle.admit(clockMs).ok).toBe(true); // an HTTP CR just opened the window
    await genieacsSend(h.address, 'cr-cpe-1', 'pw1', undefined, 10);
    await h.settled(3);
    expect(h.fired['cpe-1']).toBe(0);
    expect(h.events[0]?.reason).toBe('throttled');
    clockMs += 5000;
    await genieacsSend(h.address, 'cr-cpe-1', 'pw1', Math.trunc(clockMs / 1000), 11);
    await h.settled(3);
    expect(h.fired['cpe-1']).toBe(1);
  });

  it('follows a username change after refresh(), and tells apart CPEs sharing a username by their passwords', async () => {
    const h = await start();
    const c1 = h.add('cpe-1', 'shared', 'pw1');
    h.add('cpe-2', 'shared', 'pw2');
    await genieacsSend(h.address, 'shared', 'pw2', undefined, 20);
    await h.settled(3);
    expect(h.fired).toEqual({ 'cpe-1': 0, 'cpe-2': 1 });
    c1.username = 'renamed';
    h.l.refresh('cpe-1');
    await genieacsSend(h.address, 'renamed', 'pw1', undefined, 21);
    await h.settled(3);
    expect(h.fired).toEqual({ 'cpe-1': 1, 'cpe-2': 1 });
  });

  it('reads millisecond ts only when asked (FreeACS, OpenACS)', async () => {
    const strict = await start();
    strict.add('cpe-1', 'u', 'p');
    await genieacsSend(strict.address, 'u', 'p', clockMs, 30);
    await strict.settled(3);
    expect(strict.fired['cpe-1']).toBe(0);
    const lenient = await start({ acceptMillisecondTs: true });
    lenient.add('cpe-1', 'u', 'p');
    await genieacsSend(lenient.address, 'u', 'p', clockMs, 31);
    await lenient.settled(3);
    expect(lenient.fired['cpe-1']).toBe(1);
  });

  it('survives 20,000 random and mutated datagrams: nothing wakes, every datagram is counted, a valid request still works', async () => {
    const h = await start();
    h.add('cpe-1', 'cr-cpe-1', 'pw1');
    const good = Buffer.from(`GET http://${h.address}?ts=1&id=1&un=cr-cpe-1&cn=ab&sig=${'0'.repeat(40)} HTTP/1.1\r\n\r\n`);
    const batch: Buffer[] = [];
    let sent = 0;
    for (let i = 0; i < 20_000; i++) {
      if (i % 2 === 0) batch.push(randomBytes(1 + (i % 1500)));
      else {
        const d = Buffer.from(good);
        d[i % d.length] = i & 0xff;
        batch.push(d);
      }
      if (batch.length === 50) {
        sent += batch.length;
        await sendRaw(h.address, batch.splice(0));
        // Let the listener drain its socket before the next batch (one process sends and reads).
        for (let k = 0; k < 100 && h.l.stats().received < sent; k++) await new Promise((r) => setTimeout(r, 1));
      }
    }
    const st = h.l.stats();
    expect(st.byReason.accepted).toBe(0);
    expect(h.fired['cpe-1']).toBe(0);
    const sum = Object.values(st.byReason).reduce((a, b) => a + b, 0);
    expect(sum).toBe(st.received);
    expect(st.received).toBeGreaterThan(19_000); // loopback may drop a few under load
    await genieacsSend(h.address, 'cr-cpe-1', 'pw1', undefined, 99);
    await h.settled(3);
    expect(h.fired['cpe-1']).toBe(1);
  }, 60_000);
});
