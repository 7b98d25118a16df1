/**
 * Connection Request authentication: the pure decision for one request given the
 * endpoint's scheme, realm and current credentials. No sockets, no clock (time lives
 * in the {@link NonceStore}). The listener turns the outcome into a response.
 * @module
 */
import {
  AuthHeaderError,
  digestResponse,
  digestRspauth,
  parseAuthHeader,
  parseBasicCredentials,
  quote,
  type AuthHeader,
  type DigestInput,
  readDigestCredentials,
  safeEqual,
} from '../httpauth/index.js';
import type { NonceStore } from './nonce.js';
import type { CrAuthScheme } from './types.js';

/** Inputs of {@link authorizeCr}. */
export interface CrAuthRequest {
  scheme: CrAuthScheme;
  realm: string;
  /** Read fresh per request from the endpoint. */
  credentials: { username: string; password: string };
  /** The `Authorization` header(s), if any. More than one is malformed (RFC 7235 §4.2 allows one). */
  authorization: string | readonly string[] | undefined;
  method: string;
  /** The raw request-target, exactly as on the request line (RFC 7616 §3.4.6). */
  target: string;
  /** The endpoint's nonce store (digest only). */
  nonces: NonceStore | undefined;
}

/** Why a request was refused; `detail` is a short machine-friendly word for logs. */
export type CrAuthOutcome =
  | { ok: true; authenticationInfo?: string }
  | {
      ok: false;
      status: 401;
      reason: 'unauthorized' | 'stale' | 'replay' | 'not-populated';
      detail: string;
      /** `WWW-Authenticate` value; undefined = send none (fail closed). */
      challenge: string | undefined;
    }
  | { ok: false; status: 400; reason: 'bad-request'; detail: string };

/** `WWW-Authenticate` for Basic (RFC 7617 §2), exactly as the seed shows it. */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}

/**
 * `WWW-Authenticate` for Digest (RFC 7616 §3.3): MD5 + qop=auth only, `algorithm` and
 * `stale` unquoted, `qop` quoted.
 */
export function digestChallenge(realm: string, nonce: string, stale = false): string {
  return `Digest realm=${quote(realm)}, nonce=${quote(nonce)}, qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`;
}

/** Re-exported for the listener's callers; the implementation lives in httpauth. */
export { safeEqual };

/**
 * Decides one request. Order inside Digest: parse → algorithm/qop supported → all
 * parameters present → `uri` equals the request-target (else 400) → realm → username
 * and response (constant time) → nonce freshness (`stale=true` only now, so only
 * clients with correct credentials learn a nonce expired, as in Apache) → nc replay.
 */
export function authorizeCr(req: CrAuthRequest): CrAuthOutcome {
  if (req.scheme === '') return { ok: true };
  const { username, password } = req.credentials;
  // Seed: "Empty username = credentials not populated yet; the listener fails closed
  // without writing a challenge."
  if (username === '') return { ok: false, status: 401, reason: 'not-populated', detail: 'not-populated', challenge: undefined };
  return req.scheme === 'basic' ? authorizeBasic(req, username, password) : authorizeDigest(req, username, password);
}

function parse(value: string | readonly string[] | undefined): AuthHeader | string {
  if (value === undefined || value.length === 0) return 'no-credentials';
  if (typeof value !== 'string') {
    if (value.length > 1) return 'duplicate-header';
    value = value[0]!;
  }
  try {
    return parseAuthHeader(value);
  } catch (e) {
    if (e instanceof AuthHeaderError) return 'malformed';
    throw e;
  }
}

function authorizeBasic(req: CrAuthRequest, username: string, password: string): CrAuthOutcome {
  const fail = (detail: string): CrAuthOutcome => ({ ok: false, status: 401, reason: 'unauthorized', detail, challenge: basicChallenge(req.realm) });
  const h = parse(req.authorization);
  if (typeof h === 'string') return fail(h);
  if (h.scheme !== 'basic') return fail('wrong-scheme');
  const creds = h.token68 !== undefined ? parseBasicCredentials(h.token68) : undefined;
  if (!creds) return fail('malformed');
  // RFC 7617 + issue: constant time on both fields, no short-circuit.
  const userOk = safeEqual(creds.username, username);
  const passOk = safeEqual(creds.password, password);
  return userOk && passOk ? { ok: true } : fail('wrong-credentials');
}

function authorizeDigest(req: CrAuthRequest, username: string, password: string): CrAuthOutcome {
  const store = req.nonces;
  if (!store) throw new Error('digest endpoint without a nonce store');
  const fail = (detail: string, reason: 'unauthorized' | 'stale' | 'replay' = 'unauthorized'): CrAuthOutcome => ({
    ok: false,
    status: 401,
    reason,
    detail,
    challenge: digestChallenge(req.realm, store.issue(), reason === 'stale'),
  });
  const h = parse(req.authorization);
  if (typeof h === 'string') return fail(h);
  if (h.scheme !== 'digest') return fail('wrong-scheme');
  // Seed: "MD5-sess and SHA-256 are out of scope"; qop=auth only (RFC 7616 §3.4).
  const read = readDigestCredentials(h);
  if (!read.ok) return fail(read.problem);
  const { username: user, realm, nonce, uri, response, cnonce, nc } = read.credentials;
  // RFC 7616 §3.4.6: the uri must name the request-target; "if they do not match,
  // the server SHOULD return a 400 Bad Request".
  if (uri !== req.target) return { ok: false, status: 400, reason: 'bad-request', detail: 'uri-mismatch' };
  if (realm !== req.realm) return fail('wrong-realm');
  const input: DigestInput = { username, realm: req.realm, password, method: req.method, uri, nonce, nc, cnonce, qop: 'auth' };
  const expected = digestResponse(input);
  const userOk = safeEqual(user, username);
  const responseOk = safeEqual(response, expected);
  if (!(userOk && responseOk)) return fail('wrong-credentials');
  const v = store.use(nonce, parseInt(nc, 16));
  if (!v.ok) return fail(v.why, v.reason);
  // RFC 7616 §3.5: Authentication-Info lets the client authenticate us.
  const rspauth = digestRspauth(input);
  return { ok: true, authenticationInfo: `qop=auth, rspauth=${quote(rspauth)}, cnonce=${quote(cnonce)}, nc=${nc}` };
}
