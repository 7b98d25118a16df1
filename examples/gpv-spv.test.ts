// Example 3: an ACS that provisions a CPE after its Inform: it reads the firmware
// version (GetParameterValues) and sets the periodic inform interval
// (SetParameterValues). `provisionOnInform` stands for your ACS's logic; here it
// drives cpe-sim's FakeAcs, whose queue answers the CPE's next session.
import { expect } from 'vitest';
import { withCpeFleet, type FakeAcs } from 'cpe-sim/vitest';

/** The ACS logic under test: queue GPV then SPV for the device's next session. */
async function provisionOnInform(acs: FakeAcs, cpeId: string): Promise<{ firmware: string | undefined }> {
  const gpv = acs.rpc(cpeId, { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] }, { timeoutMs: 5000 });
  const spv = acs.rpc(
    cpeId,
    {
      name: 'SetParameterValues',
      parameterKey: 'provision-1',
      parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '60', type: 'xsd:unsignedInt' }],
    },
    { timeoutMs: 5000 },
  );
  const [values] = await Promise.all([gpv, spv]);
  const firmware = values.name === 'GetParameterValuesResponse' ? values.parameterList[0]?.value : undefined;
  return { firmware };
}

const test = withCpeFleet({
  profile: 'tr181-hgw', // a shipped profile, by name (works in an installed project too)
  count: 2,
});

test('after the CPE informs, the ACS reads the firmware and sets the interval', async ({ fleet, acs }) => {
  const cpe = fleet.cpe('cpe-1');
  const provisioning = provisionOnInform(acs, 'cpe-1');
  // Wake the CPE so it opens a session and picks up the queued RPCs.
  expect(await acs.connectionRequest(cpe.crUrl!, { username: 'cr-cpe-1', password: 'secret-cpe-1' })).toBeAccepted();

  expect(await provisioning).toEqual({ firmware: '1.0.0' });
  await expect(cpe).toHaveReceivedRpc('GetParameterValues', { parameterNames: ['Device.DeviceInfo.SoftwareVersion'] });
  await expect(cpe).toHaveReceivedRpc('SetParameterValues', {
    parameterKey: 'provision-1',
    parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '60' }],
  });
  expect(cpe).toHaveParameterValue('Device.ManagementServer.PeriodicInformInterval', '60');

  // The other CPE was not touched.
  await expect(fleet.cpe('cpe-2')).not.toHaveReceivedRpc('SetParameterValues');
  expect(fleet.cpe('cpe-2')).toHaveParameterValue('Device.ManagementServer.PeriodicInformInterval', '3600');
});
