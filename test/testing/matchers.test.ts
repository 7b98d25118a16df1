// The matchers on hand-built objects shaped like the public Cpe / Fleet / FakeAcs /
// CR responses: every matcher passes, fails with an explaining message, and works
// under `.not`. The fleet-backed runs are in fixtures.int.test.ts.
import { describe, expect, test } from 'vitest';
import { cpeSimMatchers, type CpeView, type FleetView, type SessionView, type TranscriptEntryView } from '../../src/testing/matchers.js';
// Type-only: brings the `declare module 'vitest'` augmentation into this file.
import type {} from '../../src/testing/vitest.js';
import { failure } from '../support/failure.js';

expect.extend(cpeSimMatchers);


let nextSession = 1;
function session(cpeId: string, codes: string[], opts: { ok?: boolean; startedAt?: number; entries?: TranscriptEntryView[] } = {}): SessionView {
  const id = nextSession++;
  const events = codes.map((eventCode) => ({ eventCode, commandKey: '' }));
  const entries = opts.entries ?? [{ dir: 'cpe->acs' as const, summary: `Inform [${codes.join(', ')}] retry=0` }];
  return {
    id,
    cpeId,
    ok: opts.ok ?? true,
    startedAt: opts.startedAt ?? 1000 + id,
    endedAt: 1000 + id + 1,
    ...(opts.ok === false ? { error: 'ACS answered 500' } : {}),
    events,
    entries,
    toString: () => `session #${id} ${cpeId}\n${entries.map((e) => `  ${e.dir} ${e.summary}`).join('\n')}`,
  };
}

