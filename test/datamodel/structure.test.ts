import { describe, expect, it } from 'vitest';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import type { StructureChange } from '../../src/datamodel/index.js';
import { leaf, makeProfile, table } from './helpers.js';

// Hosts.Host.{i} with a table nested in row 1 (Host.1.IPv4Address.{i}), and the count leaf beside Host.
const template = Template.compile(
  makeProfile({
    objects: [
      table('Device.Hosts.Host.', 2, [leaf('HostName', 'host-{i}', { writable: true })]),
      table('Device.Hosts.Host.1.IPv4Address.', 1, [leaf('IPAddress', '10.0.0.{i}')]),
    ],
    parameters: [...makeProfile().parameters, leaf('Device.Hosts.HostNumberOfEntries', '2', { type: 'xsd:unsignedInt' })],
  }),
);

function watched() {
  const t = createParameterTree(template, { index: 1, id: 'cpe-1' });
  const seen: (StructureChange | { kind: 'value'; path: string })[] = [];
  t.onStructure((c) => seen.push(c));
  t.onChange((c) => seen.push({ kind: 'value', path: c.path }));
  return { t, seen };
}

describe('ParameterTree.onStructure (structural change stream)', () => {
  it('reports an added row with its origin, after the row exists and before its NumberOfEntries change', () => {
    const { t, seen } = watched();
    let readable = false;
    t.onStructure((c) => {
      if (c.kind === 'added') readable = t.has(c.path);
    });
    expect(t.addObject('Device.Hosts.Host.', 'usp')).toBe(3);
    expect(readable).toBe(true);
    expect(seen).toEqual([
      { kind: 'added', path: 'Device.Hosts.Host.3.', origin: 'usp' },
      { kind: 'value', path: 'Device.Hosts.HostNumberOfEntries' },
    ]);
  });

  it('defaults the origin to internal (a device-made row)', () => {
    const { t, seen } = watched();
    t.addObject('Device.Hosts.Host.1.IPv4Address.');
    expect(seen).toEqual([{ kind: 'added', path: 'Device.Hosts.Host.1.IPv4Address.2.', origin: 'internal' }]);
  });

  it('reports the nested rows of a deleted row first, then the row', () => {
    const { t, seen } = watched();
    t.addObject('Device.Hosts.Host.1.IPv4Address.', 'acs');
    seen.length = 0;
    t.deleteObject('Device.Hosts.Host.1.', 'acs');
    expect(seen).toEqual([
      { kind: 'deleted', path: 'Device.Hosts.Host.1.IPv4Address.2.', origin: 'acs' },
      { kind: 'deleted', path: 'Device.Hosts.Host.1.IPv4Address.1.', origin: 'acs' },
      { kind: 'deleted', path: 'Device.Hosts.Host.1.', origin: 'acs' },
      { kind: 'value', path: 'Device.Hosts.HostNumberOfEntries' },
    ]);
  });

  it('reports reset() once, and stops after unsubscribe', () => {
    const t = createParameterTree(template, { index: 1, id: 'cpe-1' });
    const seen: StructureChange[] = [];
    const off = t.onStructure((c) => seen.push(c));
    t.reset();
    expect(seen).toEqual([{ kind: 'reset' }]);
    off();
    t.addObject('Device.Hosts.Host.');
    t.reset();
    expect(seen).toHaveLength(1);
  });

  it('a failed addObject / deleteObject reports nothing', () => {
    const { t, seen } = watched();
    expect(() => t.addObject('Device.Hosts.Host.1.')).toThrow();
    expect(() => t.deleteObject('Device.Hosts.Host.9.')).toThrow();
    expect(seen).toEqual([]);
  });

  it('a throwing listener does not undo the change nor stop the others', async () => {
    const { t, seen } = watched();
    t.onStructure(() => {
      throw new Error('observer bug');
    });
    const errors: unknown[] = [];
    const onErr = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onErr);
    try {
      t.addObject('Device.Hosts.Host.');
      await new Promise((r) => setTimeout(r, 0));
    } finally {
      process.off('uncaughtException', onErr);
    }
    expect(t.has('Device.Hosts.Host.3.')).toBe(true);
    expect(seen[0]).toEqual({ kind: 'added', path: 'Device.Hosts.Host.3.', origin: 'internal' });
    expect(errors).toHaveLength(1);
  });
});
