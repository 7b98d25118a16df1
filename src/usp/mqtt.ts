/**
 * The MQTT MTP of one agent (TR-369 "MQTT Binding", usp-notes §6.1), over mqtt.js.
 * Configured by the tree (`Device.MQTT.Client.{i}.`, `Device.LocalAgent.MTP.{i}.MQTT.`,
 * `Controller.{i}.MTP.{j}.MQTT.Topic`), read at every connect attempt.
 *
 * - MQTT 5.0 with Request Response Information and the `usp-endpoint-id` user property
 *   (R-MQTT.12/.13); `auto` falls back to 3.1.1 when the broker refuses 5.0.
 * - Subscribes the `MQTT.Client.{i}.Subscription.{j}.Topic` filters, the CONNACK's
 *   Response Information and `subscribe-topic`s (R-MQTT.15); nothing granted => no
 *   publishing, disconnect (R-MQTT.17).
 * - Publishes each Record with the agent's reply topic: 5.0 Response Topic + Content
 *   Type `usp.msg` (R-MQTT.22/.23/.27); 3.1.1 `<topic>/reply-to=<reply topic, '/' as %2F>`
 *   (R-MQTT.24). Answers go to the route the request came by (R-MQTT.25/.26).
 * - Reconnects with the spec back-off (ConnectRetry*, R-MQTT.10/.33); mqtt.js's own
 *   reconnect is off (`reconnectPeriod: 0`), as is its QoS 0 offline queue (an outage
 *   would flush stale notifies later).
 * - Over the transport `Device.MQTT.Client.{i}.TransportProtocol` names (TR-181 2.19:
 *   `TCP/IP`, `TLS`, `WebSocket`, `WebSocketTLS`); TLS checks the broker's certificate
 *   against the configured CA, and a refused certificate is `Error_Misconfigured` with a
 *   warning, not an unreachable broker.
 * @module
 */
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { createHmac } from 'node:crypto';
import type { Scheduler } from '../clock/index.js';
import type { ParameterTree } from '../datamodel/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { uspRetryPolicyFrom, type UspRetryPolicy } from './backoff.js';
import { encodeRecord } from './codec.js';
import { controllerMtp, controllerRow, existingRows, setIfPresent } from './controllers.js';
import { UspDeliveryError } from './delivery.js';
import { RetryingMtp, tlsFailureCode, type UspMtp, type UspMtpHost, type UspRoute, type UspTlsOptions } from './mtp.js';

/** `5` (MQTT 5.0), `3.1.1`, or `auto`: 5.0 first, 3.1.1 when the broker refuses 5.0. */
export type UspMqttVersion = '5' | '3.1.1' | 'auto';

/** Content types a USP Record may carry on MQTT 5.0 (R-MQTT.27/.27a). */
export const USP_CONTENT_TYPES: readonly string[] = ['usp.msg', 'application/vnd.bbf.usp.msg'];

/** The seed's topic layout (usp-notes §6.1): `{eid}` is the agent's Endpoint ID. */
export const DEFAULT_AGENT_TOPIC = 'usp/v1/agent/{eid}';
/** Where the agent publishes to its Controller: its own slot, so a broker ACL can pin each identity. */
export const DEFAULT_CONTROLLER_TOPIC = 'usp/v1/controller/{eid}';

/**
 * The seed's per-agent password: base64url without padding of
 * HMAC-SHA256(key = secret, data = username) (usp-notes §6.1).
 * @example mqttPasswordFromSecret('s3cret', 'os::00256D-SN1') // 43 characters
 */
export function mqttPasswordFromSecret(secret: string, username: string): string {
  return createHmac('sha256', secret).update(username).digest('base64url');
}

/** R-MQTT.24: the reply topic in a 3.1.1 topic, with only `/` escaped (as `%2F`). */
export function replyToSuffix(replyTopic: string): string {
  return `/reply-to=${replyTopic.replaceAll('/', '%2F')}`;
}

/**
 * R-MQTT.25: the reply topic after the last `/reply-to=` of a 3.1.1 topic, `%2F` back
 * to `/`; `%3A` is read as `:` too, since the seed escapes with Go's QueryEscape
 * (usp-notes §6.1). Undefined when the topic carries none.
 */
