import { describe, expect, it } from 'vitest';
import { CwmpFault, CPE_FAULT_STRINGS } from '../../src/errors/index.js';
import {
  CPE_RPC_METHODS,
  NAMESPACE_BY_VERSION,
  UNKNOWN_TIME,
  decodeEnvelope,
  encodeEnvelope,
  errorFromFault,
  faultFromError,
  forcedInformParameters,
  formatDateTime,
  versionOfNamespace,
  type CwmpNamespace,
} from '../../src/cwmp/index.js';

describe('faults (cwmp-notes §1.8)', () => {
  it.each([9003, 9005, 9006, 9007, 9008])('%i is a Client fault', (code) => {
    expect(faultFromError(new CwmpFault(code)).faultcode).toBe('Client');
  });
  it.each([9000, 9001, 9002, 9004, 9009, 9010, 9011, 9012, 9013, 9019, 9800, 8000, 8005])('%i is a Server fault', (code) => {
    expect(faultFromError(new CwmpFault(code)).faultcode).toBe('Server');
  });
  it('carries code, standard string and faultstring "CWMP fault"', () => {
    expect(faultFromError(new CwmpFault(9005))).toEqual({
      name: 'Fault',
      faultcode: 'Client',
      faultstring: 'CWMP fault',
      detail: { faultCode: 9005, faultString: CPE_FAULT_STRINGS[9005] },
    });
  });
  it('carries SetParameterValuesFault entries and survives the wire both ways', () => {
    const err = new CwmpFault(9003, undefined, [{ parameterName: 'Device.A', faultCode: 9007, faultString: 'Invalid parameter value' }]);
    const fault = faultFromError(err);
    expect(fault.detail.setParameterValuesFault).toEqual([{ parameterName: 'Device.A', faultCode: 9007, faultString: 'Invalid parameter value' }]);
    const back = errorFromFault(decodeEnvelope(encodeEnvelope(fault)).body as typeof fault);
    expect(back).toBeInstanceOf(CwmpFault);
    expect(back.faultCode).toBe(9003);
    expect(back.faultString).toBe('Invalid arguments');
    expect(back.setParameterValuesFaults).toEqual(err.setParameterValuesFaults);
  });
});

describe('namespaces', () => {
  it('maps versions to namespaces: 1.2–1.4 share cwmp-1-2', () => {
    expect(NAMESPACE_BY_VERSION).toEqual({
      '1.0': 'urn:dslforum-org:cwmp-1-0',
      '1.1': 'urn:dslforum-org:cwmp-1-1',
      '1.2': 'urn:dslforum-org:cwmp-1-2',
      '1.3': 'urn:dslforum-org:cwmp-1-2',
      '1.4': 'urn:dslforum-org:cwmp-1-2',
    });
  });
  it('versionOfNamespace', () => {
    expect(versionOfNamespace('urn:dslforum-org:cwmp-1-0')).toBe('1.0');
    expect(versionOfNamespace('urn:dslforum-org:cwmp-1-1')).toBe('1.1');
    expect(versionOfNamespace('urn:dslforum-org:cwmp-1-2')).toBe('1.2');
    expect(() => versionOfNamespace('urn:dslforum-org:cwmp-1-4' as CwmpNamespace)).toThrow(/unknown cwmp namespace/);
  });
});

describe('Inform helpers', () => {
  it('formatDateTime: UTC, Z, whole seconds', () => {
    expect(formatDateTime(0)).toBe('1970-01-01T00:00:00Z');
    expect(formatDateTime(Date.UTC(2025, 2, 1, 10, 15, 0, 999))).toBe('2025-03-01T10:15:00Z');
    expect(() => formatDateTime(Number.NaN)).toThrow(/epoch milliseconds/);
  });
  it('UNKNOWN_TIME is TR-106 Unknown Time', () => {
    expect(UNKNOWN_TIME).toBe('0001-01-01T00:00:00Z');
  });
  it('forcedInformParameters: TR-181 has no WAN IP; TR-098 has the default WAN ExternalIPAddress', () => {
    const tr181 = forcedInformParameters('Device');
    expect(tr181).toEqual([
      'Device.RootDataModelVersion',
      'Device.DeviceInfo.HardwareVersion',
      'Device.DeviceInfo.SoftwareVersion',
      'Device.DeviceInfo.ProvisioningCode',
      'Device.ManagementServer.ParameterKey',
      'Device.ManagementServer.ConnectionRequestURL',
      'Device.ManagementServer.AliasBasedAddressing',
    ]);
    const tr098 = forcedInformParameters('InternetGatewayDevice');
    expect(tr098).toContain('InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress');
    expect(tr098).toContain('InternetGatewayDevice.DeviceSummary');
    expect(tr098).toContain('InternetGatewayDevice.DeviceInfo.SpecVersion');
    expect(tr098.every((p) => p.startsWith('InternetGatewayDevice.'))).toBe(true);
    // Callers may mutate the result without affecting the next call.
    tr181.pop();
    expect(forcedInformParameters('Device')).toHaveLength(7);
  });
  it('forcedInformParameters: any other root gets the TR-181 set under that root (profile-format 4.2)', () => {
    expect(forcedInformParameters('DeviceID')).toEqual(forcedInformParameters('Device').map((p) => p.replace(/^Device\./, 'DeviceID.')));
    expect(() => forcedInformParameters('Bad Root.')).toThrow(/root object name/);
  });
  it('CPE_RPC_METHODS lists the seventeen RPCs our CPE answers', () => {
    expect([...CPE_RPC_METHODS].sort()).toEqual(
      [
        'AddObject', 'DeleteObject', 'Download', 'FactoryReset', 'GetParameterAttributes', 'GetParameterNames', 'GetParameterValues', 'GetRPCMethods', 'Reboot', 'ScheduleInform', 'SetParameterAttributes', 'SetParameterValues',
        'Upload', 'ScheduleDownload', 'GetQueuedTransfers', 'GetAllQueuedTransfers', 'CancelTransfer',
      ].sort(),
    );
    expect(Object.isFrozen(CPE_RPC_METHODS)).toBe(true);
  });
});

describe('forcedInformParameters for any root (profile ref. 3.1)', () => {
  it('re-roots the TR-181 names under a vendor or DeviceID root; the CPE sends those its tree has', async () => {
    const { forcedInformParameters } = await import('../../src/cwmp/index.js');
    expect(forcedInformParameters('DeviceID')[0]).toBe('DeviceID.RootDataModelVersion');
    expect(forcedInformParameters('DeviceID')).toHaveLength(forcedInformParameters('Device').length);
    expect(() => forcedInformParameters('Bad Root')).toThrow(/expected a root object name such as "Device"/);
  });
});
