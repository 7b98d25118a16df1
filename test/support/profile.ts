/**
 * The smallest TR-181 profile a fleet test needs: DeviceId leaves, the CR URL leaf and
 * Basic CR credentials `u`/`p` (throttle off), plus the test's own leaves and blocks.
 */
export const CR_USER = 'Device.ManagementServer.ConnectionRequestUsername';
export const CR_PASS = 'Device.ManagementServer.ConnectionRequestPassword';

export function tr181Profile(serial: string, count: number, parameters: ReadonlyArray<Record<string, unknown>>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deviceIdPaths: {
      manufacturer: 'Device.DeviceInfo.Manufacturer',
      oui: 'Device.DeviceInfo.ManufacturerOUI',
      productClass: 'Device.DeviceInfo.ProductClass',
      serialNumber: 'Device.DeviceInfo.SerialNumber',
    },
    fleet: { count, serialPattern: `${serial}-{i}` },
    parameters: [
      { path: 'Device.DeviceInfo.Manufacturer', value: 'Example' },
      { path: 'Device.DeviceInfo.ManufacturerOUI', value: '00D09E' },
      { path: 'Device.DeviceInfo.ProductClass', value: 'HGW' },
      { path: 'Device.DeviceInfo.SerialNumber', value: serial },
      { path: 'Device.ManagementServer.ConnectionRequestURL', value: '' },
      { path: CR_USER, value: 'u', writable: true },
      { path: CR_PASS, value: 'p', writable: true },
      ...parameters,
    ],
    connectionRequest: { scheme: 'basic', realm: 'cpe-sim', throttleWindow: '0s', usernameParameter: CR_USER, passwordParameter: CR_PASS },
    ...extra,
  };
}
