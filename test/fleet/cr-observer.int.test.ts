// fleet.onCrRequest / FleetOptions.onCrRequest / fleet.crRequests over a real listener (127.0.0.1).
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { CrRequestEvent } from '../../src/cr/index.js';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { identityLeaves, TR181_DEVICE_ID_PATHS } from '../support/profile.js';

const USER = 'Device.ManagementServer.ConnectionRequestUsername';
const PASS = 'Device.ManagementServer.ConnectionRequestPassword';

function profile(count: number): Record<string, unknown> {
  return {
    deviceIdPaths: TR181_DEVICE_ID_PATHS,
    fleet: { count, serialPattern: 'OBS-{i}' },
    parameters: [
      ...identityLeaves({ serial: 'OBS' }),
      { path: 'Device.ManagementServer.ConnectionRequestURL', value: '' },
      { path: USER, value: 'user', writable: true },
      { path: PASS, value: 'pass', writable: true },
    ],
    connectionRequest: { scheme: 'digest', realm: 'cpe-sim', throttleWindow: '1m', usernameParameter: USER, passwordParameter: PASS },
  };
}

const open: Fleet[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

describe('fleet CR observer', () => {
  it('FleetOptions.onCrRequest and fleet.onCrRequest see every answer; fleet.crRequests(cpeId) keeps them per CPE', async () => {
    const fromOptions: CrRequestEvent[] = [];
    const fleet = await startFleet({ profile: profile(3), onCrRequest: (e) => fromOptions.push(e) });
    open.push(fleet);
    const subscribed: CrRequestEvent[] = [];
    const off = fleet.onCrRequest((e) => subscribed.push(e));
    const acs = fleet.acs!;
    const url2 = fleet.cpe(2).crUrl!;

    expect((await acs.connectionRequest(url2, { username: 'user', password: 'wrong' })).status).toBe(401);
    expect((await acs.connectionRequest(url2, { username: 'user', password: 'pass' })).status).toBe(200);
    expect((await acs.connectionRequest(url2, { username: 'user', password: 'pass' })).status).toBe(503);
    const status = async (url: string, method: 'GET' | 'POST' = 'GET'): Promise<number> => {
      const r = await request(url, { method });
      await r.body.dump();
      return r.statusCode;
    };
    expect(await status(url2, 'POST')).toBe(405);
    const origin = new URL(url2).origin;
    expect(await status(`${origin}/cr/cpe-9`)).toBe(404);

    // Every HTTP answer, in order: the Digest client's challenge round trips included.
    const seen = (list: CrRequestEvent[]): string[] => list.map((e) => `${e.cpeId ?? '-'} ${e.method} ${e.status} ${e.reason}`);
    const expected = ['cpe-2 GET 401 unauthorized', 'cpe-2 GET 401 unauthorized', 'cpe-2 GET 401 unauthorized', 'cpe-2 GET 200 accepted', 'cpe-2 GET 401 unauthorized', 'cpe-2 GET 503 throttled', '- POST 405 method', '- GET 404 not-found'];
    expect(seen(fromOptions)).toEqual(expected);
    expect(seen(subscribed)).toEqual(expected);
    expect(subscribed.find((e) => e.status === 503)?.retryAfter).toBeGreaterThanOrEqual(59);

    // Kept per CPE; the 405 aimed at cpe-2's URL is attributed to cpe-2.
    const kept = fleet.crRequests('cpe-2');
    expect(kept.map((o) => `${o.method} ${o.status} ${o.reason}`)).toEqual([...expected.slice(0, 6).map((l) => l.slice(6)), 'POST 405 method']);
    expect(kept.find((o) => o.status === 401 && o.detail === 'wrong-credentials')).toBeDefined();
    expect(fleet.crRequests('cpe-1')).toEqual([]);
    expect(fleet.crRequests().at(-1)).toMatchObject({ cpeId: undefined, path: '/cr/cpe-9', status: 404 });
    for (const o of kept) expect(typeof o.time).toBe('number');

    off();
    await status(`${origin}/cr/cpe-9`);
    // The listener reports after the response was written; give that callback a turn.
    await new Promise((r) => setTimeout(r, 20));
    expect(subscribed).toHaveLength(expected.length);
    expect(fromOptions).toHaveLength(expected.length + 1);
  });
});
