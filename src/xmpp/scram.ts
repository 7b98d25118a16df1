/**
 * SCRAM-SHA-1 (RFC 5802) for the CPEs' XMPP logins, with the salted password computed
 * by node:crypto's PBKDF2 in one native call.
 *
 * `sasl-scram-sha-1` (what `@xmpp/client` registers) computes Hi() as one WebCrypto
 * `importKey` + `sign` round trip per iteration: Prosody asks for 10,000 iterations, so
 * each login queued ~20,000 async crypto jobs and a fleet logged in ~1.5 CPEs/s on two
 * cores (docs/xmpp.md, "Memory and login rate"). The mechanism itself has a documented
 * shortcut: credentials that carry the server's `salt` and the `saltedPassword` skip its
 * Hi(). This subclass fills those two in once the server's challenge is known, and
 * leaves every other step (nonces, proof, server signature) to the library.
 * @module
 */
import { pbkdf2 } from 'node:crypto';
// CommonJS and small: a static import works from both builds (and from Jest's sandbox).
import Mechanism, { type ScramCredentials } from 'sasl-scram-sha-1';

/** The name `@xmpp/client`'s SASL factory knows our mechanism by (the wire name stays SCRAM-SHA-1). */
export const FAST_SCRAM = 'CPESIM-SCRAM-SHA-1';

/** SCRAM-SHA-1's Hi(password, salt, i) = PBKDF2-HMAC-SHA1 with a 20-byte output (RFC 5802 §2.2). */
export function scramHi(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, 20, 'sha1', (err, key) => (err ? reject(err) : resolve(new Uint8Array(key))));
  });
}

/** The library's mechanism with Hi() done natively (see the module comment). */
export class FastScram extends Mechanism {
  override async response(cred: ScramCredentials): Promise<string> {
    if (this._stage !== 'challenge') return super.response(cred);
    // RFC 5802 §5.1: a server must send i ≥ 1; the library would loop forever on NaN.
    if (!Number.isInteger(this._iterationCount) || this._iterationCount < 1) throw new Error(`SCRAM: bad iteration count ${String(this._iterationCount)} from the server`);
    const saltedPassword = await scramHi(cred.password, this._salt, this._iterationCount);
    return super.response({ ...cred, salt: this._salt, saltedPassword });
  }
}
