/**
 * What the agent and its Message Transfer Protocols (MQTT, WebSocket) say to each
 * other. An MTP carries Records as opaque bytes; the agent decodes them, answers on
 * the route a request came by, and is told when the MTP is up (send the Connect
 * records, TR-369 R-MTP.8) and when it is lost.
 * @module
 */
import type { ScheduledJob, Scheduler } from '../clock/index.js';
import { uspRetryWaitMs, type UspRetryPolicy } from './backoff.js';

/** Which MTP. */
export type UspMtpKind = 'mqtt' | 'websocket';

/** Where an inbound Record came from: an answer goes back this way (TR-369 R-MSG.0a, R-MQTT.25/.26). */
export interface UspRoute {
  readonly mtp: UspMtp;
  /** MQTT: the topic to answer on (Response Topic or `/reply-to=`). WebSocket: undefined (the same socket). */
  readonly replyTo?: string;
}

/** The agent side, as an MTP sees it. */
export interface UspMtpHost {
  readonly endpointId: string;
  /** A Record arrived (undecoded; the MTP checked only its own framing). */
  onRecord(bytes: Uint8Array, route: UspRoute): void;
  /** The MTP can carry Records now (connected and subscribed): the agent sends Connect records first. */
  onUp(mtp: UspMtp): void;
  /** The MTP was lost (broker gone, socket closed, cut). */
  onDown(mtp: UspMtp): void;
}

/** One MTP of one agent. */
export interface UspMtp {
  readonly kind: UspMtpKind;
  /** Connected and able to send now. */
  readonly up: boolean;
  /** Whether `controllerId` can be reached over this MTP now. */
  reaches(controllerId: string): boolean;
  /** Connects (and keeps reconnecting with the TR-369 back-off until cut or closed). */
  start(): void;
  /** Drops the connection without a word (no Disconnect record, no MQTT DISCONNECT): a dead box. Stops reconnecting. */
  cut(): void;
  /**
   * Sends one Record to `controllerId`: on `route` when answering a request, else to
   * the Controller's configured destination. Resolves once handed to the transport
   * (MQTT: PUBACK for QoS 1).
   * @throws UspDeliveryError when the MTP is down or the Controller has no destination here.
   */
  send(bytes: Uint8Array, controllerId: string, route?: UspRoute): Promise<void>;
  /** Sends this MTP's Connect record (mqtt_connect / websocket_connect) to `controllerId`. */
  sendConnect(controllerId: string): Promise<void>;
  /**
   * Orderly shutdown: `farewell(controllerId)` gives the Disconnect record sent to each
   * reachable Controller first (TR-369 R-MTP.7), then the MQTT DISCONNECT / WebSocket
   * close. Idempotent.
   */
  close(farewell?: (controllerId: string) => Uint8Array): Promise<void>;
}

/**
 * The connect-and-retry cycle both MTPs share: `start()` connects, a lost or refused
 * connection is retried after the TR-369 back-off of the subclass's leaves, `cut()` and
 * `close()` stop it. The attempt counter resets when a connection is up (R-MQTT.10,
 * R-WS.21).
 */
export abstract class RetryingMtp {
  /** Connecting or connected until cut or closed. */
  protected running = false;
  protected closed = false;
  private attempt = 0;
  private retryJob: ScheduledJob | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly random: () => number,
  ) {}

  start(): void {
    if (this.closed || this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  /** One connection attempt (its failure calls {@link retry}). */
  protected abstract connect(): void;

  /** The back-off of this MTP, read from the tree now. */
  protected abstract retryPolicy(): UspRetryPolicy;

  /** A connection is up: the next failure starts the back-off from the first wait again. */
  protected connected(): void {
    this.attempt = 0;
  }

  /** Stops connecting (cut: `closing` false; close: true, for good). */
  protected stop(closing: boolean): void {
    if (closing) this.closed = true;
    this.running = false;
    this.retryJob?.cancel();
    this.retryJob = undefined;
  }

  /** Schedules the next attempt after the randomised wait for the attempt number. */
  protected retry(): void {
    if (!this.running || this.closed) return;
    this.attempt++;
    this.retryJob?.cancel();
    this.retryJob = this.scheduler.after(uspRetryWaitMs(this.attempt, this.retryPolicy(), this.random), () => {
      this.retryJob = undefined;
      this.connect();
    });
  }
}

/**
 * TLS settings of an agent's encrypted MTPs (MQTT over TLS or WebSocketTLS, a `wss:`
 * Controller): what Node's `tls.connect` takes. Without `ca` the system store decides.
 */
export interface UspTlsOptions {
  /** Trusted CA certificate(s), PEM: the broker's / Controller's certificate must chain to one. */
  ca?: string | Buffer;
  /** Client certificate (PEM) for brokers that demand one (mutual TLS); needs `key`. */
  cert?: string | Buffer;
  /** Private key (PEM) of `cert`. */
  key?: string | Buffer;
  /** `false` accepts any server certificate (tests only). Default true. */
  rejectUnauthorized?: boolean;
}

/** Node TLS / OpenSSL error codes that mean "certificate or TLS handshake refused", as opposed to an unreachable peer. */
const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ALTNAME|ISSUER|SIGNATURE/;

/**
 * The code of `err` when it is a TLS failure (certificate not trusted, expired, wrong
 * name, client certificate refused, no common protocol), else undefined. A TLS failure is
 * a configuration problem (TR-181 `Error_Misconfigured`), not an unreachable peer.
 */
export function tlsFailureCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TLS_ERROR.test(code) ? code : undefined;
}
