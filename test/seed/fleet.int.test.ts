/**
 * Seed traceability, library side: every test starts a real fleet (startFleet: CPEs,
 * one CR listener, the embedded fake ACS) and drives it with real HTTP clients (the
 * fake ACS's Digest/Basic CR client, undici, curl). Titles quote the seed
 * (/work/shared/seed/connection-request.txt). 127.0.0.1 only.
 */
import { request } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AcsSession } from '../../src/acs/index.js';
import { startFleet, type Fleet, type FleetOptions } from '../../src/fleet/index.js';
import { createLogger } from '../../src/log/index.js';
import { curl, PASS_LEAF, profileObject, requireCurl, settle, statusLines, URL_LEAF, USER_LEAF, type ProfileOptions } from './helpers.js';

beforeAll(() => requireCurl());

const open: Fleet[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});
async function fleetOf(p: ProfileOptions, over: Partial<FleetOptions> = {}): Promise<Fleet> {
  const f = await startFleet({ profile: profileObject(p), seed: 1, ...over });
  open.push(f);
  return f;
}
const DIGEST_THROTTLE = (window?: string): Record<string, unknown> => ({
  scheme: 'digest',
  realm: 'cpe-sim',
  ...(window !== undefined ? { throttleWindow: window } : {}),
  usernameParameter: USER_LEAF,
  passwordParameter: PASS_LEAF,
});
const CREDS = { username: 'user', password: 'pass' };
const CR = '6 CONNECTION REQUEST';

/** ACS-side sessions of one CPE (by serial), in order. */
function sessionsOf(fleet: Fleet, cpe: string): AcsSession[] {
  const serial = fleet.cpe(cpe).serialNumber;
  return fleet.acs!.sessions.filter((s) => s.serial === serial);
}
function hasEvent(s: { events: readonly { eventCode: string }[] }, code: string): boolean {
  return s.events.some((e) => e.eventCode === code);
}
/** Informs carrying `6 CONNECTION REQUEST`, per CPE serial. */
function crInformsBySerial(fleet: Fleet): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of fleet.acs!.informs) if (hasEvent(i, CR)) out[i.serial] = (out[i.serial] ?? 0) + 1;
  return out;
}
function servers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
}

describe('seed: the listener', () => {
  it('seed: "One *http.Server serves the whole fleet; per-CPE Endpoint registrations route by URL path."', async () => {
    const before = servers();
    const withoutCr = await fleetOf({ count: 5 }, { cr: false });
    expect(servers() - before).toBe(1); // the embedded ACS only
    await withoutCr.close();
    const fleet = await fleetOf({ count: 5 });
    expect(servers() - before).toBe(2); // + ONE listener for five CPEs
    expect(fleet.listener!.stats().endpoints).toBe(5);
    const origins = new Set(fleet.crUrls.map((u) => new URL(u).origin));
    expect(origins.size).toBe(1);
    expect(fleet.crUrls.map((u) => new URL(u).pathname)).toEqual(['/cr/cpe-1', '/cr/cpe-2', '/cr/cpe-3', '/cr/cpe-4', '/cr/cpe-5']);
  });
});

