/**
 * Download for real (issue 15): the CPE fetches from the fake ACS's file server over
 * loopback and reports the TR-069 fault code of each failure in TransferComplete.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeAcs } from '../../src/acs/index.js';
import type { FakeAcs, DownloadOptions } from '../../src/acs/index.js';
import type { Cpe } from '../../src/cpe/index.js';
import { TestBed } from '../cpe/harness.js';
import { transferSettled } from './helpers.js';
import { OPENSSL_MISSING, selfSignedLoopbackCert } from '../support/tls.js';

let bed: TestBed;
afterEach(async () => {
  await bed?.cleanup();
});

async function setup(timeoutMs = 5000, ca?: string): Promise<{ acs: FakeAcs; cpe: Cpe }> {
  bed = new TestBed(0.001);
  const acs = await createFakeAcs();
  const cpe = bed.cpe(acs.url, { transfer: { timeoutMs, ...(ca !== undefined ? { ca } : {}) } });
  // cleanup() runs closers in order: the CPE first (unshifted), the ACS last.
  (bed as unknown as { closers: Array<() => Promise<void>> }).closers.push(() => acs.close());
  acs.alias('cpe-1', cpe.serialNumber);
  cpe.start();
  await cpe.whenBootstrapped();
  return { acs, cpe };
}

/** Sends a Download in a CR session and returns the TransferComplete that reports it. */
async function download(acs: FakeAcs, cpe: Cpe, o: DownloadOptions) {
  const p = acs.download('cpe-1', o);
  await cpe.inform(['6 CONNECTION REQUEST']);
  const { commandKey, response } = await p;
  expect(response).toMatchObject({ name: 'DownloadResponse', status: 1 });
  return transferSettled(acs, cpe, 'cpe-1', commandKey);
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Download fetches the file', () => {
  it('streams the whole file, reports FaultCode 0 with real StartTime/CompleteTime, and the file server saw one GET', async () => {
    const { acs, cpe } = await setup();
    const url = acs.files.serve('cfg.bin', { image: { version: '1', size: 300_000 } });
    const before = cpe.clock.now();
    const tc = await download(acs, cpe, { url, fileType: '3 Vendor Configuration File', fileSize: 300_000, commandKey: 'cfg-1' });
    expect(tc).toMatchObject({ commandKey: 'cfg-1', faultCode: 0, faultString: '' });
    expect(Date.parse(tc.startTime)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(tc.completeTime)).toBeGreaterThanOrEqual(Date.parse(tc.startTime));
    expect(acs.files.requests.filter((r) => r.name === 'cfg.bin')).toEqual([expect.objectContaining({ method: 'GET', status: 200, bytes: 300_000 })]);
    const s = cpe.sessions.find((x) => x.events.some((e) => e.eventCode === 'M Download' && e.commandKey === 'cfg-1'));
    expect(s?.events.map((e) => e.eventCode)).toEqual(['7 TRANSFER COMPLETE', 'M Download']);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it.each(['basic', 'digest'] as const)('answers a %s challenge with the RPC Username/Password', async (scheme) => {
    const { acs, cpe } = await setup();
    const url = acs.files.serve('secret.bin', 'x'.repeat(1000), { auth: { scheme, username: 'fw', password: 'p@ss' } });
    const tc = await download(acs, cpe, { url, fileType: '3 Vendor Configuration File', username: 'fw', password: 'p@ss' });
    expect(tc.faultCode).toBe(0);
    expect(acs.files.requests.map((r) => r.status)).toEqual([401, 200]);
  });

  const tls = selfSignedLoopbackCert();
  it.skipIf(!tls)(`over HTTPS with the CA the CPE was given; a certificate it does not trust → 9012 (${tls ? 'openssl found' : OPENSSL_MISSING})`, async () => {
    const { acs, cpe } = await setup(5000, tls!.cert);
    await acs.files.listenTls(tls!);
    acs.files.serve('secure.bin', 'x'.repeat(70_000), { auth: { scheme: 'digest', username: 'fw', password: 'pw' } });
    const url = acs.files.url('secure.bin', { tls: true });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/files\/secure\.bin$/);
    expect((await download(acs, cpe, { url, fileType: '3 Vendor Configuration File', username: 'fw', password: 'pw', fileSize: 70_000 })).faultCode).toBe(0);
    await cpe.close();
    const other = bed.cpe(acs.url, { id: 'cpe-2', index: 2, transfer: { timeoutMs: 5000 } });
    acs.alias('cpe-2', other.serialNumber);
    other.start();
    await other.whenBootstrapped();
    const p = acs.download('cpe-2', { url, fileType: '3 Vendor Configuration File', username: 'fw', password: 'pw', commandKey: 'untrusted' });
    await other.inform(['6 CONNECTION REQUEST']);
    await p;
    expect(await transferSettled(acs, other, 'cpe-2', 'untrusted')).toMatchObject({ faultCode: 9012, faultString: expect.stringMatching(/certificate is not trusted/) });
  });

  it('follows redirects, but not forever (9016)', async () => {
    const { acs, cpe } = await setup();
    const target = acs.files.serve('real.bin', 'data');
    acs.files.serve('moved.bin', '', { behaviour: { redirectTo: target } });
    expect((await download(acs, cpe, { url: acs.files.url('moved.bin'), fileType: '3 Vendor Configuration File' })).faultCode).toBe(0);
    acs.files.serve('loop.bin', '', { behaviour: { redirectTo: acs.files.url('loop.bin') } });
    const tc = await download(acs, cpe, { url: acs.files.url('loop.bin'), fileType: '3 Vendor Configuration File' });
    expect(tc).toMatchObject({ faultCode: 9016, faultString: expect.stringMatching(/more than 5 redirects/) });
  });

  it('queues several Downloads and runs them in order, one at a time', async () => {
    const { acs, cpe } = await setup();
    const a = acs.files.serve('a.bin', { image: { size: 200_000 } });
    const b = acs.files.serve('b.bin', { image: { size: 1000 } });
    const pa = acs.download('cpe-1', { url: a, commandKey: 'A', fileType: '3 Vendor Configuration File' });
    const pb = acs.download('cpe-1', { url: b, commandKey: 'B', fileType: '3 Vendor Configuration File' });
    await cpe.inform(['6 CONNECTION REQUEST']);
    await Promise.all([pa, pb]);
    const ta = await acs.waitForTransferComplete('cpe-1', { commandKey: 'A' });
    const tb = await acs.waitForTransferComplete('cpe-1', { commandKey: 'B' });
    expect([ta.faultCode, tb.faultCode]).toEqual([0, 0]);
    expect(Date.parse(tb.startTime)).toBeGreaterThanOrEqual(Date.parse(ta.completeTime));
    expect(acs.files.requests.filter((r) => r.method === 'GET').map((r) => r.name)).toEqual(['a.bin', 'b.bin']);
  });
});

