/**
 * Issue 2 §3: "a write on cpe-1 is never seen on cpe-2", for every kind of write
 * (overlay.test.ts covers SPV, AddObject and attributes on cpe-1 as seen from cpe-2).
 * Here: DeleteObject, setInternal, change hooks, writes in both directions, and a
 * third tree created after the writes.
 */
import { describe, expect, it } from 'vitest';
import { createParameterTree, Template, type ParameterChange } from '../../src/datamodel/index.js';
import { makeProfile } from './helpers.js';

const template = Template.compile(makeProfile());
const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';
const tree = (i: number) => createParameterTree(template, { index: i, id: `cpe-${i}` });

describe('copy-on-write isolation between CPEs', () => {
  it('DeleteObject on cpe-1 leaves the row on cpe-2; AddObject numbers are per CPE', () => {
    const a = tree(1);
    const b = tree(2);
    a.deleteObject('Device.Hosts.Host.1.');
    expect(a.has('Device.Hosts.Host.1.')).toBe(false);
    expect(b.has('Device.Hosts.Host.1.')).toBe(true);
    const na = a.addObject('Device.Hosts.Host.');
    const nb = b.addObject('Device.Hosts.Host.');
    // Same next number on both: each CPE has its own instance counter.
    expect(na).toEqual(nb);
    a.deleteObject(`Device.Hosts.Host.${na}.`);
    expect(a.has(`Device.Hosts.Host.${na}.`)).toBe(false);
    expect(b.has(`Device.Hosts.Host.${nb}.`)).toBe(true);
  });

  it('writes in both directions, setInternal included, and a tree created later sees only the template', () => {
    const a = tree(1);
    const b = tree(2);
    a.setValues([{ name: INTERVAL, value: '60' }], 'acs');
    b.setInternal(INTERVAL, '90');
    const c = tree(3);
    expect([a.getValue(INTERVAL), b.getValue(INTERVAL), c.getValue(INTERVAL)]).toEqual(['60', '90', '300']);
    expect(c.overlaySize).toBe(0);
  });

  it("a change hook on cpe-2 never fires for cpe-1's writes", () => {
    const a = tree(1);
    const b = tree(2);
    const seenB: ParameterChange[] = [];
    const seenA: ParameterChange[] = [];
    b.onChange((ch) => seenB.push(ch));
    a.onChange((ch) => seenA.push(ch));
    a.setValues([{ name: INTERVAL, value: '61' }], 'acs');
    expect(seenA).toHaveLength(1);
    expect(seenB).toEqual([]);
  });

  it('factory reset of cpe-1 does not touch cpe-2', () => {
    const a = tree(1);
    const b = tree(2);
    a.setValues([{ name: INTERVAL, value: '60' }], 'acs');
    b.setValues([{ name: INTERVAL, value: '70' }], 'acs');
    a.reset();
    expect(a.getValue(INTERVAL)).toBe('300');
    expect(b.getValue(INTERVAL)).toBe('70');
  });
});
