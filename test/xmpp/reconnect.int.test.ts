import { describe, expect, it } from 'vitest';
import { CrThrottle } from '../../src/cr/index.js';
import { XmppAgent } from '../../src/xmpp/index.js';
import { freePort } from '../support/servers/common.js';
import { prosodyMissing, startProsody } from '../support/servers/prosody.js';

describe.skipIf(prosodyMissing !== undefined)(`XMPP session reconnects with back-off${prosodyMissing ? ` (skipped: ${prosodyMissing})` : ''}`, () => {
  it('keeps trying while the server is down, comes online when it appears, and again after it restarted', async () => {
    const port = await freePort();
    const users = { 'cpe-1': 'pw' };
    const throttle = new CrThrottle(0);
    const agent = new XmppAgent({
      cpeId: 'cpe-1',
      service: `xmpp://127.0.0.1:${port}`,
      domain: 'localhost',
      username: 'cpe-1',
      password: 'pw',
      resource: 'cwmp',
      credentials: () => ({ username: 'u', password: 'p' }),
      allowedJabberIds: () => '',
      admit: () => throttle.admit(Date.now()).ok,
      onRequest: () => undefined,
      backoff: { initialMs: 200, maxMs: 800 },
    });
    try {
      agent.start();
      await new Promise((r) => setTimeout(r, 600)); // a few refused attempts
      expect(agent.status).not.toBe('online');
      const first = await startProsody({ users, port });
      try {
        await agent.whenOnline(15_000).catch((e: Error) => {
          throw new Error(`${e.message}\nProsody log:\n${first.log()}`);
        });
      } finally {
        await first.stop();
      }
      await expect.poll(() => agent.status, { timeout: 5000 }).not.toBe('online');
      await using second = await startProsody({ users, port });
      await agent.whenOnline(15_000).catch((e: Error) => {
        throw new Error(`${e.message}\nProsody log:\n${second.log()}`);
      });
      expect(agent.jid).toBe('cpe-1@localhost/cwmp');
    } finally {
      await agent.close();
    }
  }, 60_000);
});
