import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { StunTransactions } from '../../src/stun/index.js';
import { coturnForSuite, coturnMissing } from '../support/servers/coturn.js';

describe.skipIf(coturnMissing !== undefined)(`STUN client against a real coturn${coturnMissing ? ` (skipped: ${coturnMissing})` : ''}`, () => {
  const coturn = coturnForSuite();

  it('learns the mapped address of the socket it sends from, with the TR-111 attributes and credentials coturn ignores', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind({ address: '127.0.0.1', port: 0 }, r));
    const tx = new StunTransactions((m, p, h) => new Promise((res, rej) => sock.send(m, p, h, (e) => (e ? rej(e) : res()))));
    sock.on('message', (m, r) => tx.handle(m, r));
    try {
      const m = await tx.request('127.0.0.1', coturn().port, { username: 'cpe-1', password: 'pw', bindingChange: true });
      expect(m).toEqual({ address: '127.0.0.1', port: sock.address().port });
    } catch (err) {
      throw new Error(`${(err as Error).message}\ncoturn log:\n${coturn().log()}`);
    } finally {
      tx.close();
      sock.close();
    }
  });

  it('times out (rejects) when nothing answers', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind({ address: '127.0.0.1', port: 0 }, r));
    const tx = new StunTransactions((m, p, h) => new Promise((res) => sock.send(m, p, h, () => res())), { retransmitMs: [20, 20] });
    await expect(tx.request('127.0.0.1', 9, {})).rejects.toMatchObject({ code: 'CPESIM_STUN_TIMEOUT' });
    tx.close();
    sock.close();
  });
});
