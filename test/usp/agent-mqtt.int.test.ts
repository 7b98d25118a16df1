// The agent over real MQTT on 127.0.0.1: aedes (3.1.1 only) for the fallback, the
// reply-to-in-topic convention and the receive pipeline; a raw Controller (mqtt.js +
// the codec) on the other side. MQTT 5.0 runs against Mosquitto in agent-mqtt5.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMsg, encodeRecord, isUspDeliveryError, replyToOf, replyToSuffix, type UspDeliveryError } from '../../src/usp/index.js';
import { CTL, getMsg, makeAgent, RawController, requestRecord, startAedes, type AgentFixture } from './agent-harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function setup(notifyTimeoutMs?: number): Promise<{ fx: AgentFixture; ctl: RawController; port: number; agentTopic: string }> {
  const broker = await startAedes();
  cleanups.push(() => broker.close());
  const ctl = await RawController.connect(broker.port, 4);
  cleanups.push(() => ctl.close());
  const fx = makeAgent({ mqtt: { port: broker.port }, ...(notifyTimeoutMs !== undefined ? { notifyTimeoutMs } : {}) });
  cleanups.push(() => fx.agent.close());
  fx.agent.start();
  await ctl.next((r) => r.record.record_type === 'mqtt_connect');
  return { fx, ctl, port: broker.port, agentTopic: `usp/v1/agent/${fx.eid}` };
}

describe('reply-to in the topic (R-MQTT.24/.25)', () => {
  it('escapes only "/" and reads back %2F and the seed\'s %3A', () => {
    expect(replyToSuffix('usp/v1/agent/os::00256D-SN1')).toBe('/reply-to=usp%2Fv1%2Fagent%2Fos::00256D-SN1');
    expect(replyToOf('usp/v1/agent/x/reply-to=usp%2Fv1%2Fcontroller%2Fself::ctl')).toBe('usp/v1/controller/self::ctl');
    expect(replyToOf('usp/v1/agent/x/reply-to=usp%2Fv1%2Fcontroller%2Fself%3A%3Actl')).toBe('usp/v1/controller/self::ctl');
    expect(replyToOf('usp/v1/agent/x')).toBeUndefined();
  });
});

