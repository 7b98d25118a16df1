/**
 * cpe-sim: simulate fleets of TR-069 (CWMP) CPEs for ACS integration tests.
 * @packageDocumentation
 */

// ---- Errors ------------------------------------------------------------------
export * from './errors/index.js';
