// A power-cycle storm (issue 17), small: 200 CPEs lose power at once and boot together
// against a fake ACS that starts at most 50 sessions a second and answers the rest 503
// with Retry-After. Every CPE must end up informed (none lost), and every retry must respect
// TR-069 §3.2.1.1, checked from the recorded times (simulated clock), never wall-clock.
// `npm run bench` runs the same storm with 10,000 CPEs (bench/cases/power-storm.mjs).
import { afterEach, describe, expect, it } from 'vitest';
import { auditRetries, retryWaitRangeMs } from '../../src/cpe/index.js';
import { startFleet, type Fleet } from '../../src/fleet/index.js';

const N = 200;
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const BOOT = '1 BOOT';

describe('power-cycle storm against a throttling ACS', () => {
  it(`${N} CPEs power-cycled at once: all informed with 1 BOOT, retries within the TR-069 back-off bounds`, async () => {
    const ended = new Set<string>();
    let counting = false;
    fleet = await startFleet({
      profile: 'fixtures/profiles/tr181-minimal',
      count: N,
      timeScale: 0.01,
      seed: 17,
      cr: false,
      transcript: { capacity: 50 },
      // The ACS's side: which devices completed a session after the power came back.
      embeddedAcs: { onMessage: (l) => void (counting && l.dir === 'acs->cpe' && l.summary.startsWith('HTTP 204 (session end)') && ended.add(l.cpe)) },
    });
    const acs = fleet.acs!;
    // Only the storm: periodic Informs (every 300 s, 3 s of real time here) would compete for the ACS's capacity.
    for (const c of fleet.cpes) c.params.setValues([{ name: 'Device.ManagementServer.PeriodicInformEnable', value: 'false' }], 'acs');
    acs.setThrottle({ maxSessionsPerSecond: 50, retryAfter: 5 });
    const since = fleet.cpes[0]!.clock.now();
    counting = true;
    const hit = fleet.powerCycle({ after: '30s' });
    expect(hit).toHaveLength(N);
    const booted = await Promise.all(hit.map((c) => c.waitForSession((s) => s.ok && s.events.some((e) => e.eventCode === BOOT), { since, timeoutMs: 90_000 })));
    expect(booted).toHaveLength(N);

    // Each CPE's sessions from the power-on to its first successful one (later periodic ones aside).
    const attempts = (c: Fleet['cpes'][number]): Fleet['cpes'][number]['sessions'] => {
      const mine = c.sessions.filter((s) => s.startedAt >= since);
      return mine.slice(0, mine.findIndex((s) => s.ok) + 1);
    };
    const after = fleet.cpes.flatMap((c) => attempts(c));
    const throttled = after.filter((s) => !s.ok && /HTTP 503/.test(s.error ?? ''));
    // The storm really was throttled: many first attempts were refused…
    expect(throttled.length).toBeGreaterThan(N / 2);
    // …and every refused boot came back with its BOOT event: nothing lost.
    for (const s of booted) expect(s.events.map((e) => e.eventCode)).toContain(BOOT);
    const audit = auditRetries(after);
    expect(audit.violations).toEqual([]);
    expect(audit.retries).toBe(throttled.length);
    const first = audit.byRetry.get(1)!;
    expect([first.lowMs, first.highMs]).toEqual(retryWaitRangeMs(1));
    expect(first.minGapMs).toBeGreaterThanOrEqual(first.lowMs - 1);
    // Independently of the audit: each retry's drawn wait inside its range, RetryCount counting the failures.
    for (const c of fleet.cpes) {
      const mine = attempts(c!);
      mine.forEach((s, i) => {
        expect(s.retryCount).toBe(i);
        if (i === 0) return;
        const [lo, hi] = retryWaitRangeMs(i);
        expect(s.retryWaitMs).toBeGreaterThanOrEqual(lo);
        expect(s.retryWaitMs).toBeLessThanOrEqual(hi);
        expect(s.startedAt - mine[i - 1]!.endedAt!).toBeGreaterThanOrEqual(s.retryWaitMs! - 1);
      });
      expect(mine.at(-1)!.ok).toBe(true);
    }
    expect(ended.size).toBe(N);
  }, 120_000);
});
