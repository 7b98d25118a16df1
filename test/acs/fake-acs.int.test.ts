import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeAcs, formatAcsLine, type AcsTranscriptLine, type FakeAcs, type FakeAcsOptions } from '../../src/acs/index.js';
import {
  NS10,
  NS12,
  RawCpe,
  authParams,
  bodyNamespaceOf,
  digestAuth,
  envelope,
  idOf,
  informXml,
  methodOf,
  tag,
} from './raw-cpe.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});
async function acsWith(opts: FakeAcsOptions = {}): Promise<FakeAcs> {
  const acs = await createFakeAcs(opts);
  open.push(acs);
  return acs;
}
function cpeFor(acs: FakeAcs): RawCpe {
  const c = new RawCpe(acs.url);
  open.push(c);
  return c;
}
const gpvResponse = (id: string, name: string, value: string): string =>
  envelope(
    `<ns0:GetParameterValuesResponse><ParameterList SOAP-ENC:arrayType="ns0:ParameterValueStruct[1]"><ParameterValueStruct><Name>${name}</Name><Value xsi:type="xsd:string">${value}</Value></ParameterValueStruct></ParameterList></ns0:GetParameterValuesResponse>`,
    { id },
  );

describe('fake ACS over a real socket: proof with a raw-XML CPE', () => {
  it('completes a session with TransferComplete and two RPCs in namespace cwmp-1-0 (prefix ns0), with a cookie', async () => {
    const acs = await acsWith({ keepXml: true });
    expect(acs.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cwmp$/);
    acs.enqueue('RAW001', { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] });
    const spv = acs.rpc('RAW001', {
      name: 'SetParameterValues',
      parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '300', type: 'xsd:unsignedInt' }],
      parameterKey: 'pk-1',
    });
    const cpe = cpeFor(acs);

    const r1 = await cpe.post(informXml({ serial: 'RAW001', id: 'inf-77', events: [['1 BOOT', ''], ['7 TRANSFER COMPLETE', '']] }));
    expect(r1.status).toBe(200);
    expect(r1.headers['content-type']).toMatch(/^text\/xml/);
    expect(methodOf(r1.text)).toBe('InformResponse');
    expect(bodyNamespaceOf(r1.text)).toBe(NS10); // echoes the CPE's namespace
    expect(idOf(r1.text)).toBe('inf-77');
    expect(tag(r1.text, 'MaxEnvelopes')).toBe('1');
    expect(r1.text).not.toContain('UseCWMPVersion');
    expect(r1.headers['set-cookie']).toMatch(/^session=[0-9a-f]{16}; Path=\//);
    const cookie = cpe.cookie!;

    const r2 = await cpe.post(
      envelope(
        `<ns0:TransferComplete><CommandKey>fw-1</CommandKey><FaultStruct><FaultCode>0</FaultCode><FaultString></FaultString></FaultStruct><StartTime>2025-03-01T10:16:00Z</StartTime><CompleteTime>2025-03-01T10:17:00Z</CompleteTime></ns0:TransferComplete>`,
        { id: 'tc-1' },
      ),
    );
    expect(r2.status).toBe(200);
    expect(methodOf(r2.text)).toBe('TransferCompleteResponse');
    expect(idOf(r2.text)).toBe('tc-1');

    const r3 = await cpe.post(null);
    expect(r3.status).toBe(200);
    expect(methodOf(r3.text)).toBe('GetParameterValues');
    expect(bodyNamespaceOf(r3.text)).toBe(NS10);
    expect(r3.text).toContain('<string>Device.DeviceInfo.SoftwareVersion</string>');
    const gpvId = idOf(r3.text)!;
    expect(gpvId).toBeTruthy();

    // The cookie is what ties the answer to the session: a second connection without it is refused.
    const stranger = cpeFor(acs);
    const bad = await stranger.post(gpvResponse(gpvId, 'Device.DeviceInfo.SoftwareVersion', '1.0'));
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/Invalid session/);
    const wrong = await stranger.post(gpvResponse(gpvId, 'Device.DeviceInfo.SoftwareVersion', '1.0'), { cookie: 'session=0000000000000000' });
    expect(wrong.status).toBe(400);
    // …while the right cookie on a NEW connection continues the session (TR-069 §3.4.1 allows a new connection).
    const other = cpeFor(acs);
    other.cookie = cookie;
    const r4 = await other.post(gpvResponse(gpvId, 'Device.DeviceInfo.SoftwareVersion', '1.0'));
    expect(r4.status).toBe(200);
    expect(methodOf(r4.text)).toBe('SetParameterValues');
    expect(r4.text).toMatch(/<Value xsi:type="xsd:unsignedInt">300<\/Value>/);
    expect(tag(r4.text, 'ParameterKey')).toBe('pk-1');
    const spvId = idOf(r4.text)!;
    expect(spvId).not.toBe(gpvId);

    const r5 = await cpe.post(envelope(`<ns0:SetParameterValuesResponse><Status>0</Status></ns0:SetParameterValuesResponse>`, { id: spvId }));
    expect(r5.status).toBe(204);
    expect(r5.text).toBe('');
    await expect(spv).resolves.toEqual({ name: 'SetParameterValuesResponse', status: 0 });

    // The session is over: its cookie no longer works.
    expect((await cpe.post(null)).status).toBe(400);

    expect(acs.sessions).toHaveLength(1);
    const s = acs.sessions[0]!;
    expect(s.ok).toBe(true);
    expect(s.serial).toBe('RAW001');
    expect(s.namespace).toBe(NS10);
    expect(s.deviceId).toEqual({ manufacturer: 'RawCo', oui: '00A0B1', productClass: 'RawBox', serialNumber: 'RAW001' });
    expect(s.events.map((e) => e.eventCode)).toEqual(['1 BOOT', '7 TRANSFER COMPLETE']);
    expect(s.messages.map((m) => `${m.dir} ${m.status ?? ''} ${m.message === null ? '(none)' : (m.message?.name ?? '?')}`)).toEqual([
      'cpe->acs  Inform',
      'acs->cpe 200 InformResponse',
      'cpe->acs  TransferComplete',
      'acs->cpe 200 TransferCompleteResponse',
      'cpe->acs  (none)',
      'acs->cpe 200 GetParameterValues',
      'cpe->acs  GetParameterValuesResponse',
      'acs->cpe 200 SetParameterValues',
      'cpe->acs  SetParameterValuesResponse',
      'acs->cpe 204 (none)',
    ]);
    expect(s.messages[0]!.xml).toContain('<ns0:Inform>');
    expect(acs.informs).toHaveLength(1);
    expect(acs.informs[0]).toMatchObject({ sessionId: 1, serial: 'RAW001', retryCount: 0 });
    expect(acs.informs[0]!.parameters[0]).toMatchObject({ name: 'Device.DeviceInfo.SoftwareVersion', value: '1.0' });
  });

  it('answers GetRPCMethods with its method list and an unknown CPE method with 8000, and the session goes on', async () => {
    const acs = await acsWith();
    const cpe = cpeFor(acs);
    await cpe.post(informXml({ serial: 'RAW002', ns: NS12, prefix: 'cwmp' }));
    const r = await cpe.post(envelope(`<cwmp:GetRPCMethods/>`, { ns: NS12, prefix: 'cwmp', id: 'g1' }));
    expect(methodOf(r.text)).toBe('GetRPCMethodsResponse');
    expect(idOf(r.text)).toBe('g1');
    expect([...r.text.matchAll(/<string>(\w+)<\/string>/g)].map((m) => m[1])).toEqual(['Inform', 'GetRPCMethods', 'TransferComplete', 'AutonomousTransferComplete', 'DUStateChangeComplete', 'AutonomousDUStateChangeComplete']);
    const u = await cpe.post(envelope(`<cwmp:RequestDownload><FileType>1 Firmware Upgrade Image</FileType></cwmp:RequestDownload>`, { ns: NS12, prefix: 'cwmp', id: 'rd1' }));
    expect(u.status).toBe(200);
    expect(methodOf(u.text)).toBe('Fault');
    expect(tag(u.text, 'FaultCode')).toBe('8000');
    expect(idOf(u.text)).toBe('rd1');
    expect((await cpe.post(null)).status).toBe(204);
    expect(acs.sessions[0]!.ok).toBe(true);
  });

  it('resolves rpc() with a CPE Fault and delivers one RPC per response', async () => {
    const acs = await acsWith();
    const p = acs.rpc('RAW003', { name: 'GetParameterValues', parameterNames: ['Device.Nope.'] });
    const cpe = cpeFor(acs);
    await cpe.post(informXml({ serial: 'RAW003' }));
    const r = await cpe.post(null);
    const id = idOf(r.text)!;
    const fault = envelope(
      `<SOAP-ENV:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><ns0:Fault><FaultCode>9005</FaultCode><FaultString>Invalid parameter name</FaultString></ns0:Fault></detail></SOAP-ENV:Fault>`,
      { id },
    );
    expect((await cpe.post(fault)).status).toBe(204);
    await expect(p).resolves.toMatchObject({ name: 'Fault', detail: { faultCode: 9005, faultString: 'Invalid parameter name' } });
  });
});

