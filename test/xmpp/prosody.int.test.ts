import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrThrottle } from '../../src/cr/index.js';
import { XmppAgent, XmppCrSender, type XmppCrEvent } from '../../src/xmpp/index.js';
import { prosodyMissing, startProsody, type StartedProsody } from '../support/servers/prosody.js';

describe.skipIf(prosodyMissing !== undefined)(`XMPP Connection Request (Annex K) through a real Prosody${prosodyMissing ? ` (skipped: ${prosodyMissing})` : ''}`, () => {
  let prosody: StartedProsody;
  let acs: XmppCrSender;
  let evil: XmppCrSender;
  let agent: XmppAgent;
  const events: XmppCrEvent[] = [];
  let woken = 0;
  let clock = 1_000_000;
  const throttle = new CrThrottle(5000);

  beforeAll(async () => {
    prosody = await startProsody({ users: { 'cpe-1': 'cpe-pw', acs: 'acs-pw', evil: 'evil-pw' } });
    agent = new XmppAgent({
      cpeId: 'cpe-1',
      service: prosody.service,
      domain: prosody.domain,
      username: 'cpe-1',
      password: 'cpe-pw',
      resource: 'cwmp',
      credentials: () => ({ username: 'cr-user', password: 'cr-pass' }),
      allowedJabberIds: () => `acs@${prosody.domain}`,
      admit: () => throttle.admit(clock).ok,
      onRequest: () => void woken++,
      onEvent: (e) => events.push(e),
    });
    agent.start();
    await agent.whenOnline(15_000).catch((err: Error) => {
      throw new Error(`${err.message}\nProsody log:\n${prosody.log()}`);
    });
    acs = new XmppCrSender({ service: prosody.service, domain: prosody.domain, username: 'acs', password: 'acs-pw' });
    evil = new XmppCrSender({ service: prosody.service, domain: prosody.domain, username: 'evil', password: 'evil-pw' });
  }, 40_000);
  afterAll(async () => {
    await agent?.close();
    await acs?.close();
    await evil?.close();
    await prosody?.stop();
  });

  it('logs in as the configured JID and answers a valid connectionRequest with a result IQ', async () => {
    expect(agent.jid).toBe(`cpe-1@${prosody.domain}/cwmp`);
    const r = await acs.send(agent.jid!, { username: 'cr-user', password: 'cr-pass' });
    expect(r.outcome).toBe('result');
    expect(woken).toBe(1);
    expect(events.at(-1)).toMatchObject({ reason: 'accepted', answer: 'result', from: expect.stringMatching(/^acs@localhost\//) });
  });

  it('answers not-authorized (type auth, condition first) for wrong credentials, and wakes nothing', async () => {
    const r = await acs.send(agent.jid!, { username: 'cr-user', password: 'nope' });
    expect(r.outcome).toBe('not-authorized');
    expect(r.stanza).toMatch(/<error type="auth"><not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/>/);
    expect(woken).toBe(1);
  });

  it('answers service-unavailable to a JID not in ConnReqAllowedJabberIDs, and when throttled', async () => {
    expect((await evil.send(agent.jid!, { username: 'cr-user', password: 'cr-pass' })).outcome).toBe('service-unavailable');
    expect((await acs.send(agent.jid!, { username: 'cr-user', password: 'cr-pass' })).outcome).toBe('service-unavailable'); // inside the 5 s window
    clock += 5000;
    expect((await acs.send(agent.jid!, { username: 'cr-user', password: 'cr-pass' })).outcome).toBe('result');
    expect(woken).toBe(2);
    expect(agent.counts).toMatchObject({ accepted: 2, 'jid-not-allowed': 1, throttled: 1, 'wrong-credentials': 1 });
  });

  it('empty credentials are wrong credentials; the session stays online', async () => {
    expect((await acs.send(agent.jid!, {})).outcome).toBe('not-authorized');
    expect(agent.status).toBe('online');
  });
});
