// `cpe-sim --transfer-ca-file` / `--transfer-timeout`: the trust and idle timeout of every
// file transfer a CPE makes, apart from the ACS's `--ca-cert-file` (TR-069 A.3.2.8: the
// CPE authenticates the file server itself; a server it cannot authenticate is 9012). An
// HTTPS file server whose certificate only a throwaway CA vouches for is reached with the
// flag and refused without it; a bad CA file stops the start with exit 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakeAcs } from '../../src/acs/index.js';
import { OPENSSL_MISSING, testPki } from '../support/pki.js';
import { run, start } from './io.js';

const root = new URL('../../', import.meta.url).pathname;
const DIGEST = `${root}fixtures/profiles/tr181-digest.yaml`;
const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-transfer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** One CPE of the CLI against an external fake ACS that sends it a Download of an HTTPS file; the TransferComplete. */
async function downloadOverHttps(extra: string[], commandKey: string) {
  await using acs = await createFakeAcs();
  await acs.files.listenTls(pki!.server);
  acs.files.serve('cfg.bin', 'x'.repeat(50_000));
  // Queued before the CPE exists: delivered in its boot session.
  const queued = acs.download('DIG-001', { url: acs.files.url('cfg.bin', { tls: true }), fileType: '3 Vendor Configuration File', fileSize: 50_000, commandKey });
  // --admin-addr makes it a daemon, which lives on to report the TransferComplete.
  const r = start(['--profile', DIGEST, '--count', '1', '--acs-url', acs.url, '--admin-addr', '127.0.0.1:0', '--time-scale', '0.001', ...extra]);
  try {
    expect((await queued).response).toMatchObject({ name: 'DownloadResponse', status: 1 });
    return await acs.waitForTransferComplete('DIG-001', { commandKey, timeoutMs: 20_000 });
  } finally {
    r.stop();
    await r.done;
  }
}

describe.skipIf(pki === undefined)(`file transfers over HTTPS from the CLI${pki ? '' : ` (skipped: ${OPENSSL_MISSING})`}`, () => {
  it('--transfer-ca-file (a file holding two CAs, the signer second) lets the CPE fetch from the HTTPS file server: FaultCode 0', async () => {
    const ca = file('two-cas.pem', pki!.otherCa + pki!.ca);
    expect(await downloadOverHttps(['--transfer-ca-file', ca, '--transfer-timeout', '20s'], 'trusted')).toMatchObject({ commandKey: 'trusted', faultCode: 0 });
  });

  it('without it (and with the CA given as --ca-cert-file, which serves the ACS only) the server is not trusted: 9012', async () => {
    const tc = await downloadOverHttps(['--ca-cert-file', file('acs-ca.pem', pki!.ca)], 'untrusted');
    expect(tc).toMatchObject({ commandKey: 'untrusted', faultCode: 9012, faultString: expect.stringMatching(/certificate/) });
  });
});

describe('a bad --transfer-ca-file stops the start (exit 2) naming the flag and the path', () => {
  it.each([
    ['missing', join(dir, 'nope.pem'), /transfer\.caFile \(--transfer-ca-file\): cannot read ".*nope\.pem" \(ENOENT\); expected a PEM file/],
    ['not PEM', file('junk.pem', 'not a certificate\n'), /transfer\.caFile \(--transfer-ca-file\): ".*junk\.pem" is not PEM/],
  ])('%s', async (_what, path, message) => {
    const r = await run(['--profile', DIGEST, '--count', '1', '--transfer-ca-file', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a bad --transfer-timeout names the flag (exit 2)', async () => {
    const r = await run(['--profile', DIGEST, '--transfer-timeout', '30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--transfer-timeout: invalid value "30": expected a Go duration/);
  });
});
