/**
 * Fleets: many simulated CPEs behind one Connection Request listener, one scheduler
 * and (by default) one embedded fake ACS.
 * @module
 */

// ---- Fleet -------------------------------------------------------------------
export { startFleet, embeddedAcsFor, EMBEDDED_ACS_BOOT_CONCURRENCY, FLEET_OPTION_KEYS, LEAN_ACS_RECORDS, LEAN_TRANSCRIPT_ABOVE } from './fleet.js';
export type { Fleet, FleetOptions, FleetCrOptions, FleetUdpCrOptions, FleetStunOptions, FleetXmppOptions } from './fleet.js';
export type { FleetAcsTls, FleetTransferOptions } from './tls.js';
export type { FleetUspOptions } from './usp.js';
export { parseBroker as parseUspBroker } from './usp.js';
export type { DurationInput, LinkDownOptions, PowerCycleOptions, ShareOptions } from './chaos.js';
export { BootstrapError, isBootstrapError, DEFAULT_BOOTSTRAP_ATTEMPTS, DEFAULT_BOOTSTRAP_TIMEOUT_MS } from './bootstrap.js';
export type { BootstrapFailure, BootstrapGiveUp } from './bootstrap.js';
export { CR_OUTCOMES_PER_CPE, formatCrOutcome } from './cr-log.js';
export { disableAllocationSitePretenuring } from './pretenuring.js';
export type { CrOutcome } from './cr-log.js';
export { uspDeviceOf } from './usp-device.js';
