/**
 * Which declared behaviours of a loaded profile cpe-sim parses and validates but does
 * not simulate yet. The CLI prints them once at start-up as a warning, not a refusal
 * (issue 14: a seed-format profile loads unchanged). Each entry goes away when the
 * issue that simulates its behaviour lands: delete it from {@link UNSIMULATED}.
 * @module
 */
import type { Profile } from './types.js';

/** One behaviour a profile may declare that is not simulated yet. */
export interface UnsimulatedBehaviour {
  /** The profile key that declares it, e.g. `transfer.firmware`. */
  readonly key: string;
  /** True when `profile` declares it. */
  readonly declared: (profile: Profile) => boolean;
  /** What happens instead, for the warning. */
  readonly instead: string;
}

/**
 * The behaviours the loader keeps in the Profile that no other layer acts on yet.
 * Empty since software modules are simulated (issue 15); the mechanism stays for the
 * next block the seed format gains before cpe-sim simulates it.
 */
export const UNSIMULATED: readonly UnsimulatedBehaviour[] = [];

/**
 * The behaviours `profile` declares that cpe-sim does not simulate yet, one sentence
 * each (`key: what happens instead`), in a fixed order. Empty when there are none.
 * @example
 * unsimulatedBehaviours(profile) // ['diagnostics: writing a diagnostic trigger …']
 */
export function unsimulatedBehaviours(profile: Profile, behaviours: readonly UnsimulatedBehaviour[] = UNSIMULATED): string[] {
  return behaviours.filter((b) => b.declared(profile)).map((b) => `${b.key}: ${b.instead}`);
}
