// The fleet's agents against the fake USP Controller (src/controller/), the way a
// Controller developer uses them: over its embedded broker (3.1.1) and its WebSocket server.
import { afterEach, expect, it } from 'vitest';
import { createFakeUspController } from '../../src/controller/index.js';
import { startFleet } from '../../src/fleet/index.js';
import { tr181Profile } from '../support/profile.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});

const profile = tr181Profile('CTL', 2, [{ path: 'Device.ManagementServer.PeriodicInformInterval', value: '300', type: 'xsd:unsignedInt', writable: true }]);

it('MQTT: the Controller Gets and Sets a CPE of a dual-stack fleet, and an ACS GetParameterValues sees the USP Set', async () => {
  const ctl = await createFakeUspController();
  open.push(ctl);
  const fleet = await startFleet({ profile, timeScale: 0.001, usp: { broker: ctl.brokerUrl!, controllerId: ctl.endpointId } });
  open.push(fleet);
  const eid = fleet.uspAgent(2).endpointId;
  const got = await ctl.get(eid, 'Device.DeviceInfo.SerialNumber');
  expect(got.req_path_results[0]?.resolved_path_results[0]?.result_params).toEqual({ SerialNumber: 'CTL-2' });
  await ctl.set(eid, [{ obj_path: 'Device.ManagementServer.', param_settings: [{ param: 'PeriodicInformInterval', value: '600', required: true }] }]);
  // The ACS reads what the Controller wrote: one tree under both protocols.
  const gpv = fleet.acs!.rpc('cpe-2', { name: 'GetParameterValues', parameterNames: ['Device.ManagementServer.PeriodicInformInterval'] }, { timeoutMs: 5000 });
  void fleet.cpe(2).inform(['6 CONNECTION REQUEST']);
  const answer = await gpv;
  expect(answer.name === 'GetParameterValuesResponse' && answer.parameterList[0]?.value).toBe('600');
});

it('WebSocket: a USP-only fleet dials the Controller\'s server and answers there', async () => {
  const ctl = await createFakeUspController({ mqtt: false, websocket: true });
  open.push(ctl);
  const fleet = await startFleet({ profile, timeScale: 0.001, cwmp: false, usp: { websocket: ctl.websocketUrl!, controllerId: ctl.endpointId } });
  open.push(fleet);
  const eid = fleet.uspAgent(1).endpointId;
  const got = await ctl.get(eid, 'Device.LocalAgent.EndpointID');
  expect(got.req_path_results[0]?.resolved_path_results[0]?.result_params).toEqual({ EndpointID: eid });
});

it('the fleet wires the notification service: a persistent Boot! subscription reports a power cycle, a ValueChange subscription a CWMP write', async () => {
  const ctl = await createFakeUspController();
  open.push(ctl);
  const fleet = await startFleet({ profile, timeScale: 0.001, usp: { broker: ctl.brokerUrl!, controllerId: ctl.endpointId } });
  open.push(fleet);
  const cpe = fleet.cpe(1);
  const eid = fleet.uspAgent(1).endpointId;
  await ctl.subscribe(eid, { id: 'boot', notifType: 'Event', referenceList: 'Device.Boot!', persistent: true, notifRetry: true });
  await ctl.subscribe(eid, { id: 'pi', notifType: 'ValueChange', referenceList: 'Device.ManagementServer.PeriodicInformInterval' });
  // A CWMP write is seen by the USP subscription (one tree, one change stream).
  cpe.params.setValues([{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '900' }], 'acs');
  const vc = await ctl.waitForNotify(eid, (n) => n.subscription_id === 'pi');
  expect(vc.notify.value_change).toMatchObject({ param_path: 'Device.ManagementServer.PeriodicInformInterval', param_value: '900' });
  cpe.powerOff();
  await cpe.powerOn();
  const boot = await ctl.waitForNotify(eid, (n) => n.event?.event_name === 'Boot!');
  expect(boot.notify.event?.params).toMatchObject({ Cause: 'LocalReboot' });
  expect(boot.notify.subscription_id).toBe('boot');
});
