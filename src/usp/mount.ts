/**
 * The TR-181 objects a USP Agent publishes about itself (`Device.LocalAgent.`,
 * `Device.MQTT.Client.`), mounted into a profile that lacks them. A profile
 * transform applied before `Template.compile`, like the Annex G leaves of
 * `fleet/nat.ts`: the shared template gets the shapes once, and each agent writes
 * its own values (EndpointID, topics, credentials, Status) into its tree.
 *
 * Paths and defaults: TR-181 2.19 (`tr-181-2-usp.xml`, `-localagent`, `-mqtt`),
 * usp-notes §5 and §6.4.
 * @module
 */
import type { LeafDef, Profile, TableDef, XsdType } from '../profile/index.js';

/** Which MTPs the agent runs: decides the rows of the MTP tables and whether `Device.MQTT.` is mounted. */
export interface UspMountOptions {
  /** An MQTT MTP (one `Device.MQTT.Client.1` row, `LocalAgent.MTP` and `Controller.1.MTP` rows with Protocol MQTT). */
  mqtt: boolean;
  /** A WebSocket MTP (agent dialling out: a `Controller.1.MTP` row with Protocol WebSocket). */
  websocket: boolean;
  /**
   * Defaults of mounted leaves by full path, for values every CPE of the fleet shares
   * (the broker, the Controller's EndpointID): held once by the template instead of in
   * every tree. A leaf in a table is named by its row 1 path and becomes the default of
   * every row of that table.
   */
  values?: Readonly<Record<string, string>>;
}

type Spec = readonly [rel: string, type: XsdType, value: string, writable: boolean, hidden?: boolean];

const S = 'xsd:string';
const B = 'xsd:boolean';
const U = 'xsd:unsignedInt';
const T = 'xsd:dateTime';

/** TR-181's "unknown time" (dateTime default). */
export const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

const LOCAL_AGENT: readonly Spec[] = [
  ['EndpointID', S, '', false],
  // The agent's software is the device's firmware: copied from DeviceInfo.SoftwareVersion at each start.
  ['SoftwareVersion', S, '', false],
  ['SupportedProtocols', S, 'MQTT,WebSocket', false],
  // Seconds since the box (and so the agent) last booted: kept by the agent (uptime.ts).
  ['UpTime', U, '0', false],
  // Every counter reads its table's rows (ParameterTree derives NumberOfEntries on read).
  ['MTPNumberOfEntries', U, '0', false],
  ['ControllerNumberOfEntries', U, '0', false],
  ['SubscriptionNumberOfEntries', U, '0', false],
  ['RequestNumberOfEntries', U, '0', false],
];

const LOCAL_MTP_ROW: readonly Spec[] = [
  ['Alias', S, 'cpe-{i}', true],
  ['Enable', B, 'true', true],
  ['Status', S, 'Down', false],
  ['Protocol', S, '', true],
  ['EnableMDNS', B, 'false', true],
  ['MQTT.Reference', S, '', true],
  ['MQTT.ResponseTopicConfigured', S, '', true],
  ['MQTT.ResponseTopicDiscovered', S, '', false],
  ['MQTT.PublishQoS', U, '1', true],
  ['WebSocket.Interfaces', S, '', true],
  ['WebSocket.Port', U, '0', true],
  ['WebSocket.Path', S, '', true],
  ['WebSocket.EnableEncryption', B, 'false', true],
  ['WebSocket.KeepAliveInterval', U, '30', true],
];

const CONTROLLER_ROW: readonly Spec[] = [
  ['Alias', S, 'cpe-{i}', true],
  ['EndpointID', S, '', true],
  ['Enable', B, 'true', true],
  ['AssignedRole', S, '', true],
  ['Credential', S, '', true],
  ['PeriodicNotifInterval', U, '86400', true],
  ['PeriodicNotifTime', T, UNKNOWN_TIME, true],
  ['USPNotifRetryMinimumWaitInterval', U, '5', true],
  ['USPNotifRetryIntervalMultiplier', U, '2000', true],
  ['ProvisioningCode', S, '', true],
  // TR-181 2.17: a Controller writes true once it has onboarded the Agent; SendOnBoardRequest() sets it false.
  ['OnBoardingComplete', B, 'false', true],
  ['OnBoardingRestartTime', U, '0', true],
  ['MTPNumberOfEntries', U, '0', false],
  ['BootParameterNumberOfEntries', U, '0', false],
  // Which TransferComplete! outcomes this Controller wants (Success, Failure, Both): usp/transfer-policy.ts.
  ['TransferCompletePolicy.ResultTypeFilter', S, 'Both', true],
];