describe('MQTT 3.1.1 against aedes', () => {
  it('falls back from 5.0 to 3.1.1, subscribes, and sends mqtt_connect first with its reply-to', async () => {
    const { fx, ctl, agentTopic } = await setup();
    const first = ctl.inbox[0]!;
    expect(first.record.record_type).toBe('mqtt_connect');
    expect(first.record).toMatchObject({ to_id: CTL, from_id: fx.eid, mqtt_connect: { version: 'V3_1_1', subscribed_topic: agentTopic } });
    // 3.1.1: Controller topic + '/reply-to=' + the agent topic with '/' escaped.
    expect(first.topic).toBe(`usp/v1/controller/${fx.eid}${replyToSuffix(agentTopic)}`);
    expect(fx.tree.getValue('Device.MQTT.Client.1.Status')).toBe('Connected');
    expect(fx.tree.getValue('Device.MQTT.Client.1.ProtocolVersion')).toBe('3.1.1');
    expect(fx.tree.getValue('Device.LocalAgent.MTP.1.Status')).toBe('Up');
    expect(fx.tree.getValue('Device.MQTT.Client.1.Subscription.1.Status')).toBe('Subscribed');
    expect(fx.agent.controllers()).toEqual([CTL]);
  });

  it('answers a Get on the reply-to the request named (seed-escaped %3A accepted), same msg_id', async () => {
    const { fx, ctl, agentTopic } = await setup();
    const reply = 'usp/v1/controller/self::ctl/answers';
    await ctl.publish(`${agentTopic}/reply-to=${encodeURIComponent(reply)}`, requestRecord(fx.eid, getMsg('g-1', 'Device.DeviceInfo.SerialNumber')));
    const answer = await ctl.next((r) => r.msg?.header.msg_id === 'g-1');
    expect(answer.topic.startsWith(`${reply}/reply-to=`)).toBe(true);
    expect(answer.record).toMatchObject({ to_id: CTL, from_id: fx.eid, record_type: 'no_session_context' });
    expect(answer.msg?.body.response?.get_resp?.req_path_results[0]).toMatchObject({
      requested_path: 'Device.DeviceInfo.SerialNumber',
      resolved_path_results: [{ resolved_path: 'Device.DeviceInfo.', result_params: { SerialNumber: 'USPT-1' } }],
    });
  });

  it('drops a Record for another endpoint, garbage, and a 3.1.1 request without reply-to; answers none of them', async () => {
    const { fx, ctl, agentTopic } = await setup();
    const reply = `/reply-to=${'usp/v1/controller/self::ctl'.replaceAll('/', '%2F')}`;
    await ctl.publish(agentTopic + reply, requestRecord('os::000000-OTHER', getMsg('other', 'Device.')));
    await ctl.publish(agentTopic + reply, new Uint8Array([0xff, 0xff, 0xff]));
    await ctl.publish(agentTopic, requestRecord(fx.eid, getMsg('no-reply', 'Device.DeviceInfo.SerialNumber')));
    // A later valid request is answered, so the ones before it were seen and dropped.
    await ctl.publish(agentTopic + reply, requestRecord(fx.eid, getMsg('after', 'Device.DeviceInfo.SerialNumber')));
    await ctl.next((r) => r.msg?.header.msg_id === 'after');
    expect(ctl.inbox.map((r) => r.msg?.header.msg_id).filter(Boolean)).toEqual(['after']);
    expect(fx.agent.stats.dropped).toBeGreaterThanOrEqual(2);
  });

  it('answers session_context with a disconnect 7106 (R-E2E.6a), and an undecodable Msg with an Error on its msg_id (R-MTP.5)', async () => {
    const { fx, ctl, agentTopic } = await setup();
    const reply = `/reply-to=${'usp/v1/controller/self::ctl'.replaceAll('/', '%2F')}`;
    const sc = encodeRecord({ version: '1.3', to_id: fx.eid, from_id: CTL, record_type: 'session_context', session_context: { session_id: '1', sequence_id: '1', expected_id: '1', payload: [new Uint8Array([1])] } });
    await ctl.publish(agentTopic + reply, sc);
    const disc = await ctl.next((r) => r.record.record_type === 'disconnect');
    expect(disc.record.disconnect).toMatchObject({ reason_code: 7106 });
    // A Msg with a readable header but a body that is not protobuf.
    const good = encodeMsg({ header: { msg_id: 'bad-1', msg_type: 'GET' } });
    const broken = new Uint8Array([...good, 0x12, 0x03, 0x0a, 0xff, 0xff]);
    await ctl.publish(agentTopic + reply, encodeRecord({ version: '1.3', to_id: fx.eid, from_id: CTL, record_type: 'no_session_context', no_session_context: { payload: broken } }));
    const err = await ctl.next((r) => r.msg?.header.msg_id === 'bad-1');
    expect(err.msg?.body.msg_body).toBe('error');
    expect(err.msg?.body.error?.err_code).toBeGreaterThanOrEqual(7000);
  });

  it('sendNotify with send_resp resolves on the NotifyResp matched by msg_id, and rejects on timeout', async () => {
    // 1000 s simulated = 1 s real: room for the round trip on a busy machine, and a timeout the test can wait out.
    const { fx, ctl } = await setup(1_000_000);
    const ctlTopic = `usp/v1/agent/${fx.eid}/reply-to=${'usp/v1/controller/self::ctl'.replaceAll('/', '%2F')}`;
    const sent = fx.agent.sendNotify(CTL, { subscription_id: 's1', send_resp: true, event: { obj_path: 'Device.', event_name: 'Boot!', params: { Cause: 'LocalReboot' } } }, { msgId: 'n-1' });
    const notify = await ctl.next((r) => r.msg?.header.msg_id === 'n-1');
    expect(notify.msg?.body.request?.notify).toMatchObject({ subscription_id: 's1', send_resp: true, event: { event_name: 'Boot!' } });
    // An answer from another endpoint does not settle it; the right one does.
    const resp = (from: string): Uint8Array =>
      requestRecord(fx.eid, { header: { msg_id: 'n-1', msg_type: 'NOTIFY_RESP' }, body: { msg_body: 'response', response: { resp_type: 'notify_resp', notify_resp: { subscription_id: 'ignored' } } } }, from);
    await ctl.publish(ctlTopic, resp('self::intruder'));
    await ctl.publish(ctlTopic, resp(CTL));
    await expect(sent).resolves.toBeUndefined();
    // Nobody answers this one: 30 s of simulated time later it fails with 'timeout'.
    const lost = fx.agent.sendNotify(CTL, { subscription_id: 's1', send_resp: true, value_change: { param_path: 'Device.X', param_value: '1' } });
    const e = (await lost.catch((x: unknown) => x)) as UspDeliveryError;
    expect(isUspDeliveryError(e) && e.reason).toBe('timeout');
  });

  it('cut() drops the MTP silently and fails pending Notifies; restart reconnects and announces again; close() says goodbye', async () => {
    const { fx, ctl } = await setup(1_000_000);
    const pending = fx.agent.sendNotify(CTL, { subscription_id: 's', send_resp: true, value_change: { param_path: 'Device.X', param_value: '1' } }, { msgId: 'p-1' });
    await ctl.next((r) => r.msg?.header.msg_id === 'p-1');
    fx.agent.cut();
    const e = (await pending.catch((x: unknown) => x)) as UspDeliveryError;
    expect(e.reason).toBe('mtp-lost');
    expect(fx.tree.getValue('Device.LocalAgent.MTP.1.Status')).toBe('Down');
    await expect(fx.agent.sendNotify(CTL, { subscription_id: 's', value_change: { param_path: 'Device.X', param_value: '2' } })).rejects.toMatchObject({ reason: 'mtp-down' });
    const before = ctl.inbox.length;
    const started = new Promise<boolean>((resolve) => fx.agent.onMtpUp((ev) => resolve(ev.started)));
    fx.agent.restart({ rebooted: true });
    expect(await started).toBe(true);
    // No Disconnect record for a cut; a new mqtt_connect after the reconnect.
    await expect.poll(() => ctl.inbox.slice(before).map((r) => r.record.record_type)).toEqual(['mqtt_connect']);
    await fx.agent.close();
    const bye = await ctl.next((r) => r.record.record_type === 'disconnect');
    expect(bye.record.from_id).toBe(fx.eid);
  });

  it('never publishes when no subscription is granted (R-MQTT.17): the MTP stays down, says why, and retries', async () => {
    const broker = await startAedes(0, { refuseSubscriptions: true });
    cleanups.push(() => broker.close());
    const fx = makeAgent({ mqtt: { port: broker.port } });
    cleanups.push(() => fx.agent.close());
    const statuses = new Set<string>();
    fx.tree.onChange((c) => {
      if (c.path === 'Device.MQTT.Client.1.Status') statuses.add(c.newValue);
    });
    fx.agent.start();
    await expect.poll(() => fx.tree.getValue('Device.MQTT.Client.1.Subscription.1.Status')).toBe('Error');
    // Compressed time: several refused rounds pass; none gets the MTP up or sends a Record.
    await expect.poll(() => statuses.has('Error_Misconfigured')).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(statuses.has('Connected')).toBe(false);
    expect(fx.agent.online).toBe(false);
    expect(fx.agent.stats.recordsOut).toBe(0);
    await expect(fx.agent.sendNotify(CTL, { subscription_id: 's', value_change: { param_path: 'Device.X', param_value: '1' } })).rejects.toMatchObject({ reason: 'mtp-down' });
  });

  it('reconnects with the back-off after the broker goes away and comes back on the same port', async () => {
    const broker = await startAedes();
    const port = broker.port;
    const fx = makeAgent({ mqtt: { port } });
    cleanups.push(() => fx.agent.close());
    const ups: boolean[] = [];
    fx.agent.onMtpUp((e) => ups.push(e.started));
    fx.agent.start();
    await expect.poll(() => ups).toEqual([true]);
    await broker.close();
    await expect.poll(() => fx.tree.getValue('Device.LocalAgent.MTP.1.Status')).toBe('Down');
    const again = await startAedes(port);
    cleanups.push(() => again.close());
    const ctl = await RawController.connect(port, 4);
    cleanups.push(() => ctl.close());
    await expect.poll(() => ups, { timeout: 10_000 }).toEqual([true, false]);
    await ctl.next((r) => r.record.record_type === 'mqtt_connect');
  });
});
