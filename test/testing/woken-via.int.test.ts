import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { cpeSimMatchers } from '../../src/testing/matchers.js';

expect.extend(cpeSimMatchers);
declare module 'vitest' {
  interface Matchers<T> {
    toHaveWokenVia(path: 'http' | 'udp' | 'xmpp', options?: { cpe?: number | string; since?: number | Date; timeout?: number }): Promise<T>;
  }
}

const ADDR = 'Device.ManagementServer.UDPConnectionRequestAddress';

describe('toHaveWokenVia', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ profile: 'fixtures/profiles/tr181-digest.yaml', udpCr: true });
  });
  afterAll(async () => {
    await fleet?.close();
  });

  it('tells which path woke which CPE', async () => {
    await fleet.acs!.udpConnectionRequest(fleet.cpe(2).params.getValue(ADDR)!, { username: 'cr-cpe-2', password: 'secret' });
    await expect(fleet).toHaveWokenVia('udp', { cpe: 'cpe-2' });
    await expect(fleet).not.toHaveWokenVia('udp', { cpe: 'cpe-1' });
    await expect(fleet).not.toHaveWokenVia('http', { cpe: 2 });
    expect((await fleet.acs!.connectionRequest(fleet.cpe(1).crUrl!, { username: 'cr-cpe-1', password: 'secret' })).status).toBe(200);
    await expect(fleet).toHaveWokenVia('http', { cpe: 'cpe-1' });
    await expect(fleet).toHaveWokenVia('udp');
  });

  it('a forged UDP datagram wakes nothing, and the failure lists what the fleet saw', async () => {
    const since = Date.now();
    await fleet.acs!.udpConnectionRequest(fleet.cpe(3).params.getValue(ADDR)!, { username: 'cr-cpe-3', password: 'forged', copies: 1 });
    await expect.poll(() => fleet.crRequests('cpe-3').length).toBe(1);
    const err = await expect(fleet).toHaveWokenVia('udp', { cpe: 'cpe-3', since, timeout: 200 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Expected: a UDP Connection Request accepted for cpe-3/);
    expect((err as Error).message).toMatch(/cpe-3 {2}UDP bad-signature/);
  });

  it('refuses what it cannot read', async () => {
    await expect(expect(fleet.cpe(1)).toHaveWokenVia('udp')).rejects.toThrow(/must be a Fleet/);
    await expect(expect(fleet).toHaveWokenVia('smtp' as 'udp')).rejects.toThrow(/path must be 'http', 'udp' or 'xmpp'/);
  });
});
