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
