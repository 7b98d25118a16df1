/**
 * The fake USP Controller against a hand-driven peer: a real mqtt.js client (or a real
 * `ws` client) that speaks the USP wire format with the codec, so each Controller rule
 * is seen on the wire (topics, properties, msg_ids, record types), independent of the
 * simulator's agent (whose end-to-end tests are in ./e2e.int.test.ts).
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeUspController, escapeReplyTo, replyToFromTopic, topicMatches, type FakeUspController } from '../../src/controller/index.js';
import { decodeMsg, decodeRecord, encodeRecord, wrapMsg, type UspRecord } from '../../src/usp/index.js';
import { AGENT, AGENT_TOPIC, bootNotify, getResp, MqttPeer } from '../support/usp-peer.js';
import { mosquittoForSuite, mosquittoMissing, startMosquitto } from '../support/mosquitto.js';

describe('FakeUspController over the embedded aedes broker (MQTT 3.1.1)', () => {
  let ctl: FakeUspController;
  let peer: MqttPeer;
  beforeAll(async () => {
    ctl = await createFakeUspController({ timeoutMs: 3000 });
    peer = await MqttPeer.connect(ctl.brokerUrl!, 4);
  });
  afterAll(async () => {
    await peer?.close();
    await ctl?.close();
  });

  it('starts aedes on a loopback port and speaks 3.1.1 there', () => {
    expect(ctl.brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(ctl.mqttVersion).toBe(4);
    expect(ctl.endpointId).toBe('self::ctl');
    expect(ctl.replyTopic).toBe('usp/v1/controller/self::ctl');
  });

  it('records a Notify, answers send_resp with a NotifyResp of the same msg_id on the reply-to topic', async () => {
    const n = peer.inbox.length;
    await peer.sendMsg(bootNotify('boot-1'));
    const rec = await ctl.waitForNotify(AGENT, (x) => x.event?.event_name === 'Boot!');
    expect(rec.notify.event?.params).toEqual({ Cause: 'LocalReboot' });
    expect(ctl.agents()).toContain(AGENT);
    const got = await peer.next(n);
    // R-MQTT.25: the answer goes to the reply-to of the topic, /reply-to= suffix of ours appended.
    expect(got.topic).toBe(`${AGENT_TOPIC}/reply-to=usp%2Fv1%2Fcontroller%2Fself::ctl`);
    expect(got.record.to_id).toBe(AGENT);
    expect(got.record.from_id).toBe('self::ctl');
    expect(got.msg?.header).toEqual({ msg_id: 'boot-1', msg_type: 'NOTIFY_RESP' });
    expect(got.msg?.body.response?.notify_resp?.subscription_id).toBe('boot');
  });

  it('get() resolves with the decoded GetResp matched by msg_id; an answer with another msg_id is ignored (R-MSG.9)', async () => {
    const n = peer.inbox.length;
    const pending = ctl.get(AGENT, 'Device.DeviceInfo.SoftwareVersion', { maxDepth: 2 });
    const req = await peer.next(n);
    expect(req.msg?.header.msg_type).toBe('GET');
    expect(req.msg?.body.request?.get).toEqual({ param_paths: ['Device.DeviceInfo.SoftwareVersion'], max_depth: 2 });
    const id = req.msg!.header.msg_id;
    await peer.sendMsg(getResp(`${id}-other`, 'wrong'));
    await peer.sendMsg(getResp(id, '1.2.3'));
    const resp = await pending;
    expect(resp.req_path_results[0]?.resolved_path_results[0]?.result_params).toEqual({ SoftwareVersion: '1.2.3' });
  });

  it('an Error Msg rejects with a UspErrorResponse carrying err_code and param_errs', async () => {
    const n = peer.inbox.length;
    const pending = ctl.set(AGENT, { 'Device.WiFi.SSID.1.': { SSID: 'lab', Enable: { value: true, required: false } } });
    const req = await peer.next(n);
    expect(req.msg?.body.request?.set).toEqual({
      allow_partial: false,
      update_objs: [{ obj_path: 'Device.WiFi.SSID.1.', param_settings: [{ param: 'SSID', value: 'lab', required: true }, { param: 'Enable', value: 'true', required: false }] }],
    });
    await peer.sendMsg({ header: { msg_id: req.msg!.header.msg_id, msg_type: 'ERROR' }, body: { msg_body: 'error', error: { err_code: 7004, err_msg: 'nope', param_errs: [{ param_path: 'Device.WiFi.SSID.1.SSID', err_code: 7012, err_msg: 'bad' }] } } });
    await expect(pending).rejects.toMatchObject({ name: 'UspError', errCode: 7004, agentId: AGENT, paramErrs: [{ param_path: 'Device.WiFi.SSID.1.SSID', err_code: 7012 }] });
  });

  it('a request nobody answers rejects with CPESIM_USP_TIMEOUT and shows the transcript', async () => {
    const err = await ctl.getInstances(AGENT, 'Device.IP.Interface.', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CPESIM_USP_TIMEOUT', agentId: AGENT });
    expect((err as Error).message).toMatch(/GET_INSTANCES .* within 300 ms[\s\S]*USP transcript/);
  });

  it('drops a record for another to_id (R-E2E.1) and records why', async () => {
    await peer.sendMsg(bootNotify('lost-1'), 'self::someone-else');
    await peer.sendMsg(bootNotify('seen-1', false));
    await ctl.waitForNotify(AGENT, (_n, r) => r.msgId === 'seen-1');
    expect(ctl.notifies.some((r) => r.msgId === 'lost-1')).toBe(false);
    expect(ctl.transcript(AGENT)).toContain('to_id "self::someone-else" is not self::ctl: dropped');
  });

  it("behave({ notifyResp: 'none' }) withholds the NotifyResp; 'wrong-msg-id' answers with another msg_id", async () => {
    ctl.behave(AGENT, { notifyResp: 'none' });
    let n = peer.inbox.length;
    await peer.sendMsg(bootNotify('retry-1'));
    await ctl.waitForNotify(AGENT, (_x, r) => r.msgId === 'retry-1');
    // MQTT keeps one client's order: had a NotifyResp been sent, it would come before this Get.
    const g = ctl.get(AGENT, 'Device.DeviceInfo.SoftwareVersion', { timeoutMs: 300 }).catch(() => undefined);
    expect((await peer.next(n)).msg?.header.msg_type).toBe('GET');
    await g;
    ctl.behave(AGENT, { notifyResp: 'wrong-msg-id' });
    n = peer.inbox.length;
    await peer.sendMsg(bootNotify('retry-2'));
    const got = await peer.next(n);
    expect(got.msg?.header.msg_type).toBe('NOTIFY_RESP');
    expect(got.msg?.header.msg_id).not.toBe('retry-2');
    ctl.behave(AGENT, null);
  });

  it('behave({ toId, sessionContext }) puts the faults on the wire', async () => {
    ctl.behave('*', { toId: 'os::someone-else', sessionContext: true });
    const n = peer.inbox.length;
    const pending = ctl.getSupportedProtocol(AGENT, { timeoutMs: 300 }).catch((e: unknown) => e);
    const got = await peer.next(n);
    expect(got.record.to_id).toBe('os::someone-else');
    expect(got.record.record_type).toBe('session_context');
    expect(decodeMsg(got.record.session_context!.payload[0]!).body.request?.req_type).toBe('get_supported_protocol');
    await pending;
    ctl.behave('*', null);
  });

  it('a disconnect record rejects what is pending for that agent with its reason code', async () => {
    const n = peer.inbox.length;
    const pending = ctl.delete(AGENT, 'Device.NAT.PortMapping.1.').catch((e: unknown) => e);
    await peer.next(n);
    await peer.publish({ version: '1.3', to_id: 'self::ctl', from_id: AGENT, record_type: 'disconnect', disconnect: { reason: 'session context not allowed', reason_code: 7106 } });
    expect(await pending).toMatchObject({ code: 'CPESIM_USP_DISCONNECTED', reasonCode: 7106 });
  });

  it('operate(…, { sendResp: false }) resolves once sent; subscribe() adds a Subscription row with every param required', async () => {
    let n = peer.inbox.length;
    await expect(ctl.operate(AGENT, 'Device.Reboot()', {}, { sendResp: false, commandKey: 'k1' })).resolves.toBeUndefined();
    expect((await peer.next(n)).msg?.body.request?.operate).toEqual({ command: 'Device.Reboot()', command_key: 'k1', send_resp: false, input_args: {} });
    n = peer.inbox.length;
    const sub = ctl.subscribe(AGENT, { id: 'vc-1', notifType: 'ValueChange', referenceList: ['Device.WiFi.SSID.*.SSID', 'Device.DeviceInfo.'] });
    const req = await peer.next(n);
    const add = req.msg!.body.request!.add!;
    expect(add.create_objs[0]?.obj_path).toBe('Device.LocalAgent.Subscription.');
    expect(add.create_objs[0]?.param_settings).toEqual([
      { param: 'Enable', value: 'true', required: true },
      { param: 'ID', value: 'vc-1', required: true },
      { param: 'NotifType', value: 'ValueChange', required: true },
      { param: 'ReferenceList', value: 'Device.WiFi.SSID.*.SSID,Device.DeviceInfo.', required: true },
      { param: 'NotifRetry', value: 'false', required: true },
      { param: 'Persistent', value: 'false', required: true },
    ]);
    await peer.sendMsg({
      header: { msg_id: req.msg!.header.msg_id, msg_type: 'ADD_RESP' },
      body: { msg_body: 'response', response: { resp_type: 'add_resp', add_resp: { created_obj_results: [{ requested_path: 'Device.LocalAgent.Subscription.', oper_status: { oper_status: 'oper_success', oper_success: { instantiated_path: 'Device.LocalAgent.Subscription.3.' } } }] } } },
    });
    await expect(sub).resolves.toBe('Device.LocalAgent.Subscription.3.');
  });

  it('transcript() shows both directions, decoded, one line per record', () => {
    const t = ctl.transcript(AGENT);
    expect(t).toMatch(/<- os::012345-SN1 {2}mqtt usp\/v1\/controller\/os::012345-SN1\/reply-to=\S+ {2}NOTIFY boot-1: Notify \["boot" send_resp\] Event Device\.Boot! \{"Cause":"LocalReboot"\}/);
    expect(t).toMatch(/-> os::012345-SN1 {2}mqtt \S+ {2}NOTIFY_RESP boot-1: NotifyResp subscription_id="boot"/);
    expect(t).toContain('GET_RESP');
  });

  it('a record on its reply topic (inside its topic filter) is received once, not once per filter', async () => {
    await peer.publish(wrapMsg(bootNotify('once-1', false), AGENT, 'self::ctl'), ctl.replyTopic);
    await peer.sendMsg(bootNotify('once-2', false));
    await ctl.waitForNotify(AGENT, (_n, r) => r.msgId === 'once-2');
    expect(ctl.records.filter((r) => r.msgId === 'once-1')).toHaveLength(1);
  });

  it('bad input is refused naming what was expected', async () => {
    await expect(ctl.get(AGENT, [])).rejects.toThrow(/expected a path or a non-empty list of paths/);
    await expect(ctl.operate(AGENT, 'Device.Reboot')).rejects.toThrow(/ending in "\(\)"/);
  });
});

describe('MQTT topic filters', () => {
  it('match + and # as MQTT does', () => {
    expect(topicMatches('usp/v1/controller/#', 'usp/v1/controller/self::ctl')).toBe(true);
    expect(topicMatches('usp/v1/controller/#', 'usp/v1/controller')).toBe(true);
    expect(topicMatches('usp/+/controller', 'usp/v1/controller')).toBe(true);
    expect(topicMatches('usp/v1/controller', 'usp/v1/controller/x')).toBe(false);
    expect(topicMatches('usp/v1/agent/#', 'usp/v1/controller/x')).toBe(false);
  });
});

describe('reply-to topics (TR-369 R-MQTT.24/.25)', () => {
  it('escapes only "/" and reads back cpe-labs\' over-escaped form', () => {
    expect(escapeReplyTo('usp/v1/agent/os::1-2')).toBe('usp%2Fv1%2Fagent%2Fos::1-2');
    expect(replyToFromTopic('usp/v1/controller/x/reply-to=usp%2Fv1%2Fagent%2Fos%3A%3A1-2')).toBe('usp/v1/agent/os::1-2');
    expect(replyToFromTopic('usp/v1/controller/x')).toBeUndefined();
  });
});

describe.skipIf(mosquittoMissing !== undefined)(`FakeUspController on a real Mosquitto (MQTT 5.0)${mosquittoMissing ? ` (skipped: ${mosquittoMissing})` : ''}`, () => {
  const broker = mosquittoForSuite();
  it('answers on the Response Topic with Content Type usp.msg and sends its own Response Topic', async () => {
    await using ctl = await createFakeUspController({ mqtt: { url: broker().url } });
    expect(ctl.mqttVersion).toBe(5);
    const peer = await MqttPeer.connect(broker().url, 5);
    try {
      await peer.sendMsg(bootNotify('b5'));
      const got = await peer.next(0);
      expect(got.topic).toBe(AGENT_TOPIC);
      expect(got.responseTopic).toBe('usp/v1/controller/self::ctl');
      expect(got.contentType).toBe('usp.msg');
      expect(got.msg?.header.msg_id).toBe('b5');
    } finally {
      await peer.close();
    }
  });

  it('survives its broker going away: it reconnects, resubscribes and hears agents again', async () => {
    const first = await startMosquitto();
    await using ctl = await createFakeUspController({ mqtt: { url: first.url } });
    await first.stop();
    await using second = await startMosquitto({ port: first.port });
    const peer = await MqttPeer.connect(second.url, 5);
    try {
      // Published until the Controller is back (its reconnect period is 500 ms); QoS 1 to a
      // topic nobody subscribes yet is simply dropped by the broker.
      for (let i = 0; ; i++) {
        await peer.sendMsg(bootNotify(`again-${i}`, false));
        const got = await ctl.waitForNotify(AGENT, () => true, { timeoutMs: 250 }).catch(() => undefined);
        if (got) break;
        if (i > 60) throw new Error(`the Controller did not come back; broker log:\n${second.log()}`);
      }
    } finally {
      await peer.close();
    }
  });
});

describe('FakeUspController over WebSocket (TR-369 mtp/websocket)', () => {
  let ctl: FakeUspController;
  beforeAll(async () => {
    ctl = await createFakeUspController({ mqtt: false, websocket: true, timeoutMs: 3000 });
  });
  afterAll(async () => {
    await ctl?.close();
  });

  function dial(protocols: string[] = ['v1.usp']): Promise<WebSocket> {
    const ws = new WebSocket(`${ctl.websocketUrl}?eid=${encodeURIComponent(AGENT)}`, protocols);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }
  const closed = (ws: WebSocket): Promise<number> => new Promise((r) => ws.once('close', (code) => r(code)));

  it('serves on loopback; without the v1.usp subprotocol the socket is closed (R-WS.12)', async () => {
    expect(ctl.brokerUrl).toBeUndefined();
    expect(ctl.websocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/usp$/);
    const ws = await dial(['other']).catch((e: unknown) => e);
    // `ws` itself refuses a server answer without a subprotocol it offered; either way no session.
    if (ws instanceof WebSocket) expect(await closed(ws)).toBe(1002);
    else expect(String(ws)).toMatch(/subprotocol/i);
  });

  it('requests travel on the socket the agent dialled; answers and Notifies come back on it', async () => {
    const ws = await dial();
    const inbox: UspRecord[] = [];
    ws.on('message', (d: Buffer) => inbox.push(decodeRecord(new Uint8Array(d))));
    ws.send(encodeRecord({ version: '1.3', to_id: 'self::ctl', from_id: AGENT, record_type: 'websocket_connect', websocket_connect: {} }));
    await ctl.waitForAgent(AGENT);
    const pending = ctl.get(AGENT, 'Device.DeviceInfo.SoftwareVersion');
    while (inbox.length === 0) await new Promise((r) => setTimeout(r, 10));
    const req = decodeMsg(inbox[0]!.no_session_context!.payload);
    expect(req.body.request?.get?.param_paths).toEqual(['Device.DeviceInfo.SoftwareVersion']);
    ws.send(encodeRecord(wrapMsg(getResp(req.header.msg_id, '9.9'), AGENT, 'self::ctl')));
    expect((await pending).req_path_results[0]?.resolved_path_results[0]?.result_params['SoftwareVersion']).toBe('9.9');
    expect(ctl.records.filter((r) => r.agentId === AGENT).map((r) => r.mtp)).toEqual(['websocket', 'websocket', 'websocket']);
    // R-WS.16: a text frame ends the session.
    const code = closed(ws);
    ws.send('not a record');
    expect(await code).toBe(1003);
    await expect(ctl.get(AGENT, 'Device.', { timeoutMs: 500 })).rejects.toMatchObject({ code: 'CPESIM_USP_NO_ROUTE' });
  });
});
