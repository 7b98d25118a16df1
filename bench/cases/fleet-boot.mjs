// Case 1: a fleet of N tr181-minimal CPEs (or `profile`: a reference device) bootstraps: startFleet() until every CPE
// delivered '0 BOOTSTRAP' (default bootConcurrency 256, CR listener on), against the
// fake ACS in this process or in a child process. Memory after full GCs and a pause. Like the
// cpe-sim command, both processes turn V8's allocation-site pretenuring off first
// (`disableAllocationSitePretenuring()`, docs/testing.md) unless the row says
// `pretenuring: 'v8-default'`.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { round, settledMemory } from '../lib/harness.mjs';

/** The small profile of the first rows; `profile=<name>` rows boot a reference device of fixtures/profiles/. */
export const SMALL_PROFILE = 'tr181-minimal';

export const measures =
  'Fleet boot: startFleet({ tr181-minimal or profile=<fixtures/profiles name>, count: N }, eventSchedule bootDelay and bootRamp set to 0) until every bootstrap session is done; sessions/s; RSS/heap after boot, two full GCs and a 0.5 s pause (rssAtGcMiB: right after the GCs); bytes per CPE = (after - before startFleet)/N; ACS in-process (its records count) or in a child process; V8 allocation-site pretenuring off in both processes (disableAllocationSitePretenuring(), as the cpe-sim command does) unless the row says v8=…';

function startAcsChild(entry, pretenuring) {
  const child = fork(join(ROOT, 'bench', 'lib', 'acs-process.mjs'), [entry, pretenuring], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (c) => reject(new Error(`ACS child exited (${c})`)));
  });
  return { child, next };
}

export async function run(lib, { n, acs, pretenuring = 'off', profile: profileName = SMALL_PROFILE }) {
  if (pretenuring === 'off' && !lib.disableAllocationSitePretenuring()) throw new Error('pretenuring was set on the node command line; this row measures it off');
  const loaded = await lib.loadProfile(join(ROOT, 'fixtures/profiles', profileName));
  // A reference device waits its simulated power-on time (eventSchedule.bootDelay, 2 s for
  // the mesh router) before its first session, and the boot pump starts the next CPE only
  // when one ends: 10,000 CPEs would take 10,000 × 2 s / 16. The rows measure cpe-sim's cost,
  // so every CPE boots at once, as tr181-minimal's do.
  const profile = { ...loaded, eventSchedule: { ...loaded.eventSchedule, bootDelayMs: 0, bootRampMs: 0 } };
  const template = lib.Template.compile(profile);
  let acsChild;
  let acsUrl;
  if (acs === 'child') {
    acsChild = startAcsChild(process.argv[4], pretenuring);
    acsUrl = (await acsChild.next()).url;
  }
  const bootstraps = { n: 0 };
  const embeddedAcs = { onMessage: (l) => (l.dir === 'cpe->acs' && l.summary.startsWith('Inform [0 BOOTSTRAP') ? bootstraps.n++ : 0) };
  const before = await settledMemory();
  const t0 = process.hrtime.bigint();
  const fleet = await lib.startFleet({ profile, count: n, waitFor: 'bootstrap', ...(acsUrl ? { acsUrl } : { embeddedAcs }) });
  const bootNs = Number(process.hrtime.bigint() - t0);
  try {
    const after = await settledMemory();
    const bootMs = bootNs / 1e6;
    const failed = fleet.cpes.filter((c) => !c.sessions.some((s) => s.ok && s.events.some((e) => e.eventCode === '0 BOOTSTRAP'))).length;
    if (failed > 0) throw new Error(`${failed} of ${n} CPEs have no successful bootstrap session`);
    const out = {
      n,
      // Leaves of one untouched tree and generators per CPE: the size of the device booted.
      leaves: template.leafCount,
      generators: template.generators.size,
      bootMs: round(bootMs, 0),
      sessionsPerS: Math.round(n / (bootMs / 1000)),
      rssMiB: after.rssMiB,
      rssAtGcMiB: after.rssAtGcMiB,
      heapUsedMiB: after.heapUsedMiB,
      externalMiB: after.externalMiB,
      bytesPerCpeRss: Math.round((after.rss - before.rss) / n),
      bytesPerCpeHeap: Math.round((after.heapUsed - before.heapUsed) / n),
      baselineRssMiB: before.rssMiB,
    };
    // The ACS keeps a bounded record (maxSessions, default 1000), so count the
    // bootstrap Informs it answered through its onMessage stream instead.
    let seen = bootstraps.n;
    if (acsChild) {
      acsChild.child.send('memory');
      const m = await acsChild.next();
      seen = m.bootstraps;
      out.acsRssMiB = m.memory.rssMiB;
    }
    if (seen < n) throw new Error(`the fake ACS saw ${seen} bootstrap Informs, expected >= ${n}`);
    return out;
  } finally {
    await fleet.close();
    acsChild?.child.send('close');
  }
}
