/**
 * A strict, incremental HTTP/1.1 response parser (RFC 9112) that hands body bytes out as
 * views of the buffer it is fed, never copies. The download client feeds it straight from
 * a socket's `onread` buffer, so a 200 MiB image costs no memory per read (decision 022:
 * why this is not undici or node:http). It is pure: no sockets, no timers.
 * @module
 */

/** What went wrong, and where: in the response head (status line, fields, framing) or in the body. */
export class HttpParseError extends Error {
  override name = 'HttpParseError';
  constructor(
    /** `head`: the answer is not a usable HTTP/1.x response; `body`: the body broke its own framing. */
    readonly phase: 'head' | 'body',
    message: string,
  ) {
    super(message);
  }
}

/** A final (non-1xx) response head. Field names are lower case; repeated fields keep every value. */
export interface ResponseHead {
  version: '1.0' | '1.1';
  status: number;
  reason: string;
  headers: Map<string, string[]>;
}

/** Options of {@link ResponseParser}. */
export interface ResponseParserOptions {
  /**
   * The final response head, once, before any body byte. Return `false` to skip the body
   * (the parse is then done; the caller drops the connection). May throw to stop the parse.
   */
  onHead(head: ResponseHead): boolean | void;
  /** Body bytes in order: a view of the fed buffer, valid only during the call. May throw. */
  onBody(chunk: Buffer): void;
  /** Largest response head (and trailer section) accepted; default {@link MAX_HEAD_BYTES}. */
  maxHeadBytes?: number;
  /** Accept `Transfer-Encoding: chunked`; default true. An HTTP/1.0 exchange refuses it (RFC 9112 §6.1). */
  chunked?: boolean;
}

/** undici's and node:http's default limit for a response head (`--max-http-header-size`). */
export const MAX_HEAD_BYTES = 16 * 1024;
/** A chunk-size line with its extensions; the extensions carry nothing a download needs. */
const MAX_CHUNK_LINE = 1024;
/** 13 hex digits = 2^52: every chunk size below that is an exact JS number. */
const MAX_HEX_DIGITS = 13;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: field values are VCHAR, obs-text, SP and HTAB; every other control is refused.
const BAD_VALUE_CHAR = /[\x00-\x08\x0a-\x1f\x7f]/;
// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]. The SP before an
// empty reason is often left out by servers; that one laxity is accepted. Status classes 1–5 (RFC 9110 §15).
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/;
const CHUNK_LINE = /^([0-9A-Fa-f]+)[ \t]*(?:;[^\x00-\x08\x0a-\x1f\x7f]*)?$/;
const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');

type State = 'head' | 'sized' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'to-close' | 'done';

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

/**
 * Parses the status line and field lines of one response head (the bytes before the empty
 * line). Pure; exported for the HTTP/1.0 session transport, which reads whole responses.
 * @throws HttpParseError (phase `head`) on anything RFC 9112 §2–§5 does not allow.
 */
