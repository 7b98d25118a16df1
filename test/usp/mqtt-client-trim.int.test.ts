// What the MQTT MTP drops from a connected mqtt.js client (shedConnackState, issue 21's
// per-agent heap): the mqtt.js internals it relies on are still there on a real connection
// to Mosquitto (this fails when mqtt.js renames or stops building them), the MTP's live
// client no longer holds them, and publishing works without them, also after the broker
// went away and the agent reconnected (a new client, a new CONNACK).
import mqtt, { type IConnackPacket, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { shedConnackState } from '../../src/usp/mqtt.js';
import { mosquittoMissing, startMosquitto } from '../support/mosquitto.js';
import { getMsg, makeAgent, RawController, requestRecord, type AgentFixture } from './agent-harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** The mqtt.js internals shedConnackState drops (private in mqtt.js's types). */
interface Internals {
  topicAliasSend: unknown;
  connackTimer: unknown;
}

function internalsOf(client: MqttClient): Internals {
  return client as unknown as Internals;
}

/** The live mqtt.js client of the agent's MQTT MTP. */
function liveClient(fx: AgentFixture): MqttClient {
  const client = (fx.agent.mtps[0] as unknown as { client: MqttClient | undefined }).client;
  if (client === undefined) throw new Error('the MQTT MTP has no client');
  return client;
}

describe.skipIf(mosquittoMissing)('mqtt.js state dropped once connected (Mosquitto)', () => {
  it('mqtt.js builds topicAliasSend from the CONNACK and keeps the cleared connackTimer; after the drop a 5.0 client still publishes', async () => {
    await using broker = await startMosquitto();
    const watcher = await mqtt.connectAsync({ host: '127.0.0.1', port: broker.port, protocolVersion: 5, reconnectPeriod: 0 });
    cleanups.push(() => watcher.endAsync(true));
    await watcher.subscribeAsync('trim/#', { qos: 1 });
    const got: string[] = [];
    watcher.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));

    const client = mqtt.connect({ host: '127.0.0.1', port: broker.port, protocolVersion: 5, reconnectPeriod: 0 });
    cleanups.push(() => client.endAsync(true));
    const connack = await new Promise<IConnackPacket>((resolve) => client.once('connect', resolve));
    // Mosquitto's CONNACK offers Topic Alias Maximum 10 (MQTT 5.0 §3.2.2.3.8): mqtt.js 5.16 then holds a TopicAliasSend.
    expect(connack.properties?.topicAliasMaximum).toBeGreaterThan(0);
    expect(internalsOf(client).topicAliasSend).toMatchObject({ getTopicByAlias: expect.any(Function) });
    expect(internalsOf(client).connackTimer).not.toBeNull();

    shedConnackState(client);
    expect(internalsOf(client).topicAliasSend).toBeUndefined();
    expect(internalsOf(client).connackTimer).toBeNull();
    await client.publishAsync('trim/a', 'qos1', { qos: 1, properties: { responseTopic: 'trim/reply', contentType: 'usp.msg' } });
    await client.publishAsync('trim/b', 'qos0', { qos: 0 });
    await expect.poll(() => got.sort()).toEqual(['trim/a qos1', 'trim/b qos0']);
  });

  it.each(['5', '3.1.1'] as const)('the MTP\'s client (MQTT %s) holds neither, and the agent still answers after a reconnect', async (version) => {
    const first = await startMosquitto();
    const port = first.port;
    let broker = first;
    cleanups.push(() => broker.stop());
    const fx = makeAgent({ mqtt: { port }, mqttVersion: version });
    cleanups.push(() => fx.agent.close());
    const ctl = await RawController.connect(port, version === '5' ? 5 : 4);
    fx.agent.start();
    await ctl.next((r) => r.record.record_type === 'mqtt_connect');
    const before = liveClient(fx);
    expect(internalsOf(before).topicAliasSend).toBeUndefined();
    expect(internalsOf(before).connackTimer).toBeNull();

    // The broker goes and comes back on the same port: the MTP reconnects with a new client.
    await ctl.close().catch(() => undefined);
    await broker.stop();
    await expect.poll(() => fx.agent.online).toBe(false);
    broker = await startMosquitto({ port });
    await expect.poll(() => fx.agent.online, { timeout: 15_000 }).toBe(true);
    const ctl2 = await RawController.connect(port, version === '5' ? 5 : 4);
    cleanups.push(() => ctl2.close());
    const after = liveClient(fx);
    expect(after).not.toBe(before);
    expect(internalsOf(after).topicAliasSend).toBeUndefined();
    expect(internalsOf(after).connackTimer).toBeNull();

    const agentTopic = `usp/v1/agent/${fx.eid}`;
    const replyTo = 'usp/v1/controller/self::ctl/trim';
    if (version === '5') await ctl2.publish(agentTopic, requestRecord(fx.eid, getMsg('t-1', 'Device.DeviceInfo.SerialNumber')), replyTo);
    else await ctl2.publish(`${agentTopic}/reply-to=${replyTo.replaceAll('/', '%2F')}`, requestRecord(fx.eid, getMsg('t-1', 'Device.DeviceInfo.SerialNumber')));
    const answer = await ctl2.next((r) => r.msg?.header.msg_id === 't-1');
    expect(answer.topic.startsWith(replyTo)).toBe(true);
    expect(answer.msg?.body.response?.get_resp?.req_path_results[0]?.requested_path).toBe('Device.DeviceInfo.SerialNumber');
  }, 30_000);
});
