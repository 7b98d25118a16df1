/**
 * The transport-free heart of the fake USP Controller: decodes what the MTPs deliver,
 * learns each agent's reply route, settles pending requests by msg_id, answers
 * Notifies, records every record both ways. The MTPs (./mqtt.ts, ./websocket.ts)
 * only move bytes.
 * @module
 */
import { decodeMsg, decodeRecord, encodeMsg, encodeRecord, wrapMsg, type Notify, type RequestTypeName, type UspInput, type UspMsg, type UspRecord, type UspRequest, type UspResponse, type MsgType } from '../usp/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { USP_CONTROLLER_ERROR, UspControllerError, UspErrorResponse } from './errors.js';
import type { UspControllerBehaviour, UspControllerMtp, UspNotifyRecord, UspRecordEntry, WaitForNotifyOptions } from './types.js';

/** A way to reach one agent: an MQTT topic or a WebSocket. */
export interface Route {
  readonly mtp: UspControllerMtp;
  /** MQTT: the topic published to. */
  readonly topic?: string;
  /** False once the route is gone (its WebSocket closed). */
  readonly open: boolean;
  send(bytes: Uint8Array): Promise<void>;
}

/** Where an inbound record came from, and how to answer on that MTP. */
export interface Inbound {
  mtp: UspControllerMtp;
  topic?: string;
  /** The reply route the MTP read off the message (5.0 Response Topic, 3.1.1 reply-to, the WebSocket). */
  route?: Route;
  /** Builds a route to a topic (MQTT), for an mqtt_connect record's subscribed_topic. */
  routeTo?: (topic: string) => Route;
}

/** msg_type of each request, by its oneof member (notes §1.2). */
const REQUEST_MSG_TYPE: Record<RequestTypeName, MsgType> = {
  get: 'GET',
  get_supported_dm: 'GET_SUPPORTED_DM',
  get_instances: 'GET_INSTANCES',
  set: 'SET',
  add: 'ADD',
  delete: 'DELETE',
  operate: 'OPERATE',
  notify: 'NOTIFY',
  get_supported_protocol: 'GET_SUPPORTED_PROTO',
  register: 'REGISTER',
  deregister: 'DEREGISTER',
};

interface Pending {
  agentId: string;
  reqType: RequestTypeName;
  resolve(r: UspResponse): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

interface NotifyWaiter {
  agentId: string;
  since: number;
  predicate: (n: Notify, r: UspNotifyRecord) => boolean;
  resolve(r: UspNotifyRecord): void;
}

export interface ControllerCoreOptions {
  endpointId: string;
  timeoutMs: number;
  maxRecords: number;
  now: () => number;
  logger?: Logger;
  onRecord?: (r: UspRecordEntry) => void;
  /** The route to an agent nothing arrived from yet (MQTT's default topic), if any. */
  fallbackRoute?: (agentId: string) => Route | undefined;
}

function reqTypeOf(req: UspInput<UspRequest>): RequestTypeName {
  if (req.req_type) return req.req_type;
  const set = (Object.keys(REQUEST_MSG_TYPE) as RequestTypeName[]).filter((k) => req[k] !== undefined);
  if (set.length !== 1) throw new UspControllerError(USP_CONTROLLER_ERROR.BAD_INPUT, `a USP request needs exactly one of ${Object.keys(REQUEST_MSG_TYPE).join(', ')}; got ${set.length ? set.join(', ') : 'none'}`);
  return set[0]!;
}

export class ControllerCore {
  readonly endpointId: string;
  private readonly opts: ControllerCoreOptions;
  private readonly log: Logger;
  private readonly routes = new Map<string, Route>();
  private readonly pending = new Map<string, Pending>();
  private readonly agentWaiters = new Map<string, Set<() => void>>();
  private readonly notifyWaiters = new Set<NotifyWaiter>();
  private readonly behaviours = new Map<string, UspControllerBehaviour>();
  private readonly seen = new Set<string>();
  private log_: UspRecordEntry[] = [];
  private notifies_: UspNotifyRecord[] = [];
  private nextId = 1;
  private readonly aliases = new Map<string, string>();
  private closed = false;

  constructor(opts: ControllerCoreOptions) {
    this.opts = opts;
    this.endpointId = opts.endpointId;
    this.log = opts.logger ?? silentLogger;
  }

