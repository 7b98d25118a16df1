/**
 * The UDP Connection Request message of TR-069 Annex G (from TR-111 Part 2 §2.2.2.3):
 * one datagram holding an HTTP/1.1 GET without body whose absolute Request-URI has an
 * empty path and the query `ts`, `id`, `un`, `cn`, `sig`, where `sig` is the hex
 * HMAC-SHA1, keyed with ConnectionRequestPassword, of `ts + id + un + cn`. Pure: the
 * parser, the signature and the builder the fake ACS uses; no sockets here.
 * @module
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Largest datagram the listener reads as a Connection Request; larger ones are dropped as `oversized`. */
export const MAX_UDP_CR_BYTES = 2048;

/**
 * Why a datagram was dropped (or `accepted`). Every one is silent on the wire (Annex G:
 * UDP has no reply); the listener counts them per reason.
 */
export type UdpCrReason =
  | 'accepted'
  | 'oversized'
  | 'not-http'
  | 'truncated'
  | 'method'
  | 'malformed'
  | 'missing-field'
  | 'unknown-user'
  | 'bad-signature'
  | 'replay'
  | 'stale'
  | 'clock-skew'
  | 'throttled'
  | 'powered-off';

/** Every {@link UdpCrReason}, in the order checks are made. */
export const UDP_CR_REASONS: readonly UdpCrReason[] = [
  'accepted', 'oversized', 'not-http', 'truncated', 'method', 'malformed', 'missing-field',
  'unknown-user', 'bad-signature', 'replay', 'stale', 'clock-skew', 'throttled', 'powered-off',
];

/** The fields of a well-formed UDP Connection Request. */
export interface UdpCrMessage {
  /** `ts` as sent (digits). */
  ts: string;
  id: string;
  /** `un` as sent (GenieACS does not percent-encode it) and form-decoded. */
  un: { raw: string; decoded: string };
  cn: { raw: string; decoded: string };
  /** Lower-case hex. */
  sig: string;
  /** `host:port` of the Request-URI. */
  authority: string;
}

/** Result of {@link parseUdpCr}. */
export type UdpCrParse = { ok: true; message: UdpCrMessage } | { ok: false; reason: UdpCrReason; detail: string };

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(\d\.\d)$/;
// Annex G: scheme "http"/"HTTP", an authority, and an EMPTY path. FreeACS sends "/",
// which the listener tolerates: the path carries nothing the CPE uses.
const URI = /^http:\/\/([^/?#\s]+)\/?\?([^#\s]*)$/i;
const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t ]*[^\r\n]*$/;
const FIELDS = ['ts', 'id', 'un', 'cn', 'sig'] as const;

function formDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

const fail = (reason: UdpCrReason, detail: string): UdpCrParse => ({ ok: false, reason, detail });

/**
 * Parses one datagram. Never throws: bad input gives the reason it is dropped for.
 * @example
 * parseUdpCr(Buffer.from('GET http://10.0.0.1:7547?ts=1&id=2&un=u&cn=c&sig=… HTTP/1.1\r\nHost: 10.0.0.1:7547\r\n\r\n'));
 */
export function parseUdpCr(datagram: Uint8Array): UdpCrParse {
  if (datagram.length > MAX_UDP_CR_BYTES) return fail('oversized', `${datagram.length} bytes > ${MAX_UDP_CR_BYTES}`);
  const text = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength).toString('latin1');
  const firstEnd = text.indexOf('\n');
  const firstLine = (firstEnd < 0 ? text : text.slice(0, firstEnd)).replace(/\r$/, '');
  const line = REQUEST_LINE.exec(firstLine);
  if (!line) {
    // Something that starts like a request line but is cut short is "truncated", not "not HTTP".
    if (firstEnd < 0 && /^[A-Z]+ \S/.test(text)) return fail('truncated', 'request line without " HTTP/1.1" and CRLF');
    return fail('not-http', 'no HTTP request line');
  }
  if (firstEnd < 0) return fail('truncated', 'request line without CRLF');
  const [, method, uri, version] = line as unknown as [string, string, string, string];
  // TR-111 Part 2: "It MUST be a valid HTTP 1.1 GET message" and "MUST contain no Message Body".
  let rest = text.slice(firstEnd + 1);
  let headersDone = false;
  while (rest.length > 0) {
    const nl = rest.indexOf('\n');
    if (nl < 0) return fail('truncated', 'header line without CRLF');
    const h = rest.slice(0, nl).replace(/\r$/, '');
    rest = rest.slice(nl + 1);
    if (h === '') {
      headersDone = true;
      break;
    }
    if (!HEADER.test(h)) return fail('malformed', 'invalid header line');
    const cl = /^content-length:[\t ]*(.*)$/i.exec(h);
    if (cl && cl[1]!.trim() !== '0') return fail('malformed', 'Content-Length other than 0');
  }
  if (!headersDone) return fail('truncated', 'no empty line ending the header section');
  if (rest.length > 0) return fail('malformed', 'a message body');
  if (version !== '1.1') return fail('malformed', `HTTP/${version} instead of HTTP/1.1`);
  if (method !== 'GET') return fail('method', `method ${method.slice(0, 16)}`);
  const u = URI.exec(uri);
  if (!u) return fail('malformed', 'Request-URI is not an absolute http URI with an empty path and a query');
  const raw = new Map<string, string>();
  for (const pair of u[2]!.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    if (raw.has(k)) return fail('malformed', `query field ${k.slice(0, 16)} given twice`);
    raw.set(k, eq < 0 ? '' : pair.slice(eq + 1));
  }
  for (const f of FIELDS) {
    if (!raw.get(f)) return fail('missing-field', `no ${f}`);
  }
  const ts = raw.get('ts')!;
  const id = formDecode(raw.get('id')!);
  const un = formDecode(raw.get('un')!);
  const cn = formDecode(raw.get('cn')!);
  const sig = raw.get('sig')!;
  if (!/^\d{1,16}$/.test(ts)) return fail('malformed', 'ts is not a number of seconds');
  if (id === undefined || un === undefined || cn === undefined) return fail('malformed', 'bad percent-encoding');
  if (!/^[0-9a-fA-F]{40}$/.test(sig)) return fail('malformed', 'sig is not 40 hex digits (HMAC-SHA1)');
  return {
    ok: true,
    message: { ts, id, un: { raw: raw.get('un')!, decoded: un }, cn: { raw: raw.get('cn')!, decoded: cn }, sig: sig.toLowerCase(), authority: u[1]! },
  };
}

