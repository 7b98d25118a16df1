import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/index.js';
import { startFleet, type Fleet } from '../../src/fleet/index.js';

const TOKEN = 'admin-token-Q7';
const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';
const CR_PASSWORD = 'Device.ManagementServer.ConnectionRequestPassword';

let fleet: Fleet;
let admin: AdminServer;

beforeAll(async () => {
  // keepXml: the sessions route must blank secrets in raw SOAP too.
  fleet = await startFleet({ profile: 'tr181-digest', count: 4, timeScale: 0.001, transcript: { keepXml: true } });
  admin = await startAdminServer(fleet, { token: TOKEN });
}, 30_000);

afterAll(async () => {
  await admin?.close();
  await fleet?.close();
});

type Json = Record<string, any>;

async function call(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json; text: string; headers: Record<string, unknown> }> {
  const raw = typeof body === 'string' || Buffer.isBuffer(body);
  const res = await request(`${admin.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: raw ? (body as string) : JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    // /metrics is text
  }
  return { status: res.statusCode, json, text, headers: res.headers };
}

describe('admin API over a real socket', () => {
  it('binds loopback by default and refuses a missing or wrong bearer token with 401', async () => {
    expect(admin.host).toBe('127.0.0.1');
    const none = await call('GET', '/cpes', undefined, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await call('GET', '/cpes', undefined, { authorization: 'Bearer admin-token-Q8' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).toBe('wrong bearer token');
    expect((await call('GET', '/metrics', undefined, { authorization: '' })).status).toBe(401);
  });

  it('serves its OpenAPI description', async () => {
    const r = await call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toMatch(/^3\./);
    expect(Object.keys(r.json.paths)).toEqual(expect.arrayContaining(['/cpes', '/cpes/{id}', '/cpes/{id}/parameters', '/cpes/{id}/inform', '/cpes/{id}/reboot', '/cpes/{id}/factory-reset', '/cpes/{id}/sessions', '/fleet/inform', '/fleet/reboot', '/fleet/factory-reset', '/metrics', '/cpes/{id}/power-cycle', '/cpes/{id}/link-down', '/cpes/{id}/inject', '/fleet/power-cycle', '/fleet/link-down', '/fleet/inject']));
    expect(r.json.paths['/cpes/{id}/parameters'].patch.requestBody).toBeDefined();
  });

  it('lists CPEs with their state, filters, and names a bad query field', async () => {
    const r = await call('GET', '/cpes');
    expect(r.status).toBe(200);
    expect(r.json.total).toBe(4);
    expect(r.json.items.map((c: Json) => c.id)).toEqual(['cpe-1', 'cpe-2', 'cpe-3', 'cpe-4']);
    expect(r.json.items[0]).toMatchObject({ index: 1, state: 'idle' });
    expect((await call('GET', '/cpes?q=cpe-3')).json.items.map((c: Json) => c.id)).toEqual(['cpe-3']);
    expect((await call('GET', '/cpes?state=off')).json.total).toBe(0);
    const bad = await call('GET', '/cpes?limit=many');
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/limit/);
    const badState = await call('GET', '/cpes?state=sleeping');
    expect(badState.status).toBe(400);
    expect(badState.json.error.message).toMatch(/state/);
  });

  it("shows one CPE's details by id or index; an unknown CPE is 404", async () => {
    const r = await call('GET', '/cpes/cpe-2');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: 'cpe-2', index: 2, state: 'idle', retryCount: 0, lastSession: { ok: true } });
    expect(r.json.deviceId.serialNumber).toBe(fleet.cpe(2).serialNumber);
    expect((await call('GET', '/cpes/2')).json.id).toBe('cpe-2');
    const missing = await call('GET', '/cpes/cpe-99');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('CPESIM_UNKNOWN_CPE');
  });

  it('reads parameters with secrets blanked; an unknown path is 404 with fault 9005', async () => {
    const r = await call('GET', '/cpes/cpe-1/parameters?path=Device.ManagementServer.');
    expect(r.status).toBe(200);
    const byName = new Map(r.json.parameters.map((p: Json) => [p.name, p]));
    expect(byName.get(INTERVAL)).toMatchObject({ value: '300', type: 'xsd:unsignedInt', writable: true });
    expect(byName.get(CR_PASSWORD)).toMatchObject({ value: '[redacted]' });
    expect(r.text).not.toContain('"secret"');
    const missing = await call('GET', '/cpes/cpe-1/parameters?path=Device.Nope.');
    expect(missing.status).toBe(404);
    expect(missing.json.error.fault.faultCode).toBe(9005);
  });

  it('refuses bad writes with the fault an ACS would get, changing nothing', async () => {
    const cpe = fleet.cpe(1);
    const before = cpe.params.getValue(INTERVAL);
    const badValue = await call('PATCH', '/cpes/cpe-1/parameters', { parameters: { [INTERVAL]: 'soon' } });
    expect(badValue.status).toBe(400);
    expect(badValue.json.error.fault).toMatchObject({ faultCode: 9007 });
    const readOnly = await call('PATCH', '/cpes/cpe-1/parameters', { parameters: { 'Device.ManagementServer.ParameterKey': 'k' } });
    expect(readOnly.status).toBe(400);
    expect(readOnly.json.error.fault.faultCode).toBe(9008);
    const unknown = await call('PATCH', '/cpes/cpe-1/parameters', { parameters: { 'Device.Nope': '1' } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.fault.faultCode).toBe(9005);
    // One good entry beside a bad one: all or nothing.
    const mixed = await call('PATCH', '/cpes/cpe-1/parameters', { parameters: { [INTERVAL]: '900', 'Device.Nope': '1', 'Device.ManagementServer.PeriodicInformEnable': 'maybe' } });
    expect(mixed.status).toBe(400);
    expect(mixed.json.error.fault).toMatchObject({
      faultCode: 9003,
      setParameterValuesFault: [
        { parameterName: 'Device.Nope', faultCode: 9005 },
        { parameterName: 'Device.ManagementServer.PeriodicInformEnable', faultCode: 9007 },
      ],
    });
    const notJson = await call('PATCH', '/cpes/cpe-1/parameters', `${INTERVAL}=900`, { 'content-type': 'text/plain' });
    expect(notJson.status).toBe(400);
    const brokenJson = await call('PATCH', '/cpes/cpe-1/parameters', '{"parameters": {', { 'content-type': 'application/json' });
    expect(brokenJson.status).toBe(400);
    const huge = await call('PATCH', '/cpes/cpe-1/parameters', JSON.stringify({ parameters: { [INTERVAL]: 'x'.repeat(70_000) } }), { 'content-type': 'application/json' });
    expect(huge.status).toBe(413);
    const extraField = await call('PATCH', '/cpes/cpe-1/parameters', { parameters: { [INTERVAL]: '900' }, dryRun: true });
    expect(extraField.status).toBe(400);
    expect(extraField.json.error.message).toMatch(/dryRun|additional/);
    expect(cpe.params.getValue(INTERVAL)).toBe(before);
  });

  it('writes as the device: a leaf with active notification is reported in a 4 VALUE CHANGE Inform', async () => {
    const acs = fleet.acs!;
    // The ACS turns on active notification (TR-069 A.3.2.4) in a session the admin API triggers.
    const spa = acs.rpc('cpe-1', { name: 'SetParameterAttributes', parameterList: [{ name: INTERVAL, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }] });
    const session = await call('POST', '/cpes/cpe-1/inform', { events: ['2 PERIODIC'], wait: true });
    expect(session.status).toBe(200);
    expect(session.json.events.map((e: Json) => e.eventCode)).toEqual(['2 PERIODIC']);
    await spa;
    const since = Date.now();
    const w = await call('PATCH', '/cpes/cpe-1/parameters', { parameters: { [INTERVAL]: '600' } });
    expect(w.status).toBe(200);
    expect(w.json.written).toEqual([INTERVAL]);
    const inform = await acs.waitForInform({ cpe: 'cpe-1', event: '4 VALUE CHANGE' }, { since });
    expect(inform.parameters.find((p) => p.name === INTERVAL)?.value).toBe('600');
    expect((await call('GET', `/cpes/cpe-1/parameters?path=${INTERVAL}`)).json.parameters[0].value).toBe('600');
  });

  it('refuses an invalid event code naming it', async () => {
    const r = await call('POST', '/cpes/cpe-2/inform', { events: ['2 PERIODIC', 'NONSENSE'] });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/events\[1\] "NONSENSE"/);
    const missing = await call('POST', '/cpes/cpe-2/inform', { event: ['2 PERIODIC'] });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/events/);
  });

  it('reboots and factory-resets a CPE at the device', async () => {
    const acs = fleet.acs!;
    const since = Date.now();
    const reboot = await call('POST', '/cpes/cpe-3/reboot');
    expect(reboot.status).toBe(202);
    const boot = await acs.waitForInform({ cpe: 'cpe-3', event: '1 BOOT' }, { since });
    expect(boot.events.map((e) => e.eventCode)).not.toContain('M Reboot');

    const cpe4 = fleet.cpe(4);
    cpe4.params.setInternal(INTERVAL, '1200');
    const reset = await call('POST', '/cpes/4/factory-reset');
    expect(reset.status).toBe(202);
    const bootstrap = await acs.waitForInform({ cpe: 'cpe-4', event: '0 BOOTSTRAP' }, { since });
    expect(bootstrap.events.map((e) => e.eventCode)).toEqual(expect.arrayContaining(['0 BOOTSTRAP', '1 BOOT']));
    expect(cpe4.params.getValue(INTERVAL)).toBe('300');
    expect((await call('POST', '/cpes/cpe-77/reboot')).status).toBe(404);
  });

  it('runs fleet-wide operations on a selector (ids, range, share); a bad selector changes nothing', async () => {
    const acs = fleet.acs!;
    const range = await call('POST', '/fleet/inform', { selector: { range: { from: 1, to: 2 } }, events: ['X 00D09E Poke'] });
    expect(range.status).toBe(202);
    expect(range.json.accepted).toEqual(['cpe-1', 'cpe-2']);
    await acs.waitForInform({ cpe: 'cpe-1', event: 'X 00D09E Poke' });
    await acs.waitForInform({ cpe: 'cpe-2', event: 'X 00D09E Poke' });
    const share = await call('POST', '/fleet/inform', { selector: { share: 0.5 }, events: ['X 00D09E Half'] });
    expect(share.json.accepted).toHaveLength(2);
    const ids = await call('POST', '/fleet/inform', { selector: { ids: ['cpe-3', '4'] }, events: ['X 00D09E Ids'] });
    expect(ids.json.accepted).toEqual(['cpe-3', 'cpe-4']);
    for (const id of ['cpe-3', 'cpe-4']) await acs.waitForInform({ cpe: id, event: 'X 00D09E Ids' });

    const informsBefore = acs.informs.length;
    const unknown = await call('POST', '/fleet/inform', { selector: { ids: ['cpe-1', 'cpe-9'] }, events: ['X 00D09E Never'] });
    expect(unknown.status).toBe(404);
    const outside = await call('POST', '/fleet/reboot', { selector: { range: { from: 3, to: 6 } } });
    expect(outside.status).toBe(404);
    const two = await call('POST', '/fleet/factory-reset', { selector: { ids: ['cpe-1'], share: 1 } });
    expect(two.status).toBe(400);
    expect(two.json.error.message).toMatch(/selector/);
    await new Promise((r) => setTimeout(r, 50));
    expect(acs.informs.slice(informsBefore).some((i) => i.events.some((e) => e.eventCode === 'X 00D09E Never'))).toBe(false);
  });

  it('returns recent sessions decoded and raw, with secrets blanked everywhere', async () => {
    const acs = fleet.acs!;
    const pw = 'hunter2-Zq';
    const spv = acs.rpc('cpe-2', { name: 'SetParameterValues', parameterList: [{ name: CR_PASSWORD, value: pw, type: 'xsd:string' }], parameterKey: 'k1' });
    await call('POST', '/cpes/cpe-2/inform', { events: ['2 PERIODIC'], wait: true });
    await spv;
    const r = await call('GET', '/cpes/cpe-2/sessions?limit=2');
    expect(r.status).toBe(200);
    expect(r.json.sessions).toHaveLength(2);
    const entries: Json[] = r.json.sessions.flatMap((s: Json) => s.entries);
    const spvEntry = entries.find((e) => e.message?.name === 'SetParameterValues');
    expect(spvEntry).toBeDefined();
    expect(spvEntry!.message.parameterList[0]).toMatchObject({ name: CR_PASSWORD, value: '[redacted]' });
    expect(spvEntry!.xml).toContain('[redacted]');
    expect(spvEntry!.summary).toContain(`${CR_PASSWORD}=[redacted]`);
    expect(r.text).not.toContain(pw);
    expect(fleet.cpe(2).params.getValue(CR_PASSWORD)).toBe(pw);
  });

  it('exposes Prometheus metrics whose counters match what the fake ACS saw', async () => {
    const acs = fleet.acs!;
    const cpe = fleet.cpe(1);
    // One accepted and one refused Connection Request over real HTTP.
    const pass = cpe.params.getValue(CR_PASSWORD)!;
    const user = cpe.params.getValue('Device.ManagementServer.ConnectionRequestUsername')!;
    const since = Date.now();
    expect((await acs.connectionRequest(cpe.crUrl!, { username: user, password: pass })).status).toBe(200);
    expect((await acs.connectionRequest(cpe.crUrl!, { username: user, password: 'wrong' })).status).toBe(401);
    await acs.waitForInform({ cpe: 'cpe-1', event: '6 CONNECTION REQUEST' }, { since });
    // Let every CPE finish what it started (sessions are counted when they end).
    for (let i = 0; i < 200 && (fleet.cpes.some((c) => c.busy) || acs.sessions.some((s) => s.endedAt === undefined)); i++) await new Promise((r) => setTimeout(r, 20));

    const r = await call('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/^text\/plain/);
    const families = new Map(parsePrometheusTextFormat(r.text).map((f) => [f.name, f]));
    const sum = (name: string, match: Record<string, string> = {}): number =>
      (families.get(name)?.metrics ?? []).filter((m) => Object.entries(match).every(([k, v]) => m.labels?.[k] === v)).reduce((a, m) => a + Number(m.value), 0);

    expect(families.get('cpesim_sessions_total')?.type).toBe('COUNTER');
    expect(sum('cpesim_sessions_total')).toBe(acs.sessions.length);
    expect(sum('cpesim_sessions_total', { outcome: 'ok' })).toBe(acs.sessions.filter((s) => s.ok).length);
    const bootstraps = acs.sessions.filter((s) => s.events.some((e) => e.eventCode === '0 BOOTSTRAP')).length;
    expect(bootstraps).toBe(5); // four at start, one factory reset
    expect(sum('cpesim_sessions_total', { trigger: 'bootstrap' })).toBe(bootstraps);
    expect(sum('cpesim_sessions_total', { trigger: 'connection-request' })).toBe(acs.sessions.filter((s) => s.events.some((e) => e.eventCode === '6 CONNECTION REQUEST')).length);
    const answered = (rpc: string): number => acs.sessions.flatMap((s) => s.messages).filter((m) => m.dir === 'cpe->acs' && m.message?.name === `${rpc}Response`).length;
    expect(sum('cpesim_rpcs_total', { rpc: 'SetParameterValues', fault: '0' })).toBe(answered('SetParameterValues'));
    expect(sum('cpesim_rpcs_total', { rpc: 'SetParameterAttributes', fault: '0' })).toBe(answered('SetParameterAttributes'));
    expect(answered('SetParameterAttributes')).toBe(1);
    expect(sum('cpesim_connection_requests_total', { path: 'http', outcome: 'accepted', status: '200' })).toBe(1);
    // Digest: each request's first, credential-less try is challenged too, then the wrong password.
    const refused = fleet.crRequests().filter((o) => o.status === 401).length;
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(sum('cpesim_connection_requests_total', { path: 'http', status: '401' })).toBe(refused);
    expect(sum('cpesim_cpes')).toBe(4);
    const hist = families.get('cpesim_session_duration_seconds');
    expect(hist?.type).toBe('HISTOGRAM');
    // The +Inf bucket counts every observation (this parser drops _count of labelled histograms).
    expect(hist!.metrics.reduce((a, m) => a + Number(m.buckets?.['+Inf']), 0)).toBe(acs.sessions.length);
    expect(families.get('cpesim_event_loop_lag_seconds')?.type).toBe('GAUGE');
    // Body bytes: what the CPEs' transcripts (keepXml) hold of their own messages.
    const sentXml = fleet.cpes.flatMap((c) => c.sessions).flatMap((s) => s.entries).filter((e) => e.dir === 'cpe->acs' && e.xml !== undefined);
    // No ACS auth here, so no message went twice (a 401 retry would).
    expect(sum('cpesim_acs_bytes_total', { direction: 'sent' })).toBe(sentXml.reduce((a, e) => a + Buffer.byteLength(e.xml!), 0));
    expect(sum('cpesim_acs_bytes_total', { direction: 'received' })).toBe(fleet.cpes.flatMap((c) => c.sessions).reduce((a, s) => a + (s.bytesReceived ?? 0), 0));
    expect(sum('cpesim_acs_bytes_total', { direction: 'received' })).toBeGreaterThan(0);
    // No per-CPE label sets.
    expect(r.text).not.toMatch(/cpe-\d/);
  });
});

describe('examples/grafana/cpe-sim-dashboard.json', () => {
  it('queries only metric families /metrics exposes', async () => {
    const { readFile } = await import('node:fs/promises');
    const dash = JSON.parse(await readFile(new URL('../../examples/grafana/cpe-sim-dashboard.json', import.meta.url), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const exposed = new Set(parsePrometheusTextFormat(await admin.metrics!.text()).map((f) => f.name));
    const used = new Set(dash.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b(cpesim_[a-z_]+?)(?:_bucket)?\{/g)].map((m) => m[1]!))));
    expect(used.size).toBeGreaterThanOrEqual(8);
    for (const name of used) expect(exposed.has(name), name).toBe(true);
  });
});
