// Data-model memory: N ParameterTrees of tr181-minimal sharing one compiled Template
// (no fleet, no sockets). Memory is measured after full GCs and a pause, relative to the
// process with the Template compiled but no trees.
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { round, settledMemory } from '../lib/harness.mjs';

export const measures =
  'Memory per ParameterTree: N trees of fixtures/profiles/tr181-minimal on one shared Template; (heap after - heap before)/N after full GC; plus trees created per second and one getValue per tree (stamps the serial)';

export async function run(lib, { n }) {
  const profile = await lib.loadProfile(join(ROOT, 'fixtures/profiles/tr181-minimal'));
  const template = lib.Template.compile({ ...profile, fleet: { ...profile.fleet, count: n, serialPattern: profile.fleet.serialPattern.includes('{i') ? profile.fleet.serialPattern : '{base}-{i}' } });
  const serialPath = profile.deviceIdPaths.serialNumber;
  const before = await settledMemory();
  const trees = new Array(n);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) trees[i] = lib.createParameterTree(template, { index: i + 1, id: `cpe-${i + 1}` });
  const createNs = Number(process.hrtime.bigint() - t0);
  // Read a stamped leaf on every tree, as the first Inform does (lazy stamping may allocate here).
  let len = 0;
  for (const t of trees) len += (t.getValue(serialPath) ?? '').length;
  if (len === 0) throw new Error(`no serial numbers read at ${serialPath}`);
  const after = await settledMemory();
  const out = {
    n,
    leaves: template.leafCount,
    bytesPerTree: Math.round((after.heapUsed - before.heapUsed) / n),
    bytesPerTreeRss: Math.round((after.rss - before.rss) / n),
    createPerS: Math.round(n / (createNs / 1e9)),
    rssMiB: after.rssMiB,
    heapUsedMiB: after.heapUsedMiB,
    baselineHeapMiB: before.heapUsedMiB,
  };
  trees.length = 0;
  return { ...out, createMs: round(createNs / 1e6, 1) };
}
