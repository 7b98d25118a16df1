import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadProfile, stampPlaceholders, stampSerial, type Profile } from '../../src/profile/index.js';

const dir = fileURLToPath(new URL('../../fixtures/profiles/', import.meta.url));

function leaf(p: Profile, path: string) {
  const l = p.parameters.find((x) => x.path === path);
  if (!l) throw new Error(`no leaf ${path}`);
  return l;
}

const TR181_FORCED_AND_MGMT = [
  'Device.RootDataModelVersion',
  'Device.DeviceInfo.HardwareVersion',
  'Device.DeviceInfo.SoftwareVersion',
  'Device.DeviceInfo.ProvisioningCode',
  'Device.ManagementServer.ParameterKey',
  'Device.ManagementServer.ConnectionRequestURL',
  'Device.ManagementServer.URL',
  'Device.ManagementServer.Username',
  'Device.ManagementServer.Password',
  'Device.ManagementServer.ConnectionRequestUsername',
  'Device.ManagementServer.ConnectionRequestPassword',
  'Device.ManagementServer.PeriodicInformEnable',
  'Device.ManagementServer.PeriodicInformInterval',
  'Device.ManagementServer.CWMPRetryMinimumWaitInterval',
  'Device.ManagementServer.CWMPRetryIntervalMultiplier',
];

function checkTr181Common(p: Profile): void {
  expect(p.root).toBe('Device');
  for (const path of TR181_FORCED_AND_MGMT) expect(leaf(p, path).path).toBe(path);
  expect(leaf(p, 'Device.ManagementServer.ParameterKey')).toMatchObject({ writable: false, value: '' });
  for (const w of ['URL', 'Username', 'Password', 'ConnectionRequestUsername', 'ConnectionRequestPassword', 'PeriodicInformEnable', 'PeriodicInformInterval']) {
    expect(leaf(p, `Device.ManagementServer.${w}`).writable).toBe(true);
  }
  expect(leaf(p, 'Device.ManagementServer.CWMPRetryMinimumWaitInterval')).toMatchObject({ type: 'xsd:unsignedInt', value: '5', writable: true });
  expect(leaf(p, 'Device.ManagementServer.CWMPRetryIntervalMultiplier')).toMatchObject({ type: 'xsd:unsignedInt', value: '2000', writable: true });
  expect(p.periodicInformPaths).toEqual({ interval: 'Device.ManagementServer.PeriodicInformInterval', enable: 'Device.ManagementServer.PeriodicInformEnable' });
}

