/**
 * The Connection Request listener (TR-069 §3.2.2): one `node:http` server per process
 * serving every CPE of the fleet, routed by exact request-target match. The I/O shell
 * around the pure pieces ({@link authorizeCr}, {@link NonceStore}, {@link CrThrottle}).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConfigError, CpeSimError } from '../errors/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { realmProblem } from '../profile/index.js';
import { authorizeCr } from './auth.js';
import { parseBindAddr, urlHost, type BindAddr } from './bindaddr.js';
import { NonceStore } from './nonce.js';
import { CrThrottle } from './throttle.js';
import type { CrEndpoint, CrEndpointConfig, CrRequestEvent } from './types.js';

/** Options of {@link createCrListener}. */
export interface CrListenerOptions {
  /** `host:port`, `[v6]:port` or `:port` (all interfaces); port 0 = the OS picks. */
  bindAddr: string;
  /** URL path of the listener (default `/cr`); one or more segments, no trailing slash. */
  path?: string;
  /** `single`: the URL is `<path>`; `fleet`: `<path>/<cpe-id>`. */
  mode: 'single' | 'fleet';
  /** Host (or `host:port`, `[v6]:port`) written into published URLs instead of the bound address (default: the bind host; `127.0.0.1` when the bind is unspecified). A bare host keeps the bound port. */
  publishHost?: string;
  /** Digest nonce lifetime (default 300 000 ms). */
  nonceLifetimeMs?: number;
  /** Nonces with replay state kept per endpoint (LRU, default 64). */
  maxNoncesPerEndpoint?: number;
  logger?: Logger;
  /** Observer of every outcome (called once per request, after the response was written). */
  onRequest?: (e: CrRequestEvent) => void;
  /** Injectable time for nonce expiry and throttle tests (default Date.now). */
  now?: () => number;
  /** Max bytes of request line + headers; larger → Node answers 431 (default 8192). */
  maxHeaderSize?: number;
  /** Time allowed to receive the request headers; then Node answers 408 (default 10 000 ms). */
  headersTimeoutMs?: number;
  /** Time allowed to receive the whole request (default 15 000 ms; ≥ headersTimeoutMs). */
  requestTimeoutMs?: number;
  /** Idle time before a keep-alive connection is closed (default 5 000 ms). */
  keepAliveTimeoutMs?: number;
}

/** A running (or not yet started) Connection Request listener. */
export interface CrListener extends AsyncDisposable {
  /** Binds. Rejects with CpeSimError `CPESIM_ADDRESS_IN_USE` on EADDRINUSE. */
  listen(): Promise<void>;
  /** The bound address (after {@link CrListener.listen}). */
  readonly address: { host: string; port: number; family: 'IPv4' | 'IPv6' };
  /** Routes `cpeId`'s URL to `endpoint`; returns the published URL. */
  register(cpeId: string, endpoint: CrEndpoint): string;
  unregister(cpeId: string): void;
  /** Published URL of `cpeId` (registered or not). */
  urlFor(cpeId: string): string;
  /** The registered CPE whose route is exactly this request-target, if any (no decoding, as routing does). */
  ownerOf(target: string): string | undefined;
  /** Counters for tests and benches: registrations, nonces holding state, open sockets. */
  stats(): CrListenerStats;
  /** Idempotent; also closes idle keep-alive sockets so the process can exit. */
  close(): Promise<void>;
}

/** See {@link CrListener.stats}. */
export interface CrListenerStats {
  endpoints: number;
  /** Sum over endpoints of nonces holding nc state (each ≤ maxNoncesPerEndpoint). */
  nonces: number;
  /** Sockets currently open. */
  openConnections: number;
  /** Sockets accepted since listen(). */
  connectionsAccepted: number;
}

/**
 * One registered CPE. Throttle and nonce store are made on its first Connection
 * Request: most CPEs of a large fleet never get one, and each costs an object per CPE.
 */
