import { describe, expect, it } from 'vitest';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import { leaf, makeProfile } from './helpers.js';

const template = Template.compile(makeProfile());
const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';

describe('copy-on-write trees', () => {
  it('an untouched tree stores nothing', () => {
    const t = createParameterTree(template, { index: 1, id: 'cpe-1' });
    t.getValues(['']);
    t.getNames('', false);
    t.getAttributes(['']);
    expect(t.overlaySize).toBe(0);
  });

  it('10,000 untouched trees share the template and store nothing each', () => {
    const trees = Array.from({ length: 10_000 }, (_, k) => createParameterTree(template, { index: k + 1, id: `cpe-${k + 1}` }));
    expect(trees.every((t) => t.overlaySize === 0)).toBe(true);
    expect(trees[9_999]?.getValue('Device.ManagementServer.ConnectionRequestUsername')).toBe('cr-cpe-10000');
  });

  it('a write on cpe-1 is never visible on cpe-2', () => {
    const a = createParameterTree(template, { index: 1, id: 'cpe-1' });
    const b = createParameterTree(template, { index: 2, id: 'cpe-2' });
    a.setValues([{ name: INTERVAL, value: '60' }], 'acs');
    a.addObject('Device.Hosts.Host.');
    a.setAttributes([{ name: INTERVAL, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }]);
    expect(a.getValue(INTERVAL)).toBe('60');
    expect(b.getValue(INTERVAL)).toBe('300');
    expect(b.has('Device.Hosts.Host.3.')).toBe(false);
    expect(b.getAttributes([INTERVAL])[0]?.notification).toBe(0);
    expect(b.overlaySize).toBe(0);
    expect(a.overlaySize).toBe(3); // one value, one table row set, one attribute
    // the shared template is untouched
    expect(template.hasLeaf('Device.Hosts.Host.3.HostName')).toBe(false);
  });

  it('reset() is a factory reset: every difference is dropped', () => {
    const t = createParameterTree(template, { index: 1, id: 'cpe-1' });
    t.setValues([{ name: INTERVAL, value: '60' }], 'acs');
    t.setInternal('Device.ManagementServer.ParameterKey', 'pk');
    t.deleteObject('Device.Hosts.Host.1.');
    t.setAttributes([{ name: INTERVAL, notificationChange: true, notification: 1, accessListChange: false, accessList: [] }]);
    t.reset();
    expect(t.overlaySize).toBe(0);
    expect(t.getValue(INTERVAL)).toBe('300');
    expect(t.getValue('Device.ManagementServer.ParameterKey')).toBe('');
    expect(t.has('Device.Hosts.Host.1.')).toBe(true);
    expect(t.getAttributes([INTERVAL])[0]?.notification).toBe(0);
  });
});

describe('per-CPE placeholders', () => {
  it('stamps placeholders per CPE, always (also cpe-1)', () => {
    const a = createParameterTree(template, { index: 1, id: 'cpe-1' });
    const b = createParameterTree(template, { index: 7, id: 'cpe-7' });
    expect(a.getValue('Device.ManagementServer.ConnectionRequestUsername')).toBe('cr-cpe-1');
    expect(b.getValue('Device.ManagementServer.ConnectionRequestUsername')).toBe('cr-cpe-7');
    expect(b.getValues(['Device.ManagementServer.ConnectionRequestUsername'])[0]?.value).toBe('cr-cpe-7');
    expect(b.overlaySize).toBe(0);
  });

  it('stamps {cpe...} placeholders in table rows after {i}', () => {
    const tpl = Template.compile(
      makeProfile({
        objects: [{ path: 'Device.Hosts.Host.', instances: 1, uniqueKeys: [], parameters: [leaf('HostName', 'h{i}-{cpe_id}'), leaf('IPAddress', '{cpe:ipv4:10.0.0.0/8}')] }],
      }),
    );
    const t = createParameterTree(tpl, { index: 3, id: 'cpe-3' });
    expect(t.getValue('Device.Hosts.Host.1.HostName')).toBe('h1-cpe-3');
    expect(t.getValue(`Device.Hosts.Host.${t.addObject('Device.Hosts.Host.')}.HostName`)).toBe('h2-cpe-3');
    expect(t.getValue('Device.Hosts.Host.1.IPAddress')).toMatch(/^10\.\d+\.\d+\.\d+$/);
  });

  it('the serial number leaf reads through the fleet serial pattern', () => {
    const tpl = Template.compile(makeProfile({ fleet: { count: 12, offset: 0, serialPattern: 'LAB-{i:04}', pools: {} } }));
    expect(createParameterTree(tpl, { index: 1, id: 'cpe-1' }).getValue('Device.DeviceInfo.SerialNumber')).toBe('LAB-0001');
    expect(createParameterTree(tpl, { index: 12, id: 'cpe-12' }).getValue('Device.DeviceInfo.SerialNumber')).toBe('LAB-0012');
    const base = Template.compile(makeProfile({ fleet: { count: 3, offset: 0, serialPattern: '{base}-{i}', pools: {} } }));
    expect(createParameterTree(base, { index: 2, id: 'cpe-2' }).getValue('Device.DeviceInfo.SerialNumber')).toBe('LAB-2');
  });

  it('the serial base may itself hold placeholders (stamped first)', () => {
    const params = makeProfile().parameters.map((p) => (p.path === 'Device.DeviceInfo.SerialNumber' ? { ...p, value: 'SN{cpe:hex:4}' } : p));
    const tpl = Template.compile(makeProfile({ parameters: params, fleet: { count: 1, offset: 0, serialPattern: '{base}', pools: {} } }));
    expect(createParameterTree(tpl, { index: 255, id: 'cpe-255' }).getValue('Device.DeviceInfo.SerialNumber')).toBe('SN00ff');
  });

  it('a written value wins over the stamped default', () => {
    const t = createParameterTree(template, { index: 4, id: 'cpe-4' });
    t.setValues([{ name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'admin' }], 'acs');
    expect(t.getValue('Device.ManagementServer.ConnectionRequestUsername')).toBe('admin');
    t.setValues([{ name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'cr-cpe-4' }], 'acs');
    expect(t.overlaySize).toBe(0);
  });
});
