import { describe, expect, it } from 'vitest';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import type { ParameterChange, ParameterTree, SetValueEntry } from '../../src/datamodel/index.js';
import { faultOf, makeProfile } from './helpers.js';

const template = Template.compile(makeProfile());
const fresh = (): ParameterTree => createParameterTree(template, { index: 1, id: 'cpe-1' });
const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';
const ENABLE = 'Device.ManagementServer.PeriodicInformEnable';


describe('setValues (TR-069 A.3.2.1)', () => {
  it('writes values, with or without an xsi:type', () => {
    const t = fresh();
    t.setValues(
      [
        { name: INTERVAL, value: '60', type: 'xsd:unsignedInt' },
        { name: 'Device.ManagementServer.ConnectionRequestURL', value: 'http://127.0.0.1:7547/cr' },
      ],
      'acs',
    );
    expect(t.getValue(INTERVAL)).toBe('60');
    expect(t.getValue('Device.ManagementServer.ConnectionRequestURL')).toBe('http://127.0.0.1:7547/cr');
  });

  it('accepts the xsi:type under any namespace prefix', () => {
    const t = fresh();
    t.setValues([{ name: INTERVAL, value: '61', type: 'xs:unsignedInt' }], 'acs');
    expect(t.getValue(INTERVAL)).toBe('61');
  });

  it('stores booleans canonically (1/0 → true/false)', () => {
    const t = fresh();
    t.setValues([{ name: ENABLE, value: '0', type: 'xsd:boolean' }], 'acs');
    expect(t.getValue(ENABLE)).toBe('false');
    t.setValues([{ name: ENABLE, value: '1' }], 'acs');
    expect(t.getValue(ENABLE)).toBe('true');
  });

  it('accepts dateTime with milliseconds and range edges of the integer types', () => {
    const t = fresh();
    t.setValues(
      [
        { name: 'Device.ManagementServer.PeriodicInformTime', value: '2025-03-01T00:00:00.000Z' },
        { name: 'Device.X_TEST.Int', value: '-2147483648' },
        { name: 'Device.X_TEST.Long', value: '-9223372036854775808' },
        { name: 'Device.X_TEST.ULong', value: '18446744073709551615' },
        { name: 'Device.X_TEST.Blob', value: 'aGVsbG8=' },
      ],
      'acs',
    );
    expect(t.getValue('Device.X_TEST.ULong')).toBe('18446744073709551615');
  });

  it.each<[string, SetValueEntry, number]>([
    ['unknown name', { name: 'Device.ManagementServer.Nope', value: '1' }, 9005],
    ['object path', { name: 'Device.ManagementServer.', value: '1' }, 9005],
    ['missing row', { name: 'Device.Hosts.Host.5.HostName', value: 'x' }, 9005],
    ['read-only', { name: 'Device.DeviceInfo.Manufacturer', value: 'x' }, 9008],
    ['read-only row leaf', { name: 'Device.Hosts.Host.1.Active', value: 'false' }, 9008],
    ['wrong xsi:type', { name: INTERVAL, value: '60', type: 'xsd:string' }, 9006],
    ['negative unsignedInt', { name: INTERVAL, value: '-1' }, 9007],
    ['unsignedInt overflow', { name: INTERVAL, value: '4294967296' }, 9007],
    ['int overflow', { name: 'Device.X_TEST.Int', value: '2147483648' }, 9007],
    ['long overflow', { name: 'Device.X_TEST.Long', value: '9223372036854775808' }, 9007],
    ['boolean word', { name: ENABLE, value: 'yes' }, 9007],
    ['bad dateTime', { name: 'Device.ManagementServer.PeriodicInformTime', value: '2025-02-30T00:00:00Z' }, 9007],
    ['bad base64', { name: 'Device.X_TEST.Blob', value: 'abc' }, 9007],
  ])('%s → 9003 carrying one %s entry', (_label, entry, code) => {
    const t = fresh();
    const f = faultOf(() => t.setValues([entry], 'acs'));
    expect(f.faultCode).toBe(9003);
    expect(f.setParameterValuesFaults).toHaveLength(1);
    expect(f.setParameterValuesFaults[0]).toMatchObject({ parameterName: entry.name, faultCode: code });
    expect(f.setParameterValuesFaults[0]?.faultString).toMatch(/^Invalid|^Attempt/);
  });

  it('checks 9008 before 9006 and 9007 (a read-only leaf with a bad value)', () => {
    const f = faultOf(() => fresh().setValues([{ name: 'Device.DeviceInfo.UpTime', value: 'x', type: 'xsd:string' }], 'acs'));
    expect(f.setParameterValuesFaults[0]?.faultCode).toBe(9008);
  });

  it('is atomic: one failing entry leaves every other entry unchanged, and lists each failure', () => {
    const t = fresh();
    const seen: ParameterChange[] = [];
    t.onChange((c) => seen.push(c));
    const f = faultOf(() =>
      t.setValues(
        [
          { name: INTERVAL, value: '60' },
          { name: ENABLE, value: 'nope' },
          { name: 'Device.Hosts.Host.1.HostName', value: 'renamed' },
          { name: 'Device.DeviceInfo.Nope', value: '1' },
        ],
        'acs',
      ),
    );
    expect(f.faultCode).toBe(9003);
    expect(f.setParameterValuesFaults.map((x) => [x.parameterName, x.faultCode])).toEqual([
      [ENABLE, 9007],
      ['Device.DeviceInfo.Nope', 9005],
    ]);
    expect(t.getValue(INTERVAL)).toBe('300');
    expect(t.getValue('Device.Hosts.Host.1.HostName')).toBe('host-1');
    expect(t.overlaySize).toBe(0);
    expect(seen).toEqual([]);
  });

  it('duplicate names in one request → 9003', () => {
    const t = fresh();
    const f = faultOf(() =>
      t.setValues(
        [
          { name: INTERVAL, value: '60' },
          { name: INTERVAL, value: '61' },
        ],
        'acs',
      ),
    );
    expect(f.faultCode).toBe(9003);
    expect(f.setParameterValuesFaults).toEqual([expect.objectContaining({ parameterName: INTERVAL, faultCode: 9003 })]);
    expect(t.getValue(INTERVAL)).toBe('300');
  });

  it('writing the default value back frees the overlay entry', () => {
    const t = fresh();
    t.setValues([{ name: INTERVAL, value: '60' }], 'acs');
    expect(t.overlaySize).toBe(1);
    t.setValues([{ name: INTERVAL, value: '300' }], 'acs');
    expect(t.overlaySize).toBe(0);
    expect(t.getValue(INTERVAL)).toBe('300');
  });
});

