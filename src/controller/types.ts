/**
 * Public shapes of the fake USP Controller (issue 21): options, the recorded records,
 * the behaviours (faults) and the {@link FakeUspController} API.
 * @module
 */
import type {
  AddResp,
  DeleteResp,
  GetInstancesResp,
  GetResp,
  GetSupportedDMResp,
  GetSupportedProtocolResp,
  Notify,
  OperateResp,
  RecordTypeName,
  SetResp,
  UspInput,
  UspMsg,
  UspRequest,
  UspResponse,
  CreateObject,
  UpdateObject,
} from '../usp/index.js';
import type { Logger } from '../log/index.js';

/** The MTP a record travelled on. */
export type UspControllerMtp = 'mqtt' | 'websocket';

/** MQTT protocol version on the wire: 5 (5.0) or 4 (3.1.1). */
export type ControllerMqttVersion = 4 | 5;

/** A TLS server's certificate, for the Controller's `wss:` server or its embedded broker over TLS. */
export interface ControllerTlsServerOptions {
  /** Server certificate (PEM); for 127.0.0.1 it must name IP:127.0.0.1 in subjectAltName. */
  cert: string | Buffer;
  /** Its private key (PEM). */
  key: string | Buffer;
  /** CA(s) client certificates must chain to; with `requireCertificate`. */
  ca?: string | Buffer;
  /** Demand a client certificate chaining to `ca` (mutual TLS). Default false. */
  requireCertificate?: boolean;
}

/** Where the Controller's MQTT client connects. */
export interface ControllerBrokerOptions {
  /**
   * URL of a running broker (Mosquitto, EMQX …): `mqtt://host:port`, `mqtts://host:port`
   * (TLS), `ws://host:port/path` or `wss://host:port/path` (MQTT over WebSocket).
   */
  url: string;
  /** CA(s) the broker's certificate must chain to (`mqtts:`/`wss:`); default the system store. */
  ca?: string | Buffer;
  /** Client certificate and key, for a broker demanding one. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** `false` accepts any broker certificate (tests only). */
  rejectUnauthorized?: boolean;
  /** Default 5 (TR-369 R-MQTT.1); 4 = 3.1.1. */
  protocolVersion?: ControllerMqttVersion;
  username?: string;
  password?: string;
  /** Default: the Controller's EndpointID (R-MQTT.8 allows any; EIDs work on aedes and Mosquitto, notes §6.1). */
  clientId?: string;
}

/** Options of {@link createFakeUspController}. */
export interface FakeUspControllerOptions {
  /** The Controller's EndpointID, `from_id` of everything it sends. Default `self::ctl`. */
  endpointId?: string;
  /**
   * MQTT: `'embedded'` (default) starts an aedes broker on a free 127.0.0.1 port (MQTT
   * 3.1.1 only); an options object connects to the user's broker instead (5.0 possible);
   * `false` = no MQTT.
   */
  mqtt?: 'embedded' | ControllerBrokerOptions | false;
  /**
   * Topic filter the Controller subscribes to. Default `usp/v1/controller/#`: every
   * agent publishing under `usp/v1/controller/` (cpe-labs' layout publishes to
   * `usp/v1/controller/<AGENT EID>`) reaches it.
   */
  subscribeTopic?: string;
  /** The Controller's own reply-to / Response Topic. Default `usp/v1/controller/<EndpointID>`. */
  replyTopic?: string;
  /**
   * The topic used for an agent no record has arrived from yet. Default
   * `usp/v1/agent/<AGENT EID>` (cpe-labs' listen topic).
   */
  agentTopic?: (agentId: string) => string;
  /**
   * WebSocket MTP: `true` starts a server on a free 127.0.0.1 port, accepting agents that
   * dial `ws://127.0.0.1:PORT/usp?eid=<agent EID>` with subprotocol `v1.usp`; or
   * `{ host?, port?, path? }`. Default false.
   */
  websocket?: boolean | { host?: string; port?: number; path?: string; tls?: ControllerTlsServerOptions };
  /**
   * The embedded broker (`mqtt: 'embedded'`) beyond plain MQTT on TCP: `websocket: true`
   * also serves MQTT over WebSocket (`brokerWebSocketUrl`, path `/mqtt`); `tls` puts both
   * listeners under TLS (`mqtts://`, `wss://`; the Controller's own client trusts
   * `tls.ca`, else `tls.cert`).
   */
  embeddedBroker?: { websocket?: boolean; tls?: ControllerTlsServerOptions };
  /** Default time a request waits for its response, ms (default 5000). */
  timeoutMs?: number;
  /** Ring size of the record log (default 5000 records). */
  maxRecords?: number;
  /** Called with every recorded record, both ways. */
  onRecord?: (r: UspRecordEntry) => void;
  logger?: Logger;
  /** Clock for record times (default `Date.now`). */
  now?: () => number;
}

/** Which way a record went. */
export type UspRecordDirection = 'agent->controller' | 'controller->agent';

