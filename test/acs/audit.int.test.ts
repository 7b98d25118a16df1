/**
 * Issue 5 audit: sentences of the issue that no other test pinned down.
 * - "A real node:http server on loopback, port 0 by default";
 * - "Records every session as a transcript (parsed messages and raw XML, timing, HTTP status)";
 * - "connectionRequest() is a real client: Digest (… increments nc when it reuses a nonce,
 *   …), Basic, none; returns { status, retryAfter, headers } … Tested against our listener".
 *   cr-client.int.test.ts tests it against an endpoint written in the test; here it talks
 *   to our own CR listener (src/cr through src/fleet) for every scheme, nonce reuse and
 *   the throttle's 503 + Retry-After.
 */
import { describe, expect, it } from 'vitest';
import { ConnectionRequestClient, createFakeAcs } from '../../src/acs/index.js';
import { startFleet } from '../../src/fleet/index.js';

const DIGEST = new URL('../../fixtures/profiles/tr181-digest.yaml', import.meta.url).pathname;

/** A one-CPE profile whose CR listener uses `scheme` (no throttle unless given). */
function profile(scheme: '' | 'basic' | 'digest', throttleWindow = '0s'): Record<string, unknown> {
  return {
    deviceIdPaths: { manufacturer: 'Device.DeviceInfo.Manufacturer', oui: 'Device.DeviceInfo.ManufacturerOUI', productClass: 'Device.DeviceInfo.ProductClass', serialNumber: 'Device.DeviceInfo.SerialNumber' },
    parameters: [
      { path: 'Device.DeviceInfo.Manufacturer', value: 'Example' },
      { path: 'Device.DeviceInfo.ManufacturerOUI', value: '00D09E' },
      { path: 'Device.DeviceInfo.ProductClass', value: 'HGW' },
      { path: 'Device.DeviceInfo.SerialNumber', value: 'AUD' },
      { path: 'Device.ManagementServer.ConnectionRequestURL', value: '' },
      { path: 'Device.ManagementServer.ConnectionRequestUsername', value: 'cr-user', writable: true },
      { path: 'Device.ManagementServer.ConnectionRequestPassword', value: 'cr-pass', writable: true },
    ],
    connectionRequest:
      scheme === ''
        ? { throttleWindow }
        : { scheme, realm: 'audit', throttleWindow, usernameParameter: 'Device.ManagementServer.ConnectionRequestUsername', passwordParameter: 'Device.ManagementServer.ConnectionRequestPassword' },
  };
}

const CREDS = { username: 'cr-user', password: 'cr-pass', timeoutMs: 5000 };

describe('createFakeAcs() defaults', () => {
  it('listens on 127.0.0.1, an OS-chosen port, path /cwmp', async () => {
    await using acs = await createFakeAcs();
    expect(acs.port).toBeGreaterThan(0);
    expect(acs.url).toBe(`http://127.0.0.1:${acs.port}/cwmp`);
  });
});

describe('transcript of a session', () => {
  it('has parsed messages, raw XML (keepXml), timing and the HTTP status of every answer', async () => {
    await using fleet = await startFleet({ profile: DIGEST, count: 1, cr: false, embeddedAcs: { keepXml: true } });
    const acs = fleet.acs!;
    await acs.waitForInform({ cpe: 'cpe-1', event: '0 BOOTSTRAP' }, { timeoutMs: 5000 });
    // The session ends after the Inform: wait for its 204.
    for (let i = 0; i < 200 && acs.sessions[0]?.endedAt === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    const s = acs.sessions[0]!;
    expect(s).toMatchObject({ serial: 'DIG-001', ok: true, deviceId: { manufacturer: 'Example', oui: '00D09E', productClass: 'HGW', serialNumber: 'DIG-001' } });
    expect(s.endedAt!).toBeGreaterThanOrEqual(s.startedAt);
    const [inform, informResponse, empty, end] = s.messages;
    expect(inform).toMatchObject({ dir: 'cpe->acs', message: { name: 'Inform' } });
    expect(inform!.xml).toMatch(/<(\w+:)?Inform[\s>]/);
    expect(informResponse).toMatchObject({ dir: 'acs->cpe', status: 200, message: { name: 'InformResponse', maxEnvelopes: 1 } });
    expect(informResponse!.xml).toMatch(/MaxEnvelopes>1</);
    expect(empty).toMatchObject({ dir: 'cpe->acs', message: null });
    expect(end).toMatchObject({ dir: 'acs->cpe', status: 204, message: null });
    const times = s.messages.map((m) => m.time);
    expect(times.every((t) => t >= s.startedAt && t <= s.endedAt!)).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});

describe('connectionRequest() against our own CR listener', () => {
  it('none: one request, 200', async () => {
    await using fleet = await startFleet({ profile: profile(''), cr: { bindAddr: '127.0.0.1:0' } });
    const r = await fleet.acs!.connectionRequest(fleet.cpes[0]!.crUrl!, { timeoutMs: 5000 });
    expect(r).toMatchObject({ status: 200, attempts: 1 });
    expect(r.scheme).toBeUndefined();
  });

  it('basic: challenge then credentials; a wrong password stays 401', async () => {
    await using fleet = await startFleet({ profile: profile('basic'), cr: { bindAddr: '127.0.0.1:0' } });
    const url = fleet.cpes[0]!.crUrl!;
    await expect(fleet.acs!.connectionRequest(url, CREDS)).resolves.toMatchObject({ status: 200, attempts: 2, scheme: 'basic' });
    await expect(fleet.acs!.connectionRequest(url, { ...CREDS, password: 'nope' })).resolves.toMatchObject({ status: 401, attempts: 2 });
  });

  it('digest with nonce reuse: our listener accepts nc=2, nc=3 pre-emptively (one request each)', async () => {
    await using fleet = await startFleet({ profile: profile('digest'), cr: { bindAddr: '127.0.0.1:0' } });
    const url = fleet.cpes[0]!.crUrl!;
    await using client = new ConnectionRequestClient(CREDS);
    const first = await client.send(url);
    expect(first).toMatchObject({ status: 200, attempts: 2, scheme: 'digest', nc: 1 });
    const second = await client.send(url);
    expect(second).toMatchObject({ status: 200, attempts: 1, scheme: 'digest', nc: 2 });
    const third = await client.send(url);
    expect(third).toMatchObject({ status: 200, attempts: 1, nc: 3 });
  });

  it('throttled: 503 with retryAfter (whole seconds) and the raw header', async () => {
    await using fleet = await startFleet({ profile: profile('digest', '5s'), cr: { bindAddr: '127.0.0.1:0' } });
    const url = fleet.cpes[0]!.crUrl!;
    expect((await fleet.acs!.connectionRequest(url, CREDS)).status).toBe(200);
    const r = await fleet.acs!.connectionRequest(url, CREDS);
    expect(r.status).toBe(503);
    expect(r.retryAfter).toBeGreaterThanOrEqual(1);
    expect(r.retryAfter).toBeLessThanOrEqual(5);
    expect(r.headers['retry-after']).toBe(String(r.retryAfter));
  });
});