describe('setInternal', () => {
  it('bypasses the writable flag', () => {
    const t = fresh();
    t.setInternal('Device.ManagementServer.ParameterKey', 'pk-1');
    expect(t.getValue('Device.ManagementServer.ParameterKey')).toBe('pk-1');
  });
  it('still type-checks (9007) and knows names (9005), as plain faults', () => {
    const t = fresh();
    const bad = faultOf(() => t.setInternal('Device.DeviceInfo.UpTime', '-3'));
    expect(bad.faultCode).toBe(9007);
    expect(bad.faultString).toContain("'-3'");
    expect(faultOf(() => t.setInternal('Device.Nope', 'x')).faultCode).toBe(9005);
    expect(t.getValue('Device.DeviceInfo.UpTime')).toBe('0');
  });
});

describe('onChange', () => {
  it('fires once per changed leaf, after the write, with the origin', () => {
    const t = fresh();
    const seen: ParameterChange[] = [];
    const off = t.onChange((c) => {
      // the change is visible to the listener
      expect(t.getValue(c.path)).toBe(c.newValue);
      seen.push(c);
    });
    t.setValues(
      [
        { name: INTERVAL, value: '60' },
        { name: ENABLE, value: 'true' }, // unchanged: no event
      ],
      'acs',
    );
    t.setInternal('Device.ManagementServer.ConnectionRequestURL', 'http://127.0.0.1/cr');
    t.setInternal('Device.ManagementServer.ConnectionRequestURL', 'http://127.0.0.1/cr'); // same again: no event
    expect(seen).toEqual([
      { path: INTERVAL, oldValue: '300', newValue: '60', origin: 'acs' },
      { path: 'Device.ManagementServer.ConnectionRequestURL', oldValue: '', newValue: 'http://127.0.0.1/cr', origin: 'internal' },
    ]);
    off();
    t.setValues([{ name: INTERVAL, value: '70' }], 'internal');
    expect(seen).toHaveLength(2);
  });

  it('compares canonical values (writing 1 over true is no change)', () => {
    const t = fresh();
    const seen: ParameterChange[] = [];
    t.onChange((c) => seen.push(c));
    t.setValues([{ name: ENABLE, value: '1' }], 'acs');
    expect(seen).toEqual([]);
  });

  it('does not fire for AddObject, DeleteObject or reset', () => {
    const t = fresh();
    const seen: ParameterChange[] = [];
    t.onChange((c) => seen.push(c));
    t.addObject('Device.Hosts.Host.');
    t.deleteObject('Device.Hosts.Host.1.');
    t.reset();
    expect(seen).toEqual([]);
  });
});
