/**
 * `UspAgent`: one CPE's TR-369 Agent over its MTPs. Receives Records (usp-notes §1.7),
 * answers requests through the message handlers on the route they came by, sends the
 * Connect records after every (re)connect (R-MTP.8), and originates Notify messages
 * for the notification service (`UspNotifier`, contract seam 3).
 * @module
 */
import type { Scheduler, ScheduledJob } from '../clock/index.js';
import type { ParameterTree, Template } from '../datamodel/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { decodeMsg, decodeRecord, encodeRecord, errorMsg, USP_RECORD_VERSION, wrapMsg } from './codec.js';
import { controllerRows, setIfPresent } from './controllers.js';
import { UspDeliveryError } from './delivery.js';
import { UspError } from './errors.js';
import { MqttMtp, type UspMqttVersion } from './mqtt.js';
import type { UspMtp, UspMtpHost, UspRoute, UspTlsOptions } from './mtp.js';
import { peekMsg } from './peek.js';
import { mtpRows, provisionAgent, type UspProvisioning } from './provision.js';
import { withListener, withoutListener, type ListenerList } from '../listeners/index.js';
import type { Notify, UspInput, UspMsg, UspRecord } from './types.js';
import { WebSocketMtp } from './websocket.js';

/** R-E2E.6a: session context is not supported here. */
const SESSION_CONTEXT_NOT_ALLOWED = 7106;

/** The Agent as the notification service sees it (usp-contract seam 3). */
export interface UspNotifier {
  readonly endpointId: string;
  /** EndpointIDs of enabled Controller rows the agent can reach now. */
  controllers(): readonly string[];
  /**
   * Sends one Notify Msg to that Controller. `notify.send_resp` true: resolves when the
   * matching NotifyResp arrives (matched by msg_id, R-NOT.9), rejects with a
   * `UspDeliveryError` on timeout, MTP loss or a USP Error answer; false: resolves once
   * published. `msgId` makes a resend carry the identical msg_id.
   */
  sendNotify(controllerId: string, notify: UspInput<Notify>, opts?: { msgId?: string }): Promise<void>;
  /**
   * {@link sendNotify} without a promise: `waiter.notifySettled` is called once, later
   * (never from inside this call), with undefined when `sendNotify` would resolve and
   * the error it would reject with. For a caller that keeps many Notifies waiting for
   * their NotifyResp: each costs a few objects instead of four promises and their
   * closures (issue 21: an OnBoardRequest in flight in each of 10,000 agents).
   */
  sendNotifyTo?(controllerId: string, notify: UspInput<Notify>, msgId: string | undefined, waiter: NotifyWaiter): void;
  /**
   * Resolves once every request being handled has been answered and every record
   * handed to an MTP has left (or the MTP was cut): what a command that takes the
   * device down waits for, so its answer and notifications go out first (usp-notes §7.4/7.5).
   */
  flushed?(): Promise<void>;
}

/** Told how one Notify ended ({@link UspNotifier.sendNotifyTo}). */
export interface NotifyWaiter {
  /** undefined: published (send_resp false) or answered by its NotifyResp; otherwise why not (a `UspDeliveryError`). */
  notifySettled(err: Error | undefined): void;
}

/**
 * Tells `waiter` in a microtask, as a promise would its handlers: never from inside the
 * call that settled it (a send, an MTP loss, a NotifyResp being handled).
 */
function settleLater(waiter: NotifyWaiter, err: Error | undefined): void {
  queueMicrotask(() => waiter.notifySettled(err));
}

/** Adapts a promise's two settle functions to a {@link NotifyWaiter}. */
class PromiseWaiter implements NotifyWaiter {
  constructor(
    private readonly resolve: () => void,
    private readonly reject: (err: Error) => void,
  ) {}

  notifySettled(err: Error | undefined): void {
    if (err) this.reject(err);
    else this.resolve();
  }
}