const CONTROLLER_MTP_ROW: readonly Spec[] = [
  ['Alias', S, 'cpe-{i}', true],
  ['Enable', B, 'true', true],
  ['Protocol', S, '', true],
  ['Order', U, '{i}', true],
  ['MQTT.Reference', S, '', true],
  ['MQTT.Topic', S, '', true],
  ['MQTT.PublishRetainResponse', B, 'false', true],
  ['MQTT.PublishRetainNotify', B, 'false', true],
  ['WebSocket.Host', S, '', true],
  ['WebSocket.Port', U, '0', true],
  ['WebSocket.Path', S, '', true],
  ['WebSocket.EnableEncryption', B, 'false', true],
  ['WebSocket.KeepAliveInterval', U, '30', true],
  ['WebSocket.SessionRetryMinimumWaitInterval', U, '5', true],
  ['WebSocket.SessionRetryIntervalMultiplier', U, '2000', true],
];

const BOOT_PARAMETER_ROW: readonly Spec[] = [
  ['Alias', S, 'cpe-{i}', true],
  ['Enable', B, 'false', true],
  ['ParameterName', S, '', true],
];

/** usp-notes §5: every Subscription parameter, Recipient and CreationDate read-only (the Agent fills them). */
const SUBSCRIPTION_ROW: readonly Spec[] = [
  ['Alias', S, 'cpe-{i}', true],
  ['Enable', B, 'false', true],
  ['Recipient', S, '', false],
  ['ID', S, '', true],
  ['CreationDate', T, UNKNOWN_TIME, false],
  ['NotifType', S, '', true],
  ['ReferenceList', S, '', true],
  ['Persistent', B, 'false', true],
  ['TimeToLive', U, '0', true],
  ['NotifRetry', B, 'false', true],
  ['NotifExpiration', U, '0', true],
  ['TriggerAction', S, 'Notify', true],
  ['TriggerConfigSettings', S, '', true],
];

const REQUEST_ROW: readonly Spec[] = [
  ['Alias', S, 'cpe-{i}', true],
  ['Originator', S, '', false],
  ['Command', S, '', false],
  ['CommandKey', S, '', false],
  ['Status', S, 'Requested', false],
];

/** TR-181 `Device.MQTT.Client.{i}.`; ConnectRetry* as R-MQTT.10 / .33 (5 s, ×2, 30720 s). */
const MQTT_CLIENT_ROW: readonly Spec[] = [
  ['Alias', S, 'cpe-{i}', true],
  ['Name', S, 'usp', true],
  ['Enable', B, 'true', true],
  ['Status', S, 'Disabled', false],
  ['ProtocolVersion', S, '5.0', true],
  ['BrokerAddress', S, '', true],
  ['BrokerPort', U, '1883', true],
  ['TransportProtocol', S, 'TCP/IP', true],
  ['CleanSession', B, 'true', true],
  ['CleanStart', B, 'true', true],
  ['KeepAliveTime', U, '60', true],
  ['ClientID', S, '', true],
  ['Username', S, '', true],
  // TR-181 secured parameter: reads back empty (hidden), the device keeps the value.
  ['Password', S, '', true, true],
  ['RequestResponseInfo', B, 'true', true],
  ['ResponseInformation', S, '', false],
  ['ConnectRetryTime', U, '5', true],
  ['ConnectRetryIntervalMultiplier', U, '2000', true],
  ['ConnectRetryMaxInterval', U, '30720', true],
  ['SubscriptionNumberOfEntries', U, '0', false],
];

const MQTT_SUBSCRIPTION_ROW: readonly Spec[] = [
  ['Alias', S, 'cpe-{i}', true],
  ['Enable', B, 'true', true],
  ['Status', S, 'Unsubscribed', false],
  ['Topic', S, '', true],
  ['QoS', U, '0', true],
];

