/**
 * The data model: `Template` (a Profile compiled once per fleet, immutable, shared)
 * and `ParameterTree` (one per CPE, copy-on-write overlay with TR-069 query and
 * update semantics).
 * @module
 */

// ---- types -------------------------------------------------------------------
export type * from './types.js';

// ---- template and trees -----------------------------------------------------
export { Template } from './template.js';
export { createParameterTree } from './tree.js';

// ---- generators (computed on read) ------------------------------------------
export { GeneratorClock, TickDraws, generatedValueAt, wallclockValue, MAX_CATCHUP_TICKS } from './generators.js';
export type { GeneratedValue, GeneratorContext } from './generators.js';
export { GeneratedWatch } from './watch.js';

// ---- value checks -----------------------------------------------------------
export { checkValue, normalizeValue } from './check.js';
