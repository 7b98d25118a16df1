/**
 * Fleets: many simulated CPEs behind one Connection Request listener, one scheduler
 * and (by default) one embedded fake ACS.
 * @module
 */

// ---- Fleet -------------------------------------------------------------------
export { startFleet } from './fleet.js';
export type { Fleet, FleetOptions, FleetCrOptions } from './fleet.js';