/** Paths of the mounted objects (TR-181 names; the prefix is always `Device.`). */
export const USP_PATHS = {
  localAgent: 'Device.LocalAgent.',
  mtp: 'Device.LocalAgent.MTP.',
  controller: 'Device.LocalAgent.Controller.',
  controllerMtp: 'Device.LocalAgent.Controller.1.MTP.',
  bootParameter: 'Device.LocalAgent.Controller.1.BootParameter.',
  subscription: 'Device.LocalAgent.Subscription.',
  request: 'Device.LocalAgent.Request.',
  mqttClient: 'Device.MQTT.Client.',
  mqttSubscription: 'Device.MQTT.Client.1.Subscription.',
} as const;

function leaf([rel, type, value, writable, hidden]: Spec, prefix: string): LeafDef {
  const def: LeafDef = { path: prefix + rel, type, value, writable };
  if (hidden === true) def.hidden = true;
  return def;
}

/**
 * True when `path` (a leaf or a table path ending in '.') would collide with what the
 * profile declares: the same leaf, the same table, or anything inside that table.
 */
function taken(profile: Profile, path: string): boolean {
  for (const t of profile.objects) {
    const tp = t.path.endsWith('.') ? t.path : `${t.path}.`;
    if (path === tp || path.startsWith(tp) || tp.startsWith(path.endsWith('.') ? path : `${path}.`)) return true;
  }
  if (path.endsWith('.')) return profile.parameters.some((p) => p.path.startsWith(path));
  return profile.parameters.some((p) => p.path === path || p.path.startsWith(`${path}.`));
}

/**
 * `profile` with the USP Agent's TR-181 objects it lacks (usp-notes §6.4): the
 * `Device.LocalAgent.` leaves, its `MTP`, `Controller` (one row, with `MTP` and
 * `BootParameter` sub-tables), `Subscription` and `Request` tables, and for MQTT one
 * `Device.MQTT.Client.` row with one `Subscription` row. A leaf or table the profile
 * already declares is left as the profile has it (its definition wins).
 *
 * A Controller row added later (USP Add, CWMP AddObject) gets empty MTP and
 * BootParameter sub-tables like row 1's (`Template.rowShape`).
 *
 * @example
 * const template = Template.compile(withUspObjects(profile, { mqtt: true, websocket: false }));
 */
export function withUspObjects(profile: Profile, opts: UspMountOptions): Profile {
  const mtpRows = (opts.mqtt ? 1 : 0) + (opts.websocket ? 1 : 0);
  const parameters: LeafDef[] = [];
  const objects: TableDef[] = [];
  const values = opts.values ?? {};
  const withValue = (def: LeafDef, key: string): LeafDef => (Object.hasOwn(values, key) ? { ...def, value: values[key]! } : def);
  const addLeaves = (prefix: string, specs: readonly Spec[]): void => {
    for (const s of specs) {
      const def = withValue(leaf(s, prefix), prefix + s[0]);
      if (!taken(profile, def.path)) parameters.push(def);
    }
  };
  const addTable = (path: string, instances: number, specs: readonly Spec[]): boolean => {
    if (taken(profile, path)) return false;
    objects.push({ path, instances, uniqueKeys: ['Alias'], parameters: specs.map((s) => withValue(leaf(s, ''), `${path}1.${s[0]}`)) });
    return true;
  };
  addLeaves(USP_PATHS.localAgent, LOCAL_AGENT);
  addTable(USP_PATHS.mtp, mtpRows, LOCAL_MTP_ROW);
  if (addTable(USP_PATHS.controller, 1, CONTROLLER_ROW)) {
    addTable(USP_PATHS.controllerMtp, mtpRows, CONTROLLER_MTP_ROW);
    addTable(USP_PATHS.bootParameter, 0, BOOT_PARAMETER_ROW);
  }
  addTable(USP_PATHS.subscription, 0, SUBSCRIPTION_ROW);
  addTable(USP_PATHS.request, 0, REQUEST_ROW);
  if (opts.mqtt) {
    addLeaves('Device.MQTT.', [['ClientNumberOfEntries', U, '0', false]]);
    if (addTable(USP_PATHS.mqttClient, 1, MQTT_CLIENT_ROW)) addTable(USP_PATHS.mqttSubscription, 1, MQTT_SUBSCRIPTION_ROW);
  }
  if (parameters.length === 0 && objects.length === 0) return profile;
  const roots = [...new Set([...profile.roots, 'Device'])].sort();
  return { ...profile, roots, parameters: [...profile.parameters, ...parameters], objects: [...profile.objects, ...objects] };
}