export function replyToOf(topic: string): string | undefined {
  const at = topic.lastIndexOf('/reply-to=');
  if (at < 0) return undefined;
  const escaped = topic.slice(at + '/reply-to='.length);
  return escaped === '' ? undefined : escaped.replace(/%2F/gi, '/').replace(/%3A/gi, ':');
}

/** `Device.MQTT.Client.{i}.TransportProtocol` values (TR-181 2.19) and what each means to mqtt.js. */
export const MQTT_TRANSPORTS = {
  'TCP/IP': { protocol: 'mqtt', port: 1883 },
  TLS: { protocol: 'mqtts', port: 8883 },
  WebSocket: { protocol: 'ws', port: 80 },
  WebSocketTLS: { protocol: 'wss', port: 443 },
} as const;

/** A value of `Device.MQTT.Client.{i}.TransportProtocol`. */
export type MqttTransportProtocol = keyof typeof MQTT_TRANSPORTS;

/** Default URL path of MQTT over WebSocket (mqtt.js's, and what brokers such as EMQX and HiveMQ serve). */
export const DEFAULT_MQTT_WS_PATH = '/mqtt';

/** What the MQTT MTP needs besides the tree. */
export interface MqttMtpOptions {
  host: UspMtpHost;
  tree: ParameterTree;
  scheduler: Scheduler;
  /** Uniform in [0, 1): back-off draws. */
  random: () => number;
  logger?: Logger;
  version?: UspMqttVersion;
  /**
   * Shared by the agents of a fleet on one broker under `auto`: once one agent learned
   * that the broker refuses 5.0, the others start with 3.1.1 (10k agents do not each
   * try 5.0 first).
   */
  versionMemo?: { refuses5?: boolean };
  /** Row of `Device.MQTT.Client.` (default `Device.MQTT.Client.1.`). */
  clientRow?: string;
  /** Row of `Device.LocalAgent.MTP.` of this MTP (default `Device.LocalAgent.MTP.1.`). */
  mtpRow?: string;
  /** Larger Records are dropped unread (default 1 MiB). */
  maxRecordBytes?: number;
  /** Real ms to wait for CONNACK (default 10 000). */
  connectTimeoutMs?: number;
  /** CA / client certificate for TransportProtocol `TLS` and `WebSocketTLS`. */
  tls?: UspTlsOptions;
  /**
   * URL path of the broker's WebSocket endpoint (TransportProtocol `WebSocket` /
   * `WebSocketTLS`; TR-181's MQTT.Client has no leaf for it). Default `/mqtt`.
   */
  webSocketPath?: string;
}

/** mqtt.js otherwise makes a `debug` logger per client (~5 KiB each at 10,000 agents); we log ourselves. */
const NO_LOG = (): void => undefined;

/**
 * What mqtt.js does with a received QoS 1/2 PUBLISH by default (acknowledge it, reason code
 * 0 Success), shared: without it mqtt.js makes the same closure for every 5.0 client.
 */
const ACK_SUCCESS: NonNullable<IClientOptions['customHandleAcks']> = (_topic, _message, _packet, done) => done(0);

/** Rows the MTP is given by default; a row equal to one of them is kept as this one string, not a per-agent copy. */
const DEFAULT_CLIENT_ROW = 'Device.MQTT.Client.1.';
const DEFAULT_MTP_ROW = 'Device.LocalAgent.MTP.1.';

