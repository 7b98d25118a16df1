import { describe, expect, it } from 'vitest';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import type { ParameterTree } from '../../src/datamodel/index.js';
import { faultOf, leaf, makeProfile, table } from './helpers.js';

const template = Template.compile(makeProfile());
const fresh = (): ParameterTree => createParameterTree(template, { index: 1, id: 'cpe-1' });

describe('getValues (TR-069 A.3.2.2)', () => {
  it('returns a full leaf path with its value and type', () => {
    expect(fresh().getValues(['Device.ManagementServer.PeriodicInformInterval'])).toEqual([
      { name: 'Device.ManagementServer.PeriodicInformInterval', value: '300', type: 'xsd:unsignedInt' },
    ]);
  });

  it('returns every leaf below a partial path, in tree order', () => {
    expect(fresh().getValues(['Device.DeviceInfo.']).map((v) => v.name)).toEqual([
      'Device.DeviceInfo.Manufacturer',
      'Device.DeviceInfo.ManufacturerOUI',
      'Device.DeviceInfo.ProductClass',
      'Device.DeviceInfo.SerialNumber',
      'Device.DeviceInfo.SoftwareVersion',
      'Device.DeviceInfo.UpTime',
    ]);
  });

  it('returns table rows (instances ordered numerically) below a table or row path', () => {
    const t = fresh();
    for (let k = 0; k < 9; k++) t.addObject('Device.Hosts.Host.');
    const names = t.getValues(['Device.Hosts.Host.']).map((v) => v.name);
    expect(names.slice(0, 4)).toEqual(['Device.Hosts.Host.1.Active', 'Device.Hosts.Host.1.HostName', 'Device.Hosts.Host.2.Active', 'Device.Hosts.Host.2.HostName']);
    expect(names.indexOf('Device.Hosts.Host.10.Active')).toBeGreaterThan(names.indexOf('Device.Hosts.Host.9.Active'));
    expect(t.getValues(['Device.Hosts.Host.2.'])).toEqual([
      { name: 'Device.Hosts.Host.2.Active', value: 'true', type: 'xsd:boolean' },
      { name: 'Device.Hosts.Host.2.HostName', value: 'host-2', type: 'xsd:string' },
    ]);
  });

  it("'' means the whole tree", () => {
    const all = fresh().getValues(['']);
    expect(all).toHaveLength(template.leafCount);
    expect(all[0]?.name).toBe('Device.DeviceInfo.Manufacturer');
    expect(all.map((v) => v.name)).toContain('Device.Hosts.Host.1.HostName');
    expect(fresh().getValues(['Device.'])).toEqual(all);
  });

  it('concatenates several names in request order', () => {
    const r = fresh().getValues(['Device.DeviceInfo.UpTime', 'Device.DeviceInfo.Manufacturer']);
    expect(r.map((v) => v.name)).toEqual(['Device.DeviceInfo.UpTime', 'Device.DeviceInfo.Manufacturer']);
  });

  it.each([
    'Device.DeviceInfo.Nope',
    'Device.DeviceInfo', // object without trailing dot
    'Device.DeviceInfo.Manufacturer.', // leaf with trailing dot
    'Device.Hosts.Host.3.', // row that does not exist
    'Device.Hosts.Host.3.HostName',
    'Device.Hosts.Host.0.',
    'Device..DeviceInfo.',
    'Device',
    'InternetGatewayDevice.',
    ' Device.',
  ])('faults 9005 for %j', (name) => {
    const f = faultOf(() => fresh().getValues(['Device.DeviceInfo.UpTime', name]));
    expect(f.faultCode).toBe(9005);
    expect(f.faultString).toContain(name);
  });
});

describe('get / getValue / has', () => {
  it('reads a leaf with its writability', () => {
    expect(fresh().get('Device.ManagementServer.PeriodicInformEnable')).toEqual({
      name: 'Device.ManagementServer.PeriodicInformEnable',
      value: 'true',
      type: 'xsd:boolean',
      writable: true,
    });
    expect(fresh().get('Device.DeviceInfo.Manufacturer')?.writable).toBe(false);
    expect(fresh().get('Device.DeviceInfo.')).toBeUndefined();
    expect(fresh().get('Device.Nope')).toBeUndefined();
    expect(fresh().getValue('Device.Hosts.Host.1.HostName')).toBe('host-1');
    expect(fresh().getValue('Device.Hosts.Host.7.HostName')).toBeUndefined();
  });

  it('has() knows leaves and object paths (with the dot) of this tree', () => {
    const t = fresh();
    expect(t.has('Device.')).toBe(true);
    expect(t.has('Device.DeviceInfo.')).toBe(true);
    expect(t.has('Device.DeviceInfo')).toBe(false);
    expect(t.has('Device.Hosts.Host.')).toBe(true);
    expect(t.has('Device.Hosts.Host.2.')).toBe(true);
    expect(t.has('Device.Hosts.Host.3.')).toBe(false);
    expect(t.has('Device.DeviceInfo.UpTime')).toBe(true);
    expect(t.has('Device.DeviceInfo.UpTime.')).toBe(false);
    expect(t.has('')).toBe(false);
    expect(t.root).toBe('Device');
  });
});