describe('version negotiation', () => {
  it('with cwmpVersion 1.4 sends UseCWMPVersion = highest common version (TR-069 §3.7.4)', async () => {
    const acs = await acsWith({ cwmpVersion: '1.4' });
    const cpe = cpeFor(acs);
    const r = await cpe.post(
      informXml({ serial: 'V14', ns: NS12, prefix: 'cwmp', extraHeader: '<cwmp:SupportedCWMPVersions SOAP-ENV:mustUnderstand="0">1.0,1.1,1.2,1.3,1.4</cwmp:SupportedCWMPVersions>' }),
    );
    expect(tag(r.text, 'cwmp:UseCWMPVersion')).toBe('1.4');
    const cpe2 = cpeFor(acs);
    const r2 = await cpe2.post(
      informXml({ serial: 'V13', ns: NS12, prefix: 'cwmp', extraHeader: '<cwmp:SupportedCWMPVersions SOAP-ENV:mustUnderstand="0">1.0,1.2,1.3</cwmp:SupportedCWMPVersions>' }),
    );
    expect(tag(r2.text, 'cwmp:UseCWMPVersion')).toBe('1.3');
    // No SupportedCWMPVersions header: no UseCWMPVersion.
    const r3 = await cpeFor(acs).post(informXml({ serial: 'V12', ns: NS12, prefix: 'cwmp' }));
    expect(r3.text).not.toContain('UseCWMPVersion');
  });

  it('answers in the lower namespace when the ACS speaks 1.0 and the CPE 1.2', async () => {
    const acs = await acsWith({ cwmpVersion: '1.0' });
    const r = await cpeFor(acs).post(informXml({ serial: 'V10', ns: NS12, prefix: 'cwmp' }));
    expect(bodyNamespaceOf(r.text)).toBe(NS10);
  });
});

