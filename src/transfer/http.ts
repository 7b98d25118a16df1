/**
 * The CPE's file-transfer client (TR-069 §3.4 and A.3.2.8/A.4.1.5): HTTP(S) GET over
 * node:net/node:tls with a reused read buffer (decision 022) and PUT over undici, answering the file server's Basic or Digest challenge with the
 * RPC's Username/Password, following a few redirects, with idle timeouts. A download
 * is streamed chunk by chunk to a sink and never held whole in memory. Every failure
 * becomes a {@link CwmpFault} with the TR-069 code an ACS expects in TransferComplete.
 * @module
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import { CPE_FAULT_STRINGS, CwmpFault } from '../errors/index.js';
import { AuthHeaderError, digestAuthorization, formatBasicAuthorization, newCnonce, parseAuthHeader, toDigestChallenge } from '../httpauth/index.js';
import type { DigestChallenge } from '../httpauth/index.js';
import { HttpParseError, ResponseParser } from './http1.js';
import type { ResponseHead } from './http1.js';

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
  /**
   * Receives each chunk in order. The chunk is a view of the download's read buffer and is
   * valid only during the call: the next read overwrites it, so copy what you keep.
   */
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

/** Fault codes of one direction: a download uses the 901x download codes, an upload 9011 (HTTP and FTP alike). */
export interface FaultCodes {
  unreachable: number;
  noFile: number;
  incomplete: number;
}
export const DOWNLOAD_CODES: FaultCodes = { unreachable: 9015, noFile: 9016, incomplete: 9017 };
export const UPLOAD_CODES: FaultCodes = { unreachable: 9011, noFile: 9011, incomplete: 9011 };

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

/** The part of an answer the redirect/auth walk looks at. */
interface Answer {
  status: number;
  /** Every value of a field (lower-case name). */
  header(name: string): string[];
}

/**
 * The request/redirect/auth walk of one transfer: `send` makes one request and returns its
 * answer once the body is dealt with (dumped, or streamed by a GET that wanted it).
 */
