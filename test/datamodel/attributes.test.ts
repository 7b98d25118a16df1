import { describe, expect, it } from 'vitest';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import type { NotificationLevel, ParameterTree, SetAttributesEntry } from '../../src/datamodel/index.js';
import { faultOf, makeProfile } from './helpers.js';

const template = Template.compile(makeProfile());
const fresh = (): ParameterTree => createParameterTree(template, { index: 1, id: 'cpe-1' });
const SW = 'Device.DeviceInfo.SoftwareVersion';

function notify(name: string, notification: number): SetAttributesEntry {
  return { name, notificationChange: true, notification: notification as NotificationLevel, accessListChange: false, accessList: [] };
}

describe('attributes (TR-069 A.3.2.4, A.3.2.5)', () => {
  it('defaults to notification 0 and an empty access list', () => {
    expect(fresh().getAttributes([SW])).toEqual([{ name: SW, notification: 0, accessList: [] }]);
  });

  it('sets notification and access list independently', () => {
    const t = fresh();
    t.setAttributes([notify(SW, 2)]);
    t.setAttributes([{ name: SW, notificationChange: false, notification: 0, accessListChange: true, accessList: ['Subscriber'] }]);
    expect(t.getAttributes([SW])).toEqual([{ name: SW, notification: 2, accessList: ['Subscriber'] }]);
    t.setAttributes([{ name: SW, notificationChange: true, notification: 1, accessListChange: false, accessList: [] }]);
    expect(t.getAttributes([SW])).toEqual([{ name: SW, notification: 1, accessList: ['Subscriber'] }]);
  });

  it('a partial path applies to every leaf below; getAttributes takes partial paths too', () => {
    const t = fresh();
    t.setAttributes([notify('Device.Hosts.Host.', 1)]);
    const got = t.getAttributes(['Device.Hosts.']);
    expect(got).toHaveLength(4);
    expect(got.every((a) => a.notification === 1)).toBe(true);
    expect(t.getAttributes(['Device.DeviceInfo.UpTime'])[0]?.notification).toBe(0);
    expect(t.notifying().map((n) => n.name).sort()).toEqual([
      'Device.Hosts.Host.1.Active',
      'Device.Hosts.Host.1.HostName',
      'Device.Hosts.Host.2.Active',
      'Device.Hosts.Host.2.HostName',
    ]);
    expect(t.getAttributes([''])).toHaveLength(template.leafCount);
  });

  describe("ref 3.7: periodicInformPaths' leaves start passive, in the template", () => {
    const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';
    const ENABLE = 'Device.ManagementServer.PeriodicInformEnable';
    const profile = makeProfile();
    const withPip = Template.compile({ ...profile, periodicInformPaths: { interval: INTERVAL, enable: ENABLE, time: 'Device.ManagementServer.NoSuchLeaf' } });
    const tree = (): ParameterTree => createParameterTree(withPip, { index: 1, id: 'cpe-1' });

    it('read Notification 1 in every new tree, with nothing in its overlay', () => {
      const t = tree();
      expect(t.getAttributes([INTERVAL, ENABLE])).toEqual([
        { name: INTERVAL, notification: 1, accessList: [] },
        { name: ENABLE, notification: 1, accessList: [] },
      ]);
      expect(t.notifying()).toEqual([
        { name: INTERVAL, notification: 1 },
        { name: ENABLE, notification: 1 },
      ]);
      expect(t.overlaySize).toBe(0);
      // A path the profile names but the tree lacks is not listed.
      expect(withPip.passiveAtStart.has('Device.ManagementServer.NoSuchLeaf')).toBe(false);
    });

    it('an ACS that turns one off keeps it off; a factory reset makes it passive again', () => {
      const t = tree();
      t.setAttributes([notify(INTERVAL, 0)]);
      expect(t.getAttributes([INTERVAL])[0]?.notification).toBe(0);
      expect(t.notifying()).toEqual([{ name: ENABLE, notification: 1 }]);
      t.setAttributes([notify(INTERVAL, 1)]);
      expect(t.overlaySize).toBe(0); // back to the initial: nothing stored
      t.setAttributes([notify(ENABLE, 2)]);
      expect(t.notifying()).toEqual([
        { name: INTERVAL, notification: 1 },
        { name: ENABLE, notification: 2 },
      ]);
      t.reset();
      expect(t.getAttributes([INTERVAL, ENABLE]).map((a) => a.notification)).toEqual([1, 1]);
    });
  });

  it('unknown name → 9005 and nothing changes (all or none)', () => {
    const t = fresh();
    const f = faultOf(() => t.setAttributes([notify(SW, 2), notify('Device.Nope', 1)]));
    expect(f.faultCode).toBe(9005);
    expect(f.faultString).toContain('Device.Nope');
    expect(t.getAttributes([SW])[0]?.notification).toBe(0);
    expect(faultOf(() => t.getAttributes(['Device.Nope.'])).faultCode).toBe(9005);
  });

  it('notification outside 0..2 → 9003 with a clear string, nothing changes', () => {
    const t = fresh();
    const f = faultOf(() => t.setAttributes([notify(SW, 2), notify('Device.DeviceInfo.UpTime', 3)]));
    expect(f.faultCode).toBe(9003);
    expect(f.faultString).toContain('Notification 3');
    expect(f.faultString).toContain('Device.DeviceInfo.UpTime');
    expect(t.overlaySize).toBe(0);
  });

  it('an out-of-range notification with NotificationChange false is ignored', () => {
    const t = fresh();
    t.setAttributes([{ name: SW, notificationChange: false, notification: 9 as NotificationLevel, accessListChange: false, accessList: [] }]);
    expect(t.getAttributes([SW])[0]?.notification).toBe(0);
  });

  it('setting back to the defaults frees the overlay', () => {
    const t = fresh();
    t.setAttributes([notify(SW, 2)]);
    expect(t.overlaySize).toBe(1);
    t.setAttributes([notify(SW, 0)]);
    expect(t.overlaySize).toBe(0);
  });
});