class Registration {
  private throttleState: CrThrottle | undefined;
  private nonceState: NonceStore | undefined;
  constructor(
    readonly cpeId: string,
    readonly endpoint: CrEndpoint,
    readonly config: Readonly<CrEndpointConfig>,
    private readonly makeNonces: ((reg: Registration) => NonceStore) | undefined,
  ) {}
  get throttle(): CrThrottle {
    return this.endpoint.throttle ?? (this.throttleState ??= new CrThrottle(this.config.throttleWindowMs));
  }
  /** undefined unless the scheme is Digest. */
  get nonces(): NonceStore | undefined {
    if (this.makeNonces === undefined) return undefined;
    return (this.nonceState ??= this.makeNonces(this));
  }
  /** Nonces holding nc state, without creating a store. */
  get nonceCount(): number {
    return this.nonceState?.size ?? 0;
  }
}

const SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/;
const CPE_ID = /^[A-Za-z0-9._~-]+$/;
/** Bodies above this are not drained; the connection closes after the response. */
const MAX_DRAINED_BODY = 64 * 1024;

function validatePath(path: string): string {
  const segs = path.split('/');
  if (!path.startsWith('/') || segs.length < 2 || segs.slice(1).some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new ConfigError(
      `invalid CR path ${JSON.stringify(path)}: expected one or more "/segment" parts of unreserved characters (e.g. "/cr"), no trailing slash, query or percent-encoding`,
    );
  }
  return path;
}

function validateCpeId(cpeId: string): void {
  if (!CPE_ID.test(cpeId) || cpeId === '.' || cpeId === '..') {
    throw new ConfigError(`invalid CR cpe id ${JSON.stringify(cpeId)}: expected one URL path segment of letters, digits, ".", "_", "~" or "-" (e.g. "cpe-3")`);
  }
}

function positive(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw new ConfigError(`invalid CR listener option ${name}=${v}: expected a positive number`);
  return v;
}

/**
 * Creates the Connection Request listener; call `listen()` to bind.
 * @example
 * await using cr = createCrListener({ bindAddr: '127.0.0.1:0', mode: 'fleet' });
 * await cr.listen();
 * const url = cr.register('cpe-1', {
 *   config: { scheme: 'digest', realm: 'cpe-sim', throttleWindowMs: 5000 },
 *   credentials: () => ({ username: 'cr', password: 'secret' }),
 *   onRequest: () => cpe.connectionRequest(),
 * }); // http://127.0.0.1:<port>/cr/cpe-1
 */
