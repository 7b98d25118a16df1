/** Types of big-profile.mjs (used by test/profile/yaml-stream.test.ts). */

/** A generated seed-format profile text of at least `bytes` bytes (ASCII). */
export function bigProfile(bytes: number): string;
