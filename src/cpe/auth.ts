/**
 * CPE→ACS HTTP authentication for one session (TR-069 §3.4.4–3.4.5): the ACS picks
 * Basic or Digest by its challenge; once challenged the CPE keeps sending
 * `Authorization` on every later POST of the session (Digest: same nonce,
 * incrementing nc, one cnonce per connection). Digest supports MD5 and MD5-sess
 * with qop=auth, and the RFC 2069 form when the challenge offers no qop.
 * @module
 */
import {
  digestHa1,
  digestResponse,
  md5Hex,
  newCnonce,
  formatNc,
  formatBasicAuthorization,
  parseAuthHeader,
  quote,
  toDigestChallenge,
  AuthHeaderError,
} from '../httpauth/index.js';
import type { DigestChallenge } from '../httpauth/index.js';

/** Username and password the CPE presents to the ACS. */
export interface AcsCredentials {
  username: string;
  password: string;
}

/** Why a challenge could not be answered (the session fails with this message). */
export class AcsAuthError extends Error {
  override name = 'AcsAuthError';
}

type Scheme = { kind: 'basic' } | { kind: 'digest'; challenge: DigestChallenge; nc: number; cnonce: string };

/** Authentication state of one session. */
export class SessionAuth {
  private scheme: Scheme | undefined;
  private readonly uri: string;
  private readonly credentials: () => AcsCredentials | undefined;

  /**
   * @param uri request-target of the ACS URL (path + query), the Digest `uri`.
   * @param credentials read lazily: only a challenged session needs them.
   */
  constructor(uri: string, credentials: () => AcsCredentials | undefined) {
    this.uri = uri;
    this.credentials = credentials;
  }

  /** True once a challenge was accepted for answering. */
  get active(): boolean {
    return this.scheme !== undefined;
  }

  /** Scheme in use, for the transcript. */
  get schemeName(): 'basic' | 'digest' | undefined {
    return this.scheme?.kind;
  }

  /**
   * Takes the `WWW-Authenticate` values of a 401 and prepares to answer them.
   * Prefers Digest over Basic when both are offered.
   * @throws AcsAuthError when no credentials are configured or no challenge is usable.
   */
  challenge(values: readonly string[]): void {
    const creds = this.credentials();
    if (!creds) throw new AcsAuthError('ACS demanded HTTP authentication (401) but no ACS username is configured');
    let basic = false;
    let digest: DigestChallenge | undefined;
    const problems: string[] = [];
    for (const v of values) {
      try {
        const h = parseAuthHeader(v);
        if (h.scheme === 'basic') basic = true;
        else if (h.scheme === 'digest') {
          const c = toDigestChallenge(h);
          if (!c) problems.push('Digest challenge without realm or nonce');
          else if (!/^md5(-sess)?$/i.test(c.algorithm)) problems.push(`Digest algorithm ${c.algorithm} is not supported (MD5, MD5-sess)`);
          else if (c.qop.length > 0 && !c.qop.includes('auth')) problems.push(`Digest qop ${c.qop.join(',')} is not supported (auth)`);
          else digest ??= c;
        } else problems.push(`unsupported auth scheme ${h.scheme}`);
      } catch (err) {
        problems.push(err instanceof AuthHeaderError ? `unparsable WWW-Authenticate (${err.message})` : String(err));
      }
    }
    if (digest) {
      // RFC 7616 §3.4: nc restarts at 1 for each new nonce; one cnonce per connection/session.
      const cnonce = this.scheme?.kind === 'digest' ? this.scheme.cnonce : newCnonce();
      this.scheme = { kind: 'digest', challenge: digest, nc: 0, cnonce };
    } else if (basic) this.scheme = { kind: 'basic' };
    else throw new AcsAuthError(values.length === 0 ? 'ACS answered 401 without WWW-Authenticate' : `cannot answer the ACS challenge: ${problems.join('; ')}`);
  }

  /** The `Authorization` header for the next POST, or undefined before any challenge. */
  authorization(method = 'POST'): string | undefined {
    const s = this.scheme;
    const creds = this.credentials();
    if (!s || !creds) return undefined;
    if (s.kind === 'basic') return formatBasicAuthorization(creds.username, creds.password);
    s.nc += 1;
    return digestAuthorization(s.challenge, creds, method, this.uri, s.nc, s.cnonce);
  }
}

/** Builds a Digest `Authorization` value (RFC 7616 §3.4; RFC 2617 §3.2.2 for MD5-sess and no-qop). */
export function digestAuthorization(c: DigestChallenge, creds: AcsCredentials, method: string, uri: string, nc: number, cnonce: string): string {
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
