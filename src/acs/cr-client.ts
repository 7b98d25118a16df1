/**
 * A real Connection Request client (TR-069 §3.2.2), as an ACS sends it: HTTP GET, no
 * body, answering a Digest challenge per RFC 7616 (qop=auth preferred, MD5 and
 * SHA-256 families, `uri` = path + query, `opaque` echoed, one retry on `stale=true`
 * with nc reset) or a Basic challenge (RFC 7617; not allowed by TR-069 for CRs but
 * answered, as FreeACS/OpenACS do). A dedicated keep-alive undici Client per origin
 * makes the authenticated retry reuse the challenged connection, as GenieACS's
 * keep-alive agent does.
 * @module
 */
import { createHash } from 'node:crypto';
import { Client } from 'undici';
import { CpeSimError } from '../errors/index.js';
import { redactUrl } from '../log/index.js';
import {
  AuthHeaderError,
  formatBasicAuthorization,
  formatNc,
  newCnonce,
  parseAuthHeader,
  quote,
  toDigestChallenge,
  type DigestChallenge,
} from '../httpauth/index.js';
import type { CrOptions, CrResult } from './types.js';

/** Error codes of the CR client. */
export const CR_ERROR = {
  INVALID_URL: 'CPESIM_CR_INVALID_URL',
  TIMEOUT: 'CPESIM_CR_TIMEOUT',
  FAILED: 'CPESIM_CR_FAILED',
  UNSUPPORTED_CHALLENGE: 'CPESIM_CR_UNSUPPORTED_CHALLENGE',
  CLOSED: 'CPESIM_CR_CLIENT_CLOSED',
} as const;

const HASHES: Record<string, string> = { 'MD5': 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

interface DigestState {
  challenge: DigestChallenge;
  /** Last nc sent with this nonce. */
  nc: number;
  cnonce: string;
  qop: 'auth' | 'auth-int' | undefined;
}

/** Splits one WWW-Authenticate value that may hold several challenges (`Digest …, Basic realm="x"`). */
function splitChallenges(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    // A new challenge starts where a known scheme token follows a comma; auth-params never look like `Scheme ` + param.
    for (const part of v.split(/,\s*(?=(?:Digest|Basic|Bearer|Negotiate|NTLM)\s)/i)) if (part.trim()) out.push(part.trim());
  }
  return out;
}

function headerList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Retry-After as seconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
function parseRetryAfter(v: string | undefined, now: number): number | undefined {
  if (v === undefined) return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const when = Date.parse(s);
  return Number.isNaN(when) ? undefined : Math.max(0, Math.ceil((when - now) / 1000));
}

function digestHash(algorithm: string, s: string): string {
  const base = algorithm.toUpperCase().replace(/-SESS$/, '');
  const h = HASHES[base];
  if (!h) throw new CpeSimError(CR_ERROR.UNSUPPORTED_CHALLENGE, `Digest algorithm ${algorithm} is not supported (supported: MD5, SHA-256, SHA-512-256 and their -sess variants)`);
  return createHash(h).update(s, 'utf8').digest('hex');
}

