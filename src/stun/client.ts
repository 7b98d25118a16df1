/**
 * The CPE side of TR-111 Part 2: Binding Requests sent from the UDP Connection Request
 * socket (so the binding a STUN server reports is the one Connection Requests must be
 * sent to), answers matched by transaction id, and a per-CPE keep-alive loop on the
 * fleet's scheduler. Knows no tree: the fleet gives each binder a `config()` to read
 * and an `onBinding()` to write.
 * @module
 */
import type { RemoteInfo } from 'node:dgram';
import type { Scheduler, ScheduledJob } from '../clock/index.js';
import { CpeSimError } from '../errors/index.js';
import { bindingRequest, readBindingResponse, type BindingRequestOptions } from './codec.js';

/** Where and how one CPE talks STUN (read from its tree before every request). */
export interface StunConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  /** Seconds between Binding Requests (TR-111: within STUNMinimum/MaximumKeepAlivePeriod). */
  keepAliveS: number;
}

/** A mapped address. */
export interface StunMapping {
  address: string;
  port: number;
}

/** Sends a datagram from the shared socket. */
export type DatagramSend = (msg: Uint8Array, port: number, host: string) => Promise<void>;

interface Pending {
  resolve(m: StunMapping): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Binding transactions over a socket someone else reads: feed it every datagram with
 * {@link StunTransactions.handle}; it takes the answers to its requests.
 */
export class StunTransactions {
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  /** Real-time waits before each retransmission (RFC 5389 §7.2.1 doubles from 500 ms; shortened). */
  private readonly waitsMs: readonly number[];

  constructor(
    private readonly send: DatagramSend,
    opts: { retransmitMs?: readonly number[] } = {},
  ) {
    this.waitsMs = opts.retransmitMs ?? [500, 1000, 2000];
  }

  /** Takes a datagram if it answers one of our requests. */
  handle(msg: Buffer, _from: RemoteInfo): boolean {
    const r = readBindingResponse(msg);
    if (!r) return false;
    const p = this.pending.get(r.id);
    if (!p) return true; // a late answer to a request already settled: still STUN, not a CR
    this.pending.delete(r.id);
    clearTimeout(p.timer);
    if (r.kind === 'success') p.resolve({ address: r.address, port: r.port });
    else p.reject(new CpeSimError('CPESIM_STUN_ERROR', `STUN server answered ${r.code} ${r.reason}`));
    return true;
  }

  /** One Binding Request, retransmitted until answered; rejects after the last wait. */
  request(host: string, port: number, opts: BindingRequestOptions = {}): Promise<StunMapping> {
    if (this.closed) return Promise.reject(new CpeSimError('CPESIM_STUN_CLOSED', 'STUN client closed'));
    const { bytes, id } = bindingRequest(opts);
    return new Promise<StunMapping>((resolve, reject) => {
      let attempt = 0;
      const fire = (): void => {
        if (attempt >= this.waitsMs.length) {
          this.pending.delete(id);
          reject(new CpeSimError('CPESIM_STUN_TIMEOUT', `no answer from STUN server ${host}:${port} after ${attempt} Binding Requests`));
          return;
        }
        const wait = this.waitsMs[attempt++]!;
        const entry = this.pending.get(id);
        if (entry) entry.timer = setTimeout(fire, wait).unref();
        this.send(bytes, port, host).catch(() => undefined);
      };
      this.pending.set(id, { resolve, reject, timer: setTimeout(() => undefined, 0) });
      fire();
    });
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new CpeSimError('CPESIM_STUN_CLOSED', 'STUN client closed'));
    }
    this.pending.clear();
  }
}

/**
 * One CPE's STUN loop: a Binding Request now, then one every keep-alive period; a
 * changed mapping is reported to `onBinding` and announced to the server with
 * BINDING-CHANGE (TR-111 Part 2).
 */
export class StunBinder {
  private job: ScheduledJob | undefined;
  private last: string | undefined;
  private inFlight = false;
  private closed = false;

  constructor(
    private readonly transactions: StunTransactions,
    private readonly scheduler: Scheduler,
    /** undefined while STUN is disabled. */
    private readonly config: () => StunConfig | undefined,
    private readonly onBinding: (m: StunMapping, changed: boolean) => void,
    private readonly onError: (e: Error) => void = () => undefined,
  ) {}

  /** The mapping last reported, `host:port`. */
  get mapping(): string | undefined {
    return this.last;
  }

  /** Runs a Binding Request now (and re-arms the keep-alive); call when a STUN leaf changed. */
  kick(): void {
    if (this.closed) return;
    this.job?.cancel();
    this.job = undefined;
    void this.tick();
  }

  private async tick(): Promise<void> {
    if (this.inFlight || this.closed) return;
    const cfg = this.config();
    if (!cfg) return; // disabled: a later kick() (an SPV of STUNEnable) starts it again
    this.inFlight = true;
    try {
      const m = await this.transactions.request(cfg.host, cfg.port, { username: cfg.username, password: cfg.password });
      const key = `${m.address}:${m.port}`;
      const changed = this.last !== undefined && this.last !== key;
      this.last = key;
      this.onBinding(m, changed);
      if (changed) {
        // Tell the server the binding changed, on the new binding.
        await this.transactions.request(cfg.host, cfg.port, { username: cfg.username, password: cfg.password, bindingChange: true }).catch(() => undefined);
      }
    } catch (err) {
      if (!this.closed) this.onError(err as Error);
    } finally {
      this.inFlight = false;
    }
    if (!this.closed) {
      this.job = this.scheduler.after(Math.max(1, cfg.keepAliveS) * 1000, () => {
        this.job = undefined;
        void this.tick();
      });
    }
  }

  close(): void {
    this.closed = true;
    this.job?.cancel();
    this.job = undefined;
  }
}
