/**
 * Inform helpers: dateTime formatting, Unknown Time, Forced Inform parameters and the
 * RPC methods a CPE answers.
 * @module
 */
import { CpeSimError } from '../errors/index.js';
import type { DataModelRoot } from '../profile/index.js';

/** TR-106 "Unknown Time": used for DownloadResponse times while Status is 1, etc. */
export const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

/**
 * Formats epoch milliseconds as xsd:dateTime in UTC with `Z`, whole seconds
 * (`2025-03-01T10:15:00Z`): the form every ACS parses.
 *
 * @example formatDateTime(0) // '1970-01-01T00:00:00Z'
 */
export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) throw new CpeSimError('CPESIM_CWMP_TIME_INVALID', `formatDateTime: expected epoch milliseconds, got ${String(ms)}`);
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const iso = d.toISOString();
  if (!/^\d{4}-/.test(iso)) throw new CpeSimError('CPESIM_CWMP_TIME_INVALID', `formatDateTime: ${ms} is outside years 0000–9999`);
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

const TR181: readonly string[] = Object.freeze([
  'Device.RootDataModelVersion',
  'Device.DeviceInfo.HardwareVersion',
  'Device.DeviceInfo.SoftwareVersion',
  'Device.DeviceInfo.ProvisioningCode',
  'Device.ManagementServer.ParameterKey',
  'Device.ManagementServer.ConnectionRequestURL',
  'Device.ManagementServer.AliasBasedAddressing',
]);

const TR098: readonly string[] = Object.freeze([
  'InternetGatewayDevice.DeviceSummary',
  'InternetGatewayDevice.DeviceInfo.SpecVersion',
  'InternetGatewayDevice.DeviceInfo.HardwareVersion',
  'InternetGatewayDevice.DeviceInfo.SoftwareVersion',
  'InternetGatewayDevice.DeviceInfo.ProvisioningCode',
  'InternetGatewayDevice.ManagementServer.ParameterKey',
  'InternetGatewayDevice.ManagementServer.ConnectionRequestURL',
  'InternetGatewayDevice.ManagementServer.AliasBasedAddressing',
  // Only the default WAN connection's address is forced (cwmp-notes §2.2).
  'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress',
]);

/**
 * The Forced Inform parameters of a root data model (`forcedInform="true"` in the BBF
 * XML; cwmp-notes §2.2), in Inform order. Some exist only in later model versions
 * (`Device.RootDataModelVersion` 2.4+, `AliasBasedAddressing` only when supported), so
 * the CPE sends those of them its tree has. `InternetGatewayDevice` gets TR-098's set;
 * any other root (`Device`, a vendor root such as `DeviceID`) TR-181's, under that root.
 *
 * @example forcedInformParameters('Device')[0] // 'Device.RootDataModelVersion'
 * @example forcedInformParameters('DeviceID')[4] // 'DeviceID.ManagementServer.ParameterKey'
 */
export function forcedInformParameters(root: DataModelRoot): string[] {
  if (root === 'InternetGatewayDevice') return [...TR098];
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(root)) {
    throw new CpeSimError('CPESIM_CWMP_ROOT_INVALID', `forcedInformParameters: expected a root object name such as "Device" or "InternetGatewayDevice", got ${JSON.stringify(root)}`);
  }
  if (root === 'Device') return [...TR181];
  return TR181.map((p) => root + p.slice('Device'.length));
}

/** The RPCs our simulated CPE answers, as listed in its GetRPCMethodsResponse (TR-069 A.3.2.1). */
export const CPE_RPC_METHODS: readonly string[] = Object.freeze([
  'GetRPCMethods',
  'GetParameterNames',
  'GetParameterValues',
  'SetParameterValues',
  'GetParameterAttributes',
  'SetParameterAttributes',
  'AddObject',
  'DeleteObject',
  'Reboot',
  'FactoryReset',
  'Download',
  'ScheduleInform',
  'Upload',
  'ScheduleDownload',
  'GetQueuedTransfers',
  'GetAllQueuedTransfers',
  'CancelTransfer',
]);