/** What the agent hands its request handler with each request. */
export interface UspAgentRequestContext {
  tree: ParameterTree;
  template: Template;
  /** from_id of the request (the Controller's EndpointID). */
  controllerId: string;
}

/**
 * Answers one request Msg: the response or Error Msg, or undefined for none (usp/
 * dispatch's `handleRequest`, with the fleet's Operate handler and hooks bound in).
 */
export type UspRequestHandler = (ctx: UspAgentRequestContext, msg: UspMsg) => Promise<UspMsg | undefined>;

/** What the agent's MTP-up listeners are told. */
export interface UspMtpUpEvent {
  /** `true` for the first MTP up after {@link UspAgent.start}/{@link UspAgent.restart} (send Boot! now); false after a plain reconnect. */
  started: boolean;
  /** The MTP that came up. */
  mtp: UspMtp;
}

/** Options of {@link UspAgent}. */
export interface UspAgentOptions {
  tree: ParameterTree;
  template: Template;
  /** This agent's Endpoint ID (see `endpointIdOf`). */
  endpointId: string;
  /** Timers (reconnect back-off, NotifyResp timeout, WebSocket pings) go through it: one timer for a fleet. */
  scheduler: Scheduler;
  /** Uniform in [0, 1): back-off draws (a seeded stream in a fleet). Default Math.random. */
  random?: () => number;
  logger?: Logger;
  /** Values written into the tree at start and after a factory reset; also says which MTPs run. */
  provisioning: UspProvisioning;
  /** MQTT version policy (default `auto`). */
  mqttVersion?: UspMqttVersion;
  /** Shared by the agents of one broker: see `MqttMtpOptions.versionMemo`. */
  mqttVersionMemo?: { refuses5?: boolean };
  /**
   * CA for `wss:` Controllers.
   * @deprecated Use `tls.ca`, which also serves MQTT over TLS; `tls.ca` wins when both are set.
   */
  webSocketCa?: string | Buffer;
  /** CA and client certificate of the encrypted MTPs: MQTT over TLS / WebSocketTLS and `wss:` Controllers. */
  tls?: UspTlsOptions;
  /** URL path of the broker's MQTT-over-WebSocket endpoint (default `/mqtt`). */
  mqttWebSocketPath?: string;
  /** Simulated ms to wait for a NotifyResp (default 30 000). */
  notifyTimeoutMs?: number;
  /** Records larger than this are dropped (default 1 MiB). */
  maxRecordBytes?: number;
  /** Answers requests (usp/ `handleRequest`). */
  handle: UspRequestHandler;
}

interface Pending {
  controllerId: string;
  mtp: UspMtp;
  waiter: NotifyWaiter;
  job: ScheduledJob;
}

/** Counters of one agent (tests, bench, admin). */
export interface UspAgentStats {
  recordsIn: number;
  recordsOut: number;
  /** Inbound records dropped (undecodable, other endpoint, oversized, session context). */
  dropped: number;
  notifies: number;
}

/**
 * One CPE's USP Agent.
 * @example
 * const agent = new UspAgent({ tree, template, endpointId, scheduler, provisioning });
 * agent.onMtpUp((e) => { if (e.started) notifications.onAgentStart('LocalReboot'); });
 * agent.start();
 */
export class UspAgent implements UspNotifier, UspMtpHost {
  readonly endpointId: string;
  readonly mtps: readonly UspMtp[];
  readonly stats: UspAgentStats = { recordsIn: 0, recordsOut: 0, dropped: 0, notifies: 0 };
  private readonly tree: ParameterTree;
  private readonly template: Template;
  private readonly logger: Logger;
  // The options it reads after construction, not the options object (issue 21: ~130 bytes an agent).
  private readonly scheduler: Scheduler;
  private readonly provisioning: UspProvisioning;
  private readonly handle: UspRequestHandler;
  private readonly notifyTimeoutMs: number;
  private provisioned = false;
  private startPending = false;
  private closed = false;
  private running = false;
  private seq = 0;
  /** Requests being handled, by `from_id` NUL `msg_id` (R-MSG.4: a repeat is ignored). */
  private inflight: Set<string> | undefined;
  /** Requests being handled plus records being transmitted; {@link flushed} waits for 0. */
  private busy = 0;
  private flushWaiters: (() => void)[] | undefined;
  private pending: Map<string, Pending> | undefined;
  private listeners: ListenerList<UspMtpUpEvent> | undefined;

