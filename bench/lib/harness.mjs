// Pure helpers of the bench harness: machine description, statistics, targets,
// table formatting and the results-file shape. No I/O beyond reading os facts, so
// test/bench can check them directly.
import os from 'node:os';

export const MiB = 1024 * 1024;

/** The machine a result was measured on (recorded with every results file). */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    totalMemoryMiB: Math.round(os.totalmem() / MiB),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

/** Nearest-rank percentile (p in 0..100) of unsorted numbers; NaN for none. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Summary of latency samples in ms. */
export function latencySummary(samplesMs) {
  return {
    n: samplesMs.length,
    p50Ms: round(percentile(samplesMs, 50), 3),
    p90Ms: round(percentile(samplesMs, 90), 3),
    p99Ms: round(percentile(samplesMs, 99), 3),
    maxMs: round(percentile(samplesMs, 100), 3),
  };
}

export function round(v, digits = 1) {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Memory of this process after two full GCs and a short pause. V8 hands the pages a
 * GC freed back to the OS from a background thread: read at once, RSS still counts
 * them (a 10k fleet read 175–215 MiB right after the GCs and 146–163 MiB 100 ms later,
 * flat from then on for seconds). The pause reads the RSS the process then keeps.
 */
export async function settledMemory(pauseMs = 500) {
  const first = memoryNow();
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const m = process.memoryUsage();
  return { ...first, rssMiB: round(m.rss / MiB), rss: m.rss, rssAtGcMiB: first.rssMiB };
}

/** Memory of this process, in MiB, after a full GC when --expose-gc is on. */
export function memoryNow() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const m = process.memoryUsage();
  return { rssMiB: round(m.rss / MiB), heapUsedMiB: round(m.heapUsed / MiB), heapTotalMiB: round(m.heapTotal / MiB), externalMiB: round(m.external / MiB), arrayBuffersMiB: round(m.arrayBuffers / MiB), rss: m.rss, heapUsed: m.heapUsed };
}

/**
 * The performance targets of issue 7 (2-core machine, loopback). `caseId` names the
 * result row; `metric` a numeric field of its metrics; PASS when value < limit.
 */
/**
 * The transport-floor rows that bound a time target from below: the same HTTP on the
 * same machine without cpe-sim's work. A target under its floor cannot pass with that
 * many cores, whatever cpe-sim does.
 */
const BOOT_FLOORS = [
  { caseId: 'transport-floor boot n=10000', metric: 'bootMs', label: 'one core' },
  { caseId: 'transport-floor boot n=10000 threads=2', metric: 'bootMs', label: 'two cores' },
];
const CR_FLOORS = [{ caseId: 'transport-floor cr', metric: 'p50Ms' }];

/**
 * The largest reference device of fixtures/profiles/ (issue 14): booted next to the small
 * profile's rows to show what a 300+-leaf tree with generators costs per CPE.
 */
export const LARGE_DEVICE = 'mesh-router.yaml';
const DEVICE_100K = `fleet-boot n=100000 acs=in-process profile=${LARGE_DEVICE}`;

