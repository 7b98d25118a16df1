import { describe, expect, it } from 'vitest';
import { isUspError, parsePath, resolvePath, supportedModel } from '../../src/usp/index.js';
import type { UspError } from '../../src/usp/index.js';
import { uspContext } from './fixture.js';

function uspErr(fn: () => unknown): UspError {
  try {
    fn();
  } catch (e) {
    if (isUspError(e)) return e;
    throw e;
  }
  throw new Error('expected a UspError');
}

describe('parsePath (TR-369 path grammar)', () => {
  it('tells object, parameter, command and event paths apart', () => {
    expect(parsePath('Device.IP.Interface.').end).toBe('object');
    expect(parsePath('Device.IP.Interface.2.Enable')).toMatchObject({ end: 'param', leaf: 'Enable' });
    expect(parsePath('Device.Reboot()')).toMatchObject({ end: 'command', leaf: 'Reboot()' });
    expect(parsePath('Device.Boot!')).toMatchObject({ end: 'event', leaf: 'Boot!' });
    expect(parsePath('Device.IP.Interface.2.').segments).toEqual([
      { kind: 'name', name: 'Device' },
      { kind: 'name', name: 'IP' },
      { kind: 'name', name: 'Interface' },
      { kind: 'instance', instance: 2, name: '2' },
    ]);
  });

  it('parses search expressions with every operator, && and tolerated spaces', () => {
    const p = parsePath('Device.IP.Interface.[ Enable == true && Stats.BytesSent>=10&&Name~="eth1" && MTU<1501 && MTU>1 && MTU<=2 && Type!="x" ].Name');
    const seg = p.segments[3];
    expect(seg?.kind).toBe('search');
    expect(seg?.kind === 'search' && seg.terms.map((t) => `${t.rel}${t.op}${t.value}`)).toEqual([
      'Enable==true',
      'Stats.BytesSent>=10',
      'Name~=eth1',
      'MTU<1501',
      'MTU>1',
      'MTU<=2',
      'Type!=x',
    ]);
  });

  it('keeps dots, brackets and && inside quoted literals and decodes %22 and %25', () => {
    const p = parsePath('Device.IP.Interface.[Name=="a.b]&&c%22d%25"].');
    const seg = p.segments[3];
    expect(seg?.kind === 'search' && seg.terms).toEqual([{ rel: 'Name', op: '==', value: 'a.b]&&c"d%', quoted: true }]);
  });

  it.each([
    ['', 'empty'],
    ['Device..IP.', 'empty segment'],
    ['Device.IP.Interface.[].', "empty search expression"],
    ['Device.IP.Interface.[Enable==true.', 'missing'],
    ['Device.IP.Interface.[Enable=true].', "'=='"],
    ['Device.IP.Interface.[Enable==true||Name=="x"].', 'no OR'],
    ['Device.IP.Interface.[Name=="x].', 'unterminated'],
    ['Device.IP.Interface.[Name].', 'not a comparison'],
    ['Device.IP.Int$rface.', 'not a valid segment'],
    ['Device.IP.Interface.1.Re boot()', 'command'],
    ['Device.IP."x".', 'outside a search'],
    ['1.Device.', 'starts with an object name'],
    ['Device.IP.Interface.[Name==].', 'expected a value'],
  ])('%j is 7008 (%s)', (text, why) => {
    const e = uspErr(() => parsePath(text));
    expect(e.errCode).toBe(7008);
    expect(e.message).toContain(why);
  });

  it('reference following parses in segments and search terms (reference-following.test.ts resolves it); a malformed one is 7008', () => {
    expect(parsePath('Device.WiFi.AccessPoint.[SSIDReference+.Name=="x"].').segments[3]).toMatchObject({ kind: 'search', terms: [{ rel: 'SSIDReference+.Name', op: '==', value: 'x' }] });
    expect(uspErr(() => parsePath('Device.WiFi.AccessPoint.[SSIDReference+=="x"].')).errCode).toBe(7008);
    expect(uspErr(() => parsePath('Device.WiFi.AccessPoint.[SSIDReference#0+.Name=="x"].')).errCode).toBe(7008);
  });
});

