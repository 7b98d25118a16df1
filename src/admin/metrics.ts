/**
 * Prometheus metrics of a fleet, built from its public events only (session
 * listeners, the Connection Request observer, state getters read at scrape time), so
 * `fleet/` stays unaware of Prometheus. Label sets are bounded (trigger, outcome, RPC
 * name, fault code, CR path and outcome, state): never one per CPE, so 100k CPEs cost
 * the same series as ten.
 * @module
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionRecord } from '../cpe/index.js';
import type { Fleet } from '../fleet/index.js';
import { CPE_STATES, cpeState } from './view.js';

/** A fleet's metrics registry. Close it to stop listening to the fleet. */
export interface FleetMetrics {
  /** The prom-client registry (private to this fleet: two fleets in one process do not collide). */
  readonly registry: Registry;
  /** `Content-Type` of {@link FleetMetrics.text}. */
  readonly contentType: string;
  /** The Prometheus text exposition format, read now. */
  text(): Promise<string>;
  /** Stops observing the fleet (idempotent). */
  close(): void;
}

/** Event code → `trigger` label, most telling first (a boot session also carries BOOTSTRAP, a retry its original codes). */
const TRIGGERS: readonly (readonly [string, string])[] = [
  ['0 BOOTSTRAP', 'bootstrap'],
  ['1 BOOT', 'boot'],
  ['6 CONNECTION REQUEST', 'connection-request'],
  ['7 TRANSFER COMPLETE', 'transfer-complete'],
  ['10 AUTONOMOUS TRANSFER COMPLETE', 'autonomous-transfer-complete'],
  ['8 DIAGNOSTICS COMPLETE', 'diagnostics-complete'],
  ['3 SCHEDULED', 'scheduled'],
  ['2 PERIODIC', 'periodic'],
  ['4 VALUE CHANGE', 'value-change'],
];

/** The `trigger` label of a session: its most telling event, `other` for the rest (M/X codes alone). */
export function sessionTrigger(s: Pick<SessionRecord, 'events'>): string {
  for (const [code, label] of TRIGGERS) if (s.events.some((e) => e.eventCode === code)) return label;
  return 'other';
}

const ACS_RESPONSES = new Set(['InformResponse', 'TransferCompleteResponse', 'AutonomousTransferCompleteResponse', 'GetRPCMethodsResponse', 'Fault']);

/**
 * Observes `fleet` into a new registry: `cpesim_sessions_total{trigger,outcome}`,
 * `cpesim_session_duration_seconds{outcome}` (simulated time),
 * `cpesim_session_retries_total`, `cpesim_acs_bytes_total{direction}`, `cpesim_rpcs_total{rpc,fault}` (RPCs the CPEs
 * answered; fault 0 = success), `cpesim_transfers_total{outcome}`,
 * `cpesim_connection_requests_total{path,outcome,status}`, `cpesim_cpes{state}`,
 * `cpesim_event_loop_lag_seconds{stat}`. Sessions and Connection Requests from before
 * the call are counted from what the fleet still keeps (transcript rings, recent CR
 * outcomes), so metrics created after the boot include it.
 * @example
 * const metrics = createFleetMetrics(fleet);
 * console.log(await metrics.text());
 */
