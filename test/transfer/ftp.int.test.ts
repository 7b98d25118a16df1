/**
 * FTP transfers (TR-069 §3.4: a Download/Upload URL may be ftp://) against a real
 * ProFTPD from Debian started on loopback by this file: passive mode, the RPC's
 * Username/Password or an anonymous login, streaming, and the fault of every failure.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAcs } from '../../src/acs/index.js';
import type { Cpe } from '../../src/cpe/index.js';
import { isCwmpFault } from '../../src/errors/index.js';
import { checkTransferUrl, downloadFile, ftpPath, TransferAbortedError, uploadFile } from '../../src/transfer/index.js';
import { TestBed } from '../cpe/harness.js';
import { freePort } from '../support/servers/common.js';
import { ftpAnonymousMissing, proftpdMissing, startProftpd, type StartedProftpd } from '../support/servers/proftpd.js';
import { acsWithCpe, downloadSettled, transferSettled } from './helpers.js';
import { httpManifestFetcher, installDu } from '../../src/swmod/index.js';
import { DEMO_UUID, demoManifest, swmodTree } from '../swmod/helpers.js';

/** The fault code a transfer rejected with (fails the test when it resolved or threw something else). */
async function faultOf(p: Promise<unknown>): Promise<{ code: number; text: string }> {
  try {
    await p;
  } catch (err) {
    if (isCwmpFault(err)) return { code: err.faultCode, text: err.faultString };
    throw err;
  }
  throw new Error('the transfer succeeded');
}

const creds = { username: 'acs', password: 's3cret' };
const timeoutMs = 5000;

describe('ftp: URLs are checked, not refused', () => {
  it('accepts ftp (9013 only for other schemes) and maps the URL path per RFC 1738', () => {
    expect(checkTransferUrl('ftp://127.0.0.1:2121/fw/a.img').protocol).toBe('ftp:');
    expect(() => checkTransferUrl('tftp://127.0.0.1/a.img')).toThrow(/9013|Unsupported protocol/);
    expect(() => checkTransferUrl('ftp://u:p@127.0.0.1/a.img')).toThrow(/user information/);
    expect(ftpPath(new URL('ftp://h/fw/gw%207.img;type=i'))).toBe('fw/gw 7.img');
    expect(ftpPath(new URL('ftp://h/%2Fabs/x.img'))).toBe('/abs/x.img');
  });
});

describe.skipIf(proftpdMissing)(`against ProFTPD${proftpdMissing ? ` (${proftpdMissing})` : ''}`, () => {
  let ftp: StartedProftpd;
  beforeAll(async () => {
    ftp = await startProftpd({ users: { acs: 's3cret' } });
    ftp.put('fw/image.bin', Buffer.alloc(200_000, 7));
  }, 30_000);
  afterAll(async () => {
    await ftp?.stop();
  });

  it('downloads with the RPC Username/Password, streaming the file in chunks', async () => {
    const chunks: number[] = [];
    const r = await downloadFile({ url: ftp.url('fw/image.bin'), ...creds, timeoutMs, onChunk: (c) => chunks.push(c.length) });
    expect(r.bytes).toBe(200_000);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(200_000);
  });

  it.skipIf(ftpAnonymousMissing)(`logs in as anonymous when the RPC has no Username${ftpAnonymousMissing ? ` (${ftpAnonymousMissing})` : ''}`, async () => {
    const r = await downloadFile({ url: ftp.url('fw/image.bin'), username: '', password: '', timeoutMs, onChunk: () => undefined });
    expect(r.bytes).toBe(200_000);
  });

  it('9012 when the server refuses the login', async () => {
    const f = await faultOf(downloadFile({ url: ftp.url('fw/image.bin'), username: 'acs', password: 'wrong', timeoutMs, onChunk: () => undefined }));
    expect(f.code).toBe(9012);
    expect(f.text).toContain('"acs"');
  });

  it('9016 when the file is not there', async () => {
    expect((await faultOf(downloadFile({ url: ftp.url('fw/none.bin'), ...creds, timeoutMs, onChunk: () => undefined }))).code).toBe(9016);
  });

  it('9015 when nothing listens', async () => {
    const port = await freePort();
    expect((await faultOf(downloadFile({ url: `ftp://127.0.0.1:${port}/a.bin`, ...creds, timeoutMs, onChunk: () => undefined }))).code).toBe(9015);
  });

  it('9018 when the file is larger than FileSize, before a byte is read', async () => {
    let seen = 0;
    const f = await faultOf(downloadFile({ url: ftp.url('fw/image.bin'), ...creds, timeoutMs, maxBytes: 1000, onChunk: (c) => (seen += c.length) }));
    expect(f.code).toBe(9018);
    expect(seen).toBe(0);
  });

  it('a ChangeDUState manifest may come over FTP too (TR-069 A.4.1.14 URL, same transports)', async () => {
    ftp.put('apps/demo-1.yaml', demoManifest());
    const { tree, profile } = swmodTree();
    const r = await installDu({ tree, config: profile.softwareModules!, fetch: httpManifestFetcher({ timeoutMs }), sleep: async () => undefined }, { op: 'install', url: ftp.url('apps/demo-1.yaml'), ...creds });
    expect(r).toMatchObject({ currentState: 'Installed', uuid: DEMO_UUID, version: '1.0.0' });
    expect(tree.getValue('Device.X_EXAMPLE_Probe.Enable')).toBe('true');
  });

  it('uploads with STOR; 9011 when the server refuses the path, 9012 for a refused login', async () => {
    const body = Buffer.from('Device.X\txsd:string\tvalue\n');
    await uploadFile({ url: ftp.url('config.txt'), ...creds, timeoutMs, body });
    expect(ftp.read('config.txt').equals(body)).toBe(true);
    expect((await faultOf(uploadFile({ url: ftp.url('no/such/dir/config.txt'), ...creds, timeoutMs, body }))).code).toBe(9011);
    expect((await faultOf(uploadFile({ url: ftp.url('config.txt'), username: 'acs', password: 'nope', timeoutMs, body }))).code).toBe(9012);
  });
});

