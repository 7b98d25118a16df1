/**
 * The CPE's file-transfer client (TR-069 §3.4 and A.3.2.8/A.4.1.5): HTTP(S) GET and
 * PUT over undici, answering the file server's Basic or Digest challenge with the
 * RPC's Username/Password, following a few redirects, with idle timeouts. A download
 * is streamed chunk by chunk to a sink and never held whole in memory. Every failure
 * becomes a {@link CwmpFault} with the TR-069 code an ACS expects in TransferComplete.
 * @module
 */
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import { CPE_FAULT_STRINGS, CwmpFault } from '../errors/index.js';
import { AuthHeaderError, digestAuthorization, formatBasicAuthorization, newCnonce, parseAuthHeader, toDigestChallenge } from '../httpauth/index.js';
import type { DigestChallenge } from '../httpauth/index.js';

/** Username and password from the Download/Upload RPC (empty username: none). */
export interface TransferCredentials {
  username: string;
  password: string;
}

/** Options shared by {@link fetchFile} and {@link putFile}. */
export interface TransferRequestOptions extends TransferCredentials {
  url: string;
  /** Idle limit in real ms for connecting, for the response head and between body chunks. */
  timeoutMs: number;
  /** Redirects followed before giving up; default {@link MAX_REDIRECTS}. */
  maxRedirects?: number;
  /** Aborts the transfer (the CPE is closing): rejects with {@link TransferAbortedError}. */
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM) for `https:` file servers; Node's trust store otherwise. */
  ca?: string | Buffer;
}

/** Options of {@link fetchFile}. */
export interface FetchFileOptions extends TransferRequestOptions {
  /** Receives each chunk in order; chunks are not kept by the client. */
  onChunk(chunk: Uint8Array): void;
  /** Stop with 9018 as soon as more than this many bytes arrived (the RPC's FileSize). */
  maxBytes?: number;
  /** Take any 2xx answer as the file (ref §8.4 manifests); default only 200 (a Download). */
  anySuccess?: boolean;
}

/** What a finished download looked like. */
export interface FetchFileResult {
  /** Body bytes received. */
  bytes: number;
  /** The URL the file finally came from (after redirects). */
  url: string;
  /** Redirects followed. */
  redirects: number;
  /** Scheme used to authenticate, when the server asked. */
  auth?: 'basic' | 'digest';
}

/** TR-069 §3.4 lets the server redirect; a handful of hops is what real CPE stacks follow. */
export const MAX_REDIRECTS = 5;

/** The transfer was aborted by its owner (CPE closed); not a TR-069 failure. */
export class TransferAbortedError extends Error {
  override name = 'TransferAbortedError';
}

/** A TR-069 transfer fault: the standard text of `code`, then what happened. */
export function transferFault(code: number, detail: string): CwmpFault {
  return new CwmpFault(code, `${CPE_FAULT_STRINGS[code] ?? 'File transfer failure'} (${detail})`);
}

/** Fault codes of one direction: a download uses the 901x download codes, an upload 9011. */
interface FaultCodes {
  unreachable: number;
  noFile: number;
  incomplete: number;
}
const DOWNLOAD_CODES: FaultCodes = { unreachable: 9015, noFile: 9016, incomplete: 9017 };
const UPLOAD_CODES: FaultCodes = { unreachable: 9011, noFile: 9011, incomplete: 9011 };

/**
 * Checks a transfer URL before anything is queued (A.3.2.8: the URL "MUST NOT include
 * user information"; HTTP, HTTPS and FTP are the transports §3.4 names).
 * @throws CwmpFault 9003 for a URL that does not parse or carries userinfo, 9013 for
 * any scheme but http, https and ftp (the three of TR-069 §3.4).
 */
