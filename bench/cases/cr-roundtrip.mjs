// Case 2: Connection Request round trip through the whole stack: the fake ACS's CR
// client sends GET <crUrl> (Digest: 401 challenge + authenticated retry on the same
// keep-alive connection, a fresh nonce per CR as GenieACS does) → CR listener → auth →
// 200 → CPE session → the Inform with '6 CONNECTION REQUEST' reaches the fake ACS.
// One CR in flight at a time (latency, not throughput); each iteration waits for the
// CPE's session to end (not timed) so sessions never overlap.
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { latencySummary } from '../lib/harness.mjs';

export const measures =
  'CR round trip: ACS-side CR GET sent → fake ACS has the "6 CONNECTION REQUEST" Inform (digest includes the 401 challenge round trip), sequential, random CPE of an idle fleet of N tr181-minimal CPEs, in-process fake ACS';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function run(lib, { scheme, n, iterations, warmup = 50 }) {
  const loaded = await lib.loadProfile(join(ROOT, 'fixtures/profiles/tr181-minimal'));
  const userLeaf = 'Device.ManagementServer.ConnectionRequestUsername';
  const passLeaf = 'Device.ManagementServer.ConnectionRequestPassword';
  const profile = { ...loaded, connectionRequest: { scheme: scheme === 'none' ? '' : scheme, realm: 'cpe-sim', throttleWindowMs: 0, usernameParameter: userLeaf, passwordParameter: passLeaf } };
  const fleet = await lib.startFleet({ profile, count: n, waitFor: 'bootstrap' });
  const client = new lib.ConnectionRequestClient({ reuseNonce: false });
  try {
    for (const cpe of fleet.cpes) {
      cpe.params.setInternal(userLeaf, `cr-${cpe.id}`);
      cpe.params.setInternal(passLeaf, 'secret');
    }
    let seed = 12345;
    const pick = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return fleet.cpes[seed % fleet.cpes.length];
    };
    const samples = [];
    for (let i = 0; i < warmup + iterations; i++) {
      const cpe = pick();
      await sleep(1); // a fresh millisecond: `since` then excludes every earlier Inform
      const since = Date.now();
      const informed = fleet.acs.waitForInform({ cpe: cpe.id, event: '6 CONNECTION REQUEST' }, { since, timeoutMs: 5000 });
      const t0 = process.hrtime.bigint();
      const res = await client.send(cpe.crUrl, scheme === 'none' ? {} : { username: `cr-${cpe.id}`, password: 'secret' });
      if (res.status !== 200) throw new Error(`CR to ${cpe.crUrl} answered ${res.status}, expected 200`);
      await informed;
      const t1 = process.hrtime.bigint();
      if (i >= warmup) samples.push(Number(t1 - t0) / 1e6);
      await cpe.waitForSession((s) => s.events.some((e) => e.eventCode === '6 CONNECTION REQUEST') && s.endedAt !== undefined, { since, timeoutMs: 5000 });
    }
    return { ...latencySummary(samples), cpes: n, scheme };
  } finally {
    await client.close();
    await fleet.close();
  }
}
