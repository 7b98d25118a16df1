/**
 * The USP side of a fleet (issue 21): one `UspAgent` per CPE over the CPE's own
 * ParameterTree, its MTP cut and restored with the box's power and uplink
 * (`Cpe.onLifecycle`: a dead box says nothing; after power-on or a reboot it
 * reconnects and announces itself again).
 * @module
 */
import type { Scheduler } from '../clock/index.js';
import type { Cpe } from '../cpe/index.js';
import type { GeneratorClock, Template } from '../datamodel/index.js';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Profile } from '../profile/index.js';
import { streamFor, type Rng } from '../random/index.js';
import {
  DEFAULT_AGENT_TOPIC,
  DEFAULT_CONTROLLER_TOPIC,
  endpointIdOf,
  handleRequest,
  mqttPasswordFromSecret,
  topicFor,
  UspAgent,
  UspNotifications,
  LOCAL_BOOT,
  withUspObjects,
  withFirmwareImages,
  type UspBootCause,
  type UspMsg,
  type EndpointIdFormat,
  type UspMqttVersion,
  type UspProvisioning,
  type UspTlsOptions,
  type MqttTransportProtocol,
  MQTT_TRANSPORTS,
  DEFAULT_MQTT_WS_PATH,
} from '../usp/index.js';
import { parseHostPort } from './nat.js';
import { uspDeviceOf } from './usp-device.js';
import { checkTlsShape, tlsFactory, type FleetAcsTls } from './tls.js';

/** USP options of a fleet (`startFleet({ usp })`): every CPE is also a TR-369 Agent. */
export interface FleetUspOptions {
  /**
   * MQTT broker: `host:port` (the seed's `--usp-broker`; port 1883 when absent) or a URL
   * whose scheme picks `Device.MQTT.Client.1.TransportProtocol`: `mqtt://host:port`
   * (TCP/IP, 1883), `mqtts://host:port` (TLS, 8883), `ws://host:port/path` (WebSocket, 80)
   * or `wss://host:port/path` (WebSocketTLS, 443); the WebSocket path defaults to `/mqtt`.
   */
  broker?: string;
  /** A Controller's WebSocket server, `ws://host:port/path` (or `wss://`): each agent dials out to it. */
  websocket?: string;
  /**
   * TLS of the encrypted MTPs (an `mqtts:`/`wss:` broker, a `wss:` Controller): the CA the
   * server certificate must chain to (else the system store), an optional client
   * certificate (shared, or per CPE with `{cpe_id}`/`{i}` in the file name), `skipVerify`
   * for tests. The same shape as `acsTls`; the CLI fills both from `--ca-cert-file`,
   * `--tls-cert`, `--tls-key` and `--tls-skip-verify`.
   */
  tls?: FleetAcsTls;
  /** The Controller's EndpointID: to_id of the agents' records and the seeded `Controller.1` row. Default `self::controller` (the seed's). */
  controllerId?: string;
  /** `auto` (default): MQTT 5.0, falling back to 3.1.1 when the broker refuses it. */
  mqttVersion?: UspMqttVersion;
  /** Shared secret: each agent's password is base64url(HMAC-SHA256(secret, username)), as the seed derives it. */
  mqttSecret?: string;
  /** MQTT username of every agent. Default: the agent's own EndpointID. */
  mqttUsername?: string;
  /** One MQTT password for every agent; wins over `mqttSecret`. */
  mqttPassword?: string;
  /** `spec` (default): `os::<OUI>-<Serial>`; `cpe-labs`: the seed's `os::<OUI><Serial>`. */
  endpointIdFormat?: EndpointIdFormat;
  /** The topic each agent listens on; `{eid}` is its EndpointID. Default `usp/v1/agent/{eid}`. */
  agentTopic?: string;
  /** The topic each agent publishes to; default `usp/v1/controller/{eid}` (the seed's layout: the agent's own slot). */
  controllerTopic?: string;
  /** Simulated ms an agent waits for a NotifyResp (default 30 000). */
  notifyTimeoutMs?: number;
  /** With `waitFor: 'bootstrap'`: real ms startFleet waits for the agents' MTPs to come up (default 10 000); a late agent keeps trying. */
  onlineTimeoutMs?: number;
  /**
   * `spec` (default): `Boot!` only to Controllers subscribed to it, `OnBoardRequest` (send_resp,
   * retried) while `Controller.{i}.OnBoardingComplete` is false. `cpe-labs`: the seed's, for
   * Controllers written against it: both at every start to every Controller, fire and forget,
   * subscription_id `boot` / `onboard` (usp-notes §7.2, §7.3).
   */
  notifyStyle?: 'spec' | 'cpe-labs';
}

