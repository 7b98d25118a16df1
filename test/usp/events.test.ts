// Periodic!, Subscription TriggerAction, TransferCompletePolicy and the Subscription
// table's remaining TR-181 rules, over a real tree with a manual clock (notify-fixture.ts).
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { MAX_TRIGGER_CASCADE, parseTriggerConfig } from '../../src/usp/trigger.js';
import { nextOnGrid } from '../../src/usp/periodic.js';
import { CTL, CTL2, flush, rig, type Rig } from './notify-fixture.js';

const C1 = 'Device.LocalAgent.Controller.1.';
const C2 = 'Device.LocalAgent.Controller.2.';
const HOST = 'Device.Hosts.Host.';
const T0 = Date.UTC(2026, 0, 1);

/** The error code a Controller's Set of `params` on `objPath` gets from beforeCommit, undefined when allowed. */
function setRefusal(r: Rig, objPath: string, params: Record<string, string>, controllerId = CTL): number | undefined {
  try {
    r.usp.beforeCommit({ kind: 'set', objPath, params, controllerId });
    return undefined;
  } catch (e) {
    return (e as { errCode: number }).errCode;
  }
}

/** A Controller's Set: checked by the agent, then written (what dispatch does). */
function set(r: Rig, objPath: string, params: Record<string, string>, controllerId = CTL): void {
  r.usp.beforeCommit({ kind: 'set', objPath, params, controllerId });
  r.tree.setValues(Object.entries(params).map(([k, value]) => ({ name: `${objPath}${k}`, value })), 'usp');
}

/** Records the simulated minute (from T0) of every Periodic! send; returns a reader per Controller. */
function periodicTimes(r: Rig): (controllerId: string) => number[] {
  const seen: { controllerId: string; at: number }[] = [];
  const send = r.notifier.sendNotify.bind(r.notifier);
  r.notifier.sendNotify = (controllerId, notify, opts) => {
    if (notify.event?.event_name === 'Periodic!') seen.push({ controllerId, at: (r.clock.now() - T0) / 60_000 });
    return send(controllerId, notify, opts);
  };
  return (controllerId) => seen.filter((s) => s.controllerId === controllerId).map((s) => s.at);
}

