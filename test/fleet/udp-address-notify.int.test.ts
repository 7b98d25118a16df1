import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/index.js';

const MS = 'Device.ManagementServer.';
const ADDRESS = `${MS}UDPConnectionRequestAddress`;
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

/** A fleet behind a NAT whose mapped port moves at every STUN Binding Request (keep-alive 30 s, at 1/100 speed). */
async function movingNat(limitS: number): Promise<Fleet> {
  let port = 40000;
  const f = await startFleet({
    profile: 'fixtures/profiles/tr181-digest.yaml',
    count: 1,
    timeScale: 0.01,
    stun: true,
    embeddedAcs: { stun: { mapAddress: () => ({ address: '203.0.113.5', port: port++ }) } },
  });
  const cpe = f.cpe(1);
  // As an ACS's SetParameterValues would write it (read at each change).
  cpe.params.setValues([{ name: `${MS}UDPConnectionRequestAddressNotificationLimit`, value: String(limitS) }], 'acs');
  cpe.params.setValues([{ name: `${MS}PeriodicInformEnable`, value: 'false' }], 'acs');
  return f;
}

/** CPE-clock start times of the sessions an address change started (4 VALUE CHANGE, nothing periodic). */
function notificationTimes(f: Fleet): number[] {
  return f
    .cpe(1)
    .sessions.filter((s) => s.events.some((e) => e.eventCode === '4 VALUE CHANGE') && !s.events.some((e) => e.eventCode !== '4 VALUE CHANGE'))
    .map((s) => s.startedAt);
}

const gaps = (t: number[]): number[] => t.slice(1).map((x, i) => x - t[i]!);

describe('UDPConnectionRequestAddressNotificationLimit (TR-069 Annex G / TR-111 Part 2)', () => {
  it('spaces the Active Notifications of address changes at least the limit apart (CPE clock), reporting the latest address', async () => {
    fleet = await movingNat(120);
    const stun = fleet.acs!.stun!;
    // The NAT moves every 30 simulated seconds; wait for three notifications.
    await expect.poll(() => notificationTimes(fleet!).length, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    const times = notificationTimes(fleet);
    // Several bindings (each a new address) fell inside each window…
    expect(stun.bindings.length).toBeGreaterThan(times.length + 2);
    // …yet the notifications are ≥ 120 s apart on the CPE's clock.
    for (const g of gaps(times)) expect(g).toBeGreaterThanOrEqual(120_000);
    // The deferred notification carries the address current when it was sent, not the first of the window.
    const last = fleet.cpe(1).sessions.filter((s) => s.events.some((e) => e.eventCode === '4 VALUE CHANGE')).at(-1)!;
    const informs = fleet.acs!.informs.filter((i) => i.events.some((e) => e.eventCode === '4 VALUE CHANGE'));
    const reported = informs.at(-1)!.parameters.find((p) => p.name === ADDRESS)?.value;
    expect(reported).toMatch(/^203\.0\.113\.5:400\d\d$/);
    expect(Number(reported!.split(':')[1])).toBeGreaterThan(40000 + gaps(times).length);
    expect(last.ok).toBe(true);
  }, 30_000);

  it('with the limit 0 (the default) every address change is notified at once', async () => {
    fleet = await movingNat(0);
    await expect.poll(() => notificationTimes(fleet!).length, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    // The keep-alive period (30 s) paces them: well under the 120 s of the test above.
    expect(Math.min(...gaps(notificationTimes(fleet)))).toBeLessThan(120_000);
  }, 30_000);
});

describe('the UDP Connection Request address after a FactoryReset', () => {
  it('is the listener address again, with active notification, as after boot', async () => {
    fleet = await startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', count: 1, udpCr: true });
    const cpe = fleet.cpe(1);
    const published = fleet.udpListener!.publishedAddress;
    expect(cpe.params.getValue(ADDRESS)).toBe(published);
    const session = await cpe.factoryReset();
    expect(session.events.map((e) => e.eventCode)).toContain('0 BOOTSTRAP');
    expect(cpe.params.getValue(ADDRESS)).toBe(published);
    expect(cpe.params.getAttributes([ADDRESS])[0]!.notification).toBe(2);
    // And a UDP CR to it still wakes the CPE.
    const since = Date.now();
    await fleet.acs!.udpConnectionRequest(published, { username: 'cr-cpe-1', password: 'secret' });
    await fleet.acs!.waitForInform({ cpe: 'cpe-1', event: '6 CONNECTION REQUEST' }, { since });
  });

  it('re-enables STUN with the configured server and binds again at once, publishing the mapped address', async () => {
    fleet = await startFleet({
      profile: 'fixtures/profiles/tr181-digest.yaml',
      count: 1,
      stun: { username: 'stun-user', password: 'stun-pw' },
      embeddedAcs: { stun: { mapAddress: () => ({ address: '203.0.113.5', port: 40000 }) } },
    });
    const cpe = fleet.cpe(1);
    const stun = fleet.acs!.stun!;
    await expect.poll(() => cpe.params.getValue(ADDRESS)).toBe('203.0.113.5:40000');
    const before = stun.bindings.length;
    await cpe.factoryReset();
    expect(cpe.params.getValue(`${MS}STUNEnable`)).toBe('true');
    expect(cpe.params.getValue(`${MS}STUNServerPort`)).toBe(String(stun.port));
    expect(cpe.params.getValue(`${MS}STUNUsername`)).toBe('stun-user');
    // Keep-alive is 30 s at full speed: a binding now is the reset's, not the period's.
    await expect.poll(() => stun.bindings.length, { timeout: 5000 }).toBeGreaterThan(before);
    expect(stun.bindings.at(-1)).toMatchObject({ username: 'stun-user', connectionRequestBinding: true });
    await expect.poll(() => cpe.params.getValue(ADDRESS)).toBe('203.0.113.5:40000');
    expect(cpe.params.getValue(`${MS}NATDetected`)).toBe('true');
  });
});