describe('identity matching', () => {
  it('resolve() maps alias, serial, OUI-ProductClass-Serial, OUI-Serial and CR-URL id to the serial', async () => {
    const acs = await acsWith();
    acs.alias('cpe-9', 'RAW010');
    // An alias resolves before its device ever informed; other keys need an Inform.
    expect(acs.resolve('cpe-9')).toBe('RAW010');
    expect(acs.resolve('RAW010')).toBeUndefined();
    expect(acs.resolve('box-7')).toBeUndefined();
    const cpe = cpeFor(acs);
    await cpe.post(informXml({ serial: 'RAW010', crUrl: 'http://127.0.0.1:7547/cr/box-7' }));
    expect(acs.resolve('RAW010')).toBe('RAW010');
    expect(acs.resolve('00A0B1-RawBox-RAW010')).toBe('RAW010');
    expect(acs.resolve('00A0B1-RAW010')).toBe('RAW010');
    expect(acs.resolve('box-7')).toBe('RAW010');
    expect(acs.resolve('box-8')).toBeUndefined();
    expect(acs.resolve('*')).toBeUndefined();
    // clear() forgets history, not who the devices are.
    acs.clear();
    expect(acs.resolve('box-7')).toBe('RAW010');
  });

  it('an alias re-pointed to another serial does not change the serial recorded for a device', async () => {
    const acs = await acsWith();
    acs.alias('cpe-9', 'RAW011');
    acs.alias('cpe-9', 'RAW099');
    await cpeFor(acs).post(informXml({ serial: 'RAW011', crUrl: 'http://127.0.0.1:7547/cr/cpe-9' }));
    expect(acs.informs.at(-1)!.serial).toBe('RAW011');
    expect(acs.sessions.at(-1)!.serial).toBe('RAW011');
    expect(acs.resolve('00A0B1-RawBox-RAW011')).toBe('RAW011');
  });

  it('resolve(): two devices with the same CR-URL id (single CPEs publish /cr) → the one seen last', async () => {
    const acs = await acsWith();
    const a = cpeFor(acs);
    await a.post(informXml({ serial: 'ONE001', crUrl: 'http://127.0.0.1:7547/cr' }));
    expect(acs.resolve('cr')).toBe('ONE001');
    const b = cpeFor(acs);
    await b.post(informXml({ serial: 'TWO002', crUrl: 'http://127.0.0.1:7548/cr' }));
    expect(acs.resolve('cr')).toBe('TWO002');
    await a.post(informXml({ serial: 'ONE001', id: 'inform-2', crUrl: 'http://127.0.0.1:7547/cr' }));
    expect(acs.resolve('cr')).toBe('ONE001');
  });

  it('matches serial, OUI-ProductClass-Serial, alias and the ConnectionRequestURL id', async () => {
    const acs = await acsWith();
    acs.alias('cpe-9', 'RAW010');
    acs.enqueue('RAW010', { name: 'Reboot', commandKey: 'by-serial' });
    acs.enqueue('00A0B1-RawBox-RAW010', { name: 'Reboot', commandKey: 'by-deviceid' });
    acs.enqueue('cpe-9', { name: 'Reboot', commandKey: 'by-alias' });
    acs.enqueue('box-7', { name: 'Reboot', commandKey: 'by-crid' });
    acs.enqueue('someone-else', { name: 'Reboot', commandKey: 'not-mine' });
    const cpe = cpeFor(acs);
    await cpe.post(informXml({ serial: 'RAW010', crUrl: 'http://127.0.0.1:7547/cr/box-7' }));
    const keys: string[] = [];
    let r = await cpe.post(null);
    while (r.status === 200) {
      keys.push(tag(r.text, 'CommandKey')!);
      r = await cpe.post(envelope(`<ns0:RebootResponse/>`, { id: idOf(r.text)! }));
    }
    expect(r.status).toBe(204);
    expect(keys).toEqual(['by-serial', 'by-deviceid', 'by-alias', 'by-crid']);
    expect(acs.sessions[0]!.crId).toBe('box-7');
    await expect(acs.waitForInform({ cpe: 'box-7', event: '1 BOOT' })).resolves.toMatchObject({ serial: 'RAW010', crId: 'box-7' });
    await expect(acs.waitForInform({ cpe: 'cpe-9' })).resolves.toMatchObject({ serial: 'RAW010' });
  });
});

