import Mechanism from 'sasl-scram-sha-1';
import { describe, expect, it } from 'vitest';
import { pickMechanism } from '../../src/xmpp/agent.js';
import { FAST_SCRAM, FastScram, scramHi } from '../../src/xmpp/scram.js';

// RFC 5802 §5: the SCRAM-SHA-1 exchange for user "user", password "pencil".
const CLIENT_NONCE = 'fyko+d2lbbFgONRv9qkxdawL';
const SERVER_FIRST = 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096';
const CLIENT_FINAL = 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=';

describe('SCRAM-SHA-1 with native PBKDF2', () => {
  it('Hi() is PBKDF2-HMAC-SHA1 (RFC 6070 vector 2)', async () => {
    const out = await scramHi('password', new TextEncoder().encode('salt'), 2);
    expect(Buffer.from(out).toString('hex')).toBe('ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957');
  });

  it('produces the RFC 5802 §5 client-final message', async () => {
    // The library's constructor takes { genNonce } (not in our declaration of it).
    const mech = new (FastScram as unknown as new (o: { genNonce: () => string }) => Mechanism)({ genNonce: () => CLIENT_NONCE });
    expect(mech.name).toBe('SCRAM-SHA-1');
    expect(await mech.response({ username: 'user', password: 'pencil' })).toBe(`n,,n=user,r=${CLIENT_NONCE}`);
    mech.challenge(SERVER_FIRST);
    expect(await mech.response({ username: 'user', password: 'pencil' })).toBe(CLIENT_FINAL);
  });

  it('refuses a server-first message without a usable iteration count', async () => {
    const mech = new FastScram();
    await mech.response({ username: 'user', password: 'pencil' });
    mech.challenge('r=abc,s=QSXCR+Q6sek8bf92');
    await expect(mech.response({ username: 'user', password: 'pencil' })).rejects.toThrow(/iteration count/);
  });

  it('picks our SCRAM when offered, never PLAIN in the clear', () => {
    expect(pickMechanism(['PLAIN', 'SCRAM-SHA-1'], false)).toBe(FAST_SCRAM);
    expect(pickMechanism(['PLAIN', 'ANONYMOUS'], false)).toBe('ANONYMOUS');
    expect(pickMechanism(['PLAIN'], true)).toBe('PLAIN');
    expect(pickMechanism(['PLAIN'], false)).toBe('');
  });
});
