import { describe, expect, it } from 'vitest';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import type { ParameterTree } from '../../src/datamodel/index.js';
import { faultOf, leaf, makeProfile, table } from './helpers.js';

// The tree shapes the seed simulator's profiles use (profile-format ref. 3): per-row
// extras from groups, tables nested in a concrete row, empty tables, several roots,
// NumberOfEntries kept in step.
const base = makeProfile();
const profile = makeProfile({
  roots: ['Device', 'DeviceID'],
  parameters: [
    ...base.parameters,
    leaf('DeviceID.OUI', '00005E'),
    leaf('Device.NAT.PortMappingNumberOfEntries', '2', { type: 'xsd:unsignedInt' }),
    leaf('Device.NAT.PortMapping.1.ExternalPort', '8443', { type: 'xsd:unsignedInt', writable: true }),
    leaf('Device.NAT.PortMapping.1.Stats.Extra', 'x'),
    leaf('Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries', '2', { type: 'xsd:unsignedInt' }),
    leaf('Device.IP.Interface.1.Status', 'Up'),
    leaf('Device.Services.X_LogNumberOfEntries', '0', { type: 'xsd:unsignedInt' }),
    { ...leaf('Device.Users.User.1.Password', 'secret', { writable: true }), hidden: true },
  ],
  objects: [
    ...base.objects,
    table('Device.NAT.PortMapping.', 2, [leaf('Alias', 'map-{i}', { writable: true }), leaf('Stats.Bytes', '0', { type: 'xsd:unsignedInt' })]),
    table('Device.WiFi.AccessPoint.', 2, [leaf('SSIDReference', 'Device.WiFi.SSID.{i}')]),
    table('Device.WiFi.AccessPoint.1.AssociatedDevice.', 2, [leaf('MACAddress', '02:00:00:00:01:0{i}')]),
    table('Device.Services.X_Log.', 0, [leaf('Line', 'line {i} of {cpe_id}')]),
  ],
});
const template = Template.compile(profile);
const fresh = (): ParameterTree => createParameterTree(template, { index: 7, id: 'cpe-7', seed: 1n });
const PM = 'Device.NAT.PortMapping.';
const AD = 'Device.WiFi.AccessPoint.1.AssociatedDevice.';