interface FakeCpe extends CpeView {
  sessions: SessionView[];
  informs: { sessionId: number; time: number; events: { eventCode: string }[]; ok: boolean }[];
  record(s: SessionView): void;
}
function fakeCpe(id: string, params: Record<string, string> = {}): FakeCpe {
  const listeners = new Set<(s: SessionView) => void>();
  const cpe: FakeCpe = {
    id,
    sessions: [],
    informs: [],
    params: { getValue: (p) => params[p] },
    onSession(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    record(s) {
      cpe.sessions.push(s);
      cpe.informs.push({ sessionId: s.id, time: s.startedAt, events: [...s.events], ok: s.ok });
      listeners.forEach((l) => l(s));
    },
  };
  return cpe;
}
function fakeFleet(cpes: FakeCpe[]): FleetView {
  return {
    cpes,
    cpe: (ref) => {
      const c = cpes.find((x) => x.id === (typeof ref === 'number' ? `cpe-${ref}` : ref));
      if (!c) throw new Error(`unknown CPE ${String(ref)}`);
      return c;
    },
  };
}

describe('toHaveInformed', () => {
  test('passes on a recorded Inform, fails listing the Informs seen', async () => {
    const cpe = fakeCpe('cpe-1');
    cpe.record(session('cpe-1', ['0 BOOTSTRAP', '1 BOOT']));
    await expect(cpe).toHaveInformed('1 BOOT');
    const msg = await failure(() => expect(cpe).toHaveInformed('6 CONNECTION REQUEST', { timeout: 20 }));
    expect(msg).toContain('toHaveInformed');
    expect(msg).toContain('Expected: an Inform carrying "6 CONNECTION REQUEST" from cpe-1 within 20 ms');
    expect(msg).toContain('Received: 0 matching Inform(s); 1 Inform(s) recorded:');
    expect(msg).toMatch(/cpe-1 {2}session #\d+ {2}\[0 BOOTSTRAP, 1 BOOT\]/);
  });

  test('waits for an Inform that arrives later', async () => {
    const cpe = fakeCpe('cpe-1');
    setTimeout(() => cpe.record(session('cpe-1', ['6 CONNECTION REQUEST'])), 30);
    await expect(cpe).toHaveInformed('6 CONNECTION REQUEST', { timeout: 1000 });
  });

  test('a failed Inform (no InformResponse) does not count', async () => {
    const cpe = fakeCpe('cpe-1');
    cpe.record(session('cpe-1', ['2 PERIODIC'], { ok: false }));
    const msg = await failure(() => expect(cpe).toHaveInformed('2 PERIODIC', { timeout: 0 }));
    expect(msg).toContain('[2 PERIODIC]  (failed)');
  });

  test('.not passes when absent and fails naming the Inform when present', async () => {
    const cpe = fakeCpe('cpe-1');
    cpe.record(session('cpe-1', ['1 BOOT']));
    await expect(cpe).not.toHaveInformed('6 CONNECTION REQUEST');
    const msg = await failure(() => expect(cpe).not.toHaveInformed('1 BOOT'));
    expect(msg).toContain('.not.toHaveInformed');
    expect(msg).toContain('Expected: no Inform carrying "1 BOOT" from cpe-1');
    expect(msg).toContain('Received: 1 matching Inform(s)');
  });

  test('.not with an explicit timeout watches the window and fails if the Inform comes', async () => {
    const cpe = fakeCpe('cpe-1');
    setTimeout(() => cpe.record(session('cpe-1', ['6 CONNECTION REQUEST'])), 20);
    const msg = await failure(() => expect(cpe).not.toHaveInformed('6 CONNECTION REQUEST', { timeout: 1000 }));
    expect(msg).toContain('Received: 1 matching Inform(s)');
  });

  test('times: exactly n', async () => {
    const cpe = fakeCpe('cpe-1');
    cpe.record(session('cpe-1', ['2 PERIODIC']));
    cpe.record(session('cpe-1', ['2 PERIODIC']));
    await expect(cpe).toHaveInformed('2 PERIODIC', { times: 2 });
    const msg = await failure(() => expect(cpe).toHaveInformed('2 PERIODIC', { times: 3, timeout: 10 }));
    expect(msg).toContain('Expected: exactly 3 Inform(s) carrying "2 PERIODIC"');
    expect(msg).toContain('Received: 2 matching Inform(s)');
    const tooMany = await failure(() => expect(cpe).toHaveInformed('2 PERIODIC', { times: 1 }));
    expect(tooMany).toContain('Received: 2 matching Inform(s)');
  });

  test('since drops earlier Informs; asymmetric event codes work', async () => {
    const cpe = fakeCpe('cpe-1');
    cpe.record(session('cpe-1', ['6 CONNECTION REQUEST'], { startedAt: 100 }));
    await expect(cpe).toHaveInformed(expect.stringMatching(/CONNECTION/));
    const msg = await failure(() => expect(cpe).toHaveInformed('6 CONNECTION REQUEST', { since: 200, timeout: 0 }));
    expect(msg).toContain('since 1970-01-01T00:00:00.200Z');
  });

  test('on a fleet: any CPE, or the one named by { cpe }', async () => {
    const a = fakeCpe('cpe-1');
    const b = fakeCpe('cpe-2');
    b.record(session('cpe-2', ['6 CONNECTION REQUEST']));
    const fleet = fakeFleet([a, b]);
    await expect(fleet).toHaveInformed('6 CONNECTION REQUEST');
    await expect(fleet).toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-2' });
    const msg = await failure(() => expect(fleet).toHaveInformed('6 CONNECTION REQUEST', { cpe: 1, timeout: 0 }));
    expect(msg).toContain('from cpe-1');
    expect(msg).toContain('0 Inform(s) recorded');
  });

  test('on a FakeAcs: its Inform log, narrowed by crId or serial', async () => {
    const acs = {
      informs: [{ sessionId: 1, serial: 'LAB-0002', crId: 'cpe-2', deviceId: { serialNumber: 'LAB-0002' }, events: [{ eventCode: '1 BOOT', commandKey: '' }], time: 5 }],
      waitForInform: async () => undefined,
      enqueue: () => undefined,
    };
    await expect(acs).toHaveInformed('1 BOOT');
    await expect(acs).toHaveInformed('1 BOOT', { cpe: 'cpe-2' });
    await expect(acs).toHaveInformed('1 BOOT', { cpe: 'LAB-0002' });
    const msg = await failure(() => expect(acs).toHaveInformed('1 BOOT', { cpe: 'cpe-1', timeout: 0 }));
    expect(msg).toContain('from the FakeAcs from cpe-1');
    // A key that matches nothing shows which CPEs the ACS did hear from.
    expect(msg).toContain('0 Inform(s) recorded');
    expect(msg).toContain('(the FakeAcs has Informs from other CPEs only: cpe-2)');
  });

  test('on a FakeAcs with resolve(): `cpe` narrows by the resolved serial (a single CPE publishes /cr)', async () => {
    const inform = (serial: string, code: string) => ({ sessionId: 1, serial, crId: 'cr', deviceId: { serialNumber: serial }, events: [{ eventCode: code, commandKey: '' }], time: 5 });
    const serials: Record<string, string> = { 'cpe-1': 'ONE-1', 'cpe-2': 'TWO-2' };
    const acs = {
      informs: [inform('ONE-1', '1 BOOT'), inform('TWO-2', '6 CONNECTION REQUEST')],
      waitForInform: async () => undefined,
      enqueue: () => undefined,
      resolve: (key: string) => serials[key],
    };
    await expect(acs).toHaveInformed('1 BOOT', { cpe: 'cpe-1' });
    await expect(acs).toHaveInformed('6 CONNECTION REQUEST', { cpe: 2 });
    // Both informs carry crId 'cr': without resolve, 'cpe-1' would match neither, and
    // a resolved key must not match the other device's Inform.
    await expect(acs).not.toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-1' });
    const msg = await failure(() => expect(acs).toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-1', timeout: 0 }));
    expect(msg).toContain('from the FakeAcs from cpe-1');
    // An unresolved key falls back to the CR-URL id and serial of each Inform.
    await expect(acs).toHaveInformed('1 BOOT', { cpe: 'cr' });
  });

  test('rejects a value it cannot read', async () => {
    await expect(expect({ status: 200 }).toHaveInformed('1 BOOT')).rejects.toThrow(/must be a Cpe, a Fleet or a FakeAcs/);
  });
});

describe('toHaveReceivedRpc', () => {
  const spv = {
    name: 'SetParameterValues',
    parameterKey: 'k1',
    parameterList: [
      { name: 'Device.ManagementServer.PeriodicInformInterval', value: '60', type: 'xsd:unsignedInt' },
      { name: 'Device.ManagementServer.PeriodicInformEnable', value: 'true', type: 'xsd:boolean' },
    ],
  };
  function cpeWithSpv(): FakeCpe {
    const cpe = fakeCpe('cpe-1');
    cpe.record(
      session('cpe-1', ['6 CONNECTION REQUEST'], {
        entries: [
          { dir: 'cpe->acs', summary: 'Inform [6 CONNECTION REQUEST] retry=0' },
          { dir: 'acs->cpe', summary: 'InformResponse', message: { name: 'InformResponse', maxEnvelopes: 1 } },
          { dir: 'cpe->acs', summary: '(empty)' },
          { dir: 'acs->cpe', summary: 'SetParameterValues Device.ManagementServer.PeriodicInformInterval=60 …', message: spv },
          { dir: 'cpe->acs', summary: 'SetParameterValuesResponse status=0', message: { name: 'SetParameterValuesResponse', status: 0 } },
        ],
      }),
    );
    return cpe;
  }

  test('matches by name and by partial request, arrays in any order, asymmetric leaves', async () => {
    const cpe = cpeWithSpv();
    await expect(cpe).toHaveReceivedRpc('SetParameterValues');
    await expect(cpe).toHaveReceivedRpc('SetParameterValues', { parameterList: [{ name: 'Device.ManagementServer.PeriodicInformEnable', value: 'true' }] });
    await expect(cpe).toHaveReceivedRpc('SetParameterValues', { parameterKey: expect.stringMatching(/^k/) });
    await expect(cpe).not.toHaveReceivedRpc('Reboot');
  });

  test('fails listing the ACS requests seen, or the non-matching request of that name', async () => {
    const cpe = cpeWithSpv();
    const none = await failure(() => expect(cpe).toHaveReceivedRpc('GetParameterValues', undefined, { timeout: 0 }));
    expect(none).toContain('Expected: cpe-1 to receive "GetParameterValues"');
    expect(none).toContain('Received: no such request; ACS requests seen (1):');
    expect(none).not.toContain('InformResponse');
    expect(none).toContain('SetParameterValues Device.ManagementServer.PeriodicInformInterval=60');

    const wrong = await failure(() => expect(cpe).toHaveReceivedRpc('SetParameterValues', { parameterList: [{ value: '61' }] }, { timeout: 0 }));
    expect(wrong).toMatch(/matching: Object \{\n {4}"parameterList": Array \[\n {6}Object \{\n {8}"value": "61",/);
    expect(wrong).toContain('Received: 1 SetParameterValues request(s), none matching; the last one:');
    expect(wrong).toContain('"parameterKey": "k1"');
  });

  test('.not fails naming the session that carried it', async () => {
    const cpe = cpeWithSpv();
    const msg = await failure(() => expect(cpe).not.toHaveReceivedRpc('SetParameterValues'));
    expect(msg).toMatch(/Received: cpe-1 got it in session #\d+: SetParameterValues/);
  });

  test('on a fleet with { cpe } narrowing', async () => {
    const fleet = fakeFleet([fakeCpe('cpe-1'), cpeWithSpv()].map((c, i) => Object.assign(c, { id: `cpe-${i + 1}` })));
    await expect(fleet).toHaveReceivedRpc('SetParameterValues');
    await expect(fleet).not.toHaveReceivedRpc('SetParameterValues', undefined, { cpe: 'cpe-1' });
  });
});

describe('toHaveParameterValue', () => {
  const cpe = fakeCpe('cpe-4', { 'Device.DeviceInfo.SoftwareVersion': '1.0.0' });
  test('passes, fails with path / expected / received, and .not', async () => {
    expect(cpe).toHaveParameterValue('Device.DeviceInfo.SoftwareVersion', '1.0.0');
    expect(cpe).toHaveParameterValue('Device.DeviceInfo.SoftwareVersion', expect.stringMatching(/^1\./));
    expect(cpe).not.toHaveParameterValue('Device.DeviceInfo.SoftwareVersion', '2.0.0');
    const msg = await failure(() => expect(cpe).toHaveParameterValue('Device.DeviceInfo.SoftwareVersion', '2.0.0'));
    expect(msg).toContain('toHaveParameterValue(path, value)');
    expect(msg).toContain('Parameter: Device.DeviceInfo.SoftwareVersion');
    expect(msg).toContain('Expected: "2.0.0"');
    expect(msg).toContain('Received: "1.0.0"');
    const not = await failure(() => expect(cpe).not.toHaveParameterValue('Device.DeviceInfo.SoftwareVersion', '1.0.0'));
    expect(not).toContain('Expected: not "1.0.0"');
  });
  test('an unknown path is a usage error, also under .not (a typo must not pass)', () => {
    expect(() => expect(cpe).not.toHaveParameterValue('Device.DeviceInfo.SoftwareVersoin', 'x')).toThrow('cpe-4 has no parameter Device.DeviceInfo.SoftwareVersoin');
  });
});

describe('toHaveCompletedSessions', () => {
  test('counts sessions that ended ok, on a CPE and summed on a fleet', async () => {
    const a = fakeCpe('cpe-1');
    a.record(session('cpe-1', ['0 BOOTSTRAP', '1 BOOT']));
    a.record(session('cpe-1', ['2 PERIODIC'], { ok: false }));
    const b = fakeCpe('cpe-2');
    b.record(session('cpe-2', ['0 BOOTSTRAP', '1 BOOT']));
    expect(a).toHaveCompletedSessions(1);
    expect(fakeFleet([a, b])).toHaveCompletedSessions(2);
    expect(a).toHaveCompletedSessions(expect.any(Number));
    expect(a).not.toHaveCompletedSessions(2);
    const msg = await failure(() => expect(a).toHaveCompletedSessions(2));
    expect(msg).toContain('Expected: 2 completed session(s)');
    expect(msg).toContain('Received: 1 completed of 2 recorded:');
    expect(msg).toMatch(/\[2 PERIODIC\] {2}failed: ACS answered 500/);
  });
});

describe('CR response matchers', () => {
  test('toBeThrottled: 503 + whole-second Retry-After, on a CrResult, a fetch Response, an undici response', async () => {
    expect({ status: 503, retryAfter: 5, headers: { 'retry-after': '5' } }).toBeThrottled({ retryAfter: 5 });
    expect(new Response(null, { status: 503, headers: { 'Retry-After': '3' } })).toBeThrottled();
    expect({ statusCode: 503, headers: { 'retry-after': ['2'] } }).toBeThrottled({ retryAfter: expect.any(Number) });
    expect({ status: 200, headers: {} }).not.toBeThrottled();

    const noHeader = await failure(() => expect({ status: 503, headers: {} }).toBeThrottled());
    expect(noHeader).toContain('Expected: 503 with Retry-After (whole seconds)');
    expect(noHeader).toContain('Received: 503');
    expect(noHeader).not.toContain('retry-after');
    const wrongValue = await failure(() => expect({ status: 503, headers: { 'Retry-After': '5' } }).toBeThrottled({ retryAfter: 4 }));
    expect(wrongValue).toContain('Expected: 503 with Retry-After 4');
    expect(wrongValue).toContain('Received: 503\n  retry-after: "5"');
    const httpDate = await failure(() => expect({ status: 503, headers: { 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' } }).toBeThrottled());
    expect(httpDate).toContain('is not delay-seconds');
    const not = await failure(() => expect({ status: 503, headers: { 'Retry-After': '1' } }).not.toBeThrottled());
    expect(not).toContain('Expected: not 503 with Retry-After');
  });

  test('toBeUnauthorized: 401, challenge scheme, or no challenge at all', async () => {
    const digest = { status: 401, headers: { 'WWW-Authenticate': 'Digest realm="cpe-sim", qop="auth", nonce="abc"' } };
    expect(digest).toBeUnauthorized();
    expect(digest).toBeUnauthorized({ scheme: 'digest' });
    expect(digest).not.toBeUnauthorized({ scheme: 'basic' });
    expect({ status: 401, headers: {} }).toBeUnauthorized({ scheme: false });
    const msg = await failure(() => expect(digest).toBeUnauthorized({ scheme: 'basic' }));
    expect(msg).toContain('Expected: 401 with a WWW-Authenticate basic challenge');
    expect(msg).toContain('  www-authenticate: "Digest realm=');
    const ok = await failure(() => expect({ status: 200, headers: {} }).toBeUnauthorized());
    expect(ok).toContain('Received: 200');
  });

  test('toBeAccepted: 200 or 204', async () => {
    expect({ status: 200, headers: {} }).toBeAccepted();
    expect(new Response(null, { status: 204 })).toBeAccepted();
    const msg = await failure(() => expect({ status: 503, headers: { 'retry-after': '5' } }).toBeAccepted());
    expect(msg).toContain('Expected: 200 or 204');
    expect(msg).toContain('Received: 503\n  retry-after: "5"');
    const not = await failure(() => expect({ status: 200, headers: {} }).not.toBeAccepted());
    expect(not).toContain('.not.toBeAccepted');
    expect(() => expect('nope').toBeAccepted()).toThrow(/numeric status or statusCode/);
  });
});