/** Builds the Digest Authorization value (RFC 7616 §3.4.1–3.4.3). */
function digestAuthorization(st: DigestState, username: string, password: string, method: string, uri: string): string {
  const c = st.challenge;
  const alg = c.algorithm;
  const H = (s: string): string => digestHash(alg, s);
  let ha1 = H(`${username}:${c.realm}:${password}`);
  if (/-sess$/i.test(alg)) ha1 = H(`${ha1}:${c.nonce}:${st.cnonce}`);
  // auth-int over an empty entity body: a CR GET has none (curl does the same).
  const ha2 = st.qop === 'auth-int' ? H(`${method}:${uri}:${H('')}`) : H(`${method}:${uri}`);
  const nc = formatNc(st.nc);
  const response = st.qop ? H(`${ha1}:${c.nonce}:${nc}:${st.cnonce}:${st.qop}:${ha2}`) : H(`${ha1}:${c.nonce}:${ha2}`); // RFC 2069 form when no qop offered
  // RFC 7616 §3.4: algorithm, qop and nc are tokens (unquoted); the rest quoted.
  const parts = [`username=${quote(username)}`, `realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`, `uri=${quote(uri)}`, `algorithm=${alg}`];
  if (st.qop) parts.push(`qop=${st.qop}`, `nc=${nc}`, `cnonce=${quote(st.cnonce)}`);
  parts.push(`response=${quote(response)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

function pickQop(offered: string[]): 'auth' | 'auth-int' | undefined {
  if (offered.length === 0) return undefined;
  if (offered.includes('auth')) return 'auth';
  if (offered.includes('auth-int')) return 'auth-int';
  throw new CpeSimError(CR_ERROR.UNSUPPORTED_CHALLENGE, `Digest qop ${JSON.stringify(offered.join(','))} offers neither auth nor auth-int`);
}

/** Options of {@link ConnectionRequestClient}. */
export interface CrClientOptions extends CrOptions {
  /** Send a Digest Authorization pre-emptively when a nonce from an earlier CR to the same origin is known (nc incremented). Default true. */
  reuseNonce?: boolean;
}

/**
 * A Connection Request client that keeps one keep-alive connection per origin and, like
 * curl and Python requests, reuses a Digest nonce for later CRs with an incremented `nc`
 * (RFC 7616 §3.4). For a one-off CR use {@link connectionRequest}.
 * @example
 * await using cr = new ConnectionRequestClient({ username: 'acs', password: 'secret' });
 * const first = await cr.send(cpe.crUrl);   // 401 challenge, then nc=00000001 → 200
 * const second = await cr.send(cpe.crUrl);  // pre-emptive, nc=00000002 → 200 in 1 attempt
 */
export class ConnectionRequestClient implements AsyncDisposable {
  private readonly clients = new Map<string, Client>();
  private readonly digest = new Map<string, DigestState>();
  private closed = false;

  constructor(private readonly defaults: CrClientOptions = {}) {}

  /** Sends one Connection Request. Rejects on invalid URL, timeout or network failure; any HTTP status resolves. */
  async send(url: string, opts: CrOptions = {}): Promise<CrResult> {
    // The URL comes from an Inform: any credentials in it stay out of every message.
    const shown = redactUrl(url);
    if (this.closed) throw new CpeSimError(CR_ERROR.CLOSED, `Connection Request to ${shown}: the client is closed`);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new CpeSimError(CR_ERROR.INVALID_URL, `Connection Request URL ${redactUrl(JSON.stringify(url))} is not a valid URL; expected http://host:port/path`);
    }
    // TR-069 §3.2.2: the CR is plain HTTP (GenieACS: "Invalid connection request URL or protocol").
    if (u.protocol !== 'http:') {
      throw new CpeSimError(CR_ERROR.INVALID_URL, `Connection Request URL ${shown} uses ${u.protocol}; only http: is supported (TR-069 §3.2.2)`);
    }
    const username = opts.username ?? this.defaults.username;
    const password = opts.password ?? this.defaults.password ?? '';
    const timeoutMs = opts.timeoutMs ?? this.defaults.timeoutMs ?? 2000;
    const uri = `${u.pathname}${u.search}`;
    const origin = u.origin;
    const client = this.clientFor(origin, timeoutMs);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);

    let attempts = 0;
    let authorization: string | undefined;
    let scheme: 'basic' | 'digest' | undefined;
    let state: 'none' | 'preemptive' | 'answered' | 'stale-retried' = 'none';
    let usedNc: number | undefined;

    const cached = this.digest.get(origin);
    if (username !== undefined && cached && (this.defaults.reuseNonce ?? true)) {
      cached.nc += 1;
      authorization = digestAuthorization(cached, username, password, 'GET', uri);
      scheme = 'digest';
      usedNc = cached.nc;
      state = 'preemptive';
    }

    try {
      for (;;) {
        attempts++;
        const headers: Record<string, string> = {};
        if (authorization !== undefined) headers['authorization'] = authorization;
        let res: Awaited<ReturnType<Client['request']>>;
        try {
          res = await client.request({ path: uri, method: 'GET', headers, signal: ac.signal });
        } catch (e) {
          if (ac.signal.aborted) {
            throw new CpeSimError(CR_ERROR.TIMEOUT, `Connection Request to ${shown} timed out after ${timeoutMs} ms (attempt ${attempts})`, { cause: e });
          }
          const msg = e instanceof Error ? ((e as { code?: string }).code ?? e.message) : String(e);
          throw new CpeSimError(CR_ERROR.FAILED, `Connection Request to ${shown} failed (attempt ${attempts}): ${msg}`, { cause: e });
        }
        // Drain so the keep-alive connection can carry the retry.
        try {
          await res.body.dump();
        } catch (e) {
          if (ac.signal.aborted) throw new CpeSimError(CR_ERROR.TIMEOUT, `Connection Request to ${shown} timed out after ${timeoutMs} ms (attempt ${attempts})`, { cause: e });
        }
        const result = (): CrResult => {
          const hs: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) hs[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          const ra = parseRetryAfter(hs['retry-after'], Date.now());
          return {
            status: res.statusCode,
            headers: hs,
            attempts,
            url,
            ...(ra !== undefined ? { retryAfter: ra } : {}),
            ...(scheme !== undefined ? { scheme } : {}),
            ...(scheme === 'digest' && usedNc !== undefined ? { nc: usedNc } : {}),
          };
        };
        if (res.statusCode !== 401) return result();
        if (scheme === 'digest' && state !== 'preemptive') this.digest.delete(origin);
        const raw = headerList(res.headers['www-authenticate']);
        // 401 without a challenge: nothing to answer (GenieACS: "Unexpected status code 401").
        if (raw.length === 0 || username === undefined) return result();
        const parsed = splitChallenges(raw).flatMap((v) => {
          try {
            return [parseAuthHeader(v)];
          } catch (e) {
            if (e instanceof AuthHeaderError) return [];
            throw e;
          }
        });
        const digestHeader = parsed.find((h) => h.scheme === 'digest');
        const basicHeader = parsed.find((h) => h.scheme === 'basic');
        const challenge = digestHeader ? toDigestChallenge(digestHeader) : undefined;

        if (state === 'none' || state === 'preemptive') {
          if (challenge) {
            const st: DigestState = { challenge, nc: 1, cnonce: newCnonce(), qop: pickQop(challenge.qop) };
            authorization = digestAuthorization(st, username, password, 'GET', uri);
            this.digest.set(origin, st);
            scheme = 'digest';
            usedNc = 1;
          } else if (basicHeader) {
            authorization = formatBasicAuthorization(username, password);
            scheme = 'basic';
            usedNc = undefined;
          } else {
            return result(); // a scheme we do not speak
          }
          state = 'answered';
          continue;
        }
        // RFC 7616 §3.3: stale=true means the digest was right but the nonce is not: retry once, nc reset.
        if (state === 'answered' && scheme === 'digest' && challenge?.stale) {
          const st: DigestState = { challenge, nc: 1, cnonce: newCnonce(), qop: pickQop(challenge.qop) };
          authorization = digestAuthorization(st, username, password, 'GET', uri);
          this.digest.set(origin, st);
          usedNc = 1;
          state = 'stale-retried';
          continue;
        }
        this.digest.delete(origin);
        return result(); // wrong credentials
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private clientFor(origin: string, timeoutMs: number): Client {
    let c = this.clients.get(origin);
    if (!c || c.closed || c.destroyed) {
      // pipelining 1: never pipeline (TR-069 §3.4.5 forbids it for CWMP HTTP; a CR is one GET at a time).
      c = new Client(origin, { pipelining: 1, keepAliveTimeout: 10_000, connect: { timeout: timeoutMs } });
      this.clients.set(origin, c);
    }
    return c;
  }

  /** Idempotent: destroys every connection (in-flight CRs reject). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.destroy().catch(() => undefined)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Sends one Connection Request with a fresh client (no cached nonce): unauthenticated GET,
 * then the answer to the challenge on the same keep-alive connection.
 * @example
 * const r = await connectionRequest('http://127.0.0.1:7547/cr/cpe-1', { username: 'acs', password: 'pw' });
 * // r.status 200|204 = accepted; 401 = wrong credentials; 503 = busy/throttled (r.retryAfter)
 */
export async function connectionRequest(url: string, opts: CrOptions = {}): Promise<CrResult> {
  const client = new ConnectionRequestClient({ reuseNonce: false });
  try {
    return await client.send(url, opts);
  } finally {
    await client.close();
  }
}
