/**
 * Inform EventCodes (TR-069 §3.7.1.5, cwmp-1-2.xsd EventCodeType) and how each
 * one is queued, merged, delivered and retried (cwmp-notes §2.3).
 * @module
 */
import { CpeSimError } from '../errors/index.js';
import type { EventCode } from './types.js';

/** The standard EventCodes by name. */
export const EVENT = Object.freeze({
  BOOTSTRAP: '0 BOOTSTRAP',
  BOOT: '1 BOOT',
  PERIODIC: '2 PERIODIC',
  SCHEDULED: '3 SCHEDULED',
  VALUE_CHANGE: '4 VALUE CHANGE',
  KICKED: '5 KICKED',
  CONNECTION_REQUEST: '6 CONNECTION REQUEST',
  TRANSFER_COMPLETE: '7 TRANSFER COMPLETE',
  DIAGNOSTICS_COMPLETE: '8 DIAGNOSTICS COMPLETE',
  REQUEST_DOWNLOAD: '9 REQUEST DOWNLOAD',
  AUTONOMOUS_TRANSFER_COMPLETE: '10 AUTONOMOUS TRANSFER COMPLETE',
  DU_STATE_CHANGE_COMPLETE: '11 DU STATE CHANGE COMPLETE',
  AUTONOMOUS_DU_STATE_CHANGE_COMPLETE: '12 AUTONOMOUS DU STATE CHANGE COMPLETE',
  WAKEUP: '13 WAKEUP',
  HEARTBEAT: '14 HEARTBEAT',
  M_REBOOT: 'M Reboot',
  M_SCHEDULE_INFORM: 'M ScheduleInform',
  M_DOWNLOAD: 'M Download',
  M_SCHEDULE_DOWNLOAD: 'M ScheduleDownload',
  M_UPLOAD: 'M Upload',
  M_CHANGE_DU_STATE: 'M ChangeDUState',
} as const);

/** The response whose receipt means the event was delivered (and may be dropped from the queue). */
export type EventDeliveredBy =
  | 'InformResponse'
  | 'TransferCompleteResponse'
  | 'AutonomousTransferCompleteResponse'
  | 'DUStateChangeCompleteResponse'
  | 'AutonomousDUStateChangeCompleteResponse';

/** How a CPE treats one EventCode. */
export interface EventPolicy {
  /** true: one EventStruct per CommandKey (`M …`); false: at most one per Inform, repeats merge. */
  multiple: boolean;
  /** The ACS response after which the event counts as delivered. */
  deliveredBy: EventDeliveredBy;
  /** Re-sent in the retry session when the session fails (false only for `6 CONNECTION REQUEST`). */
  retryOnFailure: boolean;
  /** An undelivered event survives a reboot (false for `1 BOOT` — a new BOOT is generated — and `4 VALUE CHANGE`). */
  keptOverReboot: boolean;
}

// XSD regexes are anchored and `.`/`\S` exclude only XML whitespace (#x20 #x9 #xA #xD).
const NON_WS = '[^ \\t\\n\\r]';
const EVENT_CODE_PATTERNS: readonly RegExp[] = [
  new RegExp(`^\\d+( ${NON_WS}+)+$`), // 0 BOOTSTRAP … 14 HEARTBEAT
  new RegExp(`^M ${NON_WS}+$`), // M Reboot, M ScheduleInform, … and M X_<VENDOR>_…
  new RegExp(`^X [0-9A-F]{6} [^\\n\\r]+$`), // X <OUI> <event>
  new RegExp(`^X ${NON_WS}+ [^\\n\\r]+$`), // X <vendor token> <event>
];

/**
 * True when `code` matches cwmp-1-2.xsd `EventCodeType`: at most 64 characters and one
 * of `\d+( \S+)+`, `M \S+`, `M X_\S+`, `X [0-9A-F]{6} .+`, `X \S+ .+`.
 *
 * @example isValidEventCode('0 BOOTSTRAP') // true
 * @example isValidEventCode('M X_ACME_Kick') // true
 * @example isValidEventCode('BOOT') // false
 */
export function isValidEventCode(code: string): boolean {
  return typeof code === 'string' && code.length > 0 && code.length <= 64 && EVENT_CODE_PATTERNS.some((re) => re.test(code));
}