describe('fixtures/profiles', () => {
  it('tr181-minimal/ (directory form) merges its files in order', async () => {
    const p = await loadProfile(`${dir}tr181-minimal`);
    checkTr181Common(p);
    expect(p.source).toBe(`${dir}tr181-minimal`);
    expect(p.fleet).toEqual({ count: 1, offset: 0, serialPattern: '{base}-{i}', pools: {} });
    // 00-device.yaml's leaves come before 10-management.yaml's.
    const i0 = p.parameters.findIndex((l) => l.path === 'Device.DeviceInfo.SerialNumber');
    const i1 = p.parameters.findIndex((l) => l.path === 'Device.ManagementServer.URL');
    expect(i0).toBeGreaterThanOrEqual(0);
    expect(i0).toBeLessThan(i1);
    expect(leaf(p, 'Device.DeviceInfo.SerialNumber').source).toMatchObject({ file: expect.stringMatching(/00-device\.yaml$/), line: 18 });
    expect(p.objects).toHaveLength(1);
    expect(p.objects[0]).toMatchObject({ path: 'Device.Hosts.Host.', instances: 2, uniqueKeys: ['PhysAddress'] });
    expect(p.objects[0]?.parameters.map((c) => c.path)).toEqual(['HostName', 'PhysAddress', 'Active']);
    expect(p.objects[0]?.parameters[0]?.value).toBe('host-{i}');
    expect(p.connectionRequest).toEqual({ scheme: '', realm: '', throttleWindowMs: 0 });
  });

  it('tr181-digest.yaml: 3 CPEs, digest CR, periodic disabled', async () => {
    const p = await loadProfile(`${dir}tr181-digest.yaml`);
    checkTr181Common(p);
    expect(p.fleet.count).toBe(3);
    expect(p.connectionRequest).toEqual({
      scheme: 'digest',
      realm: 'cpe-sim',
      throttleWindowMs: 5000,
      usernameParameter: 'Device.ManagementServer.ConnectionRequestUsername',
      passwordParameter: 'Device.ManagementServer.ConnectionRequestPassword',
    });
    expect(leaf(p, 'Device.ManagementServer.PeriodicInformEnable').value).toBe('false');
    expect(leaf(p, 'Device.ManagementServer.PeriodicInformInterval').value).toBe('300');
    const user = leaf(p, 'Device.ManagementServer.ConnectionRequestUsername').value;
    expect(user).toBe('cr-{cpe_id}');
    expect(stampPlaceholders(user, { index: 2, id: 'cpe-2' })).toBe('cr-cpe-2');
    expect(leaf(p, 'Device.ManagementServer.ConnectionRequestPassword').value).toBe('secret');
  });

  it('tr098-basic.yaml: InternetGatewayDevice root with the TR-098 forced inform leaves', async () => {
    const p = await loadProfile(`${dir}tr098-basic.yaml`);
    expect(p.root).toBe('InternetGatewayDevice');
    for (const path of [
      'InternetGatewayDevice.DeviceSummary',
      'InternetGatewayDevice.DeviceInfo.SpecVersion',
      'InternetGatewayDevice.DeviceInfo.HardwareVersion',
      'InternetGatewayDevice.DeviceInfo.SoftwareVersion',
      'InternetGatewayDevice.DeviceInfo.ProvisioningCode',
      'InternetGatewayDevice.ManagementServer.ConnectionRequestURL',
      'InternetGatewayDevice.ManagementServer.ParameterKey',
    ]) {
      expect(leaf(p, path).path).toBe(path);
    }
    const wan = leaf(p, 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress');
    expect(stampPlaceholders(wan.value, { index: 1, id: 'cpe-1' })).toBe('198.51.100.1');
    expect(p.connectionRequest.scheme).toBe('basic');
    expect(p.connectionRequest.realm).toBe('cpe-sim');
  });

  it('fleet-100.yaml: 100 CPEs with per-CPE serials and addresses', async () => {
    const p = await loadProfile(`${dir}fleet-100.yaml`);
    checkTr181Common(p);
    expect(p.fleet).toEqual({ count: 100, offset: 0, serialPattern: 'LAB-{i:04}', pools: {} });
    expect(stampSerial(p.fleet.serialPattern, leaf(p, 'Device.DeviceInfo.SerialNumber').value, 100)).toBe('LAB-0100');
    const ctx = { index: 100, id: 'cpe-100' };
    expect(stampPlaceholders(leaf(p, 'Device.Ethernet.Interface.1.MACAddress').value, ctx)).toBe('02:00:5e:00:00:64');
    expect(stampPlaceholders(leaf(p, 'Device.IP.Interface.1.IPv4Address.1.IPAddress').value, ctx)).toBe('10.10.0.100');
    expect(stampPlaceholders(leaf(p, 'Device.IP.Interface.1.IPv6Address.1.IPAddress').value, ctx)).toBe('2001:db8:1::64');
    expect(stampPlaceholders(leaf(p, 'Device.DHCPv6.Client.1.ReceivedOption.1.Value').value, ctx)).toBe('2001:db8:100:6400::/56'); // ref. 5.4: g = 1 is the second prefix, so CPE 100 gets prefix 100
    expect(p.eventSchedule).toEqual({ rebootDelayMs: 2000, factoryResetDelayMs: 0, bootDelayMs: 500, bootRampMs: 0 });
    expect(p.informParameters).toEqual({ periodic: ['Device.IP.Interface.1.IPv4Address.1.IPAddress'] });
  });
});
