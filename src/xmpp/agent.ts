/**
 * A CPE's XMPP session for Connection Requests (TR-069 Annex K): logs in with
 * `@xmpp/client` as the JID of `XMPP.Connection.{i}`, stays connected (reconnecting
 * with back-off), and answers `connectionRequest` IQs: `result` after checking the
 * allowed JIDs, the CR credentials and the throttle shared with the other paths, else
 * an error IQ (`not-authorized` / `service-unavailable`) as Annex K says. Knows no
 * tree: the fleet gives it functions that read the CPE's leaves now.
 * @module
 */
import type { XmppClient, IqContext } from '@xmpp/client';
import { CpeSimError } from '../errors/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { decideXmppCr, XMPP_CONN_REQ_NS, type XmppCrAnswer, type XmppCrReason } from './conn-req.js';
import { loadXmpp } from './load.js';
import { FAST_SCRAM, FastScram } from './scram.js';

/** One connectionRequest IQ and how it was answered. */
export interface XmppCrEvent {
  cpeId: string;
  from: string;
  answer: XmppCrAnswer;
  reason: XmppCrReason;
}

/** Options of {@link XmppAgent}. */
export interface XmppAgentOptions {
  cpeId: string;
  /** `xmpp://host:port` (or `xmpps://`). */
  service: string;
  domain: string;
  username: string;
  password: string;
  resource: string;
  /** The CPE's CR credentials, read per request. */
  credentials(): { username: string; password: string };
  /** `ConnReqAllowedJabberIDs`, read per request. */
  allowedJabberIds(): string;
  /** The CPE's throttle (shared with HTTP and UDP): true = admitted. */
  admit(): boolean;
  /** True while the box is dark (off, rebooting, uplink down): requests are refused as for an offline device. */
  dark?(): boolean;
  /** An accepted request: the CPE queues 6 CONNECTION REQUEST. */
  onRequest(): void;
  onEvent?(e: XmppCrEvent): void;
  /** Called with the bound full JID each time the session comes online. */
  onOnline?(jid: string): void;
  logger?: Logger;
  /** Reconnect back-off: first wait and cap, ms (default 1000 and 60 000). */
  backoff?: { initialMs: number; maxMs: number };
}

/** Connection state of an {@link XmppAgent}. */
export type XmppAgentStatus = 'offline' | 'connecting' | 'online' | 'closed';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/**
 * The SASL mechanism to log in with: SCRAM-SHA-1 when offered (ours, ./scram.ts), else
 * what `@xmpp/client` itself would pick: the server's first, but never PLAIN over a
 * stream that is not encrypted.
 */
export function pickMechanism(offered: readonly string[], secure: boolean): string {
  if (offered.includes('SCRAM-SHA-1')) return FAST_SCRAM;
  return (secure ? offered[0] : offered.find((m) => m !== 'PLAIN')) ?? '';
}

export class XmppAgent {
  private entity: XmppClient | undefined;
  private state: XmppAgentStatus = 'offline';
  private boundJid: string | undefined;
  private delay: number;
  private retry: NodeJS.Timeout | undefined;
  private readonly onlineWaiters = new Set<() => void>();
  private readonly log: Logger;
  /** Counters per reason, for tests and logs. */
  readonly counts: Record<XmppCrReason, number> = { accepted: 0, 'jid-not-allowed': 0, 'wrong-credentials': 0, 'not-populated': 0, throttled: 0, malformed: 0, 'powered-off': 0 };

  constructor(private readonly opts: XmppAgentOptions) {
    this.delay = opts.backoff?.initialMs ?? 1000;
    this.log = opts.logger ?? silentLogger;
  }

  get status(): XmppAgentStatus {
    return this.state;
  }

  /** The full JID as bound by the server, once online. */
  get jid(): string | undefined {
    return this.boundJid;
  }

  /** Connects (in the background); reconnects with back-off until {@link close}. */
  start(): void {
    if (this.state !== 'offline') return;
    void this.connect();
  }

