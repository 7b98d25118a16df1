import { describe, expect, it } from 'vitest';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import { parseProfile } from '../../src/profile/index.js';

// The example of the profile format reference, loaded by the real loader.
const YAML = `
deviceIdPaths:
  manufacturer: Device.DeviceInfo.Manufacturer
  oui: Device.DeviceInfo.ManufacturerOUI
  productClass: Device.DeviceInfo.ProductClass
  serialNumber: Device.DeviceInfo.SerialNumber
fleet:
  count: 3
  serialPattern: "LAB-{i:04}"
parameters:
  - {path: Device.DeviceInfo.Manufacturer, value: Example}
  - {path: Device.DeviceInfo.ManufacturerOUI, value: "00D09E"}
  - {path: Device.DeviceInfo.ProductClass, value: HGW}
  - {path: Device.DeviceInfo.SerialNumber, value: LAB}
  - {path: Device.ManagementServer.PeriodicInformInterval, type: xsd:unsignedInt, value: "300", writable: true}
  - {path: Device.ManagementServer.ConnectionRequestUsername, value: "cr-{cpe_id}", writable: true}
objects:
  - path: Device.Hosts.Host
    instances: 2
    parameters:
      - {path: HostName, value: "host-{i}"}
`;

describe('a profile from the loader', () => {
  it('compiles and answers per CPE', () => {
    const template = Template.compile(parseProfile(YAML, 'example.yaml'));
    const t = createParameterTree(template, { index: 2, id: 'cpe-2' });
    expect(t.getValue('Device.DeviceInfo.SerialNumber')).toBe('LAB-0002');
    expect(t.getValue('Device.ManagementServer.ConnectionRequestUsername')).toBe('cr-cpe-2');
    expect(t.getNames('Device.Hosts.Host.', true).map((p) => p.name)).toEqual(['Device.Hosts.Host.1.', 'Device.Hosts.Host.2.']);
    expect(t.getValue('Device.Hosts.Host.2.HostName')).toBe('host-2');
    expect(t.addObject('Device.Hosts.Host.')).toBe(3);
    expect(t.overlaySize).toBe(1);
  });
});