/**
 * Per-connection state mqtt.js keeps on a connected client that this MTP never uses; dropped
 * once the connection is up (~2.6 KB of heap per agent, measured with 1,000 agents on
 * Mosquitto: docs/performance.md, USP agents). Relies on mqtt.js internals, checked against mqtt.js 5.16.0
 * (lib/handlers/connack.js, lib/client.js); test/usp/mqtt-client-trim.int.test.ts fails
 * when they change.
 *
 * - `topicAliasSend`: the CONNACK handler builds it (an LRU cache of typed arrays and
 *   closures) whenever the broker's CONNACK carries Topic Alias Maximum > 0 (MQTT 5.0
 *   §3.2.2.3.8; Mosquitto's default is 10). It is how many aliases the *broker* accepts
 *   from us; there is no CONNECT property asking the broker not to offer them (§3.1.2.11.5,
 *   Topic Alias Maximum in CONNECT, is what the client accepts). This MTP never publishes
 *   with a Topic Alias (no `properties.topicAlias`, no `autoUseTopicAlias` /
 *   `autoAssignTopicAlias`), and mqtt.js reads the field only for such publishes: it is
 *   guarded by `if (this.topicAliasSend)` in `_applyTopicAlias`, and
 *   `_removeTopicAliasAndRecoverTopicName` dereferences it only for an empty topic with an
 *   alias. A reconnect is a new client here (`reconnectPeriod: 0`), whose CONNACK builds
 *   its own; the field is `undefined` before the first CONNACK too.
 * - `connackTimer`: the CONNACK timeout, already cleared by the CONNACK handler; mqtt.js
 *   only passes it to `clearTimeout` again (null is its initial value).
 * @internal Not part of the package's API (exported for its test only).
 */
export function shedConnackState(client: MqttClient): void {
  const internals = client as unknown as { topicAliasSend: unknown; connackTimer: unknown };
  internals.topicAliasSend = undefined;
  internals.connackTimer = null;
}

/**
 * The MTP each live client belongs to: the client's listeners are shared functions (an
 * EventEmitter calls a listener with `this` = the emitter), not four closures per connection.
 */
const OWNERS = new WeakMap<MqttClient, MqttMtp>();

/** CONNACK codes meaning "this broker does not speak that protocol version" (3.1.1 rc 1, 5.0 0x84). */
const VERSION_REFUSED = new Set([1, 0x84]);
/** CONNACK codes of refused credentials (3.1.1 rc 4/5, 5.0 0x86/0x87): a configuration problem, not an unreachable broker. */
const AUTH_REFUSED = new Set([4, 5, 0x86, 0x87]);

/**
 * Detaches a client we are done with: mqtt.js may still emit 'error' while it winds
 * down (a CONNACK refusal is emitted after 'close'), and an EventEmitter 'error' without
 * a listener would be thrown.
 */
function quiet(client: MqttClient): void {
  client.removeAllListeners();
  client.on('error', NO_LOG);
}

