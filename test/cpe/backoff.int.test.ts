/**
 * Issue 20 item 4: a pending retry back-off (TR-069 §3.2.1.1) holds every session but
 * the retry itself and a Connection Request. The study's reproduction: a Download with
 * zero delay and a Reboot in one session, then the ACS answers the boot session with 500.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/cpe/index.js';
import { TestBed, fixture, manualClock, queueAcs, virtualClock, downloadFixture } from './harness.js';
import type { Reply } from './harness.js';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

const codes = (s: SessionRecord): string[] => s.events.map((e) => e.eventCode);

/** An ACS that answers 500 to the Informs `failWhen` picks, and otherwise plays the queued RPCs. */
async function failingAcs(failWhen: (body: string) => boolean) {
  const base = queueAcs();
  let failures = 0;
  const acs = await bed.acs((req, a): Reply | Promise<Reply> => {
    if (req.kind === 'inform' && failures === 0 && failWhen(req.body)) {
      failures++;
      return { status: 500 };
    }
    return base(req, a);
  });
  return { acs, rpcs: base.rpcs };
}

describe('retry back-off (TR-069 §3.2.1.1, issue 20 item 4)', () => {
  it('Download (DelaySeconds 0) + Reboot, boot session answered 500: retry 1 comes after the back-off, carrying the transfer', async () => {
    bed = new TestBed(virtualClock());
    const { acs, rpcs } = await failingAcs((body) => body.includes('M Reboot'));
    // retry random() = 0: the wait before retry 1 is exactly 5 s. The injected fault keeps the
    // transfer on the simulated clock (a real fetch would race it): nothing is fetched.
    const cpe = bed.cpe(acs.url, { profile: { transfer: { faults: { '1 Firmware Upgrade Image': { code: 9010, string: 'injected' } } } } });
    const all: SessionRecord[] = [];
    cpe.onSession((s) => all.push(s));
    cpe.start();
    await cpe.whenBootstrapped();
    rpcs.push(downloadFixture(), fixture('acs/reboot.xml'));
    await cpe.inform(['6 CONNECTION REQUEST']);
    const failed = await cpe.waitForSession((s) => !s.ok);
    expect(codes(failed)).toEqual(expect.arrayContaining(['1 BOOT', 'M Reboot']));
    const retry = await cpe.waitForSession((s) => s.id > failed.id);
    expect(retry.retryCount).toBe(1);
    expect(retry.startedAt - failed.endedAt!).toBe(5000); // was 0: the queued transfer trigger ran as the lock was released
    expect(codes(retry)).toEqual(expect.arrayContaining(['1 BOOT', 'M Reboot', '7 TRANSFER COMPLETE', 'M Download']));
    expect(retry.ok).toBe(true);
    expect(all.filter((s) => s.id > failed.id)).toHaveLength(1);
    expect(acs.requests.filter((r) => r.kind === 'transfer-complete')).toHaveLength(1);
  });

  it('an API inform() during the back-off waits for the retry, which carries its events', async () => {
    const clock = manualClock();
    bed = new TestBed(clock);
    const { acs } = await failingAcs(() => true);
    const cpe = bed.cpe(acs.url);
    cpe.start();
    const failed = await cpe.waitForSession((s) => !s.ok);
    expect(cpe.nextRetryAt).toBe(failed.endedAt! + 5000);
    const asked = cpe.inform(['2 PERIODIC']);
    await new Promise((r) => setTimeout(r, 50));
    expect(cpe.sessions).toHaveLength(1); // nothing ran: the back-off holds it
    clock.advance(5000);
    const s = await asked;
    expect(s.startedAt).toBe(failed.endedAt! + 5000);
    expect(s.retryCount).toBe(1);
    expect(codes(s)).toEqual(['0 BOOTSTRAP', '1 BOOT', '2 PERIODIC']);
  });

  it('a Connection Request is let through the back-off (RetryCount still counts the failure)', async () => {
    bed = new TestBed(manualClock());
    const { acs } = await failingAcs(() => true);
    const cpe = bed.cpe(acs.url, { retry: { random: () => 0, minimumWaitS: 3600 } });
    cpe.start();
    const failed = await cpe.waitForSession((s) => !s.ok);
    expect(cpe.nextRetryAt).toBe(failed.endedAt! + 3_600_000);
    cpe.connectionRequest();
    const s = await cpe.waitForSession((x) => x.id > failed.id);
    expect(s.startedAt).toBe(failed.endedAt); // the manual clock never moved: no back-off was waited
    expect(s.retryCount).toBe(1);
    expect(codes(s)).toEqual(['0 BOOTSTRAP', '1 BOOT', '6 CONNECTION REQUEST']);
    expect(s.ok).toBe(true);
    expect(cpe.nextRetryAt).toBeUndefined();
  });

  it('close() during the back-off rejects a held inform()', async () => {
    bed = new TestBed(manualClock());
    const { acs } = await failingAcs(() => true);
    const cpe = bed.cpe(acs.url, { retry: { random: () => 0, minimumWaitS: 3600 } });
    cpe.start();
    await cpe.waitForSession((s) => !s.ok);
    const held = cpe.inform(['2 PERIODIC']);
    await new Promise((r) => setTimeout(r, 20));
    await cpe.close();
    await expect(held).rejects.toThrow(/was closed/);
  });
});
