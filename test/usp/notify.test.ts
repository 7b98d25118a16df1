import { describe, expect, it } from 'vitest';
import { CTL, CTL2, flush, rig } from './notify-fixture.js';

const REBOOT = { cause: 'RemoteReboot', commandKey: 'ck-1', reason: 'maintenance', firmwareUpdated: false } as const;

describe('Boot! (usp-notes §7.2)', () => {
  it('goes once per start to each Controller with an Event subscription covering Device.Boot!, with its ID, NotifRetry and causes', () => {
    const r = rig();
    r.subscribe({ id: 'boot-sub', notifType: 'Event', ref: 'Device.Boot!', retry: true, persistent: true });
    r.subscribe({ id: 'all-events', notifType: 'Event', ref: 'Device.', persistent: true });
    r.usp.onAgentStart(REBOOT);
    const boots = r.notifier.of('event');
    expect(boots).toHaveLength(1);
    expect(boots[0]).toMatchObject({
      controllerId: CTL,
      notify: { subscription_id: 'boot-sub', send_resp: true, event: { obj_path: 'Device.', event_name: 'Boot!', params: { Cause: 'RemoteReboot', CommandKey: 'ck-1', Reason: 'maintenance', FirmwareUpdated: 'false', ParameterMap: '{}' } } },
    });
  });

  it('no covering subscription: no Boot! (spec), unless the cpe-labs option sends one with subscription_id "boot"', () => {
    const spec = rig();
    spec.usp.onAgentStart(REBOOT);
    expect(spec.notifier.of('event')).toEqual([]);
    const compat = rig({ bootWithoutSubscription: true });
    compat.usp.onAgentStart(REBOOT);
    expect(compat.notifier.of('event').map((s) => [s.controllerId, s.notify.subscription_id, s.notify.send_resp])).toEqual([
      [CTL, 'boot', false],
      [CTL2, 'boot', false],
    ]);
  });

  it('ParameterMap holds that Controller\'s enabled BootParameter rows, patterns expanded at boot time', () => {
    const r = rig();
    r.subscribe({ id: 'b', notifType: 'Event', ref: 'Device.Boot!', persistent: true });
    const bp = 'Device.LocalAgent.Controller.1.BootParameter.';
    for (const [name, enable] of [['Device.DeviceInfo.SoftwareVersion', 'true'], ['Device.Hosts.Host.*.HostName', 'true'], ['Device.DeviceInfo.ProductClass', 'false']] as const) {
      const n = r.tree.addObject(bp, 'usp');
      r.tree.setValues([{ name: `${bp}${n}.ParameterName`, value: name }, { name: `${bp}${n}.Enable`, value: enable }], 'usp');
    }
    r.tree.addObject('Device.Hosts.Host.', 'acs');
    r.usp.onAgentStart(REBOOT);
    const map = JSON.parse(r.notifier.of('event')[0]?.notify.event?.params.ParameterMap ?? 'null');
    expect(map).toEqual({ 'Device.DeviceInfo.SoftwareVersion': '1.0.0', 'Device.Hosts.Host.1.HostName': 'host-1', 'Device.Hosts.Host.2.HostName': 'host-2', 'Device.Hosts.Host.3.HostName': 'host-3' });
  });
});

describe('OnBoardRequest (usp-notes §7.3)', () => {
  it('goes with send_resp true and an empty subscription_id to each enabled Controller whose OnBoardingComplete is false', () => {
    const r = rig();
    r.tree.setInternal('Device.LocalAgent.Controller.2.OnBoardingComplete', 'false');
    r.usp.onAgentStart(REBOOT);
    expect(r.notifier.of('on_board_req').map((s) => [s.controllerId, s.notify.subscription_id, s.notify.send_resp, s.notify.on_board_req])).toEqual([
      [CTL2, '', true, { oui: '00D09E', product_class: 'HGW', serial_number: 'LAB-0001', agent_supported_protocol_versions: '1.0,1.1,1.2,1.3' }],
    ]);
  });

  it('Controller.{i}.SendOnBoardRequest() sets OnBoardingComplete false and sends one', async () => {
    const r = rig();
    const resp = await r.usp.operate({ command: 'Device.LocalAgent.Controller.1.SendOnBoardRequest()', command_key: '', send_resp: true, input_args: {} }, CTL);
    expect(resp?.operation_results[0]?.operation_resp).toBe('req_output_args');
    expect(r.tree.getValue('Device.LocalAgent.Controller.1.OnBoardingComplete')).toBe('false');
    expect(r.notifier.of('on_board_req').map((s) => s.controllerId)).toEqual([CTL]);
  });
});