/** The broker URL a client dialled, for logs (`mqtt://host:port`, IPv6 in brackets). */
function brokerOf(client: MqttClient): string {
  const { protocol, host = '', port } = client.options;
  return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The MQTT MTP of one agent. */
export class MqttMtp extends RetryingMtp implements UspMtp {
  // Every field is set here or in the constructor, in one order, and none is deleted: all
  // instances share one hidden class. The options object is not kept (what it says is
  // copied below), so its own shape and backing store are not held per agent.
  readonly kind = 'mqtt';
  private client: MqttClient | undefined = undefined;
  private protocol: 4 | 5 = 5;
  /** This broker refused MQTT 5.0 (under `auto`): 3.1.1 from now on. */
  private refuses5 = false;
  private isUp = false;
  /**
   * Reply topics learned from inbound records, per Controller (the seed lets them replace
   * the configured topic). Made at the first one: most agents never learn any.
   */
  private learned: Map<string, string> | undefined = undefined;
  /** Topic this agent is answered on now (Response Information, else ResponseTopicConfigured). */
  private replyTopic = '';
  /** A TLS failure was already reported since the last connection (or start). */
  private tlsWarned = false;
  /** What the current connection attempt's 'error' events said; read when it closes. */
  private refusedVersion = false;
  private refusedAuth = false;
  private refusedTls: { code: string; message: string } | undefined = undefined;
  private readonly host: UspMtpHost;
  private readonly tree: ParameterTree;
  private readonly clientRow: string;
  private readonly mtpRow: string;
  private readonly logger: Logger;
  private readonly maxRecordBytes: number;
  private readonly version: UspMqttVersion;
  private readonly versionMemo: { refuses5?: boolean } | undefined;
  private readonly connectTimeoutMs: number;
  private readonly tls: UspTlsOptions | undefined;
  private readonly webSocketPath: string;

  constructor(opts: MqttMtpOptions) {
    super(opts.scheduler, opts.random);
    this.host = opts.host;
    this.tree = opts.tree;
    this.clientRow = opts.clientRow === undefined || opts.clientRow === DEFAULT_CLIENT_ROW ? DEFAULT_CLIENT_ROW : opts.clientRow;
    this.mtpRow = opts.mtpRow === undefined || opts.mtpRow === DEFAULT_MTP_ROW ? DEFAULT_MTP_ROW : opts.mtpRow;
    this.logger = opts.logger ?? silentLogger;
    this.maxRecordBytes = opts.maxRecordBytes ?? 1024 * 1024;
    this.version = opts.version ?? 'auto';
    this.versionMemo = opts.versionMemo;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.tls = opts.tls;
    this.webSocketPath = opts.webSocketPath ?? DEFAULT_MQTT_WS_PATH;
  }

  get up(): boolean {
    return this.isUp;
  }

  /** The MQTT version of the current connection (4 = 3.1.1, 5 = 5.0). */
  get protocolVersion(): 4 | 5 {
    return this.protocol;
  }

  reaches(controllerId: string): boolean {
    return this.isUp && this.destinationOf(controllerId) !== undefined;
  }

  cut(): void {
    this.stop(false);
    // end(true): the socket is destroyed, no DISCONNECT packet: the broker sees a dead box.
    this.drop(true);
    this.status('Disabled', 'Down');
  }

  async close(farewell?: (controllerId: string) => Uint8Array): Promise<void> {
    if (this.closed) return;
    this.stop(true);
    const client = this.client;
    const wasUp = this.isUp;
    if (client && wasUp && farewell) {
      // R-MTP.7 then R-MQTT.35: a Disconnect record to each Controller, then DISCONNECT.
      for (const id of this.controllerIds()) await this.send(farewell(id), id).catch(() => undefined);
    }
    this.client = undefined;
    this.setDown();
    if (client) {
      quiet(client);
      // DISCONNECT after the in-flight packets; a broker that stopped answering must not hold close() up.
      let timer: NodeJS.Timeout | undefined;
      if (wasUp) await Promise.race([client.endAsync(false).catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      client.end(true);
    }
    this.status('Disabled', 'Down');
  }

  async send(bytes: Uint8Array, controllerId: string, route?: UspRoute): Promise<void> {
    const client = this.client;
    if (!client || !this.isUp) throw new UspDeliveryError('mtp-down', `MQTT MTP is not connected (to ${controllerId})`);
    // R-MQTT.26a: an answer goes where the request said; a request that named no reply topic cannot be answered.
    const dest = route !== undefined ? route.replyTo : this.destinationOf(controllerId);
    if (dest === undefined) {
      throw new UspDeliveryError('no-route', route !== undefined ? `the request from ${controllerId} named no reply topic (Response Topic / reply-to=)` : `no MQTT topic for Controller ${controllerId} (Controller.{i}.MTP.{j}.MQTT.Topic)`);
    }
    const qos = this.tree.getValue(`${this.mtpRow}MQTT.PublishQoS`) === '0' ? 0 : 1;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.protocol === 5) {
      // R-MQTT.22/.23/.27: the reply topic travels as Response Topic, with the USP content type.
      await client.publishAsync(dest, buf, { qos, retain: false, properties: { responseTopic: this.replyTopic, contentType: 'usp.msg' } });
    } else {
      await client.publishAsync(dest + replyToSuffix(this.replyTopic), buf, { qos, retain: false });
    }
  }

  sendConnect(controllerId: string): Promise<void> {
    const bytes = encodeRecord({
      version: '1.3',
      to_id: controllerId,
      from_id: this.host.endpointId,
      record_type: 'mqtt_connect',
      mqtt_connect: { version: this.protocol === 5 ? 'V5' : 'V3_1_1', subscribed_topic: this.replyTopic },
    });
    return this.send(bytes, controllerId);
  }

  /** Enabled Controllers with an MQTT MTP row. */
  controllerIds(): string[] {
    const out: string[] = [];
    for (const path of existingRows(this.tree, 'Device.LocalAgent.Controller.')) {
      const id = this.tree.getValue(`${path}EndpointID`) ?? '';
      if (id !== '' && this.destinationOf(id) !== undefined) out.push(id);
    }
    return out;
  }

  /** Where a Notify or Connect record to `controllerId` goes: the learned reply topic, else the row's Topic. */
  private destinationOf(controllerId: string): string | undefined {
    const row = controllerRow(this.tree, controllerId);
    const mtp = controllerMtp(row, 'MQTT');
    if (!mtp) return undefined;
    const learned = this.learned?.get(controllerId);
    if (learned !== undefined) return learned;
    const topic = this.tree.getValue(`${mtp.path}MQTT.Topic`) ?? '';
    return topic === '' ? undefined : topic;
  }

  private status(client: string, mtp: string): void {
    setIfPresent(this.tree, `${this.clientRow}Status`, client);
    setIfPresent(this.tree, `${this.mtpRow}Status`, mtp);
  }

  private leaf(name: string): string {
    return this.tree.getValue(this.clientRow + name) ?? '';
  }

  private chooseVersion(): 4 | 5 {
    if (this.version === '5') return 5;
    if (this.version === '3.1.1') return 4;
    if (this.refuses5 || this.versionMemo?.refuses5 === true) return 4;
    // The tree's ProtocolVersion is the device's setting: 3.1.1 there starts with 3.1.1.
    return this.leaf('ProtocolVersion') === '3.1.1' ? 4 : 5;
  }

  protected retryPolicy(): UspRetryPolicy {
    return uspRetryPolicyFrom(this.leaf('ConnectRetryTime'), this.leaf('ConnectRetryIntervalMultiplier'), this.leaf('ConnectRetryMaxInterval'));
  }

  protected connect(): void {
    if (!this.running || this.closed) return;
    const address = this.leaf('BrokerAddress');
    const transportName = this.leaf('TransportProtocol') || 'TCP/IP';
    const transport = Object.hasOwn(MQTT_TRANSPORTS, transportName) ? MQTT_TRANSPORTS[transportName as MqttTransportProtocol] : undefined;
    if (transport === undefined) {
      this.logger.warn('usp mqtt: unsupported transport (Device.MQTT.Client TransportProtocol)', { transport: transportName, expected: Object.keys(MQTT_TRANSPORTS).join(', ') });
      this.status('Error_Misconfigured', 'Error');
      return this.retry();
    }
    const port = Number(this.leaf('BrokerPort') || String(transport.port));
    if (address === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
      this.logger.warn('usp mqtt: no usable broker (Device.MQTT.Client BrokerAddress/BrokerPort)', { broker: `${address}:${port}` });
      this.status('Error_Misconfigured', 'Error');
      return this.retry();
    }
    this.protocol = this.chooseVersion();
    const eid = this.host.endpointId;
    const keepalive = Number(this.leaf('KeepAliveTime') || '60');
    const options: IClientOptions = {
      host: address,
      port,
      protocol: transport.protocol,
      protocolVersion: this.protocol,
      // R-MQTT.8/.9: the configured ClientID (the fleet provisions the EID, as the seed does).
      clientId: this.leaf('ClientID') || eid,
      clean: this.protocol === 5 ? this.leaf('CleanStart') !== 'false' : this.leaf('CleanSession') !== 'false',
      keepalive: Number.isInteger(keepalive) && keepalive >= 0 ? keepalive : 60,
      reconnectPeriod: 0,
      connectTimeout: this.connectTimeoutMs,
      queueQoSZero: false,
      resubscribe: false,
      log: NO_LOG,
      customHandleAcks: ACK_SUCCESS,
    };
    if (transport.protocol === 'ws' || transport.protocol === 'wss') options.path = this.webSocketPath;
    if (transport.protocol === 'mqtts' || transport.protocol === 'wss') {
      // The broker's certificate is checked against the configured CA (system store without one).
      const t = this.tls ?? {};
      if (t.ca !== undefined) options.ca = t.ca;
      if (t.cert !== undefined) options.cert = t.cert;
      if (t.key !== undefined) options.key = t.key;
      options.rejectUnauthorized = t.rejectUnauthorized !== false;
    }
    const username = this.leaf('Username');
    const password = this.tree.get(`${this.clientRow}Password`)?.value ?? '';
    if (username !== '') options.username = username;
    if (password !== '') options.password = password;
    if (this.protocol === 5) {
      // R-MQTT.12/.13.
      options.properties = { requestResponseInformation: this.leaf('RequestResponseInfo') !== 'false', userProperties: { 'usp-endpoint-id': eid } };
    }
    this.status('Connecting', 'Down');
    this.refusedVersion = false;
    this.refusedAuth = false;
    this.refusedTls = undefined;
    const client = mqtt.connect(options);
    this.client = client;
    OWNERS.set(client, this);
    client.on('connect', MqttMtp.onClientConnect);
    client.on('message', MqttMtp.onClientMessage);
    client.on('error', MqttMtp.onClientError);
    client.on('close', MqttMtp.onClientClose);
  }

  /** The MTP whose current client `client` is (a client it let go of has no listeners left, see {@link quiet}). */
  private static ownerOf(client: MqttClient): MqttMtp | undefined {
    const mtp = OWNERS.get(client);
    return mtp !== undefined && mtp.client === client ? mtp : undefined;
  }

  private static onClientConnect(this: MqttClient, connack: IConnackPacket): void {
    const mtp = MqttMtp.ownerOf(this);
    if (mtp === undefined) return;
    shedConnackState(this);
    void mtp.onConnack(this, connack);
  }

  private static onClientMessage(this: MqttClient, topic: string, payload: Buffer, packet: IPublishPacket): void {
    MqttMtp.ownerOf(this)?.onMessage(topic, payload, packet);
  }

  private static onClientError(this: MqttClient, err: Error): void {
    const mtp = MqttMtp.ownerOf(this);
    if (mtp === undefined) return;
    const code = (err as { code?: unknown }).code;
    if (mtp.protocol === 5 && typeof code === 'number' && VERSION_REFUSED.has(code) && mtp.version === 'auto') {
      mtp.refusedVersion = true;
      mtp.refuses5 = true;
      if (mtp.versionMemo) mtp.versionMemo.refuses5 = true;
    }
    if (typeof code === 'number' && AUTH_REFUSED.has(code)) mtp.refusedAuth = true;
    const tls = tlsFailureCode(err);
    if (tls !== undefined) mtp.refusedTls = { code: tls, message: err.message };
    mtp.logger.debug('usp mqtt error', { error: err.message, code: typeof code === 'number' || typeof code === 'string' ? code : undefined });
  }

  private static onClientClose(this: MqttClient): void {
    MqttMtp.ownerOf(this)?.onClose(this);
  }

  private onClose(client: MqttClient): void {
    this.client = undefined;
    quiet(client);
    client.end(true);
    const wasUp = this.isUp;
    this.setDown();
    if (!this.running) return;
    const refusedTls = this.refusedTls;
    if (refusedTls !== undefined) {
      // A certificate the agent does not trust (or a client certificate the broker refused)
      // will not fix itself by retrying: a configuration error (TR-181 Error_Misconfigured).
      // Said once per run of failures; the retries after it log at debug.
      const log = this.tlsWarned ? this.logger.debug.bind(this.logger) : this.logger.warn.bind(this.logger);
      this.tlsWarned = true;
      log('usp mqtt: TLS with the broker failed; check the CA (--ca-cert-file, usp.tls.ca) and client certificate (--tls-cert/--tls-key)', {
        broker: brokerOf(client),
        endpoint: this.host.endpointId,
        code: refusedTls.code,
        error: refusedTls.message,
      });
    }
    const misconfigured = this.refusedAuth || refusedTls !== undefined;
    this.status(misconfigured ? 'Error_Misconfigured' : wasUp ? 'Connecting' : 'Error_BrokerUnreachable', misconfigured ? 'Error' : 'Down');
    if (this.refusedVersion) {
      // The broker speaks 3.1.1 only: retry at once with it (the issue's decision), not after a back-off.
      this.logger.info('usp mqtt: broker refused MQTT 5.0, falling back to 3.1.1', { broker: brokerOf(client) });
      return this.connect();
    }
    this.retry();
  }

  private async onConnack(client: MqttClient, connack: IConnackPacket): Promise<void> {
    const props = connack.properties;
    // R-MQTT.21: the broker's Response Information is the topic to be answered on.
    const discovered = props?.responseInformation ?? '';
    setIfPresent(this.tree, `${this.clientRow}ResponseInformation`, discovered);
    setIfPresent(this.tree, `${this.mtpRow}MQTT.ResponseTopicDiscovered`, discovered);
    setIfPresent(this.tree, `${this.clientRow}ProtocolVersion`, this.protocol === 5 ? '5.0' : '3.1.1');
    const configured = this.tree.getValue(`${this.mtpRow}MQTT.ResponseTopicConfigured`) ?? '';
    this.replyTopic = discovered !== '' ? discovered : configured;
    // R-MQTT.15: configured filters, plus what the broker told us.
    const filters = new Set<string>();
    for (const row of existingRows(this.tree, `${this.clientRow}Subscription.`)) {
      const topic = this.tree.getValue(`${row}Topic`) ?? '';
      if (topic !== '' && this.tree.getValue(`${row}Enable`) !== 'false') filters.add(topic);
    }
    const subscribeTopics = props?.userProperties?.['subscribe-topic'];
    for (const t of Array.isArray(subscribeTopics) ? subscribeTopics : subscribeTopics !== undefined ? [subscribeTopics] : []) filters.add(t);
    if (discovered !== '') filters.add(discovered);
    if (filters.size === 0 && this.replyTopic !== '') filters.add(this.protocol === 5 ? this.replyTopic : `${this.replyTopic}/#`);
    if (filters.size === 0 || this.replyTopic === '') {
      // R-MQTT.16: nothing to listen on: this MTP cannot work.
      this.logger.warn('usp mqtt: no topic to subscribe to or to be answered on (MQTT.Client Subscription / MTP ResponseTopicConfigured)');
      this.status('Error_Misconfigured', 'Error');
      return this.abandon(client);
    }
    let granted = 0;
    for (const filter of filters) {
      try {
        const grants = await client.subscribeAsync(filter, { qos: 1 });
        if (grants.some((g) => g.qos !== 128)) granted++;
      } catch (err) {
        this.logger.warn('usp mqtt: subscription refused', { topic: filter, error: (err as Error).message });
      }
      if (this.client !== client) return;
    }
    for (const row of existingRows(this.tree, `${this.clientRow}Subscription.`)) setIfPresent(this.tree, `${row}Status`, granted > 0 ? 'Subscribed' : 'Error');
    if (granted === 0) {
      // R-MQTT.17: no subscription granted: never publish; disconnect.
      this.status('Error_Misconfigured', 'Error');
      return this.abandon(client);
    }
    this.connected();
    this.tlsWarned = false;
    this.isUp = true;
    this.status('Connected', 'Up');
    this.host.onUp(this);
  }

  /** Ends a connection that cannot serve, then retries later (a broker ACL may be fixed meanwhile). */
  private abandon(client: MqttClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    quiet(client);
    client.end(false);
    this.retry();
  }

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    if (payload.length > this.maxRecordBytes) {
      this.logger.warn('usp mqtt: record over the size limit dropped', { topic, bytes: payload.length, limit: this.maxRecordBytes });
      return;
    }
    const props = packet.properties;
    const contentType = props?.contentType;
    if (contentType !== undefined && !USP_CONTENT_TYPES.includes(contentType)) {
      this.logger.debug('usp mqtt: publish with a foreign content type dropped', { topic, content_type: contentType });
      return;
    }
    // R-MQTT.26 (5.0: Response Topic) / R-MQTT.25 (3.1.1: the topic's reply-to), either accepted on both.
    const replyTo = props?.responseTopic ?? replyToOf(topic);
    const route: UspRoute = replyTo !== undefined ? { mtp: this, replyTo } : { mtp: this };
    this.host.onRecord(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), route);
  }

  /** Remembers where a Controller answers from (the seed: it replaces the configured topic). */
  learnRoute(controllerId: string, route: UspRoute): void {
    if (route.mtp === this && route.replyTo !== undefined) (this.learned ??= new Map()).set(controllerId, route.replyTo);
  }

  private drop(force: boolean): void {
    const client = this.client;
    this.client = undefined;
    this.setDown();
    if (client) {
      quiet(client);
      client.end(force);
    }
  }

  private setDown(): void {
    if (!this.isUp) return;
    this.isUp = false;
    this.host.onDown(this);
  }
}
