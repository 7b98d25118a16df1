// Issue 19: the boot throughput with the admin metrics on must stay within 5 % of off.
// Boots the same fleet several times in this process, alternating off and on
// (off, on, on, off, off, on, …: each side gets the first and the later positions
// equally, so JIT warm-up and heap growth do not favour one), and compares the medians.
// "On" is what `cpe-sim --admin-addr` does: createFleetMetrics right after startFleet
// returns (waitFor 'none', so the metrics observe the whole boot), plus a scrape
// every second (Prometheus' default is 15 s) while the fleet boots.
//
// The boot is CPU-bound (both sides of every session run in this process), so its CPU
// time is its duration on an idle machine; on a shared one the wall time also holds
// the other processes' turns. The target reads the CPU time (cpuOverheadPct); the wall
// times are reported beside it.
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { round } from '../lib/harness.mjs';
import { SMALL_PROFILE } from './fleet-boot.mjs';

export const measures =
  'Metrics on vs off: the same fleet boot (tr181-minimal, in-process ACS, bootDelay/bootRamp 0, startFleet waitFor none + whenBootstrapped) repeated `rounds` times per side in one process, alternating off/on in ABBA order; on = createFleetMetrics(fleet) right after startFleet returns, as --admin-addr does, and a /metrics text scrape every second; medians per side of the wall time (overheadPct) and of the process CPU time (cpuOverheadPct = (on - off) / off, what the target reads: the boot is CPU-bound, its CPU time is its duration on an idle machine)';

async function boot(lib, profile, n, metricsOn) {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const fleet = await lib.startFleet({ profile, count: n, waitFor: 'none' });
  let metrics;
  let scrape;
  let scrapes = 0;
  try {
    if (metricsOn) {
      metrics = lib.createFleetMetrics(fleet);
      scrape = setInterval(() => void metrics.text().then(() => scrapes++), 1000);
    }
    await fleet.whenBootstrapped();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (metricsOn) {
      // The metrics saw every bootstrap session (a check that "on" really observed the boot).
      const text = await metrics.text();
      const counted = [...text.matchAll(/^cpesim_sessions_total\{trigger="bootstrap",outcome="ok"\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
      if (counted !== n) throw new Error(`metrics counted ${counted} bootstrap sessions, expected ${n}`);
    }
    return { ms, cpuMs, scrapes };
  } finally {
    clearInterval(scrape);
    metrics?.close();
    await fleet.close();
  }
}

/**
 * What the metrics themselves cost, timed in short bursts (steady on a busy machine):
 * createFleetMetrics on a booted fleet subscribes to every CPE and counts its session,
 * i.e. the per-CPE work of "on" during a boot; and one scrape of that fleet.
 */
async function attributed(lib, profile, n) {
  const fleet = await lib.startFleet({ profile, count: n, waitFor: 'bootstrap' });
  try {
    const create = [];
    const scrape = [];
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      const m = lib.createFleetMetrics(fleet);
      create.push(Number(process.hrtime.bigint() - t0) / 1e3);
      const t1 = process.hrtime.bigint();
      await m.text();
      scrape.push(Number(process.hrtime.bigint() - t1) / 1e6);
      m.close();
    }
    return { observeUsPerCpe: median(create) / n, scrapeMs: median(scrape) };
  } finally {
    await fleet.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run(lib, { n, rounds = 3 }) {
  if (!lib.disableAllocationSitePretenuring()) throw new Error('pretenuring was set on the node command line; this row runs as the cpe-sim command does');
  const loaded = await lib.loadProfile(join(ROOT, 'fixtures/profiles', SMALL_PROFILE));
  const profile = { ...loaded, eventSchedule: { ...loaded.eventSchedule, bootDelayMs: 0, bootRampMs: 0 } };
  // A warm-up boot (not counted): the first boot of a process compiles the code paths.
  await boot(lib, profile, Math.min(n, 1000), false);
  const off = [];
  const on = [];
  const cpuOff = [];
  const cpuOn = [];
  let scrapes = 0;
  for (let i = 0; i < rounds; i++) {
    // ABBA: off,on then on,off.
    const order = i % 2 === 0 ? [false, true] : [true, false];
    for (const metricsOn of order) {
      global.gc?.();
      const r = await boot(lib, profile, n, metricsOn);
      (metricsOn ? on : off).push(r.ms);
      (metricsOn ? cpuOn : cpuOff).push(r.cpuMs);
      scrapes += r.scrapes;
    }
  }
  const offMs = median(off);
  const onMs = median(on);
  const cost = await attributed(lib, profile, n);
  const cpuOffMs = median(cpuOff);
  // The boot's CPU time that the metrics account for: observing each CPE's session, plus
  // one scrape per second of the boot (at the wall time it took here).
  const attributedMs = (cost.observeUsPerCpe * n) / 1000 + cost.scrapeMs * (scrapes / (rounds || 1));
  return {
    n,
    rounds,
    bootMsOff: round(offMs, 0),
    bootMsOn: round(onMs, 0),
    sessionsPerSOff: Math.round(n / (offMs / 1000)),
    sessionsPerSOn: Math.round(n / (onMs / 1000)),
    overheadPct: round(((onMs - offMs) / offMs) * 100, 1),
    // CPU time of this process (both sides of every session, the ACS included): steadier
    // than wall time on a shared machine.
    cpuMsOff: round(median(cpuOff), 0),
    cpuMsOn: round(median(cpuOn), 0),
    cpuOverheadPct: round(((median(cpuOn) - median(cpuOff)) / median(cpuOff)) * 100, 1),
    scrapes,
    runsOffMs: off.map((x) => round(x, 0)).join(' '),
    runsOnMs: on.map((x) => round(x, 0)).join(' '),
    observeUsPerCpe: round(cost.observeUsPerCpe, 2),
    scrapeMs: round(cost.scrapeMs, 2),
    attributedPct: round((attributedMs / cpuOffMs) * 100, 2),
    cpuRunsOffMs: cpuOff.map((x) => round(x, 0)).join(' '),
    cpuRunsOnMs: cpuOn.map((x) => round(x, 0)).join(' '),
  };
}