export const TARGETS = [
  { id: 'boot-10k-rss', caseId: 'fleet-boot n=10000 acs=in-process', metric: 'rssMiB', limit: 200, unit: 'MiB', text: '10,000 CPEs: RSS < 200 MiB after boot (pretenuring off, as the cpe-sim command runs)' },
  { id: 'boot-100k-rss', caseId: 'fleet-boot n=100000 acs=in-process', metric: 'rssMiB', limit: 1024, unit: 'MiB', text: '100,000 CPEs: RSS < 1 GiB after boot (pretenuring off, as the cpe-sim command runs)' },
  { id: 'boot-10k-rss-v8default', caseId: 'fleet-boot n=10000 acs=in-process v8=default', metric: 'rssMiB', limit: 200, unit: 'MiB', text: '10,000 CPEs: RSS < 200 MiB after boot (V8 defaults)' },
  { id: 'boot-100k-rss-v8default', caseId: 'fleet-boot n=100000 acs=in-process v8=default', metric: 'rssMiB', limit: 1024, unit: 'MiB', text: '100,000 CPEs: RSS < 1 GiB after boot (V8 defaults)' },
  { id: 'boot-10k-rss-small', caseId: 'fleet-boot n=10000 acs=in-process v8=optimize-for-size', metric: 'rssMiB', limit: 200, unit: 'MiB', text: '10,000 CPEs: RSS < 200 MiB after boot (node --optimize-for-size --max-semi-space-size=2)' },
  { id: 'boot-100k-rss-small', caseId: 'fleet-boot n=100000 acs=in-process v8=optimize-for-size', metric: 'rssMiB', limit: 1024, unit: 'MiB', text: '100,000 CPEs: RSS < 1 GiB after boot (node --optimize-for-size --max-semi-space-size=2)' },
  { id: 'boot-10k-time', caseId: 'fleet-boot n=10000 acs=in-process', metric: 'bootMs', limit: 3000, unit: 'ms', text: 'boot of 10,000 CPEs against an in-process fake ACS < 3 s', floors: BOOT_FLOORS },
  { id: 'cr-none-p50', caseId: 'cr-roundtrip scheme=none n=1', metric: 'p50Ms', limit: 1, unit: 'ms', text: 'CR round trip p50 < 1 ms (none, 1 CPE)', floors: CR_FLOORS },
  { id: 'cr-none-p50-10k', caseId: 'cr-roundtrip scheme=none n=10000', metric: 'p50Ms', limit: 1, unit: 'ms', text: 'CR round trip p50 < 1 ms (none, 10,000 CPEs)', floors: CR_FLOORS },
  { id: 'cr-digest-p50', caseId: 'cr-roundtrip scheme=digest n=1', metric: 'p50Ms', limit: 1.5, unit: 'ms', text: 'CR round trip p50 < 1.5 ms (digest, 1 CPE)' },
  { id: 'cr-digest-p50-10k', caseId: 'cr-roundtrip scheme=digest n=10000', metric: 'p50Ms', limit: 1.5, unit: 'ms', text: 'CR round trip p50 < 1.5 ms (digest, 10,000 CPEs)' },
  ...['none', 'basic', 'digest'].flatMap((s) =>
    [1, 10000].map((n) => ({ id: `cr-${s}-p99${n === 1 ? '' : '-10k'}`, caseId: `cr-roundtrip scheme=${s} n=${n}`, metric: 'p99Ms', limit: 5, unit: 'ms', text: `CR round trip p99 < 5 ms (${s}, ${n === 1 ? '1 CPE' : '10,000 CPEs'})` })),
  ),
  // Issue 14: the largest reference device (bench/run.mjs LARGE_DEVICE), 100,000 in one process.
  { id: 'boot-100k-rss-device', caseId: DEVICE_100K, metric: 'rssMiB', limit: 1536, unit: 'MiB', text: '100,000 CPEs of the largest reference device: RSS < 1.5 GiB after boot' },
  { id: 'boot-100k-heap-device', caseId: DEVICE_100K, metric: 'bytesPerCpeHeap', limit: 10_240, unit: 'B', text: '100,000 CPEs of the largest reference device: < 10 KiB of heap per CPE (the seed: ~105 KB for 385 leaves)' },
  { id: 'firmware-download-rss', caseId: 'firmware-download n=50 size=200MiB', metric: 'rssGrowthMiB', limit: 50, unit: 'MiB', text: '50 CPEs downloading one 200 MiB image at once: peak RSS growth < 50 MiB' },
  { id: 'firmware-download-https-rss', caseId: 'firmware-download n=50 size=200MiB https', metric: 'rssGrowthMiB', limit: 50, unit: 'MiB', text: '50 CPEs downloading one 200 MiB image at once over HTTPS: peak RSS growth < 50 MiB' },
  { id: 'storm-lost', caseId: 'power-storm n=10000', metric: 'lost', limit: 1, unit: 'CPEs', text: '10,000 CPEs power-cycled at once against a 503-throttling ACS: none lost (every CPE delivers 1 BOOT)' },
  { id: 'storm-backoff', caseId: 'power-storm n=10000', metric: 'violations', limit: 1, unit: 'retries', text: '…and every retry within the TR-069 §3.2.1.1 back-off (drawn wait in range, waited, RetryCount right)' },
  { id: 'usp-10k-rss', caseId: 'usp-agents n=10000', metric: 'rssMiB', limit: 400, unit: 'MiB', text: '10,000 USP agents (USP only), each with its MQTT 5.0 client on one broker: RSS < 400 MiB once every MTP is up' },
  { id: 'metrics-overhead', caseId: 'metrics-overhead n=10000', metric: 'cpuOverheadPct', limit: 5, unit: '%', text: 'boot of 10,000 CPEs with the admin metrics on (observing the boot, scraped every second) within 5 % of off: CPU time, median of 6 each' },
  { id: 'fixture-overhead', caseId: 'fixture-overhead', metric: 'medianMs', limit: 20, unit: 'ms', text: 'fixture (startFleet count 1, bootstrap) set-up + tear-down median < 20 ms' },
];

