import { expect } from 'vitest';
import { withCpeFleet } from 'cpe-sim/vitest';

const test = withCpeFleet({
  count: 3,
  profile: {
    deviceIdPaths: { manufacturer: 'Device.DeviceInfo.Manufacturer', oui: 'Device.DeviceInfo.ManufacturerOUI', productClass: 'Device.DeviceInfo.ProductClass', serialNumber: 'Device.DeviceInfo.SerialNumber' },
    parameters: [
      { path: 'Device.DeviceInfo.Manufacturer', value: 'Example' },
      { path: 'Device.DeviceInfo.ManufacturerOUI', value: '00D09E' },
      { path: 'Device.DeviceInfo.ProductClass', value: 'HGW' },
      { path: 'Device.DeviceInfo.SerialNumber', value: 'LAB' },
      { path: 'Device.ManagementServer.ConnectionRequestURL', value: '', writable: true },
      { path: 'Device.ManagementServer.ConnectionRequestUsername', value: 'cr-{cpe_id}', writable: true },
      { path: 'Device.ManagementServer.ConnectionRequestPassword', value: 'secret', writable: true },
    ],
    connectionRequest: { scheme: 'digest', realm: 'cpe-sim', usernameParameter: 'Device.ManagementServer.ConnectionRequestUsername', passwordParameter: 'Device.ManagementServer.ConnectionRequestPassword' },
  },
});

test('a Digest Connection Request wakes cpe-2', async ({ fleet, acs }) => {
  const res = await acs.connectionRequest(fleet.cpe(2).crUrl!, { username: 'cr-cpe-2', password: 'secret' });
  expect(res).toBeAccepted();
  await expect(fleet.cpe(2)).toHaveInformed('6 CONNECTION REQUEST');
});
