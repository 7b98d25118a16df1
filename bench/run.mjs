#!/usr/bin/env node
// `npm run bench`: builds the bench entry, runs every case in its own child process
// (fork, --expose-gc, so RSS/heap belong to that case alone), prints a table with
// PASS/MISS per target and writes bench/results/latest.json.
//
//   node --expose-gc bench/run.mjs [--quick] [--only fleet-boot,codec] [--merge] [--out file.json] [--no-build]
//   (--only: case ids containing a word; `=id` for one id exactly)
//
// --quick: a reduced set with small sizes (the smoke test uses it); its results go to
// bench/results/quick.tmp.json unless --out says otherwise. See docs/performance.md.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBench, ENTRY, ROOT } from './build.mjs';
import { evaluateTargets, formatTable, formatTargetValue, LARGE_DEVICE, machineInfo, summarizeMetrics } from './lib/harness.mjs';

const HEADLINES = {
  'fleet-boot': ['bootMs', 'sessionsPerS', 'rssMiB', 'heapUsedMiB', 'bytesPerCpeRss', 'bytesPerCpeHeap', 'leaves', 'generators'],
  'cr-roundtrip': ['p50Ms', 'p99Ms', 'maxMs', 'n'],
  'listener-throughput': ['requestsPerS', 'p50Ms', 'p99Ms', 'non503'],
  'fleet-boot-workers': ['bootMs', 'sessionsPerS', 'firstLineMs', 'rssMiB'],
  'fleet-boot-sharded': ['bootMs', 'sessionsPerS', 'slowestShardMs', 'rssMiBTotal', 'acsRssMiB'],
  'fixture-overhead': ['medianMs', 'p90Ms', 'medianPreloadedMs'],
  codec: ['encodeInformPerS', 'decodeGpvResp3PerS', 'decodeGpvResp100PerS', 'decodeGpvReqPerS'],
  'datamodel-memory': ['bytesPerTree', 'createPerS', 'rssMiB', 'heapUsedMiB'],
  'transport-floor': ['bootMs', 'sessionsPerS', 'usPerSession', 'p50Ms', 'p99Ms'],
  'firmware-download': ['rssGrowthMiB', 'peakRssMiB', 'totalGiB', 'seconds', 'MiBPerS'],
  'power-storm': ['informed', 'lost', 'throttled', 'failedAttempts', 'retries', 'violations', 'maxRetry', 'stormMs'],
  'xmpp-sessions': ['online', 'heapKiBPerSession', 'rssKiBPerSession', 'rssMiB', 'prosodyRssMiB', 'loginAllMs'],
  'profile-parse': ['ms', 'MiBPerS', 'heapNeededPerMiB', 'peakLiveHeapPerMiB', 'peakHeapPerMiB', 'peakRssPerMiB', 'retainedHeapPerMiB', 'leaves'],
  'usp-agents': ['upMs', 'rssMiB', 'bytesPerAgentRss', 'bytesPerAgentHeap', 'notifiesPerS', 'periodicPerS', 'periodicBytesPerAgentHeap'],
  'metrics-overhead': ['cpuMsOff', 'cpuMsOn', 'cpuOverheadPct', 'attributedPct', 'observeUsPerCpe', 'scrapeMs', 'bootMsOff', 'bootMsOn', 'overheadPct', 'rounds', 'cpuRunsOffMs', 'cpuRunsOnMs', 'runsOffMs', 'runsOnMs'],
};