describe.skipIf(proftpdMissing)('a transfer cut off mid-way', () => {
  it('9017 when the session dies after some bytes (SIZE said more)', async () => {
    await using ftp = await startProftpd({ users: { acs: 's3cret' }, retrRateKiB: 64 });
    ftp.put('big.bin', Buffer.alloc(1_000_000, 1));
    let killed = false;
    const f = await faultOf(
      downloadFile({
        url: ftp.url('big.bin'),
        ...creds,
        timeoutMs,
        onChunk: () => {
          if (!killed) {
            killed = true;
            ftp.killSessions();
          }
        },
      }),
    );
    expect(killed).toBe(true);
    expect(f.code).toBe(9017);
  }, 30_000);

  it('an abort (the CPE closing) ends it with TransferAbortedError, not a TR-069 fault', async () => {
    await using ftp = await startProftpd({ users: { acs: 's3cret' }, retrRateKiB: 64 });
    ftp.put('big.bin', Buffer.alloc(1_000_000, 1));
    const ac = new AbortController();
    const p = downloadFile({ url: ftp.url('big.bin'), ...creds, timeoutMs, signal: ac.signal, onChunk: () => ac.abort() });
    await expect(p).rejects.toBeInstanceOf(TransferAbortedError);
  }, 30_000);
});

describe.skipIf(proftpdMissing)('Download and Upload RPCs over ftp://', () => {
  let bed: TestBed;
  let ftp: StartedProftpd;
  beforeAll(async () => {
    ftp = await startProftpd({ users: { fw: 'pw' } });
  }, 30_000);
  afterAll(async () => {
    await ftp?.stop();
  });
  afterEach(async () => {
    await bed?.cleanup();
  });

  const setup = (): Promise<{ acs: FakeAcs; cpe: Cpe }> => acsWithCpe((bed = new TestBed(0.001)), { timeoutMs });
  const download = downloadSettled;

  it('a Download completes with FaultCode 0; a FileSize that lies gives 9018; a wrong password 9012', async () => {
    ftp.put('cfg/a.cfg', 'x'.repeat(5000));
    const { acs, cpe } = await setup();
    const ok = await download(acs, cpe, { url: ftp.url('cfg/a.cfg'), fileType: '3 Vendor Configuration File', username: 'fw', password: 'pw', fileSize: 5000, commandKey: 'ftp-1', targetFileName: 'a.cfg' });
    expect(ok).toMatchObject({ commandKey: 'ftp-1', faultCode: 0 });
    const lie = await download(acs, cpe, { url: ftp.url('cfg/a.cfg'), fileType: '3 Vendor Configuration File', username: 'fw', password: 'pw', fileSize: 6000, commandKey: 'ftp-2' });
    expect(lie.faultCode).toBe(9018);
    const auth = await download(acs, cpe, { url: ftp.url('cfg/a.cfg'), fileType: '3 Vendor Configuration File', username: 'fw', password: 'bad', commandKey: 'ftp-3' });
    expect(auth.faultCode).toBe(9012);
  });

  it('an Upload of the configuration arrives on the FTP server', async () => {
    const { acs, cpe } = await setup();
    const p = acs.upload('cpe-1', { url: ftp.url('cpe-1.cfg'), fileType: '1 Vendor Configuration File', username: 'fw', password: 'pw', commandKey: 'up-1' });
    await cpe.inform(['6 CONNECTION REQUEST']);
    await p;
    const tc = await transferSettled(acs, cpe, 'cpe-1', 'up-1');
    expect(tc.faultCode).toBe(0);
    const text = ftp.read('cpe-1.cfg').toString('utf8');
    expect(text).toContain(`${cpe.serialNumber}`);
  });
});
