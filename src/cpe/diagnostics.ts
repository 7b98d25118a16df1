/**
 * The profile's `diagnostics` state machines (profile-format §9) plus what TR-069 asks
 * and the seed lacks: a run started by the ACS's SetParameterValues of `statePath` to
 * the trigger ends after `duration` with the well-known result leaves written (IPPing,
 * TraceRoute, TR-143 Download/UploadDiagnostics, NSLookup, UDPEcho: values from the
 * CPE's seeded stream), `countPath` ← `resultCount`, then `statePath` ← the outcome,
 * and `8 DIAGNOSTICS COMPLETE` queued for a session of its own (TR-069 §A.3.3.1, Table 8).
 * @module
 */
import type { ScheduledJob, Scheduler } from '../clock/index.js';
import type { ParameterChange, ParameterTree } from '../datamodel/index.js';
import { ConfigError } from '../errors/index.js';
import type { DiagnosticDef } from '../profile/index.js';
import type { Rng } from '../random/index.js';
import { streamFor } from '../random/index.js';

/** What the runner needs from its CPE. */
export interface DiagnosticsHost {
  readonly id: string;
  readonly seed: bigint;
  readonly params: ParameterTree;
  readonly scheduler: Scheduler;
  /**
   * A run ended. `byAcs`: the ACS's SetParameterValues started it, so the CPE queues
   * `8 DIAGNOSTICS COMPLETE` and starts a session (TR-069 Table 8: that event reports the
   * completion of an ACS-requested diagnostic; a run a USP Controller asked for is
   * reported over USP only).
   */
  completed(name: string, state: string, byAcs: boolean): void;
}

/** One finished run, as {@link Diagnostics.history} keeps it. */
export interface DiagnosticRun {
  /** The object name of the state leaf, e.g. `IPPing`, `DownloadDiagnostics`. */
  name: string;
  statePath: string;
  /** The state written at the end: the profile's `complete` value, or the outcome set for it. */
  state: string;
  /** True when `state` is the profile's `complete` value (results were written). */
  complete: boolean;
  /** Who started it: `acs` (SetParameterValues) or `usp` (a USP Set or diagnostics command). */
  requestedBy: 'acs' | 'usp';
  /** Simulated times. */
  startedAt: number;
  endedAt: number;
}

/** The object holding the state leaf: `Device.IP.Diagnostics.IPPing.DiagnosticsState` → `IPPing`. */
export function diagnosticName(statePath: string): string {
  const parts = statePath.split('.');
  return parts[parts.length - 2] ?? statePath;
}

/** True when `name` designates the diagnostic whose object is `objectName` (`IPPing` matches `IPPingDiagnostics` too). */
export function sameDiagnostic(name: string, objectName: string): boolean {
  const a = name.toLowerCase().replace(/diagnostics$/, '');
  const b = objectName.toLowerCase().replace(/diagnostics$/, '');
  return a === b;
}

const RUNS_KEPT = 20;

/** The diagnostics of one CPE. Cheap when the profile has none: nothing is allocated per CPE. */
export class Diagnostics {
  private readonly byState = new Map<string, DiagnosticDef>();
  private readonly running = new Map<string, { job: ScheduledJob; startedAt: number; by: 'acs' | 'usp' }>();
  private readonly outcomes = new Map<string, string>();
  private readonly runs: DiagnosticRun[] = [];
  private seq = 0;

  constructor(
    private readonly host: DiagnosticsHost,
    defs: readonly DiagnosticDef[],
  ) {
    for (const d of defs) this.byState.set(d.statePath, d);
  }

  /** Finished runs, oldest first (the last {@link RUNS_KEPT}). */
  get history(): readonly DiagnosticRun[] {
    return this.runs;
  }

  /** Names of the diagnostics the profile declares. */
  get names(): string[] {
    return [...this.byState.keys()].map(diagnosticName);
  }

  /**
   * The state the next runs of `name` end in (e.g. `Error_CannotResolveHostName`);
   * `undefined` restores the profile's `complete` value.
   * @throws ConfigError when the profile declares no such diagnostic.
   */
  setOutcome(name: string, state: string | undefined): void {
    const def = this.find(name);
    if (state === undefined) this.outcomes.delete(def.statePath);
    else {
      if (typeof state !== 'string' || state === '' || state === def.trigger) throw new ConfigError(`diagnostic outcome of ${name}: expected a state other than the trigger ${JSON.stringify(def.trigger)}, e.g. 'Complete' or 'Error_CannotResolveHostName', got ${JSON.stringify(state)}`);
      this.outcomes.set(def.statePath, state);
    }
  }

