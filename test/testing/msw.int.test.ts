// The msw set-up docs/testing.md shows: a fleet on transport 'fetch' talks to a
// FakeAcs served by msw handlers; Connection Requests still reach the fleet's real
// loopback listener because msw bypasses unhandled requests.
import { fileURLToPath } from 'node:url';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect } from 'vitest';
import { createFakeAcs } from '../../src/acs/index.js';
import { acsHandlers } from '../../src/acs/msw.js';
import { withCpeFleet } from '../../src/testing/vitest.js';

const profile = fileURLToPath(new URL('../../fixtures/profiles/tr181-hgw.yaml', import.meta.url));
const acs = await createFakeAcs();
const server = setupServer(...acsHandlers(acs, { url: 'http://acs.test/cwmp' }));
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(async () => {
  server.close();
  await acs.close();
});

const test = withCpeFleet({ profile, count: 1, acsUrl: 'http://acs.test/cwmp', transport: 'fetch' });

test('a fleet on transport fetch informs an msw-served FakeAcs and answers a real CR', async ({ fleet }) => {
  // One CPE: its CR URL is /cr (no id in it), so the ACS knows it by serial number.
  await expect(acs).toHaveInformed('0 BOOTSTRAP', { cpe: 'HGW-0001' });
  const res = await acs.connectionRequest(fleet.cpe(1).crUrl!, { username: 'cr-cpe-1', password: 'secret-cpe-1' });
  expect(res).toBeAccepted();
  await expect(acs).toHaveInformed('6 CONNECTION REQUEST', { cpe: fleet.cpe(1).serialNumber });
  await expect(fleet.cpe(1)).toHaveInformed('6 CONNECTION REQUEST');
});