export function createCrListener(opts: CrListenerOptions): CrListener {
  const bind: BindAddr = parseBindAddr(opts.bindAddr);
  const basePath = validatePath(opts.path ?? '/cr');
  if (opts.mode !== 'single' && opts.mode !== 'fleet') throw new ConfigError(`invalid CR listener mode ${JSON.stringify(opts.mode)}: expected "single" or "fleet"`);
  const mode = opts.mode;
  const now = opts.now ?? Date.now;
  const log = (opts.logger ?? silentLogger).child({ component: 'cr' });
  const nonceLifetimeMs = positive('nonceLifetimeMs', opts.nonceLifetimeMs, 300_000);
  const maxNonces = Math.floor(positive('maxNoncesPerEndpoint', opts.maxNoncesPerEndpoint, 64));
  const headersTimeout = positive('headersTimeoutMs', opts.headersTimeoutMs, 10_000);
  const requestTimeout = positive('requestTimeoutMs', opts.requestTimeoutMs, 15_000);
  if (headersTimeout > requestTimeout) {
    throw new ConfigError(`invalid CR listener timeouts: headersTimeoutMs (${headersTimeout}) must not exceed requestTimeoutMs (${requestTimeout})`);
  }
  const keepAliveTimeout = positive('keepAliveTimeoutMs', opts.keepAliveTimeoutMs, 5_000);
  const maxHeaderSize = Math.floor(positive('maxHeaderSize', opts.maxHeaderSize, 8192));
  let publishHost: string;
  let publishPort: number | undefined;
  if (opts.publishHost !== undefined) {
    const adv = parseAdvertiseHost(opts.publishHost);
    publishHost = adv.host;
    publishPort = adv.port;
  } else {
    publishHost = bind.unspecified ? '127.0.0.1' : bind.host;
  }
  const secret = randomBytes(32);
  const byId = new Map<string, Registration>();
  /** The last config registered, shared by every CPE that registers an equal one (a fleet: all of them). */
  let lastConfig: Readonly<CrEndpointConfig> | undefined;
  const newNonceStore = (reg: Registration): NonceStore =>
    new NonceStore({ scope: `${reg.cpeId}\0${reg.config.realm}`, secret, lifetimeMs: nonceLifetimeMs, capacity: maxNonces, now });
  let bound: { host: string; port: number; family: 'IPv4' | 'IPv6' } | undefined;
  let listening: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let openConnections = 0;
  let connectionsAccepted = 0;

  const routeOf = (cpeId: string): string => (mode === 'single' ? basePath : `${basePath}/${cpeId}`);
  const fleetPrefix = `${basePath}/`;
  /**
   * The registration whose route is exactly `target` (no decoding, no normalisation).
   * In fleet mode that is `<path>/` + a registered id; ids cannot hold a `/`, so the
   * id is the rest of the target, and no second per-CPE map of route strings is kept.
   */
  const routeTo = (target: string): Registration | undefined => {
    if (mode === 'single') return target === basePath ? byId.values().next().value : undefined;
    return target.startsWith(fleetPrefix) ? byId.get(target.slice(fleetPrefix.length)) : undefined;
  };

  const emit = (e: CrRequestEvent): void => {
    // At info: whether an ACS's Connection Requests get through (200) or why not (401
    // with the cause, 503 throttled, 404 wrong path) is what a user watches for.
    if (log.enabled('info')) {
      // Never the Authorization header or credentials: only what routing saw.
      log.info('connection request', {
        ...(e.cpeId !== undefined ? { cpe_id: e.cpeId } : {}),
        method: e.method.slice(0, 32),
        path: e.path.slice(0, 200),
        status: e.status,
        reason: e.reason,
        ...(e.detail !== undefined ? { detail: e.detail } : {}),
        ...(e.remoteAddress !== undefined ? { remote: e.remoteAddress } : {}),
      });
    }
    try {
      opts.onRequest?.(e);
    } catch (err) {
      log.error('CR observer threw', { error: err instanceof Error ? err.message : String(err) });
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? '';
    const target = req.url ?? '';
    // TR-069 §3.2.2: any body is ignored. Drain small ones so keep-alive continues;
    // close the connection after answering rather than read a large one.
    const declared = Number(req.headers['content-length'] ?? 0);
    const closeAfter = req.headers['transfer-encoding'] !== undefined || !(declared <= MAX_DRAINED_BODY);
    req.on('error', () => {});
    req.resume();
    const base = { method, path: target, remoteAddress: req.socket.remoteAddress };
    const send = (status: number, reason: string, cpeId: string | undefined, headers: OutgoingHttpHeaders, extra: Partial<CrRequestEvent> = {}, after?: () => void): void => {
      const body = status === 200 ? '' : `${status} ${STATUS_CODES[status] ?? ''}\n`;
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...(closeAfter ? { Connection: 'close' } : {}) });
      res.end(body);
      res.once('finish', () => {
        // The CPE side starts its session only now: the 200 means "accepted" and
        // must reach the ACS first (seed; notes §3.1 [QAC-TIMING]).
        if (after) {
          try {
            after();
          } catch (err) {
            log.error('CR endpoint onRequest threw', { cpe_id: cpeId, error: err instanceof Error ? err.message : String(err) });
          }
        }
        emit({ ...base, cpeId, status, reason, ...extra });
      });
    };

    // 1. Method (seed: "GET only; everything else → 405 with Allow: GET").
    if (method !== 'GET') return send(405, 'method', undefined, { Allow: 'GET' });
    // Routing: exact match on the raw request-target (no decoding, no normalisation,
    // no query). Needed before auth: the route says whose credentials apply.
    const reg = routeTo(target);
    if (!reg) return send(404, 'not-found', undefined, {});
    const { cpeId, config } = reg;
    // A device that is powered off (rebooting into a new firmware image) answers
    // nothing: the connection is dropped, as a dark box's would time out or reset.
    if (reg.endpoint.poweredOn?.() === false) {
      res.socket?.destroy();
      emit({ ...base, cpeId, status: 0, reason: 'powered-off' });
      return;
    }
    // 2. Auth. Credentials read per request (seed: an SPV takes effect immediately).
    let credentials = { username: '', password: '' };
    if (config.scheme !== '') {
      try {
        credentials = reg.endpoint.credentials();
      } catch (err) {
        log.error('CR endpoint credentials() threw', { cpe_id: cpeId, error: err instanceof Error ? err.message : String(err) });
        return send(500, 'error', cpeId, {}, { detail: 'credentials-threw' });
      }
    }
    const auth = authorizeCr({
      scheme: config.scheme,
      realm: config.realm,
      credentials,
      authorization: authorizationHeaders(req),
      method,
      target,
      nonces: reg.nonces,
    });
    if (!auth.ok) {
      if (auth.reason === 'stale') {
        // A stale nonce reaches this point only with the right password (the digest
        // matched). Beyond maxNoncesPerEndpoint concurrent handshakes a client's nonce
        // state can be evicted before it answers; while the throttle window is open it
        // would be refused anyway, so it gets the throttle's 503 now instead of a stale
        // challenge it might chase forever. Nothing is recorded and no session starts.
        const t = reg.throttle.peek(now());
        if (!t.ok) return send(503, 'throttled', cpeId, { 'Retry-After': String(t.retryAfterS) }, { retryAfter: t.retryAfterS, detail: auth.detail });
      }
      const headers: OutgoingHttpHeaders = {};
      if (auth.status === 401 && auth.challenge !== undefined) headers['WWW-Authenticate'] = auth.challenge;
      return send(auth.status, auth.reason, cpeId, headers, { detail: auth.detail });
    }
    // 3. Throttle: only authenticated requests reach it (seed).
    const t = reg.throttle.admit(now());
    if (!t.ok) return send(503, 'throttled', cpeId, { 'Retry-After': String(t.retryAfterS) }, { retryAfter: t.retryAfterS });
    // 4. Accepted: 200, empty body; the endpoint hears of it once the response is written.
    const headers: OutgoingHttpHeaders = {};
    if (auth.authenticationInfo !== undefined) headers['Authentication-Info'] = auth.authenticationInfo;
    send(200, 'accepted', cpeId, headers, {}, () => reg.endpoint.onRequest());
  };

  const server = createServer(
    {
      maxHeaderSize,
      headersTimeout,
      requestTimeout,
      keepAliveTimeout,
      // Node checks header/request timeouts on this interval (default 30 s, far
      // coarser than our timeouts); keep it a fraction of the smaller one.
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    (req, res) => {
      try {
        handle(req, res);
      } catch (err) {
        log.error('CR request handler failed', { error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Length': 0 });
          res.end();
        } else res.destroy();
      }
    },
  );
  server.on('connection', (socket: Socket) => {
    openConnections++;
    connectionsAccepted++;
    socket.once('close', () => openConnections--);
  });
  // CONNECT never reaches the request handler; without a listener Node just drops
  // the socket. Answer it like every other non-GET method.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    socket.on('error', () => {});
    socket.end(rawResponse(405, ['Allow: GET']));
    emit({ cpeId: undefined, method: req.method ?? 'CONNECT', path: req.url ?? '', status: 405, reason: 'method', remoteAddress: socket.remoteAddress });
  });
  // Node's parser refuses some requests before any handler runs: a lower-case or unknown
  // method (`get`, `FOO`, `BREW`) is HPE_INVALID_METHOD, and `PRI` outside an HTTP/2
  // preface fails as a bad version. The seed answers every non-GET method with 405 and
  // `Allow: GET`, so these get it too. Everything else keeps Node's own answers (400,
  // 431 for oversized headers, 408 for a timeout). A listener here replaces Node's
  // default handler, which is why those are written out below.
  server.on('clientError', (err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) => {
    socket.on('error', () => {});
    // As Node does: no answer on a dead socket, nor into a response already under way.
    const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (!socket.writable || err.code === 'ECONNRESET' || current?.headersSent === true) {
      socket.destroy();
      return;
    }
    const line = requestLine(err.rawPacket);
    const isMethod = err.code === 'HPE_INVALID_METHOD' || (err.code === 'HPE_INVALID_VERSION' && line?.method === 'PRI');
    const status = isMethod ? 405 : (CLIENT_ERROR_STATUS[err.code ?? ''] ?? 400);
    socket.end(rawResponse(status, isMethod ? ['Allow: GET'] : []), () => socket.destroy());
    if (isMethod) emit({ cpeId: undefined, method: line?.method ?? '', path: line?.target ?? '', status, reason: 'method', remoteAddress: socket.remoteAddress });
  });

  const displayAddr = (host: string, port: number): string => `${host === '' ? '' : urlHost(host)}:${port}`;

  const listener: CrListener = {
    listen() {
      if (closing) return Promise.reject(new CpeSimError('CPESIM_LISTENER_CLOSED', 'the CR listener was closed; create a new one'));
      listening ??= new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void => {
          server.off('listening', onListening);
          const where = displayAddr(bind.host, bind.port);
          if (err.code === 'EADDRINUSE') {
            reject(new CpeSimError('CPESIM_ADDRESS_IN_USE', `CR listener cannot bind ${where} (bindAddr ${JSON.stringify(opts.bindAddr)}): address already in use; choose another port or port 0`, { cause: err }));
          } else {
            reject(new CpeSimError('CPESIM_LISTEN_FAILED', `CR listener cannot bind ${where} (bindAddr ${JSON.stringify(opts.bindAddr)}): ${err.message}`, { cause: err }));
          }
        };
        const onListening = (): void => {
          server.off('error', onError);
          server.on('error', (e) => log.error('CR listener error', { error: e.message }));
          const a = server.address() as AddressInfo;
          bound = { host: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' };
          // A fleet serves <path>/<cpe-id>, never <path> itself: show the shape, not a URL that 404s.
          log.info('connection request listener bound', { address: displayAddr(a.address, a.port), url: urlOfPath(mode === 'single' ? basePath : `${basePath}/<cpe-id>`) });
          if (bind.unspecified && opts.publishHost === undefined) {
            log.warn('CR listener bound to an unspecified address; published URLs use 127.0.0.1. Set publishHost if the ACS is not on this host', {
              bind: opts.bindAddr,
            });
          }
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen({ port: bind.port, ...(bind.host !== '' ? { host: bind.host } : {}) });
      });
      return listening;
    },
    get address() {
      if (!bound) throw new CpeSimError('CPESIM_NOT_LISTENING', 'CR listener address is unknown until listen() resolves');
      return { ...bound };
    },
    register(cpeId, endpoint) {
      validateCpeId(cpeId);
      if (byId.has(cpeId)) throw new CpeSimError('CPESIM_CR_DUPLICATE', `CR endpoint ${JSON.stringify(cpeId)} is already registered; unregister it first`);
      if (mode === 'single' && byId.size > 0) {
        throw new CpeSimError('CPESIM_CR_SINGLE_TAKEN', `CR listener in mode "single" already serves ${JSON.stringify([...byId.keys()][0])}; use mode "fleet" for several CPEs`);
      }
      const given = endpoint.config;
      const config: Readonly<CrEndpointConfig> =
        lastConfig !== undefined && lastConfig.scheme === given.scheme && lastConfig.realm === given.realm && lastConfig.throttleWindowMs === given.throttleWindowMs
          ? lastConfig
          : Object.freeze({ scheme: given.scheme, realm: given.realm, throttleWindowMs: given.throttleWindowMs });
      if (config.scheme !== '' && config.scheme !== 'basic' && config.scheme !== 'digest') {
        throw new ConfigError(`invalid CR scheme ${JSON.stringify(config.scheme)} for ${cpeId}: expected "", "basic" or "digest"`);
      }
      if (config.scheme !== '' && config.realm === '') throw new ConfigError(`CR scheme ${config.scheme} for ${cpeId} needs a non-empty realm`);
      // The loader refuses these too; a hand-built config must not make every CR a 500.
      const realmWhy = config.scheme === '' ? undefined : realmProblem(config.realm);
      if (realmWhy) throw new ConfigError(`invalid CR realm ${JSON.stringify(config.realm)} for ${cpeId}: ${realmWhy}; expected printable ASCII without " or \\`);
      if (!Number.isFinite(config.throttleWindowMs) || config.throttleWindowMs < 0) {
        throw new ConfigError(`invalid CR throttleWindowMs ${config.throttleWindowMs} for ${cpeId}: expected a number ≥ 0 (0 = off)`);
      }
      const url = listener.urlFor(cpeId);
      lastConfig = config;
      byId.set(cpeId, new Registration(cpeId, endpoint, config, config.scheme === 'digest' ? newNonceStore : undefined));
      return url;
    },
    unregister(cpeId) {
      const reg = byId.get(cpeId);
      if (!reg) return;
      byId.delete(cpeId);
    },
    ownerOf(target) {
      return routeTo(target)?.cpeId;
    },
    urlFor(cpeId) {
      validateCpeId(cpeId);
      return urlOfPath(routeOf(cpeId));
    },
    stats() {
      let nonces = 0;
      for (const r of byId.values()) nonces += r.nonceCount;
      return { endpoints: byId.size, nonces, openConnections, connectionsAccepted };
    },
    close() {
      closing ??= (async () => {
        if (listening) await listening.catch(() => {});
        if (!server.listening) return;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive sockets would hold close() open for keepAliveTimeout; CR
          // responses are instant, so nothing useful is cut short.
          server.closeAllConnections();
        });
        log.debug('connection request listener closed');
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return listener.close();
    },
  };

  function urlOfPath(path: string): string {
    const port = publishPort ?? bound?.port ?? bind.port;
    if (port === 0) throw new CpeSimError('CPESIM_NOT_LISTENING', 'CR URLs need the bound port: call listen() before register()/urlFor() when bindAddr uses port 0');
    return `http://${urlHost(publishHost)}:${port}${path}`;
  }

  return listener;
}