  get records(): readonly UspRecordEntry[] {
    return this.log_;
  }
  get notifies(): readonly UspNotifyRecord[] {
    return this.notifies_;
  }
  agents(): string[] {
    return [...this.seen];
  }

  /** Lets tests say `cpe-3` for an agent's EndpointID. */
  alias(key: string, agentId: string): void {
    this.aliases.set(key, agentId);
  }
  /** The EndpointID `key` stands for (an alias, else `key` itself). */
  resolve(key: string): string {
    return this.aliases.get(key) ?? key;
  }
  /** A fresh msg_id (`ctl-<n>`). */
  newMsgId(): string {
    return `ctl-${this.nextId++}`;
  }

  behave(agentId: string, b: UspControllerBehaviour | null): void {
    if (b === null) this.behaviours.delete(agentId);
    else this.behaviours.set(agentId, { ...b });
  }
  private behaviour(agentId: string): UspControllerBehaviour {
    return { ...this.behaviours.get('*'), ...this.behaviours.get(agentId) };
  }

  clear(): void {
    this.log_ = [];
    this.notifies_ = [];
  }

  waitForAgent(agentId: string, timeoutMs: number): Promise<void> {
    if (this.seen.has(agentId)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const set = this.agentWaiters.get(agentId) ?? new Set();
      this.agentWaiters.set(agentId, set);
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        set.delete(done);
        const seen = this.agents();
        reject(new UspControllerError(USP_CONTROLLER_ERROR.TIMEOUT, `no record from agent ${agentId} within ${timeoutMs} ms; agents seen: ${seen.length ? seen.join(', ') : 'none'}`, { agentId }));
      }, timeoutMs);
      set.add(done);
    });
  }

  private record(e: UspRecordEntry): void {
    this.log_.push(e);
    if (this.log_.length > this.opts.maxRecords) this.log_.splice(0, this.log_.length - this.opts.maxRecords);
    this.opts.onRecord?.(e);
  }

  private routeFor(agentId: string): Route {
    const known = this.routes.get(agentId);
    if (known?.open) return known;
    const fallback = this.opts.fallbackRoute?.(agentId);
    if (fallback) return fallback;
    const seen = this.agents();
    throw new UspControllerError(
      USP_CONTROLLER_ERROR.NO_ROUTE,
      `no MTP reaches agent ${agentId}: ${known ? 'its WebSocket closed' : 'no record came from it and the Controller has no MQTT'}; agents seen: ${seen.length ? seen.join(', ') : 'none'}`,
      { agentId },
    );
  }

  // ---- sending ----------------------------------------------------------------

  /** Builds the Record for a Msg to `agentId`, applying the behaviour's to_id and session_context faults. */
  private recordFor(agentId: string, msg: UspInput<UspMsg>, applyFaults: boolean): UspRecord {
    const b = applyFaults ? this.behaviour(agentId) : {};
    const rec = wrapMsg(msg, this.endpointId, b.toId ?? agentId);
    if (b.sessionContext) {
      const payload = rec.no_session_context!.payload;
      delete rec.no_session_context;
      rec.record_type = 'session_context';
      rec.session_context = { session_id: '1', sequence_id: '1', expected_id: '1', retransmit_id: '0', payload_sar_state: 'NONE', payloadrec_sar_state: 'NONE', payload: [payload] };
    }
    return rec;
  }

  private async sendMsg(agentId: string, msg: UspInput<UspMsg>, applyFaults: boolean, route?: Route): Promise<void> {
    const r = route ?? this.routeFor(agentId);
    const rec = this.recordFor(agentId, msg, applyFaults);
    const bytes = encodeRecord(rec);
    const decoded = decodeMsg(encodeMsg(msg));
    this.record({
      time: this.opts.now(),
      dir: 'controller->agent',
      mtp: r.mtp,
      agentId,
      ...(r.topic !== undefined ? { topic: r.topic } : {}),
      toId: rec.to_id,
      fromId: rec.from_id,
      recordType: rec.record_type!,
      msgId: decoded.header.msg_id,
      msgType: decoded.header.msg_type,
      msg: decoded,
      bytes: bytes.byteLength,
    });
    await r.send(bytes);
  }

  /** Sends a request and resolves with its Response body; an Error Msg rejects with UspErrorResponse. */
  async request(agentId: string, request: UspInput<UspRequest>, o: { timeoutMs?: number; msgId?: string } = {}): Promise<UspResponse> {
    if (this.closed) throw new UspControllerError(USP_CONTROLLER_ERROR.CLOSED, `the USP Controller is closed (request to ${agentId})`, { agentId });
    if (typeof agentId !== 'string' || agentId === '') throw new UspControllerError(USP_CONTROLLER_ERROR.BAD_INPUT, `agentId must be the agent's EndpointID (e.g. 'os::012345-SN1'), got ${JSON.stringify(agentId)}`);
    const reqType = reqTypeOf(request);
    const msgId = o.msgId ?? this.newMsgId();
    if (this.pending.has(msgId)) throw new UspControllerError(USP_CONTROLLER_ERROR.BAD_INPUT, `msg_id ${JSON.stringify(msgId)} is already pending`, { agentId });
    const timeoutMs = o.timeoutMs ?? this.opts.timeoutMs;
    const msg: UspInput<UspMsg> = { header: { msg_id: msgId, msg_type: REQUEST_MSG_TYPE[reqType] }, body: { msg_body: 'request', request: { ...request, req_type: reqType } } };
    const answer = new Promise<UspResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new UspControllerError(USP_CONTROLLER_ERROR.TIMEOUT, `no answer from ${agentId} to ${REQUEST_MSG_TYPE[reqType]} msg_id ${msgId} within ${timeoutMs} ms\n${this.transcript(agentId, { max: 10 })}`, { agentId }));
      }, timeoutMs);
      this.pending.set(msgId, { agentId, reqType, resolve, reject, timer });
    });
    try {
      await this.sendMsg(agentId, msg, true);
    } catch (err) {
      const p = this.pending.get(msgId);
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(msgId);
      }
      throw err;
    }
    return answer;
  }

  /** Sends a request that expects no answer (Operate with send_resp=false). */
  async send(agentId: string, request: UspInput<UspRequest>, o: { msgId?: string } = {}): Promise<void> {
    const reqType = reqTypeOf(request);
    const msgId = o.msgId ?? this.newMsgId();
    await this.sendMsg(agentId, { header: { msg_id: msgId, msg_type: REQUEST_MSG_TYPE[reqType] }, body: { msg_body: 'request', request: { ...request, req_type: reqType } } }, true);
  }

  async sendRaw(agentId: string, bytes: Uint8Array): Promise<void> {
    const r = this.routeFor(agentId);
    this.record({ time: this.opts.now(), dir: 'controller->agent', mtp: r.mtp, agentId, ...(r.topic !== undefined ? { topic: r.topic } : {}), note: 'raw bytes (sendRaw)', bytes: bytes.byteLength });
    await r.send(bytes);
  }

  // ---- receiving ----------------------------------------------------------------

  /** One record from an MTP. Never throws: what does not decode is recorded and dropped. */
  receive(bytes: Uint8Array, from: Inbound): void {
    const base = { time: this.opts.now(), dir: 'agent->controller' as const, mtp: from.mtp, ...(from.topic !== undefined ? { topic: from.topic } : {}), bytes: bytes.byteLength };
    let rec: UspRecord;
    try {
      rec = decodeRecord(bytes);
    } catch (err) {
      this.record({ ...base, agentId: '?', note: `undecodable record dropped: ${(err as Error).message}` });
      return;
    }
    const agentId = rec.from_id;
    const ids = { agentId, toId: rec.to_id, fromId: rec.from_id, ...(rec.record_type ? { recordType: rec.record_type } : {}) };
    // R-E2E.1: a record for another endpoint is dropped.
    if (rec.to_id !== this.endpointId) {
      this.record({ ...base, ...ids, note: `to_id ${JSON.stringify(rec.to_id)} is not ${this.endpointId}: dropped` });
      return;
    }
    let route = from.route;
    if (rec.record_type === 'mqtt_connect' && rec.mqtt_connect && !route && rec.mqtt_connect.subscribed_topic && from.routeTo) {
      route = from.routeTo(rec.mqtt_connect.subscribed_topic);
    }
    if (agentId !== '') {
      if (route) this.routes.set(agentId, route);
      if (!this.seen.has(agentId)) {
        this.seen.add(agentId);
        for (const w of [...(this.agentWaiters.get(agentId) ?? [])]) w();
        this.agentWaiters.delete(agentId);
      }
    }
    switch (rec.record_type) {
      case 'no_session_context':
        break;
      case 'mqtt_connect':
        this.record({ ...base, ...ids, note: `mqtt_connect ${rec.mqtt_connect?.version} subscribed_topic ${JSON.stringify(rec.mqtt_connect?.subscribed_topic ?? '')}` });
        return;
      case 'disconnect': {
        const d = rec.disconnect!;
        this.record({ ...base, ...ids, note: `disconnect ${d.reason_code} ${JSON.stringify(d.reason)}` });
        for (const [id, p] of this.pending) {
          if (p.agentId !== agentId) continue;
          clearTimeout(p.timer);
          this.pending.delete(id);
          p.reject(new UspControllerError(USP_CONTROLLER_ERROR.DISCONNECTED, `agent ${agentId} sent a disconnect record (${d.reason_code} ${d.reason}) while msg_id ${id} was pending`, { agentId, reasonCode: d.reason_code }));
        }
        return;
      }
      default:
        this.record({ ...base, ...ids, note: rec.record_type ?? 'record without a record type' });
        return;
    }
    let msg: UspMsg;
    try {
      msg = decodeMsg(rec.no_session_context!.payload);
    } catch (err) {
      this.record({ ...base, ...ids, note: `undecodable Msg: ${(err as Error).message}` });
      return;
    }
    this.record({ ...base, ...ids, msgId: msg.header.msg_id, msgType: msg.header.msg_type, msg });
    this.dispatch(agentId, msg, route ?? this.routes.get(agentId), from.mtp);
  }

  /** R-MSG.10: the body oneof decides, not msg_type. */
  private dispatch(agentId: string, msg: UspMsg, route: Route | undefined, mtp: UspControllerMtp): void {
    const id = msg.header.msg_id;
    const body = msg.body;
    if (body.msg_body === 'response' || body.msg_body === 'error') {
      const p = this.pending.get(id);
      // R-MSG.9: an answer whose msg_id matches nothing pending (or another agent's) is ignored.
      if (!p || p.agentId !== agentId) return;
      clearTimeout(p.timer);
      this.pending.delete(id);
      if (body.msg_body === 'error') {
        p.reject(new UspErrorResponse(agentId, id, body.error!));
        return;
      }
      const resp = body.response!;
      if (resp.resp_type !== `${p.reqType}_resp`) {
        p.reject(new UspControllerError(USP_CONTROLLER_ERROR.UNEXPECTED_RESPONSE, `agent ${agentId} answered ${p.reqType} msg_id ${id} with ${resp.resp_type ?? 'an empty Response'}`, { agentId }));
        return;
      }
      p.resolve(resp);
      return;
    }
    if (body.request?.req_type === 'notify' && body.request.notify) {
      const n = body.request.notify;
      const rec: UspNotifyRecord = { time: this.opts.now(), agentId, mtp, msgId: id, notify: n };
      this.notifies_.push(rec);
      if (this.notifies_.length > this.opts.maxRecords) this.notifies_.splice(0, this.notifies_.length - this.opts.maxRecords);
      for (const w of [...this.notifyWaiters]) {
        if ((w.agentId === '*' || w.agentId === agentId) && rec.time >= w.since && w.predicate(n, rec)) {
          this.notifyWaiters.delete(w);
          w.resolve(rec);
        }
      }
      if (n.send_resp) this.answerNotify(agentId, id, n, route);
    }
    // Other requests (Register …) are not a Controller's to serve here: recorded only.
  }

  private answerNotify(agentId: string, msgId: string, n: Notify, route: Route | undefined): void {
    const mode = this.behaviour(agentId).notifyResp ?? 'auto';
    if (mode === 'none' || !route || this.closed) return;
    const id = mode === 'wrong-msg-id' ? `${msgId}-wrong` : msgId;
    const resp: UspInput<UspMsg> = { header: { msg_id: id, msg_type: 'NOTIFY_RESP' }, body: { msg_body: 'response', response: { resp_type: 'notify_resp', notify_resp: { subscription_id: n.subscription_id } } } };
    this.sendMsg(agentId, resp, false, route).catch((err: Error) => this.log.warn('usp-controller: NotifyResp not sent', { agentId, msgId, err: err.message }));
  }

  waitForNotify(agentId: string, predicate: (n: Notify, r: UspNotifyRecord) => boolean, o: WaitForNotifyOptions): Promise<UspNotifyRecord> {
    const since = o.since ?? -Infinity;
    const timeoutMs = o.timeoutMs ?? 5000;
    const hit = this.notifies_.find((r) => (agentId === '*' || r.agentId === agentId) && r.time >= since && predicate(r.notify, r));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w: NotifyWaiter = {
        agentId,
        since,
        predicate,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.notifyWaiters.delete(w);
        const who = agentId === '*' ? 'any agent' : agentId;
        reject(new UspControllerError(USP_CONTROLLER_ERROR.TIMEOUT, `no matching Notify from ${who} within ${timeoutMs} ms\n${this.transcript(agentId === '*' ? undefined : agentId, { max: 20 })}`, agentId === '*' ? {} : { agentId }));
      }, timeoutMs);
      this.notifyWaiters.add(w);
    });
  }

  transcript(agentId?: string, o: { since?: number; max?: number } = {}): string {
    return formatTranscript(
      this.log_.filter((r) => (agentId === undefined || r.agentId === agentId) && r.time >= (o.since ?? -Infinity)),
      agentId,
      o.max ?? 50,
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new UspControllerError(USP_CONTROLLER_ERROR.CLOSED, `the USP Controller closed while msg_id ${id} to ${p.agentId} was pending`, { agentId: p.agentId }));
    }
    this.pending.clear();
  }
}

