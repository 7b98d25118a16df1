import { describe, expect, it } from 'vitest';
import { decodeMsg, encodeMsg, handleRequest } from '../../src/usp/index.js';
import type { UspInput, UspMsg, UspRequest } from '../../src/usp/index.js';
import { CTL, CTL2, FakeDevice, flush, rig, type Rig } from './notify-fixture.js';

const LA = 'Device.LocalAgent.';
const REBOOT = { cause: 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: false } as const;

/** One request through the dispatcher (with the rig's hooks), as the agent would answer it. */
async function send(r: Rig, request: UspInput<UspRequest>, controllerId = CTL): Promise<UspMsg> {
  const reply = await handleRequest(
    { tree: r.tree, template: r.template, controllerId, operate: r.usp.operate, beforeCommit: r.usp.beforeCommit },
    decodeMsg(encodeMsg({ header: { msg_id: 'm1' }, body: { request } })),
  );
  if (!reply) throw new Error('no reply');
  return decodeMsg(encodeMsg(reply));
}

const count = (r: Rig, table: string): string | undefined => r.tree.getValue(`${LA}${table}NumberOfEntries`);

describe('Device.LocalAgent.UpTime (TR-181 2.19)', () => {
  it('counts seconds since the box booted, restarts at each boot (reboot, power cycle), not at a link return', () => {
    const r = rig();
    r.clock.advance(90_500);
    expect(r.tree.getValue(`${LA}UpTime`)).toBe('90');
    r.device.emit({ kind: 'down', why: 'power' });
    r.clock.advance(30_000);
    r.device.emit({ kind: 'up', why: 'power', boot: REBOOT });
    r.clock.advance(5_000);
    expect(r.tree.getValue(`${LA}UpTime`)).toBe('5');
    r.device.emit({ kind: 'down', why: 'link' });
    r.clock.advance(10_000);
    r.device.emit({ kind: 'up', why: 'link' });
    expect(r.tree.getValue(`${LA}UpTime`)).toBe('15');
    // A factory reset rebuilds the tree; the agent still computes UpTime from its boot.
    r.tree.reset();
    r.device.emit({ kind: 'up', why: 'factoryReset', boot: { ...REBOOT, cause: 'LocalFactoryReset' } });
    r.clock.advance(2_000);
    expect(r.tree.getValue(`${LA}UpTime`)).toBe('2');
  });

  it('reads over USP Get, and stops when the agent closes', async () => {
    const r = rig();
    r.clock.advance(42_000);
    const got = (await send(r, { get: { param_paths: [`${LA}UpTime`] } })).body.response!.get_resp!.req_path_results[0]!;
    expect(got.resolved_path_results[0]?.result_params).toEqual({ UpTime: '42' });
    r.usp.close();
    expect(r.tree.getValue(`${LA}UpTime`)).toBe('0');
  });
});

describe('LocalAgent *NumberOfEntries (kept true by the tree, whoever adds or deletes rows)', () => {
  it('Subscription: USP Add and Delete', async () => {
    const r = rig();
    expect(count(r, 'Subscription')).toBe('0');
    const add = (await send(r, { add: { allow_partial: false, create_objs: [{ obj_path: `${LA}Subscription.`, param_settings: [{ param: 'ID', value: 's1', required: true }, { param: 'NotifType', value: 'ValueChange', required: true }] }] } })).body.response!.add_resp!;
    const path = add.created_obj_results[0]!.oper_status.oper_success!.instantiated_path;
    expect(count(r, 'Subscription')).toBe('1');
    const got = (await send(r, { get: { param_paths: [`${LA}SubscriptionNumberOfEntries`] } })).body.response!.get_resp!.req_path_results[0]!;
    expect(got.resolved_path_results[0]?.result_params).toEqual({ SubscriptionNumberOfEntries: '1' });
    await send(r, { delete: { allow_partial: false, obj_paths: [path] } });
    expect(count(r, 'Subscription')).toBe('0');
  });

  it('Controller, Controller.{i}.MTP and BootParameter: CWMP AddObject / DeleteObject (origin acs)', () => {
    const r = rig();
    // The rig's tree has the mounted Controller 1 and one it added.
    expect(count(r, 'Controller')).toBe('2');
    const bp = `${LA}Controller.1.BootParameter.`;
    const n = r.tree.addObject(bp, 'acs');
    expect(r.tree.getValue(`${LA}Controller.1.BootParameterNumberOfEntries`)).toBe('1');
    r.tree.deleteObject(`${bp}${n}.`, 'acs');
    expect(r.tree.getValue(`${LA}Controller.1.BootParameterNumberOfEntries`)).toBe('0');
    r.tree.deleteObject(`${LA}Controller.2.`, 'acs');
    expect(count(r, 'Controller')).toBe('1');
  });

  it('Request: rows the agent itself makes for an async command, gone when it ends', async () => {
    const device = new FakeDevice();
    let finish: (() => void) | undefined;
    device.diagnosticsList = [{ name: 'IPPing', objectPath: 'Device.IP.Diagnostics.' }];
    device.diagnosticRun = () => new Promise((resolve) => (finish = () => resolve({ state: 'Complete', results: {} })));
    const r = rig({ device });
    expect(count(r, 'Request')).toBe('0');
    await r.usp.operate({ command: 'Device.IP.Diagnostics.IPPing()', command_key: 'k', send_resp: true, input_args: { Host: '127.0.0.1' } }, CTL);
    for (let i = 0; i < 50 && finish === undefined; i++) await flush();
    expect(count(r, 'Request')).toBe('1');
    finish?.();
    for (let i = 0; i < 50 && count(r, 'Request') !== '0'; i++) await flush();
    expect(count(r, 'Request')).toBe('0');
  });

  it('a ValueChange subscription on a counter fires when a row comes', async () => {
    const r = rig();
    r.subscribe({ id: 'cnt', notifType: 'ValueChange', ref: `${LA}RequestNumberOfEntries` });
    r.tree.addObject(`${LA}Request.`, 'internal');
    await flush();
    expect(r.notifier.of('value_change').map((s) => s.notify.value_change)).toEqual([{ param_path: `${LA}RequestNumberOfEntries`, param_value: '1' }]);
  });
});

