/**
 * The per-CPE values of the mounted USP objects (mount.ts): identity, the seeded
 * Controller row, topics, broker and credentials. Written with `setInternal` when the
 * agent first starts and again after a factory reset (which returns the tree to the
 * profile), as a device's provisioning would.
 * @module
 */
import type { ParameterTree } from '../datamodel/index.js';
import { setIfPresent } from './controllers.js';
import { USP_PATHS } from './mount.js';
import type { MqttTransportProtocol } from './mqtt.js';

/** The MQTT half of {@link UspProvisioning}. */
export interface UspMqttProvisioning {
  host: string;
  port: number;
  /** Written to `Device.MQTT.Client.1.ProtocolVersion` (`5.0` or `3.1.1`). */
  protocolVersion: '5.0' | '3.1.1';
  clientId: string;
  username: string;
  password: string;
  /** This agent's topic (`ResponseTopicConfigured`); its `/#` filter is subscribed. */
  agentTopic: string;
  /** Where this agent publishes to the Controller (`Controller.1.MTP.{j}.MQTT.Topic`). */
  controllerTopic: string;
  /** `Device.MQTT.Client.1.TransportProtocol` (TR-181 2.19); default `TCP/IP`. */
  transport?: MqttTransportProtocol;
}

/** The WebSocket half of {@link UspProvisioning}: the Controller's server. */
export interface UspWebSocketProvisioning {
  host: string;
  port: number;
  path: string;
  encrypted: boolean;
}

/** Everything written into one agent's tree. */
export interface UspProvisioning {
  endpointId: string;
  /** EndpointID of the seeded `Controller.1` row. */
  controllerId: string;
  mqtt?: UspMqttProvisioning;
  websocket?: UspWebSocketProvisioning;
}

/** Row of each MTP in `LocalAgent.MTP.` and `Controller.1.MTP.`: MQTT first, then WebSocket (mount.ts). */
export function mtpRows(p: { mqtt?: unknown; websocket?: unknown }): { mqtt?: number; websocket?: number } {
  const out: { mqtt?: number; websocket?: number } = {};
  if (p.mqtt !== undefined) out.mqtt = 1;
  if (p.websocket !== undefined) out.websocket = p.mqtt !== undefined ? 2 : 1;
  return out;
}

/** Writes `p` into `tree` (leaves the profile left out are skipped). */
export function provisionAgent(tree: ParameterTree, p: UspProvisioning): void {
  const set = (path: string, value: string): void => setIfPresent(tree, path, value);
  const la = USP_PATHS.localAgent;
  const ctl = `${USP_PATHS.controller}1.`;
  set(`${la}EndpointID`, p.endpointId);
  set(`${ctl}EndpointID`, p.controllerId);
  const rows = mtpRows(p);
  if (p.mqtt && rows.mqtt !== undefined) {
    const m = p.mqtt;
    const own = `${USP_PATHS.mtp}${rows.mqtt}.`;
    const theirs = `${USP_PATHS.controllerMtp}${rows.mqtt}.`;
    const client = `${USP_PATHS.mqttClient}1.`;
    set(`${own}Protocol`, 'MQTT');
    set(`${own}MQTT.Reference`, 'Device.MQTT.Client.1');
    set(`${own}MQTT.ResponseTopicConfigured`, m.agentTopic);
    set(`${theirs}Protocol`, 'MQTT');
    set(`${theirs}MQTT.Reference`, 'Device.MQTT.Client.1');
    set(`${theirs}MQTT.Topic`, m.controllerTopic);
    set(`${client}BrokerAddress`, m.host);
    set(`${client}BrokerPort`, String(m.port));
    set(`${client}TransportProtocol`, m.transport ?? 'TCP/IP');
    set(`${client}ProtocolVersion`, m.protocolVersion);
    set(`${client}ClientID`, m.clientId);
    set(`${client}Username`, m.username);
    set(`${client}Password`, m.password);
    // One filter serves 5.0 senders (the exact topic) and 3.1.1 senders (`<topic>/reply-to=…`): usp-notes §6.1.
    set(`${USP_PATHS.mqttSubscription}1.Topic`, `${m.agentTopic}/#`);
  }
  if (p.websocket && rows.websocket !== undefined) {
    const w = p.websocket;
    const own = `${USP_PATHS.mtp}${rows.websocket}.`;
    const theirs = `${USP_PATHS.controllerMtp}${rows.websocket}.`;
    set(`${own}Protocol`, 'WebSocket');
    set(`${theirs}Protocol`, 'WebSocket');
    set(`${theirs}WebSocket.Host`, w.host);
    set(`${theirs}WebSocket.Port`, String(w.port));
    set(`${theirs}WebSocket.Path`, w.path);
    set(`${theirs}WebSocket.EnableEncryption`, String(w.encrypted));
  }
}

/** `{eid}` in a topic template, replaced by the Endpoint ID. */
export function topicFor(template: string, endpointId: string): string {
  return template.replaceAll('{eid}', endpointId);
}
