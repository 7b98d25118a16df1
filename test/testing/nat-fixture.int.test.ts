// The NAT wake-up paths through the Vitest fixture: `udpCr` / `stun` are fleet options
// the fixture passes on, and `toHaveWokenVia` is registered with the other matchers.
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { withCpeFleet } from '../../src/testing/vitest.js';

const profile = fileURLToPath(new URL('../../fixtures/profiles/tr181-digest.yaml', import.meta.url));
const ADDR = 'Device.ManagementServer.UDPConnectionRequestAddress';

describe('withCpeFleet with udpCr and stun', () => {
  const test = withCpeFleet({ profile, count: 2, udpCr: true, stun: true });

  test('a UDP CR wakes the addressed CPE; the embedded STUN server saw a TR-111 Binding Request', async ({ fleet, acs }) => {
    await acs.stun!.waitForBinding((b) => b.connectionRequestBinding);
    await acs.udpConnectionRequest(fleet.cpe(2).params.getValue(ADDR)!, { username: 'cr-cpe-2', password: 'secret' });
    await expect(fleet).toHaveWokenVia('udp', { cpe: 'cpe-2' });
    await expect(fleet).not.toHaveWokenVia('udp', { cpe: 'cpe-1' });
  });
});
