import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/cwmp/index.js';
import type { CwmpMessage } from '../../src/cwmp/index.js';
import { createFakeAcs } from '../../src/acs/index.js';
import { TRANSPORTS, TestBed, jitterMs, manualClock, envelope, fixture, informResponse, queueAcs, testProfileObject, virtualClock, downloadFixture } from './harness.js';
import { streamFor } from '../../src/random/index.js';
import type { Reply } from './harness.js';
import type { Clock } from '../../src/clock/index.js';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

const codes = (s: { events: { eventCode: string; commandKey: string }[] }): string[] => s.events.map((e) => (e.commandKey ? `${e.eventCode}(${e.commandKey})` : e.eventCode));
const spa = (name: string, n: number): string =>
  envelope(
    `<cwmp:SetParameterAttributes><ParameterList soap-enc:arrayType="cwmp:SetParameterAttributesStruct[1]"><SetParameterAttributesStruct><Name>${name}</Name><NotificationChange>true</NotificationChange><Notification>${n}</Notification><AccessListChange>false</AccessListChange><AccessList soap-enc:arrayType="xsd:string[0]"/></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>`,
    { id: `spa-${n}` },
  );
const spv = (name: string, value: string, type = 'xsd:string', key = 'k'): string =>
  envelope(
    `<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>${name}</Name><Value xsi:type="${type}">${value}</Value></ParameterValueStruct></ParameterList><ParameterKey>${key}</ParameterKey></cwmp:SetParameterValues>`,
    { id: 'spv' },
  );

async function setup(opts: { profile?: Record<string, unknown>; rpcs?: string[]; clock?: Clock } = {}) {
  bed = new TestBed(opts.clock ?? virtualClock());
  const h = queueAcs({ rpcs: opts.rpcs ?? [] });
  const acs = await bed.acs(h);
  const cpe = bed.cpe(acs.url, opts.profile ? { profile: opts.profile } : {});
  return { acs, cpe, rpcs: h.rpcs };
}

