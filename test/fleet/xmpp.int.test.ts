import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { prosodyMissing, startProsody, type StartedProsody } from '../support/servers/prosody.js';

const MS = 'Device.ManagementServer.';

describe.skipIf(prosodyMissing !== undefined)(`fleet with XMPP Connection Requests (Annex K) through a real Prosody${prosodyMissing ? ` (skipped: ${prosodyMissing})` : ''}`, () => {
  let prosody: StartedProsody;
  let fleet: Fleet;
  beforeAll(async () => {
    prosody = await startProsody({ users: { 'cpe-1': 'xmpp-pw', 'cpe-2': 'xmpp-pw', 'cpe-3': 'xmpp-pw', acs: 'acs-pw', other: 'other-pw' } });
    try {
      fleet = await startFleet({
        profile: 'fixtures/profiles/tr181-digest.yaml',
        xmpp: { server: prosody.service, domain: prosody.domain, password: 'xmpp-pw', allowedJabberIds: `acs@${prosody.domain}` },
        embeddedAcs: { xmpp: { service: prosody.service, domain: prosody.domain, username: 'acs', password: 'acs-pw' } },
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\nProsody log:\n${prosody.log()}`);
    }
  }, 40_000);
  afterAll(async () => {
    await fleet?.close();
    await prosody?.stop();
  });

  it('every CPE is online as the JID it publishes in ConnReqJabberID and XMPP.Connection.1', () => {
    for (const [i, a] of fleet.xmppAgents.entries()) {
      const id = `cpe-${i + 1}`;
      expect(a.status).toBe('online');
      expect(fleet.cpe(id).params.getValue(`${MS}ConnReqJabberID`)).toBe(`${id}@${prosody.domain}/cwmp`);
      expect(fleet.cpe(id).params.getValue('Device.XMPP.Connection.1.Status')).toBe('Enabled');
      expect(fleet.cpe(id).params.getValue(`${MS}ConnReqXMPPConnection`)).toBe('Device.XMPP.Connection.1');
    }
  });

  it('an XMPP CR through Prosody wakes exactly the addressed CPE with 6 CONNECTION REQUEST', async () => {
    const jid = fleet.cpe(2).params.getValue(`${MS}ConnReqJabberID`)!;
    const since = Date.now();
    const r = await fleet.acs!.xmppConnectionRequest(jid, { username: 'cr-cpe-2', password: 'secret' });
    expect(r.outcome).toBe('result');
    const inform = await fleet.acs!.waitForInform({ cpe: 'cpe-2', event: '6 CONNECTION REQUEST' }, { since });
    expect(inform.events.map((e) => e.eventCode)).toContain('6 CONNECTION REQUEST');
    expect(fleet.crRequests('cpe-2').at(-1)).toMatchObject({ via: 'xmpp', status: 200, reason: 'accepted' });
    for (const id of ['cpe-1', 'cpe-3']) expect(fleet.cpe(id).sessions.some((s) => s.events.some((e) => e.eventCode === '6 CONNECTION REQUEST'))).toBe(false);
  });

  it('wrong credentials get not-authorized; the HTTP throttle window covers XMPP too (service-unavailable)', async () => {
    const jid = fleet.cpe(3).params.getValue(`${MS}ConnReqJabberID`)!;
    expect((await fleet.acs!.xmppConnectionRequest(jid, { username: 'cr-cpe-3', password: 'wrong' })).outcome).toBe('not-authorized');
    expect(fleet.crRequests('cpe-3').at(-1)).toMatchObject({ via: 'xmpp', status: 401, reason: 'wrong-credentials' });
    const http = await fleet.acs!.connectionRequest(fleet.cpe(3).crUrl!, { username: 'cr-cpe-3', password: 'secret' });
    expect(http.status).toBe(200);
    expect((await fleet.acs!.xmppConnectionRequest(jid, { username: 'cr-cpe-3', password: 'secret' })).outcome).toBe('service-unavailable');
    expect(fleet.xmppAgents[2]!.counts).toMatchObject({ 'wrong-credentials': 1, throttled: 1, accepted: 0 });
  });

  it('a JID outside ConnReqAllowedJabberIDs gets service-unavailable', async () => {
    await using other = await (await import('../../src/acs/index.js')).createFakeAcs({ xmpp: { service: prosody.service, domain: prosody.domain, username: 'other', password: 'other-pw' } });
    const jid = fleet.cpe(1).params.getValue(`${MS}ConnReqJabberID`)!;
    expect((await other.xmppConnectionRequest(jid, { username: 'cr-cpe-1', password: 'secret' })).outcome).toBe('service-unavailable');
    expect(fleet.xmppAgents[0]!.counts['jid-not-allowed']).toBe(1);
  });

  it('after a FactoryReset the XMPP leaves and the JID are back before the bootstrap Inform, and an XMPP CR still wakes the CPE', async () => {
    // cpe-1: the tests above left its CR throttle window free (its only XMPP CR was refused).
    const cpe = fleet.cpe(1);
    const jid = `cpe-1@${prosody.domain}/cwmp`;
    const since = Date.now();
    const boot = await cpe.factoryReset();
    expect(boot.events.map((e) => e.eventCode)).toContain('0 BOOTSTRAP');
    await fleet.acs!.waitForInform({ cpe: 'cpe-1', event: '0 BOOTSTRAP' }, { since });
    expect(cpe.params.getValue(`${MS}ConnReqJabberID`)).toBe(jid);
    expect(cpe.params.getValue('Device.XMPP.Connection.1.Status')).toBe('Enabled');
    expect(cpe.params.getValue(`${MS}ConnReqAllowedJabberIDs`)).toBe(`acs@${prosody.domain}`);
    const woke = Date.now();
    expect((await fleet.acs!.xmppConnectionRequest(jid, { username: 'cr-cpe-1', password: 'secret' })).outcome).toBe('result');
    await fleet.acs!.waitForInform({ cpe: 'cpe-1', event: '6 CONNECTION REQUEST' }, { since: woke });
  });

  it('a powered-off CPE refuses an XMPP CR as an offline device (service-unavailable) and starts no session', async () => {
    const cpe = fleet.cpe(2);
    const jid = cpe.params.getValue(`${MS}ConnReqJabberID`)!;
    const sessions = cpe.sessions.length;
    expect(cpe.powerOff()).toBe(true);
    expect((await fleet.acs!.xmppConnectionRequest(jid, { username: 'cr-cpe-2', password: 'secret' })).outcome).toBe('service-unavailable');
    expect(fleet.crRequests('cpe-2').at(-1)).toMatchObject({ via: 'xmpp', status: 503, reason: 'powered-off' });
    expect(fleet.xmppAgents[1]!.counts['powered-off']).toBe(1);
    expect(cpe.sessions.length).toBe(sessions);
  });
});
