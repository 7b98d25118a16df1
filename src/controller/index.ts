/**
 * The fake USP Controller (issue 21): the TR-369 counterpart of the fake ACS, for tests
 * of USP Agents. An embedded MQTT broker (aedes) on a free loopback port by default, or
 * the user's broker; a WebSocket server on `v1.usp`; typed requests that resolve with
 * the decoded response or reject with the agent's USP error code; every record
 * recorded both ways; Notifies answered and waitable.
 * @see docs/usp.md
 * @module
 */
import type { CreateObject, GetResp, Notify, OperateResp, ParamSetting, UpdateObject, UspInput, UspResponse } from '../usp/index.js';
import { ControllerCore } from './core.js';
import { USP_CONTROLLER_ERROR, UspControllerError, UspErrorResponse } from './errors.js';
import { ControllerMqtt, startEmbeddedBroker, type ControllerMqttOptions, type EmbeddedBroker } from './mqtt.js';
import { ControllerWebSocket } from './websocket.js';
import type { FakeUspController, FakeUspControllerOptions, UspObjectParams, UspParamValue, UspRecordEntry, UspSubscriptionSpec } from './types.js';

// ---- Types -------------------------------------------------------------------------
export type {
  ControllerBrokerOptions,
  ControllerTlsServerOptions,
  FakeUspController,
  FakeUspControllerOptions,
  ControllerMqttVersion,
  UspControllerBehaviour,
  UspRecordDirection,
  UspControllerMtp,
  UspNotifyRecord,
  UspObjectParams,
  UspOperateOptions,
  UspParamValue,
  UspRecordEntry,
  UspRequestOptions,
  UspSubscriptionSpec,
  UspWriteOptions,
  WaitForNotifyOptions,
} from './types.js';

// ---- Errors and helpers ------------------------------------------------------------
export { UspControllerError, UspErrorResponse, USP_CONTROLLER_ERROR, isUspControllerError } from './errors.js';
export { formatRecordLine as formatUspRecordLine, notifySummary, summarizeMsg as summarizeUspMsg } from './core.js';
export { escapeReplyTo, replyToFromTopic, topicMatches } from './mqtt.js';

function list(paths: string | readonly string[], what: string): string[] {
  const out = typeof paths === 'string' ? [paths] : [...paths];
  if (out.length === 0 || out.some((p) => typeof p !== 'string' || p === '')) {
    throw new UspControllerError(USP_CONTROLLER_ERROR.BAD_INPUT, `${what}: expected a path or a non-empty list of paths such as 'Device.DeviceInfo.', got ${JSON.stringify(paths)}`);
  }
  return out;
}

function setting(param: string, v: UspParamValue): UspInput<ParamSetting> {
  if (typeof v === 'object' && v !== null) return { param, value: String(v.value), required: v.required ?? true };
  return { param, value: String(v), required: true };
}

/** `{ obj: { param: value } }` → UpdateObject/CreateObject list; protobuf-shaped lists pass through. */
function objects(o: UspObjectParams | readonly UspInput<UpdateObject>[] | readonly UspInput<CreateObject>[], what: string): UspInput<UpdateObject>[] {
  if (Array.isArray(o)) return [...(o as readonly UspInput<UpdateObject>[])];
  if (typeof o !== 'object' || o === null) throw new UspControllerError(USP_CONTROLLER_ERROR.BAD_INPUT, `${what}: expected { 'Device.Obj.1.': { Param: 'value' } } or a list of { obj_path, param_settings }, got ${JSON.stringify(o)}`);
  return Object.entries(o as UspObjectParams).map(([obj_path, params]) => ({ obj_path, param_settings: Object.entries(params).map(([k, v]) => setting(k, v)) }));
}

/** Narrows a Response to one member, which the core already checked against the request. */
function member<K extends keyof UspResponse>(r: UspResponse, k: K): NonNullable<UspResponse[K]> {
  return r[k] as NonNullable<UspResponse[K]>;
}

