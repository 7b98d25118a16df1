import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createParameterTree, Template } from '../../src/datamodel/index.js';
import { loadProfile, unsimulatedBehaviours } from '../../src/profile/index.js';

// Seed-format (cpe-labs) profiles covering every row of the reference's section 16 and
// its worked example (section 18). They must load UNCHANGED.
const fx = (name: string): string => fileURLToPath(new URL(`../../fixtures/profiles/seed-format/${name}`, import.meta.url));
const tree = (t: Template, g: number, seed = 1n) => createParameterTree(t, { index: g, id: `cpe-${g}`, seed });

describe('the worked example of the reference (section 18)', async () => {
  const p = await loadProfile(fx('worked-example.yaml'));
  const t = Template.compile(p);
  const cpes = [1, 2, 3].map((g) => tree(t, g));

  it('parses every block into the Profile', () => {
    expect(p.fleet).toEqual({ count: 3, offset: 0, serialPattern: 'EX{cpe:ALNUM:6}', pools: { wan4: { type: 'ipv4', cidr: '198.51.100.0/24' } } });
    expect(p.informParameters).toEqual({ bootstrap: ['Device.DeviceInfo.ProvisioningCode'], boot: ['Device.DeviceInfo.SoftwareVersion'], transferComplete: ['Device.DeviceInfo.SoftwareVersion'] });
    expect(p.transfer).toEqual({ defaultDelayMs: 5000, faults: {}, firmware: { versionPath: 'Device.DeviceInfo.SoftwareVersion', applyDelayMs: 20000, fetch: false } });
    expect(p.eventSchedule).toEqual({ rebootDelayMs: 10000, factoryResetDelayMs: 0, bootDelayMs: 0, bootRampMs: 30000 });
    expect(p.generators).toEqual([{ type: 'uptime', path: 'Device.DeviceInfo.UpTime', intervalMs: 15000, source: expect.objectContaining({ line: 29, col: 72 }) }]);
    expect(p.faults).toEqual({ link: { interface: 'Device.IP.Interface.1', durationMs: 120000, instances: { from: 2, to: 3 }, reboot: false } });
    expect(unsimulatedBehaviours(p).map((s) => s.split(':')[0])).toEqual([]);
  });

  it('gives the values the reference lists where they do not depend on Go\'s generator', () => {
    // pick strides 1, 6, 11; the pool hands out .1 … .3; rpick: one option per CPE.
    expect(cpes.map((c) => c.getValue('Device.WiFi.Radio.1.Channel'))).toEqual(['1', '6', '11']);
    expect(cpes.map((c) => c.getValue('Device.IP.Interface.1.IPv4Address.1.IPAddress'))).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.3']);
    for (const c of cpes) expect(['1.0.4', '1.1.0']).toContain(c.getValue('Device.DeviceInfo.SoftwareVersion'));
    // Serials: EX + 6 characters, unique (values differ from cpe-labs by design: decision 004).
    const serials = cpes.map((c) => c.getValue('Device.DeviceInfo.SerialNumber') ?? '');
    expect(serials).toEqual(['EXGIAQ8O', 'EXLFQMIW', 'EXQ86WZG']);
    expect(new Set(serials).size).toBe(3);
  });

  it('has PortMapping.1 with the table leaves and its own ExternalPort; AddObject makes row 2 with {i} stamped and counts it', () => {
    const c = tree(t, 1);
    expect(c.getValues(['Device.NAT.PortMapping.1.']).map((v) => [v.name, v.value])).toEqual([
      ['Device.NAT.PortMapping.1.Alias', 'map-1'],
      ['Device.NAT.PortMapping.1.Enable', 'true'],
      ['Device.NAT.PortMapping.1.ExternalPort', '8443'],
    ]);
    expect(c.addObject('Device.NAT.PortMapping.')).toBe(2);
    // cpe-labs leaves "map-{i}" verbatim in an added row; cpe-sim stamps it (documented divergence).
    expect(c.getValue('Device.NAT.PortMapping.2.Alias')).toBe('map-2');
    expect(c.getValue('Device.NAT.PortMapping.2.ExternalPort')).toBeUndefined();
    expect(c.getValue('Device.NAT.PortMappingNumberOfEntries')).toBe('2');
  });
});

