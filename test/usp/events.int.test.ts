// Periodic! and Subscription TriggerAction end to end: a fleet's agent and the fake
// USP Controller over its embedded MQTT broker (aedes, 127.0.0.1), time compressed 1000×.
import { afterEach, expect, it } from 'vitest';
import { createFakeUspController } from '../../src/controller/index.js';
import { startFleet } from '../../src/fleet/index.js';
import { tr181Profile } from '../support/profile.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});

async function agent() {
  const ctl = await createFakeUspController();
  open.push(ctl);
  const fleet = await startFleet({ profile: tr181Profile('EVT', 1, []), timeScale: 0.001, cwmp: false, usp: { broker: ctl.brokerUrl!, controllerId: ctl.endpointId } });
  open.push(fleet);
  return { ctl, fleet, eid: fleet.uspAgent(1).endpointId };
}

it('Periodic!: a Controller that sets its PeriodicNotifInterval and subscribes gets the event on that period', async () => {
  const { ctl, eid } = await agent();
  await ctl.set(eid, { 'Device.LocalAgent.Controller.1.': { PeriodicNotifInterval: 60, PeriodicNotifTime: '2020-01-01T00:00:30Z' } });
  await ctl.subscribe(eid, { id: 'heartbeat', notifType: 'Event', referenceList: 'Device.LocalAgent.Periodic!', notifRetry: true });
  const first = await ctl.waitForNotify(eid, (n) => n.event?.event_name === 'Periodic!', 10_000);
  const second = await ctl.waitForNotify(eid, (n) => n.event?.event_name === 'Periodic!', { timeoutMs: 10_000, since: first.time + 1 });
  expect(first.notify).toMatchObject({ subscription_id: 'heartbeat', send_resp: true, event: { obj_path: 'Device.LocalAgent.', event_name: 'Periodic!', params: {} } });
  expect(second.notify.subscription_id).toBe('heartbeat');
  await expect(ctl.set(eid, { 'Device.LocalAgent.Controller.1.': { PeriodicNotifInterval: 0 } })).rejects.toMatchObject({ paramErrs: [expect.objectContaining({ param_path: 'Device.LocalAgent.Controller.1.PeriodicNotifInterval', err_code: 7012 })] });
});

it('TriggerAction NotifyAndConfig (TP-469 1.94): the Notify arrives and the agent applies TriggerConfigSettings', async () => {
  const { ctl, eid } = await agent();
  const row = await ctl.subscribe(eid, { id: 'notify94', notifType: 'ValueChange', referenceList: 'Device.LocalAgent.Controller.1.ProvisioningCode', notifRetry: true, triggerAction: 'NotifyAndConfig' });
  await ctl.set(eid, { [row]: { TriggerConfigSettings: `${row}Enable=false` } });
  await ctl.set(eid, { 'Device.LocalAgent.Controller.1.': { ProvisioningCode: 'TestValue94' } });
  const n = await ctl.waitForNotify(eid, (x) => x.subscription_id === 'notify94', 10_000);
  expect(n.notify.value_change).toEqual({ param_path: 'Device.LocalAgent.Controller.1.ProvisioningCode', param_value: 'TestValue94' });
  expect(await ctl.getValues(eid, `${row}Enable`)).toEqual({ [`${row}Enable`]: 'false' });
  // A bad setting is refused on the wire, naming the parameter.
  await expect(ctl.set(eid, { [row]: { TriggerConfigSettings: 'Device.No.Such=1' } })).rejects.toMatchObject({ paramErrs: [expect.objectContaining({ param_path: `${row}TriggerConfigSettings`, err_code: 7012 })] });
});

it('a CWMP AddObject and DeleteObject reach USP ObjectCreation / ObjectDeletion subscriptions (one tree, one structure stream)', async () => {
  const ctl = await createFakeUspController();
  open.push(ctl);
  const profile = tr181Profile('DUAL', 1, [], {
    objects: [{ path: 'Device.NAT.PortMapping.', instances: 1, parameters: [{ path: 'Enable', type: 'xsd:boolean', value: 'false', writable: true }, { path: 'Description', value: '', writable: true }] }],
  });
  const fleet = await startFleet({ profile, timeScale: 0.001, usp: { broker: ctl.brokerUrl!, controllerId: ctl.endpointId } });
  open.push(fleet);
  const eid = fleet.uspAgent(1).endpointId;
  await ctl.subscribe(eid, { id: 'pm-new', notifType: 'ObjectCreation', referenceList: 'Device.NAT.PortMapping.' });
  await ctl.subscribe(eid, { id: 'pm-gone', notifType: 'ObjectDeletion', referenceList: 'Device.NAT.PortMapping.*.' });
  const add = fleet.acs!.rpc('cpe-1', { name: 'AddObject', objectName: 'Device.NAT.PortMapping.', parameterKey: 'k1' }, { timeoutMs: 5000 });
  const del = fleet.acs!.rpc('cpe-1', { name: 'DeleteObject', objectName: 'Device.NAT.PortMapping.1.', parameterKey: 'k2' }, { timeoutMs: 5000 });
  void fleet.cpe(1).inform(['6 CONNECTION REQUEST']);
  const added = await add;
  expect(added).toMatchObject({ name: 'AddObjectResponse', instanceNumber: 2 });
  expect(await del).toMatchObject({ name: 'DeleteObjectResponse' });
  const created = await ctl.waitForNotify(eid, (n) => n.subscription_id === 'pm-new', 10_000);
  expect(created.notify.obj_creation).toMatchObject({ obj_path: 'Device.NAT.PortMapping.2.' });
  const deleted = await ctl.waitForNotify(eid, (n) => n.subscription_id === 'pm-gone', 10_000);
  expect(deleted.notify.obj_deletion).toEqual({ obj_path: 'Device.NAT.PortMapping.1.' });
});