describe('events (TR-069 §3.7.1.5)', () => {
  it('inform(codes) runs a one-shot session; invalid codes are rejected', async () => {
    const { cpe } = await setup();
    cpe.start();
    await cpe.whenBootstrapped();
    const rec = await cpe.inform(['2 PERIODIC', 'X 00D09E Custom']);
    expect(codes(rec)).toEqual(['2 PERIODIC', 'X 00D09E Custom']);
    await expect(cpe.inform(['PERIODIC'])).rejects.toMatchObject({ code: 'CPESIM_EVENT_INVALID' });
  });

  it('start() waits eventSchedule.bootDelay before the bootstrap session', async () => {
    const clock = manualClock();
    const { cpe } = await setup({ clock, profile: { eventSchedule: { bootDelay: '15s' } } });
    const t0 = clock.now();
    cpe.start();
    cpe.start(); // a second start is a no-op
    await new Promise((r) => setTimeout(r, 10));
    expect(cpe.sessions).toHaveLength(0);
    expect(cpe.pendingEvents.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    clock.advance(15_000);
    const boot = await cpe.whenBootstrapped();
    expect(boot.startedAt).toBe(t0 + 15_000);
    expect(cpe.sessions).toHaveLength(1);
  });

  it('2 PERIODIC every PeriodicInformInterval ± 10 % (stream cpe-<g>); re-armed after an SPV of the interval; stopped by enable=false', async () => {
    const clock = manualClock();
    bed = new TestBed(clock);
    const h = queueAcs();
    const acs = await bed.acs(h);
    const rpcs = h.rpcs;
    const cpe = bed.cpe(acs.url, { seed: 0x5eedn });
    // The draws the CPE makes, one per arm, from its stream `cpe-1` of the root seed.
    const rng = streamFor(0x5eedn, 'cpe-1');
    cpe.params.setInternal('Device.ManagementServer.PeriodicInformEnable', 'true');
    const t0 = clock.now();
    cpe.start();
    await cpe.whenBootstrapped();
    const d1 = jitterMs(rng, 60_000);
    expect(Math.abs(d1)).toBeLessThanOrEqual(6000);
    expect(cpe.nextPeriodicAt).toBe(t0 + 60_000 + d1);
    const to = (t: number): void => clock.advance(t - clock.now());
    to(cpe.nextPeriodicAt!);
    const p1 = await cpe.waitForSession((s) => codes(s).includes('2 PERIODIC'));
    expect(p1.startedAt).toBe(t0 + 60_000 + d1);
    expect(cpe.nextPeriodicAt).toBe(p1.startedAt + 60_000 + jitterMs(rng, 60_000));
    // The ACS shortens the interval in the next periodic session: the timer is re-armed at once.
    rpcs.push(spv('Device.ManagementServer.PeriodicInformInterval', '30', 'xsd:unsignedInt'));
    to(cpe.nextPeriodicAt!);
    const p2 = await cpe.waitForSession((s) => codes(s).includes('2 PERIODIC') && s.id > p1.id);
    expect(p2.entries.some((e) => e.summary.startsWith('SetParameterValuesResponse'))).toBe(true);
    jitterMs(rng, 60_000); // the arm at the tick, replaced by the SPV's re-arm
    expect(cpe.nextPeriodicAt).toBe(p2.startedAt + 30_000 + jitterMs(rng, 30_000));
    to(cpe.nextPeriodicAt!);
    const p3 = await cpe.waitForSession((s) => codes(s).includes('2 PERIODIC') && s.id > p2.id);
    rpcs.push(spv('Device.ManagementServer.PeriodicInformEnable', 'false', 'xsd:boolean'));
    to(cpe.nextPeriodicAt!);
    const p4 = await cpe.waitForSession((s) => s.id > p3.id);
    expect(p4.ok).toBe(true);
    expect(cpe.nextPeriodicAt).toBeUndefined();
    expect(bed.scheduler.size).toBe(0);
  });

  it('PeriodicInformTime sets the phase of periodic informs', async () => {
    const clock = manualClock();
    const base = testProfileObject();
    const params = [...(base.parameters as object[]), { path: 'Device.ManagementServer.PeriodicInformTime', type: 'xsd:dateTime', value: '2025-03-01T09:00:25Z', writable: true }];
    const { cpe } = await setup({ clock, profile: { parameters: params } });
    cpe.params.setInternal('Device.ManagementServer.PeriodicInformEnable', 'true');
    cpe.start(); // clock at 10:00:00Z, interval 60 s, phase :25
    await cpe.whenBootstrapped();
    expect(new Date(cpe.nextPeriodicAt!).toISOString()).toBe('2025-03-01T10:00:25.000Z');
    clock.advance(25_000);
    await cpe.waitForSession((s) => codes(s).includes('2 PERIODIC'));
    expect(new Date(cpe.nextPeriodicAt!).toISOString()).toBe('2025-03-01T10:01:25.000Z');
  });

  it('4 VALUE CHANGE: active notification starts a session with the changed parameter; passive waits; ACS changes are not reported', async () => {
    const { cpe, acs, rpcs } = await setup();
    rpcs.push(spa('Device.WiFi.SSID.1.SSID', 2), spa('Device.DeviceInfo.UpTime', 1));
    cpe.start();
    await cpe.whenBootstrapped();
    // Active: a session starts on its own.
    cpe.params.setInternal('Device.WiFi.SSID.1.SSID', 'changed-locally');
    const vc = await cpe.waitForSession((s) => codes(s).includes('4 VALUE CHANGE'));
    expect(codes(vc)).toEqual(['4 VALUE CHANGE']);
    const inf = decodeEnvelope(acs.requests.filter((r) => r.kind === 'inform').pop()!.body).body;
    expect(inf.name === 'Inform' && inf.parameterList.find((p) => p.name === 'Device.WiFi.SSID.1.SSID')?.value).toBe('changed-locally');
    // Passive: no session by itself, reported with the next one.
    const before = cpe.sessions.length;
    cpe.params.setInternal('Device.DeviceInfo.UpTime', '4000');
    await new Promise((r) => setTimeout(r, 20));
    expect(cpe.sessions.length).toBe(before);
    const next = await cpe.inform(['2 PERIODIC']);
    expect(codes(next)).toEqual(['2 PERIODIC', '4 VALUE CHANGE']);
    const inf2 = decodeEnvelope(acs.requests.filter((r) => r.kind === 'inform').pop()!.body).body;
    expect(inf2.name === 'Inform' && inf2.parameterList.filter((p) => p.name === 'Device.DeviceInfo.UpTime')).toEqual([{ name: 'Device.DeviceInfo.UpTime', value: '4000', type: 'xsd:unsignedInt' }]);
    // Changes made by the ACS itself (SPV) are not reported back.
    rpcs.push(spv('Device.WiFi.SSID.1.SSID', 'by-acs'));
    await cpe.inform(['2 PERIODIC']);
    const after = await cpe.inform(['2 PERIODIC']);
    expect(codes(after)).toEqual(['2 PERIODIC']);
    expect(cpe.sessions.some((s) => s.id > vc.id && codes(s).includes('4 VALUE CHANGE') && s.startedAt > next.endedAt!)).toBe(false);
  });

  it('4 VALUE CHANGE reports a write a USP Controller made (origin usp): USP is not the ACS', async () => {
    const { cpe, acs, rpcs } = await setup();
    rpcs.push(spa('Device.WiFi.SSID.1.SSID', 2));
    cpe.start();
    await cpe.whenBootstrapped();
    cpe.params.setValues([{ name: 'Device.WiFi.SSID.1.SSID', value: 'set-over-usp' }], 'usp');
    const vc = await cpe.waitForSession((s) => codes(s).includes('4 VALUE CHANGE'));
    expect(codes(vc)).toEqual(['4 VALUE CHANGE']);
    const inf = decodeEnvelope(acs.requests.filter((r) => r.kind === 'inform').pop()!.body).body;
    expect(inf.name === 'Inform' && inf.parameterList.find((p) => p.name === 'Device.WiFi.SSID.1.SSID')?.value).toBe('set-over-usp');
  });

  it('4 VALUE CHANGE: a leaf that changes again while the Inform reporting it is on its way is reported by the next session', async () => {
    bed = new TestBed(virtualClock());
    const h = queueAcs({ rpcs: [] });
    const SSID = 'Device.WiFi.SSID.1.SSID';
    let changedDuringSession = false;
    // The device changes the leaf again after the Inform left and before its InformResponse.
    const acs = await bed.acs((req, a) => {
      if (req.kind === 'inform' && req.body.includes('4 VALUE CHANGE') && !changedDuringSession) {
        changedDuringSession = true;
        cpe.params.setInternal(SSID, 'second');
      }
      return h(req, a);
    });
    const cpe = bed.cpe(acs.url);
    h.rpcs.push(spa(SSID, 2));
    cpe.start();
    await cpe.whenBootstrapped();
    cpe.params.setInternal(SSID, 'first');
    const reported = (): string[] =>
      acs.requests
        .filter((r) => r.kind === 'inform' && r.body.includes('4 VALUE CHANGE'))
        .map((r) => decodeEnvelope(r.body).body)
        .map((i) => (i.name === 'Inform' ? (i.parameterList.find((p) => p.name === SSID)?.value ?? '') : ''));
    await cpe.waitForSession((s) => codes(s).includes('4 VALUE CHANGE') && reported().includes('second'));
    expect(reported()).toEqual(['first', 'second']);
  });

  it('Reboot: after the session and eventSchedule.rebootDelay, a session with M Reboot(CommandKey) + 1 BOOT; CRs while off are ignored', async () => {
    const { cpe, rpcs } = await setup({ profile: { eventSchedule: { rebootDelay: '20s' } } });
    cpe.start();
    await cpe.whenBootstrapped();
    rpcs.push(fixture('acs/reboot.xml'));
    const s = await cpe.inform(['6 CONNECTION REQUEST']);
    expect(s.entries.some((e) => e.summary.startsWith('RebootResponse'))).toBe(true);
    cpe.connectionRequest(); // device is off: ignored
    const boot = await cpe.waitForSession((x) => x.id > s.id);
    expect(codes(boot)).toEqual(['M Reboot(rb-17)', '1 BOOT']);
    expect(boot.startedAt - s.endedAt!).toBe(20_000);
    expect(boot.ok).toBe(true);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('reboot() for another protocol (USP Device.Reboot(), Activate()): M Reboot with its command key; a firmware version written while dark', async () => {
    const { cpe } = await setup({ profile: { eventSchedule: { rebootDelay: '5s' } } });
    cpe.start();
    await cpe.whenBootstrapped();
    const boot = await cpe.reboot({ commandKey: 'usp-key' });
    expect(codes(boot)).toEqual(['M Reboot(usp-key)', '1 BOOT']);
    const fw = await cpe.reboot({ firmwareVersion: '9.9.9' });
    expect(codes(fw)).toEqual(['1 BOOT']);
    expect(cpe.params.getValue('Device.DeviceInfo.SoftwareVersion')).toBe('9.9.9');
  });

  it('FactoryReset: tree back to the profile, then 0 BOOTSTRAP + 1 BOOT after factoryResetDelay', async () => {
    const { cpe, rpcs } = await setup({ profile: { eventSchedule: { factoryResetDelay: '7s' } } });
    cpe.crUrl = 'http://127.0.0.1:7547/cr/cpe-1';
    cpe.params.setInternal('Device.ManagementServer.ConnectionRequestURL', cpe.crUrl);
    cpe.start();
    const first = await cpe.whenBootstrapped();
    rpcs.push(spv('Device.WiFi.SSID.1.SSID', 'provisioned', 'xsd:string', 'pk-1'), fixture('acs/factoryreset.xml'));
    const s = await cpe.inform(['6 CONNECTION REQUEST']);
    expect(cpe.params.getValue('Device.WiFi.SSID.1.SSID')).toBe('sim-1');
    expect(cpe.params.getValue('Device.ManagementServer.ParameterKey')).toBe('');
    expect(cpe.params.getValue('Device.ManagementServer.ConnectionRequestURL')).toBe('http://127.0.0.1:7547/cr/cpe-1');
    const again = await cpe.whenBootstrapped();
    expect(again.id).not.toBe(first.id);
    expect(codes(again)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    expect(again.startedAt - s.endedAt!).toBe(7_000);
  });

  it('Download: DownloadResponse Status 1, then after transfer.defaultDelay a session with 7 TRANSFER COMPLETE + M Download and a TransferComplete (fault per FileType)', async () => {
    const { cpe, acs, rpcs } = await setup({
      profile: { transfer: { defaultDelay: '45s', faults: { '1 Firmware Upgrade Image': { code: 9010, string: 'Download failure' } } } },
    });
    cpe.start();
    await cpe.whenBootstrapped();
    rpcs.push(downloadFixture());
    const s = await cpe.inform(['6 CONNECTION REQUEST']);
    const dr = acs.requests.filter((r) => r.kind === 'response').pop()!;
    expect(decodeEnvelope(dr.body).body).toEqual({ name: 'DownloadResponse', status: 1, startTime: '0001-01-01T00:00:00Z', completeTime: '0001-01-01T00:00:00Z' });
    expect(dr.id).toBe('fw-9');
    const tc = await cpe.waitForSession((x) => codes(x).includes('7 TRANSFER COMPLETE'));
    expect(codes(tc)).toEqual(['7 TRANSFER COMPLETE', 'M Download(fw-9)']);
    const dlAt = s.entries.find((e) => e.dir === 'acs->cpe' && e.summary.startsWith('Download'))!.time;
    expect(tc.startedAt - dlAt).toBe(45_000);
    const req = acs.requests.find((r) => r.kind === 'transfer-complete')!;
    const body = decodeEnvelope(req.body).body as CwmpMessage;
    expect(body).toMatchObject({ name: 'TransferComplete', commandKey: 'fw-9', faultStruct: { faultCode: 9010, faultString: 'Download failure' } });
    if (body.name === 'TransferComplete') expect(Date.parse(body.completeTime) - Date.parse(body.startTime)).toBe(45_000);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('Download of a FileType without a configured fault completes with FaultCode 0', async () => {
    const { cpe, acs, rpcs } = await setup();
    cpe.start();
    await cpe.whenBootstrapped();
    // The CPE really fetches the file (issue 15): serve it from a fake ACS's file server on loopback.
    const files = await createFakeAcs();
    try {
      const url = files.files.serve('cfg.bin', 'x'.repeat(1048576));
      rpcs.push(downloadFixture(url).replace('1 Firmware Upgrade Image', '3 Vendor Configuration File'));
      await cpe.inform(['6 CONNECTION REQUEST']);
      await cpe.waitForSession((x) => codes(x).includes('7 TRANSFER COMPLETE'));
      expect(files.files.requests).toEqual([expect.objectContaining({ method: 'GET', status: 200, bytes: 1048576 })]);
    } finally {
      await files.close();
    }
    await cpe.waitForSession((x) => codes(x).includes('7 TRANSFER COMPLETE'));
    expect(decodeEnvelope(acs.requests.find((r) => r.kind === 'transfer-complete')!.body).body).toMatchObject({ faultStruct: { faultCode: 0, faultString: '' } });
  });

  it('ScheduleInform: after DelaySeconds a session with 3 SCHEDULED + M ScheduleInform(CommandKey); DelaySeconds 0 → 9003', async () => {
    const { cpe, acs, rpcs } = await setup();
    cpe.start();
    await cpe.whenBootstrapped();
    rpcs.push(fixture('acs/scheduleinform.xml'), envelope('<cwmp:ScheduleInform><DelaySeconds>0</DelaySeconds><CommandKey>z</CommandKey></cwmp:ScheduleInform>', { id: 'si0' }));
    const s = await cpe.inform(['6 CONNECTION REQUEST']);
    const zero = acs.requests.filter((r) => r.kind === 'response').pop()!;
    expect(decodeEnvelope(zero.body).body).toMatchObject({ name: 'Fault', detail: { faultCode: 9003 } });
    const sch = await cpe.waitForSession((x) => codes(x).includes('3 SCHEDULED'));
    expect(codes(sch)).toEqual(['3 SCHEDULED', 'M ScheduleInform(si-1)']);
    const siAt = s.entries.find((e) => e.dir === 'acs->cpe' && e.summary.startsWith('ScheduleInform'))!.time;
    expect(sch.startedAt - siAt).toBe(60_000);
  });
});

describe('concurrency: one session at a time per CPE', () => {
  it('a CR arriving while the InformResponse is stalled runs right after; repeated CRs fold into one session', async () => {
    bed = new TestBed(0.001);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let stall = false;
    let informs = 0;
    const base = queueAcs();
    const acs = await bed.acs(async (req, a): Promise<Reply> => {
      if (req.kind === 'inform') {
        informs++;
        if (stall) {
          stall = false;
          await gate;
        }
      }
      return base(req, a);
    });
    const cpe = bed.cpe(acs.url);
    cpe.start();
    await cpe.whenBootstrapped();
    stall = true;
    const periodic = cpe.inform(['2 PERIODIC']);
    while (informs < 2) await new Promise((r) => setTimeout(r, 2));
    cpe.connectionRequest();
    cpe.connectionRequest();
    cpe.connectionRequest();
    await new Promise((r) => setTimeout(r, 20));
    expect(informs).toBe(2); // the CR session waits for the mutex
    expect(cpe.busy).toBe(true);
    release();
    const p = await periodic;
    expect(codes(p)).toEqual(['2 PERIODIC']);
    const cr = await cpe.waitForSession((s) => codes(s).includes('6 CONNECTION REQUEST'));
    expect(codes(cr)).toEqual(['6 CONNECTION REQUEST']);
    expect(cr.startedAt).toBeGreaterThanOrEqual(p.endedAt!);
    await new Promise((r) => setTimeout(r, 20));
    expect(cpe.sessions.map((s) => codes(s).join('+'))).toEqual(['0 BOOTSTRAP+1 BOOT', '2 PERIODIC', '6 CONNECTION REQUEST']);
    for (let i = 1; i < cpe.sessions.length; i++) expect(cpe.sessions[i]!.startedAt).toBeGreaterThanOrEqual(cpe.sessions[i - 1]!.endedAt!);
  });

  it('different CPEs run their sessions in parallel', async () => {
    bed = new TestBed(0.001);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inflight = new Set<string>();
    let maxParallel = 0;
    const base = queueAcs();
    const acs = await bed.acs(async (req, a): Promise<Reply> => {
      if (req.kind === 'inform') {
        const sn = /<SerialNumber>([^<]*)</.exec(req.body)![1]!;
        inflight.add(sn);
        maxParallel = Math.max(maxParallel, inflight.size);
        await gate;
        inflight.delete(sn);
      }
      return base(req, a);
    });
    const c1 = bed.cpe(acs.url);
    const c2 = bed.cpe(acs.url, { id: 'cpe-2', index: 2 });
    c1.start();
    c2.start();
    while (maxParallel < 2) await new Promise((r) => setTimeout(r, 2));
    release();
    const [b1, b2] = await Promise.all([c1.whenBootstrapped(), c2.whenBootstrapped()]);
    expect(b1.ok && b2.ok).toBe(true);
    expect(maxParallel).toBe(2);
  });
});

describe('close()', () => {
  it.each(TRANSPORTS)('aborts the in-flight session (%s transport), cancels jobs, rejects waiters; idempotent', async (transport) => {
    bed = new TestBed(0.001);
    let got = false;
    const acs = await bed.acs((req) => {
      got = true;
      return req.kind === 'inform' ? { hang: true } : { status: 204 };
    });
    const cpe = bed.cpe(acs.url, { acs: { url: acs.url, timeoutMs: 10_000, transport } });
    cpe.params.setInternal('Device.ManagementServer.PeriodicInformEnable', 'true');
    cpe.start();
    while (!got) await new Promise((r) => setTimeout(r, 2));
    const waiter = cpe.waitForSession(() => false);
    const boot = cpe.whenBootstrapped();
    const queued = cpe.inform(['2 PERIODIC']);
    expect(bed.scheduler.size).toBe(1); // the periodic job
    await cpe.close();
    await expect(waiter).rejects.toThrow(/cpe-1 was closed/);
    await expect(boot).rejects.toMatchObject({ code: 'CPESIM_CPE_CLOSED' });
    await expect(queued).rejects.toMatchObject({ code: 'CPESIM_CPE_CLOSED' });
    expect(cpe.sessions).toHaveLength(1);
    expect(cpe.sessions[0]!.ok).toBe(false);
    expect(cpe.sessions[0]!.error).toMatch(/aborted/);
    expect(bed.scheduler.size).toBe(0);
    expect(cpe.nextRetryAt).toBeUndefined();
    await cpe.close();
    await expect(cpe.inform(['2 PERIODIC'])).rejects.toMatchObject({ code: 'CPESIM_CPE_CLOSED' });
    cpe.connectionRequest(); // no-op, no throw
  });

  it('waitForSession times out with a clear error', async () => {
    const { cpe } = await setup();
    await expect(cpe.waitForSession(() => true, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'CPESIM_TIMEOUT' });
  });

  it('the transcript ring is bounded and informs are recorded', async () => {
    bed = new TestBed(virtualClock());
    const acs = await bed.acs(queueAcs());
    const cpe = bed.cpe(acs.url, { transcript: { capacity: 3 } });
    cpe.start();
    await cpe.whenBootstrapped();
    for (let i = 0; i < 4; i++) await cpe.inform(['2 PERIODIC']);
    expect(cpe.sessions.map((s) => s.id)).toEqual([3, 4, 5]);
    expect(cpe.informs.map((s) => s.sessionId)).toEqual([3, 4, 5]);
    expect(cpe.sessions[0]!.entries.every((e) => e.xml === undefined)).toBe(true); // keepXml defaults to false
  });
});

// keep the helper import used when fixtures change
void informResponse;