describe('Device.LocalAgent.Periodic! (TR-181 Controller.{i}.PeriodicNotifInterval / PeriodicNotifTime)', () => {
  it('goes to each Controller\'s Event subscriptions every PeriodicNotifInterval, on the PeriodicNotifTime grid', async () => {
    const r = rig();
    const periodicMinutes = periodicTimes(r);
    set(r, C1, { PeriodicNotifInterval: '600', PeriodicNotifTime: '2025-06-01T00:03:00Z' });
    set(r, C2, { PeriodicNotifInterval: '900' });
    r.subscribe({ id: 'tick', notifType: 'Event', ref: 'Device.LocalAgent.Periodic!', retry: true });
    r.subscribe({ id: 'all', notifType: 'Event', ref: 'Device.LocalAgent.', controller: CTL2 });
    r.subscribe({ id: 'boot-only', notifType: 'Event', ref: 'Device.Boot!' });
    await flush();
    r.clock.advance(31 * 60_000);
    await flush();
    // Controller 1: the phase is xx:03, every 10 min; Controller 2: no phase (the Unknown Time), its grid starts at the agent's start.
    expect(periodicMinutes(CTL)).toEqual([3, 13, 23]);
    expect(periodicMinutes(CTL2)).toEqual([15, 30]);
    const first = r.notifier.sent.find((s) => s.notify.event?.event_name === 'Periodic!');
    expect(first?.notify).toMatchObject({ subscription_id: 'tick', send_resp: true, event: { obj_path: 'Device.LocalAgent.', event_name: 'Periodic!', params: {} } });
    expect(r.notifier.sent.filter((s) => s.notify.subscription_id === 'boot-only')).toEqual([]);
  });

  it('holds one scheduler job per agent whatever the number of Controllers, and none while nobody subscribes', async () => {
    const r = rig();
    const idle = r.scheduler.size;
    set(r, C1, { PeriodicNotifInterval: '60' });
    await flush();
    expect(r.usp.periodic.nextDue).toBeUndefined();
    expect(r.scheduler.size).toBe(idle);
    const a = r.subscribe({ id: 'p1', notifType: 'Event', ref: 'Device.LocalAgent.Periodic!' });
    r.subscribe({ id: 'p2', notifType: 'Event', ref: 'Device.LocalAgent.Periodic!', controller: CTL2 });
    await flush();
    expect(r.scheduler.size).toBe(idle + 1);
    expect(r.usp.periodic.nextDue).toBe(T0 + 60_000);
    r.tree.deleteObject(a, 'usp');
    await flush();
    expect(r.usp.periodic.nextDue).toBe(T0 + 86_400_000); // Controller 2's default interval, one day
    expect(r.scheduler.size).toBe(idle + 1);
  });

  it('a Set of the interval or the phase takes effect at once, without waiting for the old tick', async () => {
    const r = rig();
    const periodicMinutes = periodicTimes(r);
    r.subscribe({ id: 'p', notifType: 'Event', ref: 'Device.LocalAgent.Periodic!' });
    await flush();
    expect(r.usp.periodic.nextDue).toBe(T0 + 86_400_000);
    r.clock.advance(5 * 60_000);
    set(r, C1, { PeriodicNotifInterval: '120' });
    await flush();
    expect(r.usp.periodic.nextDue).toBe(T0 + 6 * 60_000); // the agent's own phase (its start), every 2 min
    set(r, C1, { PeriodicNotifTime: '2026-01-01T00:05:30Z' });
    await flush();
    r.clock.advance(5 * 60_000);
    await flush();
    expect(periodicMinutes(CTL)).toEqual([5.5, 7.5, 9.5]);
  });

  it('a disabled subscription or Controller, or a device that is down, gets no Periodic!', async () => {
    const r = rig();
    set(r, C1, { PeriodicNotifInterval: '60' });
    set(r, C2, { PeriodicNotifInterval: '60' });
    const a = r.subscribe({ id: 'p1', notifType: 'Event', ref: 'Device.LocalAgent.Periodic!' });
    r.subscribe({ id: 'p2', notifType: 'Event', ref: 'Device.LocalAgent.Periodic!', controller: CTL2 });
    set(r, a, { Enable: 'false' });
    set(r, C2, { Enable: 'false' }, CTL);
    await flush();
    r.clock.advance(120_000);
    expect(r.notifier.sent).toEqual([]);
    set(r, C2, { Enable: 'true' }, CTL);
    r.device.up = false;
    await flush();
    r.clock.advance(120_000);
    expect(r.notifier.sent).toEqual([]);
    r.device.up = true;
    r.clock.advance(60_000);
    expect(r.notifier.sent.map((s) => s.notify.subscription_id)).toEqual(['p2']);
  });

  it('PeriodicNotifInterval 0 or not a number is refused with 7012 naming it', () => {
    const r = rig();
    expect(setRefusal(r, C1, { PeriodicNotifInterval: '0' })).toBe(7012);
    expect(setRefusal(r, C1, { PeriodicNotifInterval: '5 minutes' })).toBe(7012);
    expect(setRefusal(r, C1, { PeriodicNotifInterval: '1' })).toBeUndefined();
    expect(() => r.usp.beforeCommit({ kind: 'set', objPath: C1, params: { PeriodicNotifInterval: '0' }, controllerId: CTL })).toThrow(/PeriodicNotifInterval.*from 1/);
  });

  it('is listed by GetSupportedDM as an event of Device.LocalAgent.', () => {
    expect(rig().usp.supportedEvents).toContainEqual({ path: 'Device.LocalAgent.Periodic!', args: [] });
  });

  it('nextOnGrid: the first grid point strictly after a time, for phases before and after it', () => {
    expect(nextOnGrid(1_000, 500, 1_000)).toBe(1_500);
    expect(nextOnGrid(1_000, 500, 1_499)).toBe(1_500);
    expect(nextOnGrid(10_000, 3_000, 2_500)).toBe(4_000);
  });
});

