/**
 * Upload, ScheduleDownload, GetQueuedTransfers, GetAllQueuedTransfers, CancelTransfer and
 * AutonomousTransferComplete (issue 15), against the fake ACS and its file server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeAcs } from '../../src/acs/index.js';
import type { FakeAcs } from '../../src/acs/index.js';
import type { Cpe } from '../../src/cpe/index.js';
import type { AcsRequest, CpeResponse, TimeWindowStruct } from '../../src/cwmp/index.js';
import { TestBed } from '../cpe/harness.js';
import { acsWithCpe, inSession, transferSettled } from './helpers.js';

let bed: TestBed;
afterEach(async () => {
  await bed?.cleanup();
});

async function setup(timeoutMs = 5000): Promise<{ acs: FakeAcs; cpe: Cpe }> {
  bed = new TestBed(0.001);
  return acsWithCpe(bed, { timeoutMs });
}

function scheduleDownload(url: string, commandKey: string, windows: Array<Partial<TimeWindowStruct>>): AcsRequest {
  return {
    name: 'ScheduleDownload',
    commandKey,
    fileType: '3 Vendor Configuration File',
    url,
    username: '',
    password: '',
    fileSize: 0,
    targetFileName: '',
    timeWindowList: windows.map((w) => ({ windowStart: 0, windowEnd: 3600, windowMode: '1 At Any Time', userMessage: '', maxRetries: -1, ...w })),
  };
}

describe('Upload', () => {
  it('1 Vendor Configuration File: PUTs the configuration as text with Digest auth; M Upload + 7 TRANSFER COMPLETE', async () => {
    const { acs, cpe } = await setup();
    acs.files.auth({ scheme: 'digest', username: 'up', password: 'pw' });
    const url = acs.files.url('up/cpe-1.cfg');
    const p = acs.upload('cpe-1', { url, commandKey: 'cfg', username: 'up', password: 'pw' });
    await cpe.inform(['6 CONNECTION REQUEST']);
    expect((await p).response).toMatchObject({ name: 'UploadResponse', status: 1 });
    const up = await acs.files.waitForUpload('up/cpe-1.cfg', { timeoutMs: 10_000 });
    expect(up.username).toBe('up');
    expect(up.body.toString()).toContain(`Device.DeviceInfo.SerialNumber\txsd:string\t${cpe.serialNumber}\n`);
    const tc = await transferSettled(acs, cpe, 'cpe-1', 'cfg');
    expect(tc.faultCode).toBe(0);
    const s = cpe.sessions.find((x) => x.events.some((e) => e.eventCode === 'M Upload'));
    expect(s?.events).toEqual([
      { eventCode: '7 TRANSFER COMPLETE', commandKey: '' },
      { eventCode: 'M Upload', commandKey: 'cfg' },
    ]);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('2 Vendor Log File: the recent session log', async () => {
    const { acs, cpe } = await setup();
    const url = acs.files.url('log.txt');
    const p = acs.upload('cpe-1', { url, fileType: '2 Vendor Log File' });
    await cpe.inform(['6 CONNECTION REQUEST']);
    await p;
    const up = await acs.files.waitForUpload('log.txt', { timeoutMs: 10_000 });
    expect(up.body.toString()).toMatch(/session #1 cpe-1 \[0 BOOTSTRAP, 1 BOOT\]/);
  });

  it('faults: wrong credentials → 9012, unreachable → 9011, a FileType it cannot produce → 9011', async () => {
    const { acs, cpe } = await setup();
    acs.files.auth({ scheme: 'basic', username: 'up', password: 'pw' });
    const a = acs.upload('cpe-1', { url: acs.files.url('x.cfg'), commandKey: 'auth', username: 'up', password: 'nope' });
    const b = acs.upload('cpe-1', { url: 'http://127.0.0.1:1/x', commandKey: 'down' });
    const c = acs.upload('cpe-1', { url: acs.files.url('y'), commandKey: 'type', fileType: '5 Vendor Thing' });
    await cpe.inform(['6 CONNECTION REQUEST']);
    await Promise.all([a, b, c]);
    expect((await acs.waitForTransferComplete('cpe-1', { commandKey: 'auth' })).faultCode).toBe(9012);
    expect((await acs.waitForTransferComplete('cpe-1', { commandKey: 'down' })).faultCode).toBe(9011);
    expect(await acs.waitForTransferComplete('cpe-1', { commandKey: 'type' })).toMatchObject({ faultCode: 9011, faultString: expect.stringMatching(/5 Vendor Thing/) });
    expect(acs.files.uploads).toEqual([]);
  });
});

describe('ScheduleDownload', () => {
  it('downloads in the first usable window and reports M ScheduleDownload', async () => {
    const { acs, cpe } = await setup();
    const url = acs.files.serve('cfg.bin', 'x'.repeat(2000));
    const [r] = await inSession(acs, cpe, scheduleDownload(url, 'sd-1', [{ windowStart: 60, windowEnd: 120 }]));
    expect(r).toEqual({ name: 'ScheduleDownloadResponse' });
    const tc = await transferSettled(acs, cpe, 'cpe-1', 'sd-1');
    expect(tc.faultCode).toBe(0);
    const s = cpe.sessions.find((x) => x.events.some((e) => e.eventCode === 'M ScheduleDownload'));
    expect(s?.events.map((e) => e.eventCode)).toEqual(['7 TRANSFER COMPLETE', 'M ScheduleDownload']);
  });

  it('9020 when the only window needs a user confirmation nobody gives; 9003 for broken windows', async () => {
    const { acs, cpe } = await setup();
    const url = acs.files.serve('cfg.bin', 'x');
    const answers = await inSession(
      acs,
      cpe,
      scheduleDownload(url, 'confirm', [{ windowMode: '4 Confirmation Needed' }]),
      scheduleDownload(url, 'backwards', [{ windowStart: 100, windowEnd: 50 }]),
      scheduleDownload(url, 'overlap', [{ windowStart: 0, windowEnd: 100 }, { windowStart: 50, windowEnd: 200 }]),
      scheduleDownload(url, 'mode', [{ windowMode: 'whenever' }]),
      scheduleDownload(url, 'three', [{}, { windowStart: 4000, windowEnd: 5000 }, { windowStart: 6000, windowEnd: 7000 }]),
    );
    expect(answers.map((a) => (a.name === 'Fault' ? a.detail.faultCode : a.name))).toEqual(['ScheduleDownloadResponse', 9003, 9003, 9003, 9003]);
    expect(await acs.waitForTransferComplete('cpe-1', { commandKey: 'confirm' })).toMatchObject({ faultCode: 9020, faultString: expect.stringMatching(/^Download failure: unable to complete download within specified time windows/) });
    expect(acs.files.requests).toEqual([]);
  });
});

describe('the transfer queue over RPC', () => {
  it('GetQueuedTransfers / GetAllQueuedTransfers list queued transfers with their state; CancelTransfer removes a queued one (no TransferComplete) and 9021 for one in progress', async () => {
    const { acs, cpe } = await setup(1000);
    const slow = acs.files.serve('slow.img', { image: { size: 300_000 } }, { behaviour: { stall: 'body' } });
    const later = acs.files.serve('later.bin', 'x');
    const dl = (commandKey: string, url: string, fileType = '3 Vendor Configuration File'): AcsRequest => ({
      name: 'Download', commandKey, fileType, url, username: '', password: '', fileSize: 300_000, targetFileName: 'x.img', delaySeconds: 0, successURL: '', failureURL: '',
    });
    await inSession(acs, cpe, dl('first', slow), dl('second', later));
    // Wait until the first transfer is under way (the server has sent half of it and stalls).
    for (let i = 0; i < 400 && !acs.files.requests.some((r) => r.name === 'slow.img'); i++) await new Promise((r) => setTimeout(r, 5));
    const [q, all, cancelRunning, cancelQueued, cancelUnknown] = await inSession(
      acs,
      cpe,
      { name: 'GetQueuedTransfers' },
      { name: 'GetAllQueuedTransfers' },
      { name: 'CancelTransfer', commandKey: 'first' },
      { name: 'CancelTransfer', commandKey: 'second' },
      { name: 'CancelTransfer', commandKey: 'nope' },
    );
    expect(q).toEqual({ name: 'GetQueuedTransfersResponse', transferList: [{ commandKey: 'first', state: 2 }, { commandKey: 'second', state: 1 }] });
    expect(all).toMatchObject({
      name: 'GetAllQueuedTransfersResponse',
      transferList: [
        { commandKey: 'first', state: 2, isDownload: true, fileType: '3 Vendor Configuration File', fileSize: 300_000, targetFileName: 'x.img' },
        { commandKey: 'second', state: 1, isDownload: true },
      ],
    });
    expect(cancelRunning).toMatchObject({ name: 'Fault', detail: { faultCode: 9021 } });
    expect(cancelQueued).toEqual({ name: 'CancelTransferResponse' });
    expect(cancelUnknown).toMatchObject({ name: 'Fault', detail: { faultCode: 9003 } });
    // The stalled one fails on its idle timeout (9017); the cancelled one is never reported.
    expect((await acs.waitForTransferComplete('cpe-1', { commandKey: 'first' })).faultCode).toBe(9017);
    await cpe.inform(['2 PERIODIC']);
    expect(acs.transferCompletes('cpe-1').map((t) => t.commandKey)).toEqual(['first']);
    expect(acs.files.requests.some((r) => r.name === 'later.bin')).toBe(false);
  });

  it('GetRPCMethods lists the transfer RPCs', async () => {
    const { acs, cpe } = await setup();
    const [r] = await inSession(acs, cpe, { name: 'GetRPCMethods' });
    expect(r).toMatchObject({ methodList: expect.arrayContaining(['Download', 'Upload', 'ScheduleDownload', 'GetQueuedTransfers', 'GetAllQueuedTransfers', 'CancelTransfer']) });
  });
});

describe('AutonomousTransferComplete (API-triggered)', () => {
  it('a device that upgraded itself: 10 AUTONOMOUS TRANSFER COMPLETE, the request, the new version', async () => {
    const { acs, cpe } = await setup();
    const s = await cpe.autonomousTransferComplete({ fileType: '1 Firmware Upgrade Image', transferURL: 'http://vendor.example/fw-7.3.img', fileSize: 1234, version: '7.3.0' });
    expect(s.ok).toBe(true);
    expect(s.events.map((e) => e.eventCode)).toEqual(['10 AUTONOMOUS TRANSFER COMPLETE']);
    const msg = acs.sessions.at(-1)!.messages.find((m) => m.message && m.message.name === 'AutonomousTransferComplete')!.message;
    expect(msg).toMatchObject({ isDownload: true, fileType: '1 Firmware Upgrade Image', transferURL: 'http://vendor.example/fw-7.3.img', fileSize: 1234, faultStruct: { faultCode: 0 } });
    expect(cpe.firmwareVersion).toBe('7.3.0');
    expect(acs.informs.at(-1)!.parameters).toContainEqual(expect.objectContaining({ name: 'Device.DeviceInfo.SoftwareVersion', value: '7.3.0' }));
    expect(cpe.pendingEvents).toEqual([]);
  });
});