async function walk<A extends Answer>(
  method: 'GET' | 'PUT',
  opts: TransferRequestOptions,
  codes: FaultCodes,
  send: (url: URL, headers: Record<string, string>) => Promise<A>,
): Promise<{ res: A; url: URL; redirects: number; auth?: 'basic' | 'digest' }> {
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
    const res = await send(url, headers);
    const status = res.status;
    if (status === 401) {
      // TR-069 §3.4.5: the file server picks Basic or Digest by its challenge; one answer only.
      if (!creds) throw transferFault(9012, `${url.href} answered 401 and the RPC carried no Username`);
      if (challenged) throw transferFault(9012, `${url.href} refused the credentials of user ${JSON.stringify(creds.username)}`);
      challenged = true;
      const values = res.header('www-authenticate');
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
      const location = res.header('location')[0];
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

/** What one raw GET exchange ended with. */
interface GetAnswer extends Answer {
  /** Body bytes streamed to `onChunk` (0 when the body was not wanted). */
  bytes: number;
}

/**
 * Size of a download's read buffer. Node reads up to 64 KiB per socket read; TLS records
 * are at most 16 KiB, so HTTPS fills a quarter of it.
 */
const READ_BUFFER_BYTES = 64 * 1024;

/** Header values go on the wire as they are: a CR, LF or NUL would split the request. */
const UNSAFE_HEADER_VALUE = /[\r\n\0]/;

/**
 * One GET on its own connection (`Connection: close`), read with `onread` into the
 * transfer's own `buffer` (decision 022): node:net then allocates nothing per read,
 * where undici and node:http get a fresh ArrayBuffer for each, which V8 collects only
 * after ~64 MiB of them. The parser hands `onChunk` views of that buffer synchronously.
 * Resolves once the body is read (when `accept(status)`), or as soon as the head is in.
 */
function getOnce(
  url: URL,
  headers: Record<string, string>,
  opts: FetchFileOptions,
  buffer: Buffer,
  accept: (status: number) => boolean,
): Promise<GetAnswer> {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, 'connection: close', 'accept-encoding: identity'];
  for (const [k, v] of Object.entries(headers)) {
    if (UNSAFE_HEADER_VALUE.test(v)) return Promise.reject(transferFault(9012, `the ${k} header for ${url.href} would carry a CR, LF or NUL (from the Username/Password?)`));
    lines.push(`${k}: ${v}`);
  }
  const request = `${lines.join('\r\n')}\r\n\r\n`;
  const https = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port !== '' ? Number(url.port) : https ? 443 : 80;
  const where = `GET ${url.href}`;
  return new Promise<GetAnswer>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new TransferAbortedError('transfer aborted'));
      return;
    }
    let head: ResponseHead | undefined;
    let bytes = 0;
    let settled = false;
    const answer = (): GetAnswer => ({ status: head!.status, header: (n) => head!.headers.get(n) ?? [], bytes });
    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err === undefined) resolve(answer());
      else reject(err);
    };
    const onAbort = (): void => settle(new TransferAbortedError('transfer aborted'));
    /** Any failure once the socket is open, as the TR-069 fault it stands for. */
    const fail = (err: unknown): void => {
      if (settled) return;
      if (opts.signal?.aborted) return settle(new TransferAbortedError('transfer aborted', { cause: err }));
      if (err instanceof CwmpFault) return settle(err);
      if (err instanceof HttpParseError && err.phase === 'head') return settle(transferFault(9010, `${where}: the answer is not a valid HTTP/1.1 response: ${err.message}`));
      if (head) return settle(transferFault(9017, `${where} broke off after ${bytes} bytes: ${errText(err)}`));
      // The CPE could not authenticate the server (its certificate): 9012, not "unreachable".
      if (TLS_TRUST_ERRORS.has(errCode(err))) return settle(transferFault(9012, `${where}: the server's certificate is not trusted (${errText(err)})`));
      settle(transferFault(9015, `${where}: ${errText(err)}`));
    };
    const parser = new ResponseParser({
      onHead: (h) => {
        head = h;
        // A 401, a redirect or an error page: its body is not the file.
        return accept(h.status);
      },
      onBody: (chunk) => {
        bytes += chunk.length;
        if (opts.maxBytes !== undefined && bytes > opts.maxBytes) throw transferFault(9018, `more than the ${opts.maxBytes} bytes of FileSize`);
        opts.onChunk(chunk);
      },
    });
    const onread = {
      buffer,
      callback: (n: number, buf: Uint8Array): boolean => {
        if (settled) return false;
        try {
          parser.execute(buf as Buffer, 0, n);
        } catch (err) {
          fail(err);
          return false;
        }
        if (parser.done) settle(undefined);
        return !settled;
      },
    };
    // node:tls passes socket.connect() options, onread included, to its socket (the typings omit it).
    const socket = https ? tlsConnect({ host, port, onread, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) } as TlsConnectionOptions) : netConnect({ host, port, onread });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // An idle limit: while connecting, waiting for the head, and between body reads.
    socket.setTimeout(opts.timeoutMs, () => fail(new Error(head ? `no data for ${opts.timeoutMs} ms (stalled)` : `no response head within ${opts.timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('end', () => {
      if (!parser.headDone) return fail(new Error('the server closed the connection before the response head was complete'));
      try {
        parser.finish();
        settle(undefined);
      } catch (err) {
        fail(err);
      }
    });
    socket.on('close', () => fail(new Error('the connection closed')));
    socket.write(request);
  });
}

/**
 * Downloads `opts.url` and streams the body to `opts.onChunk`.
 *
 * Faults: 9015 the server cannot be reached (refused, reset, closed or silent before a
 * response head in time), 9010 it answered something that is not HTTP/1.x (malformed status
 * line or fields, a head over 16 KiB, a body framing it cannot delimit), 9016 the file is not
 * there (404, any non-200 or with `anySuccess` non-2xx, too many redirects), 9012 the server
 * refused the credentials or asked for them when the RPC had none, or its certificate is not
 * trusted, 9017 the body ended early, broke its chunked framing or stalled, 9018 more bytes
 * than `maxBytes`.
 *
 * @example
 * let n = 0;
 * await fetchFile({ url, username: '', password: '', timeoutMs: 30_000, onChunk: (c) => (n += c.length) });
 */
export async function fetchFile(opts: FetchFileOptions): Promise<FetchFileResult> {
  const ok = (status: number): boolean => (opts.anySuccess === true ? status >= 200 && status <= 299 : status === 200);
  // One buffer per download, reused by every read of every hop (not shared between
  // transfers, so no read can ever land in a buffer another transfer is still reading).
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  try {
    const { res, url, redirects, auth } = await walk('GET', opts, DOWNLOAD_CODES, (u, h) => getOnce(u, h, opts, buffer, ok));
    if (!ok(res.status)) throw transferFault(9016, `GET ${url.href} answered ${res.status}`);
    return { bytes: res.bytes, url: url.href, redirects, ...(auth ? { auth } : {}) };
  } catch (err) {
    if (!(err instanceof CwmpFault) && !(err instanceof TransferAbortedError)) {
      if (opts.signal?.aborted) throw new TransferAbortedError('transfer aborted', { cause: err });
      // onChunk threw something of its own: the download did not complete.
      throw transferFault(9017, `GET ${opts.url}: ${errText(err)}`);
    }
    throw err;
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
  // One private connection per upload: a Digest answer goes out on the connection that
  // got the challenge, and nothing lingers in a shared pool once it is done. The body is
  // small (a generated config or log), so undici's per-read buffers cost nothing here.
  const t = opts.timeoutMs;
  const agent = new Agent({ connections: 1, pipelining: 1, connect: { timeout: t, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) }, headersTimeout: t, bodyTimeout: t });
  const send = async (url: URL, headers: Record<string, string>): Promise<Answer> => {
    let res: Dispatcher.ResponseData;
    try {
      res = await agent.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: opts.body, ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (err) {
      if (opts.signal?.aborted) throw new TransferAbortedError('transfer aborted', { cause: err });
      if (TLS_TRUST_ERRORS.has(errCode(err))) throw transferFault(9012, `PUT ${url.href}: the server's certificate is not trusted (${errText(err)})`);
      throw transferFault(9011, `PUT ${url.href}: ${errText(err)}`);
    }
    await res.body.dump().catch(() => undefined);
    return { status: res.statusCode, header: (n) => ([] as string[]).concat(res.headers[n] ?? []) };
  };
  try {
    const { res, url, auth } = await walk('PUT', opts, UPLOAD_CODES, send);
    if (res.status < 200 || res.status > 299) throw transferFault(9011, `PUT ${url.href} answered ${res.status}`);
    return { status: res.status, url: url.href, ...(auth ? { auth } : {}) };
  } finally {
    void agent.destroy().catch(() => undefined);
  }
}
