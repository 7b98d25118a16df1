/**
 * The fake ACS as an HTTP authentication server towards CPEs (TR-069 §3.4.4):
 * Basic (RFC 7617) or Digest (RFC 7616, MD5, qop=auth) with nonces bound to the TCP
 * connection by default and strictly increasing `nc` per nonce, so a CPE's ACS-auth
 * code is actually exercised.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  AuthHeaderError,
  digestResponse,
  parseAuthHeader,
  parseBasicCredentials,
  quote,
  type AuthHeader,
  readDigestCredentials,
  safeEqual,
} from '../httpauth/index.js';
import type { AcsAuthOptions } from './types.js';

/** Outcome of checking one request. */
export type AuthOutcome = { ok: true; username: string } | { ok: false; challenge: string; reason: string };

interface NonceState {
  created: number;
  connectionId: number | undefined;
  lastNc: number;
}

const MAX_NONCES = 10_000;


/** Server side of CPE→ACS authentication. */
export class AcsAuthenticator {
  private readonly nonces = new Map<string, NonceState>();
  private readonly opaque = randomBytes(12).toString('hex');
  readonly realm: string;
  private readonly scope: 'connection' | 'any';
  private readonly lifetimeMs: number;

  constructor(
    private readonly opts: AcsAuthOptions,
    private readonly now: () => number,
  ) {
    this.realm = opts.realm ?? 'cpe-sim-acs';
    this.scope = opts.nonceScope ?? 'connection';
    this.lifetimeMs = opts.nonceLifetimeMs ?? 300_000;
  }

  /** A fresh challenge; for Digest the nonce is remembered for `connectionId`. */
  challenge(connectionId: number | undefined, stale = false): string {
    if (this.opts.scheme === 'basic') return `Basic realm=${quote(this.realm)}, charset="UTF-8"`;
    const nonce = randomBytes(16).toString('hex');
    if (this.nonces.size >= MAX_NONCES) {
      // Map iteration is insertion order: drop the oldest.
      const oldest = this.nonces.keys().next().value;
      if (oldest !== undefined) this.nonces.delete(oldest);
    }
    this.nonces.set(nonce, { created: this.now(), connectionId, lastNc: 0 });
    // RFC 7616 §3.3: realm, nonce, opaque, qop quoted; algorithm and stale are tokens.
    return `Digest realm=${quote(this.realm)}, qop="auth", algorithm=MD5, nonce=${quote(nonce)}, opaque=${quote(this.opaque)}${stale ? ', stale=true' : ''}`;
  }

  /**
   * Checks the `Authorization` header of a request.
   * @param target request-target as sent (path + query): the Digest `uri` must equal it (RFC 7616 §3.4.6).
   */
  check(authorization: string | undefined, method: string, target: string, connectionId: number | undefined): AuthOutcome {
    const fail = (reason: string, stale = false): AuthOutcome => ({ ok: false, reason, challenge: this.challenge(connectionId, stale) });
    if (authorization === undefined || authorization === '') return fail('no Authorization header');
    let h: AuthHeader;
    try {
      h = parseAuthHeader(authorization);
    } catch (e) {
      return fail(`unparsable Authorization header: ${e instanceof AuthHeaderError ? e.message : String(e)}`);
    }
    if (this.opts.scheme === 'basic') {
      if (h.scheme !== 'basic' || h.token68 === undefined) return fail(`expected Basic credentials, got scheme ${h.scheme}`);
      const c = parseBasicCredentials(h.token68);
      if (!c) return fail('malformed Basic credentials');
      if (!safeEqual(c.username, this.opts.username) || !safeEqual(c.password, this.opts.password)) {
        return fail(`wrong Basic credentials for user ${JSON.stringify(c.username)}`);
      }
      return { ok: true, username: c.username };
    }
    if (h.scheme !== 'digest') return fail(`expected Digest credentials, got scheme ${h.scheme}`);
    const read = readDigestCredentials(h);
    if (!read.ok) return fail(read.detail);
    const { username, realm, nonce, uri, response, cnonce, nc: ncRaw, opaque } = read.credentials;
    if (realm !== this.realm) return fail(`Digest realm ${JSON.stringify(realm)} is not ${JSON.stringify(this.realm)}`);
    if (uri !== target) return fail(`Digest uri ${JSON.stringify(uri)} does not match the request-target ${JSON.stringify(target)}`);
    if (opaque !== this.opaque) return fail('Digest opaque missing or not echoed');
    if (username !== this.opts.username) return fail(`unknown Digest user ${JSON.stringify(username)}`);
    const expected = digestResponse({ username, realm, password: this.opts.password, method, uri, nonce, nc: ncRaw.toLowerCase(), cnonce, qop: 'auth' });
    if (!safeEqual(expected, response.toLowerCase())) return fail(`wrong Digest response for user ${JSON.stringify(username)}`);
    // The digest is right: any nonce problem now is "stale" (RFC 7616 §3.3), the client may retry without new credentials.
    const st = this.nonces.get(nonce);
    if (!st) return fail('unknown Digest nonce', true);
    if (this.now() - st.created > this.lifetimeMs) {
      this.nonces.delete(nonce);
      return fail('expired Digest nonce', true);
    }
    if (this.scope === 'connection' && st.connectionId !== undefined && connectionId !== undefined && st.connectionId !== connectionId) {
      return fail('Digest nonce was issued on another TCP connection', true);
    }
    const nc = parseInt(ncRaw, 16);
    // RFC 7616 §3.4: nc counts requests with this nonce; a repeated or lower value is a replay.
    if (nc <= st.lastNc) return fail(`Digest nc ${ncRaw} replayed (last seen ${st.lastNc.toString(16).padStart(8, '0')})`);
    st.lastNc = nc;
    return { ok: true, username };
  }
}