export function createFleetMetrics(fleet: Fleet): FleetMetrics {
  const registry = new Registry();
  const sessions = new Counter({ name: 'cpesim_sessions_total', help: 'CWMP sessions ended, by trigger (the most telling event) and outcome (ok, failed).', labelNames: ['trigger', 'outcome'], registers: [registry] });
  const duration = new Histogram({
    name: 'cpesim_session_duration_seconds',
    help: 'Session duration in simulated seconds (the fleet clock; compressed with timeScale).',
    labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const retries = new Counter({ name: 'cpesim_session_retries_total', help: 'Sessions that were retries after a failed session (RetryCount > 0, TR-069 §3.2.1.1).', registers: [registry] });
  const rpcs = new Counter({ name: 'cpesim_rpcs_total', help: 'ACS requests the CPEs answered, by RPC name and fault code (0: answered without a fault).', labelNames: ['rpc', 'fault'], registers: [registry] });
  const transfers = new Counter({ name: 'cpesim_transfers_total', help: 'TransferComplete / AutonomousTransferComplete reported, by outcome (ok or the fault code).', labelNames: ['outcome'], registers: [registry] });
  const bytes = new Counter({ name: 'cpesim_acs_bytes_total', help: 'HTTP body bytes between the CPEs and the ACS, by direction (sent: CPE to ACS, received: ACS to CPE).', labelNames: ['direction'], registers: [registry] });
  const crs = new Counter({
    name: 'cpesim_connection_requests_total',
    help: 'Connection Requests received, by wake-up path (http, udp, xmpp), outcome (accepted, unauthorized, throttled, not-found, method, …) and HTTP status (0: dropped unanswered).',
    labelNames: ['path', 'outcome', 'status'],
    registers: [registry],
  });
  new Gauge({
    name: 'cpesim_cpes',
    help: 'CPEs by state, read at scrape time.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const n = new Map<string, number>(CPE_STATES.map((s) => [s, 0]));
      for (const cpe of fleet.cpes) {
        const s = cpeState(cpe);
        n.set(s, (n.get(s) ?? 0) + 1);
      }
      for (const [state, v] of n) this.set({ state }, v);
    },
  });
  let lag: IntervalHistogram | undefined = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  new Gauge({
    name: 'cpesim_event_loop_lag_seconds',
    help: 'Event-loop delay since the previous scrape (mean, p99, max).',
    labelNames: ['stat'],
    registers: [registry],
    collect() {
      if (!lag) return;
      // The histogram holds nanoseconds; NaN before the first sample.
      const s = (ns: number): number => (Number.isFinite(ns) ? ns / 1e9 : 0);
      this.set({ stat: 'mean' }, s(lag.mean));
      this.set({ stat: 'p99' }, s(lag.percentile(99)));
      this.set({ stat: 'max' }, s(lag.max));
      lag.reset();
    },
  });

  const onSession = (s: SessionRecord): void => {
    const outcome = s.ok ? 'ok' : 'failed';
    sessions.inc({ trigger: sessionTrigger(s), outcome });
    if (s.endedAt !== undefined) duration.observe({ outcome }, Math.max(0, s.endedAt - s.startedAt) / 1000);
    if (s.retryCount > 0) retries.inc();
    if (s.bytesSent) bytes.inc({ direction: 'sent' }, s.bytesSent);
    if (s.bytesReceived) bytes.inc({ direction: 'received' }, s.bytesReceived);
    // Summaries exist for every message, decoded messages not in a lean fleet's transcript.
    let rpc: string | undefined;
    for (const e of s.entries) {
      const word = /^[A-Za-z]+/.exec(e.summary)?.[0];
      if (e.dir === 'acs->cpe') {
        rpc = word !== undefined && e.status === 200 && !ACS_RESPONSES.has(word) ? word : undefined;
        continue;
      }
      if (word === 'TransferComplete' || word === 'AutonomousTransferComplete') {
        const code = /\bfault=(\d+)/.exec(e.summary)?.[1];
        if (code !== undefined) transfers.inc({ outcome: code === '0' ? 'ok' : code });
      }
      if (rpc !== undefined) {
        const fault = word === 'Fault' ? (/^Fault (\d+)/.exec(e.summary)?.[1] ?? 'unknown') : '0';
        rpcs.inc({ rpc, fault });
        rpc = undefined;
      }
    }
  };
  const onCr = (e: { via?: string | undefined; reason: string; status: number }): void => {
    crs.inc({ path: e.via ?? 'http', outcome: e.reason, status: String(e.status) });
  };
  // What happened before these metrics existed (a fleet is usually created, and booted,
  // first) is counted from what the fleet still keeps: each CPE's transcript ring and
  // the fleet's recent CR outcomes. Synchronous with the subscriptions below, so no
  // session is counted twice or missed.
  for (const c of fleet.cpes) for (const s of c.sessions) if (s.endedAt !== undefined) onSession(s);
  for (const o of fleet.crRequests()) onCr(o);
  const offs = fleet.cpes.map((c) => c.onSession(onSession));
  offs.push(fleet.onCrRequest(onCr));

  let closed = false;
  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    close() {
      if (closed) return;
      closed = true;
      for (const off of offs) off();
      lag?.disable();
      lag = undefined;
    },
  };
}
