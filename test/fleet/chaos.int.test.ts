// Power and uplink outages over real sockets on 127.0.0.1: a CPE that is off drops
// Connection Requests unanswered (TR-069 §3.2.2), a power-cycle storm against an ACS
// that answers 503 + Retry-After loses nothing, faults.link (profile-format §10).
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { isCpeSimError } from '../../src/errors/index.js';
import { tr181Profile } from '../support/profile.js';

function profile(count: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return tr181Profile(
    'CHAOS',
    count,
    [
      { path: 'Device.ManagementServer.CWMPRetryMinimumWaitInterval', value: '5', type: 'xsd:unsignedInt', writable: true },
      { path: 'Device.IP.Interface.1.Status', value: 'Up' },
      { path: 'Device.IP.Interface.1.LastChange', value: '3600', type: 'xsd:unsignedInt' },
    ],
    extra,
  );
}

const open: Fleet[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function fleetOf(count: number, extra?: Record<string, unknown>, seed = 7): Promise<Fleet> {
  // 1000× compressed time: a 5 s back-off or a 30 s outage passes in milliseconds.
  const fleet = await startFleet({ profile: profile(count, extra), timeScale: 0.001, seed });
  open.push(fleet);
  return fleet;
}

/** A CR as an ACS sends it; `dropped` when the connection closed without an answer. */
async function cr(url: string): Promise<number | 'dropped'> {
  try {
    const r = await request(url, { headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }, headersTimeout: 5000 });
    await r.body.dump();
    return r.statusCode;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return 'dropped';
    throw err;
  }
}

describe('power', () => {
  it('a CPE that is off drops Connection Requests unanswered and starts no session; powerOn boots it with 1 BOOT', async () => {
    const fleet = await fleetOf(1);
    const cpe = fleet.cpe(1);
    const acs = fleet.acs!;
    expect(cpe.powerOff()).toBe(true);
    expect(cpe.powerOff()).toBe(false);
    expect(cpe.poweredOn).toBe(false);
    const sessionsBefore = acs.sessions.length;
    expect(await cr(cpe.crUrl!)).toBe('dropped');
    expect(fleet.crRequests('cpe-1').at(-1)).toMatchObject({ status: 0, reason: 'powered-off' });
    // An API trigger while off is latched: it resolves with the boot session.
    const latched = cpe.inform(['2 PERIODIC']);
    const boot = await cpe.powerOn({ delayMs: 1000 });
    expect(boot.ok).toBe(true);
    expect(boot.events.map((e) => e.eventCode)).toEqual(expect.arrayContaining(['1 BOOT', '2 PERIODIC']));
    expect(await latched).toBe(boot);
    // Between off and on, the ACS saw nothing: the only new session is the boot.
    expect(acs.sessions.length).toBe(sessionsBefore + 1);
    expect(await cr(cpe.crUrl!)).toBe(200);
    await acs.waitForInform({ cpe: 'cpe-1', event: '6 CONNECTION REQUEST' });
    await expect(cpe.powerOn()).rejects.toMatchObject({ code: 'CPESIM_NOT_OFF' });
  });

  it('between a Reboot and its boot session the CPE does not answer Connection Requests (the bug of issue 17)', async () => {
    const fleet = await fleetOf(1, { eventSchedule: { rebootDelay: '20m' } });
    const cpe = fleet.cpe(1);
    const acs = fleet.acs!;
    const rpc = acs.rpc('cpe-1', { name: 'Reboot', commandKey: 'rb-1' }, { timeoutMs: 5000 });
    expect(await cr(cpe.crUrl!)).toBe(200);
    const res = await rpc;
    expect(res.name).toBe('RebootResponse');
    // The session with the Reboot has ended; the box is now off for 20 min (1.2 s here).
    await expect.poll(() => cpe.poweredOn, { timeout: 5000, interval: 1 }).toBe(false);
    expect(await cr(cpe.crUrl!)).toBe('dropped');
    const boot = await acs.waitForInform({ cpe: 'cpe-1', event: 'M Reboot' }, { timeoutMs: 10_000 });
    expect(boot.events.map((e) => e.eventCode)).toContain('1 BOOT');
    expect(cpe.poweredOn).toBe(true);
  });

  it('a power-cycle storm against an ACS answering 503 + Retry-After: every CPE boots, none lost, RetryCount grows with the back-off', async () => {
    const fleet = await fleetOf(20);
    const acs = fleet.acs!;
    for (const c of fleet.cpes) acs.behave(c.id, { httpStatus: 503, retryAfter: 5, once: true });
    const since = Date.now();
    const simSince = fleet.cpes[0]!.clock.now();
    const hit = fleet.powerCycle({ share: 0.5, after: '30s', jitter: '10s' });
    expect(hit).toHaveLength(10);
    expect(hit.every((c) => !c.poweredOn)).toBe(true);
    const isBoot = (s: { ok: boolean; events: { eventCode: string }[] }): boolean => s.events.some((e) => e.eventCode === '1 BOOT');
    const boots = await Promise.all(hit.map((c) => c.waitForSession((s) => s.ok && isBoot(s), { since: simSince, timeoutMs: 20_000 })));
    // The first attempt of each got 503: the session that got through is a retry.
    for (const b of boots) expect(b.retryCount).toBe(1);
    for (const c of hit) {
      const tries = c.sessions.filter((s) => s.startedAt >= simSince && isBoot(s));
      expect(tries.map((s) => s.ok)).toEqual([false, true]);
      expect(tries[0]!.error).toMatch(/503/);
      // TR-069 §3.2.1.1: the first retry waits between m·k^0 and m·k^1 seconds (5 s .. 10 s).
      const wait = tries[1]!.startedAt - tries[0]!.endedAt!;
      expect(wait).toBeGreaterThanOrEqual(5000 - 50);
      expect(c.poweredOn).toBe(true);
    }
    // The ACS saw each hit CPE's Inform twice (503, then taken): none lost.
    for (const c of hit) expect(acs.informs.filter((i) => i.serial === c.serialNumber && i.time >= since).length).toBeGreaterThanOrEqual(1);
    // The others were not touched.
    const spared = fleet.cpes.filter((c) => !hit.includes(c));
    for (const c of spared) expect(acs.informs.filter((i) => i.serial === c.serialNumber && i.time >= since)).toHaveLength(0);
  }, 30_000);

  it('the share is drawn from the root seed: the same seed hits the same CPEs', async () => {
    const a = await fleetOf(30, {}, 42);
    const b = await fleetOf(30, {}, 42);
    const ids = (f: Fleet): string[] => f.powerCycle({ share: 0.2, after: '1h' }).map((c) => c.id);
    const first = ids(a);
    expect(first).toHaveLength(6);
    expect(ids(b)).toEqual(first);
    // A second call is a new draw (already-off CPEs are skipped).
    expect(ids(a)).not.toEqual(first);
  });

  it('bad options get a ConfigError naming the option', () => {
    return fleetOf(2).then((fleet) => {
      for (const [opts, re] of [
        [{ share: 0 }, /share must be a number in \(0, 1\]/],
        [{ share: 1.5 }, /share must be a number in \(0, 1\]/],
        [{ after: 'soon' }, /after: "soon" is not a duration/],
        [{ after: -1 }, /after must be a number of milliseconds >= 0/],
        [{ shares: 0.1 }, /unknown option "shares"/],
      ] as const) {
        let caught: unknown;
        try {
          fleet.powerCycle(opts as never);
        } catch (err) {
          caught = err;
        }
        expect(isCpeSimError(caught) && caught.code).toBe('CPESIM_CONFIG_INVALID');
        expect((caught as Error).message).toMatch(re);
      }
      expect(() => fleet.linkDown({ duration: '1m' })).toThrow(/interface is required/);
    });
  });
});

