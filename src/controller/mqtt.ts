/**
 * The Controller's MQTT side: an embedded aedes broker on loopback (3.1.1 only, notes
 * §9.1) or the user's broker, and one mqtt.js client that subscribes to the
 * Controller's topics and publishes records to agents (TR-369 MQTT MTP, notes §6.1).
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { ControllerCore, Route } from './core.js';
import type { ControllerMqttVersion } from './types.js';

/** An aedes broker on a loopback port. */
export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts aedes on `host:port` (default 127.0.0.1, a free port). */
export async function startEmbeddedBroker(host = '127.0.0.1', port = 0): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    broker.handle(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as { port: number }).port;
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close() {
      closing ??= (async () => {
        await new Promise<void>((r) => broker.close(() => r()));
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
      })();
      return closing;
    },
  };
}

/**
 * TR-369 R-MQTT.24: in 3.1.1 the reply-to topic travels in the topic name, with `/`
 * written `%2F`. Only `/` is escaped (notes §6.1: escaping `:` too, as cpe-labs does,
 * makes Controllers answer on a topic nobody listens to).
 */
export function escapeReplyTo(topic: string): string {
  return topic.replaceAll('/', '%2F');
}

/** The reply-to carried in a 3.1.1 topic (after the last `/reply-to=`), `%2F` and cpe-labs' `%3A` decoded. */
export function replyToFromTopic(topic: string): string | undefined {
  const i = topic.lastIndexOf('/reply-to=');
  if (i < 0) return undefined;
  const raw = topic.slice(i + '/reply-to='.length);
  if (raw === '') return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw.replace(/%2F/gi, '/').replace(/%3A/gi, ':');
  }
}

/** True when the MQTT topic filter `filter` (with `+` and `#`) matches the topic name `topic`. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export interface ControllerMqttOptions {
  url: string;
  protocolVersion: ControllerMqttVersion;
  clientId: string;
  username?: string;
  password?: string;
  subscribeTopic: string;
  replyTopic: string;
  agentTopic: (agentId: string) => string;
  onError?: (err: Error) => void;
}

/** The Controller's MQTT client. */
export class ControllerMqtt {
  private constructor(
    private readonly client: MqttClient,
    private readonly opts: ControllerMqttOptions,
  ) {}

  /** Connects, subscribes to the Controller's topic filter and its reply topic, and feeds `core`. */
  static async connect(core: ControllerCore, opts: ControllerMqttOptions): Promise<ControllerMqtt> {
    const client = await mqtt.connectAsync(opts.url, {
      protocolVersion: opts.protocolVersion,
      clientId: opts.clientId,
      clean: true,
      // A stale queued request flushed after an outage would be a lie about timing.
      queueQoSZero: false,
      reconnectPeriod: 500,
      connectTimeout: 10_000,
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
    });
    const self = new ControllerMqtt(client, opts);
    // mqtt.js emits 'error' while it reconnects (broker restarted, killed by a test): an
    // unheard EventEmitter error would crash the process; the reconnect loop handles it.
    client.on('error', (err) => opts.onError?.(err));
    client.on('message', (topic, payload, packet) => {
      // 5.0: Response Topic property (R-MQTT.26); 3.1.1: the reply-to in the topic (R-MQTT.25).
      const reply = packet.properties?.responseTopic ?? replyToFromTopic(topic);
      core.receive(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), {
        mtp: 'mqtt',
        topic,
        ...(reply !== undefined ? { route: self.routeTo(reply) } : {}),
        routeTo: (t) => self.routeTo(t),
      });
    });
    // Overlapping filters make the broker deliver a message once per filter (MQTT 3.1.1
    // §3.3.5, 5.0 §3.3.4): the reply topic is subscribed only when the filter misses it.
    const filters = topicMatches(opts.subscribeTopic, opts.replyTopic) ? [opts.subscribeTopic] : [opts.subscribeTopic, opts.replyTopic];
    await client.subscribeAsync(filters, { qos: 1 });
    return self;
  }

  /** A route publishing to `topic`, carrying the Controller's reply-to the way this MQTT version does. */
  routeTo(topic: string): Route {
    const client = this.client;
    const v5 = this.opts.protocolVersion === 5;
    const replyTopic = this.opts.replyTopic;
    // 3.1.1 has no Response Topic: the agent subscribed `<topic>/#` and reads the suffix (R-MQTT.15/.24).
    const publishTopic = v5 ? topic : `${topic}/reply-to=${escapeReplyTo(replyTopic)}`;
    const options: IClientPublishOptions = v5 ? { qos: 1, properties: { responseTopic: replyTopic, contentType: 'usp.msg' } } : { qos: 1 };
    return {
      mtp: 'mqtt',
      topic: publishTopic,
      get open() {
        return true;
      },
      async send(bytes) {
        await client.publishAsync(publishTopic, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
      },
    };
  }

  /** The route to an agent nothing arrived from yet: its default topic. */
  fallback(agentId: string): Route {
    return this.routeTo(this.opts.agentTopic(agentId));
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}