/**
 * `sig` of Annex G: lower-case hex HMAC-SHA1 keyed with the CR password over `ts + id + un + cn`.
 * @example
 * udpCrSignature('secret', '1700000000', '42', 'cr-cpe-1', 'abcd'); // 40 hex digits
 */
export function udpCrSignature(password: string, ts: string, id: string, un: string, cn: string): string {
  return createHmac('sha1', password).update(`${ts}${id}${un}${cn}`).digest('hex');
}

/**
 * Checks `m.sig` against `username`/`password` in constant time. `un` must equal the
 * username as sent or form-decoded; `cn` is tried as sent, then decoded.
 */
export function verifyUdpCr(m: UdpCrMessage, username: string, password: string): boolean {
  if (m.un.raw !== username && m.un.decoded !== username) return false;
  const given = Buffer.from(m.sig, 'latin1');
  const cns = m.cn.raw === m.cn.decoded ? [m.cn.raw] : [m.cn.raw, m.cn.decoded];
  let ok = false;
  for (const cn of cns) {
    const want = Buffer.from(udpCrSignature(password, m.ts, m.id, username, cn), 'latin1');
    if (timingSafeEqual(want, given)) ok = true;
  }
  return ok;
}

/** Fields of {@link buildUdpCr}. */
export interface UdpCrFields {
  /** Host and port written into the Request-URI and Host header (the CPE's UDPConnectionRequestAddress). */
  host: string;
  port: number;
  username: string;
  password: string;
  /** Unix seconds (default now). */
  ts?: number;
  /** Message id (default a random unsigned 32-bit integer). */
  id?: string | number;
  /** cnonce (default 16 random hex digits). */
  cn?: string;
}

/**
 * The datagram GenieACS sends (lib/connection-request.ts): `GET http://host:port?ts=…&id=…&un=…&cn=…&sig=… HTTP/1.1`,
 * a Host header and an empty line; `un` written as is, `sig` lower-case hex.
 */
export function buildUdpCr(f: UdpCrFields): Buffer {
  const ts = String(f.ts ?? Math.trunc(Date.now() / 1000));
  const id = String(f.id ?? randomInt(0, 4294967295));
  const cn = f.cn ?? randomBytes(8).toString('hex');
  const sig = udpCrSignature(f.password, ts, id, f.username, cn);
  const authority = `${f.host.includes(':') ? `[${f.host}]` : f.host}:${f.port}`;
  return Buffer.from(`GET http://${authority}?ts=${ts}&id=${id}&un=${f.username}&cn=${cn}&sig=${sig} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
}