// ---- transcript formatting ------------------------------------------------------------

function clock(t: number): string {
  return Number.isFinite(t) && t > 1e12 ? new Date(t).toISOString().slice(11, 23) : String(t);
}

/** One line saying what a Msg is about: the paths of a request, the kind of a Notify, the error. */
export function summarizeMsg(m: UspMsg): string {
  const b = m.body;
  if (b.msg_body === 'error' && b.error) {
    return `Error ${b.error.err_code} ${JSON.stringify(b.error.err_msg)}${b.error.param_errs.map((p) => ` [${p.param_path}: ${p.err_code}]`).join('')}`;
  }
  if (b.msg_body === 'request' && b.request) {
    const r = b.request;
    if (r.get) return `Get ${r.get.param_paths.join(', ')}${r.get.max_depth ? ` max_depth=${r.get.max_depth}` : ''}`;
    if (r.set) return `Set${r.set.allow_partial ? ' allow_partial' : ''} ${r.set.update_objs.map((o) => `${o.obj_path}{${o.param_settings.map((p) => `${p.param}=${JSON.stringify(p.value)}${p.required ? '' : '?'}`).join(' ')}}`).join(' ')}`;
    if (r.add) return `Add${r.add.allow_partial ? ' allow_partial' : ''} ${r.add.create_objs.map((o) => `${o.obj_path}{${o.param_settings.map((p) => `${p.param}=${JSON.stringify(p.value)}`).join(' ')}}`).join(' ')}`;
    if (r.delete) return `Delete${r.delete.allow_partial ? ' allow_partial' : ''} ${r.delete.obj_paths.join(', ')}`;
    if (r.get_instances) return `GetInstances ${r.get_instances.obj_paths.join(', ')}${r.get_instances.first_level_only ? ' first_level_only' : ''}`;
    if (r.get_supported_dm) return `GetSupportedDM ${r.get_supported_dm.obj_paths.join(', ')}`;
    if (r.get_supported_protocol) return `GetSupportedProtocol ${r.get_supported_protocol.controller_supported_protocol_versions}`;
    if (r.operate) return `Operate ${r.operate.command} key=${JSON.stringify(r.operate.command_key)}${r.operate.send_resp ? '' : ' send_resp=false'}`;
    if (r.notify) return `Notify ${notifySummary(r.notify)}`;
    return `${r.req_type ?? 'empty'} request`;
  }
  if (b.msg_body === 'response' && b.response) {
    const r = b.response;
    if (r.get_resp) return `GetResp ${r.get_resp.req_path_results.map((p) => `${p.requested_path}${p.err_code ? ` ERR ${p.err_code}` : ` (${p.resolved_path_results.length} obj)`}`).join(', ')}`;
    if (r.set_resp) return `SetResp ${r.set_resp.updated_obj_results.map((o) => `${o.requested_path} ${o.oper_status.oper_status === 'oper_failure' ? `failure ${o.oper_status.oper_failure?.err_code}` : 'success'}`).join(', ')}`;
    if (r.add_resp) return `AddResp ${r.add_resp.created_obj_results.map((o) => (o.oper_status.oper_success ? o.oper_status.oper_success.instantiated_path : `${o.requested_path} failure ${o.oper_status.oper_failure?.err_code}`)).join(', ')}`;
    if (r.delete_resp) return `DeleteResp ${r.delete_resp.deleted_obj_results.map((o) => (o.oper_status.oper_success ? `[${o.oper_status.oper_success.affected_paths.join(', ')}]` : `${o.requested_path} failure ${o.oper_status.oper_failure?.err_code}`)).join(', ')}`;
    if (r.notify_resp) return `NotifyResp subscription_id=${JSON.stringify(r.notify_resp.subscription_id)}`;
    if (r.operate_resp) return `OperateResp ${r.operate_resp.operation_results.map((o) => `${o.executed_command} ${o.operation_resp ?? ''}${o.cmd_failure ? ` ${o.cmd_failure.err_code}` : ''}${o.req_obj_path ? ` ${o.req_obj_path}` : ''}`).join(', ')}`;
    return `${r.resp_type ?? 'empty response'}`;
  }
  return 'empty Msg';
}