const p = (multiple: boolean, deliveredBy: EventDeliveredBy, retryOnFailure: boolean, keptOverReboot: boolean): EventPolicy =>
  Object.freeze({ multiple, deliveredBy, retryOnFailure, keptOverReboot });

// cwmp-notes §2.3 (icwmp event table, TR-069 §3.7.1.5 Tables 7–8).
const POLICIES: Readonly<Record<string, EventPolicy>> = {
  [EVENT.BOOTSTRAP]: p(false, 'InformResponse', true, true),
  [EVENT.BOOT]: p(false, 'InformResponse', true, false),
  [EVENT.PERIODIC]: p(false, 'InformResponse', true, true),
  [EVENT.SCHEDULED]: p(false, 'InformResponse', true, true),
  [EVENT.VALUE_CHANGE]: p(false, 'InformResponse', true, false),
  [EVENT.KICKED]: p(false, 'InformResponse', true, true),
  // Never retried: a failed session drops it (the ACS will simply ask again).
  [EVENT.CONNECTION_REQUEST]: p(false, 'InformResponse', false, false),
  [EVENT.TRANSFER_COMPLETE]: p(false, 'TransferCompleteResponse', true, true),
  [EVENT.DIAGNOSTICS_COMPLETE]: p(false, 'InformResponse', true, false),
  [EVENT.REQUEST_DOWNLOAD]: p(false, 'InformResponse', true, true),
  [EVENT.AUTONOMOUS_TRANSFER_COMPLETE]: p(false, 'AutonomousTransferCompleteResponse', true, true),
  [EVENT.DU_STATE_CHANGE_COMPLETE]: p(false, 'DUStateChangeCompleteResponse', true, true),
  [EVENT.AUTONOMOUS_DU_STATE_CHANGE_COMPLETE]: p(false, 'AutonomousDUStateChangeCompleteResponse', true, true),
  [EVENT.WAKEUP]: p(false, 'InformResponse', true, true),
  [EVENT.HEARTBEAT]: p(false, 'InformResponse', true, true),
  [EVENT.M_REBOOT]: p(true, 'InformResponse', true, true),
  [EVENT.M_SCHEDULE_INFORM]: p(true, 'InformResponse', true, true),
  [EVENT.M_DOWNLOAD]: p(true, 'TransferCompleteResponse', true, true),
  [EVENT.M_SCHEDULE_DOWNLOAD]: p(true, 'TransferCompleteResponse', true, true),
  [EVENT.M_UPLOAD]: p(true, 'TransferCompleteResponse', true, true),
  [EVENT.M_CHANGE_DU_STATE]: p(true, 'DUStateChangeCompleteResponse', true, true),
};

const VENDOR_METHOD = p(true, 'InformResponse', true, true);
const VENDOR_EVENT = p(false, 'InformResponse', true, true);

/**
 * The queueing/delivery policy of an EventCode (cwmp-notes §2.3).
 * Vendor codes: `M X_…` behave like `M Reboot` (one per CommandKey), `X <OUI> …`
 * like a single event delivered by InformResponse; both are retried and kept.
 * Throws a `CpeSimError` (`CPESIM_CWMP_EVENT_INVALID`) for a code that is not a valid
 * EventCode or is a numbered/`M` code TR-069 does not define.
 *
 * @example eventPolicy('6 CONNECTION REQUEST').retryOnFailure // false
 */
export function eventPolicy(code: EventCode): EventPolicy {
  const known = Object.prototype.hasOwnProperty.call(POLICIES, code) ? POLICIES[code] : undefined;
  if (known) return known;
  if (isValidEventCode(code)) {
    if (code.startsWith('M X_')) return VENDOR_METHOD;
    if (code.startsWith('X ')) return VENDOR_EVENT;
  }
  throw new CpeSimError(
    'CPESIM_CWMP_EVENT_INVALID',
    `unknown EventCode ${JSON.stringify(code)}: expected a TR-069 code ('0 BOOTSTRAP' … '14 HEARTBEAT', 'M Reboot', 'M ScheduleInform', 'M Download', 'M ScheduleDownload', 'M Upload', 'M ChangeDUState') or a vendor code ('M X_<VENDOR>_<name>', 'X <OUI> <name>')`,
  );
}
