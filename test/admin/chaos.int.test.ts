import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/index.js';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { tr181Profile } from '../support/profile.js';

const STATUS = 'Device.IP.Interface.1.Status';
let fleet: Fleet;
let admin: AdminServer;

beforeAll(async () => {
  const profile = tr181Profile('ADM', 3, [{ path: STATUS, value: 'Up' }], { faults: { link: { interface: 'Device.IP.Interface.1', duration: '1h' } } });
  fleet = await startFleet({ profile, timeScale: 0.001 });
  admin = await startAdminServer(fleet);
}, 30_000);

afterAll(async () => {
  await admin?.close();
  await fleet?.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await request(`${admin.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, any> };
}

async function stateOf(id: string): Promise<string> {
  const res = await request(`${admin.url}/cpes/${id}`);
  return ((await res.body.json()) as { state: string }).state;
}

describe('admin API: power, link and behaviour injection', () => {
  it('power-cycles a CPE: it boots again with 1 BOOT', async () => {
    const since = Date.now();
    const r = await post('/cpes/cpe-1/power-cycle', { offMs: 0 });
    expect(r.status).toBe(202);
    const boot = await fleet.acs!.waitForInform({ cpe: 'cpe-1', event: '1 BOOT' }, { since });
    expect(boot.events.map((e) => e.eventCode)).not.toContain('0 BOOTSTRAP');
    expect((await post('/cpes/cpe-1/power-cycle', { offMs: -1 })).status).toBe(400);
  });

  it("cuts a CPE's link (the profile's faults.link by default): state link-down, Status Down, a second cut is reported", async () => {
    const r = await post('/cpes/cpe-2/link-down', {});
    expect(r.status).toBe(202);
    expect(r.json.accepted).toEqual(['cpe-2']);
    expect(fleet.cpe(2).params.getValue(STATUS)).toBe('Down');
    expect(await stateOf('cpe-2')).toBe('link-down');
    const again = await post('/fleet/link-down', { selector: { ids: ['cpe-2'] }, durationMs: 1000 });
    expect(again.json.accepted).toEqual([]);
    const bad = await post('/cpes/cpe-3/link-down', { interface: 'Device.WiFi.Radio.1' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/Device\.WiFi\.Radio\.1\.Status/);
    expect(fleet.cpe(3).params.getValue(STATUS)).toBe('Up');
  });

  it('injects a behaviour checked by the CPE; a bad one names the option and changes nothing; null clears', async () => {
    const bad = await post('/fleet/inject', { selector: { share: 1 }, behaviour: { dropCookie: true } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/dropCookie/);
    expect(fleet.cpes.every((c) => c.injected === undefined)).toBe(true);

    const r = await post('/cpes/cpe-3/inject', { behaviour: { fault: { rpc: 'GetParameterValues', code: 9002 } } });
    expect(r.status).toBe(200);
    expect(r.json.injected).toEqual({ fault: { rpc: 'GetParameterValues', code: 9002 } });
    const acs = fleet.acs!;
    const gpv = acs.rpc('cpe-3', { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.Manufacturer'] });
    await post('/cpes/cpe-3/inform', { events: ['2 PERIODIC'], wait: true });
    expect(await gpv).toMatchObject({ name: 'Fault', detail: { faultCode: 9002 } });

    const cleared = await post('/fleet/inject', { selector: { range: { from: 1, to: 3 } }, behaviour: null });
    expect(cleared.json.accepted).toEqual(['cpe-1', 'cpe-2', 'cpe-3']);
    expect(fleet.cpe(3).injected).toBeUndefined();
  });
});
