import { describe, expect, it } from 'vitest';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import type { ParameterTree } from '../../src/datamodel/index.js';
import { faultOf, makeProfile } from './helpers.js';

const template = Template.compile(makeProfile());
const fresh = (): ParameterTree => createParameterTree(template, { index: 1, id: 'cpe-1' });
const HOST = 'Device.Hosts.Host.';

const rows = (t: ParameterTree) => t.getNames(HOST, true).map((p) => p.name);

describe('addObject / deleteObject (TR-069 A.3.2.6, A.3.2.7)', () => {
  it('adds the next instance with the table defaults, {i} = instance number', () => {
    const t = fresh();
    expect(t.addObject(HOST)).toBe(3);
    expect(t.getValues([`${HOST}3.`])).toEqual([
      { name: `${HOST}3.Active`, value: 'true', type: 'xsd:boolean' },
      { name: `${HOST}3.HostName`, value: 'host-3', type: 'xsd:string' },
    ]);
    expect(t.has(`${HOST}3.`)).toBe(true);
    expect(rows(t)).toEqual([`${HOST}1.`, `${HOST}2.`, `${HOST}3.`]);
  });

  it('new rows are writable like the template rows', () => {
    const t = fresh();
    const n = t.addObject(HOST);
    t.setValues([{ name: `${HOST}${n}.HostName`, value: 'laptop' }], 'acs');
    expect(t.getValue(`${HOST}${n}.HostName`)).toBe('laptop');
  });

  it('deletes a row and never reuses its number, not even the highest', () => {
    const t = fresh();
    t.deleteObject(`${HOST}2.`);
    expect(rows(t)).toEqual([`${HOST}1.`]);
    expect(t.has(`${HOST}2.`)).toBe(false);
    expect(t.getValue(`${HOST}2.HostName`)).toBeUndefined();
    expect(t.addObject(HOST)).toBe(3);
    t.deleteObject(`${HOST}3.`);
    expect(t.addObject(HOST)).toBe(4);
    expect(rows(t)).toEqual([`${HOST}1.`, `${HOST}4.`]);
  });

  it('deleting a row forgets its written values and attributes', () => {
    const t = fresh();
    t.setValues([{ name: `${HOST}1.HostName`, value: 'x' }], 'acs');
    t.setAttributes([{ name: `${HOST}1.HostName`, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }]);
    t.deleteObject(`${HOST}1.`);
    expect(t.overlaySize).toBe(1); // only the table's row set remains
    expect(t.notifying()).toEqual([]);
  });

  it('can empty a table and add again', () => {
    const t = fresh();
    t.deleteObject(`${HOST}1.`);
    t.deleteObject(`${HOST}2.`);
    expect(rows(t)).toEqual([]);
    expect(t.getValues([HOST])).toEqual([]);
    expect(t.addObject(HOST)).toBe(3);
  });

  it.each(['Device.Hosts.', 'Device.DeviceInfo.', 'Device.Hosts.Host', 'Device.Hosts.Host.1.', 'Device.Nope.', 'Device.DeviceInfo.UpTime'])(
    'addObject on non-table %j → 9005',
    (path) => {
      expect(faultOf(() => fresh().addObject(path)).faultCode).toBe(9005);
    },
  );

  it.each(['Device.Hosts.Host.3.', 'Device.Hosts.Host.1', 'Device.Hosts.Host.', 'Device.Hosts.Host.1.HostName', 'Device.DeviceInfo.', 'Device.Hosts.Host.x.'])(
    'deleteObject on %j → 9005',
    (path) => {
      const t = fresh();
      expect(faultOf(() => t.deleteObject(path)).faultCode).toBe(9005);
      expect(rows(t)).toEqual([`${HOST}1.`, `${HOST}2.`]);
    },
  );

  it('deleting twice is 9005 the second time', () => {
    const t = fresh();
    t.deleteObject(`${HOST}1.`);
    expect(faultOf(() => t.deleteObject(`${HOST}1.`)).faultCode).toBe(9005);
  });

  it('reset restores the template rows and numbering', () => {
    const t = fresh();
    t.addObject(HOST);
    t.deleteObject(`${HOST}1.`);
    t.reset();
    expect(rows(t)).toEqual([`${HOST}1.`, `${HOST}2.`]);
    expect(t.addObject(HOST)).toBe(3);
  });
});
