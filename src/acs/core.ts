/**
 * The transport-independent heart of the fake ACS: `handle(request) → response`.
 * The node:http server and the msw handlers both feed it, so sessions, cookies,
 * auth, queues and hooks behave the same either way.
 * @module
 */
import { ConfigError } from '../errors/index.js';
import { randomBytes } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import {
  NAMESPACE_BY_VERSION,
  decodeEnvelope,
  encodeEnvelope,
  faultFromError,
  summarize,
} from '../cwmp/index.js';
import type {
  AcsRequest,
  CpeResponse,
  CwmpHeader,
  CwmpMessage,
  CwmpNamespace,
  CwmpVersion,
  DeviceIdStruct,
  Envelope,
  Inform,
} from '../cwmp/index.js';
import { CpeSimError, CwmpFault } from '../errors/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { AcsAuthenticator } from './auth.js';
import type {
  AcsBehaviour,
  AcsInform,
  AcsMessageRecord,
  AcsSession,
  AcsTranscriptLine,
  FakeAcsOptions,
  WaitForInformOptions,
} from './types.js';

/** An HTTP request as the core sees it (already read from the wire). */
export interface CoreRequest {
  method: string;
  /** request-target: path + query, as on the request line. */
  target: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** Identifies the TCP connection (Digest nonce scope); undefined in msw mode. */
  connectionId?: number;
  /** The request line's HTTP version (`1.1`, `1.0`); undefined in msw mode. */
  httpVersion?: string;
  remoteAddress?: string;
  /** Subject CN of the client certificate (HTTPS with mutual TLS). */
  clientCertificate?: string | undefined;
  /** msw mode: the handler already matched the URL, skip the path check. */
  pathMatched?: boolean;
}

/** The answer the transport must write. */
export interface CoreResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Destroy the connection instead of answering (behaviour `dropConnection`, close()). */
  destroy?: boolean;
}

/** How a CPE's message reached the ACS (connection and HTTP version), for its record. */
function wireOf(req: CoreRequest): Pick<AcsMessageRecord, 'connectionId' | 'httpVersion'> {
  return { ...(req.connectionId !== undefined ? { connectionId: req.connectionId } : {}), ...(req.httpVersion !== undefined ? { httpVersion: req.httpVersion } : {}) };
}

/** Methods the ACS answers in GetRPCMethodsResponse (TR-069 Table 5: required ACS methods). */
export const ACS_RPC_METHODS: readonly string[] = ['Inform', 'GetRPCMethods', 'TransferComplete', 'AutonomousTransferComplete', 'DUStateChangeComplete', 'AutonomousDUStateChangeComplete'];

const VERSIONS: readonly CwmpVersion[] = ['1.0', '1.1', '1.2', '1.3', '1.4'];
const NS_ORDER: readonly CwmpNamespace[] = ['urn:dslforum-org:cwmp-1-0', 'urn:dslforum-org:cwmp-1-1', 'urn:dslforum-org:cwmp-1-2'];

/** An RPC waiting in a queue or in flight. */
interface QueueEntry {
  key: string;
  req: AcsRequest;
  settled: boolean;
  resolve?: (r: CpeResponse) => void;
  reject?: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Identity {
  serial: string;
  oui: string;
  productClass: string;
  crId: string | undefined;
}

interface LiveSession {
  rec: AcsSession;
  token: string;
  id: Identity;
  /** `id` as one key of {@link AcsCore.liveByDevice} (NUL-separated: no field can hold a NUL). */
  deviceKey: string;
  /** Namespace of every ACS message in this session: min(CPE's, ACS's) (TR-069 §3.7.4). */
  ns: CwmpNamespace;
  lastActivity: number;
  /** The RPC delivered and not yet answered, with the cwmp:ID we sent. */
  inFlight: { entry: QueueEntry; cwmpId: string } | undefined;
  /** The CPE sent its empty POST: it may send no more requests (TR-069 §3.7.1.3). */
  cpeDone: boolean;
}

interface Waiter {
  match: { cpe?: string; event?: string };
  resolve: (i: AcsInform) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const SESSION_COOKIE = 'session';

/** Error codes of the fake ACS. */
export const ACS_ERROR = {
  CLOSED: 'CPESIM_ACS_CLOSED',
  RPC_TIMEOUT: 'CPESIM_ACS_RPC_TIMEOUT',
  RPC_FAILED: 'CPESIM_ACS_RPC_FAILED',
  WAIT_TIMEOUT: 'CPESIM_ACS_WAIT_TIMEOUT',
} as const;

function textResponse(status: number, text: string, extra: Record<string, string> = {}): CoreResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extra }, body: text };
}

/** Splits a Cookie header; GenieACS accepts `,` as well as `;` separators, so do we. */
function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** Last non-empty path segment of a ConnectionRequestURL: `http://h:7547/cr/cpe-3` → `cpe-3`. */
export function crIdFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const segs = new URL(url).pathname.split('/').filter(Boolean);
    const last = segs[segs.length - 1];
    return last === undefined ? undefined : decodeURIComponent(last);
  } catch {
    return undefined;
  }
}

function describeMatch(m: { cpe?: string; event?: string }): string {
  const parts: string[] = [];
  if (m.cpe !== undefined) parts.push(`cpe=${m.cpe}`);
  if (m.event !== undefined) parts.push(`event=${JSON.stringify(m.event)}`);
  return parts.length ? parts.join(' ') : 'any Inform';
}