/** The case plan: id (matches TARGETS.caseId), module, params, child timeout. */
export function plan(quick) {
  const c = (kind, label, params, timeoutMs = 300_000) => ({ id: label ? `${kind} ${label}` : kind, kind, file: join(ROOT, 'bench', 'cases', `${kind}.mjs`), params, timeoutMs });
  if (quick) {
    return [
      c('codec', '', { timeMs: 100 }),
      c('datamodel-memory', 'n=1000', { n: 1000 }),
      c('listener-throughput', 'scheme=basic', { scheme: 'basic', connections: 8, durationS: 0.5 }),
      c('listener-throughput', 'scheme=digest', { scheme: 'digest', connections: 8, durationS: 0.5 }),
      c('cr-roundtrip', 'scheme=digest n=1', { scheme: 'digest', n: 1, iterations: 30 }),
      c('fixture-overhead', '', { iterations: 3 }),
      c('fleet-boot', 'n=200 acs=in-process', { n: 200, acs: 'in-process' }),
      c('fleet-boot', 'n=200 acs=child', { n: 200, acs: 'child' }),
      c('fleet-boot', `n=200 acs=in-process profile=${LARGE_DEVICE}`, { n: 200, acs: 'in-process', profile: LARGE_DEVICE }),
      c('transport-floor', 'boot n=200', { shape: 'boot', n: 200 }),
      c('transport-floor', 'boot n=200 threads=2', { shape: 'boot', n: 200, threads: 2 }),
      c('firmware-download', 'n=5 size=8MiB', { n: 5, sizeMiB: 8 }),
      c('profile-parse', 'size=1MiB', { mib: 1 }),
      c('usp-agents', 'n=200', { n: 200, notifies: 2, periodicS: 1, periodicRounds: 2 }),
      c('metrics-overhead', 'n=200', { n: 200, rounds: 1 }),
    ];
  }
  const out = [c('codec', '', { timeMs: 1000 })];
  for (const n of [10_000, 100_000]) out.push(c('datamodel-memory', `n=${n}`, { n }));
  for (const scheme of ['none', 'basic', 'digest']) out.push(c('listener-throughput', `scheme=${scheme}`, { scheme, connections: 64, durationS: 5 }));
  // 500 warm-up CRs: a 1-CPE fleet has no boot storm to warm the JIT, and its p50 over the
  // first 500 CRs was ~1.6x that of the next 2,500 (docs/performance.md, fourth round).
  for (const n of [1, 10_000]) for (const scheme of ['none', 'basic', 'digest']) out.push(c('cr-roundtrip', `scheme=${scheme} n=${n}`, { scheme, n, iterations: 1000, warmup: 500 }));
  // The same HTTP without cpe-sim: the floor under the CR and boot times on this machine.
  out.push(c('transport-floor', 'cr', { shape: 'cr', iterations: 1000, warmup: 500 }));
  out.push(c('fixture-overhead', '', { iterations: 40 }));
  // Issue 20: loading a profile costs memory proportional to its text (per MiB of profile).
  for (const mib of [1, 4, 16]) out.push(c('profile-parse', `size=${mib}MiB`, { mib, search: mib <= 4 }, 1_800_000));
  // The same profile as one JSON document (one flow collection, streamed like block style).
  out.push(c('profile-parse', 'size=4MiB format=json', { mib: 4, search: true, json: true }, 1_800_000));
  // Issue 15: images are streamed; 10 GiB through 50 CPEs at once must not grow RSS.
  out.push(c('firmware-download', 'n=50 size=200MiB', { n: 50, sizeMiB: 200 }, 900_000));
  out.push(c('firmware-download', 'n=5 size=200MiB', { n: 5, sizeMiB: 200 }, 900_000));
  out.push(c('firmware-download', 'n=50 size=200MiB files=in-process', { n: 50, sizeMiB: 200, files: 'in-process' }, 900_000));
  // The same over HTTPS, the file server's certificate trusted through FleetOptions.transfer.ca.
  out.push(c('firmware-download', 'n=50 size=200MiB https', { n: 50, sizeMiB: 200, https: true }, 900_000));
  for (const n of [1_000, 10_000, 100_000]) for (const acs of ['in-process', 'child']) out.push(c('fleet-boot', `n=${n} acs=${acs}`, { n, acs }, 900_000));
  // The same boots with the largest reference device (compare sessions/s and bytes per CPE with the rows above).
  for (const n of [10_000, 100_000]) out.push(c('fleet-boot', `n=${n} acs=in-process profile=${LARGE_DEVICE}`, { n, acs: 'in-process', profile: LARGE_DEVICE }, 1_200_000));
  out.push(c('transport-floor', 'boot n=10000', { shape: 'boot', n: 10_000 }));
  // The same on both cores, split as evenly as any design could: the bound under the 3 s target.
  out.push(c('transport-floor', 'boot n=10000 threads=2', { shape: 'boot', n: 10_000, threads: 2 }));
  // The RSS bound is V8's retained heap after the boot churn, not live data (docs/performance.md):
  // the same boots with V8 told to favour size over speed.
  for (const n of [10_000, 100_000]) {
    // V8 as it comes: which short-lived literals get pretenured is decided early and at random (docs/performance.md).
    out.push(c('fleet-boot', `n=${n} acs=in-process v8=default`, { n, acs: 'in-process', pretenuring: 'v8-default' }, 900_000));
    const k = c('fleet-boot', `n=${n} acs=in-process v8=optimize-for-size`, { n, acs: 'in-process', pretenuring: 'v8-default' }, 900_000);
    k.execArgv = ['--optimize-for-size', '--max-semi-space-size=2'];
    k.params = { ...k.params, v8Flags: k.execArgv.join(' ') };
    out.push(k);
  }
  out.push(c('fleet-boot-sharded', 'n=10000 workers=2', { n: 10_000, workers: 2 }));
  // --workers (one CLI process, worker threads, embedded ACS in the main thread); W=1 is the same CLI without threads.
  for (const workers of [1, 2]) out.push(c('fleet-boot-workers', `n=10000 cli workers=${workers}`, { n: 10_000, workers }));
  // Issue 17: 10,000 CPEs power-cycled at once against an ACS that starts 500 sessions a second (503 + Retry-After for the rest).
  out.push(c('power-storm', 'n=10000', { n: 10_000, perSecond: 500 }, 900_000));
  // Issue 16: 1,000 CPEs each keeping an XMPP session open against one Prosody (Annex K).
  out.push(c('xmpp-sessions', 'n=1000', { n: 1000 }, 900_000));
  // Issue 21: 10,000 USP agents, each with its own MQTT client, on one Mosquitto.
  // …then Device.LocalAgent.Periodic! every 5 s to every agent (one scheduler job per agent).
  out.push(c('usp-agents', 'n=10000', { n: 10_000, notifies: 5, periodicS: 5, periodicRounds: 3 }, 900_000));
  // Issue 19: the boot with the admin metrics on vs off (within 5 %).
  out.push(c('metrics-overhead', 'n=10000', { n: 10_000, rounds: 6 }, 1_200_000));
  return out;
}

