/** Shared by the transfer tests. Not a test file itself. */
import type { FakeAcs, TransferCompleteRecord } from '../../src/acs/index.js';
import type { Cpe } from '../../src/cpe/index.js';

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