export function checkTransferUrl(text: string, what = 'URL'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CwmpFault(9003, `${CPE_FAULT_STRINGS[9003]}: ${what} ${JSON.stringify(text.slice(0, 200))} is not an absolute URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new CwmpFault(9003, `${CPE_FAULT_STRINGS[9003]}: ${what} must not carry user information; send Username/Password instead (TR-069 A.3.2.8)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ftp:') throw new CwmpFault(9013, `${CPE_FAULT_STRINGS[9013]}: ${url.protocol.slice(0, -1)} (expected http, https or ftp)`);
  return url;
}

/** Node's codes for a server certificate the client does not trust. */
const TLS_TRUST_ERRORS: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : '';
}

function errText(err: unknown): string {
  const code = errCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/** One request/redirect/auth walk over a private Agent; the caller reads or dumps the body. */
async function open(
  agent: Agent,
  method: 'GET' | 'PUT',
  opts: TransferRequestOptions,
  codes: FaultCodes,
  body?: Buffer,
): Promise<{ res: Dispatcher.ResponseData; url: URL; redirects: number; auth?: 'basic' | 'digest' }> {
  let url = new URL(opts.url);
  const origin = url.origin;
  const max = opts.maxRedirects ?? MAX_REDIRECTS;
  let redirects = 0;
  let digest: { challenge: DigestChallenge; nc: number; cnonce: string } | undefined;
  let basic = false;
  let challenged = false;
  for (;;) {
    const uri = `${url.pathname}${url.search}`;
    const headers: Record<string, string> = { 'user-agent': 'cpe-sim' };
    // Credentials go to the origin the ACS named only, never to a redirect elsewhere.
    const creds = url.origin === origin && opts.username !== '' ? opts : undefined;
    if (creds && digest) headers['authorization'] = digestAuthorization(digest.challenge, creds, method, uri, ++digest.nc, digest.cnonce);
    else if (creds && basic) headers['authorization'] = formatBasicAuthorization(creds.username, creds.password);
    if (body) headers['content-type'] = 'application/octet-stream';
    let res: Dispatcher.ResponseData;
    try {
      res = await agent.request({ origin: url.origin, path: uri, method, headers, ...(body ? { body } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (err) {
      if (opts.signal?.aborted) throw new TransferAbortedError('transfer aborted', { cause: err });
      // The CPE could not authenticate the server (its certificate): 9012, not "unreachable".
      if (TLS_TRUST_ERRORS.has(errCode(err))) throw transferFault(9012, `${method} ${url.href}: the server's certificate is not trusted (${errText(err)})`);
      throw transferFault(codes.unreachable, `${method} ${url.href}: ${errText(err)}`);
    }
    const status = res.statusCode;
    if (status === 401) {
      await res.body.dump().catch(() => undefined);
      // TR-069 §3.4.5: the file server picks Basic or Digest by its challenge; one answer only.
      if (!creds) throw transferFault(9012, `${url.href} answered 401 and the RPC carried no Username`);
      if (challenged) throw transferFault(9012, `${url.href} refused the credentials of user ${JSON.stringify(creds.username)}`);
      challenged = true;
      const values = ([] as string[]).concat(res.headers['www-authenticate'] ?? []);
      for (const v of values) {
        try {
          const h = parseAuthHeader(v);
          const c = toDigestChallenge(h);
          if (c && /^md5(-sess)?$/i.test(c.algorithm) && (c.qop.length === 0 || c.qop.includes('auth'))) digest ??= { challenge: c, nc: 0, cnonce: newCnonce() };
          else if (h.scheme === 'basic') basic = true;
        } catch (err) {
          if (!(err instanceof AuthHeaderError)) throw err;
        }
      }
      if (!digest && !basic) throw transferFault(9012, `${url.href} answered 401 with no Basic or MD5 Digest challenge (${values.join(' | ') || 'no WWW-Authenticate'})`);
      continue;
    }
    if (status >= 300 && status < 400 && status !== 304) {
      await res.body.dump().catch(() => undefined);
      const loc = res.headers['location'];
      const location = Array.isArray(loc) ? loc[0] : loc;
      if (location === undefined) throw transferFault(codes.noFile, `${url.href} answered ${status} without a Location`);
      if (++redirects > max) throw transferFault(codes.noFile, `more than ${max} redirects, the last to ${location}`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw transferFault(codes.noFile, `${url.href} redirected to an invalid Location ${JSON.stringify(location)}`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw transferFault(codes.noFile, `${url.href} redirected to ${next.protocol} (http or https expected)`);
      // RFC 9110 §15.4: 301/302/303 turn a PUT into a GET; an upload follows only 307/308.
      if (method === 'PUT' && status !== 307 && status !== 308) throw transferFault(codes.noFile, `${url.href} answered ${status} to a PUT (only 307/308 keep the body)`);
      url = next;
      continue;
    }
    return { res, url, redirects, ...(digest ? { auth: 'digest' as const } : basic ? { auth: 'basic' as const } : {}) };
  }
}

function newAgent(opts: TransferRequestOptions): Agent {
  // One private connection per transfer: a Digest answer goes out on the connection
  // that got the challenge, and nothing lingers in a shared pool once it is done.
  const t = opts.timeoutMs;
  return new Agent({ connections: 1, pipelining: 1, connect: { timeout: t, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) }, headersTimeout: t, bodyTimeout: t });
}

/**
 * Downloads `opts.url` and streams the body to `opts.onChunk`.
 *
 * Faults: 9015 the server cannot be reached (refused, reset, no response head in
 * time), 9016 the file is not there (404, any non-200 or with `anySuccess` non-2xx, too many redirects), 9012 the
 * server refused the credentials or asked for them when the RPC had none, 9017 the
 * body ended early or stalled, 9018 more bytes than `maxBytes`.
 *
 * @example
 * let n = 0;
 * await fetchFile({ url, username: '', password: '', timeoutMs: 30_000, onChunk: (c) => (n += c.length) });
 */
export async function fetchFile(opts: FetchFileOptions): Promise<FetchFileResult> {
  const agent = newAgent(opts);
  try {
    const { res, url, redirects, auth } = await open(agent, 'GET', opts, DOWNLOAD_CODES);
    const ok = opts.anySuccess === true ? res.statusCode >= 200 && res.statusCode <= 299 : res.statusCode === 200;
    if (!ok) {
      await res.body.dump().catch(() => undefined);
      throw transferFault(9016, `GET ${url.href} answered ${res.statusCode}`);
    }
    let bytes = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        if (opts.maxBytes !== undefined && bytes > opts.maxBytes) {
          res.body.destroy();
          throw transferFault(9018, `more than the ${opts.maxBytes} bytes of FileSize`);
        }
        opts.onChunk(chunk);
      }
    } catch (err) {
      if (err instanceof CwmpFault) throw err;
      if (opts.signal?.aborted) throw new TransferAbortedError('transfer aborted', { cause: err });
      throw transferFault(9017, `GET ${url.href} broke off after ${bytes} bytes: ${errText(err)}`);
    }
    return { bytes, url: url.href, redirects, ...(auth ? { auth } : {}) };
  } finally {
    void agent.destroy().catch(() => undefined);
  }
}

/** Options of {@link putFile}. */
export interface PutFileOptions extends TransferRequestOptions {
  body: Buffer;
}

/**
 * Uploads `body` with an HTTP PUT (TR-069 A.4.1.5 leaves the method to the transport;
 * PUT is what file servers and GenieACS accept). Faults: 9012 authentication, 9011
 * anything else (unreachable, non-2xx, cut off).
 */
export async function putFile(opts: PutFileOptions): Promise<{ status: number; url: string; auth?: 'basic' | 'digest' }> {
  const agent = newAgent(opts);
  try {
    const { res, url, auth } = await open(agent, 'PUT', opts, UPLOAD_CODES, opts.body);
    await res.body.dump().catch(() => undefined);
    if (res.statusCode < 200 || res.statusCode > 299) throw transferFault(9011, `PUT ${url.href} answered ${res.statusCode}`);
    return { status: res.statusCode, url: url.href, ...(auth ? { auth } : {}) };
  } finally {
    void agent.destroy().catch(() => undefined);
  }
}