/** The keys of {@link FleetUspOptions}. */
export const FLEET_USP_OPTION_KEYS: ReadonlySet<string> = new Set([
  'broker', 'websocket', 'tls', 'controllerId', 'mqttVersion', 'mqttSecret', 'mqttUsername', 'mqttPassword', 'endpointIdFormat', 'agentTopic', 'controllerTopic', 'notifyTimeoutMs', 'onlineTimeoutMs', 'notifyStyle',
]);

/** The parsed, checked form of {@link FleetUspOptions}. */
interface UspPlan {
  mqtt?: { host: string; port: number; transport: MqttTransportProtocol; path?: string };
  websocket?: { host: string; port: number; path: string; encrypted: boolean };
  controllerId: string;
  version: UspMqttVersion;
  format: EndpointIdFormat;
}

/**
 * Checks `startFleet`'s `usp` option, naming what is wrong.
 * @throws ConfigError
 */
export function checkUspOptions(u: FleetUspOptions): UspPlan {
  const where = 'startFleet: usp';
  if (typeof u !== 'object' || u === null) throw new ConfigError(`${where} must be an object such as { broker: '127.0.0.1:1883' }, got ${JSON.stringify(u)}`);
  for (const k of Object.keys(u)) if (!FLEET_USP_OPTION_KEYS.has(k)) throw new ConfigError(`${where}: unknown option ${JSON.stringify(k)}; expected one of ${[...FLEET_USP_OPTION_KEYS].join(', ')}`);
  if (u.broker === undefined && u.websocket === undefined) throw new ConfigError(`${where}: give an MQTT broker (usp.broker, host:port) or a WebSocket Controller URL (usp.websocket, ws://host:port/path), or both`);
  const plan: UspPlan = {
    controllerId: u.controllerId ?? 'self::controller',
    version: u.mqttVersion ?? 'auto',
    format: u.endpointIdFormat ?? 'spec',
  };
  if (typeof plan.controllerId !== 'string' || !/^[^:\s]+:[^:\s]*:\S+$/.test(plan.controllerId)) {
    throw new ConfigError(`${where}.controllerId must be a USP EndpointID such as self::controller (scheme:authority:instance), got ${JSON.stringify(u.controllerId)}`);
  }
  if (!['auto', '5', '3.1.1'].includes(plan.version)) throw new ConfigError(`${where}.mqttVersion must be 'auto', '5' or '3.1.1', got ${JSON.stringify(u.mqttVersion)}`);
  if (plan.format !== 'spec' && plan.format !== 'cpe-labs') throw new ConfigError(`${where}.endpointIdFormat must be 'spec' or 'cpe-labs', got ${JSON.stringify(u.endpointIdFormat)}`);
  if (u.notifyStyle !== undefined && u.notifyStyle !== 'spec' && u.notifyStyle !== 'cpe-labs') throw new ConfigError(`${where}.notifyStyle must be 'spec' or 'cpe-labs', got ${JSON.stringify(u.notifyStyle)}`);
  if (u.broker !== undefined) plan.mqtt = parseBroker(u.broker, `${where}.broker`);
  if (u.websocket !== undefined) {
    let url: URL;
    try {
      url = new URL(u.websocket);
    } catch {
      throw new ConfigError(`${where}.websocket must be a URL such as ws://127.0.0.1:8080/usp, got ${JSON.stringify(u.websocket)}`);
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ConfigError(`${where}.websocket must be a ws:// or wss:// URL, got ${JSON.stringify(u.websocket)}`);
    const encrypted = url.protocol === 'wss:';
    plan.websocket = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port !== '' ? Number(url.port) : encrypted ? 443 : 80, path: `${url.pathname}${url.search}`, encrypted };
  }
  if (u.tls !== undefined) {
    checkTlsShape(u.tls, 'usp.tls');
    const encrypted = plan.mqtt?.transport === 'TLS' || plan.mqtt?.transport === 'WebSocketTLS' || plan.websocket?.encrypted === true;
    if (!encrypted) throw new ConfigError(`${where}.tls has no effect: neither usp.broker (${JSON.stringify(u.broker)}) nor usp.websocket (${JSON.stringify(u.websocket)}) is encrypted; use mqtts://, wss:// or drop usp.tls`);
  }
  for (const k of ['mqttSecret', 'mqttUsername', 'mqttPassword', 'agentTopic', 'controllerTopic'] as const) {
    if (u[k] !== undefined && (typeof u[k] !== 'string' || u[k] === '')) throw new ConfigError(`${where}.${k} must be a non-empty string, got ${JSON.stringify(u[k])}`);
  }
  for (const k of ['agentTopic', 'controllerTopic'] as const) {
    const t = u[k];
    if (t !== undefined && /[#+]/.test(t)) throw new ConfigError(`${where}.${k} is a topic name, not a filter: no '#' or '+', got ${JSON.stringify(t)}`);
  }
  for (const k of ['notifyTimeoutMs', 'onlineTimeoutMs'] as const) {
    const v = u[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new ConfigError(`${where}.${k} must be a number of milliseconds > 0, got ${JSON.stringify(v)}`);
  }
  return plan;
}

/** Broker URL schemes and the TransportProtocol each means. */
const BROKER_SCHEMES: Readonly<Record<string, MqttTransportProtocol>> = { 'mqtt:': 'TCP/IP', 'tcp:': 'TCP/IP', 'mqtts:': 'TLS', 'ssl:': 'TLS', 'ws:': 'WebSocket', 'wss:': 'WebSocketTLS' };

/**
 * `usp.broker` / `--usp-broker`: `host:port` (plain TCP, the seed's form) or a URL whose
 * scheme gives the transport (`mqtt`, `mqtts`, `ws`, `wss`; `tcp`/`ssl` as mqtt.js spells
 * them), its port defaulting per transport (1883, 8883, 80, 443).
 * @throws ConfigError `<what>: <what is wrong and the accepted forms>`
 */
export function parseBroker(broker: string, what: string): NonNullable<UspPlan['mqtt']> {
  const expected = 'host:port, mqtt://host:port, mqtts://host:port (TLS), ws://host:port/path or wss://host:port/path (MQTT over WebSocket)';
  const fail = (reason: string): never => {
    throw new ConfigError(`${what}: ${reason}`);
  };
  if (typeof broker !== 'string' || broker === '') return fail(`expected ${expected}, got ${JSON.stringify(broker)}`);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(broker)) {
    try {
      return { ...parseHostPort(broker, 'broker', 1883), transport: 'TCP/IP' };
    } catch {
      return fail(`expected ${expected}, got ${JSON.stringify(broker)}`);
    }
  }
  let url: URL;
  try {
    url = new URL(broker);
  } catch {
    return fail(`expected ${expected}, got ${JSON.stringify(broker)}`);
  }
  const transport = BROKER_SCHEMES[url.protocol];
  if (transport === undefined) return fail(`unknown scheme ${JSON.stringify(url.protocol.slice(0, -1))}; expected ${expected}`);
  if (url.username !== '' || url.password !== '') return fail('put the MQTT credentials in usp.mqttUsername/mqttPassword (--usp-mqtt-username/--usp-mqtt-password), not in the URL');
  if (url.hostname === '') return fail(`no host; expected ${expected}`);
  const ws = transport === 'WebSocket' || transport === 'WebSocketTLS';
  if (!ws && ((url.pathname !== '' && url.pathname !== '/') || url.search !== '')) return fail(`an ${url.protocol}// broker takes no path; only ws:// and wss:// have one`);
  const plan: NonNullable<UspPlan['mqtt']> = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port !== '' ? Number(url.port) : MQTT_TRANSPORTS[transport].port, transport };
  if (ws) plan.path = url.pathname === '' || url.pathname === '/' ? DEFAULT_MQTT_WS_PATH : `${url.pathname}${url.search}`;
  return plan;
}

/**
 * `profile` with the LocalAgent / MQTT objects the plan's MTPs need; what every agent
 * shares (Controller EndpointID, broker, the first MTP row) becomes the template's
 * default, so 10,000 trees do not each store it.
 */
export function uspProfile(profile: Profile, plan: UspPlan): Profile {
  const values: Record<string, string> = { 'Device.LocalAgent.Controller.1.EndpointID': plan.controllerId };
  const first = plan.mqtt ? 'MQTT' : 'WebSocket';
  values['Device.LocalAgent.MTP.1.Protocol'] = first;
  values['Device.LocalAgent.Controller.1.MTP.1.Protocol'] = first;
  if (plan.mqtt) {
    values['Device.MQTT.Client.1.BrokerAddress'] = plan.mqtt.host;
    values['Device.MQTT.Client.1.BrokerPort'] = String(plan.mqtt.port);
    values['Device.MQTT.Client.1.TransportProtocol'] = plan.mqtt.transport;
    values['Device.MQTT.Client.1.ProtocolVersion'] = plan.version === '3.1.1' ? '3.1.1' : '5.0';
    values['Device.LocalAgent.MTP.1.MQTT.Reference'] = 'Device.MQTT.Client.1';
    values['Device.LocalAgent.Controller.1.MTP.1.MQTT.Reference'] = 'Device.MQTT.Client.1';
  } else if (plan.websocket) {
    const w = plan.websocket;
    values['Device.LocalAgent.Controller.1.MTP.1.WebSocket.Host'] = w.host;
    values['Device.LocalAgent.Controller.1.MTP.1.WebSocket.Port'] = String(w.port);
    values['Device.LocalAgent.Controller.1.MTP.1.WebSocket.Path'] = w.path;
    values['Device.LocalAgent.Controller.1.MTP.1.WebSocket.EnableEncryption'] = String(w.encrypted);
  }
  // A profile that simulates firmware gets the TR-181 banks USP's Download()/Activate() act on.
  return withUspObjects(withFirmwareImages(profile), { mqtt: plan.mqtt !== undefined, websocket: plan.websocket !== undefined, values });
}

/** What every agent of a fleet shares. */
export interface UspFleetContext {
  template: Template;
  profile: Profile;
  scheduler: Scheduler;
  seed: bigint;
  logger: Logger;
  options: FleetUspOptions;
  plan: UspPlan;
  /** One per broker: agents learn together that it refuses MQTT 5.0. */
  versionMemo: { refuses5?: boolean };
  /** The fleet's generator clock (ValueChange subscriptions on generated leaves). */
  generators?: GeneratorClock | undefined;
  /** Each CPE's TLS material for the encrypted MTPs (`usp.tls`; see {@link uspTlsFactory}). */
  tlsFor?: ((id: string, index: number) => UspTlsOptions) | undefined;
}

/**
 * The per-CPE TLS material of `usp.tls` (CA read once; client certificates per CPE from
 * a `{cpe_id}`/`{i}` pattern), or undefined without it.
 * @throws ConfigError on an unreadable or non-PEM file
 */
export function uspTlsFactory(u: FleetUspOptions, logger: Logger): ((id: string, index: number) => UspTlsOptions) | undefined {
  return tlsFactory(u.tls, logger, 'usp.tls', 'the MQTT broker / USP Controller');
}

/**
 * Makes the agent of `cpe` (not started) and its notification service: Endpoint ID from
 * the CPE's tree, per-agent MQTT credentials, the lifecycle wiring (down: cut silently;
 * up: reconnect, as a restart unless only the uplink came back) and Boot! after a restart.
 */
export function createCpeAgent(cpe: Cpe, ctx: UspFleetContext): { agent: UspAgent; notifications: UspNotifications } {
  const { plan, options: u } = ctx;
  const eid = endpointIdOf(cpe.params, ctx.profile, plan.format);
  const provisioning: UspProvisioning = { endpointId: eid, controllerId: plan.controllerId };
  if (plan.mqtt) {
    const username = u.mqttUsername ?? eid;
    provisioning.mqtt = {
      host: plan.mqtt.host,
      port: plan.mqtt.port,
      protocolVersion: plan.version === '3.1.1' ? '3.1.1' : '5.0',
      clientId: eid,
      username,
      password: u.mqttPassword ?? (u.mqttSecret !== undefined ? mqttPasswordFromSecret(u.mqttSecret, username) : ''),
      agentTopic: topicFor(u.agentTopic ?? DEFAULT_AGENT_TOPIC, eid),
      controllerTopic: topicFor(u.controllerTopic ?? DEFAULT_CONTROLLER_TOPIC, eid),
      transport: plan.mqtt.transport,
    };
  }
  const tls = ctx.tlsFor?.(cpe.id, cpe.index);
  if (plan.websocket) provisioning.websocket = plan.websocket;
  // Stream `cpe-<g>:usp`: the MTP back-off draws replay with the root seed (decision 004).
  // Made at the first retry: a stream's draws depend only on (seed, key), and most agents
  // never retry (issue 21: ~150 bytes an agent).
  let rng: Rng | undefined;
  const agent: UspAgent = new UspAgent({
    tree: cpe.params,
    template: ctx.template,
    endpointId: eid,
    scheduler: ctx.scheduler,
    random: () => (rng ??= streamFor(ctx.seed, `cpe-${cpe.index}:usp`)).float(),
    logger: ctx.logger,
    provisioning,
    mqttVersion: plan.version,
    mqttVersionMemo: ctx.versionMemo,
    ...(u.notifyTimeoutMs !== undefined ? { notifyTimeoutMs: u.notifyTimeoutMs } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(plan.mqtt?.path !== undefined ? { mqttWebSocketPath: plan.mqtt.path } : {}),
    // Operate, the Subscription-row checks and the commands/events GSDM lists come from the notification service.
    handle: (c, msg): Promise<UspMsg | undefined> =>
      handleRequest({ ...c, operate: notifications.operate, beforeCommit: notifications.beforeCommit, supportedCommands: notifications.supportedCommands, supportedEvents: notifications.supportedEvents }, msg),
  });
  const device = uspDeviceOf(cpe);
  const notifications: UspNotifications = new UspNotifications({
    tree: cpe.params,
    template: ctx.template,
    notifier: agent,
    scheduler: ctx.scheduler,
    random: streamFor(ctx.seed, `cpe-${cpe.index}:usp-notify`),
    device,
    generators: ctx.generators,
    logger: ctx.logger,
    bootWithoutSubscription: u.notifyStyle === 'cpe-labs',
    onBoardEveryStart: u.notifyStyle === 'cpe-labs',
  });
  // Why the box came up last: Boot! reports it once the MTP is back (usp-notes §7.1/7.2).
  let boot: UspBootCause = LOCAL_BOOT;
  device.onLifecycle((e) => {
    if (e.kind === 'down') return agent.cut();
    if (e.boot) boot = e.boot;
    agent.restart({ rebooted: e.boot !== undefined, factoryReset: e.why === 'factoryReset' });
  });
  agent.onMtpUp((e) => {
    if (e.started) notifications.onAgentStart(boot);
  });
  return { agent, notifications };
}
