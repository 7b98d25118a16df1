/**
 * HTTP authentication primitives shared by both sides of the wire: the CR listener
 * (server), the CPE's ACS client (client) and the fake ACS (server to CPEs, client
 * for Connection Requests). Pure: no sockets, no timers. Digest per RFC 7616 (MD5,
 * qop=auth), Basic per RFC 7617.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Lower-case hex MD5 of a UTF-8 string. */
export function md5Hex(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** A parsed `Authorization` or `WWW-Authenticate` value (one challenge/credentials). */
export interface AuthHeader {
  /** Scheme, lower-cased (`digest`, `basic`). */
  scheme: string;
  /** auth-params, keys lower-cased, values unquoted. */
  params: Map<string, string>;
  /** token68 form (Basic credentials). */
  token68?: string;
}

/** Why a header could not be parsed; the listener treats every one as "no credentials". */
export class AuthHeaderError extends Error {
  override name = 'AuthHeaderError';
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses one credentials/challenge header. Strict where ambiguity could be abused:
 * duplicate parameters, unterminated quotes and junk between parameters are errors
 * (RFC 7235 §2.1; RFC 7616 §3.4 says each parameter appears at most once). Accepts
 * quoted or unquoted values for every parameter, because real clients disagree.
 * @throws AuthHeaderError
 */
export function parseAuthHeader(value: string): AuthHeader {
  let i = 0;
  const s = value;
  const skipWs = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  skipWs();
  const start = i;
  while (i < s.length && TOKEN.test(s[i]!)) i++;
  if (i === start) throw new AuthHeaderError('missing auth scheme');
  const scheme = s.slice(start, i).toLowerCase();
  const params = new Map<string, string>();
  skipWs();
  if (i >= s.length) return { scheme, params };
  // token68 (Basic): the rest is one token of base64-ish characters, optional '=' padding.
  const rest = s.slice(i);
  if (/^[A-Za-z0-9\-._~+/]+=*\s*$/.test(rest) && !/^[A-Za-z0-9\-._~+/]+=[^=\s]/.test(rest)) {
    return { scheme, params, token68: rest.trim() };
  }
  for (;;) {
    skipWs();
    const ks = i;
    while (i < s.length && TOKEN.test(s[i]!)) i++;
    if (i === ks) throw new AuthHeaderError(`expected a parameter name at offset ${i}`);
    const key = s.slice(ks, i).toLowerCase();
    skipWs();
    if (s[i] !== '=') throw new AuthHeaderError(`expected '=' after ${key}`);
    i++;
    skipWs();
    let val = '';
    if (s[i] === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i]!;
        if (c === '\\' && i + 1 < s.length) {
          val += s[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        val += c;
        i++;
      }
      if (!closed) throw new AuthHeaderError(`unterminated quoted value for ${key}`);
    } else {
      const vs = i;
      while (i < s.length && TOKEN.test(s[i]!)) i++;
      val = s.slice(vs, i);
    }
    if (params.has(key)) throw new AuthHeaderError(`duplicate parameter ${key}`);
    params.set(key, val);
    skipWs();
    if (i >= s.length) break;
    if (s[i] !== ',') throw new AuthHeaderError(`expected ',' at offset ${i}`);
    i++;
    skipWs();
    if (i >= s.length) break; // tolerate a trailing comma
  }
  return { scheme, params };
}

/** Quotes a value as an RFC 7230 quoted-string. */
export function quote(v: string): string {
  return `"${v.replace(/(["\\])/g, '\\$1')}"`;
}

/** Inputs of the RFC 7616 response computation (MD5, qop=auth). */
export interface DigestInput {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  /** 8 hex digits, e.g. `00000001`. */
  nc: string;
  cnonce: string;
  qop: 'auth';
}

/** HA1 = MD5(username:realm:password) (RFC 7616 §3.4.2, algorithm MD5). */
export function digestHa1(username: string, realm: string, password: string): string {
  return md5Hex(`${username}:${realm}:${password}`);
}

/** The `response` value (RFC 7616 §3.4.1), MD5, qop=auth. */
export function digestResponse(d: DigestInput, ha1 = digestHa1(d.username, d.realm, d.password)): string {
  const ha2 = md5Hex(`${d.method}:${d.uri}`);
  return md5Hex(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`);
}

/** The `rspauth` of Authentication-Info (RFC 7616 §3.5): HA2 with an empty method. */
export function digestRspauth(d: DigestInput, ha1 = digestHa1(d.username, d.realm, d.password)): string {
  const ha2 = md5Hex(`:${d.uri}`);
  return md5Hex(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`);
}

/** A Digest challenge as a client sees it. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop: string[];
  algorithm: string;
  opaque?: string;
  stale: boolean;
}

/** Reads a Digest challenge from a parsed `WWW-Authenticate`, or undefined when it is not one. */
export function toDigestChallenge(h: AuthHeader): DigestChallenge | undefined {
  if (h.scheme !== 'digest') return undefined;
  const realm = h.params.get('realm');
  const nonce = h.params.get('nonce');
  if (realm === undefined || nonce === undefined) return undefined;
  const opaque = h.params.get('opaque');
  return {
    realm,
    nonce,
    qop: (h.params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter(Boolean),
    algorithm: h.params.get('algorithm') ?? 'MD5',
    ...(opaque !== undefined ? { opaque } : {}),
    stale: (h.params.get('stale') ?? '').toLowerCase() === 'true',
  };
}

/** A fresh client nonce: 16 random bytes, hex. */
export function newCnonce(): string {
  return randomBytes(16).toString('hex');
}

/** Formats nc as the 8 lower-case hex digits RFC 7616 requires. */
export function formatNc(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * Builds a Digest `Authorization` value answering `challenge` (MD5, qop=auth).
 * `algorithm`, `qop` and `nc` are unquoted, the rest quoted (RFC 7616 §3.4).
 */
export function formatDigestAuthorization(args: {
  challenge: DigestChallenge;
  username: string;
  password: string;
  method: string;
  uri: string;
  nc: number;
  cnonce: string;
}): string {
  const { challenge: c } = args;
  const nc = formatNc(args.nc);
  const response = digestResponse({
    username: args.username,
    realm: c.realm,
    password: args.password,
    method: args.method,
    uri: args.uri,
    nonce: c.nonce,
    nc,
    cnonce: args.cnonce,
    qop: 'auth',
  });
  const parts = [
    `username=${quote(args.username)}`,
    `realm=${quote(c.realm)}`,
    `nonce=${quote(c.nonce)}`,
    `uri=${quote(args.uri)}`,
    `algorithm=MD5`,
    `qop=auth`,
    `nc=${nc}`,
    `cnonce=${quote(args.cnonce)}`,
    `response=${quote(response)}`,
  ];
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

/** `Basic base64(user:pass)` (RFC 7617 §2, UTF-8). */
export function formatBasicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Decodes Basic credentials; undefined when the token is not canonical base64 or has
 * no colon (RFC 7617 §2: the first colon separates user-id and password).
 */
export function parseBasicCredentials(token68: string): { username: string; password: string } | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(token68) || token68.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(token68, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Constant-time string comparison that does not leak length: both sides are hashed
 * to equal-length SHA-256 digests before `timingSafeEqual` (issue 3, RFC 7617 §4).
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Digest credentials as a server reads them (MD5, qop=auth), before any check against its state. */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  cnonce: string;
  /** Exactly 8 hex digits, as sent. */
  nc: string;
  opaque?: string;
}

/** Why Digest credentials are unusable before any server state is consulted. */
export type DigestCredentialsProblem =
  | 'unsupported-algorithm'
  | 'no-qop'
  | 'unsupported-qop'
  | 'unsupported-userhash'
  | 'missing-parameter'
  | 'malformed-nc';

/**
 * Reads the Digest parameters a server needs and applies the checks that depend on
 * nothing but the header: MD5 only (absent = MD5, RFC 7616 §3.3), qop mandatory and
 * `auth` (RFC 7616 §3.4; the RFC 2069 form is refused), no userhash, every parameter
 * present, nc exactly 8 hex digits. Server policy (realm, uri, nonce, nc replay,
 * opaque) stays with the caller.
 */
export function readDigestCredentials(
  h: AuthHeader,
): { ok: true; credentials: DigestCredentials } | { ok: false; problem: DigestCredentialsProblem; detail: string } {
  const p = h.params;
  const bad = (problem: DigestCredentialsProblem, detail: string) => ({ ok: false as const, problem, detail });
  const algorithm = p.get('algorithm') ?? 'MD5';
  if (algorithm.toUpperCase() !== 'MD5') return bad('unsupported-algorithm', `unsupported Digest algorithm ${algorithm} (only MD5 is offered)`);
  const qop = p.get('qop');
  if (qop === undefined) return bad('no-qop', 'Digest credentials without qop (RFC 2069 form) are refused');
  if (qop.toLowerCase() !== 'auth') return bad('unsupported-qop', `Digest qop must be auth, got ${qop}`);
  if ((p.get('userhash') ?? 'false').toLowerCase() !== 'false') return bad('unsupported-userhash', 'Digest userhash is not supported');
  const username = p.get('username');
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  const cnonce = p.get('cnonce');
  const nc = p.get('nc');
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined || cnonce === undefined || nc === undefined) {
    return bad('missing-parameter', 'Digest credentials lack one of username, realm, nonce, uri, response, cnonce, nc');
  }
  if (!/^[0-9a-fA-F]{8}$/.test(nc)) return bad('malformed-nc', `Digest nc must be 8 hex digits, got ${nc}`);
  const opaque = p.get('opaque');
  return { ok: true, credentials: { username, realm, nonce, uri, response, cnonce, nc, ...(opaque !== undefined ? { opaque } : {}) } };
}

/** Builds a Digest `Authorization` value (RFC 7616 §3.4; RFC 2617 §3.2.2 for MD5-sess and no-qop). */
export function digestAuthorization(c: DigestChallenge, creds: { username: string; password: string }, method: string, uri: string, nc: number, cnonce: string): string {
  const sess = /-sess$/i.test(c.algorithm);
  let ha1 = digestHa1(creds.username, c.realm, creds.password);
  // RFC 7616 §3.4.2: MD5-sess HA1 = H(H(user:realm:pass):nonce:cnonce)
  if (sess) ha1 = md5Hex(`${ha1}:${c.nonce}:${cnonce}`);
  const parts = [`username=${quote(creds.username)}`, `realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`, `uri=${quote(uri)}`];
  if (c.qop.length === 0) {
    // RFC 2069 compatibility: response = H(HA1:nonce:HA2), no qop/nc/cnonce.
    const response = md5Hex(`${ha1}:${c.nonce}:${md5Hex(`${method}:${uri}`)}`);
    parts.push(`response=${quote(response)}`);
  } else {
    const ncs = formatNc(nc);
    const response = digestResponse({ username: creds.username, realm: c.realm, password: creds.password, method, uri, nonce: c.nonce, nc: ncs, cnonce, qop: 'auth' }, ha1);
    parts.push(`algorithm=${sess ? 'MD5-sess' : 'MD5'}`, 'qop=auth', `nc=${ncs}`, `cnonce=${quote(cnonce)}`, `response=${quote(response)}`);
  }
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}