describe('faults.link', () => {
  const link = { faults: { link: { interface: 'Device.IP.Interface.1', duration: '30m', instances: '2-3' } } };

  it('the band loses its uplink: Status Down, LastChange 0, CRs dropped, no session on return; latched triggers go with the next one', async () => {
    const fleet = await fleetOf(4, link);
    const acs = fleet.acs!;
    const hit = fleet.linkFault();
    expect(hit.map((c) => c.id)).toEqual(['cpe-2', 'cpe-3']);
    expect(fleet.linkFault()).toEqual([]); // a CPE already down ignores the signal
    const cpe = fleet.cpe(2);
    expect(cpe.params.getValue('Device.IP.Interface.1.Status')).toBe('Down');
    expect(cpe.params.getValue('Device.IP.Interface.1.LastChange')).toBe('0');
    expect(fleet.cpe(1).params.getValue('Device.IP.Interface.1.Status')).toBe('Up');
    expect(await cr(cpe.crUrl!)).toBe('dropped');
    const before = acs.sessions.length;
    const latched = cpe.inform(['2 PERIODIC']);
    // 30 min at 1000× = 1.8 s of real time.
    await expect.poll(() => cpe.linkIsDown, { timeout: 10_000, interval: 5 }).toBe(false);
    expect(cpe.params.getValue('Device.IP.Interface.1.Status')).toBe('Up');
    await new Promise((r) => setTimeout(r, 100));
    expect(acs.sessions.length).toBe(before); // no CWMP session on return
    expect(await cr(cpe.crUrl!)).toBe(200); // the next trigger carries the latched one
    const rec = await latched;
    expect(rec.events.map((e) => e.eventCode)).toEqual(expect.arrayContaining(['2 PERIODIC', '6 CONNECTION REQUEST']));
  });

  it('fleet.linkDown({ share, duration }) takes the interface from the profile', async () => {
    const fleet = await fleetOf(4, link);
    const hit = fleet.linkDown({ share: 0.5, duration: '10s' });
    expect(hit).toHaveLength(2);
    for (const c of hit) expect(c.linkIsDown).toBe(true);
    await expect.poll(() => hit.every((c) => !c.linkIsDown), { timeout: 5000, interval: 5 }).toBe(true);
  });
});
