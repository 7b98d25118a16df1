import { describe, expect, it } from 'vitest';
import { covers, expandRef } from '../../src/usp/refpath.js';
import { CTL, CTL2, flush, rig } from './notify-fixture.js';

const HOST = 'Device.Hosts.Host.';

/** The error code a Controller's Set of `leaf` on row `row` would get from beforeCommit, undefined when allowed. */
function setRefusal(r: ReturnType<typeof rig>, row: string, leaf: string, value: string, controllerId = CTL): number | undefined {
  try {
    r.usp.beforeCommit({ kind: 'set', objPath: row, params: { [leaf]: value }, controllerId });
    return undefined;
  } catch (e) {
    return (e as { errCode: number }).errCode;
  }
}

describe('reference paths (usp-notes §3, §5)', () => {
  it('object references cover everything below; leaf references only themselves; * is one instance level', () => {
    expect(covers('Device.Hosts.', 'Device.Hosts.Host.3.HostName')).toBe(true);
    expect(covers('Device.Hosts.Host.*.HostName', 'Device.Hosts.Host.3.HostName')).toBe(true);
    expect(covers('Device.Hosts.Host.*.HostName', 'Device.Hosts.Host.3.Active')).toBe(false);
    expect(covers('Device.Hosts.Host.*.HostName', 'Device.Hosts.Host.X.HostName')).toBe(false);
    expect(covers('Device.Hosts.Host.1.HostName', 'Device.Hosts.Host.1.HostName.')).toBe(false);
    expect(covers('Device.Boot!', 'Device.Boot!')).toBe(true);
    expect(covers('Device.', 'Device.Boot!')).toBe(true);
    expect(covers('Device.LocalAgent.', 'Device.Boot!')).toBe(false);
  });

  it('a search segment asks the matcher about the row', () => {
    const search = (row: string, expr: string) => row === 'Device.Hosts.Host.2.' && expr === 'Active==true';
    expect(covers('Device.Hosts.Host.[Active==true].HostName', 'Device.Hosts.Host.2.HostName', search)).toBe(true);
    expect(covers('Device.Hosts.Host.[Active==true].HostName', 'Device.Hosts.Host.1.HostName', search)).toBe(false);
  });

  it('expands wildcards over the rows that exist now', () => {
    const { tree } = rig();
    expect(expandRef(tree, `${HOST}*.HostName`)).toEqual([`${HOST}1.HostName`, `${HOST}2.HostName`]);
    expect(expandRef(tree, `${HOST}*.`)).toEqual([`${HOST}1.`, `${HOST}2.`]);
    expect(expandRef(tree, 'Device.DeviceInfo.FirmwareImage.*.Download()')).toEqual(['Device.DeviceInfo.FirmwareImage.1.Download()', 'Device.DeviceInfo.FirmwareImage.2.Download()']);
    expect(expandRef(tree, 'Device.Nothing.*.X')).toEqual([]);
  });
});

