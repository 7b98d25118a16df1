// The USP matchers on a real FakeUspController fed by a hand-driven MQTT peer: each
// passes, fails with a message carrying the USP transcript, and works under `.not`.
// The fleet-backed runs are in test/controller/e2e.int.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeUspController, type FakeUspController } from '../../src/controller/index.js';
import { cpeSimMatchers } from '../../src/testing/matchers.js';
import { UspError } from '../../src/usp/index.js';
import type {} from '../../src/testing/vitest.js';
import { AGENT, bootNotify, MqttPeer } from '../support/usp-peer.js';
import { failure } from '../support/failure.js';

expect.extend(cpeSimMatchers);


describe('USP matchers', () => {
  let ctl: FakeUspController;
  let peer: MqttPeer;
  beforeAll(async () => {
    ctl = await createFakeUspController();
    peer = await MqttPeer.connect(ctl.brokerUrl!, 4);
    ctl.alias('cpe-1', AGENT);
    await peer.sendMsg(bootNotify('boot-1'));
    await peer.sendMsg({
      header: { msg_id: 'vc-1', msg_type: 'NOTIFY' },
      body: { msg_body: 'request', request: { req_type: 'notify', notify: { subscription_id: 'vc', send_resp: false, notification: 'value_change', value_change: { param_path: 'Device.WiFi.SSID.1.SSID', param_value: 'lab' } } } },
    });
    await ctl.waitForNotify(AGENT, (_n, r) => r.msgId === 'vc-1');
  });
  afterAll(async () => {
    await peer?.close();
    await ctl?.close();
  });

  it('toHaveNotified: by event name (short or full), by kind, by alias or EID, with a partial Notify', async () => {
    await expect(ctl).toHaveNotified('Boot!');
    await expect(ctl).toHaveNotified('Device.Boot!', { agent: 'cpe-1', notify: { subscription_id: 'boot', event: { params: { Cause: 'LocalReboot' } } } });
    await expect(ctl).toHaveNotified('ValueChange', { agent: 1, times: 1 });
    await expect(ctl).not.toHaveNotified('ObjectCreation', { agent: AGENT });
  });

  it('toHaveNotified fails saying what came, with the USP transcript', async () => {
    const msg = await failure(() => expect(ctl).toHaveNotified('Periodic!', { agent: 'cpe-1', timeout: 50 }));
    expect(msg).toContain('Expected: a Notify "Periodic!" from os::012345-SN1 within 50 ms');
    expect(msg).toContain('Received: 0 matching; 2 Notify(s) from os::012345-SN1:');
    expect(msg).toContain('boot-1: ["boot" send_resp] Event Device.Boot! {"Cause":"LocalReboot"}');
    expect(msg).toMatch(/USP transcript \(os::012345-SN1, \d+ record\(s\)[\s\S]*NOTIFY_RESP boot-1/);
    const wrongParams = await failure(() => expect(ctl).toHaveNotified('Boot!', { notify: { event: { params: { Cause: 'RemoteReboot' } } }, timeout: 20 }));
    expect(wrongParams).toContain('matching');
    await expect(expect(ctl).toHaveNotified('Boot' as string)).rejects.toThrow(/neither an event name \(ending in "!"\) nor a notification kind/);
    await expect(expect({}).toHaveNotified('Boot!')).rejects.toThrow(/must be a FakeUspController/);
  });

  it('toHaveValueChange: path, optional value, asymmetric matchers; .not', async () => {
    await expect(ctl).toHaveValueChange('Device.WiFi.SSID.1.SSID');
    await expect(ctl).toHaveValueChange(expect.stringMatching(/SSID\.1\.SSID$/), 'lab', { agent: 'cpe-1' });
    await expect(ctl).not.toHaveValueChange('Device.WiFi.SSID.1.SSID', 'other');
    const msg = await failure(() => expect(ctl).toHaveValueChange('Device.WiFi.SSID.1.SSID', 'other', { timeout: 20 }));
    expect(msg).toContain('ValueChange Device.WiFi.SSID.1.SSID = "lab"');
  });

  it('toBeUspError: the err_code of a rejected request', async () => {
    const get = ctl.get(AGENT, 'Device.Nope.', { timeoutMs: 3000 });
    const n = peer.inbox.length;
    const req = await peer.next(n);
    await peer.sendMsg({ header: { msg_id: req.msg!.header.msg_id, msg_type: 'ERROR' }, body: { msg_body: 'error', error: { err_code: 7026, err_msg: 'invalid path' } } });
    await expect(get).rejects.toBeUspError(7026);
    expect(new UspError(7012, 'x')).toBeUspError();
    expect(new UspError(7012, 'x')).not.toBeUspError(7026);
    const msg = await failure(() => expect(new Error('plain')).toBeUspError(7026));
    expect(msg).toContain('Received: Error: plain');
  });
});