describe('seed: URL shape', () => {
  it('seed: "Single-CPE (fleet.count unset or 1): http://<bind-addr>/<cr-path>; --cr-path defaults to /cr" and the bootstrap Inform reports it', async () => {
    for (const count of [undefined, 1]) {
      const fleet = await fleetOf(count === undefined ? {} : { count }, count === undefined ? {} : { count });
      const port = fleet.listener!.address.port;
      expect(fleet.crUrls).toEqual([`http://127.0.0.1:${port}/cr`]);
      const boot = fleet.acs!.informs.find((i) => hasEvent(i, '0 BOOTSTRAP'))!;
      expect(boot.parameters.find((p) => p.name === URL_LEAF)?.value).toBe(`http://127.0.0.1:${port}/cr`);
      expect((await fleet.acs!.connectionRequest(fleet.crUrls[0]!, CREDS)).status).toBe(200);
      await fleet.acs!.waitForInform({ cpe: 'cpe-1', event: CR });
      await fleet.close();
    }
  });

  it('seed: "Multi-CPE (fleet.count > 1): http://<bind-addr>/<cr-path>/<cpe-id>. Each CPE writes its own URL … into --cr-publish-path so the ACS sees the correct path per device."', async () => {
    const fleet = await fleetOf({ count: 3 }, { cr: { path: '/wake/up', publishPath: URL_LEAF } });
    const port = fleet.listener!.address.port;
    for (const cpe of fleet.cpes) {
      const url = `http://127.0.0.1:${port}/wake/up/${cpe.id}`;
      expect(cpe.crUrl).toBe(url);
      const boot = fleet.acs!.informs.find((i) => i.serial === cpe.serialNumber && hasEvent(i, '0 BOOTSTRAP'))!;
      expect(boot.parameters.find((p) => p.name === URL_LEAF)?.value).toBe(url);
      // The URL the ACS saw is the one that wakes this device.
      expect((await fleet.acs!.connectionRequest(url, CREDS)).status).toBe(200);
      expect((await fleet.acs!.waitForInform({ cpe: cpe.id, event: CR })).serial).toBe(cpe.serialNumber);
    }
  });

  it('seed: "When the bind address is unspecified (0.0.0.0 / ::), the published URL substitutes 127.0.0.1 and the listener logs a warning."', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    const fleet = await fleetOf({ count: 2 }, { cr: { bindAddr: '0.0.0.0:0' }, logger });
    const port = fleet.listener!.address.port;
    expect(fleet.listener!.address.host).toBe('0.0.0.0');
    expect(fleet.crUrls).toEqual([`http://127.0.0.1:${port}/cr/cpe-1`, `http://127.0.0.1:${port}/cr/cpe-2`]);
    expect(lines.filter((l) => /WARN .*unspecified address; published URLs use 127\.0\.0\.1/.test(l))).toHaveLength(1);
    // Traffic only to 127.0.0.1: the substituted URL works.
    expect((await fleet.acs!.connectionRequest(fleet.crUrls[1]!, CREDS)).status).toBe(200);
    await fleet.acs!.waitForInform({ cpe: 'cpe-2', event: CR });
    // A specified bind address: no warning.
    lines.length = 0;
    await fleetOf({}, { cr: { bindAddr: '127.0.0.1:0' }, logger });
    expect(lines.filter((l) => l.includes('unspecified address'))).toEqual([]);
  });

  it('seed: "… (0.0.0.0 / ::) …": the IPv6 unspecified address too', async (ctx) => {
    const lines: string[] = [];
    let fleet: Fleet;
    try {
      fleet = await fleetOf({}, { cr: { bindAddr: '[::]:0' }, logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }) });
    } catch (err) {
      // Only a host without IPv6 gets here; say so instead of passing.
      ctx.skip(`IPv6 unavailable on this host: ${(err as Error).message}`);
      return;
    }
    expect(fleet.crUrls).toEqual([`http://127.0.0.1:${fleet.listener!.address.port}/cr`]);
    expect(lines.some((l) => l.includes('unspecified address; published URLs use 127.0.0.1'))).toBe(true);
  });
});

