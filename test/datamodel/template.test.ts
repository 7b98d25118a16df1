import { describe, expect, it } from 'vitest';
import { Template } from '../../src/datamodel/index.js';
import { isProfileError } from '../../src/errors/index.js';
import { leaf, makeProfile, table } from './helpers.js';

/** What Template.compile throws for `profile` (undefined when it compiles). */
function compileError(profile: Parameters<typeof Template.compile>[0]): unknown {
  try {
    Template.compile(profile);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('Template.compile', () => {
  const template = Template.compile(makeProfile());

  it('keeps the profile and root', () => {
    expect(template.root).toBe('Device');
    expect(template.profile.source).toBe('<test>');
    expect(template.tablePaths).toEqual(['Device.Hosts.Host.']);
  });

  it('counts static leaves plus the initial table rows', () => {
    // 17 static leaves + 2 rows x 2 parameters
    expect(template.leafCount).toBe(21);
  });

  it('knows leaves and their types, including table rows', () => {
    expect(template.hasLeaf('Device.DeviceInfo.Manufacturer')).toBe(true);
    expect(template.hasLeaf('Device.Hosts.Host.2.HostName')).toBe(true);
    expect(template.hasLeaf('Device.Hosts.Host.3.HostName')).toBe(false); // not an initial row
    expect(template.hasLeaf('Device.DeviceInfo.')).toBe(false); // an object
    expect(template.hasLeaf('Device.DeviceInfo.Nope')).toBe(false);
    expect(template.leafType('Device.ManagementServer.PeriodicInformInterval')).toBe('xsd:unsignedInt');
    expect(template.leafType('Device.Hosts.Host.99.Active')).toBe('xsd:boolean');
    expect(template.leafType('Device.Hosts.Host.01.Active')).toBeUndefined(); // leading zero is not an instance number
    expect(template.leafType('Device.Nope')).toBeUndefined();
  });

  it('is immutable', () => {
    expect(Object.isFrozen(template)).toBe(true);
  });

  it('rejects a name used both as leaf and object, with every problem listed', () => {
    const bad = makeProfile({
      parameters: [leaf('Device.A', 'x'), leaf('Device.A.B', 'y'), leaf('Other.C D', 'z')],
      objects: [],
    });
    const err = compileError(bad);
    expect(isProfileError(err)).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toContain("'Device.A.B' needs an object 'Device.A.' but 'Device.A' is a leaf");
    expect(msg).toContain("'Other.C D' is not a valid parameter path");
  });

  it('rejects a leaf or a table below a table but outside its initial rows', () => {
    const bad = makeProfile({
      parameters: [leaf('Device.Hosts.Host.2.Extra', 'x')],
      objects: [table('Device.Hosts.Host.', 1, [leaf('HostName', 'h')]), table('Device.Hosts.Host.3.IPv4Address.', 1, [leaf('IPAddress', '')])],
    });
    expect(() => Template.compile(bad)).toThrow(/'Device.Hosts.Host.2.Extra' lies below the multi-instance table 'Device.Hosts.Host.' but not in one of its rows 1…1/);
    expect(() => Template.compile(bad)).toThrow(/'Device.Hosts.Host.3.IPv4Address.' lies below/);
  });

  it('rejects a malformed fleet.serialPattern of a hand-built profile at compile time, not at the first Inform', () => {
    const good = makeProfile();
    const bad = { ...good, fleet: { ...good.fleet, serialPattern: 'LAB-{i:99}' } };
    const err = compileError(bad);
    expect(isProfileError(err)).toBe(true);
    expect((err as { problems: unknown[] }).problems).toEqual([expect.objectContaining({ key: 'fleet.serialPattern', message: expect.stringContaining('width') })]);
  });

  it('stamps serials with the compiled pattern', () => {
    const good = makeProfile();
    const t = Template.compile({ ...good, fleet: { ...good.fleet, serialPattern: 'LAB-{i:04}-{base}' } });
    expect(t.stampSerial('SN', 7)).toBe('LAB-0007-SN');
    expect(t.stampSerial('SN', { index: 7, id: 'cpe-7', seed: 1n })).toBe('LAB-0007-SN');
    expect(t.stampSerial('SN', 12345)).toBe('LAB-12345-SN');
  });

  it('reports the source position of the offending definition', () => {
    const dup = { ...leaf('Device.DeviceInfo.Manufacturer', 'x'), source: { file: 'p.yaml', line: 12, col: 5 } };
    const bad = makeProfile({ parameters: [...makeProfile().parameters, dup] });
    const err = compileError(bad);
    expect(isProfileError(err)).toBe(true);
    expect((err as { problems: unknown[] }).problems).toEqual([
      expect.objectContaining({ file: 'p.yaml', line: 12, col: 5, key: 'parameters', message: expect.stringContaining('declared twice') }),
    ]);
  });

  it('accepts an InternetGatewayDevice root', () => {
    const igd = Template.compile(
      makeProfile({
        root: 'InternetGatewayDevice',
        deviceIdPaths: {
          manufacturer: 'InternetGatewayDevice.DeviceInfo.Manufacturer',
          oui: 'InternetGatewayDevice.DeviceInfo.ManufacturerOUI',
          productClass: 'InternetGatewayDevice.DeviceInfo.ProductClass',
          serialNumber: 'InternetGatewayDevice.DeviceInfo.SerialNumber',
        },
        parameters: [leaf('InternetGatewayDevice.DeviceInfo.SerialNumber', 'S')],
        objects: [],
      }),
    );
    expect(igd.root).toBe('InternetGatewayDevice');
    expect(igd.hasLeaf('InternetGatewayDevice.DeviceInfo.SerialNumber')).toBe(true);
  });
});
