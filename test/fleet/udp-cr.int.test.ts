import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/index.js';
import { startFleet, type Fleet } from '../../src/fleet/index.js';

const ADDR = 'Device.ManagementServer.UDPConnectionRequestAddress';
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const crSessions = (f: Fleet, id: string) => f.cpe(id).sessions.filter((s) => s.events.some((e) => e.eventCode === '6 CONNECTION REQUEST'));

describe('fleet with UDP Connection Requests (Annex G)', () => {
  it('publishes the address in every tree and in the leaves a GenieACS reads; a UDP CR wakes exactly the addressed CPE with 6 CONNECTION REQUEST', async () => {
    fleet = await startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', udpCr: true });
    const acs = fleet.acs!;
    const address = fleet.cpe(2).params.getValue(ADDR)!;
    expect(address).toBe(fleet.udpListener!.publishedAddress);
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const leaf of ['STUNEnable', 'STUNServerAddress', 'STUNServerPort', 'STUNUsername', 'STUNPassword', 'STUNMaximumKeepAlivePeriod', 'STUNMinimumKeepAlivePeriod', 'NATDetected', 'UDPConnectionRequestAddressNotificationLimit']) {
      expect(fleet.cpe(1).params.has(`Device.ManagementServer.${leaf}`), leaf).toBe(true);
    }
    const since = Date.now();
    await acs.udpConnectionRequest(address, { username: 'cr-cpe-2', password: 'secret' });
    const inform = await acs.waitForInform({ cpe: 'cpe-2', event: '6 CONNECTION REQUEST' }, { since });
    expect(inform.events.map((e) => e.eventCode)).toEqual(['6 CONNECTION REQUEST']);
    await fleet.cpe(2).waitForSession((s) => s.events.some((e) => e.eventCode === '6 CONNECTION REQUEST'));
    expect(crSessions(fleet, 'cpe-2')).toHaveLength(1); // three datagrams, one session
    expect(crSessions(fleet, 'cpe-1')).toHaveLength(0);
    expect(crSessions(fleet, 'cpe-3')).toHaveLength(0);
    expect(fleet.crRequests('cpe-2').map((o) => [o.via, o.reason])).toEqual([['udp', 'accepted'], ['udp', 'replay'], ['udp', 'replay']]);
  });

  it('shares the CPE throttle with the HTTP listener: a UDP CR right after an HTTP one is dropped as throttled', async () => {
    fleet = await startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', count: 1, udpCr: true });
    const acs = fleet.acs!;
    const r = await acs.connectionRequest(fleet.cpe(1).crUrl!, { username: 'cr-cpe-1', password: 'secret' });
    expect(r.status).toBe(200);
    await acs.udpConnectionRequest(fleet.cpe(1).params.getValue(ADDR)!, { username: 'cr-cpe-1', password: 'secret' });
    await expect.poll(() => fleet!.udpListener!.stats().received).toBe(3);
    expect(fleet.udpListener!.stats().byReason).toMatchObject({ throttled: 3, accepted: 0 });
  });

  it('a powered-off CPE loses UDP Connection Requests (counted as powered-off), and takes the next one once on', async () => {
    fleet = await startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', count: 1, udpCr: true, timeScale: 0.001 });
    const acs = fleet.acs!;
    const cpe = fleet.cpe(1);
    cpe.powerOff();
    await acs.udpConnectionRequest(cpe.params.getValue(ADDR)!, { username: 'cr-cpe-1', password: 'secret' });
    await expect.poll(() => fleet!.udpListener!.stats().received).toBe(3);
    expect(fleet.udpListener!.stats().byReason).toMatchObject({ 'powered-off': 3, accepted: 0 });
    await cpe.powerOn();
    const since = Date.now();
    await acs.udpConnectionRequest(cpe.params.getValue(ADDR)!, { username: 'cr-cpe-1', password: 'secret' });
    await acs.waitForInform({ cpe: 'cpe-1', event: '6 CONNECTION REQUEST' }, { since });
  });

  it('routes by the username as it is now (an SPV of ConnectionRequestUsername re-indexes the CPE)', async () => {
    fleet = await startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', count: 2, udpCr: true });
    const acs = fleet.acs!;
    const address = fleet.cpe(1).params.getValue(ADDR)!;
    fleet.cpe(1).params.setValues([{ name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'new-user' }], 'acs');
    await acs.udpConnectionRequest(address, { username: 'cr-cpe-1', password: 'secret', copies: 1 });
    await expect.poll(() => fleet!.udpListener!.stats().byReason['unknown-user']).toBe(1);
    const since = Date.now();
    await acs.udpConnectionRequest(address, { username: 'new-user', password: 'secret', copies: 1 });
    await acs.waitForInform({ cpe: 'cpe-1', event: '6 CONNECTION REQUEST' }, { since });
    expect(crSessions(fleet, 'cpe-2')).toHaveLength(0);
  });

  it('publishes the TR-098 names under InternetGatewayDevice', async () => {
    fleet = await startFleet({ profile: 'fixtures/profiles/tr098-basic.yaml', count: 1, udpCr: { bindAddr: '127.0.0.1:0', publishHost: 'cpe.example.net' } });
    expect(fleet.cpe(1).params.getValue('InternetGatewayDevice.ManagementServer.UDPConnectionRequestAddress')).toMatch(/^cpe\.example\.net:\d+$/);
    expect(fleet.cpe(1).params.getValue('InternetGatewayDevice.ManagementServer.NATDetected')).toBe('false');
  });

  it('refuses unknown udpCr options and a profile without CR credential leaves, naming them', async () => {
    await expect(startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', udpCr: { bindadr: 'x' } as never })).rejects.toThrow(/udpCr: unknown option "bindadr"/);
    await expect(
      startFleet({
        profile: {
          deviceIdPaths: { manufacturer: 'Device.DeviceInfo.Manufacturer', oui: 'Device.DeviceInfo.ManufacturerOUI', productClass: 'Device.DeviceInfo.ProductClass', serialNumber: 'Device.DeviceInfo.SerialNumber' },
          parameters: [
            { path: 'Device.DeviceInfo.Manufacturer', value: 'E' },
            { path: 'Device.DeviceInfo.ManufacturerOUI', value: '00D09E' },
            { path: 'Device.DeviceInfo.ProductClass', value: 'H' },
            { path: 'Device.DeviceInfo.SerialNumber', value: 'S' },
          ],
        },
        cr: false,
        udpCr: true,
      }),
    ).rejects.toThrow(ConfigError);
  });
});