  private find(name: string): DiagnosticDef {
    for (const d of this.byState.values()) if (sameDiagnostic(name, diagnosticName(d.statePath))) return d;
    throw new ConfigError(`no diagnostic ${JSON.stringify(name)} in the profile; it declares ${this.names.map((n) => JSON.stringify(n)).join(', ') || 'none'} (profile-format §9: diagnostics[].statePath)`);
  }

  /**
   * A parameter changed: only a management write of a state leaf to its trigger starts a
   * run (ref §9): the ACS's SetParameterValues or a USP Controller's Set / diagnostics
   * command (dual stack, usp-notes §4.8); the device's own writes never do.
   */
  onChange(c: ParameterChange): void {
    const def = this.byState.get(c.path);
    if (def === undefined || c.origin === 'internal' || c.oldValue === c.newValue) return;
    // TR-181: a write of the state (any value) ends a run in progress; the trigger starts a new one.
    this.running.get(def.statePath)?.job.cancel();
    this.running.delete(def.statePath);
    if (c.newValue !== def.trigger) return;
    const startedAt = this.host.scheduler.clock.now();
    const by = c.origin === 'usp' ? 'usp' : 'acs';
    const job = this.host.scheduler.after(def.durationMs, () => this.finish(def, startedAt, by));
    this.running.set(def.statePath, { job, startedAt, by });
  }

  private finish(def: DiagnosticDef, startedAt: number, by: 'acs' | 'usp'): void {
    this.running.delete(def.statePath);
    const p = this.host.params;
    const name = diagnosticName(def.statePath);
    const state = this.outcomes.get(def.statePath) ?? def.complete;
    const endedAt = this.host.scheduler.clock.now();
    const base = def.statePath.slice(0, def.statePath.lastIndexOf('.') + 1);
    if (state === def.complete) {
      const rng = streamFor(this.host.seed, `${this.host.id}:diagnostics:${name}:${++this.seq}`);
      writeResults(p, base, name, rng, startedAt, endedAt);
    }
    // ref §9 step 3: the count first, then the state, so a poller never sees the final
    // state with a stale count.
    if (def.countPath !== undefined) p.setInternal(def.countPath, String(def.resultCount));
    p.setInternal(def.statePath, state);
    this.runs.push({ name, statePath: def.statePath, state, complete: state === def.complete, requestedBy: by, startedAt, endedAt });
    if (this.runs.length > RUNS_KEPT) this.runs.shift();
    this.host.completed(name, state, by === 'acs');
  }

  /** Cancels runs in progress (close, factory reset). */
  cancel(): void {
    for (const r of this.running.values()) r.job.cancel();
    this.running.clear();
  }
}

/** Writes `value` into `base + leaf` when the tree has that leaf. */
function put(p: ParameterTree, path: string, value: string | number): void {
  if (p.has(path)) p.setInternal(path, String(value));
}