/** PASS/MISS per target whose case ran; targets of cases that did not run are `NOT RUN`. */
export function evaluateTargets(results, targets = TARGETS) {
  const metricOf = (caseId, metric) => {
    const r = results.find((x) => x.id === caseId);
    const v = r?.ok ? r.metrics?.[metric] : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  return targets.map((t) => {
    const r = results.find((x) => x.id === t.caseId);
    const value = metricOf(t.caseId, t.metric);
    let verdict = 'NOT RUN';
    if (r && !r.ok) verdict = 'ERROR';
    else if (value !== undefined) verdict = value < t.limit ? 'PASS' : 'MISS';
    // `floors`: what the same HTTP costs without cpe-sim on this machine (transport-floor cases that ran).
    const floors = (t.floors ?? []).flatMap((f) => {
      const v = metricOf(f.caseId, f.metric);
      return v === undefined ? [] : [{ ...(f.label ? { label: f.label } : {}), value: v }];
    });
    return { id: t.id, text: t.text, case: t.caseId, metric: t.metric, limit: t.limit, unit: t.unit, value: value ?? null, floors, verdict };
  });
}

/** The target's value with its transport floors, e.g. `8,100 ms (transport floor 5,000 ms on one core, 3,300 ms on two cores)`. */
export function formatTargetValue(t) {
  if (t.value === null) return '—';
  const floors = (t.floors ?? []).map((f) => `${fmtNum(f.value)} ${t.unit}${f.label ? ` on ${f.label}` : ''}`);
  return `${fmtNum(t.value)} ${t.unit}${floors.length ? ` (transport floor ${floors.join(', ')})` : ''}`;
}

/** Left-aligned plain-text table (first row = header). */
export function formatTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** One short "key=value" summary per result, for the table. */
export function summarizeMetrics(metrics, keys) {
  return keys.filter((k) => metrics[k] !== undefined).map((k) => `${k}=${typeof metrics[k] === 'number' ? fmtNum(metrics[k]) : metrics[k]}`).join(' ');
}

export function fmtNum(v) {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(round(v, Math.abs(v) < 10 ? 3 : 1));
}

/** Markdown table of results + targets, for docs/performance.md. */
export function markdownReport(file) {
  const out = [];
  const m = file.machine;
  // Rows re-run with --merge carry their own date; the header shows the file's.
  out.push(`Machine: ${m.cores} cores (${m.cpuModel}), ${m.totalMemoryMiB} MiB RAM, Node ${m.node}, ${m.platform}; ${m.date}${file.quick ? ' (QUICK run)' : ''}.`, '');
  out.push('| case | result |', '|---|---|');
  for (const r of file.results) out.push(`| ${r.id} | ${r.ok ? summarizeMetrics(r.metrics, r.headline ?? Object.keys(r.metrics)) : `ERROR: ${r.error.split('\n')[0]}`} |`);
  out.push('', 'What each case measures:', '');
  const seen = new Set();
  for (const r of file.results) {
    const kind = r.kind ?? r.id.split(' ')[0];
    if (!seen.has(kind)) out.push(`- **${kind}**: ${r.measures}`);
    seen.add(kind);
  }
  out.push('', '| target | value | verdict |', '|---|---|---|');
  for (const t of file.targets) out.push(`| ${t.text} | ${formatTargetValue(t)} | ${t.verdict} |`);
  return out.join('\n');
}

/** Throws unless `file` has the shape bench/results/*.json promise (used by the smoke test). */
export function validateResultsFile(file) {
  const problems = [];
  const need = (cond, what) => {
    if (!cond) problems.push(what);
  };
  need(file && typeof file === 'object', 'file is an object');
  need(file.schema === 1, 'schema === 1');
  for (const k of ['cores', 'cpuModel', 'totalMemoryMiB', 'node', 'date']) need(file.machine?.[k] !== undefined, `machine.${k}`);
  need(Array.isArray(file.results) && file.results.length > 0, 'results is a non-empty array');
  for (const r of file.results ?? []) {
    need(typeof r.id === 'string' && r.id !== '', 'result.id');
    need(typeof r.measures === 'string' && r.measures.length > 10, `result ${r.id}: measures describes the case`);
    need(typeof r.ok === 'boolean', `result ${r.id}: ok`);
    if (r.ok) need(r.metrics && Object.values(r.metrics).some((v) => typeof v === 'number' && Number.isFinite(v)), `result ${r.id}: numeric metrics`);
  }
  need(Array.isArray(file.targets) && file.targets.every((t) => ['PASS', 'MISS', 'NOT RUN', 'ERROR'].includes(t.verdict)), 'targets with verdicts');
  if (problems.length) throw new Error(`invalid bench results: ${problems.join('; ')}`);
  return file;
}
