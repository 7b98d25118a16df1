// Example 4: the ACS rotates a CPE's Connection Request credentials with an SPV;
// the next CR must use the new ones (the CPE reads them per request), and the old
// ones are refused from then on.
import { expect } from 'vitest';
import { withCpeFleet } from 'cpe-sim/vitest';

const test = withCpeFleet({
  profile: 'tr181-hgw', // a shipped profile, by name (works in an installed project too)
  count: 1,
});

test('credentials rotated by SPV are used by the next CR; the old ones get 401', async ({ fleet, acs }) => {
  const cpe = fleet.cpe(1);
  const oldCreds = { username: 'cr-cpe-1', password: 'secret-cpe-1' };
  const newCreds = { username: 'cr-cpe-1', password: 'rotated-2f9c' };

  // Queue the rotation, then wake the CPE with the credentials it has today.
  const rotated = acs.rpc(
    'cpe-1',
    {
      name: 'SetParameterValues',
      parameterKey: 'rotate-cr-creds',
      parameterList: [{ name: 'Device.ManagementServer.ConnectionRequestPassword', value: newCreds.password, type: 'xsd:string' }],
    },
    { timeoutMs: 5000 },
  );
  expect(await acs.connectionRequest(cpe.crUrl!, oldCreds)).toBeAccepted();
  expect(await rotated).toMatchObject({ name: 'SetParameterValuesResponse', status: 0 });
  await expect(cpe).toHaveReceivedRpc('SetParameterValues', {
    parameterList: [{ name: 'Device.ManagementServer.ConnectionRequestPassword', value: newCreds.password }],
  });
  expect(cpe).toHaveParameterValue('Device.ManagementServer.ConnectionRequestPassword', newCreds.password);

  // The old password is refused with a fresh Digest challenge and wakes nothing.
  expect(await acs.connectionRequest(cpe.crUrl!, oldCreds)).toBeUnauthorized({ scheme: 'digest' });
  // The new one works.
  expect(await acs.connectionRequest(cpe.crUrl!, newCreds)).toBeAccepted();
  await expect(cpe).toHaveInformed('6 CONNECTION REQUEST', { times: 2 });
});