describe('seed-format trees (profile-format ref. 3)', () => {
  it('lists every top-level object for GetParameterNames "" (several roots)', () => {
    const t = fresh();
    expect(template.roots).toEqual(['Device', 'DeviceID']);
    expect(t.getNames('', true)).toEqual([
      { name: 'Device.', writable: false },
      { name: 'DeviceID.', writable: false },
    ]);
    expect(t.getNames('', false).map((n) => n.name)).toContain('DeviceID.OUI');
    expect(t.getValues(['']).map((v) => v.name)).toContain('DeviceID.OUI');
  });

  it('a row with extras has the union of the table leaves and its own; other rows only the table leaves', () => {
    const t = fresh();
    expect(t.getValues([`${PM}1.`]).map((v) => v.name)).toEqual([`${PM}1.Alias`, `${PM}1.ExternalPort`, `${PM}1.Stats.Bytes`, `${PM}1.Stats.Extra`]);
    expect(t.getValues([`${PM}2.`]).map((v) => v.name)).toEqual([`${PM}2.Alias`, `${PM}2.Stats.Bytes`]);
    expect(t.getValue(`${PM}1.ExternalPort`)).toBe('8443');
    expect(t.getNames(`${PM}1.`, true).map((n) => n.name)).toEqual([`${PM}1.Alias`, `${PM}1.ExternalPort`, `${PM}1.Stats.`]);
    expect(template.leafCount).toBe(profile.parameters.length - 4 + 2 * 2 + 2 + 2 + 2 * 2 + 2 * 1 + 2 * 1);
  });

  it('DeleteObject removes the extras with the row; AddObject rows get only the table leaves, {i} and placeholders stamped', () => {
    const t = fresh();
    t.deleteObject(`${PM}1.`);
    expect(t.getValue(`${PM}1.ExternalPort`)).toBeUndefined();
    const n = t.addObject(PM);
    expect(n).toBe(3);
    expect(t.getValues([`${PM}3.`]).map((v) => [v.name, v.value])).toEqual([
      [`${PM}3.Alias`, 'map-3'],
      [`${PM}3.Stats.Bytes`, '0'],
    ]);
  });

  it('tells onChange listeners of <Table>NumberOfEntries changes on AddObject and DeleteObject', () => {
    const t = fresh();
    const changes: string[] = [];
    t.onChange((c) => changes.push(`${c.path}=${c.newValue}`));
    expect(t.getValue('Device.NAT.PortMappingNumberOfEntries')).toBe('2');
    t.addObject(PM);
    expect(t.getValue('Device.NAT.PortMappingNumberOfEntries')).toBe('3');
    t.deleteObject(`${PM}1.`);
    t.deleteObject(`${PM}2.`);
    expect(t.getValue('Device.NAT.PortMappingNumberOfEntries')).toBe('1');
    expect(changes).toEqual(['Device.NAT.PortMappingNumberOfEntries=3', 'Device.NAT.PortMappingNumberOfEntries=2', 'Device.NAT.PortMappingNumberOfEntries=1']);
    // A nested table's counter lives in its row.
    t.addObject(AD);
    expect(t.getValue('Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries')).toBe('3');
  });

  it('derives <Table>NumberOfEntries from the rows on read: a wrong declared value, a factory reset and a written value all read the row count', () => {
    const wrong = Template.compile(makeProfile({ ...profile, parameters: profile.parameters.map((p) => (p.path === 'Device.NAT.PortMappingNumberOfEntries' ? { ...p, value: '7' } : p)) }));
    const t = createParameterTree(wrong, { index: 1, id: 'cpe-1' });
    expect(t.getValue('Device.NAT.PortMappingNumberOfEntries')).toBe('2');
    t.addObject(PM);
    t.setInternal('Device.NAT.PortMappingNumberOfEntries', '9');
    expect(t.getValue('Device.NAT.PortMappingNumberOfEntries')).toBe('3');
    t.reset();
    expect(t.getValue('Device.NAT.PortMappingNumberOfEntries')).toBe('2');
    // An empty table counts 0 whatever its counter was declared with.
    expect(t.getValue('Device.Services.X_LogNumberOfEntries')).toBe('0');
  });

  it('a row made at run time gets, empty, the tables the profile nests in an initial row (TR-181: every row has them); initial rows keep only their own', () => {
    const t = fresh();
    const n = t.addObject('Device.WiFi.AccessPoint.', 'acs');
    const row = `Device.WiFi.AccessPoint.${n}.`;
    expect(t.getNames(row, true).map((x) => x.name)).toEqual([`${row}AssociatedDevice.`, `${row}SSIDReference`]);
    expect(t.getNames(`${row}AssociatedDevice.`, true)).toEqual([]);
    // Rows of the new nested table: numbered from 1, {i} stamped, listed, counted apart from row 1's.
    expect(t.addObject(`${row}AssociatedDevice.`)).toBe(1);
    expect(t.addObject(`${row}AssociatedDevice.`)).toBe(2);
    expect(t.getValue(`${row}AssociatedDevice.2.MACAddress`)).toBe('02:00:00:00:01:02');
    expect(t.getValues([row]).map((v) => v.name)).toEqual([`${row}AssociatedDevice.1.MACAddress`, `${row}AssociatedDevice.2.MACAddress`, `${row}SSIDReference`]);
    expect(t.getNames(AD, true)).toHaveLength(2);
    t.deleteObject(`${row}AssociatedDevice.1.`);
    expect(t.getNames(`${row}AssociatedDevice.`, true).map((x) => x.name)).toEqual([`${row}AssociatedDevice.2.`]);
    // A second tree shares the template, not the rows.
    const other = fresh();
    other.addObject('Device.WiFi.AccessPoint.');
    expect(other.getNames(`${row}AssociatedDevice.`, true)).toEqual([]);
    // An initial row without the nested table still has none; the row's tables go with it.
    expect(t.has('Device.WiFi.AccessPoint.2.AssociatedDevice.')).toBe(false);
    t.deleteObject(row);
    expect(t.has(`${row}AssociatedDevice.`)).toBe(false);
    expect(faultOf(() => t.addObject(`${row}AssociatedDevice.`)).faultCode).toBe(9005);
  });

  it('a table nested in a concrete row is a table of its own, and goes with its row', () => {
    const t = fresh();
    expect(t.getNames(`${AD}`, true).map((n) => n.name)).toEqual([`${AD}1.`, `${AD}2.`]);
    expect(t.getValue(`${AD}2.MACAddress`)).toBe('02:00:00:00:01:02');
    expect(t.has('Device.WiFi.AccessPoint.2.AssociatedDevice.')).toBe(false);
    expect(t.addObject(AD)).toBe(3);
    expect(t.getNames('Device.WiFi.AccessPoint.1.', true).map((n) => [n.name, n.writable])).toEqual([
      [`${AD}`, true],
      ['Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries', false],
      ['Device.WiFi.AccessPoint.1.SSIDReference', false],
    ]);
    t.deleteObject('Device.WiFi.AccessPoint.1.');
    expect(t.has(AD)).toBe(false);
    expect(t.getValue(`${AD}1.MACAddress`)).toBeUndefined();
    expect(faultOf(() => t.addObject(AD)).faultCode).toBe(9005);
  });

  it('instances: 0 is an empty table that accepts AddObject; the new row stamps {i} and per-CPE placeholders', () => {
    const t = fresh();
    expect(t.getNames('Device.Services.X_Log.', true)).toEqual([]);
    expect(t.addObject('Device.Services.X_Log.')).toBe(1);
    expect(t.getValue('Device.Services.X_Log.1.Line')).toBe('line 1 of cpe-7');
    expect(t.getValue('Device.Services.X_LogNumberOfEntries')).toBe('1');
  });

  it('a fixed instance declared only by groups is an ordinary object: AddObject/DeleteObject fail', () => {
    const t = fresh();
    expect(t.getValue('Device.IP.Interface.1.Status')).toBe('Up');
    expect(faultOf(() => t.addObject('Device.IP.Interface.')).faultCode).toBe(9005);
    expect(faultOf(() => t.deleteObject('Device.IP.Interface.1.')).faultCode).toBe(9005);
  });

  it('get() flags a hidden leaf; the tree keeps its value', () => {
    const t = fresh();
    expect(t.get('Device.Users.User.1.Password')).toMatchObject({ value: 'secret', hidden: true });
    expect(t.get('Device.DeviceInfo.Manufacturer')?.hidden).toBeUndefined();
  });
});
