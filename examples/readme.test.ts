import { expect } from 'vitest';
import { withCpeFleet } from 'cpe-sim/vitest';

// Three simulated routers with Digest-protected Connection Requests, an embedded
// fake ACS, and a real CR listener on an ephemeral loopback port.
const test = withCpeFleet({ profile: 'tr181-digest', count: 3 });

test('a Digest Connection Request wakes cpe-2', async ({ fleet, acs }) => {
  const cpe = fleet.cpe(2);
  const res = await acs.connectionRequest(cpe.crUrl!, { username: 'cr-cpe-2', password: 'secret' });

  expect(res).toBeAccepted();
  await expect(cpe).toHaveInformed('6 CONNECTION REQUEST');
});

test('a wrong password gets a fresh Digest challenge and no session', async ({ fleet, acs }) => {
  const res = await acs.connectionRequest(fleet.cpe(3).crUrl!, { username: 'cr-cpe-3', password: 'wrong' });

  expect(res).toBeUnauthorized({ scheme: 'Digest' });
  await expect(fleet.cpe(3)).not.toHaveInformed('6 CONNECTION REQUEST');
});
