/**
 * The CPE's FTP transfer client (TR-069 §3.4 lets a Download/Upload URL use FTP beside
 * HTTP and HTTPS; A.3.2.8 and A.4.1.5 give it the RPC's Username/Password). Built on
 * `basic-ftp` (docs/decisions/002-libraries.md: well kept, no dependencies, a CJS build
 * that Jest loads). Passive mode only (EPSV, then PASV): a CPE sits behind NAT and
 * cannot accept the server's active-mode data connection. The file is streamed chunk by
 * chunk to a sink, never held whole; every failure becomes the TR-069 fault an ACS expects.
 * @module
 */
import { Readable, Writable } from 'node:stream';
import { Client, FTPError } from 'basic-ftp';
import { CwmpFault } from '../errors/index.js';
import { DOWNLOAD_CODES as DOWNLOAD, TransferAbortedError, transferFault, UPLOAD_CODES as UPLOAD } from './http.js';
import type { FaultCodes, FetchFileOptions, FetchFileResult, PutFileOptions } from './http.js';

/** RFC 1738 §3.2: with no user in the URL (TR-069 forbids one) and none in the RPC, log in as `anonymous`. */
export const FTP_ANONYMOUS_USER = 'anonymous';
/** RFC 1635: an anonymous login's password is by custom an e-mail-like identification. */
export const FTP_ANONYMOUS_PASSWORD = 'cpe-sim@';

/** RFC 959 §4.2: 530 "Not logged in" (USER/PASS refused), 332 "Need account for login". */
const LOGIN_REFUSED: ReadonlySet<number> = new Set([530, 332]);

/**
 * The path an `ftp:` URL names, as the argument of RETR/STOR: RFC 1738 §3.2.2 makes each
 * segment relative to the login directory (`%2F` as the first segment is the way to say
 * "absolute"), and a `;type=` suffix only picks the mode, which is always binary here.
 */
export function ftpPath(url: URL): string {
  const raw = url.pathname.replace(/;type=[aid]$/i, '');
  const segments = raw.split('/').slice(1).map((s) => decodeURIComponent(s));
  return segments.join('/');
}

/** Who logs in: the RPC's Username/Password, or anonymous when the Username is empty. */
function loginOf(opts: { username: string; password: string }): { user: string; password: string; anonymous: boolean } {
  return opts.username === '' ? { user: FTP_ANONYMOUS_USER, password: FTP_ANONYMOUS_PASSWORD, anonymous: true } : { user: opts.username, password: opts.password, anonymous: false };
}

