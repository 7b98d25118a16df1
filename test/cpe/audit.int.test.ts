/**
 * Issue 4 audit: protocol rules that had no test of their own (each test here fails
 * if the rule it names is broken). The ACS is the raw node:http ACS of the harness,
 * answering with hand-written XML.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/cwmp/index.js';
import type { CwmpMessage, Fault } from '../../src/cwmp/index.js';
import { TestBed, envelope, fixture, informResponse, jitterMs, manualClock, queueAcs, rawHeader, testProfileObject, virtualClock, downloadFixture } from './harness.js';
import { streamFor } from '../../src/random/index.js';
import type { Reply } from './harness.js';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

const codes = (s: { events: { eventCode: string; commandKey: string }[] }): string[] => s.events.map((e) => (e.commandKey ? `${e.eventCode}(${e.commandKey})` : e.eventCode));
const PK = 'Device.ManagementServer.ParameterKey';

async function setup(opts: { profile?: Record<string, unknown>; keepXml?: boolean } = {}) {
  bed = new TestBed(virtualClock());
  const h = queueAcs();
  const acs = await bed.acs(h);
  const cpe = bed.cpe(acs.url, {
    ...(opts.profile ? { profile: opts.profile } : {}),
    transcript: { keepXml: opts.keepXml ?? true },
  });
  cpe.start();
  await cpe.whenBootstrapped();
  /** One CR session in which the ACS sends `requests`; returns the CPE's decoded answers. */
  const drive = async (...requests: string[]): Promise<CwmpMessage[]> => {
    const before = acs.requests.length;
    h.rpcs.push(...requests);
    await cpe.inform(['6 CONNECTION REQUEST']);
    return acs.requests
      .slice(before)
      .filter((r) => r.kind === 'response')
      .map((r) => decodeEnvelope(r.body).body);
  };
  return { acs, cpe, drive, rpcs: h.rpcs };
}

function asFault(m: CwmpMessage | undefined): Fault {
  expect(m?.name).toBe('Fault');
  return m as Fault;
}

describe('ParameterKey (TR-181 ManagementServer.ParameterKey: last successful SPV/AddObject/DeleteObject)', () => {
  it('AddObject alone sets it; a failed AddObject or DeleteObject leaves it as it was', async () => {
    const { cpe, drive } = await setup();
    const [ok, badAdd, badDel] = await drive(
      envelope('<cwmp:AddObject><ObjectName>Device.Hosts.Host.</ObjectName><ParameterKey>pk-add</ParameterKey></cwmp:AddObject>', { id: 'a1' }),
      envelope('<cwmp:AddObject><ObjectName>Device.Nope.</ObjectName><ParameterKey>pk-bad-add</ParameterKey></cwmp:AddObject>', { id: 'a2' }),
      envelope('<cwmp:DeleteObject><ObjectName>Device.Hosts.Host.9.</ObjectName><ParameterKey>pk-bad-del</ParameterKey></cwmp:DeleteObject>', { id: 'd1' }),
    );
    expect(ok).toEqual({ name: 'AddObjectResponse', instanceNumber: 3, status: 0 });
    expect(asFault(badAdd).detail.faultCode).toBe(9005);
    expect(asFault(badDel).detail.faultCode).toBe(9005);
    expect(cpe.params.getValue(PK)).toBe('pk-add');
  });

  it('a ParameterKey set by the ACS is not reported back as a value change, even with active notification', async () => {
    const { cpe, drive } = await setup();
    cpe.params.setAttributes([{ name: PK, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }]);
    await drive(envelope('<cwmp:AddObject><ObjectName>Device.Hosts.Host.</ObjectName><ParameterKey>pk-7</ParameterKey></cwmp:AddObject>', { id: 'a' }));
    const next = await cpe.inform(['2 PERIODIC']);
    expect(codes(next)).toEqual(['2 PERIODIC']);
    expect(cpe.sessions.some((s) => codes(s).includes('4 VALUE CHANGE'))).toBe(false);
  });
});

