/**
 * The HTTP leg of a CWMP session. One small interface, three implementations:
 * - `http` (default): `node:http` with an agent of its own for the session (one
 *   keep-alive connection; node:http never pipelines, as TR-069 §3.4.1 requires),
 *   destroyed after it, so an idle CPE holds no socket or agent;
 * - `undici`: the same shape over a dedicated undici `Client` (pipelining 1). It was
 *   the default until measured: in a boot storm its connections kept each session's
 *   objects alive into V8's old space (docs/performance.md, fourth round);
 * - `fetch`: the global `fetch`, so msw 2 (which patches `globalThis.fetch`) can
 *   intercept the traffic. Connection reuse is then up to the global dispatcher.
 * @module
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Client } from 'undici';
import { ResponseParser } from '../transfer/index.js';
import type { ResponseHead } from '../transfer/index.js';

/** Which HTTP client carries the session. */
export type TransportKind = 'http' | 'undici' | 'fetch';

/** One POST of the session. */
export interface TransportRequest {
  headers: Record<string, string>;
  /** undefined = empty POST (Content-Length: 0, no Content-Type). */
  body?: string;
  /** Per-request limit in real milliseconds (TR-069 §3.2.1.1: at least 30 s), from send to the response's end. */
  timeoutMs: number;
  /** Aborts the request when the CPE closes. */
  signal?: AbortSignal;
}

/** The parts of an HTTP response the session runner needs. */
export interface TransportResponse {
  status: number;
  /** Lower-case header name → values (repeated headers kept apart). */
  headers: Map<string, string[]>;
  body: string;
}

/** One session's HTTP connection. */
export interface SessionTransport {
  post(req: TransportRequest): Promise<TransportResponse>;
  /** Releases the connection. Idempotent; `force` destroys in-flight requests. */
  close(force?: boolean): Promise<void>;
}