describe('OnBoardingComplete (usp-notes §7.3, TR-181 2.17)', () => {
  it('a Controller that writes OnBoardingComplete=true is not sent OnBoardRequest at the next start; SendOnBoardRequest() makes it false again', async () => {
    const r = rig();
    r.tree.setInternal(`${LA}Controller.1.OnBoardingComplete`, 'false');
    r.usp.onAgentStart(REBOOT);
    expect(r.notifier.of('on_board_req').map((s) => s.controllerId)).toEqual([CTL]);
    const set = (await send(r, { set: { allow_partial: false, update_objs: [{ obj_path: `${LA}Controller.1.`, param_settings: [{ param: 'OnBoardingComplete', value: 'true', required: true }] }] } })).body.response!.set_resp!;
    expect(set.updated_obj_results[0]?.oper_status.oper_success?.updated_inst_results[0]?.updated_params).toEqual({ OnBoardingComplete: 'true' });
    r.notifier.sent.length = 0;
    r.usp.onAgentStart(REBOOT);
    expect(r.notifier.of('on_board_req')).toEqual([]);
    await r.usp.operate({ command: `${LA}Controller.1.SendOnBoardRequest()`, command_key: '', send_resp: true, input_args: {} }, CTL);
    expect(r.tree.getValue(`${LA}Controller.1.OnBoardingComplete`)).toBe('false');
    r.notifier.sent.length = 0;
    r.usp.onAgentStart(REBOOT);
    expect(r.notifier.of('on_board_req').map((s) => [s.controllerId, s.notify.subscription_id, s.notify.send_resp])).toEqual([[CTL, '', true]]);
  });

  it('the cpe-labs option sends it at every start to every enabled Controller, subscription_id "onboard", send_resp false', () => {
    const r = rig({ onBoardEveryStart: true });
    r.usp.onAgentStart(REBOOT);
    r.usp.onAgentStart(REBOOT);
    expect(r.notifier.of('on_board_req').map((s) => [s.controllerId, s.notify.subscription_id, s.notify.send_resp])).toEqual([
      [CTL, 'onboard', false],
      [CTL2, 'onboard', false],
      [CTL, 'onboard', false],
      [CTL2, 'onboard', false],
    ]);
  });
});

describe('Controller rows added at run time (usp-notes §6.4)', () => {
  it('get empty MTP and BootParameter tables (USP Add, CWMP AddObject), whose rows take sub-object settings such as MQTT.Topic', async () => {
    const r = rig();
    // The rig added Controller 2 with tree.addObject, as a CWMP AddObject does.
    expect(r.tree.getNames(`${LA}Controller.2.`, true).map((n) => n.name)).toEqual(expect.arrayContaining([`${LA}Controller.2.MTP.`, `${LA}Controller.2.BootParameter.`]));
    const add = (await send(r, { add: { allow_partial: false, create_objs: [{ obj_path: `${LA}Controller.`, param_settings: [{ param: 'EndpointID', value: 'self::ctl3', required: true }] }] } })).body.response!.add_resp!;
    const row = add.created_obj_results[0]!.oper_status.oper_success!.instantiated_path;
    const mtp = (await send(r, { add: { allow_partial: false, create_objs: [{ obj_path: `${row}MTP.`, param_settings: [{ param: 'Protocol', value: 'MQTT', required: true }, { param: 'MQTT.Topic', value: 'ctl3/in', required: true }] }] } })).body.response!.add_resp!;
    expect(mtp.created_obj_results[0]?.oper_status.oper_success?.instantiated_path).toBe(`${row}MTP.1.`);
    expect(r.tree.getValue(`${row}MTP.1.MQTT.Topic`)).toBe('ctl3/in');
    expect(r.tree.getValue(`${row}MTPNumberOfEntries`)).toBe('1');
    const bad = (await send(r, { add: { allow_partial: true, create_objs: [{ obj_path: `${row}MTP.`, param_settings: [{ param: 'MQTT.Nope', value: 'x', required: true }] }] } })).body.response!.add_resp!;
    expect(bad.created_obj_results[0]?.oper_status.oper_failure?.err_code).toBe(7010);
  });
});
