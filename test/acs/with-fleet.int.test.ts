/**
 * The fake ACS against our own CPEs (src/fleet → src/cpe → src/cr): bootstrap, an RPC,
 * a real Connection Request with Digest to the fleet's listener, the resulting Inform,
 * and CPE→ACS Digest authentication.
 */
import { describe, expect, it } from 'vitest';
import { setupServer } from 'msw/node';
import { createFakeAcs } from '../../src/acs/index.js';
import { acsHandlers } from '../../src/acs/msw.js';
import { startFleet } from '../../src/fleet/index.js';

const PROFILE = new URL('../../fixtures/profiles/tr181-digest.yaml', import.meta.url).pathname;

describe('fake ACS with our own CPEs', () => {
  it('bootstraps a fleet, answers rpc(), and a Digest CR leads to a 6 CONNECTION REQUEST session', async () => {
    await using fleet = await startFleet({ profile: PROFILE, count: 2, timeScale: 0.001 });
    const acs = fleet.acs!;
    await expect(acs.waitForInform({ cpe: 'cpe-2', event: '0 BOOTSTRAP' }, { timeoutMs: 5000 })).resolves.toMatchObject({ serial: 'DIG-002' });
    const r = acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SerialNumber'] }, { timeoutMs: 5000 });
    // Nothing triggers a session by itself (no periodic informs): the CR does.
    const since = Date.now();
    const cr = await acs.connectionRequest(fleet.cpe('cpe-1').crUrl!, { username: 'cr-cpe-1', password: 'secret' });
    expect(cr).toMatchObject({ status: expect.any(Number) as unknown, scheme: 'digest', attempts: 2 });
    expect([200, 204]).toContain(cr.status);
    await expect(acs.waitForInform({ cpe: 'cpe-1', event: '6 CONNECTION REQUEST' }, { since, timeoutMs: 5000 })).resolves.toMatchObject({ serial: 'DIG-001' });
    await expect(r).resolves.toEqual({
      name: 'GetParameterValuesResponse',
      parameterList: [{ name: 'Device.DeviceInfo.SerialNumber', value: 'DIG-001', type: 'xsd:string' }],
    });
    const bad = await acs.connectionRequest(fleet.cpe('cpe-2').crUrl!, { username: 'cr-cpe-2', password: 'wrong' });
    expect(bad).toMatchObject({ status: 401, attempts: 2 });
  });

  it('resolve(): a single CPE (CR URL /cr) is still known as cpe-1, by alias', async () => {
    await using fleet = await startFleet({ profile: PROFILE, count: 1, timeScale: 0.001 });
    const acs = fleet.acs!;
    await acs.waitForInform({ cpe: 'DIG-001', event: '0 BOOTSTRAP' }, { timeoutMs: 5000 });
    expect(new URL(fleet.cpe(1).crUrl!).pathname).toBe('/cr');
    expect(acs.informs[0]!.crId).toBe('cr');
    expect(acs.resolve('cpe-1')).toBe('DIG-001');
    expect(acs.resolve('cr')).toBe('DIG-001');
    expect(acs.resolve('cpe-2')).toBeUndefined();
  });

  it('CPEs authenticate to the ACS with Digest (no session is opened without it)', async () => {
    await using fleet = await startFleet({
      profile: PROFILE,
      count: 1,
      timeScale: 0.001,
      cr: false,
      acsUsername: 'cpe-user',
      acsPassword: 'cpe-pass',
      embeddedAcs: { auth: { scheme: 'digest', username: 'cpe-user', password: 'cpe-pass' }, keepXml: true },
    });
    const s = fleet.acs!.sessions.find((x) => x.events.some((e) => e.eventCode === '0 BOOTSTRAP'))!;
    expect(s.ok).toBe(true);
  });

  it('our CPEs reach the ACS through msw with transport fetch', async () => {
    const acs = await createFakeAcs();
    const server = setupServer(...acsHandlers(acs, { url: 'http://acs.test/cwmp' }));
    server.listen({ onUnhandledRequest: 'bypass' });
    try {
      await using fleet = await startFleet({ profile: PROFILE, count: 1, timeScale: 0.001, cr: false, acsUrl: 'http://acs.test/cwmp', transport: 'fetch' });
      expect(fleet.acsUrl).toBe('http://acs.test/cwmp');
      const i = await acs.waitForInform({ cpe: 'DIG-001', event: '0 BOOTSTRAP' }, { timeoutMs: 5000 });
      expect(acs.sessions.find((x) => x.id === i.sessionId)).toMatchObject({ ok: true });
      expect(acs.sessions[0]!.remoteAddress).toBeUndefined(); // no socket: it went through msw
    } finally {
      server.close();
      await acs.close();
    }
  });
});