/** Flattens a GetResp to `{ fullPath: value }`; a requested path with an error throws it. */
export function getRespValues(agentId: string, msgId: string, resp: GetResp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of resp.req_path_results) {
    if (r.err_code !== 0) throw new UspErrorResponse(agentId, msgId, { err_code: r.err_code, err_msg: `${r.requested_path}: ${r.err_msg}`, param_errs: [] });
    for (const obj of r.resolved_path_results) for (const [k, v] of Object.entries(obj.result_params)) out[`${obj.resolved_path}${k}`] = v;
  }
  return out;
}

/**
 * Starts a fake USP Controller: by default an embedded aedes broker on a free 127.0.0.1
 * port (`brokerUrl`; MQTT 3.1.1) and the Controller's MQTT client on it; `websocket: true`
 * also serves agents over WebSocket (`websocketUrl`).
 * @example
 * await using ctl = await createFakeUspController();
 * // point an agent at ctl.brokerUrl with Controller EndpointID ctl.endpointId, then:
 * await ctl.waitForNotify(eid, (n) => n.event?.event_name === 'Boot!');
 * const resp = await ctl.get(eid, 'Device.DeviceInfo.SoftwareVersion');
 */
export async function createFakeUspController(opts: FakeUspControllerOptions = {}): Promise<FakeUspController> {
  const endpointId = opts.endpointId ?? 'self::ctl';
  const replyTopic = opts.replyTopic ?? `usp/v1/controller/${endpointId}`;
  const subscribeTopic = opts.subscribeTopic ?? 'usp/v1/controller/#';
  const agentTopic = opts.agentTopic ?? ((eid: string) => `usp/v1/agent/${eid}`);
  let mqttSide: ControllerMqtt | undefined;
  const core = new ControllerCore({
    endpointId,
    timeoutMs: opts.timeoutMs ?? 5000,
    maxRecords: opts.maxRecords ?? 5000,
    now: opts.now ?? Date.now,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.onRecord ? { onRecord: opts.onRecord } : {}),
    fallbackRoute: (eid) => mqttSide?.fallback(eid),
  });
  let broker: EmbeddedBroker | undefined;
  let ws: ControllerWebSocket | undefined;
  const mqttOpt = opts.mqtt ?? 'embedded';
  let brokerUrl: string | undefined;
  let mqttVersion: 4 | 5 | undefined;
  try {
    if (mqttOpt !== false) {
      let tls: ControllerMqttOptions['tls'];
      if (mqttOpt === 'embedded') {
        const eb = opts.embeddedBroker ?? {};
        broker = await startEmbeddedBroker('127.0.0.1', 0, eb);
        brokerUrl = broker.url;
        // aedes speaks 3.1.1 only (notes §9.1).
        mqttVersion = 4;
        // Our own client trusts the embedded broker's certificate (its CA, or itself when self-signed).
        if (eb.tls) tls = { ca: eb.tls.ca ?? eb.tls.cert };
      } else {
        brokerUrl = mqttOpt.url;
        mqttVersion = mqttOpt.protocolVersion ?? 5;
        tls = {
          ...(mqttOpt.ca !== undefined ? { ca: mqttOpt.ca } : {}),
          ...(mqttOpt.cert !== undefined ? { cert: mqttOpt.cert } : {}),
          ...(mqttOpt.key !== undefined ? { key: mqttOpt.key } : {}),
          ...(mqttOpt.rejectUnauthorized !== undefined ? { rejectUnauthorized: mqttOpt.rejectUnauthorized } : {}),
        };
      }
      mqttSide = await ControllerMqtt.connect(core, {
        url: brokerUrl,
        protocolVersion: mqttVersion,
        clientId: mqttOpt !== 'embedded' && mqttOpt.clientId !== undefined ? mqttOpt.clientId : endpointId,
        ...(mqttOpt !== 'embedded' && mqttOpt.username !== undefined ? { username: mqttOpt.username } : {}),
        ...(mqttOpt !== 'embedded' && mqttOpt.password !== undefined ? { password: mqttOpt.password } : {}),
        subscribeTopic,
        replyTopic,
        agentTopic,
        onError: (err) => opts.logger?.debug('usp-controller: MQTT client error', { err: err.message }),
        ...(tls !== undefined ? { tls } : {}),
      });
    }
    if (opts.websocket) ws = await ControllerWebSocket.start(core, opts.websocket === true ? {} : opts.websocket);
  } catch (err) {
    await mqttSide?.close();
    await broker?.close();
    await ws?.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const req = (eid: string, r: Parameters<ControllerCore['request']>[1], o: { timeoutMs?: number; msgId?: string } = {}): Promise<UspResponse> => core.request(core.resolve(eid), r, o);
  const pick = (o: { timeoutMs?: number | undefined; msgId?: string | undefined } | undefined): { timeoutMs?: number; msgId?: string } => ({
    ...(o?.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o?.msgId !== undefined ? { msgId: o.msgId } : {}),
  });

  const ctl: FakeUspController = {
    endpointId,
    brokerUrl,
    mqttVersion,
    replyTopic,
    websocketUrl: ws?.url,
    brokerWebSocketUrl: broker?.webSocketUrl,
    get records(): readonly UspRecordEntry[] {
      return core.records;
    },
    get notifies() {
      return core.notifies;
    },
    agents: () => core.agents(),
    waitForAgent: (eid, o = {}) => core.waitForAgent(core.resolve(eid), o.timeoutMs ?? 5000),

    get: async (eid, paths, o = {}) => member(await req(eid, { get: { param_paths: list(paths, 'get'), max_depth: o.maxDepth ?? 0 } }, pick(o)), 'get_resp'),
    getValues: async (eid, paths, o = {}) => {
      const msgId = o.msgId ?? core.newMsgId();
      const resp = member(await req(eid, { get: { param_paths: list(paths, 'getValues'), max_depth: o.maxDepth ?? 0 } }, { ...pick(o), msgId }), 'get_resp');
      return getRespValues(core.resolve(eid), msgId, resp);
    },
    set: async (eid, objs, o = {}) => member(await req(eid, { set: { allow_partial: o.allowPartial ?? false, update_objs: objects(objs, 'set') } }, pick(o)), 'set_resp'),
    add: async (eid, objs, o = {}) => member(await req(eid, { add: { allow_partial: o.allowPartial ?? false, create_objs: objects(objs, 'add') } }, pick(o)), 'add_resp'),
    delete: async (eid, paths, o = {}) => member(await req(eid, { delete: { allow_partial: o.allowPartial ?? false, obj_paths: list(paths, 'delete') } }, pick(o)), 'delete_resp'),
    getInstances: async (eid, paths, o = {}) => member(await req(eid, { get_instances: { obj_paths: list(paths, 'getInstances'), first_level_only: o.firstLevelOnly ?? false } }, pick(o)), 'get_instances_resp'),
    getSupportedDM: async (eid, paths, o = {}) =>
      member(
        await req(
          eid,
          {
            get_supported_dm: {
              obj_paths: list(paths, 'getSupportedDM'),
              first_level_only: o.firstLevelOnly ?? false,
              return_commands: o.returnCommands ?? true,
              return_events: o.returnEvents ?? true,
              return_params: o.returnParams ?? true,
              return_unique_key_sets: o.returnUniqueKeySets ?? true,
            },
          },
          pick(o),
        ),
        'get_supported_dm_resp',
      ),
    getSupportedProtocol: async (eid, o = {}) => member(await req(eid, { get_supported_protocol: { controller_supported_protocol_versions: o.versions ?? '1.0,1.1,1.2,1.3' } }, pick(o)), 'get_supported_protocol_resp'),
    operate: async (eid, command, args = {}, o = {}): Promise<OperateResp | undefined> => {
      if (typeof command !== 'string' || !command.endsWith('()')) throw new UspControllerError(USP_CONTROLLER_ERROR.BAD_INPUT, `operate: command must be a command path ending in "()" such as 'Device.Reboot()', got ${JSON.stringify(command)}`);
      const operate = { command, command_key: o.commandKey ?? '', send_resp: o.sendResp ?? true, input_args: { ...args } };
      if (!operate.send_resp) {
        await core.send(core.resolve(eid), { operate }, pick(o));
        return undefined;
      }
      return member(await req(eid, { operate }, pick(o)), 'operate_resp');
    },
    subscribe: async (eid, spec: UspSubscriptionSpec, o = {}) => {
      if (typeof spec !== 'object' || spec === null || typeof spec.id !== 'string' || spec.id === '') {
        throw new UspControllerError(USP_CONTROLLER_ERROR.BAD_INPUT, `subscribe: expected { id, notifType, referenceList }, got ${JSON.stringify(spec)}`);
      }
      const refs = typeof spec.referenceList === 'string' ? spec.referenceList : spec.referenceList.join(',');
      const params: Record<string, UspParamValue> = {
        Enable: spec.enable ?? true,
        ID: spec.id,
        NotifType: spec.notifType,
        ReferenceList: refs,
        NotifRetry: spec.notifRetry ?? false,
        Persistent: spec.persistent ?? false,
        ...(spec.timeToLive !== undefined ? { TimeToLive: spec.timeToLive } : {}),
        ...(spec.notifExpiration !== undefined ? { NotifExpiration: spec.notifExpiration } : {}),
        ...(spec.triggerAction !== undefined ? { TriggerAction: spec.triggerAction } : {}),
        ...(spec.triggerConfigSettings !== undefined ? { TriggerConfigSettings: typeof spec.triggerConfigSettings === 'string' ? spec.triggerConfigSettings : spec.triggerConfigSettings.join(',') } : {}),
      };
      const resp = member(await req(eid, { add: { allow_partial: false, create_objs: objects({ 'Device.LocalAgent.Subscription.': params }, 'subscribe') } }, pick(o)), 'add_resp');
      const r = resp.created_obj_results[0]?.oper_status;
      if (!r?.oper_success) {
        throw new UspControllerError(USP_CONTROLLER_ERROR.UNEXPECTED_RESPONSE, `subscribe: ${eid} did not create the Subscription row: ${JSON.stringify(r?.oper_failure ?? resp)}`, { agentId: eid });
      }
      return r.oper_success.instantiated_path;
    },
    request: (eid, r, o = {}) => req(eid, r, pick(o)),
    sendRaw: (eid, bytes) => core.sendRaw(core.resolve(eid), bytes),
    waitForNotify: (eid, predicate = () => true, o = {}) => core.waitForNotify(core.resolve(eid), predicate, typeof o === 'number' ? { timeoutMs: o } : o),
    transcript: (eid, o) => core.transcript(eid === undefined ? undefined : core.resolve(eid), o),
    behave: (eid, b) => core.behave(eid === '*' ? eid : core.resolve(eid), b),
    alias: (key, eid) => core.alias(key, eid),
    resolve: (key) => core.resolve(key),
    clear: () => core.clear(),
    close: () => {
      closing ??= (async () => {
        core.close();
        await mqttSide?.close();
        await Promise.all([broker?.close(), ws?.close()]);
      })();
      return closing;
    },
    [Symbol.asyncDispose]: () => ctl.close(),
  };
  return ctl;
}

/** True when the Notify is the event `name` (`'Boot!'` or `'Device.Boot!'`). */
export function isUspEvent(n: Notify, name: string): boolean {
  if (!n.event) return false;
  return n.event.event_name === name || `${n.event.obj_path}${n.event.event_name}` === name;
}