describe('send_resp and retries (usp-notes §5, R-NOT.1–4)', () => {
  it('resends the identical message (same msg_id) after each back-off until a NotifyResp, then stops', async () => {
    const r = rig();
    r.subscribe({ id: 'vc', notifType: 'ValueChange', ref: 'Device.Hosts.Host.1.HostName', retry: true });
    r.notifier.mode = 'fail';
    r.tree.setValues([{ name: 'Device.Hosts.Host.1.HostName', value: 'x' }], 'acs');
    await flush();
    expect(r.notifier.sent).toHaveLength(1);
    r.clock.advance(4_999);
    await flush();
    expect(r.notifier.sent).toHaveLength(1); // the first retry waits at least m = 5 s
    r.clock.advance(5_001);
    await flush();
    expect(r.notifier.sent).toHaveLength(2); // and at most m·k/1000 = 10 s
    r.clock.advance(20_000);
    await flush();
    expect(r.notifier.sent).toHaveLength(3); // second retry: 10–20 s later
    r.notifier.mode = 'ack';
    r.clock.advance(40_000);
    await flush();
    expect(r.notifier.sent).toHaveLength(4);
    expect(new Set(r.notifier.sent.map((s) => s.msgId)).size).toBe(1);
    expect(r.notifier.sent.every((s) => JSON.stringify(s.notify) === JSON.stringify(r.notifier.sent[0]?.notify))).toBe(true);
    expect(r.usp.pendingCount).toBe(0);
    r.clock.advance(10_000_000);
    await flush();
    expect(r.notifier.sent).toHaveLength(4);
  });

  it('NotifExpiration ends the retries; a deleted subscription row drops them; NotifRetry false never retries', async () => {
    const r = rig();
    r.notifier.mode = 'fail';
    r.subscribe({ id: 'exp', notifType: 'ValueChange', ref: 'Device.Hosts.Host.1.HostName', retry: true, expiration: 12 });
    const gone = r.subscribe({ id: 'gone', notifType: 'ValueChange', ref: 'Device.Hosts.Host.2.HostName', retry: true });
    r.subscribe({ id: 'once', notifType: 'ValueChange', ref: 'Device.Hosts.Host.2.HostName' });
    r.tree.setValues([{ name: 'Device.Hosts.Host.1.HostName', value: 'x' }, { name: 'Device.Hosts.Host.2.HostName', value: 'y' }], 'acs');
    await flush();
    r.tree.deleteObject(gone, 'usp');
    r.clock.advance(3_600_000);
    await flush();
    const ids = r.notifier.sent.map((s) => s.notify.subscription_id);
    expect(ids.filter((i) => i === 'gone')).toHaveLength(1);
    expect(ids.filter((i) => i === 'once')).toHaveLength(1);
    // 'exp': the first retry (5–10 s) fits in 12 s, the second (10–20 s later) does not.
    expect(ids.filter((i) => i === 'exp')).toHaveLength(2);
    expect(r.usp.pendingCount).toBe(0);
  });

  it('pending retries die when the device goes down (not when only the link does)', async () => {
    const r = rig();
    r.notifier.mode = 'fail';
    r.subscribe({ id: 'vc', notifType: 'ValueChange', ref: 'Device.Hosts.Host.1.HostName', retry: true, persistent: true });
    r.tree.setValues([{ name: 'Device.Hosts.Host.1.HostName', value: 'x' }], 'acs');
    await flush();
    r.device.emit({ kind: 'down', why: 'link' });
    expect(r.usp.pendingCount).toBe(1);
    r.device.emit({ kind: 'down', why: 'power' });
    expect(r.usp.pendingCount).toBe(0);
  });
});

describe('model events', () => {
  it('event() reaches each Event subscription covering the event, by event path or owning object', () => {
    const r = rig();
    r.subscribe({ id: 'tc', notifType: 'Event', ref: 'Device.LocalAgent.TransferComplete!' });
    r.subscribe({ id: 'la', notifType: 'Event', ref: 'Device.LocalAgent.', controller: CTL2 });
    r.subscribe({ id: 'boot', notifType: 'Event', ref: 'Device.Boot!' });
    r.usp.event('Device.LocalAgent.', 'TransferComplete!', { FaultCode: '0' });
    expect(r.notifier.of('event').map((s) => [s.controllerId, s.notify.subscription_id, s.notify.event?.event_name])).toEqual([
      [CTL, 'tc', 'TransferComplete!'],
      [CTL2, 'la', 'TransferComplete!'],
    ]);
  });
});
