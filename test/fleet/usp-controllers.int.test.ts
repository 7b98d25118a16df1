// A Controller row added at run time is a whole Controller (usp-notes §6.4, §7.3): it gets
// its MTP and BootParameter sub-tables, and once it has an MQTT MTP the agent sends it its
// Notifies on that row's Topic, to a second Controller on the same broker.
import { expect, it } from 'vitest';
import { createFakeUspController } from '../../src/controller/index.js';
import { startFleet } from '../../src/fleet/index.js';
import { closedAfterEach } from '../support/fleets.js';
import { tr181Profile } from '../support/profile.js';

const keep = closedAfterEach();

it('a Controller added by USP Add gets MTP/BootParameter tables, and an OnBoardRequest reaches it on its MTP row\'s topic', async () => {
  const ctl = keep(await createFakeUspController());
  const ctl2 = keep(await createFakeUspController({ endpointId: 'self::ctl2', mqtt: { url: ctl.brokerUrl!, protocolVersion: 4 }, subscribeTopic: 'usp/v1/ctl2/#', replyTopic: 'usp/v1/ctl2' }));
  const fleet = keep(await startFleet({ profile: tr181Profile('DYN', 1, []), timeScale: 0.001, cwmp: false, usp: { broker: ctl.brokerUrl!, controllerId: ctl.endpointId, mqttVersion: '3.1.1' } }));
  const eid = fleet.uspAgent(1).endpointId;
  const LA = 'Device.LocalAgent.';
  const added = await ctl.add(eid, [{ obj_path: `${LA}Controller.`, param_settings: [{ param: 'EndpointID', value: 'self::ctl2', required: true }, { param: 'Enable', value: 'true', required: true }] }]);
  const row = added.created_obj_results[0]!.oper_status.oper_success!.instantiated_path;
  expect(row).toBe(`${LA}Controller.2.`);
  const mtp = await ctl.add(eid, [{ obj_path: `${row}MTP.`, param_settings: [{ param: 'Protocol', value: 'MQTT', required: true }, { param: 'MQTT.Topic', value: 'usp/v1/ctl2', required: true }] }]);
  expect(mtp.created_obj_results[0]?.oper_status.oper_success?.instantiated_path).toBe(`${row}MTP.1.`);
  const counts = await ctl.getValues(eid, [`${LA}ControllerNumberOfEntries`, `${row}MTPNumberOfEntries`, `${row}BootParameterNumberOfEntries`, `${row}MTP.1.Order`]);
  expect(counts).toEqual({ [`${LA}ControllerNumberOfEntries`]: '2', [`${row}MTPNumberOfEntries`]: '1', [`${row}BootParameterNumberOfEntries`]: '0', [`${row}MTP.1.Order`]: '1' });
  await ctl.operate(eid, `${row}SendOnBoardRequest()`);
  const onboard = await ctl2.waitForNotify(eid, (n) => n.on_board_req !== undefined);
  expect(onboard.notify).toMatchObject({ subscription_id: '', send_resp: true, on_board_req: { serial_number: 'DYN-1' } });
  // The new Controller subscribes for itself (Recipient = its own row) and ends its onboarding.
  const sub = await ctl2.subscribe(eid, { id: 'onboarded', notifType: 'ValueChange', referenceList: `${row}OnBoardingComplete` });
  expect((await ctl.getValues(eid, `${sub}Recipient`))[`${sub}Recipient`]).toBe('Device.LocalAgent.Controller.2');
  await ctl2.set(eid, [{ obj_path: row, param_settings: [{ param: 'OnBoardingComplete', value: 'true', required: true }] }]);
  const vc = await ctl2.waitForNotify(eid, (n) => n.subscription_id === 'onboarded');
  expect(vc.notify.value_change).toEqual({ param_path: `${row}OnBoardingComplete`, param_value: 'true' });
});
