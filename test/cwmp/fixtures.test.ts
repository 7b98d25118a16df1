import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type Envelope } from '../../src/cwmp/index.js';

const dir = fileURLToPath(new URL('../../fixtures/cwmp/', import.meta.url));
const read = (rel: string): string => readFileSync(dir + rel, 'utf8');

const NS10 = 'urn:dslforum-org:cwmp-1-0';
const NS11 = 'urn:dslforum-org:cwmp-1-1';
const NS12 = 'urn:dslforum-org:cwmp-1-2';

/** What real ACSs send (decoded by our CPE). */
const ACS: Record<string, Envelope> = {
  'inform-response-genieacs.xml': { header: { id: '18d4c7a91f2' }, namespace: NS10, body: { name: 'InformResponse', maxEnvelopes: 1 } },
  'inform-response-cwmp14.xml': { header: { id: '1001', useCwmpVersion: '1.4' }, namespace: NS12, body: { name: 'InformResponse', maxEnvelopes: 1 } },
  'inform-response-default-ns.xml': { header: { id: 'abc-42', holdRequests: true }, namespace: NS11, body: { name: 'InformResponse', maxEnvelopes: 1 } },
  'gpv-genieacs.xml': {
    header: { id: '18d4c7a91f3' },
    namespace: NS10,
    body: { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion', 'Device.DeviceInfo.UpTime', 'Device.ManagementServer.'] },
  },
  'spv-xsi-types.xml': {
    header: { id: 'spv-7' },
    namespace: NS12,
    body: {
      name: 'SetParameterValues',
      parameterList: [
        { name: 'Device.ManagementServer.PeriodicInformInterval', value: '300', type: 'xsd:unsignedInt' },
        { name: 'Device.ManagementServer.PeriodicInformEnable', value: '1', type: 'xsd:boolean' },
        { name: 'Device.WiFi.SSID.1.SSID', value: 'Café & "Bar" <5G>', type: 'xsd:string' },
        { name: 'Device.DeviceInfo.ProvisioningCode', value: '007', type: 'xsd:string' },
        { name: 'Device.Time.LocalTimeZone', value: '2025-03-01T00:00:00.000Z', type: 'xsd:dateTime' },
      ],
      parameterKey: '1e3',
    },
  },
  'gpn.xml': { header: { id: 'gpn-1' }, namespace: NS10, body: { name: 'GetParameterNames', parameterPath: 'Device.DeviceInfo.', nextLevel: true } },
  'gpn-whole-tree.xml': { header: { id: 'gpn-2' }, namespace: NS12, body: { name: 'GetParameterNames', parameterPath: '', nextLevel: false } },
  'gpa.xml': {
    header: { id: 'gpa-1' },
    namespace: NS10,
    body: { name: 'GetParameterAttributes', parameterNames: ['Device.DeviceInfo.SoftwareVersion', 'Device.ManagementServer.ConnectionRequestURL'] },
  },
  'spa-empty-notification.xml': {
    header: { id: 'spa-1' },
    namespace: NS10,
    body: {
      name: 'SetParameterAttributes',
      parameterList: [
        { name: 'Device.ManagementServer.PeriodicInformInterval', notificationChange: true, notification: 2, accessListChange: false, accessList: [] },
        { name: 'Device.DeviceInfo.SoftwareVersion', notificationChange: false, notification: 0, accessListChange: true, accessList: ['Subscriber'] },
      ],
    },
  },
  'addobject.xml': { header: { id: 'add-1' }, namespace: NS10, body: { name: 'AddObject', objectName: 'Device.IP.Interface.', parameterKey: 'pk-5' } },
  'deleteobject.xml': { header: { id: 'del-1' }, namespace: NS10, body: { name: 'DeleteObject', objectName: 'Device.IP.Interface.3.', parameterKey: '' } },
  'reboot.xml': { header: { id: 'rb-17' }, namespace: NS10, body: { name: 'Reboot', commandKey: 'rb-17' } },
  'factoryreset.xml': { header: { id: 'fr-1' }, namespace: NS10, body: { name: 'FactoryReset' } },
  'download.xml': {
    header: { id: 'fw-9' },
    namespace: NS12,
    body: {
      name: 'Download',
      commandKey: 'fw-9',
      fileType: '1 Firmware Upgrade Image',
      url: 'http://files.example/fw.bin?v=2&sig=ab',
      username: 'fw',
      password: 's3cr<t',
      fileSize: 1048576,
      targetFileName: '',
      delaySeconds: 0,
      successURL: '',
      failureURL: '',
    },
  },
  'scheduleinform.xml': { header: { id: 'si-1' }, namespace: NS10, body: { name: 'ScheduleInform', delaySeconds: 60, commandKey: 'si-1' } },
  'getrpcmethods.xml': { header: { id: 'grm-1' }, namespace: NS10, body: { name: 'GetRPCMethods' } },
  'transfer-complete-response.xml': { header: { id: 'tc-3' }, namespace: NS10, body: { name: 'TransferCompleteResponse' } },
  'fault-8005.xml': {
    header: { id: 'tc-3' },
    namespace: NS12,
    body: { name: 'Fault', faultcode: 'Server', faultstring: 'CWMP fault', detail: { faultCode: 8005, faultString: 'Retry request' } },
  },
  'gpv-comments-cdata.xml': {
    header: { id: 'id<&>1' },
    namespace: NS12,
    body: { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.', 'Device.ManagementServer.URL'] },
  },
  'gpv-ns0-prefix.xml': { header: { id: '0x2a' }, namespace: NS12, body: { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SerialNumber'] } },
  'rpc-default-cwmp-ns.xml': { header: { id: '77' }, namespace: NS12, body: { name: 'Reboot', commandKey: 'k' } },
};

/** What real CPEs send (decoded by the fake ACS). */
const CPE: Record<string, Envelope> = {
  'inform-bootstrap-tr181.xml': {
    header: { id: '1001', supportedCwmpVersions: '1.0,1.1,1.2,1.3,1.4', sessionTimeout: 30 },
    namespace: NS12,
    body: {
      name: 'Inform',
      deviceId: { manufacturer: 'SimCo', oui: '00D09E', productClass: 'SimRouter', serialNumber: 'SIM000001' },
      event: [
        { eventCode: '0 BOOTSTRAP', commandKey: '' },
        { eventCode: '1 BOOT', commandKey: '' },
      ],
      maxEnvelopes: 1,
      currentTime: '2025-03-01T10:15:00Z',
      retryCount: 0,
      parameterList: [
        { name: 'Device.RootDataModelVersion', value: '2.17', type: 'xsd:string' },
        { name: 'Device.DeviceInfo.SoftwareVersion', value: '1.0.3', type: 'xsd:string' },
        { name: 'Device.ManagementServer.ConnectionRequestURL', value: 'http://10.0.0.5:7547/cr/8f2c1a', type: 'xsd:string' },
      ],
    },
  },
  'inform-tr098-cwmp10.xml': {
    header: { id: '5' },
    namespace: NS10,
    body: {
      name: 'Inform',
      // Strings stay strings: OUI 001122, serial 0012345, ParameterKey 1e3, value 0300.
      deviceId: { manufacturer: 'Acme', oui: '001122', productClass: 'IGD', serialNumber: '0012345' },
      event: [
        { eventCode: '1 BOOT', commandKey: '' },
        { eventCode: 'M Reboot', commandKey: '1e3' },
        { eventCode: '4 VALUE CHANGE', commandKey: '' },
      ],
      maxEnvelopes: 1,
      currentTime: '2025-03-01T10:15:00+01:00',
      retryCount: 2,
      parameterList: [
        { name: 'InternetGatewayDevice.DeviceInfo.SpecVersion', value: '1.0', type: 'xsd:string' },
        { name: 'InternetGatewayDevice.ManagementServer.ParameterKey', value: '1e3', type: 'xsd:string' },
        { name: 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress', value: '192.0.2.10', type: 'xsd:string' },
        { name: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval', value: '0300', type: 'xsd:unsignedInt' },
      ],
    },
  },
  'inform-no-arraytype.xml': {
    header: { id: 'x1' },
    namespace: NS11,
    body: {
      name: 'Inform',
      deviceId: { manufacturer: 'Old & Cheap', oui: 'A0B1C2', productClass: '', serialNumber: 'S1' },
      event: [{ eventCode: '2 PERIODIC', commandKey: '' }],
      maxEnvelopes: 1,
      currentTime: '2025-03-01T10:15:00Z',
      retryCount: 0,
      // No xsi:type on the Value: `type` stays absent.
      parameterList: [{ name: 'InternetGatewayDevice.DeviceInfo.SoftwareVersion', value: 'V1' }],
    },
  },
  'gpv-response.xml': {
    header: { id: '18d4c7a91f3' },
    namespace: NS12,
    body: {
      name: 'GetParameterValuesResponse',
      parameterList: [
        { name: 'Device.DeviceInfo.UpTime', value: '3600', type: 'xsd:unsignedInt' },
        { name: 'Device.DeviceInfo.SerialNumber', value: '0012345', type: 'xsd:string' },
        { name: 'Device.ManagementServer.Password', value: '', type: 'xsd:string' },
      ],
    },
  },
  'gpn-response.xml': {
    header: { id: 'gpn-1' },
    namespace: NS10,
    body: {
      name: 'GetParameterNamesResponse',
      parameterList: [
        { name: 'Device.DeviceInfo.Manufacturer', writable: false },
        { name: 'Device.DeviceInfo.ProvisioningCode', writable: true },
      ],
    },
  },
  'gpa-response.xml': {
    header: { id: 'gpa-1' },
    namespace: NS12,
    body: {
      name: 'GetParameterAttributesResponse',
      parameterList: [
        { name: 'Device.DeviceInfo.SoftwareVersion', notification: 2, accessList: [] },
        { name: 'Device.ManagementServer.ConnectionRequestURL', notification: 0, accessList: ['Subscriber'] },
      ],
    },
  },
  'spv-response.xml': { header: { id: 'spv-7' }, namespace: NS12, body: { name: 'SetParameterValuesResponse', status: 1 } },
  'addobject-response.xml': { header: { id: 'add-1' }, namespace: NS12, body: { name: 'AddObjectResponse', instanceNumber: 3, status: 0 } },
  'deleteobject-response.xml': { header: { id: 'del-1' }, namespace: NS12, body: { name: 'DeleteObjectResponse', status: 0 } },
  'reboot-response.xml': { header: { id: 'rb-17' }, namespace: NS12, body: { name: 'RebootResponse' } },
  'download-response.xml': {
    header: { id: 'fw-9' },
    namespace: NS12,
    body: { name: 'DownloadResponse', status: 1, startTime: '0001-01-01T00:00:00Z', completeTime: '0001-01-01T00:00:00Z' },
  },
  'transfer-complete.xml': {
    header: { id: 'tc-3' },
    namespace: NS12,
    body: {
      name: 'TransferComplete',
      commandKey: 'fw-9',
      faultStruct: { faultCode: 9010, faultString: 'File transfer failure' },
      startTime: '2025-03-01T10:16:00Z',
      completeTime: '2025-03-01T10:17:30Z',
    },
  },
  'fault-9005.xml': {
    header: { id: '18d4c7a91f3' },
    namespace: NS10,
    body: { name: 'Fault', faultcode: 'Client', faultstring: 'CWMP fault', detail: { faultCode: 9005, faultString: 'Invalid parameter name' } },
  },
  'fault-spv.xml': {
    header: { id: 'spv-7' },
    namespace: NS12,
    body: {
      name: 'Fault',
      faultcode: 'Client',
      faultstring: 'CWMP fault',
      detail: {
        faultCode: 9003,
        faultString: 'Invalid arguments',
        setParameterValuesFault: [
          { parameterName: 'Device.ManagementServer.PeriodicInformInterval', faultCode: 9007, faultString: 'Invalid parameter value' },
          { parameterName: 'Device.DeviceInfo.Manufacturer', faultCode: 9008, faultString: 'Attempt to set a non-writable parameter' },
        ],
      },
    },
  },
  'getrpcmethods-response.xml': {
    header: { id: 'grm-1' },
    namespace: NS12,
    body: { name: 'GetRPCMethodsResponse', methodList: ['GetRPCMethods', 'GetParameterValues', 'Reboot'] },
  },
  'unknown-autonomous-transfer-complete.xml': {
    header: { id: 'atc-1' },
    namespace: NS12,
    body: {
      name: 'AutonomousTransferComplete',
      announceURL: '',
      transferURL: 'http://x/y',
      isDownload: true,
      fileType: '1 Firmware Upgrade Image',
      fileSize: 10,
      targetFileName: '',
      faultStruct: { faultCode: 0, faultString: '' },
      startTime: '2025-03-01T10:16:00Z',
      completeTime: '2025-03-01T10:17:30Z',
    },
  },
};

describe('interop fixtures: what ACSs send', () => {
  it('every fixture file has an expectation (and vice versa)', () => {
    expect(readdirSync(dir + 'acs').sort()).toEqual(Object.keys(ACS).sort());
  });
  for (const [file, expected] of Object.entries(ACS)) {
    it(`decodes acs/${file}`, () => {
      expect(decodeEnvelope(read(`acs/${file}`))).toEqual(expected);
    });
  }
});

describe('interop fixtures: what CPEs send', () => {
  it('every fixture file has an expectation (and vice versa)', () => {
    expect(readdirSync(dir + 'cpe').sort()).toEqual(Object.keys(CPE).sort());
  });
  for (const [file, expected] of Object.entries(CPE)) {
    it(`decodes cpe/${file}`, () => {
      expect(decodeEnvelope(read(`cpe/${file}`))).toEqual(expected);
    });
  }
});
