/**
 * A USP agent written by hand over mqtt.js and the codec, for tests of the fake
 * Controller and of the USP matchers: it publishes what a test tells it, the way an
 * agent does (own slot under usp/v1/controller/, reply-to per MQTT version), and queues
 * what it receives, decoded.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { decodeMsg, decodeRecord, encodeRecord, wrapMsg, type UspInput, type UspMsg, type UspRecord } from '../../src/usp/index.js';
import { escapeReplyTo } from '../../src/controller/index.js';

export const AGENT = 'os::012345-SN1';
export const AGENT_TOPIC = `usp/v1/agent/${AGENT}`;

/** What the peer received: the topic, its Record, the Msg inside (when there is one), MQTT 5 properties. */
export interface Got {
  topic: string;
  record: UspRecord;
  msg?: UspMsg;
  responseTopic?: string | undefined;
  contentType?: string | undefined;
}

/** A USP agent written by hand over mqtt.js: it sends what a test tells it and queues what it gets. */
export class MqttPeer {
  readonly inbox: Got[] = [];
  private waiters: (() => void)[] = [];
  private constructor(
    readonly client: MqttClient,
    readonly version: 4 | 5,
  ) {}
  static async connect(url: string, version: 4 | 5): Promise<MqttPeer> {
    const client = await mqtt.connectAsync(url, { protocolVersion: version, clientId: AGENT, reconnectPeriod: 0 });
    const peer = new MqttPeer(client, version);
    client.on('message', (topic, payload, packet) => {
      const record = decodeRecord(new Uint8Array(payload));
      const msg = record.no_session_context ? decodeMsg(record.no_session_context.payload) : undefined;
      peer.inbox.push({ topic, record, ...(msg ? { msg } : {}), responseTopic: packet.properties?.responseTopic, contentType: packet.properties?.contentType });
      for (const w of peer.waiters.splice(0)) w();
    });
    // 3.1.1 needs `/#` for the reply-to suffix; it also covers the exact topic (notes §6.1).
    await client.subscribeAsync(`${AGENT_TOPIC}/#`, { qos: 1 });
    return peer;
  }
  /** Publishes a Record the way an agent does: to the Controller's slot, with its reply-to. */
  async publish(rec: UspInput<UspRecord> | UspRecord, topic = `usp/v1/controller/${AGENT}`): Promise<void> {
    const bytes = Buffer.from(encodeRecord(rec));
    if (this.version === 5) await this.client.publishAsync(topic, bytes, { qos: 1, properties: { responseTopic: AGENT_TOPIC, contentType: 'usp.msg' } });
    else await this.client.publishAsync(`${topic}/reply-to=${escapeReplyTo(AGENT_TOPIC)}`, bytes, { qos: 1 });
  }
  async sendMsg(msg: UspInput<UspMsg>, to = 'self::ctl'): Promise<void> {
    await this.publish(wrapMsg(msg, AGENT, to));
  }
  /** The next received record (after `from`). */
  async next(from: number, timeoutMs = 5000): Promise<Got> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length <= from) {
      if (Date.now() > deadline) throw new Error(`peer: nothing received after #${from} within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.inbox[from]!;
  }
  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

export const bootNotify = (msgId: string, sendResp = true): UspInput<UspMsg> => ({
  header: { msg_id: msgId, msg_type: 'NOTIFY' },
  body: { msg_body: 'request', request: { req_type: 'notify', notify: { subscription_id: 'boot', send_resp: sendResp, notification: 'event', event: { obj_path: 'Device.', event_name: 'Boot!', params: { Cause: 'LocalReboot' } } } } },
});

export const getResp = (msgId: string, value: string): UspInput<UspMsg> => ({
  header: { msg_id: msgId, msg_type: 'GET_RESP' },
  body: {
    msg_body: 'response',
    response: { resp_type: 'get_resp', get_resp: { req_path_results: [{ requested_path: 'Device.DeviceInfo.SoftwareVersion', resolved_path_results: [{ resolved_path: 'Device.DeviceInfo.', result_params: { SoftwareVersion: value } }] }] } },
  },
});