export function parseResponseHead(raw: Buffer): ResponseHead {
  const lines = raw.toString('latin1').split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = STATUS_LINE.exec(statusLine);
  if (!m) throw new HttpParseError('head', `not an HTTP/1.x status line: ${quote(statusLine)}`);
  const headers = new Map<string, string[]>();
  let last: string[] | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.includes('\r') || line.includes('\n')) throw new HttpParseError('head', `a bare CR or LF in the response head near ${quote(line)} (RFC 9112 §2.2: lines end with CRLF)`);
    if (line[0] === ' ' || line[0] === '\t') {
      // RFC 9112 §5.2: a user agent replaces an obs-fold in a response with SP.
      if (!last) throw new HttpParseError('head', `the response head continues a field that does not exist: ${quote(line)}`);
      if (BAD_VALUE_CHAR.test(line)) throw new HttpParseError('head', `a control character in a field value: ${quote(line)}`);
      last[last.length - 1] = `${last[last.length - 1]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    // RFC 9112 §5.1: no whitespace between the field name and the colon.
    if (!TOKEN.test(name)) throw new HttpParseError('head', `malformed response field ${quote(line)} (expected "name: value")`);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (BAD_VALUE_CHAR.test(value)) throw new HttpParseError('head', `a control character in the value of ${name}`);
    const key = name.toLowerCase();
    last = headers.get(key);
    if (last) last.push(value);
    else headers.set(key, (last = [value]));
  }
  return { version: m[1] === '1' ? '1.1' : '1.0', status: Number(m[2]), reason: m[3] ?? '', headers };
}

/** The comma-separated list elements of every value of a field (RFC 9110 §5.6.1). */
function listOf(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * Feeds on a response's bytes as they arrive (`execute`), then on the end of the
 * connection (`finish`). Message framing follows RFC 9112 §6.3: no body for 204 and 304,
 * interim 1xx heads skipped, `Transfer-Encoding: chunked` (§7.1), `Content-Length`, or
 * the body runs to the close. One response per parser (the client asks for
 * `Connection: close`): bytes after a complete response are not read.
 *
 * @example
 * const p = new ResponseParser({ onHead: (h) => console.log(h.status), onBody: (c) => hash.update(c) });
 * p.execute(buffer, 0, n); // from a socket's onread callback
 * p.finish();              // at EOF: throws if the body was cut short
 */
export class ResponseParser {
  private state: State = 'head';
  private head: Buffer | undefined;
  private headLen = 0;
  /** Bytes left in the Content-Length body or the current chunk. */
  private left = 0;
  /** The chunk-size or trailer line read so far (latin1). */
  private line = '';
  private crlfSeen = 0;
  private trailerBytes = 0;
  private readonly maxHead: number;

  constructor(private readonly opts: ResponseParserOptions) {
    this.maxHead = opts.maxHeadBytes ?? MAX_HEAD_BYTES;
  }

  /** True once the final head has been parsed. */
  get headDone(): boolean {
    return this.state !== 'head';
  }

  /** True once the whole response has been read; later bytes are ignored. */
  get done(): boolean {
    return this.state === 'done';
  }

  /**
   * Parses `buf[start, end)`. Body bytes go to `onBody` as views of `buf` before this returns.
   * @throws HttpParseError on a malformed head or body framing; whatever `onHead`/`onBody` throw.
   */
  execute(buf: Buffer, start = 0, end = buf.length): void {
    let i = start;
    while (i < end && this.state !== 'done') {
      switch (this.state) {
        case 'head':
          i = this.readHead(buf, i, end);
          break;
        case 'to-close':
          this.opts.onBody(buf.subarray(i, end));
          i = end;
          break;
        case 'sized':
        case 'chunk-data': {
          const n = Math.min(this.left, end - i);
          this.left -= n;
          if (this.left === 0) this.state = this.state === 'sized' ? 'done' : 'chunk-crlf';
          this.opts.onBody(buf.subarray(i, i + n));
          i += n;
          break;
        }
        case 'chunk-crlf': {
          // RFC 9112 §7.1: chunk-data is followed by CRLF; anything else means the chunk size lied.
          const want = this.crlfSeen === 0 ? 0x0d : 0x0a;
          if (buf[i] !== want) throw new HttpParseError('body', 'a chunk is not followed by CRLF: the chunk size does not match the data');
          i++;
          if (++this.crlfSeen === 2) {
            this.crlfSeen = 0;
            this.state = 'chunk-size';
          }
          break;
        }
        case 'chunk-size':
        case 'trailers':
          i = this.readLine(buf, i, end);
          break;
      }
    }
  }

  /**
   * The connection ended. A body that runs to the close is complete now; anything else
   * not yet complete was cut short.
   * @throws HttpParseError `head` when the head was incomplete, `body` when the body was.
   */
  finish(): void {
    if (this.state === 'done') return;
    if (this.state === 'to-close') {
      this.state = 'done';
      return;
    }
    if (this.state === 'head') throw new HttpParseError('head', this.headLen === 0 ? 'the connection closed without a response' : 'the connection closed in the middle of the response head');
    if (this.state === 'sized') throw new HttpParseError('body', `the connection closed ${this.left} bytes before the end of the Content-Length body`);
    throw new HttpParseError('body', 'the connection closed before the last chunk of the chunked body');
  }

  private readHead(buf: Buffer, i: number, end: number): number {
    // The head is copied out of the fed buffer (the caller reuses it), into one buffer
    // of the largest head allowed: a server dribbling its head byte by byte costs no re-copying.
    const hb = (this.head ??= Buffer.allocUnsafe(this.maxHead + 4));
    const prev = this.headLen;
    const take = Math.min(end - i, hb.length - prev);
    buf.copy(hb, prev, i, i + take);
    this.headLen += take;
    const at = hb.subarray(0, this.headLen).indexOf(CRLF2, Math.max(0, prev - 3));
    if (at < 0) {
      if (this.headLen > this.maxHead) throw new HttpParseError('head', `the response head is larger than ${this.maxHead} bytes`);
      return i + take;
    }
    this.headLen = 0;
    const next = i + (at + 4 - prev);
    const head = parseResponseHead(hb.subarray(0, at));
    if (head.status < 200) {
      // RFC 9110 §15.2: interim answers precede the final one; a 101 was never asked for.
      if (head.status === 101) throw new HttpParseError('head', 'the server switched protocols (101) on a plain GET');
      return next;
    }
    this.head = undefined;
    this.state = this.framing(head);
    if (this.opts.onHead(head) === false || (this.state === 'sized' && this.left === 0)) this.state = 'done';
    return next;
  }

  /** RFC 9112 §6.3: how the body of `head` is delimited. */
  private framing(head: ResponseHead): State {
    if (head.status === 204 || head.status === 304) return 'done';
    const te = head.headers.get('transfer-encoding');
    const cl = head.headers.get('content-length');
    if (te) {
      // §6.3 item 3: both fields "ought to be handled as an error" (response splitting).
      if (cl) throw new HttpParseError('head', 'the response has both Transfer-Encoding and Content-Length');
      const codings = listOf(te).map((c) => c.toLowerCase());
      if (head.version === '1.0' || this.opts.chunked === false) throw new HttpParseError('head', `Transfer-Encoding ${quote(te.join(', '))} in an answer to an HTTP/1.0 request`);
      // The request offered no transfer coding (no TE field), so chunked alone is all a server may send.
      if (codings.length !== 1 || codings[0] !== 'chunked') throw new HttpParseError('head', `unsupported Transfer-Encoding ${quote(te.join(', '))} (only chunked)`);
      return 'chunk-size';
    }
    if (cl) {
      const values = listOf(cl);
      // §6.3 item 5: an invalid or ambiguous Content-Length is unrecoverable.
      if (values.length === 0 || values.some((v) => !/^\d{1,15}$/.test(v) || v !== values[0])) throw new HttpParseError('head', `invalid Content-Length ${quote(cl.join(', '))} (expected one decimal number)`);
      this.left = Number(values[0]);
      return 'sized';
    }
    return 'to-close';
  }

  /** One chunk-size line or trailer field line; CRLF-terminated, bounded. */
  private readLine(buf: Buffer, i: number, end: number): number {
    const lf = buf.indexOf(0x0a, i);
    const stop = lf < 0 || lf >= end ? end : lf;
    this.line += buf.toString('latin1', i, stop);
    if (this.state === 'trailers') this.trailerBytes += stop - i + 1;
    if (this.state === 'chunk-size' ? this.line.length > MAX_CHUNK_LINE : this.trailerBytes > this.maxHead) throw new HttpParseError('body', this.state === 'chunk-size' ? `a chunk-size line longer than ${MAX_CHUNK_LINE} bytes` : `a trailer section larger than ${this.maxHead} bytes`);
    if (stop === end) return end;
    if (!this.line.endsWith('\r')) throw new HttpParseError('body', `a bare LF in the chunked body after ${quote(this.line)}`);
    const line = this.line.slice(0, -1);
    this.line = '';
    if (this.state === 'trailers') {
      if (line === '') this.state = 'done';
      // RFC 9112 §7.1.2: trailer fields are field lines; a download uses none of them.
      else if (!TOKEN.test(line.slice(0, Math.max(0, line.indexOf(':')))) || BAD_VALUE_CHAR.test(line)) throw new HttpParseError('body', `malformed trailer field ${quote(line)}`);
      return stop + 1;
    }
    const m = CHUNK_LINE.exec(line);
    if (!m || m[1]!.length > MAX_HEX_DIGITS) throw new HttpParseError('body', `invalid chunk size ${quote(line)} (expected hexadecimal digits)`);
    this.left = parseInt(m[1]!, 16);
    this.state = this.left === 0 ? 'trailers' : 'chunk-data';
    return stop + 1;
  }
}