/** A request did not complete (connection refused, reset, timeout, abort). */
export class TransportError extends Error {
  override name = 'TransportError';
  /** `timeout`, `aborted` or `network`. */
  readonly kind: 'timeout' | 'aborted' | 'network';
  constructor(kind: 'timeout' | 'aborted' | 'network', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/**
 * TLS towards an `https:` ACS. Absent: Node's default trust store, no client
 * certificate. `rejectUnauthorized: false` accepts any server certificate (tests only).
 */
export interface AcsTls {
  /** Trusted CA certificate(s), PEM: replaces the default store (an ACS with a private CA). */
  ca?: string | Buffer;
  /** Client certificate (PEM) for mutual TLS; needs `key`. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true. */
  rejectUnauthorized?: boolean;
}

/** Creates the transport for one session towards `url`. */
export function createTransport(kind: TransportKind, url: URL, tls?: AcsTls): SessionTransport {
  if (kind === 'fetch') return new FetchTransport(url);
  return kind === 'undici' ? new UndiciTransport(url, tls) : new NodeHttpTransport(url, tls);
}

/** Node's TLS options from an {@link AcsTls}; empty for plain HTTP. */
function tlsOptions(url: URL, tls: AcsTls | undefined): { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; rejectUnauthorized?: boolean } {
  if (url.protocol !== 'https:' || tls === undefined) return {};
  return {
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
}

/** Runs `fn` with a signal that fires on `timeoutMs` or on the outer signal (the fetch transport). */
async function withDeadline<T>(timeoutMs: number, outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, timeoutMs);
  const onAbort = (): void => ac.abort();
  if (outer?.aborted) ac.abort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn(ac.signal);
  } catch (err) {
    if (timedOut) throw new TransportError('timeout', `no HTTP response within ${timeoutMs} ms`, { cause: err });
    if (outer?.aborted) throw new TransportError('aborted', 'request aborted (CPE closed)', { cause: err });
    throw new TransportError('network', describeNetworkError(err), { cause: err });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}

/**
 * Structural, not `instanceof Error`: under Jest the library runs in a vm context whose
 * `Error` is not the one node:net throws with, and the code (`ECONNREFUSED`) was lost.
 */
function isErrorLike(v: unknown): v is { message: string; code?: unknown; cause?: unknown } {
  return typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string';
}

function describeNetworkError(err: unknown): string {
  if (!isErrorLike(err)) return String(err);
  const cause = err.cause;
  const code = err.code ?? (isErrorLike(cause) ? cause.code : undefined);
  const inner = isErrorLike(cause) && cause.message !== err.message ? `: ${cause.message}` : '';
  return `${typeof code === 'string' ? `${code} ` : ''}${err.message}${inner}`;
}

/** Reason given to undici when a finished session releases its connection (never thrown to anyone). */
const SESSION_ENDED = new Error('CWMP session ended');

/** Reason given to undici when the per-request deadline destroys the session's client (mapped to a `timeout` TransportError). */
const DEADLINE_PASSED = new Error('CWMP request deadline passed');

/**
 * One deadline timer per session, re-armed by every POST with `refresh()`: the deadline
 * stays exact per request, without an AbortController, timer and listener per POST.
 */
class SessionDeadline {
  private timer: NodeJS.Timeout | undefined;
  private ms = 0;

  constructor(private readonly onExpire: () => void) {}

  arm(ms: number): void {
    if (this.timer !== undefined && this.ms === ms) {
      this.timer.refresh();
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ms = ms;
    this.timer = setTimeout(this.onExpire, ms);
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

class UndiciTransport implements SessionTransport {
  private readonly client: Client;
  private readonly path: string;
  private closed = false;
  private posting = false;
  private timedOut = false;
  private readonly deadline = new SessionDeadline(() => {
    // Between POSTs (the CPE is working on the response) a late tick means nothing.
    if (!this.posting) return;
    this.timedOut = true;
    void this.client.destroy(DEADLINE_PASSED).catch(() => undefined);
  });

  constructor(url: URL, tls?: AcsTls) {
    this.path = `${url.pathname}${url.search}`;
    this.client = new Client(url.origin, {
      connect: tlsOptions(url, tls),
      pipelining: 1,
      // Our own deadline governs; undici's 300 s defaults must not fire first.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  async post(req: TransportRequest): Promise<TransportResponse> {
    if (req.signal?.aborted) throw new TransportError('aborted', 'request aborted (CPE closed)');
    const headers = req.body === undefined ? { ...req.headers, 'content-length': '0' } : req.headers;
    this.posting = true;
    this.deadline.arm(req.timeoutMs);
    try {
      const res = await this.client.request({ path: this.path, method: 'POST', headers, body: req.body ?? '', ...(req.signal ? { signal: req.signal } : {}) });
      const body = await res.body.text();
      const map = new Map<string, string[]>();
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        map.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
      }
      return { status: res.statusCode, headers: map, body };
    } catch (err) {
      if (this.timedOut) throw new TransportError('timeout', `no HTTP response within ${req.timeoutMs} ms`, { cause: err });
      if (req.signal?.aborted) throw new TransportError('aborted', 'request aborted (CPE closed)', { cause: err });
      throw new TransportError('network', describeNetworkError(err), { cause: err });
    } finally {
      this.posting = false;
    }
  }

  async close(force = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.deadline.clear();
    if (force) await this.client.destroy().catch(() => undefined);
    // Every response of the session was read to its end, so nothing is in flight and a
    // destroy is a close. undici's close() ends in destroy() with a fresh
    // ClientDestroyedError (a captured stack: ~2 % of a boot storm's CPU); one shared
    // error object, never surfaced, skips that.
    else await this.client.destroy(SESSION_ENDED).catch(() => undefined);
  }
}

/** Reason a request is destroyed with when the per-request deadline passes (mapped to a `timeout` TransportError). */
const HTTP_DEADLINE_PASSED = new Error('CWMP request deadline passed');
/** Reason a request is destroyed with when the CPE closes (mapped to an `aborted` TransportError). */
const HTTP_ABORTED = new Error('request aborted (CPE closed)');

class NodeHttpTransport implements SessionTransport {
  /** One socket, kept alive between the POSTs of this session only. */
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  private inFlight: ClientRequest | undefined;
  private closed = false;
  // Between POSTs nothing is in flight, so a late tick does nothing.
  private readonly deadline = new SessionDeadline(() => this.inFlight?.destroy(HTTP_DEADLINE_PASSED));

  constructor(url: URL, acsTls?: AcsTls) {
    const tls = url.protocol === 'https:';
    this.agent = tls ? new HttpsAgent({ keepAlive: true, maxSockets: 1, ...tlsOptions(url, acsTls) }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    this.send = tls ? httpsRequest : httpRequest;
    // URL keeps an IPv6 literal in brackets; node:http wants it bare.
    this.host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = url.port !== '' ? Number(url.port) : tls ? 443 : 80;
    this.path = `${url.pathname}${url.search}`;
  }

  post(req: TransportRequest): Promise<TransportResponse> {
    if (req.signal?.aborted) return Promise.reject(new TransportError('aborted', 'request aborted (CPE closed)'));
    if (this.closed) return Promise.reject(new TransportError('aborted', 'request after the session closed'));
    const body = req.body ?? '';
    const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(body)) };
    return new Promise<TransportResponse>((resolve, reject) => {
      let settled = false;
      let r: ClientRequest | undefined;
      const onAbort = (): void => {
        r?.destroy(HTTP_ABORTED);
      };
      const settle = (err: unknown, res?: TransportResponse): void => {
        if (settled) return;
        settled = true;
        req.signal?.removeEventListener('abort', onAbort);
        if (this.inFlight === r) this.inFlight = undefined;
        if (res !== undefined) resolve(res);
        else if (err === HTTP_DEADLINE_PASSED) reject(new TransportError('timeout', `no HTTP response within ${req.timeoutMs} ms`, { cause: err }));
        else if (err === HTTP_ABORTED || req.signal?.aborted) reject(new TransportError('aborted', 'request aborted (CPE closed)', { cause: err }));
        else reject(new TransportError('network', describeNetworkError(err), { cause: err }));
      };
      const onResponse = (res: IncomingMessage): void => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => settle(err));
        res.on('aborted', () => settle(new Error('the ACS closed the connection in the middle of the response')));
        res.on('end', () => {
          const map = new Map<string, string[]>();
          for (const [k, v] of Object.entries(res.headersDistinct)) if (v !== undefined) map.set(k, v);
          settle(undefined, { status: res.statusCode ?? 0, headers: map, body: Buffer.concat(chunks).toString('utf8') });
        });
      };
      try {
        // Throws at once for a header value node:http refuses (e.g. a control character).
        r = this.send({ host: this.host, port: this.port, path: this.path, method: 'POST', headers, agent: this.agent }, onResponse);
      } catch (err) {
        settle(err);
        return;
      }
      const sent = r;
      this.inFlight = sent;
      // From send to the response's end, like the undici transport's deadline.
      this.deadline.arm(req.timeoutMs);
      req.signal?.addEventListener('abort', onAbort, { once: true });
      sent.on('error', (err) => settle(err));
      sent.end(body);
    });
  }

  async close(force = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.deadline.clear();
    if (force) this.inFlight?.destroy(HTTP_ABORTED);
    this.agent.destroy();
  }
}

/**
 * HTTP/1.0 without keep-alive (the `http10` behaviour): what old CPEs speak. Every POST
 * opens its own TCP (or TLS) connection, sends `POST … HTTP/1.0` with no `Connection`
 * header (RFC 1945: the connection closes after the response) and reads the response
 * until the ACS closes it. Neither node:http nor undici can send an HTTP/1.0 request
 * line, hence a raw socket. The session then lives on its cookie alone (TR-069 §3.4.2).
 */
export class Http10Transport implements SessionTransport {
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  private readonly hostHeader: string;
  private inFlight: Socket | undefined;
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly tls?: AcsTls,
  ) {
    this.host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    this.path = `${url.pathname}${url.search}`;
    this.hostHeader = url.host;
  }

  post(req: TransportRequest): Promise<TransportResponse> {
    if (req.signal?.aborted) return Promise.reject(new TransportError('aborted', 'request aborted (CPE closed)'));
    if (this.closed) return Promise.reject(new TransportError('aborted', 'request after the session closed'));
    const body = Buffer.from(req.body ?? '', 'utf8');
    const lines = [`POST ${this.path} HTTP/1.0`, `Host: ${this.hostHeader}`];
    for (const [k, v] of Object.entries(req.headers)) {
      // A header value with CR/LF would split the request (node:http refuses those too).
      if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) return Promise.reject(new TransportError('network', `invalid header ${JSON.stringify(k)}`));
      if (k.toLowerCase() !== 'content-length' && k.toLowerCase() !== 'connection') lines.push(`${k}: ${v}`);
    }
    lines.push(`Content-Length: ${body.length}`);
    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    return new Promise<TransportResponse>((resolve, reject) => {
      const https = this.url.protocol === 'https:';
      const socket = https ? tlsConnect({ host: this.host, port: this.port, servername: this.host, ...tlsOptions(this.url, this.tls) }) : netConnect({ host: this.host, port: this.port });
      this.inFlight = socket;
      const chunks: Buffer[] = [];
      let settled = false;
      const settle = (err: TransportError | undefined, res?: TransportResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (this.inFlight === socket) this.inFlight = undefined;
        socket.destroy();
        if (res) resolve(res);
        else reject(err);
      };
      const timer = setTimeout(() => settle(new TransportError('timeout', `no HTTP response within ${req.timeoutMs} ms`)), req.timeoutMs);
      const onAbort = (): void => settle(new TransportError('aborted', 'request aborted (CPE closed)'));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once(https ? 'secureConnect' : 'connect', () => socket.end(Buffer.concat([head, body])));
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', (err) => settle(new TransportError('network', describeNetworkError(err), { cause: err })));
      // HTTP/1.0: the response ends when the ACS closes the connection.
      socket.on('end', () => {
        try {
          settle(undefined, parseHttp10Response(Buffer.concat(chunks)));
        } catch (err) {
          settle(new TransportError('network', (err as Error).message, { cause: err }));
        }
      });
    });
  }

  async close(force = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (force) this.inFlight?.destroy();
  }
}

/**
 * Status, headers and body of a whole HTTP response read to the connection's close, by
 * the download client's strict parser (decision 022). Content-Length, when given, bounds
 * the body; a chunked body is refused (a server must not send one to an HTTP/1.0
 * request, RFC 9112 §6.1).
 * @throws HttpParseError naming what is wrong.
 */
export function parseHttp10Response(raw: Buffer): TransportResponse {
  let head: ResponseHead | undefined;
  const body: Buffer[] = [];
  const parser = new ResponseParser({ chunked: false, onHead: (h) => void (head = h), onBody: (c) => body.push(c) });
  parser.execute(raw);
  parser.finish();
  return { status: head!.status, headers: head!.headers, body: Buffer.concat(body).toString('utf8') };
}

class FetchTransport implements SessionTransport {
  private readonly url: string;

  constructor(url: URL) {
    this.url = url.href;
  }

  post(req: TransportRequest): Promise<TransportResponse> {
    return withDeadline(req.timeoutMs, req.signal, async (signal) => {
      const res = await globalThis.fetch(this.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body ?? null,
        signal,
        // HTTP redirects are not implemented (docs/cwmp.md): a 3xx fails the session.
        redirect: 'manual',
      });
      const body = await res.text();
      const map = new Map<string, string[]>();
      res.headers.forEach((value, key) => {
        if (key === 'set-cookie') return;
        map.set(key, [value]);
      });
      const cookies = res.headers.getSetCookie();
      if (cookies.length > 0) map.set('set-cookie', cookies);
      return { status: res.status, headers: map, body };
    });
  }

  async close(): Promise<void> {
    // The global dispatcher owns the sockets; nothing per-session to release.
  }
}
