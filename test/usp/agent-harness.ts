/**
 * Test harness for the agent and its MTPs: one agent over a real tree, and a raw
 * Controller (mqtt.js + the codec, nothing of the agent's code) that records what it
 * receives and sends Records by hand.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { createClock, Scheduler } from '../../src/clock/index.js';
import { createParameterTree, Template, type ParameterTree } from '../../src/datamodel/index.js';
import { profileFromObject } from '../../src/profile/index.js';
import {
  decodeMsg,
  decodeRecord,
  encodeRecord,
  endpointIdOf,
  handleRequest,
  UspAgent,
  withUspObjects,
  wrapMsg,
  type UspAgentOptions,
  type UspInput,
  type UspMsg,
  type UspProvisioning,
  type UspRecord,
} from '../../src/usp/index.js';
import { tr181Profile } from '../support/profile.js';

export const CTL = 'self::ctl';

/** An aedes broker (MQTT 3.1.1) on a free loopback port. */
export async function startAedes(port = 0, opts: { refuseSubscriptions?: boolean } = {}): Promise<{ port: number; close(): Promise<void> }> {
  // `cb(null, null)` answers the SUBSCRIBE with a failure (0x80) for that filter (usp-notes §9.1).
  const broker = await Aedes.createBroker(opts.refuseSubscriptions ? { authorizeSubscribe: (_c, _s, cb) => cb(null, null) } : {});
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    broker.handle(s);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      await new Promise<void>((r) => broker.close(() => r()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface AgentFixture {
  agent: UspAgent;
  tree: ParameterTree;
  eid: string;
  scheduler: Scheduler;
}

/** One agent on a fresh tree (1000× compressed time: a 5 s back-off passes in 5 ms). */
export function makeAgent(p: { mqtt?: Partial<NonNullable<UspProvisioning['mqtt']>>; websocket?: UspProvisioning['websocket'] } & Partial<Omit<UspAgentOptions, 'provisioning' | 'mqtt'>>): AgentFixture {
  const profile = withUspObjects(profileFromObject(tr181Profile('USPT', 1, []), '<test>'), { mqtt: p.mqtt !== undefined, websocket: p.websocket !== undefined });
  const template = Template.compile(profile);
  const tree = createParameterTree(template, { index: 1, id: 'cpe-1' });
  const eid = endpointIdOf(tree, profile);
  const scheduler = p.scheduler ?? new Scheduler(createClock({ timeScale: 0.001 }));
  const provisioning: UspProvisioning = { endpointId: eid, controllerId: CTL };
  if (p.mqtt) {
    provisioning.mqtt = {
      host: '127.0.0.1',
      port: 1883,
      protocolVersion: '5.0',
      clientId: eid,
      username: '',
      password: '',
      agentTopic: `usp/v1/agent/${eid}`,
      controllerTopic: `usp/v1/controller/${eid}`,
      ...p.mqtt,
    };
  }
  if (p.websocket) provisioning.websocket = p.websocket;
  const { mqtt: _m, websocket: _w, ...rest } = p;
  const agent = new UspAgent({ tree, template, endpointId: eid, scheduler, provisioning, random: () => 0.5, handle: handleRequest, ...rest });
  return { agent, tree, eid, scheduler };
}

/** A Record a raw Controller received. */
export interface Received {
  topic: string;
  record: UspRecord;
  msg?: UspMsg;
  props?: IPublishPacket['properties'];
}

/** A raw MQTT Controller: mqtt.js and the codec only. */
export class RawController {
  readonly inbox: Received[] = [];
  private waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const record = decodeRecord(new Uint8Array(payload));
      const r: Received = { topic, record };
      if (record.no_session_context) r.msg = decodeMsg(record.no_session_context.payload);
      if (packet.properties) r.props = packet.properties;
      this.inbox.push(r);
      for (const w of [...this.waiters]) {
        if (w.pred(r)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
    });
  }

  static async connect(port: number, version: 4 | 5, subscribe = 'usp/v1/controller/#', auth: { username?: string; password?: string } = {}): Promise<RawController> {
    const client = await mqtt.connectAsync({ host: '127.0.0.1', port, protocolVersion: version, clientId: `ctl-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 0, ...auth });
    await client.subscribeAsync(subscribe, { qos: 1 });
    return new RawController(client);
  }

  /** The first received Record (already or later) matching `pred`. */
  next(pred: (r: Received) => boolean, ms = 5000): Promise<Received> {
    const had = this.inbox.find(pred);
    if (had) return Promise.resolve(had);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`no matching record within ${ms} ms; received: ${JSON.stringify(this.inbox.map((x) => [x.topic, x.record.record_type, x.msg?.header.msg_id]))}`));
        }
      }, ms);
    });
  }

  /** Publishes raw bytes to `topic` (3.1.1: put the reply-to in the topic; 5.0: `responseTopic`). */
  async publish(topic: string, bytes: Uint8Array, responseTopic?: string): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(bytes), { qos: 1, ...(responseTopic !== undefined ? { properties: { responseTopic, contentType: 'usp.msg' } } : {}) });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

/** A request Msg as a Record from {@link CTL} to `eid`. */
export function requestRecord(eid: string, msg: UspInput<UspMsg>, from = CTL): Uint8Array {
  return encodeRecord(wrapMsg(msg, from, eid));
}

/** A Get request Msg. */
export function getMsg(id: string, ...paths: string[]): UspInput<UspMsg> {
  return { header: { msg_id: id, msg_type: 'GET' }, body: { msg_body: 'request', request: { req_type: 'get', get: { param_paths: paths } } } };
}