describe('Subscription.{i}.TriggerAction / TriggerConfigSettings (TR-181 2.16, TP-469 1.93/1.94)', () => {
  const PC = `${C1}ProvisioningCode`;

  it('Config: the settings are applied when it fires, and no Notify goes (TP-469 1.93)', async () => {
    const r = rig();
    const sub = r.subscribe({ id: 'notify93', notifType: 'ValueChange', ref: PC, retry: true });
    set(r, sub, { TriggerAction: 'Config', TriggerConfigSettings: `${sub}Enable=false` });
    set(r, C1, { ProvisioningCode: 'TestValue93' });
    await flush();
    expect(r.tree.getValue(`${sub}Enable`)).toBe('false');
    expect(r.notifier.sent).toEqual([]);
  });

  it('NotifyAndConfig: the Notify goes and the settings are applied (TP-469 1.94)', async () => {
    const r = rig();
    const sub = r.subscribe({ id: 'notify94', notifType: 'ValueChange', ref: PC, retry: true });
    set(r, sub, { TriggerAction: 'NotifyAndConfig', TriggerConfigSettings: `${sub}Enable=false` });
    set(r, C1, { ProvisioningCode: 'TestValue94' });
    await flush();
    expect(r.notifier.of('value_change').map((s) => [s.notify.subscription_id, s.notify.value_change])).toEqual([['notify94', { param_path: PC, param_value: 'TestValue94' }]]);
    expect(r.tree.getValue(`${sub}Enable`)).toBe('false');
    // Disabled by its own trigger: the next change is silent.
    set(r, C1, { ProvisioningCode: 'again' });
    await flush();
    expect(r.notifier.of('value_change')).toHaveLength(1);
  });

  it('Notify (the default) ignores the settings; every kind of firing can trigger (here ObjectCreation)', async () => {
    const r = rig();
    const plain = r.subscribe({ id: 'plain', notifType: 'ValueChange', ref: PC });
    set(r, plain, { TriggerConfigSettings: `${C2}ProvisioningCode=from-plain` });
    const created = r.subscribe({ id: 'oc', notifType: 'ObjectCreation', ref: HOST });
    set(r, created, { TriggerAction: 'Config', TriggerConfigSettings: `${C2}ProvisioningCode=host-added, ${C2}PeriodicNotifInterval=300` });
    set(r, C1, { ProvisioningCode: 'x' });
    await flush();
    expect(r.tree.getValue(`${C2}ProvisioningCode`)).toBe('');
    r.tree.addObject(HOST, 'acs');
    await flush();
    expect(r.tree.getValue(`${C2}ProvisioningCode`)).toBe('host-added');
    expect(r.tree.getValue(`${C2}PeriodicNotifInterval`)).toBe('300');
    expect(r.notifier.of('obj_creation')).toEqual([]);
  });

  it('what the configuration writes is a USP write like any other: the ValueChange that follows reaches its subscribers', async () => {
    const r = rig();
    const seen: string[] = [];
    r.tree.onChange((c) => c.path === `${C2}ProvisioningCode` && seen.push(c.origin));
    r.subscribe({ id: 'watch-c2', notifType: 'ValueChange', ref: `${C2}ProvisioningCode`, controller: CTL2 });
    const trigger = r.subscribe({ id: 't', notifType: 'ValueChange', ref: PC });
    set(r, trigger, { TriggerAction: 'Config', TriggerConfigSettings: `${C2}ProvisioningCode=pushed` });
    set(r, C1, { ProvisioningCode: 'go' });
    await flush();
    expect(r.notifier.of('value_change').map((s) => [s.controllerId, s.notify.subscription_id, s.notify.value_change?.param_value])).toEqual([[CTL2, 'watch-c2', 'pushed']]);
    // Origin 'usp': not the ACS, so a CWMP value-change notification reports it too.
    expect(seen).toEqual(['usp']);
  });

  it('applies all the settings or none: one the tree refuses when it fires (its row deleted since) leaves the others unwritten, and is logged', async () => {
    const lines: string[] = [];
    const r = rig({ logger: createLogger({ level: 'warn', format: 'json', write: (l) => lines.push(l) }) });
    const t = r.subscribe({ id: 't', notifType: 'ValueChange', ref: PC });
    set(r, t, { TriggerAction: 'Config', TriggerConfigSettings: `${C2}ProvisioningCode=half, ${HOST}2.HostName=renamed` });
    r.tree.deleteObject(`${HOST}2.`, 'acs');
    set(r, C1, { ProvisioningCode: 'go' });
    await flush();
    expect(r.tree.getValue(`${C2}ProvisioningCode`)).toBe('');
    expect(lines.join('\n')).toMatch(/usp trigger config not applied.*Host\.2\.HostName/);
  });

  it(`two triggers rewriting each other's watched leaf are cut after ${MAX_TRIGGER_CASCADE} levels`, async () => {
    const lines: string[] = [];
    const r = rig({ logger: createLogger({ level: 'warn', format: 'json', write: (l) => lines.push(l) }) });
    const a = r.subscribe({ id: 'a', notifType: 'ValueChange', ref: PC });
    const b = r.subscribe({ id: 'b', notifType: 'ValueChange', ref: PC });
    set(r, a, { TriggerAction: 'Config', TriggerConfigSettings: `${PC}=from-a` });
    set(r, b, { TriggerAction: 'Config', TriggerConfigSettings: `${PC}=from-b` });
    set(r, C1, { ProvisioningCode: 'start' });
    await flush();
    expect(lines.join('\n')).toMatch(/usp trigger config loop cut/);
    const value = r.tree.getValue(PC);
    for (let i = 0; i < 10; i++) await flush();
    expect(r.tree.getValue(PC)).toBe(value); // settled
  });

  it('a Controller\'s write is checked: the enumeration, Path=Value entries naming writable parameters', () => {
    const r = rig();
    const sub = r.subscribe({ id: 's', notifType: 'ValueChange', ref: PC });
    expect(setRefusal(r, sub, { TriggerAction: 'Reboot' })).toBe(7012);
    expect(setRefusal(r, sub, { TriggerAction: 'NotifyAndConfig' })).toBeUndefined();
    expect(setRefusal(r, sub, { TriggerConfigSettings: `${sub}Enable` })).toBe(7012);
    expect(setRefusal(r, sub, { TriggerConfigSettings: 'Device.LocalAgent.Subscription.*.Enable=false' })).toBe(7012);
    expect(setRefusal(r, sub, { TriggerConfigSettings: `${C1}NoSuchLeaf=1` })).toBe(7012);
    expect(setRefusal(r, sub, { TriggerConfigSettings: `${sub}Recipient=x` })).toBe(7012); // read-only
    expect(setRefusal(r, sub, { TriggerConfigSettings: `${sub}Enable=maybe` })).toBe(7012); // not a boolean
    expect(setRefusal(r, sub, { TriggerConfigSettings: `${C1}PeriodicNotifInterval=soon` })).toBe(7012);
    expect(setRefusal(r, sub, { TriggerConfigSettings: `${sub}Enable=false,${C2}ProvisioningCode=a=b` })).toBeUndefined();
    expect(setRefusal(r, sub, { TriggerConfigSettings: '' })).toBeUndefined();
    expect(parseTriggerConfig(`${C2}ProvisioningCode=a=b`)).toEqual([{ path: `${C2}ProvisioningCode`, value: 'a=b' }]);
    expect(() => r.usp.beforeCommit({ kind: 'set', objPath: sub, params: { TriggerConfigSettings: `${C1}NoSuchLeaf=1` }, controllerId: CTL })).toThrow(/NoSuchLeaf is not a parameter/);
    // An Add is checked the same way (TP-469 1.93 sends TriggerAction in the Add).
    const row = `Device.LocalAgent.Subscription.${r.tree.addObject('Device.LocalAgent.Subscription.', 'usp')}.`;
    expect(() => r.usp.beforeCommit({ kind: 'add', objPath: row, params: { TriggerAction: 'Sometimes' }, controllerId: CTL })).toThrow(expect.objectContaining({ errCode: 7012 }));
  });
});

