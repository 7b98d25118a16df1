/**
 * The WebSocket MTP of one agent towards one Controller (TR-369 "WebSocket Binding",
 * usp-notes §6.2), over `ws`. The agent dials out (R-WS.5) to the URL the
 * `Controller.{i}.MTP.{j}.WebSocket.` row describes (Host, Port, Path,
 * EnableEncryption), offering only the `v1.usp` subprotocol (R-WS.9/.10/.12) and
 * naming itself with `?eid=` (R-WS.10b/c).
 *
 * - One Record per binary message; a text frame or an undecodable Record closes the
 *   session with 1003 (R-WS.14/.16).
 * - Ping every KeepAliveInterval seconds; two unanswered pings end the session (R-WS.17/.18).
 * - Reconnects with SessionRetryMinimumWaitInterval / SessionRetryIntervalMultiplier,
 *   the counter reset by a session that opened (R-WS.19–.21).
 * @module
 */
import WebSocket from 'ws';
import type { ScheduledJob, Scheduler } from '../clock/index.js';
import type { ParameterTree } from '../datamodel/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { uspRetryPolicyFrom, type UspRetryPolicy } from './backoff.js';
import { encodeRecord } from './codec.js';
import { setIfPresent } from './controllers.js';
import { UspDeliveryError } from './delivery.js';
import { RetryingMtp, tlsFailureCode, type UspMtp, type UspMtpHost, type UspRoute, type UspTlsOptions } from './mtp.js';

/** The WebSocket subprotocol of USP (R-WS.9). */
export const USP_WS_PROTOCOL = 'v1.usp';

/** Pongs missed in a row after which the session is considered dead (obuspa's choice, usp-notes §6.2). */
export const MAX_MISSED_PONGS = 2;

/** What the WebSocket MTP needs. */
export interface WebSocketMtpOptions {
  host: UspMtpHost;
  tree: ParameterTree;
  scheduler: Scheduler;
  random: () => number;
  logger?: Logger;
  /** The Controller this session serves. */
  controllerId: string;
  /** Its `Controller.{i}.MTP.{j}.` row (WebSocket.Host, Port, Path, EnableEncryption, KeepAliveInterval, SessionRetry*). */
  controllerMtpRow: string;
  /** This agent's `LocalAgent.MTP.{i}.` row of Protocol WebSocket (its Status is kept). */
  mtpRow?: string;
  /** Larger messages close the session (ws answers 1009); default 1 MiB. */
  maxRecordBytes?: number;
  /** CA certificate(s) for `wss:` (EnableEncryption true); `tls.ca` wins. */
  ca?: string | Buffer;
  /** CA, client certificate and key for `wss:` (EnableEncryption true, R-WS.3: TLS towards the Controller). */
  tls?: UspTlsOptions;
}

/**
 * The URL of a Controller's WebSocket row: `ws[s]://Host:Port/Path?eid=<EID>`, the EID
 * percent-encoded with `%` as `%25` (R-WS.10b/c).
 * @example webSocketUrl({ host: '127.0.0.1', port: 8080, path: '/usp', encrypted: false }, 'os::00256D-SN1')
 * // 'ws://127.0.0.1:8080/usp?eid=os%3A%3A00256D-SN1'
 */
export function webSocketUrl(t: { host: string; port: number; path: string; encrypted: boolean }, endpointId: string): string {
  const host = t.host.includes(':') && !t.host.startsWith('[') ? `[${t.host}]` : t.host;
  const path = t.path.startsWith('/') ? t.path : `/${t.path}`;
  const sep = path.includes('?') ? '&' : '?';
  return `${t.encrypted ? 'wss' : 'ws'}://${host}:${t.port}${path}${sep}eid=${encodeURIComponent(endpointId)}`;
}

/** The WebSocket MTP of one agent towards one Controller. */
export class WebSocketMtp extends RetryingMtp implements UspMtp {
  readonly kind = 'websocket';
  private ws: WebSocket | undefined;
  private isUp = false;
  private pingJob: ScheduledJob | undefined;
  private missedPongs = 0;
  /** A TLS failure was already reported since the last session (or start). */
  private tlsWarned = false;
  private readonly logger: Logger;

  constructor(private readonly opts: WebSocketMtpOptions) {
    super(opts.scheduler, opts.random);
    this.logger = opts.logger ?? silentLogger;
  }

  get up(): boolean {
    return this.isUp;
  }

  reaches(controllerId: string): boolean {
    return this.isUp && controllerId === this.opts.controllerId && this.enabled();
  }

  cut(): void {
    this.stop(false);
    // terminate(): the TCP connection is destroyed without a close frame, as a dead box would.
    this.drop((ws) => ws.terminate());
  }