  constructor(opts: UspAgentOptions) {
    this.tree = opts.tree;
    this.template = opts.template;
    this.scheduler = opts.scheduler;
    this.provisioning = opts.provisioning;
    this.handle = opts.handle;
    this.notifyTimeoutMs = opts.notifyTimeoutMs ?? 30_000;
    this.endpointId = opts.endpointId;
    this.logger = opts.logger ?? silentLogger;
    const random = opts.random ?? Math.random;
    const rows = mtpRows(opts.provisioning);
    const mtps: UspMtp[] = [];
    const common = { host: this, tree: opts.tree, scheduler: opts.scheduler, random, logger: this.logger, ...(opts.maxRecordBytes !== undefined ? { maxRecordBytes: opts.maxRecordBytes } : {}) };
    if (rows.mqtt !== undefined) {
      mtps.push(
        new MqttMtp({
          ...common,
          mtpRow: `Device.LocalAgent.MTP.${rows.mqtt}.`,
          ...(opts.mqttVersion !== undefined ? { version: opts.mqttVersion } : {}),
          ...(opts.mqttVersionMemo !== undefined ? { versionMemo: opts.mqttVersionMemo } : {}),
          ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
          ...(opts.mqttWebSocketPath !== undefined ? { webSocketPath: opts.mqttWebSocketPath } : {}),
        }),
      );
    }
    if (rows.websocket !== undefined) {
      mtps.push(
        new WebSocketMtp({
          ...common,
          controllerId: opts.provisioning.controllerId,
          controllerMtpRow: `Device.LocalAgent.Controller.1.MTP.${rows.websocket}.`,
          mtpRow: `Device.LocalAgent.MTP.${rows.websocket}.`,
          ...(opts.webSocketCa !== undefined ? { ca: opts.webSocketCa } : {}),
          ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
        }),
      );
    }
    // Sized to fit: push() left room for 16 more MTPs in every agent.
    this.mtps = mtps.slice();
  }

  /** True while at least one MTP is up. */
  get online(): boolean {
    return this.mtps.some((m) => m.up);
  }

  /**
   * Calls `listener` each time an MTP comes up, after its Connect records went out.
   * Returns an unsubscribe function.
   */
  onMtpUp(listener: (e: UspMtpUpEvent) => void): () => void {
    this.listeners = withListener(this.listeners, listener);
    return () => {
      this.listeners = withoutListener(this.listeners, listener);
    };
  }

  /** Provisions the tree (first time) and connects every MTP. The next MTP up reports `started`. */
  start(): void {
    if (this.closed) return;
    if (!this.provisioned) this.provision();
    this.startPending = true;
    this.connectAll();
  }

  /**
   * The box is back after being dark. `rebooted` (power cycle, reboot, firmware): the
   * agent restarts (the next MTP up reports `started`); `factoryReset`: the tree was
   * reset, so it is provisioned again first. Neither: the uplink came back, a plain
   * reconnect.
   */
  restart(how: { rebooted: boolean; factoryReset?: boolean }): void {
    if (this.closed) return;
    if (how.factoryReset === true) this.provision();
    if (how.rebooted || how.factoryReset === true) this.startPending = true;
    this.connectAll();
  }