describe('Subscription.{i} table (TR-181 2.19, usp-notes §5)', () => {
  it('the agent fills Recipient (the creating Controller row), CreationDate and an ID when none was given', () => {
    const r = rig();
    const a = r.subscribe({ notifType: 'ValueChange', ref: `${HOST}1.HostName`, controller: CTL2 });
    expect(r.tree.getValue(`${a}Recipient`)).toBe('Device.LocalAgent.Controller.2');
    expect(r.tree.getValue(`${a}CreationDate`)).toBe('2026-01-01T00:00:00Z');
    expect(r.tree.getValue(`${a}ID`)).toMatch(/^cpe-sub-1/);
  });

  it('ID is unique per Recipient: a second Add with it is refused with 7025, a Set (ID is fixed once set) with 7013; another Controller may reuse it', () => {
    const r = rig();
    const a = r.subscribe({ id: 'vc', notifType: 'ValueChange', ref: `${HOST}1.HostName` });
    expect(() => r.subscribe({ id: 'vc', notifType: 'ValueChange', ref: `${HOST}2.HostName` })).toThrow(expect.objectContaining({ errCode: 7025 }));
    expect(() => r.subscribe({ id: 'vc', notifType: 'ValueChange', ref: `${HOST}2.HostName`, controller: CTL2 })).not.toThrow();
    const b = r.subscribe({ id: 'other', notifType: 'ValueChange', ref: `${HOST}2.HostName` });
    expect(setRefusal(r, b, 'ID', 'vc')).toBe(7013);
    expect(setRefusal(r, a, 'ID', 'vc')).toBeUndefined();
  });

  it('ReferenceList cannot change once non-empty; NotifType must be one of the five', () => {
    const r = rig();
    const a = r.subscribe({ notifType: 'ValueChange', ref: `${HOST}1.HostName` });
    expect(setRefusal(r, a, 'ReferenceList', `${HOST}2.HostName`)).toBe(7013);
    expect(setRefusal(r, a, 'ReferenceList', `${HOST}1.HostName`)).toBeUndefined();
    expect(setRefusal(r, a, 'NotifType', 'Periodic')).toBe(7012);
    const fresh = `Device.LocalAgent.Subscription.${r.tree.addObject('Device.LocalAgent.Subscription.', 'usp')}.`;
    expect(setRefusal(r, fresh, 'ReferenceList', `${HOST}2.HostName`)).toBeUndefined();
  });

  it('ValueChange: a CWMP SPV, a USP Set and a device write each notify once, to the Recipient, with the row ID', () => {
    const r = rig();
    r.subscribe({ id: 'vc', notifType: 'ValueChange', ref: `${HOST}*.HostName` });
    r.tree.setValues([{ name: `${HOST}1.HostName`, value: 'acs' }], 'acs');
    r.tree.setValues([{ name: `${HOST}2.HostName`, value: 'usp' }], 'usp');
    r.tree.setInternal(`${HOST}1.HostName`, 'device');
    r.tree.setInternal(`${HOST}1.HostName`, 'device'); // same value: no transition
    expect(r.notifier.of('value_change').map((s) => [s.controllerId, s.notify.subscription_id, s.notify.value_change?.param_path, s.notify.value_change?.param_value])).toEqual([
      [CTL, 'vc', `${HOST}1.HostName`, 'acs'],
      [CTL, 'vc', `${HOST}2.HostName`, 'usp'],
      [CTL, 'vc', `${HOST}1.HostName`, 'device'],
    ]);
  });

  it('a wildcard covers rows created after the subscription; disabled rows and other params stay silent', () => {
    const r = rig();
    r.subscribe({ id: 'vc', notifType: 'ValueChange', ref: `${HOST}*.HostName` });
    r.subscribe({ id: 'off', notifType: 'ValueChange', ref: `${HOST}*.HostName`, enable: false });
    const n = r.tree.addObject(HOST, 'usp');
    r.tree.setValues([{ name: `${HOST}${n}.HostName`, value: 'new' }], 'usp');
    r.tree.setValues([{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '60' }], 'acs');
    expect(r.notifier.of('value_change').map((s) => [s.notify.subscription_id, s.notify.value_change?.param_path])).toEqual([['vc', `${HOST}${n}.HostName`]]);
  });

  it('ObjectCreation (with unique keys) and ObjectDeletion come from the structure stream, nested rows too', () => {
    const r = rig();
    r.subscribe({ id: 'oc', notifType: 'ObjectCreation', ref: HOST });
    r.subscribe({ id: 'od', notifType: 'ObjectDeletion', ref: `${HOST}*.` });
    const n = r.tree.addObject(HOST, 'acs');
    r.tree.deleteObject(`${HOST}1.`, 'usp');
    expect(r.notifier.of('obj_creation').map((s) => [s.notify.subscription_id, s.notify.obj_creation])).toEqual([['oc', { obj_path: `${HOST}${n}.`, unique_keys: {} }]]);
    expect(r.notifier.of('obj_deletion').map((s) => [s.notify.subscription_id, s.notify.obj_deletion?.obj_path])).toEqual([['od', `${HOST}1.`]]);
  });

  it('ObjectCreation reports the declared unique keys of the new row', () => {
    const r = rig();
    r.subscribe({ id: 'subs', notifType: 'ObjectCreation', ref: 'Device.LocalAgent.Subscription.' });
    const p = r.subscribe({ id: 'x', notifType: 'Event', ref: 'Device.Boot!' });
    const created = r.notifier.of('obj_creation').map((s) => s.notify.obj_creation);
    expect(created).toEqual([{ obj_path: p, unique_keys: { Alias: `cpe-${p.split('.')[3]}` } }]);
  });

  it('a subscription whose Controller row is disabled or gone notifies nobody', () => {
    const r = rig();
    r.subscribe({ id: 'vc', notifType: 'ValueChange', ref: `${HOST}1.HostName`, controller: CTL2 });
    r.tree.setValues([{ name: 'Device.LocalAgent.Controller.2.Enable', value: 'false' }], 'usp');
    r.tree.setValues([{ name: `${HOST}1.HostName`, value: 'x' }], 'acs');
    expect(r.notifier.sent).toEqual([]);
  });

  it('TimeToLive deletes the row that long after its CreationDate (one job per row, none per event)', () => {
    const r = rig();
    const a = r.subscribe({ id: 'ttl', notifType: 'ValueChange', ref: `${HOST}1.HostName`, ttl: 30 });
    r.clock.advance(29_000);
    expect(r.tree.has(a)).toBe(true);
    r.clock.advance(1_000);
    expect(r.tree.has(a)).toBe(false);
  });

  it('non-persistent subscriptions are gone after an agent restart, persistent ones stay', () => {
    const r = rig();
    const keep = r.subscribe({ id: 'keep', notifType: 'ValueChange', ref: `${HOST}1.HostName`, persistent: true });
    const drop = r.subscribe({ id: 'drop', notifType: 'ValueChange', ref: `${HOST}1.HostName` });
    r.usp.onAgentStart({ cause: 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: false });
    expect(r.tree.has(drop)).toBe(true); // the first start is not a restart
    r.usp.onAgentStart({ cause: 'RemoteReboot', commandKey: 'k', reason: 'Unknown', firmwareUpdated: false });
    expect(r.tree.has(keep)).toBe(true);
    expect(r.tree.has(drop)).toBe(false);
  });

  it('generated leaves under a ValueChange subscription notify at their generator ticks; unwatched generators schedule nothing', async () => {
    const r = rig();
    r.gens.start();
    const before = r.scheduler.size;
    r.clock.advance(300_000);
    expect(r.notifier.sent).toEqual([]);
    r.subscribe({ id: 'radio', notifType: 'ValueChange', ref: 'Device.WiFi.Radio.1.Stats.' });
    expect(r.scheduler.size).toBe(before + 1);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      r.clock.advance(60_000);
      await flush();
      seen.push(r.tree.getValue('Device.WiFi.Radio.1.Stats.Noise') ?? '');
    }
    const vc = r.notifier.of('value_change').map((s) => s.notify.value_change);
    // A drift may stay put on a tick: one Notify per transition, and only for Noise.
    const transitions = seen.filter((v, i) => v !== (i === 0 ? '-90' : seen[i - 1])).length;
    expect(transitions).toBeGreaterThan(0);
    expect(vc).toHaveLength(transitions);
    expect(vc.at(-1)).toEqual({ param_path: 'Device.WiFi.Radio.1.Stats.Noise', param_value: seen.at(-1) });
  });

  it('a counter (GetSupportedDM: VALUE_CHANGE_WILL_IGNORE) under a ValueChange subscription sends nothing and schedules nothing', async () => {
    const r = rig();
    r.gens.start();
    const before = r.scheduler.size;
    r.subscribe({ id: 'packets', notifType: 'ValueChange', ref: 'Device.WiFi.Radio.1.Stats.PacketsSent' });
    expect(r.scheduler.size).toBe(before);
    const first = r.tree.getValue('Device.WiFi.Radio.1.Stats.PacketsSent');
    r.clock.advance(300_000);
    await flush();
    expect(r.tree.getValue('Device.WiFi.Radio.1.Stats.PacketsSent')).not.toBe(first);
    expect(r.notifier.sent).toEqual([]);
  });
});

describe('search expressions in references (judged with the dispatcher\'s typed comparison)', () => {
  it('a [expr] reference covers the rows matching it when the event happens', async () => {
    const r = rig();
    r.subscribe({ id: 'named', notifType: 'ValueChange', ref: `${HOST}[HostName=="laptop"].Active` });
    r.tree.setValues([{ name: `${HOST}2.HostName`, value: 'laptop' }], 'acs');
    r.tree.setInternal(`${HOST}1.Active`, 'false');
    r.tree.setInternal(`${HOST}2.Active`, 'false');
    expect(r.notifier.of('value_change').map((s) => s.notify.value_change?.param_path)).toEqual([`${HOST}2.Active`]);
  });
});
