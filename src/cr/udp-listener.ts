/**
 * The UDP Connection Request listener (TR-069 Annex G, TR-111 Part 2): one UDP socket
 * for every CPE of the fleet (of this worker), the CPE found from the `un` field.
 * Every failure is silent (UDP has no reply) and counted per reason. The same socket
 * carries the CPEs' STUN Binding Requests, so the NAT binding a STUN server reports is
 * the address Connection Requests must be sent to: datagrams that are not HTTP are
 * offered to {@link UdpCrListenerOptions.onOtherDatagram} first.
 * @module
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ConfigError, CpeSimError } from '../errors/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { parseBindAddr, urlHost, type BindAddr } from './bindaddr.js';
import type { CrThrottle } from './throttle.js';
import { parseUdpCr, UDP_CR_REASONS, verifyUdpCr, type UdpCrReason } from './udp-message.js';

/** What a CPE registers with the UDP listener. */
export interface UdpCrEndpoint {
  /** Read per datagram, as the HTTP listener does: an SPV of the credentials takes effect at once. */
  credentials(): { username: string; password: string };
  /** The CPE's Connection Request throttle, the same object the HTTP and XMPP paths use. */
  readonly throttle: CrThrottle;
  /** Called once per accepted Connection Request. */
  onRequest(): void;
  /** False while the device is dark (off, rebooting, uplink cut): its datagrams are lost. Absent = always on. */
  poweredOn?(): boolean;
}

/** Outcome of one datagram, for logs and observers. */
export interface UdpCrEvent {
  /** The CPE the datagram named (by `un`), when one did. */
  cpeId: string | undefined;
  reason: UdpCrReason;
  /** Finer cause for logs, e.g. `no ts`, `Content-Length other than 0`. */
  detail?: string;
  remoteAddress: string;
  remotePort: number;
  /** The message `id`, for well-formed messages. */
  id?: string;
}

/** Options of {@link createUdpCrListener}. */
export interface UdpCrListenerOptions {
  /** `host:port`, `[v6]:port` or `:port`; port 0 = the OS picks. */
  bindAddr: string;
  /** Host written into `UDPConnectionRequestAddress` (default: the bind host; `127.0.0.1` when unspecified). */
  publishHost?: string;
  /**
   * Largest difference, in seconds, between a message's `ts` and this host's clock
   * (default 300). TR-111 lets a CPE with a reliable clock refuse old messages; a
   * simulator's clock is reliable.
   */
  maxClockSkewS?: number;
  /** Also read `ts` in milliseconds (FreeACS and OpenACS send them); default false, as Annex G says seconds. */
  acceptMillisecondTs?: boolean;
  /** Wall clock for `ts` checks and the throttle (default Date.now). */
  now?: () => number;
  logger?: Logger;
  /** Observer of every datagram's outcome. */
  onRequest?: (e: UdpCrEvent) => void;
  /**
   * Offered every datagram that does not start like an HTTP request (STUN responses
   * on the shared socket). Return true if it was taken; otherwise it counts as `not-http`.
   */
  onOtherDatagram?: (msg: Buffer, from: RemoteInfo) => boolean;
}

/** Counters of {@link UdpCrListener.stats}. */
export interface UdpCrStats {
  /** Datagrams read (STUN ones taken by `onOtherDatagram` excluded). */
  received: number;
  /** Datagrams `onOtherDatagram` took (the CPEs' STUN answers). */
  other: number;
  /** Per reason, `accepted` included; every reason is present (0 when it never happened). */
  byReason: Record<UdpCrReason, number>;
  endpoints: number;
}