  /**
   * The box went dark (power cut, uplink cut, reboot): every MTP is dropped without a
   * word (no Disconnect record, no MQTT DISCONNECT), requests in progress are
   * forgotten and pending NotifyResps fail with `mtp-lost`.
   */
  cut(): void {
    this.running = false;
    for (const m of this.mtps) m.cut();
    this.inflight?.clear();
    this.failPending('mtp-lost', 'the MTP was cut');
    // Whatever was on its way is lost with the MTP: nothing left to wait for.
    this.releaseFlushWaiters();
  }

  flushed(): Promise<void> {
    if (this.busy === 0 || !this.running) return Promise.resolve();
    return new Promise((resolve) => (this.flushWaiters ??= []).push(resolve));
  }

  private releaseFlushWaiters(): void {
    const w = this.flushWaiters;
    this.flushWaiters = undefined;
    for (const f of w ?? []) f();
  }

  private unbusy(): void {
    if (--this.busy === 0) this.releaseFlushWaiters();
  }

  controllers(): readonly string[] {
    return controllerRows(this.tree)
      .filter((c) => c.enabled && c.endpointId !== '' && this.mtps.some((m) => m.reaches(c.endpointId)))
      .map((c) => c.endpointId);
  }

  sendNotify(controllerId: string, notify: UspInput<Notify>, opts: { msgId?: string } = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => this.sendNotifyTo(controllerId, notify, opts.msgId, new PromiseWaiter(resolve, reject)));
  }

  sendNotifyTo(controllerId: string, notify: UspInput<Notify>, msgId: string | undefined, waiter: NotifyWaiter): void {
    const fail = (err: Error): void => settleLater(waiter, err);
    if (this.closed) return fail(new UspDeliveryError('closed', 'the USP agent is closed'));
    const id = msgId ?? `notify-${++this.seq}`;
    const msg: UspInput<UspMsg> = { header: { msg_id: id, msg_type: 'NOTIFY' }, body: { msg_body: 'request', request: { req_type: 'notify', notify } } };
    const mtp = this.mtps.find((m) => m.reaches(controllerId));
    if (!mtp) {
      const known = controllerRows(this.tree).some((c) => c.enabled && c.endpointId === controllerId);
      return fail(new UspDeliveryError(known ? 'mtp-down' : 'no-route', known ? `no MTP to ${controllerId} is up` : `${controllerId} is not an enabled Controller of ${this.endpointId}`));
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeRecord(wrapMsg(msg, this.endpointId, controllerId));
    } catch (err) {
      return fail(err as Error);
    }
    this.stats.notifies++;
    if (notify.send_resp !== true) {
      this.transmit(mtp, bytes, controllerId).then(
        () => waiter.notifySettled(undefined),
        (err: unknown) => waiter.notifySettled(err as Error),
      );
      return;
    }
    const pending = (this.pending ??= new Map());
    const previous = pending.get(id);
    if (previous) {
      pending.delete(id);
      previous.job.cancel();
      settleLater(previous.waiter, new UspDeliveryError('timeout', `Notify ${id} was sent again before its NotifyResp`));
    }
    const job = this.scheduler.after(this.notifyTimeoutMs, () => {
      if (pending.get(id)?.job !== job) return;
      pending.delete(id);
      waiter.notifySettled(new UspDeliveryError('timeout', `no NotifyResp from ${controllerId} for Notify ${id}`));
    });
    // Registered before the publish: a NotifyResp can beat the MTP's own completion.
    pending.set(id, { controllerId, mtp, waiter, job });
    this.transmit(mtp, bytes, controllerId).catch((err: unknown) => this.settle(id, controllerId, err as Error));
  }

  // ---- UspMtpHost --------------------------------------------------------------------

  onUp(mtp: UspMtp): void {
    void this.announce(mtp);
  }

  onDown(mtp: UspMtp): void {
    if (!this.pending) return;
    for (const [id, p] of this.pending) if (p.mtp === mtp) this.settle(id, p.controllerId, new UspDeliveryError('mtp-lost', `the ${mtp.kind} MTP to ${p.controllerId} was lost before the NotifyResp`));
  }

  onRecord(bytes: Uint8Array, route: UspRoute): void {
    this.stats.recordsIn++;
    let rec: UspRecord;
    try {
      rec = decodeRecord(bytes);
    } catch (err) {
      this.stats.dropped++;
      this.logger.debug('usp: undecodable record dropped', { error: (err as Error).message, mtp: route.mtp.kind });
      // R-WS.16: on WebSocket an undecodable Record ends the session with 1003.
      if (route.mtp instanceof WebSocketMtp) route.mtp.reject('undecodable USP Record');
      return;
    }
    // R-E2E.1: a Record for another endpoint is not ours to read.
    if (rec.to_id !== this.endpointId) {
      this.stats.dropped++;
      this.logger.debug('usp: record for another endpoint dropped', { to_id: rec.to_id, from_id: rec.from_id });
      return;
    }
    switch (rec.record_type) {
      case 'no_session_context':
        break;
      case 'session_context':
        // R-E2E.6a: no end-to-end sessions here: say so with a Disconnect record.
        this.stats.dropped++;
        this.sendRecord(route, rec.from_id, { version: USP_RECORD_VERSION, to_id: rec.from_id, from_id: this.endpointId, record_type: 'disconnect', disconnect: { reason: 'Session context is not supported by this Agent', reason_code: SESSION_CONTEXT_NOT_ALLOWED } });
        return;
      default:
        // Connect and Disconnect records of a Controller: noted, nothing to answer (usp-notes §1.7 step 3).
        this.logger.debug('usp: record noted', { record_type: rec.record_type, from_id: rec.from_id });
        return;
    }
    if (route.mtp instanceof MqttMtp) route.mtp.learnRoute(rec.from_id, route);
    const payload = rec.no_session_context?.payload ?? new Uint8Array();
    let msg: UspMsg;
    try {
      msg = decodeMsg(payload);
    } catch (err) {
      this.stats.dropped++;
      this.answerUndecodable(route, rec.from_id, payload, err);
      return;
    }
    void this.dispatch(msg, rec.from_id, route);
  }

  // ---- lifecycle ---------------------------------------------------------------------

  /**
   * Orderly shutdown: a Disconnect record to each reachable Controller (R-MTP.7), then
   * each MTP's own goodbye (MQTT DISCONNECT, WebSocket close); pending NotifyResps
   * fail with `closed`. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    const farewell = (controllerId: string): Uint8Array =>
      encodeRecord({ version: USP_RECORD_VERSION, to_id: controllerId, from_id: this.endpointId, record_type: 'disconnect', disconnect: { reason: 'Agent shutting down', reason_code: 0 } });
    await Promise.all(this.mtps.map((m) => m.close(farewell).catch(() => undefined)));
    this.failPending('closed', 'the USP agent was closed');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals -----------------------------------------------------------------------

  private provision(): void {
    provisionAgent(this.tree, this.provisioning);
    this.provisioned = true;
  }

  /** What the agent says of itself that changes with the device: its software is the running firmware. */
  private refreshIdentity(): void {
    const fw = this.tree.getValue('Device.DeviceInfo.SoftwareVersion');
    if (fw !== undefined) setIfPresent(this.tree, 'Device.LocalAgent.SoftwareVersion', fw);
  }

  private connectAll(): void {
    this.refreshIdentity();
    if (this.running) return;
    this.running = true;
    for (const m of this.mtps) m.start();
  }

  /** R-MTP.8: the Connect record to every Controller this MTP reaches, before anything else. */
  private async announce(mtp: UspMtp): Promise<void> {
    const ids = controllerRows(this.tree).filter((c) => c.enabled && c.endpointId !== '' && mtp.reaches(c.endpointId));
    await Promise.all(ids.map((c) => mtp.sendConnect(c.endpointId).then(() => this.stats.recordsOut++, (err: Error) => this.logger.debug('usp: connect record not sent', { error: err.message }))));
    if (!mtp.up) return;
    const started = this.startPending;
    this.startPending = false;
    for (const l of this.listeners ?? []) {
      try {
        l({ started, mtp });
      } catch (err) {
        this.logger.error('usp: onMtpUp listener threw', { error: (err as Error).message });
      }
    }
  }

  private async dispatch(msg: UspMsg, from: string, route: UspRoute): Promise<void> {
    const id = msg.header?.msg_id ?? '';
    const body = msg.body;
    if (body?.msg_body === 'response') {
      const resp = body.response;
      if (resp?.resp_type === 'notify_resp') this.settle(id, from);
      else this.logger.debug('usp: unexpected response ignored', { msg_id: id, resp_type: resp?.resp_type });
      return;
    }
    if (body?.msg_body === 'error') {
      const e = body.error;
      this.settle(id, from, new UspDeliveryError('error', `Controller ${from} answered Notify ${id} with USP Error ${e?.err_code ?? 0}: ${e?.err_msg ?? ''}`, e?.err_code));
      return;
    }
    // R-MSG.4: the same msg_id again before it was answered is ignored.
    const key = `${from}\u0000${id}`;
    const inflight = (this.inflight ??= new Set());
    if (inflight.has(key)) {
      this.logger.debug('usp: repeated msg_id ignored', { msg_id: id, from_id: from });
      return;
    }
    inflight.add(key);
    this.busy++;
    let answer: UspMsg | undefined;
    try {
      answer = await this.handle({ tree: this.tree, template: this.template, controllerId: from }, msg);
    } catch (err) {
      this.logger.error('usp: request handler failed', { msg_id: id, error: (err as Error).message });
      answer = errorMsg(id, err instanceof UspError ? err.errCode : 7003, err instanceof UspError ? err.message : 'Internal error');
    } finally {
      inflight.delete(key);
    }
    try {
      if (answer) this.sendRecord(route, from, wrapMsg(answer, this.endpointId, from));
    } finally {
      this.unbusy();
    }
  }

  /** R-MTP.5: an Error for an undecodable Msg only when it is a request whose msg_id is readable. */
  private answerUndecodable(route: UspRoute, from: string, payload: Uint8Array, err: unknown): void {
    const peek = peekMsg(payload);
    const code = err instanceof UspError ? err.errCode : 7004;
    const message = err instanceof Error ? err.message : String(err);
    this.logger.debug('usp: undecodable message', { from_id: from, msg_id: peek.msgId, error: message });
    if (from === '' || peek.msgId === undefined || (peek.body !== undefined && peek.body !== 'request')) return;
    this.sendRecord(route, from, wrapMsg(errorMsg(peek.msgId, code, message), this.endpointId, from));
  }

  private sendRecord(route: UspRoute, to: string, rec: UspInput<UspRecord>): void {
    this.transmit(route.mtp, encodeRecord(rec), to, route).catch((err: Error) => this.logger.debug('usp: answer not sent', { to, error: err.message }));
  }

  private async transmit(mtp: UspMtp, bytes: Uint8Array, to: string, route?: UspRoute): Promise<void> {
    this.busy++;
    try {
      await mtp.send(bytes, to, route);
      this.stats.recordsOut++;
    } finally {
      this.unbusy();
    }
  }

  /** Settles the pending Notify `msgId` of `from` (R-NOT.9: matched by msg_id); an answer from another endpoint is ignored. */
  private settle(msgId: string, from: string, err?: Error): void {
    const p = this.pending?.get(msgId);
    if (!p || p.controllerId !== from) return;
    this.pending!.delete(msgId);
    p.job.cancel();
    settleLater(p.waiter, err);
  }

  private failPending(reason: 'mtp-lost' | 'closed', message: string): void {
    if (!this.pending) return;
    for (const [id, p] of [...this.pending]) this.settle(id, p.controllerId, new UspDeliveryError(reason, `${message} before the NotifyResp to Notify ${id}`));
  }
}