describe('Download faults (TR-069 A.5)', () => {
  it('9015: nobody listens on the port', async () => {
    const { acs, cpe } = await setup();
    const tc = await download(acs, cpe, { url: `http://127.0.0.1:${await closedPort()}/fw.img` });
    expect(tc).toMatchObject({ faultCode: 9015, faultString: expect.stringMatching(/^Download failure: unable to contact file server/) });
  });

  it('9015: the server never answers (response head timeout)', async () => {
    const { acs, cpe } = await setup(300);
    const url = acs.files.serve('hang.img', 'x', { behaviour: { stall: 'headers' } });
    expect((await download(acs, cpe, { url })).faultCode).toBe(9015);
  });

  it('9016: no such file (404) and a 500', async () => {
    const { acs, cpe } = await setup();
    expect((await download(acs, cpe, { url: acs.files.url('missing.img') })).faultCode).toBe(9016);
    const url = acs.files.serve('broken.img', 'x', { behaviour: { status: 500 } });
    expect(await download(acs, cpe, { url })).toMatchObject({ faultCode: 9016, faultString: expect.stringMatching(/answered 500/) });
  });

  it('9012: wrong password, and a challenge when the RPC had no Username', async () => {
    const { acs, cpe } = await setup();
    const url = acs.files.serve('locked.img', 'x', { auth: { scheme: 'digest', username: 'fw', password: 'right' } });
    expect((await download(acs, cpe, { url, username: 'fw', password: 'wrong' })).faultCode).toBe(9012);
    expect(await download(acs, cpe, { url })).toMatchObject({ faultCode: 9012, faultString: expect.stringMatching(/no Username/) });
  });

  it('9017: the connection is cut halfway, or the body stalls', async () => {
    const { acs, cpe } = await setup(300);
    const cut = acs.files.serve('cut.img', { image: { size: 500_000 } }, { behaviour: { cutAfterBytes: 100_000 } });
    expect((await download(acs, cpe, { url: cut })).faultCode).toBe(9017);
    const stall = acs.files.serve('stall.img', { image: { size: 200_000 } }, { behaviour: { stall: 'body' } });
    expect((await download(acs, cpe, { url: stall })).faultCode).toBe(9017);
  });

  it('9018: FileSize that lies (both ways) and an empty file', async () => {
    const { acs, cpe } = await setup();
    const url = acs.files.serve('sized.bin', 'x'.repeat(5000));
    expect(await download(acs, cpe, { url, fileType: '3 Vendor Configuration File', fileSize: 4000 })).toMatchObject({ faultCode: 9018, faultString: expect.stringMatching(/more than the 4000 bytes/) });
    expect(await download(acs, cpe, { url, fileType: '3 Vendor Configuration File', fileSize: 6000 })).toMatchObject({ faultCode: 9018, faultString: expect.stringMatching(/received 5000 bytes, FileSize says 6000/) });
    const empty = acs.files.serve('empty.bin', Buffer.alloc(0));
    expect((await download(acs, cpe, { url: empty, fileType: '3 Vendor Configuration File' })).faultCode).toBe(9018);
  });

  it('bad URLs fault the RPC itself: userinfo → 9003, tftp/file → 9013; nothing is queued', async () => {
    const { acs, cpe } = await setup();
    const answers = Promise.all([
      acs.download('cpe-1', { url: 'http://user:pw@127.0.0.1:1/fw.img' }),
      acs.download('cpe-1', { url: 'tftp://127.0.0.1/fw.img' }),
      acs.download('cpe-1', { url: 'file:///etc/passwd' }),
      acs.download('cpe-1', { url: 'not a url' }),
    ]);
    await cpe.inform(['6 CONNECTION REQUEST']);
    const codes = (await answers).map((a) => (a.response.name === 'Fault' ? a.response.detail.faultCode : 0));
    expect(codes).toEqual([9003, 9013, 9013, 9003]);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('close() aborts a transfer in flight cleanly: no TransferComplete, the connection is released', async () => {
    const { acs, cpe } = await setup(60_000);
    const url = acs.files.serve('slow.img', { image: { size: 400_000 } }, { behaviour: { stall: 'body' } });
    const p = acs.download('cpe-1', { url, commandKey: 'cut-short' });
    await cpe.inform(['6 CONNECTION REQUEST']);
    await p;
    for (let i = 0; i < 400 && !acs.files.requests.some((r) => r.name === 'slow.img'); i++) await new Promise((r) => setTimeout(r, 5));
    expect(acs.files.requests.some((r) => r.name === 'slow.img')).toBe(true);
    await cpe.close(); // would hang for the 60 s idle timeout if the fetch were not aborted
    expect(acs.transferCompletes('cpe-1')).toEqual([]);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('an injected transfer.faults entry wins: nothing is fetched', async () => {
    bed = new TestBed(0.001);
    const acs = await createFakeAcs();
    const cpe = bed.cpe(acs.url, { profile: { transfer: { faults: { '3 Vendor Configuration File': { code: 9019, string: 'bad signature' } } } } });
    (bed as unknown as { closers: Array<() => Promise<void>> }).closers.push(() => acs.close());
    acs.alias('cpe-1', cpe.serialNumber);
    cpe.start();
    await cpe.whenBootstrapped();
    const url = acs.files.serve('cfg.bin', 'x');
    expect(await download(acs, cpe, { url, fileType: '3 Vendor Configuration File' })).toMatchObject({ faultCode: 9019, faultString: 'bad signature' });
    expect(acs.files.requests).toEqual([]);
  });
});
