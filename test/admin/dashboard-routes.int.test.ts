// The dashboard's routes over a real socket, without a browser: its static files are
// served without the token (they hold no fleet data) with a strict CSP; its data route
// (/summary) needs the token and agrees with /metrics; mounted under a prefix, the page
// is reached with a trailing slash so its relative links resolve.
import Fastify from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminRouter, createFleetMetrics, startAdminServer, type AdminServer } from '../../src/admin/index.js';
import { startFleet, type Fleet } from '../../src/fleet/index.js';

const TOKEN = 'routes-token-9';
let fleet: Fleet;
let admin: AdminServer;

beforeAll(async () => {
  fleet = await startFleet({ profile: 'tr181-digest', count: 2, timeScale: 0.001 });
  admin = await startAdminServer(fleet, { token: TOKEN });
}, 30_000);

afterAll(async () => {
  await admin?.close();
  await fleet?.close();
});

async function get(url: string, token?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const res = await request(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe('dashboard routes', () => {
  it('serves the page and its four files without the token, with a CSP that allows only this server', async () => {
    const page = await get(`${admin.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const linked = [...page.text.matchAll(/(?:href|src)="(dashboard\/[^"]+)"/g)].map((m) => m[1]);
    expect(linked.sort()).toEqual(['dashboard/app.js', 'dashboard/dashboard.css', 'dashboard/timeline.css', 'dashboard/timeline.js']);
    for (const path of linked) {
      const r = await get(`${admin.url}/${path}`);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type']).toBe(path!.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      expect(r.text.length, `${path} is not empty`).toBeGreaterThan(1000);
    }
    // No CDN, no other origin.
    expect(page.text).not.toMatch(/https?:\/\//);
  });

  it('answers 404 for any other dashboard file (prototype names included), and keeps the data routes behind the token', async () => {
    for (const name of ['nope.js', '__proto__', 'constructor', '..%2Fsummary']) expect((await get(`${admin.url}/dashboard/${name}`)).status, name).toBe(404);
    expect((await get(`${admin.url}/summary`)).status).toBe(401);
    expect((await get(`${admin.url}/cpes`)).status).toBe(401);
  });

  it('/summary counts CPEs by state and sessions by outcome, as /metrics does', async () => {
    const r = await get(`${admin.url}/summary`, TOKEN);
    expect(r.status).toBe(200);
    const sum = JSON.parse(r.text) as Record<string, unknown>;
    expect(sum).toMatchObject({ profile: 'tr181-digest.yaml', cpes: 2, states: { idle: 2, 'in-session': 0, off: 0, 'link-down': 0, retrying: 0 }, sessions: { ok: 2, failed: 0 } });
    expect(sum['seed']).toBe(String(fleet.seed));
    expect(sum['acsUrl']).toBe(fleet.acsUrl);
    expect(await admin.metrics!.text()).toMatch(/cpesim_sessions_total\{trigger="bootstrap",outcome="ok"\} 2/);
  });

  it('/cpes pages through the matches (the table the dashboard polls): total counts them all, items are the page', async () => {
    const page = JSON.parse((await get(`${admin.url}/cpes?offset=1&limit=1`, TOKEN)).text) as { total: number; offset: number; items: { id: string }[] };
    expect(page).toMatchObject({ total: 2, offset: 1 });
    expect(page.items.map((c) => c.id)).toEqual(['cpe-2']);
    const past = JSON.parse((await get(`${admin.url}/cpes?offset=5&q=cpe`, TOKEN)).text) as { total: number; items: unknown[] };
    expect(past).toMatchObject({ total: 2, items: [] });
  });

  it('mounted under a prefix: /sim redirects to /sim/, whose relative links resolve under the prefix', async () => {
    const app = Fastify();
    const metrics = createFleetMetrics(fleet);
    try {
      await app.register(createAdminRouter(fleet, { metrics }), { prefix: '/sim' });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const bare = await get(`${base}/sim`);
      expect(bare.status).toBe(308);
      expect(bare.headers['location']).toBe('/sim/');
      expect((await get(`${base}/sim/`)).status).toBe(200);
      expect((await get(`${base}/sim/dashboard/app.js`)).status).toBe(200);
      expect(JSON.parse((await get(`${base}/sim/summary`)).text)).toMatchObject({ cpes: 2 });
      // dashboard: false leaves the page out.
      const plain = Fastify();
      await plain.register(createAdminRouter(fleet, { dashboard: false }));
      await plain.listen({ host: '127.0.0.1', port: 0 });
      expect((await get(`http://127.0.0.1:${(plain.server.address() as { port: number }).port}/`)).status).toBe(404);
      await plain.close();
    } finally {
      metrics.close();
      await app.close();
    }
  });
});
