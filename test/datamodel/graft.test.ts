/** Run-time grafts of an app's data model into one tree (ref §8.4), pure: no sockets. */
import { describe, expect, it } from 'vitest';
import { GeneratorClock, Template, createParameterTree } from '../../src/datamodel/index.js';
import { CwmpFault } from '../../src/errors/index.js';
import { parseManifest } from '../../src/profile/index.js';
import { faultCodeOf } from '../cpe/harness.js';
import { demoManifest, swmodProfile } from '../swmod/helpers.js';

const template = Template.compile(swmodProfile());
const fresh = () => createParameterTree(template, { index: 1, id: 'cpe-1' });
const app = (text = demoManifest()) => Template.fragment(parseManifest(text, 'demo.yaml'), 'demo.yaml');

describe('ParameterTree.graft', () => {
  it('attaches the nodes the device lacks where the trees diverge, in this tree only', () => {
    const a = fresh();
    const b = fresh();
    expect(a.graft(app(), 'g1')).toEqual(['Device.X_EXAMPLE_Probe.']);
    expect(a.getValue('Device.X_EXAMPLE_Probe.Enable')).toBe('true');
    expect(a.getValues(['Device.X_EXAMPLE_Probe.']).map((v) => v.name)).toEqual(['Device.X_EXAMPLE_Probe.Enable', 'Device.X_EXAMPLE_Probe.Target.1.Host']);
    // Tree order among the device's own children (byte order of names).
    const top = a.getNames('Device.', true).map((n) => n.name);
    expect(top).toContain('Device.X_EXAMPLE_Probe.');
    expect(top).toEqual([...top].sort());
    expect(a.getNames('', false).some((n) => n.name === 'Device.X_EXAMPLE_Probe.Target.1.Host')).toBe(true);
    expect(b.has('Device.X_EXAMPLE_Probe.')).toBe(false);
    expect(() => b.getValues(['Device.X_EXAMPLE_Probe.'])).toThrow(CwmpFault);
  });

  it('grafted leaves take SPV, attributes and AddObject like the device own', () => {
    const t = fresh();
    t.graft(app(), 'g1');
    const seen: string[] = [];
    t.onChange((c) => seen.push(`${c.path}=${c.newValue}`));
    t.setValues([{ name: 'Device.X_EXAMPLE_Probe.Target.1.Host', value: 'probe.example' }], 'acs');
    expect(seen).toEqual(['Device.X_EXAMPLE_Probe.Target.1.Host=probe.example']);
    expect(faultCodeOf(() => t.setValues([{ name: 'Device.X_EXAMPLE_Probe.Enable', value: 'maybe' }], 'acs'))).toBe(9003);
    t.setAttributes([{ name: 'Device.X_EXAMPLE_Probe.Enable', notificationChange: true, notification: 2, accessListChange: false, accessList: [] }]);
    expect(t.notifying().filter((n) => n.name.startsWith('Device.X_EXAMPLE'))).toEqual([{ name: 'Device.X_EXAMPLE_Probe.Enable', notification: 2 }]);
    expect(t.addObject('Device.X_EXAMPLE_Probe.Target.')).toBe(2);
    expect(t.getValue('Device.X_EXAMPLE_Probe.Target.2.Host')).toBe('example.net');
  });

  it('ungraft removes exactly the attached roots and what the overlay held for them', () => {
    const t = fresh();
    t.graft(app(), 'g1');
    t.setValues([{ name: 'Device.X_EXAMPLE_Probe.Target.1.Host', value: 'x' }], 'acs');
    t.addObject('Device.X_EXAMPLE_Probe.Target.');
    const before = t.overlaySize;
    expect(t.ungraft('g1')).toBe(true);
    expect(t.has('Device.X_EXAMPLE_Probe.')).toBe(false);
    expect(t.getNames('Device.', true).map((n) => n.name)).not.toContain('Device.X_EXAMPLE_Probe.');
    expect(t.overlaySize).toBeLessThan(before);
    expect(t.overlaySize).toBe(0);
    expect(t.ungraft('g1')).toBe(false);
    // A reinstall starts from the manifest again.
    t.graft(app(), 'g2');
    expect(t.getValue('Device.X_EXAMPLE_Probe.Target.1.Host')).toBe('example.net');
    expect(t.has('Device.X_EXAMPLE_Probe.Target.2.')).toBe(false);
  });

  it('refuses a collision with 9025 and attaches nothing (leaf on either side, another app)', () => {
    const t = fresh();
    const leafOnDevice = app('app: {name: c, version: 1}\nparameters:\n  - {path: Device.DeviceInfo.SoftwareVersion, value: x}\n  - {path: Device.X_New.A, value: y}\n');
    expect(faultCodeOf(() => t.graft(leafOnDevice, 'c'))).toBe(9025);
    expect(t.has('Device.X_New.')).toBe(false);
    // The device has a leaf where the app needs an object.
    const objectOverLeaf = app('app: {name: d, version: 1}\nparameters:\n  - {path: Device.DeviceInfo.UpTime.Extra, value: x}\n');
    expect(faultCodeOf(() => t.graft(objectOverLeaf, 'd'))).toBe(9025);
    // Inside a device table row.
    const inRow = app('app: {name: e, version: 1}\nparameters:\n  - {path: Device.Hosts.Host.1.X_Extra, value: x}\n');
    expect(faultCodeOf(() => t.graft(inRow, 'e'))).toBe(9025);
    t.graft(app(), 'g1');
    expect(faultCodeOf(() => t.graft(app(demoManifest({ name: 'other' })), 'g2'))).toBe(9025);
    expect(t.grafts()).toEqual([{ id: 'g1', roots: ['Device.X_EXAMPLE_Probe.'] }]);
  });

  it('a factory reset forgets every graft (ref §11)', () => {
    const t = fresh();
    t.graft(app(), 'g1');
    t.reset();
    expect(t.grafts()).toEqual([]);
    expect(t.has('Device.X_EXAMPLE_Probe.Enable')).toBe(false);
  });

  it('an app value is taken literally: placeholders are not stamped (ref §8.4)', () => {
    const t = fresh();
    t.graft(app('app: {name: p, version: 1}\nparameters:\n  - {path: Device.X_P.Id, value: "{cpe_id}"}\n'), 'p');
    expect(t.getValue('Device.X_P.Id')).toBe('{cpe_id}');
  });

  it("an app's generators tick from its install on (ref §6.3) and stop with the ungraft", () => {
    let now = 0;
    const gens = new GeneratorClock(() => now);
    gens.start(0);
    const t = createParameterTree(template, { index: 1, id: 'cpe-1' }, gens);
    const withGen = app(
      'app: {name: g, version: 1}\nparameters:\n  - {path: Device.X_G.State, value: idle}\n  - {path: Device.X_G.Up, type: xsd:unsignedInt}\ngenerators:\n  - {path: Device.X_G.State, type: enum, interval: 10s, values: [a, b, c]}\n  - {path: Device.X_G.Up, type: uptime, interval: 10s}\n',
    );
    now = 5_000;
    t.graft(withGen, 'g');
    expect(t.getValue('Device.X_G.State')).toBe('idle');
    expect(t.generator('Device.X_G.State')).toMatchObject({ type: 'enum', intervalMs: 10_000 });
    now = 10_000;
    expect(t.getValue('Device.X_G.State')).toBe('a');
    now = 20_000;
    expect(t.getValue('Device.X_G.State')).toBe('b');
    // uptime counts from the install (5 s), read at the tick of 20 s.
    expect(t.getValue('Device.X_G.Up')).toBe('15');
    t.ungraft('g');
    expect(t.generator('Device.X_G.State')).toBeUndefined();
    // Installed again later: it starts over from its manifest value and values[0].
    now = 25_000;
    t.graft(withGen, 'g2');
    expect(t.getValue('Device.X_G.State')).toBe('idle');
    now = 30_000;
    expect(t.getValue('Device.X_G.State')).toBe('a');
  });
});