describe('Controller.{i}.TransferCompletePolicy.ResultTypeFilter (TR-181 2.19)', () => {
  it('Success passes FaultCode 0 only, Failure the others, Both (the default) every TransferComplete!', () => {
    const r = rig();
    r.subscribe({ id: 'tc1', notifType: 'Event', ref: 'Device.LocalAgent.TransferComplete!' });
    r.subscribe({ id: 'tc2', notifType: 'Event', ref: 'Device.LocalAgent.', controller: CTL2 });
    const sent = (): string[] => r.notifier.sent.splice(0).map((s) => `${s.notify.subscription_id}:${s.notify.event?.params.FaultCode}`);
    r.usp.event('Device.LocalAgent.', 'TransferComplete!', { FaultCode: '0' });
    r.usp.event('Device.LocalAgent.', 'TransferComplete!', { FaultCode: '7022' });
    expect(sent()).toEqual(['tc1:0', 'tc2:0', 'tc1:7022', 'tc2:7022']);
    set(r, `${C1}TransferCompletePolicy.`, { ResultTypeFilter: 'Success' });
    set(r, `${C2}TransferCompletePolicy.`, { ResultTypeFilter: 'Failure' }, CTL2);
    r.usp.event('Device.LocalAgent.', 'TransferComplete!', { FaultCode: '0' });
    r.usp.event('Device.LocalAgent.', 'TransferComplete!', { FaultCode: '7022' });
    expect(sent()).toEqual(['tc1:0', 'tc2:7022']);
    // Other events are not filtered.
    r.usp.event('Device.LocalAgent.', 'WakeUp!', { FaultCode: '1' });
    expect(sent()).toEqual(['tc2:1']);
  });

  it('filters what a real FirmwareImage Download() reports: a failed fetch reaches the Failure Controller only', async () => {
    const r = rig();
    r.subscribe({ id: 'tc1', notifType: 'Event', ref: 'Device.LocalAgent.TransferComplete!' });
    r.subscribe({ id: 'oc1', notifType: 'OperationComplete', ref: 'Device.DeviceInfo.' });
    r.subscribe({ id: 'tc2', notifType: 'Event', ref: 'Device.LocalAgent.TransferComplete!', controller: CTL2 });
    set(r, `${C1}TransferCompletePolicy.`, { ResultTypeFilter: 'Success' });
    set(r, `${C2}TransferCompletePolicy.`, { ResultTypeFilter: 'Failure' }, CTL2);
    // Port 9 (discard) on loopback: nothing listens, the fetch fails at once.
    await r.usp.operate({ command: 'Device.DeviceInfo.FirmwareImage.2.Download()', command_key: 'k', send_resp: true, input_args: { URL: 'http://127.0.0.1:9/fw.img', AutoActivate: 'false' } }, CTL);
    for (let i = 0; i < 200 && r.notifier.of('oper_complete').length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    expect(r.tree.getValue('Device.DeviceInfo.FirmwareImage.2.Status')).toBe('DownloadFailed');
    expect(r.notifier.of('event').map((s) => [s.controllerId, s.notify.subscription_id, s.notify.event?.params.FaultCode])).toEqual([[CTL2, 'tc2', '7022']]);
    // The filter is about TransferComplete! only: Controller 1 still hears the command ended.
    expect(r.notifier.of('oper_complete').map((s) => s.notify.subscription_id)).toEqual(['oc1']);
  });

  it('a value outside Success, Failure, Both is refused with 7012', () => {
    const r = rig();
    expect(setRefusal(r, `${C1}TransferCompletePolicy.`, { ResultTypeFilter: 'Errors' })).toBe(7012);
    expect(setRefusal(r, C1, { 'TransferCompletePolicy.ResultTypeFilter': 'Both' })).toBeUndefined();
    expect(r.tree.getValue(`${C1}TransferCompletePolicy.ResultTypeFilter`)).toBe('Both');
  });
});

describe('Subscription table: the Recipient and ID rules of TR-181 / TR-369', () => {
  it('deleting a Controller row deletes its subscriptions, with their ObjectDeletion (TP-469 1.78)', () => {
    const r = rig();
    const mine = r.subscribe({ id: 'x', notifType: 'ValueChange', ref: `${HOST}1.HostName`, controller: CTL2 });
    const other = r.subscribe({ id: 'y', notifType: 'ObjectDeletion', ref: 'Device.LocalAgent.Subscription.*.' });
    r.tree.deleteObject(C2, 'usp');
    expect(r.tree.has(mine)).toBe(false);
    expect(r.tree.has(other)).toBe(true);
    expect(r.notifier.of('obj_deletion').map((s) => s.notify.obj_deletion?.obj_path)).toEqual([mine]);
    // A nested row of a Controller (its MTP rows) is not the Controller.
    r.tree.deleteObject(`${C1}BootParameter.${r.tree.addObject(`${C1}BootParameter.`)}.`);
    expect(r.tree.has(other)).toBe(true);
  });

  it('a row disabled while its Notify waits for a retry drops the retry (Enable false sends nothing)', async () => {
    const r = rig();
    r.notifier.mode = 'fail';
    const sub = r.subscribe({ id: 'retry', notifType: 'ValueChange', ref: `${HOST}1.HostName`, retry: true });
    r.tree.setValues([{ name: `${HOST}1.HostName`, value: 'x' }], 'acs');
    await flush();
    expect(r.usp.pendingCount).toBe(1);
    set(r, sub, { Enable: 'false' });
    r.clock.advance(3_600_000);
    await flush();
    expect(r.notifier.sent).toHaveLength(1);
    expect(r.usp.pendingCount).toBe(0);
  });

  it('ID cannot change once set (a non-functional unique key, TP-469 1.96); writing the same ID is fine', () => {
    const r = rig();
    const a = r.subscribe({ id: 'add96', notifType: 'ValueChange', ref: `${HOST}1.HostName` });
    expect(setRefusal(r, a, { ID: 'add96-NEW' })).toBe(7013);
    expect(setRefusal(r, a, { ID: 'add96' })).toBeUndefined();
    const auto = r.subscribe({ notifType: 'ValueChange', ref: `${HOST}1.HostName` });
    expect(setRefusal(r, auto, { ID: 'mine-now' })).toBe(7013); // the agent assigned one at creation
  });
});
