/**
 * The Controller's MQTT side: an embedded aedes broker on loopback (3.1.1 only, notes
 * §9.1) or the user's broker, and one mqtt.js client that subscribes to the
 * Controller's topics and publishes records to agents (TR-369 MQTT MTP, notes §6.1).
 * @module
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { ControllerCore, Route } from './core.js';
import type { ControllerMqttVersion, ControllerTlsServerOptions } from './types.js';

/** An aedes broker on a loopback port. */
export interface EmbeddedBroker {
  /** `mqtt://` (`mqtts://` with TLS) of the TCP listener. */
  readonly url: string;
  readonly port: number;
  /** `ws://…/mqtt` (`wss://` with TLS) of the MQTT-over-WebSocket listener, when asked for. */
  readonly webSocketUrl: string | undefined;
  close(): Promise<void>;
}

/** Options of {@link startEmbeddedBroker}. */
export interface EmbeddedBrokerOptions {
  /** Also serve MQTT over WebSocket (path `/mqtt`, subprotocol `mqtt`), on its own port. */
  websocket?: boolean;
  /** Serve both listeners over TLS with this certificate. */
  tls?: ControllerTlsServerOptions;
}

/** The path MQTT-over-WebSocket clients (mqtt.js, Paho) use by default. */
const MQTT_WS_PATH = '/mqtt';

function tlsServerOptions(t: ControllerTlsServerOptions): { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; requestCert: boolean; rejectUnauthorized: boolean } {
  const requireCert = t.requireCertificate === true;
  return { cert: t.cert, key: t.key, ...(t.ca !== undefined ? { ca: t.ca } : {}), requestCert: requireCert, rejectUnauthorized: requireCert };
}

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; once(e: 'error', l: (err: Error) => void): unknown; off(e: 'error', l: (err: Error) => void): unknown; address(): unknown }, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/**
 * Starts aedes on `host:port` (default 127.0.0.1, a free port); with `opts.websocket` also
 * on a WebSocket listener (aedes reads any duplex stream: `ws`'s `createWebSocketStream`),
 * with `opts.tls` both under TLS.
 */
export async function startEmbeddedBroker(host = '127.0.0.1', port = 0, opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const onSocket = (s: Socket): void => {
    track(s);
    // A client failing the TLS handshake (a bad certificate) must not crash the broker.
    s.on('error', () => undefined);
    broker.handle(s);
  };
  const server: Server = opts.tls ? createTlsServer(tlsServerOptions(opts.tls), onSocket) : createServer(onSocket);
  if (opts.tls) server.on('tlsClientError', () => undefined);
  const bound = await listen(server, port, host);
  const shown = host.includes(':') ? `[${host}]` : host;
  let ws: { http: ReturnType<typeof createHttpServer>; wss: WebSocketServer; url: string } | undefined;
  if (opts.websocket) {
    const http = opts.tls ? createHttpsServer(tlsServerOptions(opts.tls)) : createHttpServer();
    http.on('connection', track);
    http.on('tlsClientError', () => undefined);
    const wss = new WebSocketServer({ server: http, path: MQTT_WS_PATH, handleProtocols: (set) => (set.has('mqtt') ? 'mqtt' : false) });
    wss.on('error', () => undefined);
    wss.on('connection', (socket) => {
      socket.on('error', () => undefined);
      const stream = createWebSocketStream(socket);
      stream.on('error', () => undefined);
      broker.handle(stream as unknown as Socket);
    });
    const wsPort = await listen(http, 0, host);
    ws = { http, wss, url: `${opts.tls ? 'wss' : 'ws'}://${shown}:${wsPort}${MQTT_WS_PATH}` };
  }
  let closing: Promise<void> | undefined;
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://${shown}:${bound}`,
    port: bound,
    webSocketUrl: ws?.url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((r) => broker.close(() => r()));
        for (const c of ws?.wss.clients ?? []) c.terminate();
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
        if (ws) {
          await new Promise<void>((r) => ws.wss.close(() => r()));
          await new Promise<void>((r) => ws.http.close(() => r()));
        }
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
  /** TLS towards an `mqtts:`/`wss:` broker: trusted CA, client certificate. */
  tls?: Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;
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
      ...opts.tls,
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