/** Runs one case in a forked child; resolves with its result row (never rejects). */
export function runCase(entry, kase) {
  return new Promise((resolveRow) => {
    const started = Date.now();
    const child = fork(join(ROOT, 'bench', 'lib', 'child.mjs'), [kase.file, JSON.stringify(kase.params), entry], {
      execArgv: ['--expose-gc', ...(kase.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let msg;
    const timer = setTimeout(() => child.kill('SIGKILL'), kase.timeoutMs);
    child.on('message', (m) => (msg = m));
    child.on('exit', async (code, signal) => {
      clearTimeout(timer);
      const mod = await import(kase.file);
      const row = { id: kase.id, date: new Date().toISOString(), kind: kase.kind, measures: mod.measures, params: kase.params, headline: HEADLINES[kase.kind], wallMs: Date.now() - started };
      if (msg?.ok) resolveRow({ ...row, ok: true, metrics: msg.metrics });
      else resolveRow({ ...row, ok: false, error: msg?.error ?? `child exited (code ${code}, signal ${signal})${signal === 'SIGKILL' ? ` after timeout ${kase.timeoutMs} ms` : ''}` });
    });
  });
}

async function main() {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' }, only: { type: 'string' }, out: { type: 'string' }, build: { type: 'boolean', default: true }, 'no-build': { type: 'boolean' }, merge: { type: 'boolean', default: false } },
  });
  const quick = values.quick;
  const out = resolve(values.out ?? join(ROOT, 'bench', 'results', quick ? 'quick.tmp.json' : 'latest.json'));
  if (!values['no-build']) await buildBench();
  let cases = plan(quick);
  if (values.only) {
    const wanted = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    // `=id` names one case exactly (`=fleet-boot n=10000 acs=in-process` without its v8=/profile= siblings).
    cases = cases.filter((k) => wanted.some((w) => (w.startsWith('=') ? k.id === w.slice(1) : k.id.includes(w))));
    if (cases.length === 0) throw new Error(`--only ${values.only}: no case id contains any of ${JSON.stringify(wanted)}; ids: ${plan(quick).map((k) => k.id).join(', ')}`);
  }
  const machine = machineInfo();
  console.log(`cpe-sim bench: ${machine.cores} cores (${machine.cpuModel}), ${machine.totalMemoryMiB} MiB, Node ${machine.node}${quick ? ', QUICK' : ''}`);
  const results = [];
  for (const kase of cases) {
    process.stdout.write(`• ${kase.id} … `);
    const r = await runCase(ENTRY, kase);
    results.push(r);
    console.log(r.ok ? summarizeMetrics(r.metrics, r.headline) : `ERROR ${r.error.split('\n')[0]}`);
  }
  // --merge: keep the other cases' rows of the existing file (re-running one case
  // after a fix); each row carries the date it was measured.
  let all = results;
  if (values.merge && existsSync(out)) {
    const old = JSON.parse(readFileSync(out, 'utf8'));
    const fresh = new Set(results.map((r) => r.id));
    const order = plan(quick).map((k) => k.id);
    all = [...old.results.filter((r) => !fresh.has(r.id)), ...results].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  }
  const targets = evaluateTargets(all);
  const file = { schema: 1, quick, machine, results: all, targets };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);

  console.log(`\n${formatTable([['case', 'result'], ...all.map((r) => [r.id, r.ok ? summarizeMetrics(r.metrics, r.headline) : 'ERROR'])])}`);
  const shown = targets.filter((t) => t.verdict !== 'NOT RUN');
  if (shown.length) console.log(`\n${formatTable([['target', 'value', 'verdict'], ...shown.map((t) => [t.text, formatTargetValue(t), t.verdict])])}`);
  console.log(`\nwrote ${out}`);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) await main();
