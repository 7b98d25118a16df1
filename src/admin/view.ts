/**
 * What the admin API shows of a CPE: its state and its details (its sessions, with
 * every secret blanked, are `timeline/`'s `sessionView`).
 * @module
 */
import type { Cpe } from '../cpe/index.js';

/** A CPE's state as the admin API and the `cpesim_cpes` gauge report it. */
export type CpeState = 'idle' | 'in-session' | 'off' | 'link-down' | 'retrying';

/** All states, in the order `/metrics` lists them. */
export const CPE_STATES: readonly CpeState[] = ['idle', 'in-session', 'off', 'link-down', 'retrying'];

/** Reads a CPE's state now (cheap: a few getters, no allocation). */
export function cpeState(cpe: Cpe): CpeState {
  if (cpe.linkIsDown) return 'link-down';
  if (!cpe.poweredOn) return 'off';
  if (cpe.currentSession !== undefined || cpe.busy) return 'in-session';
  if (cpe.nextRetryAt !== undefined) return 'retrying';
  return 'idle';
}

/** The list row of a CPE. */
export interface CpeSummary {
  id: string;
  index: number;
  state: CpeState;
  serialNumber: string;
  /** Simulated ms of the armed retry, when the state is `retrying`. */
  nextRetryAt?: number;
}

export function summarizeCpe(cpe: Cpe): CpeSummary {
  const out: CpeSummary = { id: cpe.id, index: cpe.index, state: cpeState(cpe), serialNumber: cpe.serialNumber };
  if (cpe.nextRetryAt !== undefined) out.nextRetryAt = cpe.nextRetryAt;
  return out;
}

/** One CPE in detail. */
export interface CpeDetails extends CpeSummary {
  deviceId: { manufacturer: string; oui: string; productClass: string; serialNumber: string };
  crUrl?: string;
  firmwareVersion?: string;
  /** What `inject` set (absent: behaves). */
  injected?: Record<string, unknown>;
  retryCount: number;
  nextPeriodicAt?: number;
  pendingEvents: { eventCode: string; commandKey: string }[];
  sessions: number;
  lastSession?: { id: number; startedAt: number; endedAt?: number; ok: boolean; events: string[]; error?: string };
}

export function describeCpe(cpe: Cpe): CpeDetails {
  const last = cpe.sessions[cpe.sessions.length - 1];
  const out: CpeDetails = {
    ...summarizeCpe(cpe),
    deviceId: cpe.deviceId,
    retryCount: cpe.retryCount,
    pendingEvents: cpe.pendingEvents.map((e) => ({ eventCode: e.eventCode, commandKey: e.commandKey })),
    sessions: cpe.sessions.length,
  };
  if (cpe.crUrl !== undefined) out.crUrl = cpe.crUrl;
  if (cpe.firmwareVersion !== undefined) out.firmwareVersion = cpe.firmwareVersion;
  if (cpe.injected !== undefined) out.injected = { ...cpe.injected };
  if (cpe.nextPeriodicAt !== undefined) out.nextPeriodicAt = cpe.nextPeriodicAt;
  if (last) {
    out.lastSession = { id: last.id, startedAt: last.startedAt, ok: last.ok, events: last.events.map((e) => e.eventCode) };
    if (last.endedAt !== undefined) out.lastSession.endedAt = last.endedAt;
    if (last.error !== undefined) out.lastSession.error = last.error;
  }
  return out;
}