describe('rpc() and waitForInform()', () => {
  it('waitForInform resolves with the next matching Inform, honours since, and its timeout lists what was seen', async () => {
    const acs = await acsWith();
    await cpeFor(acs).post(informXml({ serial: 'W1', events: [['2 PERIODIC', '']] }));
    const since = Date.now() + 1;
    const next = acs.waitForInform({ cpe: 'W1', event: '6 CONNECTION REQUEST' }, { since, timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 5));
    await cpeFor(acs).post(informXml({ serial: 'W1', events: [['6 CONNECTION REQUEST', '']] }));
    await expect(next).resolves.toMatchObject({ serial: 'W1', events: [{ eventCode: '6 CONNECTION REQUEST', commandKey: '' }] });
    // `since` excludes older Informs.
    await expect(acs.waitForInform({ cpe: 'W1', event: '2 PERIODIC' }, { since: Date.now() + 1000, timeoutMs: 20 })).rejects.toThrow(/no Inform matching cpe=W1/);
    const err = await acs.waitForInform({ cpe: 'W2', event: '0 BOOTSTRAP' }, { timeoutMs: 20 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('no Inform matching cpe=W2 event="0 BOOTSTRAP" within 20 ms');
    expect((err as Error).message).toContain('W1 [2 PERIODIC]');
    expect((err as Error).message).toContain('W1 [6 CONNECTION REQUEST]');
    expect((err as { code?: string }).code).toBe('CPESIM_ACS_WAIT_TIMEOUT');
  });

  it('rpc timeout rejects naming the CPE and the RPC, and drops it from the queue', async () => {
    const acs = await acsWith();
    await expect(acs.rpc('cpe-404', { name: 'FactoryReset' }, { timeoutMs: 20 })).rejects.toThrow(/rpc FactoryReset for CPE "cpe-404" got no answer within 20 ms/);
    const cpe = cpeFor(acs);
    await cpe.post(informXml({ serial: 'X', crUrl: 'http://h/cr/cpe-404' }));
    expect((await cpe.post(null)).status).toBe(204); // nothing left to deliver
  });

  it('rpc timeout says why: no CPE matches the key, the session stayed open, or no session was opened', async () => {
    const acs = await acsWith();
    const cpe = cpeFor(acs);
    await cpe.post(informXml({ serial: 'RAW040', crUrl: 'http://h/cr/cpe-1' }));
    // The key names no device that informed (a typo for cpe-1).
    const typo = await acs.rpc('cpe-9', { name: 'FactoryReset' }, { timeoutMs: 20 }).catch((e: Error) => e);
    expect(String(typo)).toContain('no CPE matches "cpe-9": it is no alias, serial number, OUI-ProductClass-Serial or Connection Request URL id of the 1 device(s) that informed (e.g. RAW040)');
    expect(String(typo)).not.toContain('did not open a session');
    // The CPE's session is open (Inform answered) but it never sent the POST that lets the ACS speak.
    const open = await acs.rpc('cpe-1', { name: 'FactoryReset' }, { timeoutMs: 20 }).catch((e: Error) => e);
    expect(String(open)).toMatch(/the CPE opened session #1 and it is still open, but the CPE sent no POST the ACS could answer with the request since its last message/);
    expect(String(open)).not.toContain('did not open a session');
    expect((await cpe.post(null)).status).toBe(204); // the timed-out rpc was dropped
    // A known alias whose device opened no session since.
    acs.alias('cpe-2', 'RAW041');
    const none = await acs.rpc('cpe-2', { name: 'FactoryReset' }, { timeoutMs: 20 }).catch((e: Error) => e);
    expect(String(none)).toContain('the CPE did not open a session (send it a Connection Request, or wait for its periodic Inform)');
  });

  it('a response with the wrong cwmp:ID fails the rpc with a clear error and gets fault 8003', async () => {
    const acs = await acsWith();
    const p = acs.rpc('RAW020', { name: 'GetParameterValues', parameterNames: ['Device.'] });
    const outcome = p.then(
      () => undefined,
      (e: Error) => e,
    );
    const cpe = cpeFor(acs);
    await cpe.post(informXml({ serial: 'RAW020' }));
    await cpe.post(null);
    const r = await cpe.post(gpvResponse('not-the-id', 'Device.X', '1'));
    expect(r.status).toBe(200);
    expect(methodOf(r.text)).toBe('Fault');
    expect(tag(r.text, 'FaultCode')).toBe('8003');
    expect((await outcome)?.message).toMatch(/rpc GetParameterValues for CPE "RAW020" failed: .*cwmp:ID "not-the-id", expected "acs-\d+"/);
    expect(acs.sessions[0]).toMatchObject({ ok: false, error: expect.stringMatching(/protocol error/) as unknown });
  });

  it('a CPE request after its empty POST is a protocol error', async () => {
    const acs = await acsWith();
    acs.enqueue('RAW021', { name: 'FactoryReset' });
    const cpe = cpeFor(acs);
    await cpe.post(informXml({ serial: 'RAW021' }));
    await cpe.post(null);
    const r = await cpe.post(envelope(`<ns0:GetRPCMethods/>`, { id: 'late' }));
    expect(tag(r.text, 'FaultCode')).toBe('8003');
  });

  it('close() rejects pending rpc and waits with "ACS closed", and is idempotent', async () => {
    const acs = await createFakeAcs();
    const p = acs.rpc('nobody', { name: 'Reboot', commandKey: '' });
    const w = acs.waitForInform({ cpe: 'nobody' }, { timeoutMs: 60_000 });
    await Promise.all([acs.close(), acs.close()]);
    await expect(p).rejects.toThrow(/ACS closed: rpc Reboot for CPE "nobody"/);
    await expect(w).rejects.toThrow(/ACS closed: waitForInform\(cpe=nobody\)/);
    await expect(acs.rpc('x', { name: 'FactoryReset' })).rejects.toThrow(/ACS closed/);
    await acs[Symbol.asyncDispose]();
  });
});

describe('a new Inform while the device is in session', () => {
  it('supersede (default): the old session fails and its unanswered RPC is delivered again', async () => {
    const acs = await acsWith();
    const p = acs.rpc('RAW030', { name: 'Reboot', commandKey: 'rb-1' });
    const a = cpeFor(acs);
    await a.post(informXml({ serial: 'RAW030' }));
    const first = await a.post(null);
    expect(methodOf(first.text)).toBe('Reboot');
    // The CPE gives up on that session and starts over.
    const b = cpeFor(acs);
    await b.post(informXml({ serial: 'RAW030', retryCount: 1 }));
    const again = await b.post(null);
    expect(methodOf(again.text)).toBe('Reboot');
    expect((await b.post(envelope(`<ns0:RebootResponse/>`, { id: idOf(again.text)! }))).status).toBe(204);
    await expect(p).resolves.toEqual({ name: 'RebootResponse' });
    expect(acs.sessions.map((s) => [s.ok, s.error])).toEqual([
      [false, 'superseded by a new Inform'],
      [true, undefined],
    ]);
  });

  it('reject: 400 "CPE already in session" until the session ends', async () => {
    const acs = await acsWith({ concurrentInform: 'reject' });
    const a = cpeFor(acs);
    await a.post(informXml({ serial: 'RAW031' }));
    const r = await cpeFor(acs).post(informXml({ serial: 'RAW031' }));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/CPE already in session/);
    expect((await a.post(null)).status).toBe(204);
    expect((await cpeFor(acs).post(informXml({ serial: 'RAW031' }))).status).toBe(200);
  });

  it('reject mode: an idle session times out so the CPE can start again', async () => {
    const acs = await acsWith({ concurrentInform: 'reject', sessionTimeoutMs: 10 });
    await cpeFor(acs).post(informXml({ serial: 'RAW032' }));
    await new Promise((r) => setTimeout(r, 25));
    expect((await cpeFor(acs).post(informXml({ serial: 'RAW032' }))).status).toBe(200);
    expect(acs.sessions[0]!.error).toMatch(/timed out/);
  });
});

describe('behaviour hooks', () => {
  it('fault: answers the Inform with a SOAP fault (HTTP 200), opens no session; once: only the first time', async () => {
    const acs = await acsWith();
    acs.behave('RAW040', { fault: { code: 8002, string: 'try later' }, once: true });
    const cpe = cpeFor(acs);
    const r = await cpe.post(informXml({ serial: 'RAW040', id: 'i1' }));
    expect(r.status).toBe(200);
    expect(methodOf(r.text)).toBe('Fault');
    expect(tag(r.text, 'FaultCode')).toBe('8002');
    expect(tag(r.text, 'FaultString')).toBe('try later');
    expect(tag(r.text, 'faultcode')).toBe('Server');
    expect(idOf(r.text)).toBe('i1');
    expect(r.headers['set-cookie']).toBeUndefined();
    expect((await cpe.post(null)).status).toBe(400);
    const ok = await cpe.post(informXml({ serial: 'RAW040' }));
    expect(methodOf(ok.text)).toBe('InformResponse');
    expect(acs.sessions[0]).toMatchObject({ ok: false, error: 'behaviour: fault 8002 on Inform' });
  });

  it('httpStatus: 503 with Retry-After, for every Inform until removed', async () => {
    const acs = await acsWith();
    acs.behave('*', { httpStatus: 503, retryAfter: 7 });
    for (let i = 0; i < 2; i++) {
      const r = await cpeFor(acs).post(informXml({ serial: `S${i}` }));
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('7');
    }
    acs.behave('*', null);
    expect((await cpeFor(acs).post(informXml({ serial: 'S9' }))).status).toBe(200);
  });

  it('a device-specific behaviour wins over "*"', async () => {
    const acs = await acsWith();
    acs.behave('*', { httpStatus: 500 });
    acs.behave('ok-one', { httpStatus: 502 });
    acs.alias('ok-one', 'B1');
    expect((await cpeFor(acs).post(informXml({ serial: 'B1' }))).status).toBe(502);
    expect((await cpeFor(acs).post(informXml({ serial: 'B2' }))).status).toBe(500);
  });

  it('dropConnection: destroys the socket on the Inform', async () => {
    const acs = await acsWith();
    acs.behave('RAW041', { dropConnection: true });
    await expect(cpeFor(acs).post(informXml({ serial: 'RAW041' }))).rejects.toThrow(/other side closed|socket|closed/i);
    expect(acs.sessions[0]).toMatchObject({ ok: false, error: 'behaviour: connection dropped on Inform' });
    expect(acs.informs).toHaveLength(1);
  });

  it('informResponseDelayMs: the answer waits; close() during the wait drops the connection', async () => {
    const acs = await acsWith();
    acs.behave('RAW042', { informResponseDelayMs: 20, once: true });
    const r = await cpeFor(acs).post(informXml({ serial: 'RAW042' }));
    expect(methodOf(r.text)).toBe('InformResponse');

    const acs2 = await createFakeAcs();
    acs2.behave('*', { informResponseDelayMs: 60_000 });
    const cpe = new RawCpe(acs2.url);
    let settled = false;
    const pending = cpe.post(informXml({ serial: 'RAW043' })).finally(() => (settled = true));
    await acs2.waitForInform({ cpe: 'RAW043' }, { timeoutMs: 2000 });
    await new Promise((res) => setImmediate(res));
    expect(settled).toBe(false); // the Inform arrived, its answer is held back
    await acs2.close();
    await expect(pending).rejects.toThrow();
    await cpe.close();
  });
});

describe('authentication of CPEs (TR-069 §3.4.4)', () => {
  it('basic: 401 with a Basic challenge, then accepts the right credentials', async () => {
    const acs = await acsWith({ auth: { scheme: 'basic', username: 'cpe', password: 'pw', realm: 'R' } });
    const cpe = cpeFor(acs);
    const r1 = await cpe.post(informXml({ serial: 'A1' }));
    expect(r1.status).toBe(401);
    expect(r1.headers['www-authenticate']).toMatch(/^Basic realm="R"/);
    const wrong = await cpe.post(informXml({ serial: 'A1' }), { authorization: `Basic ${Buffer.from('cpe:nope').toString('base64')}` });
    expect(wrong.status).toBe(401);
    const ok = await cpe.post(informXml({ serial: 'A1' }), { authorization: `Basic ${Buffer.from('cpe:pw').toString('base64')}` });
    expect(ok.status).toBe(200);
    // Later POSTs ride on the session cookie.
    expect((await cpe.post(null)).status).toBe(204);
  });

  it('digest: nonce per connection, nc must increase, stale=true for a nonce from another connection', async () => {
    const acs = await acsWith({ auth: { scheme: 'digest', username: 'cpe', password: 'pw' } });
    acs.enqueue('D1', { name: 'FactoryReset' });
    const cpe = cpeFor(acs);
    const r1 = await cpe.post(informXml({ serial: 'D1' }));
    expect(r1.status).toBe(401);
    const ch = r1.headers['www-authenticate']!;
    expect(ch).toMatch(/^Digest /);
    expect(authParams(ch)).toMatchObject({ realm: 'cpe-sim-acs', qop: 'auth', algorithm: 'MD5' });
    expect(authParams(ch)['nonce']).toMatch(/^[0-9a-f]{32}$/);

    // Wrong password: a plain 401 (no stale).
    const bad = await cpe.post(informXml({ serial: 'D1' }), { authorization: digestAuth(ch, 'cpe', 'wrong', 'POST', '/cwmp', 1) });
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).not.toMatch(/stale/);
    const ch2 = bad.headers['www-authenticate']!;

    const ok = await cpe.post(informXml({ serial: 'D1' }), { authorization: digestAuth(ch2, 'cpe', 'pw', 'POST', '/cwmp', 1) });
    expect(ok.status).toBe(200);
    // nc 2 on the same connection with the same nonce: accepted.
    const r2 = await cpe.post(null, { authorization: digestAuth(ch2, 'cpe', 'pw', 'POST', '/cwmp', 2) });
    expect(methodOf(r2.text)).toBe('FactoryReset');
    // Replaying nc 2: refused.
    const replay = await cpe.post(envelope('<ns0:FactoryResetResponse/>', { id: idOf(r2.text)! }), { authorization: digestAuth(ch2, 'cpe', 'pw', 'POST', '/cwmp', 2) });
    expect(replay.status).toBe(401);
    expect(replay.headers['www-authenticate']).not.toMatch(/stale/);
    const r3 = await cpe.post(envelope('<ns0:FactoryResetResponse/>', { id: idOf(r2.text)! }), { authorization: digestAuth(ch2, 'cpe', 'pw', 'POST', '/cwmp', 3) });
    expect(r3.status).toBe(204);

    // The same (valid) nonce on another TCP connection: stale=true.
    const other = cpeFor(acs);
    const s = await other.post(informXml({ serial: 'D2' }), { authorization: digestAuth(ch2, 'cpe', 'pw', 'POST', '/cwmp', 9) });
    expect(s.status).toBe(401);
    expect(s.headers['www-authenticate']).toMatch(/stale=true/);
    const fresh = s.headers['www-authenticate']!;
    expect((await other.post(informXml({ serial: 'D2' }), { authorization: digestAuth(fresh, 'cpe', 'pw', 'POST', '/cwmp', 1) })).status).toBe(200);
  });

  it('digest: a uri that is not the request-target is refused', async () => {
    const acs = await acsWith({ auth: { scheme: 'digest', username: 'cpe', password: 'pw' } });
    const cpe = cpeFor(acs);
    const ch = (await cpe.post(informXml({ serial: 'D3' }))).headers['www-authenticate']!;
    expect((await cpe.post(informXml({ serial: 'D3' }), { authorization: digestAuth(ch, 'cpe', 'pw', 'POST', '/other', 1) })).status).toBe(401);
  });
});

describe('interop with curl as the CPE-side HTTP client', () => {
  it('curl --digest authenticates an Inform, keeps the cookie in its jar, and ends the session with an empty POST', async () => {
    const acs = await acsWith({ auth: { scheme: 'digest', username: 'cpe', password: 'pw' } });
    const dir = await mkdtemp(join(tmpdir(), 'acs-curl-'));
    try {
      const inform = join(dir, 'inform.xml');
      const jar = join(dir, 'jar.txt');
      await writeFile(inform, informXml({ serial: 'CURL1' }));
      const run = promisify(execFile);
      const curl = async (auth: string[], data: string): Promise<string> =>
        (await run('curl', ['-s', ...auth, '-H', 'Content-Type: text/xml', '--data-binary', data, '-c', jar, '-b', jar, '-o', '/dev/null', '-w', '%{http_code}', acs.url])).stdout;
      expect(await curl(['--digest', '-u', 'cpe:pw'], `@${inform}`)).toBe('200');
      // Later POSTs are authorised by the session cookie alone (curl --digest would first send a
      // bodiless probe, which the ACS must read as the empty POST, so no credentials here).
      expect(await curl([], '')).toBe('204');
      expect(acs.sessions[0]).toMatchObject({ serial: 'CURL1', ok: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('robustness', () => {
  it('garbage gets fault 8003 (HTTP 200) and the ACS keeps serving other CPEs', async () => {
    const acs = await acsWith();
    const good = cpeFor(acs);
    await good.post(informXml({ serial: 'G1' }));
    const bodies = ['<<<not xml', '<a/>', '\u0000\u0001\u0002binary', '<?xml version="1.0"?><Envelope><Body><Inform/></Body></Envelope>', 'x'.repeat(10_000)];
    for (const b of bodies) {
      const r = await cpeFor(acs).post(b);
      expect(r.status).toBe(200);
      expect(methodOf(r.text)).toBe('Fault');
      expect(tag(r.text, 'FaultCode')).toBe('8003');
    }
    // Garbage inside a session ends that session as failed.
    const g2 = cpeFor(acs);
    await g2.post(informXml({ serial: 'G2' }));
    expect(tag((await g2.post('<oops')).text, 'FaultCode')).toBe('8003');
    expect(acs.sessions.find((s) => s.serial === 'G2')!.error).toMatch(/malformed SOAP/);
    // The first CPE's session is untouched.
    expect((await good.post(null)).status).toBe(204);
  });

  it('rejects huge bodies (413), wrong methods (405), unknown paths (404), empty POST without session (400)', async () => {
    const acs = await acsWith({ maxBodyBytes: 4000 });
    const cpe = cpeFor(acs);
    const big = await cpe.post('<x>' + 'a'.repeat(10_000) + '</x>');
    expect(big.status).toBe(413);
    const get = await fetch(acs.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const notFound = await fetch(acs.url.replace('/cwmp', '/nope'), { method: 'POST', body: 'x' });
    expect(notFound.status).toBe(404);
    expect((await cpeFor(acs).post(null)).status).toBe(400);
    // Compressed bombs are bounded too.
    const bomb = gzipSync(Buffer.alloc(100_000, 0x61));
    expect((await cpeFor(acs).post(bomb as unknown as string, { 'content-encoding': 'gzip' })).status).toBe(413);
    // Still alive.
    expect((await cpeFor(acs).post(informXml({ serial: 'alive' }))).status).toBe(200);
  });

  it('accepts a gzip-encoded Inform (HTTPCompression)', async () => {
    const acs = await acsWith();
    const r = await cpeFor(acs).post(gzipSync(informXml({ serial: 'Z1' })) as unknown as string, { 'content-encoding': 'gzip' });
    expect(methodOf(r.text)).toBe('InformResponse');
  });
});

describe('recording', () => {
  it('keeps at most maxSessions sessions and Informs; clear() empties them; onMessage sees every message', async () => {
    const lines: AcsTranscriptLine[] = [];
    const acs = await acsWith({ maxSessions: 2, keepXml: true, onMessage: (l) => lines.push(l) });
    for (const s of ['M1', 'M2', 'M3']) {
      const c = cpeFor(acs);
      await c.post(informXml({ serial: s }));
      await c.post(null);
    }
    expect(acs.sessions.map((s) => s.serial)).toEqual(['M2', 'M3']);
    expect(acs.informs.map((s) => s.serial)).toEqual(['M2', 'M3']);
    expect(lines).toHaveLength(12); // Inform, InformResponse, empty POST, 204 × 3
    expect(lines[0]).toMatchObject({ cpe: 'M1', sessionId: 1, dir: 'cpe->acs' });
    const text = formatAcsLine(lines[1]!);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z #1 M1 acs->cpe 200 +InformResponse$/);
    expect(formatAcsLine(lines[1]!, { verbose: true })).toMatch(/InformResponse\n {4}<\?xml/);
    acs.clear();
    expect(acs.sessions).toHaveLength(0);
    expect(acs.informs).toHaveLength(0);
  });
});