describe('seed: Authentication', () => {
  it('seed: "The listener reads them per request via usernameParameter / passwordParameter, so an SPV that updates them takes effect immediately." (a real SetParameterValues from the ACS)', async () => {
    const fleet = await fleetOf({ count: 2 });
    const acs = fleet.acs!;
    // The SPV rides the session that the next CR of cpe-1 opens.
    const spv = acs.rpc('cpe-1', { name: 'SetParameterValues', parameterList: [{ name: PASS_LEAF, value: 'n3w-pass', type: 'xsd:string' }, { name: USER_LEAF, value: 'n3w-user', type: 'xsd:string' }], parameterKey: 'rotate-1' }, { timeoutMs: 5000 });
    expect((await acs.connectionRequest(fleet.crUrls[0]!, CREDS)).status).toBe(200);
    expect(await spv).toMatchObject({ name: 'SetParameterValuesResponse', status: 0 });
    await fleet.cpe(1).waitForSession((s) => hasEvent(s, CR), { timeoutMs: 5000 });
    // The very next request: old credentials refused, new ones accepted.
    expect((await acs.connectionRequest(fleet.crUrls[0]!, CREDS)).status).toBe(401);
    expect((await acs.connectionRequest(fleet.crUrls[0]!, { username: 'n3w-user', password: 'pass' })).status).toBe(401);
    expect((await acs.connectionRequest(fleet.crUrls[0]!, { username: 'n3w-user', password: 'n3w-pass' })).status).toBe(200);
    // Per CPE: cpe-2's tree was not touched.
    expect((await acs.connectionRequest(fleet.crUrls[1]!, CREDS)).status).toBe(200);
  });

  it('seed: "Empty username = \\"credentials not populated yet\\"; the listener fails closed without writing a challenge." (digest and basic; populated later by SPV)', async () => {
    for (const scheme of ['digest', 'basic'] as const) {
      const fleet = await fleetOf({ username: '', cr: { ...DIGEST_THROTTLE(), scheme } });
      const url = fleet.crUrls[0]!;
      for (const args of [['-i', url], ['-i', '--digest', '-u', ':pass', url], ['-i', '--basic', '-u', ':pass', url], ['-i', '--basic', '-u', 'user:pass', url]]) {
        const r = await curl(args);
        expect(statusLines(r.stdout), `${scheme} ${args.join(' ')}`).toEqual(['HTTP/1.1 401 Unauthorized']);
        expect(r.stdout.toLowerCase()).not.toContain('www-authenticate');
      }
      await settle(50);
      expect(crInformsBySerial(fleet)).toEqual({});
      expect(fleet.crRequests('cpe-1').every((o) => o.status === 401 && o.reason === 'not-populated')).toBe(true);
      // The ACS populates the credentials (SPV in a session the CPE opens itself).
      const spv = fleet.acs!.rpc('cpe-1', { name: 'SetParameterValues', parameterList: [{ name: USER_LEAF, value: 'user', type: 'xsd:string' }], parameterKey: 'populate' }, { timeoutMs: 5000 });
      void fleet.cpe(1).inform(['2 PERIODIC']);
      await spv;
      await fleet.cpe(1).waitForSession((s) => hasEvent(s, '2 PERIODIC'), { timeoutMs: 5000 });
      const ok = await curl(['-i', `--${scheme}`, '-u', 'user:pass', url]);
      expect(statusLines(ok.stdout).at(-1)).toBe('HTTP/1.1 200 OK');
      await fleet.close();
    }
  });

  it('seed: "\\"\\"(omitted): no auth. Every request returns 200 OK." (no connectionRequest block)', async () => {
    const fleet = await fleetOf({ count: 2, cr: null });
    expect(statusLines((await curl(['-i', fleet.crUrls[1]!])).stdout)).toEqual(['HTTP/1.1 200 OK']);
    expect(statusLines((await curl(['-i', '--basic', '-u', 'any:thing', fleet.crUrls[0]!])).stdout)).toEqual(['HTTP/1.1 200 OK']);
    await fleet.acs!.waitForInform({ cpe: 'cpe-2', event: CR });
    await fleet.acs!.waitForInform({ cpe: 'cpe-1', event: CR });
  });

  it('seed: "basic: RFC 7617 HTTP Basic. … failures emit WWW-Authenticate: Basic realm=\\"...\\" and 401." (curl -u)', async () => {
    const fleet = await fleetOf({ cr: { ...DIGEST_THROTTLE(), scheme: 'basic', realm: 'lab' } });
    const bad = await curl(['-i', '--basic', '-u', 'user:wrong', fleet.crUrls[0]!]);
    expect(statusLines(bad.stdout)).toEqual(['HTTP/1.1 401 Unauthorized']);
    expect(bad.stdout).toContain('WWW-Authenticate: Basic realm="lab"\r\n');
    expect(statusLines((await curl(['-i', '--basic', '-u', 'user:pass', fleet.crUrls[0]!])).stdout)).toEqual(['HTTP/1.1 200 OK']);
    await fleet.acs!.waitForInform({ cpe: 'cpe-1', event: CR });
  });
});

