/**
 * Contract between the Connection Request listener and whatever it wakes up. The
 * listener knows nothing of SOAP or parameter trees: it asks each endpoint for its
 * credentials (read fresh per request, so an SPV takes effect at once) and calls
 * `onRequest` after the 200 has been written.
 * @module
 */

/** CR authentication scheme; `''` = none. */
export type CrAuthScheme = '' | 'basic' | 'digest';

/** Per-endpoint configuration (from the profile's `connectionRequest` block). */
export interface CrEndpointConfig {
  scheme: CrAuthScheme;
  realm: string;
  /** 0 = no throttle. */
  throttleWindowMs: number;
}

/** What a CPE registers with the listener. */
export interface CrEndpoint {
  readonly config: CrEndpointConfig;
  /** Read per request. An empty username means "not populated yet": fail closed. */
  credentials(): { username: string; password: string };
  /** Called after an accepted CR's 200 has been written (never before). */
  onRequest(): void;
}

/** Outcome of one CR request, for logs and observers. */
export interface CrRequestEvent {
  cpeId: string | undefined;
  method: string;
  path: string;
  status: number;
  /** `accepted`, `method`, `not-found`, `unauthorized`, `stale`, `replay`, `not-populated`, `throttled`, … */
  reason: string;
  remoteAddress: string | undefined;
  /** Finer cause for logs and tests: `no-credentials`, `malformed`, `wrong-credentials`, `expired`, `nc-reused`, `uri-mismatch`, … */
  detail?: string;
  /** Seconds sent in `Retry-After` (503 only). */
  retryAfter?: number;
}
