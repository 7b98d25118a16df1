/**
 * CPE→ACS HTTP authentication for one session (TR-069 §3.4.4–3.4.5): the ACS picks
 * Basic or Digest by its challenge; once challenged the CPE keeps sending
 * `Authorization` on every later POST of the session (Digest: same nonce,
 * incrementing nc, one cnonce per connection). Digest supports MD5 and MD5-sess
 * with qop=auth, and the RFC 2069 form when the challenge offers no qop.
 * @module
 */
import {
  digestAuthorization,
  newCnonce,
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

// Moved to httpauth/ (the transfer client answers file-server challenges with it too).
export { digestAuthorization } from '../httpauth/index.js';