/** The session engine. One per FakeAcs. */
export class AcsCore {
  readonly path: string;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly maxSessions: number;
  /** The `throttle` option as the answer it gives. */
  private throttle: { httpStatus: 503; retryAfter: number; open: number; perSecond: number; windowStart: number; admitted: number } | undefined;
  private readonly keepXml: boolean;
  private readonly maxBodyBytes: number;
  private readonly sessionTimeoutMs: number;
  private readonly concurrent: 'supersede' | 'reject';
  private readonly ns: CwmpNamespace;
  private readonly version: '1.0' | '1.2' | '1.4';
  private readonly auth: AcsAuthenticator | undefined;
  private readonly onMessage: ((l: AcsTranscriptLine) => void) | undefined;

  private readonly sessionsRing: AcsSession[] = [];
  private readonly informsRing: AcsInform[] = [];
  /** Open sessions by cookie token. */
  private readonly live = new Map<string, LiveSession>();
  /**
   * The open session of each device (same sessions as `live`, keyed by OUI/ProductClass/
   * serial): an Inform finds a concurrent session of its device in O(1) instead of
   * scanning every live session (a boot storm has hundreds open).
   */
  private readonly liveByDevice = new Map<string, LiveSession>();
  private readonly queue: QueueEntry[] = [];
  private readonly aliases = new Map<string, string>();
  private readonly aliasOfSerial = new Map<string, string>();
  /** Every device that has sent an Inform, by OUI-ProductClass-Serial, most recently seen last (kept by clear(): identity, not history). */
  private readonly known = new Map<string, Identity>();
  private readonly behaviours = new Map<string, AcsBehaviour>();
  private readonly waiters = new Set<Waiter>();
  private readonly delays = new Set<{ timer: NodeJS.Timeout; finish: () => void }>();
  private nextSessionId = 1;
  private nextCwmpId = 1;
  private closed = false;
  /** When {@link expireIdle} last swept every open session. */
  private lastSweep = Number.NEGATIVE_INFINITY;
  /**
   * One instance per distinct OUI/ProductClass prefix: every Inform of a fleet carries
   * the same few, and `known` keeps one identity per device for as long as the ACS runs.
   */
  private readonly interned = new Map<string, string>();

  constructor(opts: FakeAcsOptions) {
    this.path = opts.path ?? '/cwmp';
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.maxSessions = Math.max(1, opts.maxSessions ?? 1000);
    if (opts.throttle !== undefined) this.setThrottle(opts.throttle);
    this.keepXml = opts.keepXml ?? false;
    this.maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 30_000;
    this.concurrent = opts.concurrentInform ?? 'supersede';
    this.version = opts.cwmpVersion ?? '1.2';
    this.ns = NAMESPACE_BY_VERSION[this.version];
    this.auth = opts.auth ? new AcsAuthenticator(opts.auth, this.now) : undefined;
    this.onMessage = opts.onMessage;
  }

