/**
 * The contract between `cpe-sim/jest-environment` (which sees Jest's per-test
 * events) and `useCpeFleet` (which owns the fleets): a registry on the test global.
 * @module
 */

/** Property of the test global under which the environment publishes {@link JestFailureHooks}. */
export const JEST_FAILURE_HOOKS = '__cpeSimJestFailureHooks';

/** What `useCpeFleet` registers for a running fleet. */
export interface JestFleetWatch {
  /** A test starts: remember where the transcript stands. */
  testStarted(): void;
  /**
   * The test named `testName` failed: show what happened since it started. `errors` are
   * jest-circus' own (`test.errors`: errors or `[error, asyncError]` pairs), so a note
   * added to one shows in Jest's failure message.
   */
  testFailed(testName: string, errors?: unknown[]): void;
}

/** The registry the environment puts on the test global. */
export interface JestFailureHooks {
  add(watch: JestFleetWatch): void;
  delete(watch: JestFleetWatch): void;
}