describe('a directory profile with a DeviceID root and informParameters split over files', async () => {
  const p = await loadProfile(fx('igd-genieacs'));
  const t = Template.compile(p);

  it('takes the management root from deviceIdPaths.manufacturer and lists every root', () => {
    expect(p.root).toBe('DeviceID');
    expect(p.roots).toEqual(['DeviceID', 'InternetGatewayDevice']);
    expect(tree(t, 101).getNames('', true).map((n) => n.name)).toEqual(['DeviceID.', 'InternetGatewayDevice.']);
  });

  it('merges the informParameters keys of several files', () => {
    expect(p.informParameters).toEqual({
      bootstrap: ['DeviceID.SerialNumber', 'InternetGatewayDevice.DeviceInfo.HardwareVersion'],
      boot: ['InternetGatewayDevice.DeviceInfo.SoftwareVersion'],
      periodic: ['InternetGatewayDevice.DeviceInfo.UpTime'],
      transferComplete: ['InternetGatewayDevice.DeviceInfo.SoftwareVersion'],
    });
  });

  it('parses offset, pools, periodic time, ACS credentials, firmware, diagnostics and the link fault', () => {
    expect(p.fleet.offset).toBe(100);
    expect(p.periodicInformPaths?.time).toBe('InternetGatewayDevice.ManagementServer.PeriodicInformTime');
    expect(p.acsCredentialPaths).toEqual({ username: 'InternetGatewayDevice.ManagementServer.Username', password: 'InternetGatewayDevice.ManagementServer.Password' });
    expect(p.transfer.firmware).toEqual({ versionPath: 'InternetGatewayDevice.DeviceInfo.SoftwareVersion', applyDelayMs: 45000, fetch: true });
    expect(p.diagnostics).toEqual([{ statePath: 'InternetGatewayDevice.IPPingDiagnostics.DiagnosticsState', trigger: 'Requested', complete: 'Complete', durationMs: 3000, countPath: 'InternetGatewayDevice.IPPingDiagnostics.SuccessCount', resultCount: 4 }]);
    expect(p.faults.link).toEqual({ interface: 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1', durationMs: 90000, instances: { from: 101, to: 102 }, reboot: false });
  });

  it('registers generators top-level first, then inline in file/block/row order', () => {
    expect(p.generators.map((g) => `${g.type} ${g.path}`)).toEqual([
      'uptime InternetGatewayDevice.DeviceInfo.UpTime',
      'counter InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.Stats.EthernetBytesReceived',
      'enum InternetGatewayDevice.LANDevice.1.Hosts.Host.1.Active',
      'enum InternetGatewayDevice.LANDevice.1.Hosts.Host.2.Active',
      'enum InternetGatewayDevice.LANDevice.1.Hosts.Host.3.Active',
      'counter InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Stats.TotalBytesSent',
      'counter InternetGatewayDevice.LANDevice.1.WLANConfiguration.2.Stats.TotalBytesSent',
      'drift InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.X_EXAMPLE_Noise',
    ]);
  });

  it('stamps per-CPE values with GLOBAL indices (offset 100) and keeps a row\'s extras', () => {
    const c = tree(t, 101);
    expect(c.getValue('InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress')).toBe('100.64.0.101');
    expect(c.getValue('InternetGatewayDevice.ManagementServer.Username')).toBe('acs-cpe-101');
    expect(c.getValue('InternetGatewayDevice.LANDevice.1.WLANConfiguration.2.SSID')).toBe('example-2-0065');
    expect(c.getValue('InternetGatewayDevice.LANDevice.1.WLANConfiguration.2.X_EXAMPLE_Band')).toBe('5GHz');
    expect(c.getValue('InternetGatewayDevice.DeviceInfo.HardwareVersion')).toBe('HW-A');
    expect(c.getValue('InternetGatewayDevice.ManagementServer.PeriodicInformTime')).toBe('1970-01-01T00:00:00Z');
    expect(c.get('InternetGatewayDevice.ManagementServer.Password')?.hidden).toBe(true);
    expect(c.getValue('DeviceID.SerialNumber')).toMatch(/^EXG[0-9A-Z]{8}$/);
    expect(c.addObject('InternetGatewayDevice.X_EXAMPLE_Log.')).toBe(1);
    expect(c.getValue('InternetGatewayDevice.LANDevice.1.Hosts.HostNumberOfEntries')).toBe('3');
  });
});

describe('a TR-181 gateway with nested tables, software modules and every pool type', async () => {
  const p = await loadProfile(fx('tr181-gateway.yaml'));
  const t = Template.compile(p);

  it('parses softwareModules, both diagnostics, the link fault with a YAML 1.1 boolean', () => {
    expect(p.softwareModules).toEqual({ path: 'Device.SoftwareModules.', installDelayMs: 4000, uninstallDelayMs: 500, startDelayMs: 1000, stopDelayMs: 1000, faults: { 'demo-app': { reason: 'corrupt', message: 'bad signature' } } });
    expect(p.diagnostics.map((d) => [d.statePath, d.complete, d.durationMs])).toEqual([
      ['Device.IP.Diagnostics.IPPing.DiagnosticsState', 'Complete', 3000],
      ['Device.IP.Diagnostics.TraceRoute.DiagnosticsState', 'Completed', 45000],
    ]);
    expect(p.faults.link).toEqual({ interface: 'Device.IP.Interface.1', durationMs: 180000, instances: { from: 2, to: 2 }, reboot: true });
    expect(p.transfer.faults).toEqual({ '3 Vendor Configuration File': { code: 9018, string: 'config rejected' } });
    // Simulated since issue 15 item 5: no start-up warning any more.
    expect(unsimulatedBehaviours(p)).toEqual([]);
    // The mechanism still names what a list declares and the profile uses.
    expect(unsimulatedBehaviours(p, [{ key: 'softwareModules', declared: (q) => q.softwareModules !== undefined, instead: 'ignored' }])).toEqual(['softwareModules: ignored']);
  });

  it('stamps pools with the cpe-labs arithmetic and the serial pattern on every CPE', () => {
    const c = tree(t, 1);
    expect(c.getValue('Device.IP.Interface.1.IPv4Address.1.IPAddress')).toBe('203.0.113.1');
    expect(c.getValue('Device.IP.Interface.1.IPv6Address.1.IPAddress')).toBe('2001:db8:10::1');
    expect(c.getValue('Device.IP.Interface.1.IPv6Prefix.1.Prefix')).toBe('2001:db8:8000:100::/56');
    expect(c.getValue('Device.DeviceInfo.SerialNumber')).toBe('EXGWGIAQ-00001');
    expect(tree(t, 5).getValue('Device.DeviceInfo.SerialNumber')).toMatch(/^EXGW[0-9A-Z]{4}-00005$/);
  });

  it('has the nested AssociatedDevice table in AccessPoint.1 only, with its generators per row', () => {
    const c = tree(t, 3);
    expect(c.getNames('Device.WiFi.AccessPoint.1.AssociatedDevice.', true).map((n) => n.name)).toEqual([
      'Device.WiFi.AccessPoint.1.AssociatedDevice.1.',
      'Device.WiFi.AccessPoint.1.AssociatedDevice.2.',
    ]);
    expect(c.getValue('Device.WiFi.AccessPoint.1.AssociatedDevice.2.MACAddress')).toBe('02:00:00:03:00:02');
    expect(c.has('Device.WiFi.AccessPoint.2.AssociatedDevice.')).toBe(false);
    expect(p.generators.filter((g) => g.path.includes('AssociatedDevice')).map((g) => g.path)).toEqual([
      'Device.WiFi.AccessPoint.1.AssociatedDevice.1.SignalStrength',
      'Device.WiFi.AccessPoint.1.AssociatedDevice.2.SignalStrength',
    ]);
    expect(c.addObject('Device.SoftwareModules.DeploymentUnit.')).toBe(1);
    expect(c.getValue('Device.SoftwareModules.DeploymentUnitNumberOfEntries')).toBe('1');
  });
});
