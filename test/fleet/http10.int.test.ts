// The `http10` behaviour (issue 17): a CPE whose ACS connection speaks HTTP/1.0 without
// keep-alive, as old boxes do. Seen from the fake ACS's side over real sockets: every
// message of the session on its own TCP connection with an HTTP/1.0 request line, the
// session held together by its cookie alone; Digest authentication still works.
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetOptions } from '../../src/fleet/index.js';
import type { AcsMessageRecord, AcsSession } from '../../src/acs/index.js';
import { tr181Profile } from '../support/profile.js';

const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';
const PROFILE = tr181Profile('OLD', 3, [{ path: INTERVAL, value: '300', type: 'xsd:unsignedInt', writable: true }]);
const QUIRK = 'HTTP/1.0 without keep-alive: a new TCP connection for every message';

const open: Fleet[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function fleet(opts: Partial<FleetOptions> = {}): Promise<Fleet> {
  const f = await startFleet({ profile: PROFILE, seed: 5, ...opts });
  open.push(f);
  return f;
}

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
    expect(rec.quirks).toEqual([QUIRK]);
    expect(rec.toString()).toContain(`! quirk: ${QUIRK}`);
    expect(f.cpe(2).sessions.at(-1)!.quirks).toBeUndefined();
  });

  it('an ACS that binds its Digest nonce to the connection refuses such a box (as it refuses reconnectAfter401)', async () => {
    const f = await fleet({ embeddedAcs: { auth: { scheme: 'digest', username: 'acs', password: 'pw', nonceScope: 'connection' } }, acsUsername: 'acs', acsPassword: 'pw' });
    f.cpe(1).inject({ http10: true });
    const s = await f.cpe(1).inform(['2 PERIODIC']).catch(() => f.cpe(1).sessions.at(-1)!);
    expect(s.ok).toBe(false);
    expect(s.error).toMatch(/401 to the authenticated retry/);
    expect(s.quirks).toEqual([QUIRK]);
  });

  it('comes from the profile\'s behaviour block (seeded share), and is validated like every option', async () => {
    const f = await fleet({ profile: { ...PROFILE, behaviour: [{ instances: '2-3', http10: true }] } });
    const versions = (id: string): (string | undefined)[] => fromCpe(f.acs!.sessions.find((s) => s.serial === f.cpe(id).serialNumber)!).map((m) => m.httpVersion);
    expect(versions('cpe-1')).toEqual(['1.1', '1.1']);
    expect(versions('cpe-2')).toEqual(['1.0', '1.0']);
    expect(f.cpe(3).sessions[0]!.quirks).toEqual([QUIRK]);
    expect(() => f.cpe(1).inject({ http10: 'yes' } as never)).toThrow(/http10 must be true or false, got "yes"/);
    await expect(startFleet({ profile: { ...PROFILE, behaviour: [{ http10: 1 }] } })).rejects.toThrow(/behaviour.*http10/);
  });
});