function errText(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const msg = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/**
 * Connects and logs in. 9012 when the server refuses the login (TR-069 names it "file
 * transfer server authentication failure" for both directions), `codes.unreachable`
 * when the server cannot be reached or does not greet.
 */
async function login(client: Client, url: URL, opts: FetchFileOptions | PutFileOptions, codes: FaultCodes): Promise<void> {
  const who = loginOf(opts);
  try {
    await client.access({ host: url.hostname, port: url.port === '' ? 21 : Number(url.port), user: who.user, password: who.password });
  } catch (err) {
    if (opts.signal?.aborted) throw new TransferAbortedError('transfer aborted', { cause: err });
    if (err instanceof FTPError && LOGIN_REFUSED.has(err.code)) {
      throw transferFault(9012, who.anonymous ? `${url.host} refused an anonymous login (the RPC carried no Username): ${err.message}` : `${url.host} refused the login of user ${JSON.stringify(who.user)}: ${err.message}`);
    }
    throw transferFault(codes.unreachable, `ftp://${url.host}: ${errText(err)}`);
  }
}

/** Closes the client when the owner aborts; returns the detach function. */
function onAbort(client: Client, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => undefined;
  const close = (): void => client.close();
  signal.addEventListener('abort', close, { once: true });
  return () => signal.removeEventListener('abort', close);
}

/**
 * Downloads an `ftp:` URL in passive binary mode and streams it to `opts.onChunk`.
 *
 * Faults: 9015 the server cannot be reached or hung up before the transfer, 9012 the
 * login was refused, 9016 the file is not there or not readable (RETR or SIZE answered a
 * 4xx/5xx), 9017 the data connection broke off, stalled, or ended before the size the
 * server announced with SIZE (RFC 3659 §4), 9018 more than `maxBytes` (the RPC's FileSize).
 */
export async function fetchFtpFile(opts: FetchFileOptions): Promise<FetchFileResult> {
  const url = new URL(opts.url);
  const path = ftpPath(url);
  const client = new Client(opts.timeoutMs);
  const detach = onAbort(client, opts.signal);
  let bytes = 0;
  let tooBig = false;
  try {
    await login(client, url, opts, DOWNLOAD);
    // RFC 3659 SIZE: what a complete file weighs, so a transfer cut short can be told
    // from a small file (FTP stream mode ends a file by closing the data connection).
    let announced: number | undefined;
    try {
      announced = await client.size(path);
    } catch (err) {
      if (err instanceof FTPError && err.code === 550) throw transferFault(9016, `${url.href}: ${err.message}`);
      if (!(err instanceof FTPError)) throw err;
      // 500/502: the server has no SIZE; the transfer itself decides.
    }
    if (announced !== undefined && opts.maxBytes !== undefined && announced > opts.maxBytes) {
      throw transferFault(9018, `${url.href} is ${announced} bytes, more than the ${opts.maxBytes} bytes of FileSize`);
    }
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (opts.maxBytes !== undefined && bytes > opts.maxBytes) {
          tooBig = true;
          done(new Error('over FileSize'));
          return;
        }
        try {
          opts.onChunk(chunk);
          done();
        } catch (err) {
          done(err as Error);
        }
      },
    });
    try {
      await client.downloadTo(sink, path);
    } catch (err) {
      if (tooBig) throw transferFault(9018, `more than the ${opts.maxBytes} bytes of FileSize`);
      if (opts.signal?.aborted) throw new TransferAbortedError('transfer aborted', { cause: err });
      // A refusal before any byte (450/550: not there, not a file, no permission) is "no such file".
      if (err instanceof FTPError && err.code >= 400 && bytes === 0 && err.code !== 426) throw transferFault(9016, `RETR ${url.href}: ${err.message}`);
      throw transferFault(DOWNLOAD.incomplete, `RETR ${url.href} broke off after ${bytes} bytes: ${errText(err)}`);
    }
    if (announced !== undefined && bytes < announced) throw transferFault(9017, `RETR ${url.href} ended after ${bytes} of the ${announced} bytes the server announced`);
    return { bytes, url: url.href, redirects: 0 };
  } catch (err) {
    if (err instanceof CwmpFault || err instanceof TransferAbortedError) throw err;
    if (opts.signal?.aborted) throw new TransferAbortedError('transfer aborted', { cause: err });
    throw transferFault(bytes > 0 ? DOWNLOAD.incomplete : DOWNLOAD.unreachable, `${url.href}: ${errText(err)}`);
  } finally {
    detach();
    client.close();
  }
}

/**
 * Uploads `opts.body` to an `ftp:` URL with STOR in passive binary mode. Faults: 9012
 * the login was refused, 9011 anything else (unreachable, STOR refused, cut off).
 */
export async function putFtpFile(opts: PutFileOptions): Promise<{ url: string }> {
  const url = new URL(opts.url);
  const path = ftpPath(url);
  const client = new Client(opts.timeoutMs);
  const detach = onAbort(client, opts.signal);
  try {
    await login(client, url, opts, UPLOAD);
    try {
      await client.uploadFrom(Readable.from([opts.body]), path);
    } catch (err) {
      if (opts.signal?.aborted) throw new TransferAbortedError('transfer aborted', { cause: err });
      throw transferFault(UPLOAD.noFile, `STOR ${url.href}: ${errText(err)}`);
    }
    return { url: url.href };
  } finally {
    detach();
    client.close();
  }
}
