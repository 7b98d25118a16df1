/**
 * A CPE's sessions as people read them (the admin API, the dashboard, the HTML
 * timeline a failing test writes): JSON with every secret blanked (CR and ACS
 * credentials, hidden leaves), because these pages and files are read by more people
 * than the fleet's config file.
 * @module
 */
import type { Cpe, SessionRecord, TranscriptEntry } from '../cpe/index.js';
import type { CwmpMessage } from '../cwmp/index.js';

/**
 * Leaf names whose values are secrets whatever the profile says (TR-069/TR-181 name
 * them so: ConnectionRequestPassword, Password, KeyPassphrase, PreSharedKey, …).
 */
const SECRET_LEAF = /(?:Password|Passphrase|PreSharedKey|Secret|PSK)$/i;

/** What replaces a secret value. */
export const REDACTED = '[redacted]';

/** True when `path`'s value must not be shown (admin API, dashboard, HTML timeline). */
export function isSecretLeaf(cpe: Cpe, path: string): boolean {
  return SECRET_LEAF.test(path) || cpe.params.get(path)?.hidden === true;
}

/** One message of a {@link SessionView}. */
export interface SessionViewEntry {
  dir: TranscriptEntry['dir'];
  /** Simulated ms since the epoch (the fleet clock). */
  time: number;
  status?: number;
  summary: string;
  /** The decoded message, secrets blanked. */
  message?: CwmpMessage;
  /** Raw XML (only when the fleet keeps it), secrets blanked. */
  xml?: string;
}

/** A session as the admin API answers it and the timeline draws it: plain JSON, secrets blanked. */
export interface SessionView {
  id: number;
  cpeId: string;
  events: { eventCode: string; commandKey: string }[];
  startedAt: number;
  endedAt?: number;
  ok: boolean;
  error?: string;
  retryCount: number;
  bytesSent?: number;
  bytesReceived?: number;
  quirks?: string[];
  entries: SessionViewEntry[];
}

/** A session as JSON, secrets blanked in the decoded messages, the summaries and the raw XML. */
export function sessionView(cpe: Cpe, s: SessionRecord): SessionView {
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
      // redactDeep keeps the shape: only `value` strings change.
      ...(e.message !== undefined ? { message: redactDeep(cpe, e.message) as CwmpMessage } : {}),
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