describe('getNames (TR-069 A.3.2.3)', () => {
  const info = (t: ParameterTree, path: string, nextLevel: boolean) => t.getNames(path, nextLevel);

  it("'' with NextLevel true lists only the root object", () => {
    expect(info(fresh(), '', true)).toEqual([{ name: 'Device.', writable: false }]);
  });

  it("'' with NextLevel false lists the root and every object and parameter", () => {
    const all = info(fresh(), '', false);
    expect(all[0]).toEqual({ name: 'Device.', writable: false });
    expect(all.filter((p) => !p.name.endsWith('.'))).toHaveLength(template.leafCount);
    expect(all).toContainEqual({ name: 'Device.Hosts.', writable: false });
    expect(all).toContainEqual({ name: 'Device.Hosts.Host.', writable: true });
    expect(all).toContainEqual({ name: 'Device.Hosts.Host.1.', writable: true });
    expect(info(fresh(), 'Device.', false)).toEqual(all);
  });

  it('root with NextLevel true: direct children only', () => {
    expect(info(fresh(), 'Device.', true)).toEqual([
      { name: 'Device.DeviceInfo.', writable: false },
      { name: 'Device.Hosts.', writable: false },
      { name: 'Device.ManagementServer.', writable: false },
      { name: 'Device.X_TEST.', writable: false },
    ]);
  });

  it('object: NextLevel true = children, false = itself plus descendants', () => {
    const t = fresh();
    expect(info(t, 'Device.ManagementServer.', true).map((p) => p.name)).toEqual([
      'Device.ManagementServer.ConnectionRequestPassword',
      'Device.ManagementServer.ConnectionRequestURL',
      'Device.ManagementServer.ConnectionRequestUsername',
      'Device.ManagementServer.ParameterKey',
      'Device.ManagementServer.PeriodicInformEnable',
      'Device.ManagementServer.PeriodicInformInterval',
      'Device.ManagementServer.PeriodicInformTime',
    ]);
    expect(info(t, 'Device.Hosts.', false)).toEqual([
      { name: 'Device.Hosts.', writable: false },
      { name: 'Device.Hosts.Host.', writable: true },
      { name: 'Device.Hosts.Host.1.', writable: true },
      { name: 'Device.Hosts.Host.1.Active', writable: false },
      { name: 'Device.Hosts.Host.1.HostName', writable: true },
      { name: 'Device.Hosts.Host.2.', writable: true },
      { name: 'Device.Hosts.Host.2.Active', writable: false },
      { name: 'Device.Hosts.Host.2.HostName', writable: true },
    ]);
  });

  it('table: NextLevel true lists the rows; row: lists its parameters', () => {
    const t = fresh();
    expect(info(t, 'Device.Hosts.Host.', true)).toEqual([
      { name: 'Device.Hosts.Host.1.', writable: true },
      { name: 'Device.Hosts.Host.2.', writable: true },
    ]);
    expect(info(t, 'Device.Hosts.Host.2.', true)).toEqual([
      { name: 'Device.Hosts.Host.2.Active', writable: false },
      { name: 'Device.Hosts.Host.2.HostName', writable: true },
    ]);
    expect(info(t, 'Device.Hosts.Host.2.', false)[0]).toEqual({ name: 'Device.Hosts.Host.2.', writable: true });
  });

  it('leaf: NextLevel false lists the leaf; NextLevel true is 9003', () => {
    expect(info(fresh(), 'Device.DeviceInfo.UpTime', false)).toEqual([{ name: 'Device.DeviceInfo.UpTime', writable: false }]);
    const f = faultOf(() => info(fresh(), 'Device.DeviceInfo.UpTime', true));
    expect(f.faultCode).toBe(9003);
  });

  it('unknown or malformed paths are 9005', () => {
    for (const p of ['Device.Nope.', 'Device.DeviceInfo', 'Device.Hosts.Host.3.', 'Device.DeviceInfo.UpTime.']) {
      expect(faultOf(() => info(fresh(), p, false)).faultCode).toBe(9005);
      expect(faultOf(() => info(fresh(), p, true)).faultCode).toBe(9005);
    }
  });

  it('row sub-objects (dotted row parameters) are objects of the row', () => {
    const tpl = Template.compile(
      makeProfile({ objects: [table('Device.WiFi.SSID.', 1, [leaf('SSID', 'net-{i}'), leaf('Stats.BytesSent', '0', { type: 'xsd:unsignedLong' })])] }),
    );
    const t = createParameterTree(tpl, { index: 1, id: 'cpe-1' });
    expect(t.getNames('Device.WiFi.SSID.1.', true)).toEqual([
      { name: 'Device.WiFi.SSID.1.SSID', writable: false },
      { name: 'Device.WiFi.SSID.1.Stats.', writable: false },
    ]);
    expect(t.getValues(['Device.WiFi.SSID.1.Stats.'])).toEqual([{ name: 'Device.WiFi.SSID.1.Stats.BytesSent', value: '0', type: 'xsd:unsignedLong' }]);
    expect(t.addObject('Device.WiFi.SSID.')).toBe(2);
    expect(t.getValue('Device.WiFi.SSID.2.SSID')).toBe('net-2');
  });
});