describe('seed: Throttle', () => {
  it('seed: "Inside the window the listener returns 503 Service Unavailable with a Retry-After header (rounded up to the next whole second …)"; the window is per CPE', async () => {
    const fleet = await fleetOf({ count: 2, cr: DIGEST_THROTTLE('2500ms') });
    const [u1, u2] = fleet.crUrls as [string, string];
    expect(statusLines((await curl(['-i', '--digest', '-u', 'user:pass', u1])).stdout).at(-1)).toBe('HTTP/1.1 200 OK');
    const throttled = await curl(['-i', '--digest', '-u', 'user:pass', u1]);
    expect(statusLines(throttled.stdout).at(-1)).toBe('HTTP/1.1 503 Service Unavailable');
    // ~2.49 s remain: rounded UP to 3 (rounding to nearest would give 2 and the retry would be early).
    expect(throttled.stdout).toMatch(/\r\nRetry-After: 3\r\n/);
    // "for one CPE": cpe-2 is not throttled by cpe-1's window.
    expect(statusLines((await curl(['-i', '--digest', '-u', 'user:pass', u2])).stdout).at(-1)).toBe('HTTP/1.1 200 OK');
    await fleet.acs!.waitForInform({ cpe: 'cpe-2', event: CR });
    await settle();
    // The 503 woke nobody: one CR session per CPE.
    expect(crInformsBySerial(fleet)).toEqual({ 'SEED-001': 1, 'SEED-002': 1 });
  });

  it('seed: "… rounded up to the next whole second so the client retry actually clears the window": a 300 ms window says Retry-After: 1 (never 0), and a retry after it is accepted', async () => {
    const fleet = await fleetOf({ cr: DIGEST_THROTTLE('300ms') });
    const acs = fleet.acs!;
    expect((await acs.connectionRequest(fleet.crUrls[0]!, CREDS)).status).toBe(200);
    const r = await acs.connectionRequest(fleet.crUrls[0]!, CREDS);
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
    await settle(350); // less than Retry-After, more than the window
    expect((await acs.connectionRequest(fleet.crUrls[0]!, CREDS)).status).toBe(200);
  });

  it('seed: "TR-069 §3.2.2 specifies 5s; the simulator does not auto-default to that." (throttleWindow omitted → no throttle)', async () => {
    const fleet = await fleetOf({ cr: DIGEST_THROTTLE() });
    expect(fleet.profile.connectionRequest.throttleWindowMs).toBe(0);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fleet.acs!.connectionRequest(fleet.crUrls[0]!, CREDS)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('seed: Order of checks per request', () => {
  it('seed: "Method (GET only; everything else → 405 with Allow: GET)" comes first: no credentials still gets 405, not 401; non-GETs never count for the throttle', async () => {
    const fleet = await fleetOf({ cr: DIGEST_THROTTLE('1m') });
    const url = fleet.crUrls[0]!;
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'] as const) {
      const r = await request(url, { method });
      await r.body.dump();
      expect(r.statusCode, method).toBe(405);
      expect(r.headers.allow, method).toBe('GET');
      expect(r.headers['www-authenticate'], method).toBeUndefined();
    }
    // With valid credentials a POST is still 405 (curl answers the challenge it never gets).
    const post = await curl(['-i', '-X', 'POST', '--digest', '-u', 'user:pass', url]);
    expect(statusLines(post.stdout)).toEqual(['HTTP/1.1 405 Method Not Allowed']);
    // None of that opened the 1-minute window.
    expect((await fleet.acs!.connectionRequest(url, CREDS)).status).toBe(200);
  });

  it('seed: "Auth. Throttle (only counts authenticated requests, so unauthenticated callers can\'t probe throttle state)." then "Per-CPE OnRequest callback"', async () => {
    const fleet = await fleetOf({ cr: DIGEST_THROTTLE('1m') });
    const acs = fleet.acs!;
    const url = fleet.crUrls[0]!;
    // Failed authentications do not open the window…
    for (let i = 0; i < 5; i++) expect((await acs.connectionRequest(url, { username: 'user', password: `wrong-${i}` })).status).toBe(401);
    expect((await acs.connectionRequest(url, CREDS)).status).toBe(200);
    // …and inside the window auth is still checked first: bad callers see 401, never 503.
    const noCreds = await request(url);
    await noCreds.body.dump();
    expect(noCreds.statusCode).toBe(401);
    expect(noCreds.headers['www-authenticate']).toMatch(/^Digest realm="cpe-sim"/);
    expect(noCreds.headers['retry-after']).toBeUndefined();
    const wrong = await acs.connectionRequest(url, { username: 'user', password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.retryAfter).toBeUndefined();
    expect((await acs.connectionRequest(url, CREDS)).status).toBe(503);
    // The callback ran for the accepted request only: exactly one CR session.
    await acs.waitForInform({ cpe: 'cpe-1', event: CR });
    await settle();
    expect(crInformsBySerial(fleet)).toEqual({ 'SEED-1': 1 }) // ref. 5.2: a lone CPE's serial is stamped too;
    expect(fleet.crRequests('cpe-1').filter((o) => o.status !== 401).map((o) => `${o.status} ${o.reason}`)).toEqual(['200 accepted', '503 throttled']);
  });
});

describe('seed: Session serialization', () => {
  it('seed: "If a CR fires while the per-CPE periodic timer is mid-session, the CR handler blocks on SessionMu and runs immediately after the periodic session closes."', async () => {
    // 10 s periodic interval at timeScale 0.01: a PERIODIC session every ~100 ms real.
    const fleet = await fleetOf({ periodic: 10 }, { timeScale: 0.01 });
    const acs = fleet.acs!;
    const since = Date.now();
    // Hold the next Inform (the periodic one) open for 400 ms at the ACS.
    acs.behave('cpe-1', { informResponseDelayMs: 400, once: true });
    const periodic = await acs.waitForInform({ cpe: 'cpe-1', event: '2 PERIODIC' }, { since, timeoutMs: 5000 });
    const periodicSession = (): AcsSession => acs.sessions.find((s) => s.id === periodic.sessionId)!;
    expect(periodicSession().endedAt).toBeUndefined();

    const cr = await acs.connectionRequest(fleet.crUrls[0]!, CREDS);
    const crAnsweredAt = Date.now();
    expect(cr.status).toBe(200);
    // Answered while the periodic session is still open: the 200 did not wait for the mutex.
    expect(periodicSession().endedAt).toBeUndefined();
    expect(fleet.cpe(1).busy).toBe(true);

    const crInform = await acs.waitForInform({ cpe: 'cpe-1', event: CR }, { since, timeoutMs: 5000 });
    const ended = periodicSession();
    expect(ended.ok).toBe(true);
    const crSession = acs.sessions.find((s) => s.id === crInform.sessionId)!;
    // It ran after the periodic session closed, and it is the very next session of the CPE.
    expect(crSession.startedAt).toBeGreaterThanOrEqual(ended.endedAt!);
    expect(crSession.startedAt).toBeGreaterThanOrEqual(crAnsweredAt);
    const mine = sessionsOf(fleet, 'cpe-1');
    expect(mine[mine.indexOf(ended) + 1]).toBe(crSession);
    await fleet.cpe(1).waitForSession((s) => hasEvent(s, CR), { timeoutMs: 5000 });
    expect(crSession.ok).toBe(true);
  });

  it('seed: "The 200 OK response is sent before the CWMP session against the ACS starts (… the response signals \\"request accepted\\", not \\"session complete\\")."', async () => {
    const fleet = await fleetOf({ count: 2 });
    const acs = fleet.acs!;
    // At the moment the listener has written the 200, the ACS has not seen the CR Inform yet.
    const seenAtAnswer: number[] = [];
    fleet.onCrRequest((e) => {
      if (e.status === 200) seenAtAnswer.push(acs.informs.filter((i) => hasEvent(i, CR)).length);
    });
    // And the client gets its 200 while the CR session it caused is still open.
    acs.behave('cpe-2', { informResponseDelayMs: 500, once: true });
    const res = await acs.connectionRequest(fleet.crUrls[1]!, CREDS);
    expect(res.status).toBe(200);
    const crSessionOpenAtAnswer = acs.sessions.filter((s) => hasEvent(s, CR)).every((s) => s.endedAt === undefined);
    expect(crSessionOpenAtAnswer).toBe(true);
    expect(seenAtAnswer).toEqual([0]);
    const inform = await acs.waitForInform({ cpe: 'cpe-2', event: CR });
    expect(inform.serial).toBe('SEED-002');
  });

  it('seed: "CR / periodic / one-shot deliveries cannot run concurrently for one CPE. Real CPEs serialize sessions, and so does the simulator."', async () => {
    // An ACS that refuses a second concurrent session (GenieACS behaviour) would fail any overlap.
    const fleet = await fleetOf({ periodic: 5 }, { timeScale: 0.01, embeddedAcs: { concurrentInform: 'reject' } });
    const acs = fleet.acs!;
    const cpe = fleet.cpe(1);
    acs.behave('cpe-1', { informResponseDelayMs: 30 });
    const since = Date.now(); // ACS session times are wall-clock
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      work.push(acs.connectionRequest(fleet.crUrls[0]!, CREDS));
      if (i % 3 === 0) work.push(cpe.inform(['X 00D09E SeedOneShot']));
      await settle(25);
    }
    await Promise.all(work);
    await cpe.waitForSession((s) => hasEvent(s, 'X 00D09E SeedOneShot'), { timeoutMs: 5000 });
    acs.behave('cpe-1', null);
    // As an ACS would (origin 'acs'): the periodic leaves are at Notification 1, so a
    // device-side write would add a 4 VALUE CHANGE to whichever session comes next.
    fleet.cpe(1).params.setValues([{ name: 'Device.ManagementServer.PeriodicInformEnable', value: 'false' }], 'acs');
    await settle(150);
    // Non-overlap is checked over every session of the CPE, bootstrap included. The
    // trigger kinds ignore 0 BOOTSTRAP/1 BOOT: the bootstrap session can start in the
    // same millisecond as `since` (ms-resolution wall clock), so `>= since` may include it.
    const mine = sessionsOf(fleet, 'cpe-1').filter((s) => s.endedAt !== undefined);
    const kinds = new Set(mine.filter((s) => s.startedAt >= since).flatMap((s) => s.events.map((e) => e.eventCode)).filter((c) => c !== '0 BOOTSTRAP' && c !== '1 BOOT'));
    expect(kinds).toEqual(new Set(['2 PERIODIC', CR, 'X 00D09E SeedOneShot']));
    // Every session completed (no "already in session" 400) and none overlapped another.
    expect(mine.filter((s) => !s.ok).map((s) => s.error)).toEqual([]);
    expect(acs.sessions.length).toBeGreaterThan(0);
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.startedAt, `session ${mine[i]!.id} vs ${mine[i - 1]!.id}`).toBeGreaterThanOrEqual(mine[i - 1]!.endedAt!);
    // The CPE's own record agrees.
    const own = cpe.sessions.filter((s) => s.endedAt !== undefined);
    for (let i = 1; i < own.length; i++) expect(own[i]!.startedAt).toBeGreaterThanOrEqual(own[i - 1]!.endedAt!);
    expect(own.every((s) => s.ok)).toBe(true);
  });
});

describe('seed: Multi-CPE routing', () => {
  it('seed: "When fleet.count > 1, the listener registers one Endpoint per CPE under /<cr-path>/<cpe-id>. ACS-initiated requests are dispatched to the right CPE\'s stack by exact URL-path match."', async () => {
    const fleet = await fleetOf({ count: 4 });
    expect(fleet.listener!.stats().endpoints).toBe(4);
    const origin = new URL(fleet.crUrls[0]!).origin;
    // Near misses reach nobody.
    for (const path of ['/cr', '/cr/', '/cr/cpe-2/', '/cr/cpe-2?x=1', '/cr/CPE-2', '/cr/cpe-02', '/cr/cpe-2%2F', '/cr/%63pe-2', '/cr/cpe-5', '/cr/cpe-2/x']) {
      const r = await curl(['-i', '--path-as-is', '--digest', '-u', 'user:pass', `${origin}${path}`]);
      expect(statusLines(r.stdout), path).toEqual(['HTTP/1.1 404 Not Found']);
    }
    const res = await fleet.acs!.connectionRequest(`${origin}/cr/cpe-2`, CREDS);
    expect(res.status).toBe(200);
    const inform = await fleet.acs!.waitForInform({ cpe: 'cpe-2', event: CR });
    expect(inform.serial).toBe('SEED-002');
    expect(inform.crId).toBe('cpe-2');
    await settle();
    expect(crInformsBySerial(fleet)).toEqual({ 'SEED-002': 1 });
    expect(['cpe-1', 'cpe-3', 'cpe-4'].map((id) => fleet.crRequests(id).length)).toEqual([0, 0, 0]);
  });

  it('seed: "The cpe-id value matches the {cpe_id} placeholder used elsewhere in the profile: cpe-1, cpe-2, …, cpe-N."', async () => {
    const p: ProfileOptions = { count: 4, username: 'cr-{cpe_id}', extraParameters: [{ path: 'Device.DeviceInfo.Description', value: 'unit {cpe_id}' }] };
    const whole = await fleetOf(p);
    const shard = await fleetOf(p, { shard: { index: 1, total: 2 } });
    for (const [fleet, ids] of [[whole, ['cpe-1', 'cpe-2', 'cpe-3', 'cpe-4']], [shard, ['cpe-3', 'cpe-4']]] as const) {
      expect(fleet.cpes.map((c) => c.id)).toEqual(ids);
      for (const cpe of fleet.cpes) {
        const placeholder = cpe.params.getValue('Device.DeviceInfo.Description')!.replace(/^unit /, '');
        expect(new URL(cpe.crUrl!).pathname).toBe(`/cr/${placeholder}`);
        expect(placeholder).toBe(cpe.id);
        // The {cpe_id}-derived credentials open exactly that URL.
        expect((await fleet.acs!.connectionRequest(cpe.crUrl!, { username: `cr-${placeholder}`, password: 'pass' })).status).toBe(200);
      }
    }
  });
});