  get bodyLimit(): number {
    return this.maxBodyBytes;
  }
  get sessions(): readonly AcsSession[] {
    return this.sessionsRing;
  }
  get informs(): readonly AcsInform[] {
    return this.informsRing;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  // ---- identity ------------------------------------------------------------------

  alias(key: string, serialNumber: string): void {
    this.aliases.set(key, serialNumber);
    // First alias wins: the fleet registers 'cpe-N', and log lines name the CPE by it.
    if (!this.aliasOfSerial.has(serialNumber)) this.aliasOfSerial.set(serialNumber, key);
  }

  /** Log fields naming a device: its serial and, when the fleet registered one, its cpe_id. */
  private deviceFields(serial: string): { serial: string; cpe_id?: string } {
    const id = this.aliasOfSerial.get(serial);
    return id === undefined ? { serial } : { serial, cpe_id: id };
  }

  /**
   * The serial number `key` refers to: an alias (even before that device informed),
   * else a device seen in an Inform whose serial, OUI-ProductClass-Serial, OUI-Serial
   * or CR-URL id is `key` (the most recently seen one when several match, e.g. two
   * single CPEs that both publish `/cr`). `undefined` when nothing matches.
   */
  resolve(key: string): string | undefined {
    const aliased = this.aliases.get(key);
    if (aliased !== undefined) return aliased;
    if (key === '*') return undefined;
    const devices = [...this.known.values()];
    for (let i = devices.length - 1; i >= 0; i--) {
      const id = devices[i]!;
      if (this.matches(key, id)) return id.serial;
    }
    return undefined;
  }

  /** A key matches a device by serial, OUI-ProductClass-Serial, OUI-Serial, alias, or the id in its CR URL. */
  private matches(key: string, id: Identity): boolean {
    if (key === '*') return true;
    if (key === id.serial) return true;
    if (key === `${id.oui}-${id.productClass}-${id.serial}` || key === `${id.oui}-${id.serial}`) return true;
    if (this.aliases.get(key) === id.serial) return true;
    return id.crId !== undefined && key === id.crId;
  }

  private identityOf(inform: Inform): Identity {
    const crParam = inform.parameterList.find((p) => p.name.endsWith('ManagementServer.ConnectionRequestURL'));
    const d = inform.deviceId;
    // The decoded strings are fresh per Inform; keep the fleet's own instances (its alias
    // and serial) and one copy of each OUI/ProductClass instead, since `known` keeps them.
    const alias = this.aliasOfSerial.get(d.serialNumber);
    // Only an equal string may stand in: alias() can re-point a key to another serial later.
    const aliased = alias !== undefined ? this.aliases.get(alias) : undefined;
    const serial = aliased === d.serialNumber ? aliased : d.serialNumber;
    const crId = crIdFromUrl(crParam?.value);
    return {
      serial,
      oui: this.intern(d.oui),
      productClass: this.intern(d.productClass),
      crId: crId !== undefined && crId === alias ? alias : crId,
    };
  }

  private intern(s: string): string {
    const hit = this.interned.get(s);
    if (hit !== undefined) return hit;
    // Bounded: a hostile or odd fleet with endless distinct values just stops sharing.
    if (this.interned.size < 1024) this.interned.set(s, s);
    return s;
  }

  /** The map key of a device: OUI, ProductClass and serial (NUL-separated: no field can hold a NUL). */
  private deviceKey(id: Identity): string {
    return this.intern(`${id.oui}\u0000${id.productClass}\u0000`) + id.serial;
  }

  // ---- scripting API -----------------------------------------------------------------

  enqueue(key: string, req: AcsRequest): QueueEntry {
    this.assertOpen();
    const entry: QueueEntry = { key, req, settled: false };
    this.queue.push(entry);
    return entry;
  }

  rpc(key: string, req: AcsRequest, timeoutMs?: number): Promise<CpeResponse> {
    return new Promise<CpeResponse>((resolve, reject) => {
      if (this.closed) return reject(this.closedError(`rpc(${key}, ${req.name})`));
      const entry = this.enqueue(key, req);
      const queuedAt = this.now();
      entry.resolve = (r) => {
        if (entry.timer) clearTimeout(entry.timer);
        resolve(r);
      };
      entry.reject = (e) => {
        if (entry.timer) clearTimeout(entry.timer);
        reject(e);
      };
      if (timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          if (entry.settled) return;
          const wasQueued = this.queue.indexOf(entry);
          if (wasQueued >= 0) this.queue.splice(wasQueued, 1);
          this.settle(
            entry,
            new CpeSimError(
              ACS_ERROR.RPC_TIMEOUT,
              `rpc ${req.name} for CPE ${JSON.stringify(key)} got no answer within ${timeoutMs} ms: ${wasQueued >= 0 ? this.whyUndelivered(key, queuedAt) : 'it was delivered, but the CPE did not answer it'}; sessions seen: ${this.sessionsRing.length}`,
            ),
          );
        }, timeoutMs);
        entry.timer.unref?.();
      }
    });
  }

  /**
   * Why a queued RPC never reached its CPE, as precisely as the ACS can tell: the key
   * names no device (a typo), the device's session is open but it sent nothing that
   * lets the ACS speak (TR-069 §3.7.1.3: requests go out only in answer to a POST), or
   * it opened no session at all (nobody sent it a Connection Request).
   */
  private whyUndelivered(key: string, queuedAt: number): string {
    const serial = this.resolve(key);
    if (serial === undefined && key !== '*') {
      const seen = [...this.known.values()].slice(-5).map((d) => this.aliasOfSerial.get(d.serial) ?? d.serial);
      return `no CPE matches ${JSON.stringify(key)}: it is no alias, serial number, OUI-ProductClass-Serial or Connection Request URL id of the ${this.known.size} device(s) that informed${seen.length > 0 ? ` (e.g. ${seen.join(', ')})` : ''}`;
    }
    const open = [...this.live.values()].find((s) => key === '*' || s.id.serial === serial);
    if (open) {
      return `the CPE opened session #${open.rec.id} and it is still open, but the CPE sent no POST the ACS could answer with the request since ${open.cpeDone ? 'its empty POST' : 'its last message'} (last activity ${Math.max(0, Math.round(this.now() - open.lastActivity))} ms ago)`;
    }
    const since = this.sessionsRing.filter((s) => s.startedAt >= queuedAt && (key === '*' || s.serial === serial));
    if (since.length > 0) return `the CPE opened ${since.length} session(s) since the rpc was queued, but none took it (last: #${since.at(-1)!.id}, ${since.at(-1)!.ok ? 'ok' : `failed: ${since.at(-1)!.error ?? 'unknown'}`})`;
    return 'the CPE did not open a session (send it a Connection Request, or wait for its periodic Inform)';
  }

  setThrottle(th: FakeAcsOptions['throttle'] | null): void {
    if (th === null || th === undefined) {
      this.throttle = undefined;
      return;
    }
    const whole = (k: 'maxOpenSessions' | 'maxSessionsPerSecond' | 'retryAfter', min: number): number | undefined => {
      const v = (th as Record<string, unknown>)[k];
      if (v !== undefined && (!Number.isInteger(v) || (v as number) < min)) throw new ConfigError(`fake ACS: throttle.${k} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
      return v as number | undefined;
    };
    if (typeof th !== 'object') throw new ConfigError(`fake ACS: throttle must be { maxOpenSessions?, maxSessionsPerSecond?, retryAfter? }, got ${JSON.stringify(th)}`);
    const open = whole('maxOpenSessions', 1);
    const perSecond = whole('maxSessionsPerSecond', 1);
    if (open === undefined && perSecond === undefined) throw new ConfigError('fake ACS: throttle needs maxOpenSessions and/or maxSessionsPerSecond');
    this.throttle = { httpStatus: 503, retryAfter: whole('retryAfter', 0) ?? 5, open: open ?? Infinity, perSecond: perSecond ?? Infinity, windowStart: -Infinity, admitted: 0 };
  }

  behave(key: string, b: AcsBehaviour | null): void {
    if (b === null) this.behaviours.delete(key);
    else this.behaviours.set(key, { ...b });
  }

  waitForInform(match: { cpe?: string; event?: string }, opts: WaitForInformOptions = {}): Promise<AcsInform> {
    const since = opts.since ?? 0;
    const timeoutMs = opts.timeoutMs ?? 5000;
    const found = this.informsRing.find((i) => i.time >= since && this.informMatches(match, i));
    if (found) return Promise.resolve(found);
    return new Promise<AcsInform>((resolve, reject) => {
      if (this.closed) return reject(this.closedError(`waitForInform(${describeMatch(match)})`));
      const w: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          const seen = this.informsRing.filter((i) => i.time >= since);
          const list = seen.length
            ? seen
                .slice(-20)
                .map((i) => `${i.serial}${i.crId ? ` (${i.crId})` : ''} [${i.events.map((e) => e.eventCode).join(', ')}]`)
                .join('; ')
            : 'none';
          reject(
            new CpeSimError(
              ACS_ERROR.WAIT_TIMEOUT,
              `no Inform matching ${describeMatch(match)} within ${timeoutMs} ms; Informs seen: ${list}`,
            ),
          );
        }, timeoutMs),
      };
      w.timer.unref?.();
      this.waiters.add(w);
    });
  }

  private informMatches(m: { cpe?: string; event?: string }, i: AcsInform): boolean {
    if (m.cpe !== undefined) {
      const id: Identity = { serial: i.serial, oui: i.deviceId.oui, productClass: i.deviceId.productClass, crId: i.crId };
      if (!this.matches(m.cpe, id)) return false;
    }
    return m.event === undefined || i.events.some((e) => e.eventCode === m.event);
  }

  clear(): void {
    this.sessionsRing.length = 0;
    this.informsRing.length = 0;
  }

  /** Ends everything: open sessions fail, queued/in-flight rpc and waiters reject, delayed answers are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.live.values()) this.endSession(s, false, 'ACS closed');
    for (const e of this.queue.splice(0)) this.settle(e, this.closedError(`rpc ${e.req.name} for CPE ${JSON.stringify(e.key)}`));
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(this.closedError(`waitForInform(${describeMatch(w.match)})`));
    }
    this.waiters.clear();
    for (const d of this.delays) {
      clearTimeout(d.timer);
      d.finish();
    }
    this.delays.clear();
  }

  private closedError(what: string): CpeSimError {
    return new CpeSimError(ACS_ERROR.CLOSED, `ACS closed: ${what} was still pending`);
  }

  private assertOpen(): void {
    if (this.closed) throw new CpeSimError(ACS_ERROR.CLOSED, 'ACS closed: cannot queue RPCs on a closed fake ACS');
  }

  private settle(e: QueueEntry, result: CpeResponse | Error): void {
    if (e.settled) return;
    e.settled = true;
    if (result instanceof Error) e.reject?.(result);
    else e.resolve?.(result);
  }

  // ---- HTTP ------------------------------------------------------------------------

  /** Cheap checks before the body is read (so a huge body to a wrong URL is never buffered). */
  precheck(method: string, target: string): CoreResponse | undefined {
    const pathname = target.split('?')[0] ?? '';
    if (pathname !== this.path) return textResponse(404, `Not found: the CWMP endpoint is ${this.path}\n`);
    if (method !== 'POST') return textResponse(405, `Method ${method} not allowed: CWMP uses POST\n`, { allow: 'POST' });
    return undefined;
  }

  /** Handles one HTTP request. Never throws: every failure becomes an HTTP answer. */
  async handle(req: CoreRequest): Promise<CoreResponse> {
    try {
      return await this.handleInner(req);
    } catch (e) {
      // A bug of ours must not take the server down for every other CPE.
      this.log.error('fake ACS internal error', { error: e instanceof Error ? e.message : String(e) });
      return this.faultResponse(this.ns, undefined, 8002, `Internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async handleInner(req: CoreRequest): Promise<CoreResponse> {
    if (this.closed) return { status: 503, headers: { connection: 'close' }, body: '', destroy: true };
    if (!req.pathMatched) {
      const early = this.precheck(req.method, req.target);
      if (early) return early;
    } else if (req.method !== 'POST') {
      return textResponse(405, `Method ${req.method} not allowed: CWMP uses POST\n`, { allow: 'POST' });
    }
    const t = this.now();
    this.expireIdle(t);

    // ---- body: size, Content-Encoding (TR-069 §3.4.5 allows gzip/deflate) ----
    if (req.body.length > this.maxBodyBytes) return textResponse(413, `Request body larger than ${this.maxBodyBytes} bytes\n`, { connection: 'close' });
    let body: Buffer;
    const enc = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    try {
      if (enc === 'gzip' || enc === 'x-gzip') body = req.body.length ? gunzipSync(req.body, { maxOutputLength: this.maxBodyBytes }) : req.body;
      else if (enc === 'deflate') body = req.body.length ? inflateSync(req.body, { maxOutputLength: this.maxBodyBytes }) : req.body;
      else if (enc === 'identity' || enc === '') body = req.body;
      else return textResponse(415, `Unsupported Content-Encoding ${enc}: use gzip, deflate or none\n`);
    } catch (e) {
      if (e instanceof RangeError) return textResponse(413, `Decompressed body larger than ${this.maxBodyBytes} bytes\n`, { connection: 'close' });
      return textResponse(400, `Body is not valid ${enc} data\n`);
    }
    const text = body.toString('utf8');

    // ---- session by cookie ----
    const token = parseCookies(req.headers['cookie']).get(SESSION_COOKIE);
    const session = this.unlessIdle(token !== undefined ? this.live.get(token) : undefined, t);

    // ---- authentication: the Inform (no session yet) must authenticate; a later POST is
    // covered by the session cookie, but an Authorization it carries is still verified (so
    // a CPE's nc increments are checked). TR-069 §3.4.4.
    if (this.auth && (!session || req.headers['authorization'] !== undefined)) {
      const out = this.auth.check(req.headers['authorization'], req.method, req.target, req.connectionId);
      if (!out.ok) {
        this.emitLine({ dir: 'acs->cpe', time: t, status: 401, summary: `HTTP 401 (${out.reason})`, message: null }, session, '?');
        return textResponse(401, 'Unauthorized\n', { 'www-authenticate': out.challenge });
      }
    }

    // ---- empty POST ----
    if (text.trim() === '') {
      if (!session) {
        const why = token === undefined ? 'empty POST without a session cookie' : 'empty POST with an unknown or ended session cookie';
        this.emitLine({ dir: 'acs->cpe', time: t, status: 400, summary: `HTTP 400 Invalid session (${why})`, message: null }, undefined, '?');
        return textResponse(400, `Invalid session: ${why}\n`);
      }
      session.lastActivity = t;
      this.record(session, { dir: 'cpe->acs', time: t, summary: '(empty)', message: null, ...wireOf(req) });
      if (session.inFlight) {
        // The CPE owes an answer to our request; an empty POST is not one (TR-069 §3.7.1.1).
        return this.protocolError(session, undefined, `empty POST while ${session.inFlight.entry.req.name} (cwmp:ID ${session.inFlight.cwmpId}) is unanswered`);
      }
      session.cpeDone = true;
      return this.nextRequestOrEnd(session);
    }

    // ---- decode ----
    let env: Envelope;
    try {
      env = decodeEnvelope(text);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      const rec: AcsMessageRecord = { dir: 'cpe->acs', time: t, summary: `malformed: ${reason}`, ...(this.keepXml ? { xml: text } : {}), ...wireOf(req) };
      if (session) {
        this.record(session, rec);
        return this.protocolError(session, undefined, `malformed SOAP from the CPE: ${reason}`);
      }
      this.emitLine(rec, undefined, '?');
      // TR-069 §3.4.1: a CWMP answer (a Fault too) goes with HTTP 200.
      return this.faultResponse(this.ns, undefined, 8003, `Invalid arguments: malformed SOAP envelope: ${reason}`, undefined);
    }

    if (env.body.name === 'Inform') return this.onInform(req, env, env.body, text, session);

    if (!session) {
      const why = token === undefined ? 'no session cookie' : 'unknown or ended session cookie';
      this.emitLine(
        { dir: 'cpe->acs', time: t, summary: summarize(env.body), message: env.body, ...(this.keepXml ? { xml: text } : {}), ...wireOf(req) },
        undefined,
        '?',
      );
      this.emitLine({ dir: 'acs->cpe', time: t, status: 400, summary: `HTTP 400 Invalid session (${why})`, message: null }, undefined, '?');
      // GenieACS answers 400 "Invalid session" too; we require the cookie (TR-069 §3.4.2: the CPE MUST return cookies).
      return textResponse(400, `Invalid session: ${env.body.name} without a valid session cookie (${why}); start with an Inform\n`);
    }
    session.lastActivity = t;
    this.record(session, { dir: 'cpe->acs', time: t, summary: summarize(env.body), message: env.body, ...(this.keepXml ? { xml: text } : {}), ...wireOf(req) });
    return this.inSession(session, env);
  }

  private inSession(s: LiveSession, env: Envelope): CoreResponse {
    const body = env.body;
    const cwmpId = env.header.id;
    if (s.inFlight) {
      const { entry, cwmpId: expectedId } = s.inFlight;
      const expectedName = `${entry.req.name}Response`;
      if (body.name !== 'Fault' && body.name !== expectedName) {
        return this.protocolError(s, cwmpId, `expected ${expectedName} or a Fault for cwmp:ID ${expectedId}, got ${body.name === 'Unknown' ? body.method : body.name}`);
      }
      // TR-069 §3.5 / A.3: the responder MUST echo the request's cwmp:ID.
      if (cwmpId !== expectedId) {
        return this.protocolError(s, cwmpId, `${body.name} carries cwmp:ID ${cwmpId === undefined ? '(none)' : JSON.stringify(cwmpId)}, expected ${JSON.stringify(expectedId)}`);
      }
      s.inFlight = undefined;
      this.settle(entry, body as CpeResponse);
      return this.nextRequestOrEnd(s);
    }
    // No request of ours is outstanding: this must be a CPE request.
    if (s.cpeDone) {
      return this.protocolError(s, cwmpId, `${body.name === 'Unknown' ? body.method : body.name} after the CPE's empty POST (TR-069 §3.7.1.3: no more CPE requests)`);
    }
    switch (body.name) {
      case 'TransferComplete':
        return this.envelopeResponse(s, { name: 'TransferCompleteResponse' }, cwmpId);
      case 'AutonomousTransferComplete':
        return this.envelopeResponse(s, { name: 'AutonomousTransferCompleteResponse' }, cwmpId);
      case 'DUStateChangeComplete':
        return this.envelopeResponse(s, { name: 'DUStateChangeCompleteResponse' }, cwmpId);
      case 'AutonomousDUStateChangeComplete':
        return this.envelopeResponse(s, { name: 'AutonomousDUStateChangeCompleteResponse' }, cwmpId);
      case 'GetRPCMethods':
        return this.envelopeResponse(s, { name: 'GetRPCMethodsResponse', methodList: [...ACS_RPC_METHODS] }, cwmpId);
      case 'Unknown': {
        // A CPE request we do not implement (RequestDownload, AutonomousTransferComplete, …): 8000, session goes on.
        const fault = faultFromError(new CwmpFault(8000, `Method not supported: ${body.method}`));
        return this.envelopeResponse(s, fault, cwmpId);
      }
      default:
        return this.protocolError(s, cwmpId, `unexpected ${body.name}: no request of the ACS is outstanding`);
    }
  }

  /**
   * After the empty POST or an answer to our request: the next queued RPC for this device,
   * else 204, which ends the session (TR-069 §3.7.1.4). Only reached with `cpeDone` set:
   * ACS requests ride on responses to POSTs after the CPE's empty POST.
   */
  private nextRequestOrEnd(s: LiveSession): CoreResponse {
    const idx = this.queue.findIndex((e) => !e.settled && this.matches(e.key, s.id));
    if (idx >= 0) {
      const entry = this.queue.splice(idx, 1)[0]!;
      const cwmpId = `acs-${this.nextCwmpId++}`;
      s.inFlight = { entry, cwmpId };
      return this.envelopeResponse(s, entry.req, cwmpId);
    }
    this.record(s, { dir: 'acs->cpe', time: this.now(), status: 204, summary: 'HTTP 204 (session end)', message: null });
    this.endSession(s, true);
    return { status: 204, headers: {}, body: '' };
  }

  private onInform(req: CoreRequest, env: Envelope, inform: Inform, xml: string, cookieSession: LiveSession | undefined): Promise<CoreResponse> | CoreResponse {
    const t = this.now();
    const id = this.identityOf(inform);
    const liveKey = this.deviceKey(id);
    this.known.delete(liveKey); // re-inserted: the Map's order is "most recently seen last"
    this.known.set(liveKey, id);
    void cookieSession; // an old cookie replayed with a new Inform is ignored, as GenieACS does

    // Concurrency: the same device still has an open session.
    const open = this.unlessIdle(this.liveByDevice.get(liveKey), t);
    if (open) {
      if (this.concurrent === 'reject') {
        this.emitLine({ dir: 'cpe->acs', time: t, summary: summarize(inform), message: inform, ...(this.keepXml ? { xml } : {}) }, undefined, id.serial);
        this.emitLine({ dir: 'acs->cpe', time: t, status: 400, summary: 'HTTP 400 CPE already in session', message: null }, undefined, id.serial);
        return textResponse(400, `CPE already in session (session ${open.rec.id})\n`);
      }
      this.endSession(open, false, 'superseded by a new Inform');
    }

    const ns = NS_ORDER[Math.min(NS_ORDER.indexOf(env.namespace), NS_ORDER.indexOf(this.ns))] ?? this.ns;
    const session: LiveSession = {
      rec: {
        id: this.nextSessionId++,
        deviceId: inform.deviceId,
        serial: id.serial,
        namespace: env.namespace,
        ...(id.crId !== undefined ? { crId: id.crId } : {}),
        events: inform.event,
        startedAt: t,
        ok: false,
        messages: [],
        ...(req.remoteAddress !== undefined ? { remoteAddress: req.remoteAddress } : {}),
        ...(req.clientCertificate !== undefined ? { clientCertificate: req.clientCertificate } : {}),
      },
      token: this.newToken(),
      id,
      deviceKey: liveKey,
      ns,
      lastActivity: t,
      inFlight: undefined,
      cpeDone: false,
    };
    this.pushRing(this.sessionsRing, session.rec);
    this.record(session, { dir: 'cpe->acs', time: t, summary: summarize(inform), message: inform, ...(this.keepXml ? { xml } : {}), ...wireOf(req) });

    const behaviour = this.behaviourFor(id) ?? this.throttled(t);
    const informRec: AcsInform = {
      sessionId: session.rec.id,
      deviceId: inform.deviceId,
      serial: id.serial,
      events: inform.event,
      parameters: inform.parameterList,
      retryCount: inform.retryCount,
      ...(id.crId !== undefined ? { crId: id.crId } : {}),
      time: t,
    };
    this.pushRing(this.informsRing, informRec);
    this.notifyWaiters(informRec);

    const answer = (): CoreResponse => this.answerInform(session, env.header, behaviour);
    const delay = behaviour?.informResponseDelayMs ?? 0;
    if (delay <= 0) return answer();
    return new Promise<CoreResponse>((resolve) => {
      const d = {
        timer: setTimeout(() => {
          this.delays.delete(d);
          resolve(answer());
        }, delay),
        // close() during the delay: the connection is dropped.
        finish: () => resolve({ status: 503, headers: { connection: 'close' }, body: '', destroy: true }),
      };
      this.delays.add(d);
    });
  }

  private answerInform(s: LiveSession, header: CwmpHeader, b: AcsBehaviour | undefined): CoreResponse {
    const t = this.now();
    if (this.closed) return { status: 503, headers: {}, body: '', destroy: true };
    if (b?.dropConnection) {
      this.record(s, { dir: 'acs->cpe', time: t, summary: 'connection dropped (behaviour)', message: null });
      this.endSession(s, false, 'behaviour: connection dropped on Inform', false);
      return { status: 0, headers: {}, body: '', destroy: true };
    }
    if (b?.httpStatus !== undefined) {
      this.record(s, { dir: 'acs->cpe', time: t, status: b.httpStatus, summary: `HTTP ${b.httpStatus} (behaviour)`, message: null });
      this.endSession(s, false, `behaviour: HTTP ${b.httpStatus} on Inform`, false);
      return { status: b.httpStatus, headers: b.retryAfter !== undefined ? { 'retry-after': String(b.retryAfter) } : {}, body: '' };
    }
    if (b?.fault) {
      const res = this.faultResponse(s.ns, header.id, b.fault.code, b.fault.string, s);
      this.endSession(s, false, `behaviour: fault ${b.fault.code} on Inform`, false);
      return res;
    }
    this.live.set(s.token, s);
    this.liveByDevice.set(s.deviceKey, s);
    const h: CwmpHeader = {};
    if (header.id !== undefined) h.id = header.id;
    const use = this.negotiate(header.supportedCwmpVersions);
    if (use !== undefined) h.useCwmpVersion = use;
    const res = this.envelopeResponse(s, { name: 'InformResponse', maxEnvelopes: 1 }, undefined, h);
    // TR-069 §3.4.2: session state in a cookie; the CPE returns it on every later POST.
    res.headers['set-cookie'] = `${SESSION_COOKIE}=${s.token}; Path=/; HttpOnly`;
    return res;
  }

  /** TR-069 §3.7.4 (CWMP 1.4): the highest version both sides support, sent as UseCWMPVersion. */
  private negotiate(supported: string | undefined): string | undefined {
    if (this.version !== '1.4' || supported === undefined) return undefined;
    const theirs = new Set(supported.split(',').map((v) => v.trim()));
    for (let i = VERSIONS.length - 1; i >= 0; i--) {
      const v = VERSIONS[i]!;
      if (theirs.has(v)) return v;
    }
    return undefined;
  }

  /** The throttle's 503 while `maxOpenSessions` sessions are open (idle ones expired first) or `maxSessionsPerSecond` started this second. */
  private throttled(t: number): AcsBehaviour | undefined {
    const th = this.throttle;
    if (th === undefined) return undefined;
    if (this.live.size >= th.open) {
      this.expireIdle(t);
      if (this.live.size >= th.open) return th;
    }
    // One-second windows of the ACS's clock: at most perSecond sessions start in each.
    if (t - th.windowStart >= 1000) {
      th.windowStart = t;
      th.admitted = 0;
    }
    if (th.admitted >= th.perSecond) return th;
    th.admitted++;
    return undefined;
  }

  private behaviourFor(id: Identity): AcsBehaviour | undefined {
    let key: string | undefined;
    for (const k of this.behaviours.keys()) {
      if (k !== '*' && this.matches(k, id)) {
        key = k;
        break;
      }
    }
    if (key === undefined && this.behaviours.has('*')) key = '*';
    if (key === undefined) return undefined;
    const b = this.behaviours.get(key)!;
    if (b.once) this.behaviours.delete(key);
    return b;
  }

  private notifyWaiters(i: AcsInform): void {
    for (const w of this.waiters) {
      if (this.informMatches(w.match, i)) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve(i);
      }
    }
  }

  // ---- session bookkeeping -----------------------------------------------------------

  /** Random bytes drawn 4 KiB at a time: one `randomBytes` call per 512 sessions, not per session. */
  private tokenPool = Buffer.alloc(0);
  private tokenPos = 0;

  /** A session cookie value: 8 random bytes in hex (as before), from the pool. */
  private newToken(): string {
    if (this.tokenPos + 8 > this.tokenPool.length) {
      this.tokenPool = randomBytes(4096);
      this.tokenPos = 0;
    }
    const t = this.tokenPool.toString('hex', this.tokenPos, this.tokenPos + 8);
    this.tokenPos += 8;
    return t;
  }

  /**
   * Ends a session. An RPC delivered but unanswered goes back to the head of the queue
   * (the CPE never answered it; it is redelivered in the next session) unless `requeue` is false.
   */
  private endSession(s: LiveSession, ok: boolean, error?: string, requeue = true): void {
    this.live.delete(s.token);
    if (this.liveByDevice.get(s.deviceKey) === s) this.liveByDevice.delete(s.deviceKey);
    if (s.rec.endedAt === undefined) s.rec.endedAt = this.now();
    s.rec.ok = ok;
    if (error !== undefined) s.rec.error = error;
    if (s.inFlight) {
      const entry = s.inFlight.entry;
      s.inFlight = undefined;
      if (requeue && !this.closed && !entry.settled) this.queue.unshift(entry);
      else if (this.closed) this.settle(entry, this.closedError(`rpc ${entry.req.name} for CPE ${JSON.stringify(entry.key)}`));
    }
    if (!ok) this.log.info('session failed', { session: s.rec.id, ...this.deviceFields(s.rec.serial), error });
  }

  /** The CPE broke the protocol: answer 8003, end the session, fail the in-flight rpc. */
  private protocolError(s: LiveSession, cwmpId: string | undefined, why: string): CoreResponse {
    const entry = s.inFlight?.entry;
    s.inFlight = undefined;
    const res = this.faultResponse(s.ns, cwmpId, 8003, `Invalid arguments: ${why}`, s);
    this.endSession(s, false, `protocol error: ${why}`);
    if (entry) {
      this.settle(entry, new CpeSimError(ACS_ERROR.RPC_FAILED, `rpc ${entry.req.name} for CPE ${JSON.stringify(entry.key)} failed: ${why} (session ${s.rec.id}, serial ${s.rec.serial})`));
    }
    return res;
  }

  /**
   * Ends sessions idle for longer than the timeout. Sweeping every open session on every
   * request is O(open sessions) per request, and a boot storm keeps hundreds open; so the
   * sessions a request touches are checked exactly ({@link unlessIdle}) and the rest are
   * swept at most once per interval.
   */
  private expireIdle(t: number): void {
    if (t - this.lastSweep < Math.min(1000, this.sessionTimeoutMs)) return;
    this.lastSweep = t;
    for (const s of this.live.values()) this.unlessIdle(s, t);
  }

  /** `s`, unless it has been idle for longer than the timeout (then it is ended and undefined returned). */
  private unlessIdle(s: LiveSession | undefined, t: number): LiveSession | undefined {
    if (s === undefined || t - s.lastActivity <= this.sessionTimeoutMs) return s;
    this.endSession(s, false, `timed out: idle for more than ${this.sessionTimeoutMs} ms`);
    return undefined;
  }

  private pushRing<T>(ring: T[], item: T): void {
    ring.push(item);
    if (ring.length > this.maxSessions) ring.splice(0, ring.length - this.maxSessions);
  }

  // ---- responses ---------------------------------------------------------------------

  private envelopeResponse(s: LiveSession, body: CwmpMessage, cwmpId: string | undefined, header?: CwmpHeader): CoreResponse {
    const h: CwmpHeader = header ?? (cwmpId !== undefined ? { id: cwmpId } : {});
    const xml = encodeEnvelope(body, { header: h, namespace: s.ns });
    this.record(s, { dir: 'acs->cpe', time: this.now(), status: 200, summary: summarize(body), message: body, ...(this.keepXml ? { xml } : {}) });
    return { status: 200, headers: { 'content-type': 'text/xml; charset="utf-8"' }, body: xml };
  }

  private faultResponse(ns: CwmpNamespace, cwmpId: string | undefined, code: number, text: string | undefined, s?: LiveSession): CoreResponse {
    const fault = faultFromError(new CwmpFault(code, text));
    const xml = encodeEnvelope(fault, { header: cwmpId !== undefined ? { id: cwmpId } : {}, namespace: ns });
    const rec: AcsMessageRecord = { dir: 'acs->cpe', time: this.now(), status: 200, summary: summarize(fault), message: fault, ...(this.keepXml ? { xml } : {}) };
    if (s) this.record(s, rec);
    else this.emitLine(rec, undefined, '?');
    return { status: 200, headers: { 'content-type': 'text/xml; charset="utf-8"' }, body: xml };
  }

  private record(s: LiveSession, m: AcsMessageRecord): void {
    s.rec.messages.push(m);
    this.emitLine(m, s, s.rec.serial);
  }

  private emitLine(m: AcsMessageRecord, s: LiveSession | undefined, cpe: string): void {
    if (this.log.enabled('debug')) this.log.debug(`${m.dir} ${m.summary}`, { session: s?.rec.id, ...this.deviceFields(cpe), status: m.status });
    if (!this.onMessage) return;
    try {
      this.onMessage({ ...m, cpe, ...(s ? { sessionId: s.rec.id } : {}) });
    } catch (e) {
      // A throwing printer must not break the session.
      this.log.warn('onMessage callback threw', { error: e instanceof Error ? e.message : String(e) });
    }
  }
}

/**
 * Internal: lets `msw.ts` reach the core of a FakeAcs without widening the public type.
 * A registry symbol (not a module-local WeakMap) so it still works when the `cpe-sim`
 * and `cpe-sim/msw` entry points end up with separate copies of this module.
 */
const CORE = Symbol.for('cpe-sim.acs.core');
export function attachCore(acs: object, core: AcsCore): void {
  Object.defineProperty(acs, CORE, { value: core, enumerable: false });
}
export function coreOf(acs: object): AcsCore {
  const c = (acs as { [CORE]?: AcsCore })[CORE];
  if (!c) throw new TypeError('acsHandlers() needs a FakeAcs created by createFakeAcs()');
  return c;
}
