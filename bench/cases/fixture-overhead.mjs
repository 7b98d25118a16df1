// Case 4: what a test pays per fixture. `withCpeFleet({ count: 1 })` runs
// launchFleet → startFleet(profile path, count 1, waitFor 'bootstrap') before the test
// and fleet.close() after it; this times exactly that pair outside Vitest (Vitest's
// own fixture plumbing is not included).
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { percentile, round } from '../lib/harness.mjs';

export const measures =
  'Fixture overhead: startFleet({ profile: tr181-minimal path, count: 1, waitFor: "bootstrap" }) + close() (embedded fake ACS, CR listener, one bootstrap session), median of K; also with a preloaded Profile';

async function once(lib, profile) {
  const t0 = process.hrtime.bigint();
  const fleet = await lib.startFleet({ profile, count: 1, waitFor: 'bootstrap' });
  if (fleet.acs.informs.length !== 1) throw new Error(`expected 1 Inform at the embedded ACS, got ${fleet.acs.informs.length}`);
  await fleet.close();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function run(lib, { iterations, warmup = 3 }) {
  const path = join(ROOT, 'fixtures/profiles/tr181-minimal');
  const preloaded = await lib.loadProfile(path);
  const byPath = [];
  const byProfile = [];
  for (let i = 0; i < warmup; i++) await once(lib, path);
  for (let i = 0; i < iterations; i++) {
    byPath.push(await once(lib, path));
    byProfile.push(await once(lib, preloaded));
  }
  return {
    medianMs: round(percentile(byPath, 50), 2),
    p90Ms: round(percentile(byPath, 90), 2),
    minMs: round(Math.min(...byPath), 2),
    medianPreloadedMs: round(percentile(byProfile, 50), 2),
    iterations,
  };
}
