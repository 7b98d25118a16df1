/** Shared by the transfer tests. Not a test file itself. */
import { expect } from 'vitest';
import { createFakeAcs, type DownloadOptions, type FakeAcs, type TransferCompleteRecord } from '../../src/acs/index.js';
import type { Cpe } from '../../src/cpe/index.js';
import type { AcsRequest, CpeResponse } from '../../src/cwmp/index.js';
import type { TestBed } from '../cpe/harness.js';

/**
 * A fake ACS and one bootstrapped CPE (`cpe-1`) of `bed` talking to it, both closed with
 * the bed. `profile` extends the harness's test profile.
 */
export async function acsWithCpe(bed: TestBed, opts: { timeoutMs?: number; profile?: Record<string, unknown> } = {}): Promise<{ acs: FakeAcs; cpe: Cpe }> {
  const acs = await createFakeAcs();
  const cpe = bed.cpe(acs.url, { transfer: { timeoutMs: opts.timeoutMs ?? 5000 }, ...(opts.profile ? { profile: opts.profile } : {}) });
  (bed as unknown as { closers: Array<() => Promise<void>> }).closers.push(() => acs.close());
  acs.alias('cpe-1', cpe.serialNumber);
  cpe.start();
  await cpe.whenBootstrapped();
  return { acs, cpe };
}

/** Sends `reqs` to `cpe-1` in one CR session; resolves with the CPE's answers in order. */
export async function inSession(acs: FakeAcs, cpe: Cpe, ...reqs: AcsRequest[]): Promise<CpeResponse[]> {
  const answers = Promise.all(reqs.map((r) => acs.rpc('cpe-1', r)));
  await cpe.inform(['6 CONNECTION REQUEST']);
  return answers;
}

/**
 * The TransferComplete with `commandKey` as the ACS received it, once the CPE's session
 * that sent it has ended too (the ACS sees the message a moment before the CPE records
 * the TransferCompleteResponse and its session).
 */
export async function transferSettled(acs: FakeAcs, cpe: Cpe, key: string, commandKey: string): Promise<TransferCompleteRecord> {
  const tc = await acs.waitForTransferComplete(key, { commandKey, timeoutMs: 20_000 });
  await cpe.waitForSession((s) => s.entries.some((e) => e.summary.startsWith(`TransferComplete commandKey=${commandKey} `)));
  return tc;
}

/** Sends a Download to `cpe-1` in a CR session, checks it was accepted (Status 1), and returns the TransferComplete that reports it. */
export async function downloadSettled(acs: FakeAcs, cpe: Cpe, o: DownloadOptions): Promise<TransferCompleteRecord> {
  const p = acs.download('cpe-1', o);
  await cpe.inform(['6 CONNECTION REQUEST']);
  const { commandKey, response } = await p;
  expect(response).toMatchObject({ name: 'DownloadResponse', status: 1 });
  return transferSettled(acs, cpe, 'cpe-1', commandKey);
}
