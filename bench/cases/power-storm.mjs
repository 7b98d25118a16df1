// Case: a power-cycle storm (issue 17). N tr181-minimal CPEs boot (periodic Informs then
// turned off, so only the storm loads the ACS), the fake ACS is throttled to
// `perSecond` new sessions a second (503 + Retry-After for the rest), and the whole fleet
// loses power at once and boots together. Reports how long until every CPE delivered
// its `1 BOOT`, how many Informs were refused, and the TR-069 §3.2.1.1 back-off as the
// CPEs recorded it (simulated times): every drawn wait inside [m·k^(n−1), m·k^n] s, no
// retry sooner than its wait, RetryCount counting the failures (auditRetries).
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { round, settledMemory } from '../lib/harness.mjs';

export const measures =
  'Power-cycle storm: N tr181-minimal CPEs (timeScale, periodic Informs off) all powered off and on at once against the in-process fake ACS throttled to perSecond new sessions a second (503, Retry-After 5); stormMs = real ms from power-on until every CPE had a successful 1 BOOT session; lost = CPEs without one; throttled = Informs answered 503; the back-off audit of every retry from the CPEs\' recorded simulated times (violations = waits outside the TR-069 §3.2.1.1 range, retries sooner than their wait, wrong RetryCount); retryN = retries that were the Nth in a row, with the smallest and largest measured gap in simulated s';

export async function run(lib, { n, perSecond, timeScale = 0.01, seed = 11 }) {
  lib.disableAllocationSitePretenuring();
  const ended = new Set();
  let counting = false;
  let throttled = 0;
  const onMessage = (l) => {
    if (!counting || l.dir !== 'acs->cpe') return;
    if (l.status === 503) throttled++;
    else if (l.summary.startsWith('HTTP 204 (session end)')) ended.add(l.cpe);
  };
  const fleet = await lib.startFleet({ profile: join(ROOT, 'fixtures/profiles/tr181-minimal'), count: n, timeScale, seed, cr: false, transcript: { capacity: 40 }, embeddedAcs: { onMessage } });
  try {
    for (const c of fleet.cpes) c.params.setValues([{ name: 'Device.ManagementServer.PeriodicInformEnable', value: 'false' }], 'acs');
    fleet.acs.setThrottle({ maxSessionsPerSecond: perSecond, retryAfter: 5 });
    const since = fleet.cpes[0].clock.now();
    counting = true;
    const t0 = Date.now();
    const hit = fleet.powerCycle({ after: '30s' });
    const boot = (s) => s.ok && s.events.some((e) => e.eventCode === '1 BOOT');
    const results = await Promise.allSettled(hit.map((c) => c.waitForSession(boot, { since, timeoutMs: 600_000 })));
    const stormMs = Date.now() - t0;
    const mem = await settledMemory();
    const lost = results.filter((r) => r.status === 'rejected').length;
    // Each CPE's sessions from the power-on to its first successful one.
    const attempts = fleet.cpes.flatMap((c) => {
      const mine = c.sessions.filter((s) => s.startedAt >= since);
      const ok = mine.findIndex((s) => s.ok);
      return ok < 0 ? mine : mine.slice(0, ok + 1);
    });
    const audit = lib.auditRetries(attempts);
    const out = {
      n,
      perSecond,
      timeScale,
      informed: n - lost,
      lost,
      acsSawBoot: ended.size,
      throttled,
      sessions: attempts.length,
      retries: audit.retries,
      violations: audit.violations.length,
      maxRetry: Math.max(0, ...audit.byRetry.keys()),
      stormMs,
      rssMiB: mem.rssMiB,
    };
    for (const [k, st] of [...audit.byRetry.entries()].sort((a, b) => a[0] - b[0])) {
      out[`retry${k}`] = st.count;
      out[`retry${k}RangeS`] = `${round(st.lowMs / 1000)}-${round(st.highMs / 1000)}`;
      out[`retry${k}GapS`] = `${round(st.minGapMs / 1000)}-${round(st.maxGapMs / 1000)}`;
    }
    if (audit.violations.length > 0) out.firstViolation = `${audit.violations[0].cpeId} #${audit.violations[0].sessionId}: ${audit.violations[0].rule}: ${audit.violations[0].detail}`;
    return out;
  } finally {
    await fleet.close();
  }
}