/** One record the Controller sent or received, decoded as far as it goes. */
export interface UspRecordEntry {
  /** `now()` when it was sent or received. */
  readonly time: number;
  readonly dir: UspRecordDirection;
  readonly mtp: UspControllerMtp;
  /** The agent's EndpointID (to_id when sent, from_id when received; `?` when unreadable). */
  readonly agentId: string;
  /** MQTT topic it was published to. */
  readonly topic?: string;
  readonly toId?: string;
  readonly fromId?: string;
  /** Record type (`no_session_context`, `mqtt_connect`, `disconnect` …); absent when the record did not decode. */
  readonly recordType?: RecordTypeName;
  /** The Msg's id and type, when the record carried a decodable Msg. */
  readonly msgId?: string;
  readonly msgType?: string;
  /** The decoded Msg (no_session_context only). */
  readonly msg?: UspMsg;
  /** Why the record or its Msg did not decode, or a note (`mqtt_connect V5 topic …`). */
  readonly note?: string;
  /** Size of the encoded record. */
  readonly bytes: number;
}

/** A Notify the Controller received. */
export interface UspNotifyRecord {
  readonly time: number;
  readonly agentId: string;
  readonly mtp: UspControllerMtp;
  readonly msgId: string;
  readonly notify: Notify;
}

/** What the Controller does wrong on purpose, for an agent's retry and error paths. */
export interface UspControllerBehaviour {
  /**
   * Answer to a Notify with send_resp=true: `'auto'` (default) a NotifyResp with the same
   * msg_id; `'none'` nothing (the agent retries, R-NOT.1); `'wrong-msg-id'` a NotifyResp
   * with another msg_id (which the agent must ignore, R-MSG.9).
   */
  notifyResp?: 'auto' | 'none' | 'wrong-msg-id';
  /** to_id written on requests instead of the agent's EID (the agent must drop them, R-E2E.1). */
  toId?: string;
  /** Wrap requests in a `session_context` record (an agent without E2E answers `disconnect` 7106). */
  sessionContext?: boolean;
}

/** A parameter value to write: a string (required by default), or with its own `required` flag. */
export type UspParamValue = string | number | boolean | { value: string | number | boolean; required?: boolean };

/**
 * Objects to write or create: `{ 'Device.WiFi.SSID.1.': { SSID: 'lab', Enable: true } }`, or
 * the protobuf shape (`UpdateObject[]` / `CreateObject[]`).
 */
export type UspObjectParams = Readonly<Record<string, Readonly<Record<string, UspParamValue>>>>;

/** Options every request takes. */
export interface UspRequestOptions {
  /** Milliseconds to wait for the answer (default the Controller's `timeoutMs`). */
  timeoutMs?: number;
  /** msg_id to use (default `ctl-<n>`). */
  msgId?: string;
}

/** Options of `set`, `add` and `delete`. */
export interface UspWriteOptions extends UspRequestOptions {
  /** allow_partial (default false). */
  allowPartial?: boolean;
}

/** Options of `operate`. */
export interface UspOperateOptions extends UspRequestOptions {
  commandKey?: string;
  /** send_resp (default true). false: resolves `undefined` once sent (R-OPR.4). */
  sendResp?: boolean;
}

/** A subscription row to create (`Device.LocalAgent.Subscription.{i}.`), every param sent as required. */
export interface UspSubscriptionSpec {
  /** ID (subscription_id of its Notifies). */
  id: string;
  notifType: 'ValueChange' | 'ObjectCreation' | 'ObjectDeletion' | 'OperationComplete' | 'Event';
  /** Watched paths (joined with `,`). */
  referenceList: string | readonly string[];
  /** Default true. */
  enable?: boolean;
  /** NotifRetry (send_resp=true and retries), default false. */
  notifRetry?: boolean;
  /** Persistent (survives a reboot), default false. */
  persistent?: boolean;
  /** TimeToLive, seconds (sent only when given). */
  timeToLive?: number;
  /** NotifExpiration, seconds (sent only when given). */
  notifExpiration?: number;
  /** TriggerAction (TR-181 2.16): `Notify` (the agent's default), `Config`, `NotifyAndConfig` (sent only when given). */
  triggerAction?: 'Notify' | 'Config' | 'NotifyAndConfig';
  /** TriggerConfigSettings: `Path=Value` entries the agent applies when the subscription fires with a Config action (sent only when given). */
  triggerConfigSettings?: string | readonly string[];
}

/** Options of `waitForNotify`. */
export interface WaitForNotifyOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** Only Notifies recorded at or after this time (default: any recorded). */
  since?: number;
}

/**
 * The fake USP Controller. Every `agentId` argument takes an EndpointID or an alias
 * (see `alias`). Create it with {@link createFakeUspController}; point agents at
 * `brokerUrl` (MQTT) or `websocketUrl`, then drive them with typed requests.
 */