  async close(farewell?: (controllerId: string) => Uint8Array): Promise<void> {
    if (this.closed) return;
    this.stop(true);
    const ws = this.ws;
    if (ws && this.isUp && farewell) await this.send(farewell(this.opts.controllerId), this.opts.controllerId).catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', () => resolve());
      // A Controller that does not answer the close frame must not hold close() up.
      const t = setTimeout(() => ws.terminate(), 2000);
      t.unref();
      ws.close(1000);
    });
    this.drop(() => undefined);
  }

  send(bytes: Uint8Array, controllerId: string, route?: UspRoute): Promise<void> {
    const ws = this.ws;
    if (route !== undefined && route.mtp !== this) return Promise.reject(new UspDeliveryError('no-route', 'route of another MTP'));
    if (controllerId !== this.opts.controllerId) return Promise.reject(new UspDeliveryError('no-route', `the WebSocket session serves ${this.opts.controllerId}, not ${controllerId}`));
    if (!ws || !this.isUp) return Promise.reject(new UspDeliveryError('mtp-down', `WebSocket MTP to ${controllerId} is not connected`));
    return new Promise<void>((resolve, reject) => {
      // R-WS.14: one Record per binary message, unfragmented.
      ws.send(bytes, { binary: true, fin: true }, (err) => (err ? reject(new UspDeliveryError('mtp-lost', `WebSocket send failed: ${err.message}`)) : resolve()));
    });
  }

  sendConnect(controllerId: string): Promise<void> {
    const bytes = encodeRecord({ version: '1.3', to_id: controllerId, from_id: this.opts.host.endpointId, record_type: 'websocket_connect', websocket_connect: {} });
    return this.send(bytes, controllerId);
  }

  /** Closes the session because the peer broke the binding (R-WS.16: 1003). */
  reject(reason: string): void {
    this.logger.warn('usp websocket: closing with 1003', { reason, controller: this.opts.controllerId });
    this.ws?.close(1003, reason.slice(0, 120));
  }

  private leaf(name: string): string {
    return this.opts.tree.getValue(this.opts.controllerMtpRow + name) ?? '';
  }

  private enabled(): boolean {
    return this.opts.tree.getValue(`${this.opts.controllerMtpRow}Enable`) !== 'false';
  }

  private status(s: 'Up' | 'Down' | 'Error'): void {
    if (this.opts.mtpRow !== undefined) setIfPresent(this.opts.tree, `${this.opts.mtpRow}Status`, s);
  }

  protected retryPolicy(): UspRetryPolicy {
    return uspRetryPolicyFrom(this.leaf('WebSocket.SessionRetryMinimumWaitInterval'), this.leaf('WebSocket.SessionRetryIntervalMultiplier'));
  }

  protected connect(): void {
    if (!this.running || this.closed) return;
    const port = Number(this.leaf('WebSocket.Port'));
    const host = this.leaf('WebSocket.Host');
    if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
      this.logger.warn('usp websocket: no usable Controller address (Controller.{i}.MTP.{j}.WebSocket Host/Port)', { row: this.opts.controllerMtpRow });
      this.status('Error');
      return this.retry();
    }
    const encrypted = this.leaf('WebSocket.EnableEncryption') === 'true';
    const url = webSocketUrl({ host, port, path: this.leaf('WebSocket.Path'), encrypted }, this.opts.host.endpointId);
    const t = this.opts.tls ?? {};
    const ca = t.ca ?? this.opts.ca;
    const ws = new WebSocket(url, [USP_WS_PROTOCOL], {
      maxPayload: this.opts.maxRecordBytes ?? 1024 * 1024,
      handshakeTimeout: 10_000,
      // wss: the Controller's certificate is checked against the configured CA (system store without one).
      ...(encrypted && ca !== undefined ? { ca } : {}),
      ...(encrypted && t.cert !== undefined ? { cert: t.cert } : {}),
      ...(encrypted && t.key !== undefined ? { key: t.key } : {}),
      ...(encrypted && t.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    });
    let refusedTls = false;
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => {
      if (this.ws !== ws) return;
      // ws already failed the handshake when the answer lacked a subprotocol; anything else is not USP (R-WS.12).
      if (ws.protocol !== USP_WS_PROTOCOL) return ws.close(1002, 'subprotocol v1.usp required');
      this.connected();
      this.tlsWarned = false;
      this.isUp = true;
      this.missedPongs = 0;
      this.status('Up');
      this.armPing(ws);
      this.opts.host.onUp(this);
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      if (!isBinary) return this.reject('text frame (USP Records travel in binary frames)');
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      this.opts.host.onRecord(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), { mtp: this });
    });
    ws.on('pong', () => {
      this.missedPongs = 0;
    });
    ws.on('error', (err) => {
      const code = tlsFailureCode(err);
      if (code === undefined) return this.logger.debug('usp websocket error', { error: err.message });
      // A certificate the agent does not trust will not fix itself by retrying: say so,
      // once per run of failures (the retries after it log at debug).
      refusedTls = true;
      const log = this.tlsWarned ? this.logger.debug.bind(this.logger) : this.logger.warn.bind(this.logger);
      this.tlsWarned = true;
      log('usp websocket: TLS with the Controller failed; check the CA (--ca-cert-file, usp.tls.ca) and client certificate (--tls-cert/--tls-key)', {
        url: url.replace(/\?.*$/, ''),
        code,
        error: err.message,
        controller: this.opts.controllerId,
        endpoint: this.opts.host.endpointId,
      });
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.pingJob?.cancel();
      this.pingJob = undefined;
      const wasUp = this.isUp;
      this.isUp = false;
      this.status(refusedTls ? 'Error' : 'Down');
      if (wasUp) this.opts.host.onDown(this);
      this.retry();
    });
  }

  /** R-WS.17: a Ping every KeepAliveInterval seconds; R-WS.18 (pong) is answered by ws itself. */
  private armPing(ws: WebSocket): void {
    const s = Number(this.leaf('WebSocket.KeepAliveInterval') || '30');
    if (!(s > 0)) return;
    this.pingJob = this.opts.scheduler.after(s * 1000, () => {
      this.pingJob = undefined;
      if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
      if (this.missedPongs >= MAX_MISSED_PONGS) {
        this.logger.info('usp websocket: peer stopped answering pings', { controller: this.opts.controllerId });
        ws.terminate();
        return;
      }
      this.missedPongs++;
      ws.ping();
      this.armPing(ws);
    });
  }

  private drop(end: (ws: WebSocket) => void): void {
    const ws = this.ws;
    this.ws = undefined;
    this.pingJob?.cancel();
    this.pingJob = undefined;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      end(ws);
    }
    if (this.isUp) {
      this.isUp = false;
      this.opts.host.onDown(this);
    }
    this.status('Down');
  }
}
