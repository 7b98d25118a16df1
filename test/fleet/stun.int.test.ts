import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { coturnForSuite, coturnMissing } from '../support/servers/coturn.js';

const MS = 'Device.ManagementServer.';
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('fleet with STUN (TR-111 Part 2) against the fake ACS\'s embedded STUN server', () => {
  it('publishes the NAT binding the server reports: tree, NATDetected, 4 VALUE CHANGE Inform; BINDING-CHANGE when it moves', async () => {
    let port = 40000;
    fleet = await startFleet({
      profile: 'fixtures/profiles/tr181-digest.yaml',
      count: 2,
      timeScale: 0.01, // keep-alive 30 s → 0.3 s
      stun: { username: 'stun-user', password: 'stun-pw' },
      // The STUN server plays a NAT: every request of cpe traffic maps to 203.0.113.5, the port moving after the first.
      embeddedAcs: { stun: { mapAddress: () => ({ address: '203.0.113.5', port: port }) } },
    });
    const acs = fleet.acs!;
    const stun = acs.stun!;
    const first = await stun.waitForBinding((b) => b.connectionRequestBinding);
    expect(first).toMatchObject({ username: 'stun-user', bindingChange: false, from: { address: '127.0.0.1', port: fleet.udpListener!.address.port } });
    const cpe = fleet.cpe(1);
    expect(cpe.params.getValue(`${MS}STUNEnable`)).toBe('true');
    expect(cpe.params.getValue(`${MS}STUNServerPort`)).toBe(String(stun.port));
    await expect.poll(() => cpe.params.getValue(`${MS}UDPConnectionRequestAddress`)).toBe('203.0.113.5:40000');
    expect(cpe.params.getValue(`${MS}NATDetected`)).toBe('true');
    const inform = await acs.waitForInform({ cpe: 'cpe-1', event: '4 VALUE CHANGE' }, { timeoutMs: 10_000 });
    expect(inform.parameters).toContainEqual(expect.objectContaining({ name: `${MS}UDPConnectionRequestAddress`, value: '203.0.113.5:40000' }));
    port = 40001;
    const change = await stun.waitForBinding((b) => b.bindingChange, 10_000);
    expect(change.mapped.port).toBe(40001);
    await expect.poll(() => cpe.params.getValue(`${MS}UDPConnectionRequestAddress`)).toBe('203.0.113.5:40001');
  });

  it('an ACS turning STUNEnable off stops the Binding Requests (read from the tree, as an SPV would set it)', async () => {
    fleet = await startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', count: 1, timeScale: 0.01, stun: true });
    const stun = fleet.acs!.stun!;
    await stun.waitForBinding(() => true);
    fleet.cpe(1).params.setValues([{ name: `${MS}STUNEnable`, value: 'false' }], 'acs');
    await new Promise((r) => setTimeout(r, 300)); // let a request in flight land
    const seen = stun.bindings.length;
    await new Promise((r) => setTimeout(r, 1000)); // > 3 keep-alive periods at this time scale
    expect(stun.bindings.length).toBe(seen);
  });

  it('refuses stun with udpCr: false and a bad server, naming the option', async () => {
    await expect(startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', stun: true, udpCr: false })).rejects.toThrow(/stun needs the UDP Connection Request listener/);
    await expect(startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', stun: { server: 'no port:x' } })).rejects.toThrow(/stun\.server/);
  });
});

describe.skipIf(coturnMissing !== undefined)(`fleet with STUN against a real coturn${coturnMissing ? ` (skipped: ${coturnMissing})` : ''}`, () => {
  const coturn = coturnForSuite();

  it('without a NAT the binding is the listener\'s own address: NATDetected false, and a UDP CR to it wakes the CPE', async () => {
    fleet = await startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', count: 2, stun: { server: `127.0.0.1:${coturn().port}` } });
    const cpe = fleet.cpe(2);
    const address = fleet.udpListener!.publishedAddress;
    // Both CPEs' Binding Requests were answered by coturn on the CR socket…
    await expect.poll(() => fleet!.udpListener!.stats().other, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    // …with the listener's own address: no NAT, nothing to change.
    expect(cpe.params.getValue(`${MS}UDPConnectionRequestAddress`)).toBe(address);
    expect(cpe.params.getValue(`${MS}NATDetected`)).toBe('false');
    const since = Date.now();
    await fleet.acs!.udpConnectionRequest(address, { username: 'cr-cpe-2', password: 'secret' });
    await fleet.acs!.waitForInform({ cpe: 'cpe-2', event: '6 CONNECTION REQUEST' }, { since });
  });
});
