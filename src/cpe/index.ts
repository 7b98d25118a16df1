/**
 * One simulated CPE that speaks real TR-069 (CWMP) to an ACS: sessions, events,
 * RPC handlers, retry backoff, ACS authentication and a session transcript.
 * @module
 */

// ---- the CPE -----------------------------------------------------------------
export { Cpe, isCpeClosedError } from './cpe.js';
export type { CpeOptions, AcsTarget, CpeTranscriptOptions, CpeLifecycleEvent } from './cpe.js';

// ---- transcript ----------------------------------------------------------------
export type { SessionRecord, TranscriptEntry, InformRecord } from './transcript.js';
export { formatSession } from './transcript.js';

// ---- building blocks (exported for tests and advanced users) ---------------------
export { SessionMutex } from './mutex.js';
export { EventQueue } from './events.js';
export {
  retryWaitMs,
  retryWaitRangeMs,
  auditRetries,
  retryPolicyFrom,
  DEFAULT_RETRY_MINIMUM_WAIT_S,
  DEFAULT_RETRY_INTERVAL_MULTIPLIER,
} from './backoff.js';
export type { RetryPolicy, RetryAudit, RetryGapStats, RetryViolation } from './backoff.js';
export { CookieJar, splitSetCookie } from './cookies.js';
export type { AcsTls, TransportKind } from './transport.js';
export { diagnosticName, sameDiagnostic } from './diagnostics.js';
export { checkBehaviour } from './behaviour.js';
export type { Behaviour } from './behaviour.js';
export type { DiagnosticRun } from './diagnostics.js';
export { SUPPORTED_CWMP_VERSIONS } from './session.js';
