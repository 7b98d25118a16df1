/**
 * The smallest TR-181 profile a fleet test needs: DeviceId leaves, the CR URL leaf and
 * Basic CR credentials `u`/`p` (throttle off), plus the test's own leaves and blocks.
 */
import { loadProfile, type Profile } from '../../src/profile/index.js';

export const CR_USER = 'Device.ManagementServer.ConnectionRequestUsername';
export const CR_PASS = 'Device.ManagementServer.ConnectionRequestPassword';

/** The deviceIdPaths of every hand-written TR-181 test profile. */
export const TR181_DEVICE_ID_PATHS = {
  manufacturer: 'Device.DeviceInfo.Manufacturer',
  oui: 'Device.DeviceInfo.ManufacturerOUI',
  productClass: 'Device.DeviceInfo.ProductClass',
  serialNumber: 'Device.DeviceInfo.SerialNumber',
} as const;

/** The four DeviceId leaves `TR181_DEVICE_ID_PATHS` points at, with the values a test picks. */
export function identityLeaves(id: { serial: string; oui?: string; manufacturer?: string; productClass?: string }): Record<string, unknown>[] {
  return [
    { path: TR181_DEVICE_ID_PATHS.manufacturer, value: id.manufacturer ?? 'Example' },
    { path: TR181_DEVICE_ID_PATHS.oui, value: id.oui ?? '00D09E' },
    { path: TR181_DEVICE_ID_PATHS.productClass, value: id.productClass ?? 'HGW' },
    { path: TR181_DEVICE_ID_PATHS.serialNumber, value: id.serial },
  ];
}

export function tr181Profile(serial: string, count: number, parameters: ReadonlyArray<Record<string, unknown>>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deviceIdPaths: TR181_DEVICE_ID_PATHS,
    fleet: { count, serialPattern: `${serial}-{i}` },
    parameters: [
      ...identityLeaves({ serial }),
      { path: 'Device.ManagementServer.ConnectionRequestURL', value: '' },
      { path: CR_USER, value: 'u', writable: true },
      { path: CR_PASS, value: 'p', writable: true },
      ...parameters,
    ],
    connectionRequest: { scheme: 'basic', realm: 'cpe-sim', throttleWindow: '0s', usernameParameter: CR_USER, passwordParameter: CR_PASS },
    ...extra,
  };
}

/**
 * `p` with a `Device.LocalAgent.Subscription.1` (ID `factory-boot`) provisioned, as operators
 * ship them: an enabled, persistent Event subscription of Controller.1 to `Device.Boot!`.
 * Under TR-369 Boot! goes only to a subscribed Controller (usp-notes §7.2), and a factory
 * reset brings this row back, so every start's Boot! has a recipient.
 */
export function withBootSubscription(p: Profile): Profile {
  const param = (path: string, value: string, type: 'xsd:string' | 'xsd:boolean' | 'xsd:unsignedInt' | 'xsd:dateTime' = 'xsd:string', writable = true) => ({ path, value, type, writable });
  const table = {
    path: 'Device.LocalAgent.Subscription.',
    instances: 1,
    uniqueKeys: ['Alias'],
    parameters: [
      param('Alias', 'cpe-{i}'), param('Enable', 'true', 'xsd:boolean'), param('Recipient', 'Device.LocalAgent.Controller.1', 'xsd:string', false),
      param('ID', 'factory-boot'), param('CreationDate', '0001-01-01T00:00:00Z', 'xsd:dateTime', false), param('NotifType', 'Event'),
      param('ReferenceList', 'Device.Boot!'), param('Persistent', 'true', 'xsd:boolean'), param('TimeToLive', '0', 'xsd:unsignedInt'),
      param('NotifRetry', 'false', 'xsd:boolean'), param('NotifExpiration', '0', 'xsd:unsignedInt'), param('TriggerAction', 'Notify'), param('TriggerConfigSettings', ''),
    ],
  };
  return { ...p, objects: [...p.objects, table] };
}

/**
 * The shipped mesh-router (firmware, software modules, diagnostics) with `transfer.firmware.fetch`
 * on, so a firmware Download really fetches the image and reads its version from the header:
 * what the USP command tests drive end to end.
 */
export async function meshRouterFetchingFirmware(): Promise<Profile> {
  const p = await loadProfile('mesh-router');
  return { ...p, transfer: { ...p.transfer, firmware: { ...p.transfer.firmware!, fetch: true } } };
}