/** A running UDP Connection Request listener. */
export interface UdpCrListener extends AsyncDisposable {
  /** Binds the socket. Rejects with `CPESIM_ADDRESS_IN_USE` when the port is taken. */
  listen(): Promise<void>;
  readonly address: { host: string; port: number; family: 'IPv4' | 'IPv6' };
  /** `host:port` as published into `UDPConnectionRequestAddress` (IPv6 bracketed). */
  readonly publishedAddress: string;
  /** Registers a CPE; its current username routes datagrams to it. Returns {@link publishedAddress}. */
  register(cpeId: string, endpoint: UdpCrEndpoint): string;
  unregister(cpeId: string): void;
  /** Re-reads a CPE's username after it changed (the fleet calls it on every write of that leaf). */
  refresh(cpeId: string): void;
  /** Sends a datagram from the listener's socket (the STUN client uses it, so its binding is this socket's). */
  send(msg: Uint8Array, port: number, host: string): Promise<void>;
  stats(): UdpCrStats;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Message ids remembered per CPE: GenieACS sends each id three times, FreeACS too. */
const REMEMBERED_IDS = 16;

class UdpRegistration {
  /** The username the registration is indexed under. */
  user = '';
  lastTs = -Infinity;
  private ids: string[] = [];
  constructor(
    readonly cpeId: string,
    readonly endpoint: UdpCrEndpoint,
  ) {}
  seen(id: string): boolean {
    return this.ids.includes(id);
  }
  remember(id: string, ts: number): void {
    this.ids.push(id);
    if (this.ids.length > REMEMBERED_IDS) this.ids.shift();
    this.lastTs = Math.max(this.lastTs, ts);
  }
}

function zeroCounts(): Record<UdpCrReason, number> {
  return Object.fromEntries(UDP_CR_REASONS.map((r) => [r, 0])) as Record<UdpCrReason, number>;
}

/**
 * Creates the UDP Connection Request listener; call `listen()` to bind.
 * @example
 * await using udp = createUdpCrListener({ bindAddr: '127.0.0.1:0' });
 * await udp.listen();
 * udp.register('cpe-1', { credentials: () => ({ username: 'cr', password: 'pw' }), throttle: new CrThrottle(0), onRequest: () => cpe.connectionRequest() });
 * udp.stats().byReason['bad-signature']; // how many forged datagrams were dropped
 */
export function createUdpCrListener(opts: UdpCrListenerOptions): UdpCrListener {
  const bind: BindAddr = parseBindAddr(opts.bindAddr);
  const maxSkewS = opts.maxClockSkewS ?? 300;
  if (!Number.isFinite(maxSkewS) || maxSkewS <= 0) throw new ConfigError(`invalid UDP CR maxClockSkewS ${String(opts.maxClockSkewS)}: expected a positive number of seconds`);
  let publishHost: string;
  if (opts.publishHost !== undefined) {
    publishHost = opts.publishHost.replace(/^\[(.*)\]$/, '$1');
    if (publishHost === '' || /[/?#@\s[\]]/.test(publishHost)) throw new ConfigError(`invalid UDP CR publishHost ${JSON.stringify(opts.publishHost)}: expected a host name or IP address`);
  } else publishHost = bind.unspecified ? '127.0.0.1' : bind.host;
  const now = opts.now ?? Date.now;
  const log = (opts.logger ?? silentLogger).child({ component: 'udp-cr' });
  const byId = new Map<string, UdpRegistration>();
  const byUser = new Map<string, UdpRegistration[]>();
  const counts = zeroCounts();
  let received = 0;
  let other = 0;
  const family = bind.host !== '' && isIPv6(bind.host) ? 'udp6' : 'udp4';
  const socket: Socket = createSocket({ type: family });
  let bound: { host: string; port: number; family: 'IPv4' | 'IPv6' } | undefined;
  let listening: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const index = (reg: UdpRegistration): void => {
    unindex(reg);
    let user = '';
    try {
      user = reg.endpoint.credentials().username;
    } catch (err) {
      log.error('UDP CR endpoint credentials() threw', { cpe_id: reg.cpeId, error: err instanceof Error ? err.message : String(err) });
    }
    // An empty username is "not populated yet": such a CPE cannot be addressed (fail closed).
    reg.user = user;
    if (user === '') return;
    const list = byUser.get(user);
    if (list) list.push(reg);
    else byUser.set(user, [reg]);
  };
  const unindex = (reg: UdpRegistration): void => {
    const list = byUser.get(reg.user);
    if (!list) return;
    const i = list.indexOf(reg);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) byUser.delete(reg.user);
  };

  const emit = (e: UdpCrEvent): void => {
    counts[e.reason]++;
    if (log.enabled('debug')) {
      log.debug('udp connection request', {
        ...(e.cpeId !== undefined ? { cpe_id: e.cpeId } : {}),
        reason: e.reason,
        ...(e.detail !== undefined ? { detail: e.detail.slice(0, 120) } : {}),
        remote: `${e.remoteAddress}:${e.remotePort}`,
      });
    }
    try {
      opts.onRequest?.(e);
    } catch (err) {
      log.error('UDP CR observer threw', { error: err instanceof Error ? err.message : String(err) });
    }
  };

  const handle = (msg: Buffer, from: RemoteInfo): void => {
    // STUN messages start with two zero bits (RFC 5389 §6); an HTTP request line with a letter.
    if (msg.length > 0 && msg[0]! < 0x40 && opts.onOtherDatagram) {
      let taken = false;
      try {
        taken = opts.onOtherDatagram(msg, from);
      } catch (err) {
        log.error('UDP datagram handler threw', { error: err instanceof Error ? err.message : String(err) });
      }
      if (taken) {
        other++;
        return;
      }
    }
    received++;
    const base = { remoteAddress: from.address, remotePort: from.port };
    const parsed = parseUdpCr(msg);
    if (!parsed.ok) return emit({ ...base, cpeId: undefined, reason: parsed.reason, detail: parsed.detail });
    const m = parsed.message;
    const candidates = [...(byUser.get(m.un.raw) ?? []), ...(m.un.decoded !== m.un.raw ? (byUser.get(m.un.decoded) ?? []) : [])];
    if (candidates.length === 0) return emit({ ...base, cpeId: undefined, reason: 'unknown-user', id: m.id });
    // Several CPEs may share a username; the signature (their passwords) tells them apart.
    let reg: UdpRegistration | undefined;
    for (const c of candidates) {
      let cred: { username: string; password: string };
      try {
        cred = c.endpoint.credentials();
      } catch {
        continue;
      }
      if (cred.username !== '' && verifyUdpCr(m, cred.username, cred.password)) {
        reg = c;
        break;
      }
    }
    if (!reg) return emit({ ...base, cpeId: candidates.length === 1 ? candidates[0]!.cpeId : undefined, reason: 'bad-signature', id: m.id });
    const cpeId = reg.cpeId;
    // A dark box receives nothing: not even its replay window or throttle budget moves.
    if (reg.endpoint.poweredOn?.() === false) return emit({ ...base, cpeId, reason: 'powered-off', id: m.id });
    // Annex G: a retransmission carries the same id; act on the first copy only.
    if (reg.seen(m.id)) return emit({ ...base, cpeId, reason: 'replay', id: m.id });
    let tsS = Number(m.ts);
    if (opts.acceptMillisecondTs && tsS > 1e11) tsS = Math.trunc(tsS / 1000);
    // Older than the last accepted message: a captured message replayed after its id was forgotten.
    if (tsS < reg.lastTs) return emit({ ...base, cpeId, reason: 'stale', id: m.id, detail: `ts ${tsS} < last accepted ${reg.lastTs}` });
    const nowMs = now();
    const skew = tsS - nowMs / 1000;
    if (Math.abs(skew) > maxSkewS) return emit({ ...base, cpeId, reason: 'clock-skew', id: m.id, detail: `ts is ${Math.round(skew)} s off this host's clock (max ${maxSkewS})` });
    // The same throttle as the HTTP listener: one budget of wake-ups per CPE, whatever the path.
    const t = reg.endpoint.throttle.admit(nowMs);
    if (!t.ok) return emit({ ...base, cpeId, reason: 'throttled', id: m.id, detail: `${t.remainingMs} ms left in the window` });
    reg.remember(m.id, tsS);
    try {
      reg.endpoint.onRequest();
    } catch (err) {
      log.error('UDP CR endpoint onRequest threw', { cpe_id: cpeId, error: err instanceof Error ? err.message : String(err) });
    }
    emit({ ...base, cpeId, reason: 'accepted', id: m.id });
  };

  socket.on('message', (msg, from) => {
    try {
      handle(msg, from);
    } catch (err) {
      // Never let one datagram take the fleet down.
      log.error('UDP CR handler failed', { error: err instanceof Error ? err.message : String(err) });
    }
  });

  const listener: UdpCrListener = {
    listen() {
      if (closing) return Promise.reject(new CpeSimError('CPESIM_LISTENER_CLOSED', 'the UDP CR listener was closed; create a new one'));
      listening ??= new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void => {
          const where = `${bind.host === '' ? '' : urlHost(bind.host)}:${bind.port}`;
          const code = err.code === 'EADDRINUSE' ? 'CPESIM_ADDRESS_IN_USE' : 'CPESIM_LISTEN_FAILED';
          reject(new CpeSimError(code, `UDP CR listener cannot bind ${where} (bindAddr ${JSON.stringify(opts.bindAddr)}): ${err.code === 'EADDRINUSE' ? 'address already in use; choose another port or port 0' : err.message}`, { cause: err }));
        };
        socket.once('error', onError);
        socket.bind({ port: bind.port, ...(bind.host !== '' ? { address: bind.host } : {}) }, () => {
          socket.off('error', onError);
          socket.on('error', (e) => log.error('UDP CR socket error', { error: e.message }));
          const a = socket.address();
          bound = { host: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' };
          log.info('udp connection request listener bound', { address: `${urlHost(a.address)}:${a.port}`, published: listener.publishedAddress });
          resolve();
        });
      });
      return listening;
    },
    get address() {
      if (!bound) throw new CpeSimError('CPESIM_NOT_LISTENING', 'UDP CR listener address is unknown until listen() resolves');
      return { ...bound };
    },
    get publishedAddress() {
      const port = bound?.port ?? bind.port;
      if (port === 0) throw new CpeSimError('CPESIM_NOT_LISTENING', 'the UDP CR address needs the bound port: call listen() first when bindAddr uses port 0');
      return `${urlHost(publishHost)}:${port}`;
    },
    register(cpeId, endpoint) {
      if (byId.has(cpeId)) throw new CpeSimError('CPESIM_CR_DUPLICATE', `UDP CR endpoint ${JSON.stringify(cpeId)} is already registered; unregister it first`);
      const reg = new UdpRegistration(cpeId, endpoint);
      byId.set(cpeId, reg);
      index(reg);
      return listener.publishedAddress;
    },
    unregister(cpeId) {
      const reg = byId.get(cpeId);
      if (!reg) return;
      unindex(reg);
      byId.delete(cpeId);
    },
    refresh(cpeId) {
      const reg = byId.get(cpeId);
      if (reg) index(reg);
    },
    send(msg, port, host) {
      return new Promise<void>((resolve, reject) => socket.send(msg, port, host, (err) => (err ? reject(err) : resolve())));
    },
    stats() {
      return { received, other, byReason: { ...counts }, endpoints: byId.size };
    },
    close() {
      closing ??= (async () => {
        if (listening) await listening.catch(() => undefined);
        if (!bound) return;
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        const dropped = received - counts.accepted;
        log.debug('udp connection request listener closed', { received, accepted: counts.accepted, dropped });
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return listener.close();
    },
  };
  return listener;
}