describe('fault answers (A.5) on the wire', () => {
  it('a CPE fault goes out as a SOAP response: SOAPAction with no value, text/xml, cwmp:ID echoed, faultcode Client for 9005', async () => {
    const { acs, drive } = await setup();
    await drive(envelope('<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>Device.Nope.</string></ParameterNames></cwmp:GetParameterValues>', { id: 'gpv-x' }));
    const r = acs.requests.filter((q) => q.kind === 'response').pop()!;
    expect(rawHeader(r, 'soapaction')).toBe('');
    expect(r.headers['content-type']).toBe('text/xml; charset="utf-8"');
    expect(r.id).toBe('gpv-x');
    const f = asFault(decodeEnvelope(r.body).body);
    expect(f.faultcode).toBe('Client');
    expect(f.detail).toMatchObject({ faultCode: 9005, faultString: expect.any(String) as string });
    expect(r.body).toMatch(/<detail>\s*<cwmp:Fault>\s*<FaultCode>9005<\/FaultCode>/);
  });

  it('SetParameterValues with a wrong xsi:type: 9003 with a SetParameterValuesFault 9006 for that parameter', async () => {
    const { cpe, drive } = await setup();
    const [r] = await drive(
      envelope(
        '<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>Device.ManagementServer.PeriodicInformEnable</Name><Value xsi:type="xsd:string">true</Value></ParameterValueStruct></ParameterList><ParameterKey>k</ParameterKey></cwmp:SetParameterValues>',
        { id: 's' },
      ),
    );
    const f = asFault(r);
    expect(f.detail.faultCode).toBe(9003);
    expect(f.detail.setParameterValuesFault).toEqual([{ parameterName: 'Device.ManagementServer.PeriodicInformEnable', faultCode: 9006, faultString: expect.any(String) as string }]);
    expect(cpe.params.getValue(PK)).toBe('');
  });

  it.each([
    ['GetParameterValues without ParameterNames', '<cwmp:GetParameterValues/>'],
    ['ScheduleInform with DelaySeconds "abc"', '<cwmp:ScheduleInform><DelaySeconds>abc</DelaySeconds><CommandKey>x</CommandKey></cwmp:ScheduleInform>'],
    ['SetParameterAttributes with NotificationChange "maybe"', '<cwmp:SetParameterAttributes><ParameterList soap-enc:arrayType="cwmp:SetParameterAttributesStruct[1]"><SetParameterAttributesStruct><Name>Device.DeviceInfo.UpTime</Name><NotificationChange>maybe</NotificationChange><Notification>1</Notification><AccessListChange>0</AccessListChange><AccessList/></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>'],
  ])('a known RPC with unreadable arguments (%s) gets 9003 with its cwmp:ID, and the session goes on', async (_label, rpc) => {
    const { acs, cpe, drive } = await setup();
    const answers = await drive(envelope(rpc, { id: 'bad&amp;1', ns: '1-0' }), envelope('<cwmp:GetRPCMethods/>', { id: 'next', ns: '1-0' }));
    expect(answers.map((a) => a.name)).toEqual(['Fault', 'GetRPCMethodsResponse']);
    const f = asFault(answers[0]);
    expect(f.detail.faultCode).toBe(9003);
    expect(f.faultcode).toBe('Client');
    const raw = acs.requests.filter((q) => q.kind === 'response').slice(-2)[0]!;
    expect(decodeEnvelope(raw.body).header.id).toBe('bad&1');
    expect(raw.body).toContain('urn:dslforum-org:cwmp-1-2'); // the session's namespace (InformResponse was cwmp-1-2)
    const rec = cpe.sessions[cpe.sessions.length - 1]!;
    expect(rec.ok, rec.toString()).toBe(true);
    expect(rec.entries.find((e) => e.dir === 'acs->cpe' && /invalid arguments/.test(e.summary))).toBeDefined();
  });

  it('unparseable XML where a request may come fails the session (no crash); the CPE goes on working', async () => {
    const { cpe, drive } = await setup();
    await drive('<soap-env:Envelope><soap-env:Body><cwmp:GetParameterValues>');
    const failed = cpe.sessions[cpe.sessions.length - 1]!;
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatch(/malformed SOAP/);
    const next = await cpe.inform(['2 PERIODIC']);
    expect(next.ok).toBe(true);
    expect(next.retryCount).toBe(1);
  });
});

