// One shard of a sharded fleet-boot (bench/cases/fleet-boot-sharded.mjs): starts
// `--shard index/total` of an N-CPE fleet against the given ACS, reports boot time
// and memory, then waits for 'close'.
// argv: <params JSON> <bench entry>
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../build.mjs';
import { settledMemory } from './harness.mjs';

const p = JSON.parse(process.argv[2]);
const lib = await import(pathToFileURL(process.argv[3]).href);
lib.disableAllocationSitePretenuring(); // as a `cpe-sim --shard` process does
const profile = await lib.loadProfile(join(ROOT, 'fixtures/profiles/tr181-minimal'));
process.send({ ready: true });
process.once('message', async () => {
  const t0 = performance.now();
  const fleet = await lib.startFleet({ profile, count: p.n, acsUrl: p.acsUrl, shard: { index: p.index, total: p.total } });
  const bootMs = performance.now() - t0;
  const failed = fleet.cpes.filter((c) => !c.sessions.some((s) => s.ok)).length;
  process.send({ bootMs, cpes: fleet.cpes.length, failed, first: fleet.cpes[0].id, port: fleet.listener.address.port, memory: await settledMemory() });
  process.once('message', async () => {
    await fleet.close();
    process.exit(0);
  });
});
process.on('disconnect', () => process.exit(0));
