// Injected misbehaviour, each quirk seen from the fake ACS's side over real sockets
// (127.0.0.1), and recorded in the CPE's transcript (`quirks`).
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetOptions } from '../../src/fleet/index.js';
import type { AcsMessageRecord, AcsSession } from '../../src/acs/index.js';
import type { AcsRequest } from '../../src/cwmp/index.js';
import { tr181Profile } from '../support/profile.js';

const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';
const PROFILE = tr181Profile('QUIRK', 4, [{ path: INTERVAL, value: '300', type: 'xsd:unsignedInt', writable: true }]);

const open: Fleet[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function fleet(opts: Partial<FleetOptions> = {}): Promise<Fleet> {
  const f = await startFleet({ profile: PROFILE, seed: 3, ...opts });
  open.push(f);
  return f;
}

const GPV: AcsRequest = { name: 'GetParameterValues', parameterNames: [INTERVAL] };
const SPV: AcsRequest = { name: 'SetParameterValues', parameterList: [{ name: INTERVAL, value: '60', type: 'xsd:unsignedInt' }], parameterKey: 'k' };

/** The ACS sends `req` to cpe-1 in a CR-triggered session. */
async function rpc(f: Fleet, req: AcsRequest, timeoutMs = 5000): Promise<unknown> {
  const p = f.acs!.rpc('cpe-1', req, { timeoutMs });
  expect((await f.acs!.connectionRequest(f.cpe(1).crUrl!, { username: 'u', password: 'p' })).status).toBe(200);
  return p;
}

type Rec = { ok: boolean; error?: string; quirks?: string[]; toString(): string };

/** The id of cpe-1's latest recorded session (taken before an action). */
function mark(f: Fleet): number {
  return f.cpe(1).sessions.at(-1)?.id ?? 0;
}

/** cpe-1's first session after `m` once it has ended. */
function after(f: Fleet, m: number): Promise<Rec> {
  return f.cpe(1).waitForSession((s) => s.id > m, { timeoutMs: 5000 });
}

describe('behaviour injection', () => {
  it('fault: the RPC is answered with the fault and not executed', async () => {
    const f = await fleet();
    f.cpe(1).inject({ fault: { rpc: 'SetParameterValues', code: 9002, string: 'Internal error (injected)' } });
    const m = mark(f);
    const res = (await rpc(f, SPV)) as { name: string; detail?: { faultCode: number } };
    expect(res).toMatchObject({ name: 'Fault', detail: { faultCode: 9002 } });
    expect(f.cpe(1).params.getValue(INTERVAL)).toBe('300');
    const s = await after(f, m);
    expect(s.quirks).toEqual(['answered SetParameterValues with fault 9002']);
    expect(s.toString()).toContain('! quirk: answered SetParameterValues with fault 9002');
  });

  it('delay answers late; neverAnswer makes the ACS time out and the CPE give up after its own timeout', async () => {
    const f = await fleet({ acsTimeoutMs: 400 });
    f.cpe(1).inject({ delay: { ms: 20, rpc: 'GetParameterValues' } });
    const m1 = mark(f);
    expect(await rpc(f, GPV)).toMatchObject({ name: 'GetParameterValuesResponse' });
    expect((await after(f, m1)).quirks).toEqual(['answered GetParameterValues after 20 ms']);

    f.cpe(1).inject({ neverAnswer: 'GetParameterValues' });
    const m2 = mark(f);
    await expect(rpc(f, GPV, 200)).rejects.toThrow(/GetParameterValues/);
    const s = await after(f, m2);
    expect(s.ok).toBe(false);
    expect(s.error).toMatch(/quirk: never answered GetParameterValues/);
  });

  it('malformed XML and a wrong cwmp:ID end the ACS session with a protocol error', async () => {
    const f = await fleet();
    f.cpe(1).inject({ wrongId: 'GetParameterValuesResponse' });
    await expect(rpc(f, GPV)).rejects.toThrow(/carries cwmp:ID .*-wrong.*expected/);
    f.cpe(1).inject(null);
    f.cpe(1).inject({ malformedXml: 'GetParameterValuesResponse' });
    await expect(rpc(f, GPV)).rejects.toThrow(/malformed SOAP from the CPE/);
    expect(f.acs!.sessions.at(-1)).toMatchObject({ ok: false, error: expect.stringMatching(/protocol error: malformed SOAP/) });
  });

  it('dropCookies: the ACS cannot tie the empty POST to the session (400 Invalid session)', async () => {
    const f = await fleet();
    f.cpe(1).inject({ dropCookies: true });
    const m = mark(f);
    await f.cpe(1).inform(['2 PERIODIC']).catch(() => undefined);
    const s = await after(f, m);
    expect(s.ok).toBe(false);
    expect(s.error).toMatch(/HTTP 400 .*Invalid session/);
    expect(s.quirks).toContain('cookies dropped');
  });

  it('closeBefore / closeAfter: the ACS sees the session break off', async () => {
    const f = await fleet();
    f.cpe(1).inject({ closeBefore: 'empty' });
    const m1 = mark(f);
    await f.cpe(1).inform(['2 PERIODIC']).catch(() => undefined);
    expect((await after(f, m1)).error).toMatch(/quirk: closed the connection before sending empty/);
    // The ACS got the Inform and answered it, then nothing: its session never completed.
    expect(f.acs!.sessions.at(-1)).toMatchObject({ ok: false });

    f.cpe(1).inject(null);
    f.cpe(1).inject({ closeAfter: 'Inform' });
    const before = f.acs!.informs.length;
    const m2 = mark(f);
    await f.cpe(1).inform(['2 PERIODIC']).catch(() => undefined);
    expect((await after(f, m2)).error).toMatch(/quirk: closed the connection after sending Inform/);
    expect(f.acs!.informs.length).toBe(before + 1);
  });

  it('retryCount: the Inform reports the injected RetryCount', async () => {
    const f = await fleet();
    f.cpe(1).inject({ retryCount: 7 });
    const m = mark(f);
    await f.cpe(1).inform(['2 PERIODIC']);
    expect(f.acs!.informs.at(-1)).toMatchObject({ retryCount: 7 });
    expect((await after(f, m)).quirks).toEqual(['RetryCount 7 reported instead of 0']);
  });

  it('reconnectAfter401: against an ACS whose Digest nonce is bound to the connection, the authenticated retry is refused', async () => {
    const f = await fleet({ timeScale: 0.001, embeddedAcs: { auth: { scheme: 'digest', username: 'acs', password: 'pw', nonceScope: 'connection' } }, acsUsername: 'acs', acsPassword: 'pw' });
    f.cpe(1).inject({ reconnectAfter401: true });
    const m = mark(f);
    await f.cpe(1).inform(['2 PERIODIC']).catch(() => undefined);
    const s = await after(f, m);
    expect(s.quirks).toContain('new TCP connection for the authenticated retry');
    expect(s.ok).toBe(false);
    expect(s.error).toMatch(/401 to the authenticated retry/);
    // The same CPE without the quirk gets through.
    f.cpe(1).inject(null);
    expect((await f.cpe(1).inform(['2 PERIODIC'])).ok).toBe(true);
  });

  it('the profile\'s behaviour block injects into its band before the first session', async () => {
    const f = await fleet({ profile: { ...PROFILE, behaviour: [{ instances: '2-3', retryCount: 9 }] } });
    const retry = (id: string): number | undefined => f.acs!.informs.find((i) => i.serial === f.cpe(id).serialNumber)?.retryCount;
    expect([retry('cpe-1'), retry('cpe-2'), retry('cpe-3'), retry('cpe-4')]).toEqual([0, 9, 9, 0]);
    expect(f.cpe(2).sessions[0]!.quirks).toEqual(['RetryCount 9 reported instead of 0']);
  });

  it('fleet.inject({ share }) hits a seeded share; null clears; bad options name the option', async () => {
    const f = await fleet();
    const hit = f.inject({ share: 0.5, retryCount: 3 });
    expect(hit).toHaveLength(2);
    expect(f.cpes.filter((c) => c.injected?.retryCount === 3)).toEqual(hit);
    f.inject(null);
    expect(f.cpes.every((c) => c.injected === undefined)).toBe(true);
    expect(() => f.inject({ dropCookie: true } as never)).toThrow(/fleet.inject: unknown behaviour "dropCookie"; expected one of/);
    expect(() => f.cpe(1).inject({ fault: { rpc: 'Reboot', code: 42 } })).toThrow(/fault must be \{ rpc: 'SetParameterValues' \(or '\*'\), code: 9000..9899/);
    expect(() => f.cpe(1).inject({ delay: { ms: -1 } })).toThrow(/delay must be \{ ms: number >= 0/);
    expect(() => f.inject({ share: 2, dropCookies: true })).toThrow(/share must be a number in \(0, 1\]/);
  });
});

// The `http10` behaviour: a CPE whose ACS connection speaks HTTP/1.0 without keep-alive, as
// old boxes do: every message of the session on its own TCP connection with an HTTP/1.0
// request line, the session held together by its cookie alone.
const HTTP10 = 'HTTP/1.0 without keep-alive: a new TCP connection for every message';

/** The ACS's latest session of `cpe` once its GetParameterValues round trip is done (CR-triggered). */
async function gpvSession(f: Fleet, cpe: string): Promise<AcsSession> {
  const done = f.acs!.rpc(cpe, { name: 'GetParameterValues', parameterNames: [INTERVAL] }, { timeoutMs: 5000 });
  expect((await f.acs!.connectionRequest(f.cpe(cpe).crUrl!, { username: 'u', password: 'p' })).status).toBe(200);
  expect(await done).toMatchObject({ name: 'GetParameterValuesResponse' });
  const serial = f.cpe(cpe).serialNumber;
  const s = await f.cpe(cpe).waitForSession((x) => x.events.some((e) => e.eventCode === '6 CONNECTION REQUEST'), { timeoutMs: 5000 });
  expect(s.ok).toBe(true);
  return f.acs!.sessions.filter((x) => x.serial === serial).at(-1)!;
}

const fromCpe = (s: AcsSession): AcsMessageRecord[] => s.messages.filter((m) => m.dir === 'cpe->acs');

describe('http10: HTTP/1.0 without keep-alive', () => {
  it('every message reaches the ACS as HTTP/1.0 on a connection of its own; a well-behaved CPE keeps one HTTP/1.1 connection', async () => {
    // Digest with nonces valid on any connection: the 401 and the authenticated retry travel on separate connections.
    const f = await fleet({ embeddedAcs: { auth: { scheme: 'digest', username: 'acs', password: 'pw', nonceScope: 'any' } }, acsUsername: 'acs', acsPassword: 'pw' });
    f.cpe(1).inject({ http10: true });

    const old = fromCpe(await gpvSession(f, 'cpe-1'));
    expect(old.map((m) => m.summary.split(' ')[0])).toEqual(['Inform', '(empty)', 'GetParameterValuesResponse']);
    expect(old.map((m) => m.httpVersion)).toEqual(['1.0', '1.0', '1.0']);
    expect(new Set(old.map((m) => m.connectionId)).size).toBe(3);

    const modern = fromCpe(await gpvSession(f, 'cpe-2'));
    expect(modern.map((m) => m.httpVersion)).toEqual(['1.1', '1.1', '1.1']);
    expect(new Set(modern.map((m) => m.connectionId)).size).toBe(1);

    // The CPE's transcript says it did so on purpose.
    const rec = f.cpe(1).sessions.at(-1)!;
    expect(rec.quirks).toEqual([HTTP10]);
    expect(rec.toString()).toContain(`! quirk: ${HTTP10}`);
    expect(f.cpe(2).sessions.at(-1)!.quirks).toBeUndefined();
  });

  it('an ACS that binds its Digest nonce to the connection refuses such a box (as it refuses reconnectAfter401)', async () => {
    const f = await fleet({ embeddedAcs: { auth: { scheme: 'digest', username: 'acs', password: 'pw', nonceScope: 'connection' } }, acsUsername: 'acs', acsPassword: 'pw' });
    f.cpe(1).inject({ http10: true });
    const s = await f.cpe(1).inform(['2 PERIODIC']).catch(() => f.cpe(1).sessions.at(-1)!);
    expect(s.ok).toBe(false);
    expect(s.error).toMatch(/401 to the authenticated retry/);
    expect(s.quirks).toEqual([HTTP10]);
  });

  it('comes from the profile\'s behaviour block (seeded share), and is validated like every option', async () => {
    const f = await fleet({ profile: { ...PROFILE, behaviour: [{ instances: '2-3', http10: true }] } });
    const versions = (id: string): (string | undefined)[] => fromCpe(f.acs!.sessions.find((s) => s.serial === f.cpe(id).serialNumber)!).map((m) => m.httpVersion);
    expect(versions('cpe-1')).toEqual(['1.1', '1.1']);
    expect(versions('cpe-2')).toEqual(['1.0', '1.0']);
    expect(f.cpe(3).sessions[0]!.quirks).toEqual([HTTP10]);
    expect(() => f.cpe(1).inject({ http10: 'yes' } as never)).toThrow(/http10 must be true or false, got "yes"/);
    await expect(startFleet({ profile: { ...PROFILE, behaviour: [{ http10: 1 }] } })).rejects.toThrow(/behaviour.*http10/);
  });
});