/** Node's answers to parser errors other than a bad method (its default `clientError` handling). */
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** A whole response written straight to the socket (no ServerResponse exists), then closed. */
function rawResponse(status: number, headers: readonly string[] = []): string {
  const reason = STATUS_CODES[status] ?? '';
  const body = `${status} ${reason}\n`;
  return [`HTTP/1.1 ${status} ${reason}`, ...headers, 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Cache-Control: no-store', 'Connection: close', '', body].join('\r\n');
}

/** Method and target of the request line the parser choked on, for the observer and the log. */
function requestLine(raw: Buffer | undefined): { method: string; target: string } | undefined {
  if (!raw) return undefined;
  const m = /^([^ \r\n]*) ([^ \r\n]*)/.exec(raw.toString('latin1', 0, Math.min(raw.length, 1024)));
  return m ? { method: m[1]!.slice(0, 32), target: m[2]!.slice(0, 200) } : undefined;
}

/**
 * The advertised CR address (cpe-labs `--cr-advertise-host`): a host, `host:port`,
 * `[v6]` or `[v6]:port`; an unbracketed IPv6 address is a host. A bare host keeps the
 * bound port. A value with `/`, `?`, `#`, `@` or a space is refused.
 * @throws ConfigError naming the value and the expected forms.
 */
export function parseAdvertiseHost(value: string): { host: string; port?: number } {
  const bad = (why: string): never => {
    throw new ConfigError(`invalid CR publishHost ${JSON.stringify(value)}: ${why}; expected a host, host:port, [IPv6] or [IPv6]:port (e.g. acs-side.example:7547)`);
  };
  if (value === '' || /[/?#@\s]/.test(value)) bad('a host name or address has no "/", "?", "#", "@" or space');
  let host = value;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(value);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if ((value.match(/:/g) ?? []).length === 1) {
    [host, portText] = value.split(':') as [string, string];
  }
  if (host === '' || /[[\]]/.test(host)) bad('the host part is empty or has a stray bracket');
  if (portText === undefined) return { host };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) bad(`port ${JSON.stringify(portText)} is not a number 1..65535`);
  return { host, port };
}

function authorizationHeaders(req: IncomingMessage): string[] | undefined {
  // Node keeps only the first of duplicate Authorization headers; look at the raw
  // list so a second one is refused instead of silently ignored.
  let out: string[] | undefined;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'authorization') (out ??= []).push(raw[i + 1]!);
  }
  return out;
}
