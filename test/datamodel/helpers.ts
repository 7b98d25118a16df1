import { CwmpFault } from '../../src/errors/index.js';
import type { LeafDef, Profile, TableDef, XsdType } from '../../src/profile/types.js';

/** A leaf literal: `leaf('Device.X', 'v', { type, writable })`. */
export function leaf(path: string, value: string, opts: { type?: XsdType; writable?: boolean } = {}): LeafDef {
  return { path, value, type: opts.type ?? 'xsd:string', writable: opts.writable ?? false };
}

/** A table literal with row-relative parameters. */
export function table(path: string, instances: number, parameters: LeafDef[]): TableDef {
  return { path, instances, uniqueKeys: [], parameters };
}

/** A minimal, valid Profile literal; `over` replaces top-level fields. */
export function makeProfile(over: Partial<Profile> = {}): Profile {
  return {
    source: '<test>',
    root: 'Device',
    roots: ['Device'],
    deviceIdPaths: {
      manufacturer: 'Device.DeviceInfo.Manufacturer',
      oui: 'Device.DeviceInfo.ManufacturerOUI',
      productClass: 'Device.DeviceInfo.ProductClass',
      serialNumber: 'Device.DeviceInfo.SerialNumber',
    },
    parameters: [
      leaf('Device.DeviceInfo.Manufacturer', 'Example'),
      leaf('Device.DeviceInfo.ManufacturerOUI', '00D09E'),
      leaf('Device.DeviceInfo.ProductClass', 'HGW'),
      leaf('Device.DeviceInfo.SerialNumber', 'LAB'),
      leaf('Device.DeviceInfo.SoftwareVersion', '1.0.0'),
      leaf('Device.DeviceInfo.UpTime', '0', { type: 'xsd:unsignedInt' }),
      leaf('Device.ManagementServer.PeriodicInformEnable', 'true', { type: 'xsd:boolean', writable: true }),
      leaf('Device.ManagementServer.PeriodicInformInterval', '300', { type: 'xsd:unsignedInt', writable: true }),
      leaf('Device.ManagementServer.PeriodicInformTime', '0001-01-01T00:00:00Z', { type: 'xsd:dateTime', writable: true }),
      leaf('Device.ManagementServer.ConnectionRequestURL', '', { writable: true }),
      leaf('Device.ManagementServer.ConnectionRequestUsername', 'cr-{cpe_id}', { writable: true }),
      leaf('Device.ManagementServer.ConnectionRequestPassword', 'secret', { writable: true }),
      leaf('Device.ManagementServer.ParameterKey', ''),
      leaf('Device.X_TEST.Int', '-5', { type: 'xsd:int', writable: true }),
      leaf('Device.X_TEST.Long', '0', { type: 'xsd:long', writable: true }),
      leaf('Device.X_TEST.ULong', '0', { type: 'xsd:unsignedLong', writable: true }),
      leaf('Device.X_TEST.Blob', '', { type: 'xsd:base64', writable: true }),
    ],
    objects: [
      table('Device.Hosts.Host.', 2, [
        leaf('HostName', 'host-{i}', { writable: true }),
        leaf('Active', 'true', { type: 'xsd:boolean' }),
      ]),
    ],
    informParameters: {},
    fleet: { count: 3, offset: 0, serialPattern: '{base}-{i:4}', pools: {} },
    connectionRequest: { scheme: '', realm: '', throttleWindowMs: 0 },
    transfer: { defaultDelayMs: 0, faults: {} },
    eventSchedule: { rebootDelayMs: 0, factoryResetDelayMs: 0, bootDelayMs: 0, bootRampMs: 0 },
    generators: [],
    diagnostics: [],
    faults: {},
    ...over,
  };
}

/** Runs `fn` and returns the CwmpFault it throws; fails the test if it throws nothing or something else. */
export function faultOf(fn: () => unknown): CwmpFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof CwmpFault) return e;
    throw e;
  }
  throw new Error('expected a CwmpFault, nothing was thrown');
}
