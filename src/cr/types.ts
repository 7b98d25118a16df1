/**
 * Contract between the Connection Request listener and whatever it wakes up. The
 * listener knows nothing of SOAP or parameter trees: it asks each endpoint for its
 * credentials (read fresh per request, so an SPV takes effect at once) and calls
 * `onRequest` after the 200 has been written.
 * @module
 */
import type { CrThrottle } from './throttle.js';

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
  /**
   * The CPE's throttle, when it is shared with other wake-up paths (UDP, XMPP): one
   * budget of Connection Requests per CPE whatever the path. Absent: the listener
   * makes its own from `config.throttleWindowMs`.
   */
  readonly throttle?: CrThrottle;
  /**
   * False while the device is dark (e.g. rebooting into a new firmware image): the
   * request gets no answer at all, its connection is dropped. Absent = always on.
   */
  poweredOn?(): boolean;
}

/** Outcome of one CR request, for logs and observers. */
export interface CrRequestEvent {
  cpeId: string | undefined;
  method: string;
  path: string;
  status: number;
  /** `accepted`, `method`, `not-found`, `unauthorized`, `stale`, `replay`, `not-populated`, `throttled`, `powered-off` (status 0: dropped), … */
  reason: string;
  remoteAddress: string | undefined;
  /** Finer cause for logs and tests: `no-credentials`, `malformed`, `wrong-credentials`, `expired`, `nc-reused`, `uri-mismatch`, … */
  detail?: string;
  /** Seconds sent in `Retry-After` (503 only). */
  retryAfter?: number;
  /**
   * The wake-up path when it is not HTTP: `udp` (Annex G; `status` is 0, UDP has no
   * reply) or `xmpp` (Annex K; `status` 200 for a result IQ, 401 for not-authorized,
   * 503 for service-unavailable).
   */
  via?: 'udp' | 'xmpp';
}