describe('session headers of CPE requests', () => {
  it('TransferComplete goes out with SOAPAction "" and text/xml, a fresh cwmp:ID, on the Inform connection', async () => {
    const { acs, cpe, rpcs } = await setup();
    rpcs.push(downloadFixture());
    await cpe.inform(['6 CONNECTION REQUEST']);
    await cpe.waitForSession((s) => codes(s).includes('7 TRANSFER COMPLETE'));
    const tc = acs.requests.find((r) => r.kind === 'transfer-complete')!;
    const inform = acs.requests[acs.requests.indexOf(tc) - 1]!;
    expect(inform.kind).toBe('inform');
    expect(rawHeader(tc, 'soapaction')).toBe('""');
    expect(tc.headers['content-type']).toBe('text/xml; charset="utf-8"');
    expect(tc.id).toBeTruthy();
    expect(tc.id).not.toBe(inform.id);
    expect(tc.conn).toBe(inform.conn);
  });
});

describe('event retention (notes §2.3)', () => {
  it('7 TRANSFER COMPLETE + M Download survive an HTTP 500 to the TransferComplete and are delivered by the retry', async () => {
    bed = new TestBed(virtualClock());
    let failTc = true;
    const base = queueAcs({ rpcs: [downloadFixture()] });
    const acs = await bed.acs((req, a): Reply | Promise<Reply> => {
      if (req.kind === 'transfer-complete' && failTc) {
        failTc = false;
        return { status: 500 };
      }
      return base(req, a);
    });
    const cpe = bed.cpe(acs.url);
    cpe.start();
    const failed = await cpe.waitForSession((s) => !s.ok);
    expect(codes(failed)).toEqual(['7 TRANSFER COMPLETE', 'M Download(fw-9)']);
    expect(cpe.pendingEvents.map((e) => e.eventCode)).toEqual(['7 TRANSFER COMPLETE', 'M Download']);
    expect(cpe.informs.find((i) => i.sessionId === failed.id)?.ok).toBe(true); // the InformResponse did arrive
    const retry = await cpe.waitForSession((s) => s.id > failed.id);
    expect(retry.ok).toBe(true);
    expect(retry.retryCount).toBe(1);
    expect(codes(retry)).toEqual(['7 TRANSFER COMPLETE', 'M Download(fw-9)']);
    expect(acs.requests.filter((r) => r.kind === 'transfer-complete')).toHaveLength(2);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('0 BOOTSTRAP survives a failed session that also carried 6 CONNECTION REQUEST; only the CR is dropped', async () => {
    bed = new TestBed(manualClock());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const acs = await bed.acs(async (req): Promise<Reply> => {
      if (req.kind === 'inform') {
        await gate;
        return { status: 503 };
      }
      return { status: 204 };
    });
    const cpe = bed.cpe(acs.url);
    cpe.start();
    while (acs.requests.length === 0) await new Promise((r) => setTimeout(r, 2));
    // The CR folds into the next session: it waits for the mutex.
    cpe.connectionRequest();
    release();
    const first = await cpe.waitForSession(() => true);
    expect(codes(first)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    const second = await cpe.waitForSession((s) => s.id === 2);
    expect(codes(second)).toEqual(['0 BOOTSTRAP', '1 BOOT', '6 CONNECTION REQUEST']);
    expect(second.ok).toBe(false);
    expect(second.retryCount).toBe(1);
    expect(cpe.pendingEvents.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    expect(cpe.nextRetryAt).toBeDefined();
  });
});

describe('FactoryReset (A.3.2.6)', () => {
  it('restores attributes too and discards a pending ScheduleInform; bootstrap is re-armed', async () => {
    const { cpe, drive } = await setup({ profile: { eventSchedule: { factoryResetDelay: '3s' } } });
    const first = await cpe.whenBootstrapped();
    await drive(
      envelope(
        '<cwmp:SetParameterAttributes><ParameterList soap-enc:arrayType="cwmp:SetParameterAttributesStruct[1]"><SetParameterAttributesStruct><Name>Device.WiFi.SSID.1.SSID</Name><NotificationChange>true</NotificationChange><Notification>2</Notification><AccessListChange>false</AccessListChange><AccessList soap-enc:arrayType="xsd:string[0]"/></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>',
        { id: 'spa' },
      ),
      envelope('<cwmp:ScheduleInform><DelaySeconds>30</DelaySeconds><CommandKey>si-x</CommandKey></cwmp:ScheduleInform>', { id: 'si' }),
      fixture('acs/factoryreset.xml'),
    );
    const again = await cpe.whenBootstrapped();
    expect(again.id).toBeGreaterThan(first.id);
    expect(codes(again)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    expect(cpe.params.getAttributes(['Device.WiFi.SSID.1.SSID'])[0]?.notification).toBe(0);
    // The ScheduleInform was armed before the reset: it must never fire.
    expect(bed.scheduler.size).toBe(0);
    cpe.params.setInternal('Device.WiFi.SSID.1.SSID', 'local'); // notification 0 again: no session
    await new Promise((r) => setTimeout(r, 30));
    expect(cpe.sessions.some((s) => codes(s).includes('3 SCHEDULED') || codes(s).includes('4 VALUE CHANGE'))).toBe(false);
  });
});

describe('periodic informs', () => {
  it('a PeriodicInformTime in the future still sets the phase (t0 − N·interval)', async () => {
    const clock = manualClock(); // 2025-03-01T10:00:00Z
    bed = new TestBed(clock);
    const acs = await bed.acs(queueAcs());
    const params = [...(testProfileObject().parameters as object[]), { path: 'Device.ManagementServer.PeriodicInformTime', type: 'xsd:dateTime', value: '2025-03-02T00:00:40Z', writable: true }];
    const cpe = bed.cpe(acs.url, { profile: { parameters: params } });
    cpe.params.setInternal('Device.ManagementServer.PeriodicInformEnable', 'true');
    cpe.start();
    await cpe.whenBootstrapped();
    expect(new Date(cpe.nextPeriodicAt!).toISOString()).toBe('2025-03-01T10:00:40.000Z');
    // Unknown Time: no phase, one interval ± 10 % from now, the first draw of stream cpe-1.
    cpe.params.setInternal('Device.ManagementServer.PeriodicInformTime', '0001-01-01T00:00:00Z');
    expect(cpe.nextPeriodicAt! - clock.now()).toBe(60_000 + jitterMs(streamFor(cpe.seed, 'cpe-1'), 60_000));
    // The epoch is a real time (ref. 4.3 item 4): it anchors on whole minutes, no jitter.
    cpe.params.setInternal('Device.ManagementServer.PeriodicInformTime', '1970-01-01T00:00:00Z');
    expect(new Date(cpe.nextPeriodicAt!).toISOString()).toBe('2025-03-01T10:01:00.000Z');
  });
});

describe('transcript', () => {
  it('toString() prints exactly one line per message, even with newlines in values and a fault', async () => {
    const { cpe, drive } = await setup();
    await drive(
      envelope(
        '<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>Device.WiFi.SSID.1.SSID</Name><Value xsi:type="xsd:string">two\nlines\r\nthree</Value></ParameterValueStruct></ParameterList><ParameterKey>k</ParameterKey></cwmp:SetParameterValues>',
        { id: 's' },
      ),
      envelope('<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>Device.WiFi.SSID.1.SSID</string></ParameterNames></cwmp:GetParameterValues>', { id: 'g' }),
      envelope('<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>Device.Nope</string></ParameterNames></cwmp:GetParameterValues>', { id: 'g2' }),
    );
    const rec = cpe.sessions[cpe.sessions.length - 1]!;
    expect(cpe.params.getValue('Device.WiFi.SSID.1.SSID')).toBe('two\nlines\nthree'); // XML normalises CRLF
    const lines = rec.toString().split('\n');
    expect(lines).toHaveLength(1 + rec.entries.length);
    expect(rec.entries.length).toBe(10); // Inform, IR, empty, SPV, SPVR, GPV, GPVR, GPV, Fault, 204
    expect(lines.some((l) => /→ Fault 9005/.test(l))).toBe(true);
    // Raw XML is kept (keepXml) for both directions.
    expect(rec.entries.every((e) => e.summary === '(empty)' || e.xml !== undefined)).toBe(true);
  });
});

void informResponse;
