import { describe, expect, it } from 'vitest';
import { expectGolden } from '../support/golden.js';
import { decodeEnvelope, encodeEnvelope, type CwmpHeader, type Inform } from '../../src/cwmp/index.js';

/** Fixed typed Informs: any change to the encoder's bytes shows up as a golden diff. */
const TR181: Inform = {
  name: 'Inform',
  deviceId: { manufacturer: 'SimCo', oui: '00D09E', productClass: 'SimRouter', serialNumber: 'LAB-0001' },
  event: [
    { eventCode: '0 BOOTSTRAP', commandKey: '' },
    { eventCode: '1 BOOT', commandKey: '' },
  ],
  maxEnvelopes: 1,
  currentTime: '2025-03-01T10:15:00Z',
  retryCount: 0,
  parameterList: [
    { name: 'Device.RootDataModelVersion', value: '2.17', type: 'xsd:string' },
    { name: 'Device.DeviceInfo.HardwareVersion', value: 'HW-1', type: 'xsd:string' },
    { name: 'Device.DeviceInfo.SoftwareVersion', value: '1.0.3 & <beta>', type: 'xsd:string' },
    { name: 'Device.DeviceInfo.ProvisioningCode', value: '', type: 'xsd:string' },
    { name: 'Device.ManagementServer.ParameterKey', value: '1e3', type: 'xsd:string' },
    { name: 'Device.ManagementServer.ConnectionRequestURL', value: 'http://127.0.0.1:7547/cr/cpe-1', type: 'xsd:string' },
  ],
};

const TR098: Inform = {
  name: 'Inform',
  deviceId: { manufacturer: 'Acme', oui: '001122', productClass: 'IGD', serialNumber: '0012345' },
  event: [
    { eventCode: '1 BOOT', commandKey: '' },
    { eventCode: 'M Reboot', commandKey: 'rb-17' },
  ],
  maxEnvelopes: 1,
  currentTime: '2025-03-01T10:15:00Z',
  retryCount: 2,
  parameterList: [
    { name: 'InternetGatewayDevice.DeviceSummary', value: 'InternetGatewayDevice:1.4[](Baseline:1)', type: 'xsd:string' },
    { name: 'InternetGatewayDevice.DeviceInfo.SpecVersion', value: '1.0', type: 'xsd:string' },
    { name: 'InternetGatewayDevice.DeviceInfo.HardwareVersion', value: 'HW-2', type: 'xsd:string' },
    { name: 'InternetGatewayDevice.DeviceInfo.SoftwareVersion', value: '2.0.1', type: 'xsd:string' },
    { name: 'InternetGatewayDevice.DeviceInfo.ProvisioningCode', value: 'ABC', type: 'xsd:string' },
    { name: 'InternetGatewayDevice.ManagementServer.ParameterKey', value: '', type: 'xsd:string' },
    { name: 'InternetGatewayDevice.ManagementServer.ConnectionRequestURL', value: 'http://127.0.0.1:7547/cr/cpe-2', type: 'xsd:string' },
    { name: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval', value: '300', type: 'xsd:unsignedInt' },
    { name: 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress', value: '192.0.2.10', type: 'xsd:string' },
  ],
};

const HEADER: CwmpHeader = { id: '1', supportedCwmpVersions: '1.0,1.1,1.2,1.3,1.4', sessionTimeout: 30 };

describe('golden Informs (byte for byte; UPDATE_GOLDEN=1 rewrites)', () => {
  for (const [file, inform] of [
    ['inform-tr181.xml', TR181],
    ['inform-tr098.xml', TR098],
  ] as const) {
    it(file, () => {
      const xml = encodeEnvelope(inform, { header: HEADER });
      expectGolden(file, xml);
      expect(decodeEnvelope(xml)).toEqual({ header: HEADER, namespace: 'urn:dslforum-org:cwmp-1-2', body: inform });
    });
  }
});