function num(p: ParameterTree, path: string, dflt: number): number {
  const v = Number(p.getValue(path));
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

/** Replaces the rows of `table` (ending in '.') with `n` new ones; returns their paths, [] without such a table. */
function rows(p: ParameterTree, table: string, n: number): string[] {
  let existing: string[];
  try {
    existing = p.getNames(table, true).map((i) => i.name).filter((x) => /\.\d+\.$/.test(x));
  } catch {
    return [];
  }
  try {
    for (const r of existing) p.deleteObject(r);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(`${table}${p.addObject(table)}.`);
    return out;
  } catch {
    return [];
  }
}

/** TR-143 timestamps carry microseconds: the ms of `ms` plus three drawn digits. */
function usTime(ms: number, extraUs: number): string {
  return new Date(Math.floor(ms)).toISOString().replace(/Z$/, `${String(extraUs % 1000).padStart(3, '0')}Z`);
}

/** Results of the well-known diagnostics (TR-181 Device.IP.Diagnostics.*, TR-098 IPPingDiagnostics …); unknown ones get none. */
function writeResults(p: ParameterTree, base: string, name: string, rng: Rng, startedAt: number, endedAt: number): void {
  const kind = name.toLowerCase().replace(/diagnostics$/, '');
  const rtt = (): number => 5 + rng.intn(40); // ms, a plausible broadband RTT
  if (kind === 'ipping' || kind === 'udpecho') {
    const reps = num(p, `${base}NumberOfRepetitions`, 4);
    const lost = rng.float() < 0.2 ? 1 : 0;
    const ok = Math.max(0, reps - lost);
    const times = Array.from({ length: ok }, rtt);
    const avg = ok === 0 ? 0 : Math.round(times.reduce((a, b) => a + b, 0) / ok);
    put(p, `${base}SuccessCount`, ok);
    put(p, `${base}FailureCount`, reps - ok);
    put(p, `${base}AverageResponseTime`, avg);
    put(p, `${base}MinimumResponseTime`, ok === 0 ? 0 : Math.min(...times));
    put(p, `${base}MaximumResponseTime`, ok === 0 ? 0 : Math.max(...times));
    put(p, `${base}AverageResponseTimeDetailed`, avg * 1000);
    put(p, `${base}MinimumResponseTimeDetailed`, ok === 0 ? 0 : Math.min(...times) * 1000);
    put(p, `${base}MaximumResponseTimeDetailed`, ok === 0 ? 0 : Math.max(...times) * 1000);
    if (kind === 'udpecho') {
      put(p, `${base}PacketsReceived`, ok);
      put(p, `${base}PacketsLost`, reps - ok);
    }
  } else if (kind === 'traceroute') {
    const hops = 3 + rng.intn(6);
    let t = 0;
    const made = rows(p, `${base}RouteHops.`, hops);
    for (const [i, row] of made.entries()) {
      t += 1 + rng.intn(8);
      put(p, `${row}Host`, `hop${i + 1}.example.net`);
      put(p, `${row}HostAddress`, `198.51.100.${i + 1}`);
      put(p, `${row}ErrorCode`, 0);
      put(p, `${row}RTTimes`, [t, t + rng.intn(3), t + rng.intn(3)].join(','));
    }
    put(p, `${base}ResponseTime`, t + rtt());
    put(p, `${base}RouteHopsNumberOfEntries`, made.length);
  } else if (kind === 'download' || kind === 'upload') {
    const bytes = 1_000_000 + rng.intn(9_000_000);
    const span = Math.max(1, endedAt - startedAt);
    const tcpOpen = startedAt + Math.floor(span * 0.01);
    const rom = startedAt + Math.floor(span * 0.02);
    const bom = startedAt + Math.floor(span * 0.05);
    put(p, `${base}TCPOpenRequestTime`, usTime(startedAt, rng.intn(1000)));
    put(p, `${base}TCPOpenResponseTime`, usTime(tcpOpen, rng.intn(1000)));
    put(p, `${base}ROMTime`, usTime(rom, rng.intn(1000)));
    put(p, `${base}BOMTime`, usTime(bom, rng.intn(1000)));
    put(p, `${base}EOMTime`, usTime(endedAt, rng.intn(1000)));
    if (kind === 'download') {
      put(p, `${base}TestBytesReceived`, bytes);
      put(p, `${base}TotalBytesReceived`, bytes + 2_000 + rng.intn(8_000));
      put(p, `${base}TotalBytesSent`, 500 + rng.intn(2_000));
    } else {
      const size = num(p, `${base}TestFileLength`, bytes);
      put(p, `${base}TestBytesSent`, size);
      put(p, `${base}TotalBytesSent`, size + 2_000 + rng.intn(8_000));
      put(p, `${base}TotalBytesReceived`, 500 + rng.intn(2_000));
    }
  } else if (kind === 'nslookup') {
    const reps = num(p, `${base}NumberOfRepetitions`, 1);
    const host = p.getValue(`${base}HostName`) || 'example.com';
    const made = rows(p, `${base}Result.`, reps);
    for (const row of made) {
      put(p, `${row}Status`, 'Success');
      put(p, `${row}AnswerType`, 'Authoritative');
      put(p, `${row}HostNameReturned`, host);
      put(p, `${row}IPAddresses`, `192.0.2.${1 + rng.intn(254)}`);
      put(p, `${row}DNSServerIP`, p.getValue(`${base}DNSServer`) || '192.0.2.53');
      put(p, `${row}ResponseTime`, rtt());
    }
    put(p, `${base}SuccessCount`, reps);
    put(p, `${base}ResultNumberOfEntries`, made.length);
  }
}