  /** Resolves once the session is online (now or later); rejects after `timeoutMs`. */
  whenOnline(timeoutMs = 10_000): Promise<void> {
    if (this.state === 'online') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        this.onlineWaiters.delete(done);
        reject(new CpeSimError('CPESIM_TIMEOUT', `${this.opts.cpeId}: XMPP session to ${this.opts.service} not online within ${timeoutMs} ms (status ${this.state})`));
      }, timeoutMs);
      this.onlineWaiters.add(done);
    });
  }

  private async connect(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    try {
      const { client } = await loadXmpp();
      if ((this.state as XmppAgentStatus) === 'closed') return;
      const o = this.opts;
      const entity = client({
        service: o.service,
        domain: o.domain,
        username: o.username,
        password: o.password,
        resource: o.resource,
        // SCRAM-SHA-1 through ./scram.ts (native PBKDF2); any other offer as @xmpp/client picks it.
        credentials: (authenticate, mechanisms, _fast, ent) => authenticate({ username: o.username, password: o.password }, pickMechanism(mechanisms, ent.isSecure())),
      });
      entity.saslFactory.use(FAST_SCRAM, FastScram);
      this.entity = entity;
      entity.on('error', (err) => this.log.debug('xmpp error', { cpe_id: o.cpeId, error: err instanceof Error ? err.message : String(err) }));
      entity.on('offline', () => {
        if (this.state !== 'closed') this.state = 'offline';
      });
      entity.on('disconnect', () => {
        if (this.state === 'closed') return;
        this.state = 'connecting';
        // @xmpp/reconnect waits `delay` before each attempt: double it up to the cap.
        entity.reconnect.delay = Math.round(this.delay * (0.5 + Math.random()));
        this.delay = Math.min(this.delay * 2, o.backoff?.maxMs ?? 60_000);
      });
      entity.on('online', (jid) => {
        this.state = 'online';
        this.delay = o.backoff?.initialMs ?? 1000;
        this.boundJid = String(jid);
        this.log.debug('xmpp online', { cpe_id: o.cpeId, jid: this.boundJid });
        try {
          o.onOnline?.(this.boundJid);
        } catch (err) {
          this.log.error('xmpp onOnline threw', { cpe_id: o.cpeId, error: (err as Error).message });
        }
        for (const w of [...this.onlineWaiters]) w();
        this.onlineWaiters.clear();
      });
      entity.iqCallee.get(XMPP_CONN_REQ_NS, 'connectionRequest', (ctx) => this.answer(ctx));
      await entity.start();
    } catch (err) {
      if ((this.state as XmppAgentStatus) === 'closed') return;
      // The first connection failed (server down, bad password): try again after the back-off.
      this.state = 'offline';
      const wait = this.delay;
      this.delay = Math.min(this.delay * 2, this.opts.backoff?.maxMs ?? 60_000);
      this.log.warn('xmpp connection failed; retrying', { cpe_id: this.opts.cpeId, service: this.opts.service, retry_ms: wait, error: (err as Error).message });
      const e = this.entity;
      this.entity = undefined;
      e?.removeAllListeners();
      await e?.stop().catch(() => undefined);
      // Jitter (×0.5–1.5): a fleet that lost its server must not come back all at once.
      this.retry = setTimeout(() => void this.connect(), Math.round(wait * (0.5 + Math.random())));
      this.retry.unref();
    }
  }

  private async answer(ctx: IqContext): Promise<unknown> {
    const { xml } = await loadXmpp();
    const from = ctx.stanza.attrs.from ?? '';
    const el = ctx.element;
    const username = el.getChildText('username', XMPP_CONN_REQ_NS) ?? el.getChildText('username');
    const password = el.getChildText('password', XMPP_CONN_REQ_NS) ?? el.getChildText('password');
    let credentials = { username: '', password: '' };
    try {
      credentials = this.opts.credentials();
    } catch (err) {
      this.log.error('xmpp credentials() threw', { cpe_id: this.opts.cpeId, error: (err as Error).message });
    }
    const d = decideXmppCr({
      from,
      allowedJabberIds: this.opts.allowedJabberIds(),
      credentials,
      given: username !== null && password !== null ? { username, password } : undefined,
      admit: () => this.opts.admit(),
      dark: this.opts.dark?.() === true,
    });
    this.counts[d.reason]++;
    if (d.answer === 'result') {
      try {
        this.opts.onRequest();
      } catch (err) {
        this.log.error('xmpp onRequest threw', { cpe_id: this.opts.cpeId, error: (err as Error).message });
      }
    }
    try {
      this.opts.onEvent?.({ cpeId: this.opts.cpeId, from, answer: d.answer, reason: d.reason });
    } catch (err) {
      this.log.error('xmpp observer threw', { error: (err as Error).message });
    }
    if (d.answer === 'result') return true;
    // RFC 6120 §8.3.2: the defined condition is the first child of <error>; GenieACS reads exactly that.
    return xml('error', { type: d.answer === 'not-authorized' ? 'auth' : 'cancel' }, xml(d.answer, { xmlns: NS_STANZAS }));
  }

  /** Idempotent: ends the session and any pending reconnect. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.retry) clearTimeout(this.retry);
    const e = this.entity;
    this.entity = undefined;
    if (e) {
      e.reconnect.stop();
      await e.stop().catch(() => undefined);
    }
  }
}
