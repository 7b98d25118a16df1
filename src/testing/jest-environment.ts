/**
 * `cpe-sim/jest-environment`: Jest's `node` environment plus one thing Jest does not
 * give a library: a hook when a single test fails. With it, `useCpeFleet` prints
 * the CWMP transcript of the fleets that were running during the failed test, as
 * `withCpeFleet` does in Vitest with `onTestFailed`.
 *
 * Jest offers no per-test failure callback to library code; only a test environment
 * sees jest-circus' events (`test_start`, `test_done` with `test.errors`). This
 * environment keeps a registry on the test global that `useCpeFleet` joins from its
 * `beforeAll` and leaves in its `afterAll`.
 *
 * @example
 * ```js
 * // jest.config.cjs
 * module.exports = { testEnvironment: 'cpe-sim/jest-environment' };
 * ```
 * @see docs/testing.md
 * @module
 */
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';
import type { Circus } from '@jest/types';
import { JEST_FAILURE_HOOKS, type JestFailureHooks, type JestFleetWatch } from './jest-hooks.js';

/** `describe › test` name of a circus test (the root block has a synthetic name). */
function fullName(test: Circus.TestEntry): string {
  const names: string[] = [test.name];
  for (let block: Circus.DescribeBlock | undefined = test.parent; block && block.parent; block = block.parent) names.unshift(block.name);
  return names.join(' › ');
}

/**
 * Jest's `node` test environment that prints the CWMP transcript of every running
 * `useCpeFleet` fleet when a test fails (its errors include the failed hooks of
 * that test: `beforeEach`/`afterEach`). Opt in with
 * `testEnvironment: 'cpe-sim/jest-environment'`; `transcriptOnFailure: false` on a
 * `useCpeFleet` silences that fleet.
 */
export class CpeSimEnvironment extends NodeEnvironment {
  private readonly watches = new Set<JestFleetWatch>();

  constructor(...args: ConstructorParameters<typeof NodeEnvironment>) {
    super(...args);
    const hooks: JestFailureHooks = {
      add: (watch) => {
        this.watches.add(watch);
      },
      delete: (watch) => {
        this.watches.delete(watch);
      },
    };
    // Non-enumerable: stays out of Jest's view of user globals and of `for…in`.
    Object.defineProperty(this.global, JEST_FAILURE_HOOKS, { value: hooks, configurable: true });
  }

  handleTestEvent(event: Circus.Event): void {
    if (event.name === 'test_start') {
      for (const w of this.watches) w.testStarted();
    } else if (event.name === 'test_done' && event.test.errors.length > 0) {
      const name = fullName(event.test);
      for (const w of this.watches) w.testFailed(name, event.test.errors);
    }
  }
}

export { CpeSimEnvironment as TestEnvironment };
export default CpeSimEnvironment;
