/**
 * profile/: YAML/JSON profile → validated, immutable {@link Profile}. Pure apart from
 * reading the files in {@link loadProfile}: every problem of a profile is collected
 * (with file, line:col and key path) and thrown together as one `ProfileError`.
 * Also home of Go-compatible durations and per-CPE placeholders.
 * @see ../../docs/profile.md
 * @module
 */

// ---- types
export type * from './types.js';

// ---- loading
export { loadProfile, parseProfile, parseManifest, profileFromObject, DEFAULT_MAX_PROFILE_BYTES, DEFAULT_MAX_VALUE_BYTES } from './load.js';
export type { ProfileLoadOptions } from './load.js';
export { shippedProfileNames, shippedProfilePath } from './shipped.js';

// ---- "did you mean" hints (the CLI and the test fixtures use them for their own keys)
export { suggestion as didYouMean, BEHAVIOUR_KEYS } from './validate.js';
export { yamlErrorOffset } from './yaml-position.js';

// ---- durations
export { parseDurationNs, parseDuration, DurationError } from './duration.js';

// ---- placeholders
export { stampPlaceholders, hasPlaceholders, stampSerial, stampInstance, PlaceholderError } from './placeholders.js';
/** @internal The Template's once-checked serial stamper. */
export { compileSerialPattern, serialPatternProblems, serialPatternIsPerCpe, type SerialStamper, type Pools } from './placeholders.js';

// ---- declared behaviours not simulated yet (printed once by the CLI)
export { unsimulatedBehaviours, UNSIMULATED, type UnsimulatedBehaviour } from './unsimulated.js';

// ---- rules shared with the data model
export { detectRoot, ZERO_VALUES, XSD_TYPES, isTransferFaultCode, realmProblem } from './rules.js';
