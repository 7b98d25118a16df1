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
import { streamFor } from '../random/index.js';
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
  type UspBootCause,
  type UspMsg,
  type EndpointIdFormat,
  type UspMqttVersion,
  type UspProvisioning,
} from '../usp/index.js';
import { parseHostPort } from './nat.js';
import { uspDeviceOf } from './usp-device.js';

/** USP options of a fleet (`startFleet({ usp })`): every CPE is also a TR-369 Agent. */
export interface FleetUspOptions {
  /** MQTT broker, `host:port` (the seed's `--usp-broker`; port 1883 when absent) or `mqtt://host:port`. */
  broker?: string;
  /** A Controller's WebSocket server, `ws://host:port/path` (or `wss://`): each agent dials out to it. */
  websocket?: string;
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
  'broker', 'websocket', 'controllerId', 'mqttVersion', 'mqttSecret', 'mqttUsername', 'mqttPassword', 'endpointIdFormat', 'agentTopic', 'controllerTopic', 'notifyTimeoutMs', 'onlineTimeoutMs', 'notifyStyle',
]);

/** The parsed, checked form of {@link FleetUspOptions}. */
interface UspPlan {
  mqtt?: { host: string; port: number };
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
  if (u.broker !== undefined) {
    const m = /^mqtt:\/\/(.+?)\/?$/.exec(u.broker);
    if (typeof u.broker !== 'string' || /^[a-z]+:\/\//.test(u.broker) && !m) throw new ConfigError(`${where}.broker must be host:port or mqtt://host:port (plain TCP), got ${JSON.stringify(u.broker)}`);
    plan.mqtt = parseHostPort(m ? m[1]! : u.broker, `${where}.broker`, 1883);
  }
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
  return withUspObjects(profile, { mqtt: plan.mqtt !== undefined, websocket: plan.websocket !== undefined, values });
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
    };
  }
  if (plan.websocket) provisioning.websocket = plan.websocket;
  // Stream `cpe-<g>:usp`: the MTP back-off draws replay with the root seed (decision 004).
  const rng = streamFor(ctx.seed, `cpe-${cpe.index}:usp`);
  const agent: UspAgent = new UspAgent({
    tree: cpe.params,
    template: ctx.template,
    endpointId: eid,
    scheduler: ctx.scheduler,
    random: () => rng.float(),
    logger: ctx.logger,
    provisioning,
    mqttVersion: plan.version,
    mqttVersionMemo: ctx.versionMemo,
    ...(u.notifyTimeoutMs !== undefined ? { notifyTimeoutMs: u.notifyTimeoutMs } : {}),
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
