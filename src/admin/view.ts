/**
 * What the admin API shows of a CPE: its state, its details and its sessions, with
 * every secret blanked (CR and ACS credentials, hidden leaves), because an admin page
 * is read by more people than the fleet's config file.
 * @module
 */
import type { Cpe, SessionRecord } from '../cpe/index.js';

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

/**
 * Leaf names whose values are secrets whatever the profile says (TR-069/TR-181 name
 * them so: ConnectionRequestPassword, Password, KeyPassphrase, PreSharedKey, …).
 */
const SECRET_LEAF = /(?:Password|Passphrase|PreSharedKey|Secret|PSK)$/i;

/** What replaces a secret value. */
export const REDACTED = '[redacted]';

/** True when the admin API must not show `path`'s value. */
export function isSecretLeaf(cpe: Cpe, path: string): boolean {
  return SECRET_LEAF.test(path) || cpe.params.get(path)?.hidden === true;
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

/** A session as JSON, secrets blanked in the decoded messages, the summaries and the raw XML. */
export function sessionView(cpe: Cpe, s: SessionRecord): Record<string, unknown> {
  return {
    id: s.id,
    cpeId: s.cpeId,
    events: s.events.map((e) => ({ eventCode: e.eventCode, commandKey: e.commandKey })),
    startedAt: s.startedAt,
    ...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
    ok: s.ok,
    ...(s.error !== undefined ? { error: s.error } : {}),
    retryCount: s.retryCount,
    ...(s.bytesSent !== undefined ? { bytesSent: s.bytesSent, bytesReceived: s.bytesReceived ?? 0 } : {}),
    ...(s.quirks !== undefined ? { quirks: s.quirks } : {}),
    entries: s.entries.map((e) => ({
      dir: e.dir,
      time: e.time,
      ...(e.status !== undefined ? { status: e.status } : {}),
      summary: redactSummary(cpe, e.summary),
      ...(e.message !== undefined ? { message: redactDeep(cpe, e.message) } : {}),
      ...(e.xml !== undefined ? { xml: redactXml(cpe, e.xml) } : {}),
    })),
  };
}

/** Blanks `value` in every `{ name, value }` pair (ParameterValueStruct) naming a secret. */
function redactDeep(cpe: Cpe, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => redactDeep(cpe, x));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = redactDeep(cpe, x);
  if (typeof o['name'] === 'string' && 'value' in o && isSecretLeaf(cpe, o['name'])) out['value'] = REDACTED;
  return out;
}

/** `…Password=x` in a one-line summary (SetParameterValues a=b, GetParameterValuesResponse a=b). */
function redactSummary(cpe: Cpe, line: string): string {
  // A value may hold ", " itself: it runs to the next `, Name=`, ` key=` or the end.
  return line.replace(/([A-Za-z0-9_.-]+)=(.*?)(?=, [A-Za-z_][\w.-]*=| key=| \+\d+ more$|$)/g, (m, name: string) => (isSecretLeaf(cpe, name) ? `${name}=${REDACTED}` : m));
}

/** `<Name>…Password</Name><Value …>x</Value>` in raw SOAP. */
function redactXml(cpe: Cpe, xml: string): string {
  return xml.replace(/(<(?:\w+:)?Name>\s*([^<\s]+)\s*<\/(?:\w+:)?Name>\s*<((?:\w+:)?Value)\b[^>]*>)([^<]*)(<\/\3>)/g, (m, head: string, name: string, _tag: string, _v: string, tail: string) =>
    isSecretLeaf(cpe, name) ? `${head}${REDACTED}${tail}` : m,
  );
}
