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
  'Power-cycle storm: N tr181-minimal CPEs (timeScale, periodic Informs off, boot delay 0) all powered off and on at once against the in-process fake ACS throttled to perSecond new sessions a second (503, Retry-After 5); stormMs = real ms from power-on until every CPE had a successful 1 BOOT session; lost = CPEs without one; throttled = Informs answered 503; the back-off audit of every retry from the CPEs\' recorded simulated times (violations = waits outside the TR-069 §3.2.1.1 range, retries sooner than their wait, wrong RetryCount); retryN = retries that were the Nth in a row, with the smallest and largest measured gap in simulated s';

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
  // Periodic Informs off from the start (at timeScale 0.01 the 300 s interval is 3 s of real
  // time, and they would compete with the boot and the storm for the ACS's capacity);
  // every CPE boots at once, as in the fleet-boot rows.
  const loaded = await lib.loadProfile(join(ROOT, 'fixtures/profiles/tr181-minimal'));
  const profile = {
    ...loaded,
    parameters: loaded.parameters.map((p) => (p.path.endsWith('.PeriodicInformEnable') ? { ...p, value: 'false' } : p)),
    eventSchedule: { ...loaded.eventSchedule, bootDelayMs: 0, bootRampMs: 0 },
  };
  // bootstrapTimeoutMs: the first boot of 10,000 CPEs on a loaded 2-core machine may pause longer than the default 3.5 s.
  const fleet = await lib.startFleet({ profile, count: n, timeScale, seed, cr: false, bootstrapTimeoutMs: 120_000, transcript: { capacity: 40 }, embeddedAcs: { onMessage } });
  try {
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
    // Why attempts failed, as the CPEs recorded it (503 from the throttle, or the load: timeouts, resets).
    const failures = {};
    for (const s of attempts) if (!s.ok) failures[(s.error ?? '?').replace(/\d+ ms/, 'N ms').slice(0, 60)] = (failures[(s.error ?? '?').replace(/\d+ ms/, 'N ms').slice(0, 60)] ?? 0) + 1;
    const out = {
      n,
      perSecond,
      timeScale,
      informed: n - lost,
      lost,
      acsSawBoot: ended.size,
      throttled,
      failedAttempts: attempts.filter((s) => !s.ok).length,
      failures: JSON.stringify(failures),
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