export interface FakeUspController extends AsyncDisposable {
  /** The Controller's EndpointID (`self::ctl` by default). */
  readonly endpointId: string;
  /** `mqtt://127.0.0.1:PORT` of the embedded broker, or the user's broker URL; undefined without MQTT. */
  readonly brokerUrl: string | undefined;
  /** MQTT version the Controller's own client speaks (4 = 3.1.1 with the embedded aedes). */
  readonly mqttVersion: ControllerMqttVersion | undefined;
  /** The topic the Controller receives on (its reply-to). */
  readonly replyTopic: string;
  /** `ws://127.0.0.1:PORT/usp` (`wss://` with `websocket.tls`) of the WebSocket server (agents add `?eid=`); undefined without it. */
  readonly websocketUrl: string | undefined;
  /** `ws://127.0.0.1:PORT/mqtt` (`wss://` with TLS) of the embedded broker's MQTT-over-WebSocket listener (`embeddedBroker.websocket`). */
  readonly brokerWebSocketUrl: string | undefined;
  /** Every record both ways, oldest first (a ring of `maxRecords`). */
  readonly records: readonly UspRecordEntry[];
  /** Every Notify received, oldest first. */
  readonly notifies: readonly UspNotifyRecord[];
  /** EndpointIDs of the agents a record arrived from. */
  agents(): string[];
  /** Resolves once a record from `agentId` arrived (a Connect record, a Notify …). */
  waitForAgent(agentId: string, opts?: { timeoutMs?: number }): Promise<void>;

  /** Get: `max_depth` 0 = the whole subtree. Errors per path live in the result (R-GET). */
  get(agentId: string, paths: string | readonly string[], opts?: UspRequestOptions & { maxDepth?: number }): Promise<GetResp>;
  /** Get, flattened to `{ fullPath: value }`; a path with an error throws it ({@link UspErrorResponse}). */
  getValues(agentId: string, paths: string | readonly string[], opts?: UspRequestOptions & { maxDepth?: number }): Promise<Record<string, string>>;
  set(agentId: string, objects: UspObjectParams | readonly UspInput<UpdateObject>[], opts?: UspWriteOptions): Promise<SetResp>;
  add(agentId: string, objects: UspObjectParams | readonly UspInput<CreateObject>[], opts?: UspWriteOptions): Promise<AddResp>;
  delete(agentId: string, paths: string | readonly string[], opts?: UspWriteOptions): Promise<DeleteResp>;
  getInstances(agentId: string, paths: string | readonly string[], opts?: UspRequestOptions & { firstLevelOnly?: boolean }): Promise<GetInstancesResp>;
  getSupportedDM(
    agentId: string,
    paths: string | readonly string[],
    opts?: UspRequestOptions & { firstLevelOnly?: boolean; returnCommands?: boolean; returnEvents?: boolean; returnParams?: boolean; returnUniqueKeySets?: boolean },
  ): Promise<GetSupportedDMResp>;
  getSupportedProtocol(agentId: string, opts?: UspRequestOptions & { versions?: string }): Promise<GetSupportedProtocolResp>;
  operate(agentId: string, command: string, args?: Readonly<Record<string, string>>, opts?: UspOperateOptions): Promise<OperateResp | undefined>;
  /** Adds a `Device.LocalAgent.Subscription.{i}.` row; resolves with its instance path. */
  subscribe(agentId: string, spec: UspSubscriptionSpec, opts?: UspRequestOptions): Promise<string>;
  /** Any request; resolves with the Response body (an Error Msg rejects with {@link UspErrorResponse}). */
  request(agentId: string, request: UspInput<UspRequest>, opts?: UspRequestOptions): Promise<UspResponse>;
  /** Sends these bytes as one MQTT message / WebSocket frame on the agent's route, unchecked. */
  sendRaw(agentId: string, bytes: Uint8Array): Promise<void>;

  /**
   * Resolves with the first recorded Notify from `agentId` (`'*'`: any agent) matching
   * `predicate` (at or after `since`), else the next one.
   */
  waitForNotify(agentId: string, predicate?: (n: Notify, r: UspNotifyRecord) => boolean, opts?: WaitForNotifyOptions | number): Promise<UspNotifyRecord>;
  /** The records exchanged with `agentId` as readable lines (one per record, decoded Msg below). */
  transcript(agentId?: string, opts?: { since?: number; max?: number }): string;
  /**
   * Lets every method take `key` (e.g. `cpe-3`) for the agent's EndpointID; the
   * `withCpeFleet({ usp: true })` fixture registers `cpe-N` for each CPE.
   */
  alias(key: string, agentId: string): void;
  /** The EndpointID `key` stands for (an alias, else `key` itself). */
  resolve(key: string): string;
  /** Sets (or with `null` clears) what the Controller does wrong for `agentId` (`'*'` = every agent). */
  behave(agentId: string, b: UspControllerBehaviour | null): void;
  /** Forgets records and Notifies (routes and behaviours stay). */
  clear(): void;
  /** Idempotent: rejects pending requests and waits, closes the MQTT client, the broker and the WebSocket server. */
  close(): Promise<void>;
}