describe('supported model ({i} notation from the Template)', () => {
  it('lists static objects, table rows as {i} and nested tables found only in a concrete row', () => {
    const { template } = uspContext();
    const m = supportedModel(template);
    expect([...m.objects.keys()]).toEqual(
      expect.arrayContaining(['Device.', 'Device.IP.Interface.{i}.', 'Device.IP.Interface.{i}.Stats.', 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.']),
    );
    expect(m.tables.get('Device.IP.Interface.')?.uniqueKeys).toEqual(['Alias', 'Name']);
    expect(m.tables.get('Device.IP.Interface.')?.creatable).toBe(true);
    expect(m.tables.get('Device.DeviceInfo.ProcessStatus.Process.')?.creatable).toBe(false);
    expect(supportedModel(template)).toBe(m);
  });
});

describe('resolvePath over a tree', () => {
  const objects = (text: string): readonly string[] => {
    const { tree, template } = uspContext();
    return resolvePath(tree, template, parsePath(text)).objects;
  };

  it('exact paths resolve to themselves when they exist, to nothing when not (not a search)', () => {
    const { tree, template } = uspContext();
    expect(resolvePath(tree, template, parsePath('Device.IP.Interface.2.Enable'))).toMatchObject({ objects: ['Device.IP.Interface.2.'], search: false });
    expect(resolvePath(tree, template, parsePath('Device.IP.Interface.9.'))).toMatchObject({ objects: [], search: false });
  });

  it('* expands to every existing row, later rows included', () => {
    const { tree, template } = uspContext();
    tree.addObject('Device.IP.Interface.');
    expect(resolvePath(tree, template, parsePath('Device.IP.Interface.*.Name'))).toMatchObject({
      objects: ['Device.IP.Interface.1.', 'Device.IP.Interface.2.', 'Device.IP.Interface.3.', 'Device.IP.Interface.4.'],
      search: true,
    });
    expect(objects('Device.WiFi.AccessPoint.*.AssociatedDevice.*.')).toEqual(['Device.WiFi.AccessPoint.1.AssociatedDevice.1.', 'Device.WiFi.AccessPoint.1.AssociatedDevice.2.']);
  });

  it('compares by type: numbers numerically, booleans as 1/true, strings exactly', () => {
    expect(objects('Device.IP.Interface.[Stats.BytesSent>1500].')).toEqual(['Device.IP.Interface.2.', 'Device.IP.Interface.3.']);
    // "10000" < "2000" as text; 2000 < 10000 as numbers.
    expect(objects('Device.IP.Interface.[Stats.BytesSent<=2000].')).toEqual(['Device.IP.Interface.1.', 'Device.IP.Interface.2.']);
    expect(objects('Device.IP.Interface.[Enable==1].')).toEqual(objects('Device.IP.Interface.[Enable==true].'));
    expect(objects('Device.IP.Interface.[Enable!=true].')).toEqual([]);
    expect(objects('Device.IP.Interface.[Name=="eth2"].')).toEqual(['Device.IP.Interface.2.']);
    expect(objects('Device.IP.Interface.[Name!="eth2" && MTU==1500].')).toEqual(['Device.IP.Interface.1.', 'Device.IP.Interface.3.']);
    expect(objects('Device.IP.Interface.[Tags~="b3"].')).toEqual(['Device.IP.Interface.3.']);
    expect(objects('Device.IP.Interface.[LastChange>"2025-01-01T12:00:00Z"].')).toEqual(['Device.IP.Interface.2.', 'Device.IP.Interface.3.']);
    expect(objects('Device.WiFi.AccessPoint.1.AssociatedDevice.[SignalStrength>-52].')).toEqual(['Device.WiFi.AccessPoint.1.AssociatedDevice.1.']);
  });

  it('a hidden parameter compares as "" (a search cannot probe a secret)', () => {
    expect(objects('Device.IP.Interface.[X_Key=="key1"].')).toEqual([]);
    expect(objects('Device.IP.Interface.[X_Key==""].')).toHaveLength(3);
  });

  it('operators a type does not allow, and literals of the wrong type, are 7008', () => {
    const { tree, template } = uspContext();
    expect(uspErr(() => resolvePath(tree, template, parsePath('Device.IP.Interface.[Name<"x"].'))).errCode).toBe(7008);
    expect(uspErr(() => resolvePath(tree, template, parsePath('Device.IP.Interface.[Enable>0].'))).errCode).toBe(7008);
    expect(uspErr(() => resolvePath(tree, template, parsePath('Device.IP.Interface.[MTU>"big"].'))).errCode).toBe(7008);
    expect(uspErr(() => resolvePath(tree, template, parsePath('Device.IP.Interface.[Enable=="yes"].'))).errCode).toBe(7008);
  });

  it('unique-key addressing (== on a whole key) is an exact address, a partial match a search', () => {
    const { tree, template } = uspContext();
    expect(resolvePath(tree, template, parsePath('Device.IP.Interface.[Name=="eth3"].'))).toMatchObject({ objects: ['Device.IP.Interface.3.'], search: false });
    expect(resolvePath(tree, template, parsePath('Device.IP.Interface.[Alias=="nope"].'))).toMatchObject({ objects: [], search: false });
    expect(resolvePath(tree, template, parsePath('Device.IP.Interface.[MTU==1500].')).search).toBe(true);
  });

  it('paths outside the supported model are 7026, naming the part that is not', () => {
    const { tree, template } = uspContext();
    const e = uspErr(() => resolvePath(tree, template, parsePath('Device.IP.Nope.*.')));
    expect(e.errCode).toBe(7026);
    expect(e.message).toContain("'Device.IP.Nope.'");
    expect(uspErr(() => resolvePath(tree, template, parsePath('Device.DeviceInfo.*.'))).errCode).toBe(7026);
    expect(uspErr(() => resolvePath(tree, template, parsePath('Device.IP.Interface.*.Nope'))).errCode).toBe(7026);
    expect(uspErr(() => resolvePath(tree, template, parsePath('Device.IP.Interface.[Nope==1].'))).errCode).toBe(7026);
    // A child table cannot be entered from a search expression.
    expect(uspErr(() => resolvePath(tree, template, parsePath('Device.WiFi.AccessPoint.[AssociatedDevice.MACAddress=="x"].'))).errCode).toBe(7026);
    expect(uspErr(() => resolvePath(tree, template, parsePath('Device.IP.Interface.{i}.'))).errCode).toBe(7008);
  });
});