/** `Event Device.Boot! {Cause=…}`, `ValueChange Device.X = "1"` … */
export function notifySummary(n: Notify): string {
  const head = `[${JSON.stringify(n.subscription_id)}${n.send_resp ? ' send_resp' : ''}] `;
  if (n.event) return `${head}Event ${n.event.obj_path}${n.event.event_name} ${JSON.stringify(n.event.params)}`;
  if (n.value_change) return `${head}ValueChange ${n.value_change.param_path} = ${JSON.stringify(n.value_change.param_value)}`;
  if (n.obj_creation) return `${head}ObjectCreation ${n.obj_creation.obj_path} ${JSON.stringify(n.obj_creation.unique_keys)}`;
  if (n.obj_deletion) return `${head}ObjectDeletion ${n.obj_deletion.obj_path}`;
  if (n.oper_complete) {
    const o = n.oper_complete;
    return `${head}OperationComplete ${o.obj_path}${o.command_name} key=${JSON.stringify(o.command_key)} ${o.cmd_failure ? `failure ${o.cmd_failure.err_code} ${o.cmd_failure.err_msg}` : JSON.stringify(o.req_output_args?.output_args ?? {})}`;
  }
  if (n.on_board_req) return `${head}OnBoardRequest ${n.on_board_req.oui}-${n.on_board_req.product_class}-${n.on_board_req.serial_number} ${n.on_board_req.agent_supported_protocol_versions}`;
  return `${head}(no notification)`;
}

/** One transcript line per record. */
export function formatRecordLine(r: UspRecordEntry): string {
  const arrow = r.dir === 'agent->controller' ? '<-' : '->';
  const where = `${r.mtp}${r.topic ? ` ${r.topic}` : ''}`;
  const what = r.msg ? `${r.msgType} ${r.msgId}: ${summarizeMsg(r.msg)}` : `${r.recordType ?? 'record'}${r.note ? `: ${r.note}` : ''}`;
  return `  ${clock(r.time)} ${arrow} ${r.agentId}  ${where}  ${what}`;
}

function formatTranscript(lines: readonly UspRecordEntry[], agentId: string | undefined, max: number): string {
  const who = agentId ?? 'all agents';
  if (lines.length === 0) return `USP transcript (${who}): no records`;
  const shown = lines.slice(-max);
  const skipped = lines.length - shown.length;
  return [`USP transcript (${who}, ${lines.length} record(s); <- from agent, -> to agent):`, ...(skipped > 0 ? [`  … ${skipped} earlier record(s) omitted`] : []), ...shown.map(formatRecordLine)].join('\n');
}
