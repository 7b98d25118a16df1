// Profile loading (issue 20): a generated seed-format profile of `mib` MiB (bench/lib/
// big-profile.mjs: flow-mapping rows, `{i}` rows, tables, inline and top-level generators)
// loaded and validated with loadProfile, as the CLI does. Reports time and memory per MiB
// of profile text.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { parse } from 'yaml';
import { ENTRY, ROOT } from '../build.mjs';
import { bigProfile } from '../lib/big-profile.mjs';
import { MiB, memoryNow, round } from '../lib/harness.mjs';

export const measures =
  'loadProfile of a generated seed-format profile of `mib` MiB (parse + validate); with `json`, the same profile as one JSON document (indented by one space: ~1.3× the YAML text), one flow collection. Per MiB of text: peakLiveHeapPerMiB = largest heap after a full (mark-compact) GC during the load, minus the heap before; peakHeapPerMiB = largest heap seen by any GC, garbage included; peakRssPerMiB = peak RSS (getrusage maxRSS) minus RSS before; retainedHeapPerMiB = heap the validated Profile keeps; heapNeededPerMiB (with `search`) = the smallest --max-old-space-size (4 MiB steps) a fresh node loads the profile in, minus the one it loads a tiny profile in: the memory the load really needs, whatever the GC leaves lying. All in MiB of memory per MiB of profile.';

/** Whether a fresh node with `--max-old-space-size=limit` loads `file`. */
function loadsWithin(file, limit) {
  const code = `const lib = await import(${JSON.stringify(ENTRY)}); await lib.loadProfile(${JSON.stringify(file)}, { maxProfileBytes: 1 << 30 });`;
  const r = spawnSync(process.execPath, [`--max-old-space-size=${limit}`, '--input-type=module', '-e', code], { stdio: 'ignore', timeout: 600_000 });
  return r.status === 0;
}

/** The smallest old-space limit (MiB, to `step`) `file` loads in, searched in [lo, hi]. */
function heapNeeded(file, lo, hi, step = 4) {
  if (!loadsWithin(file, hi)) return Number.NaN;
  while (hi - lo > step) {
    const mid = Math.round((lo + hi) / 2);
    if (loadsWithin(file, mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

export async function run(lib, { mib, search = false, json = false }) {
  const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-bench-profile-'));
  try {
    const file = join(dir, json ? 'big.json' : 'big.yaml');
    const yaml = bigProfile(mib * MiB);
    const text = json ? JSON.stringify(parse(yaml), null, 1) : yaml;
    writeFileSync(file, text);
    const bytes = text.length;
    const before = memoryNow();
    const rssBefore = process.memoryUsage().rss;
    const profiler = new v8.GCProfiler();
    profiler.start();
    const t0 = process.hrtime.bigint();
    let profile = await lib.loadProfile(file, { maxProfileBytes: bytes });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const { statistics } = profiler.stop();
    const maxRss = process.resourceUsage().maxRSS * 1024;
    const after = memoryNow();
    const leaves = profile.parameters.length + profile.objects.reduce((n, t) => n + t.parameters.length * t.instances, 0);
    profile = undefined;
    const used = (s, phase) => s[phase].heapStatistics.usedHeapSize;
    const peakAny = Math.max(before.heapUsed, ...statistics.map((s) => used(s, 'beforeGC')));
    const peakLive = Math.max(after.heapUsed, ...statistics.filter((s) => s.gcType === 'MarkSweepCompact').map((s) => used(s, 'afterGC')));
    const perMiB = (n) => round(n / bytes, 1);
    return {
      mib,
      bytes,
      leaves,
      ms: round(ms, 0),
      MiBPerS: round(bytes / MiB / (ms / 1000), 2),
      peakLiveHeapPerMiB: perMiB(peakLive - before.heapUsed),
      peakHeapPerMiB: perMiB(peakAny - before.heapUsed),
      peakRssPerMiB: perMiB(maxRss - rssBefore),
      retainedHeapPerMiB: perMiB(after.heapUsed - before.heapUsed),
      gcs: statistics.length,
      ...(search ? { heapNeededPerMiB: round((heapNeeded(file, 8, 64 + 40 * mib) - heapNeeded(join(ROOT, 'fixtures/profiles/tr181-digest.yaml'), 4, 64)) / (bytes / MiB), 1) } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
