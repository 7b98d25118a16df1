/**
 * `cpe-sim/jest`: the same matchers as `cpe-sim/vitest`, registered on Jest's
 * `expect`, and {@link useCpeFleet}, a fleet per `describe` block built on
 * `beforeAll`/`afterAll` (Jest 30 has no `onTestFinished`). Loads from the CJS build
 * (Jest on Node 20 cannot load ESM-only packages).
 * With `testEnvironment: 'cpe-sim/jest-environment'`, a failing test prints the
 * CWMP transcript of the running fleets.
 *
 * @example
 * ```js
 * const { useCpeFleet } = require('cpe-sim/jest');
 *
 * describe('CR client', () => {
 *   const sim = useCpeFleet({ profile: 'profiles/hgw.yaml', count: 2 });
 *   test('wakes the CPE', async () => {
 *     const res = await sim.acs.connectionRequest(sim.fleet.cpe(1).crUrl, { username: 'u', password: 'p' });
 *     expect(res).toBeAccepted();
 *     await expect(sim.fleet.cpe(1)).toHaveInformed('6 CONNECTION REQUEST');
 *   });
 * });
 * ```
 * @see docs/testing.md
 * @module
 */
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import type { FakeAcs } from '../acs/index.js';
import type { Fleet } from '../fleet/index.js';
import { CpeSimError } from '../errors/index.js';
import { cpeSimMatchers } from './matchers.js';
import { checkUnawaitedMatchers } from './unawaited.js';
import { launchFleet, reportFailure } from './launch.js';
import { failureTranscript, markSessions, type SessionMark } from './transcript.js';
import { JEST_FAILURE_HOOKS, type JestFailureHooks, type JestFleetWatch } from './jest-hooks.js';
import { checkFleetOptions, type CpeFleetOptions } from './options.js';
import { closeTestFleet, uspControllerOf, uspFailureTranscript } from './usp.js';
import type { FakeUspController } from '../controller/index.js';
import type { CpeSimMatchers } from './types.js';

expect.extend(cpeSimMatchers);
// A forgotten `await` fails the test it belongs to: Jest gives each test file its own
// module registry, so this file-level afterEach runs after every test of the file.
afterEach(() => checkUnawaitedMatchers());

declare module 'expect' {
  // Must repeat Jest's own type parameters exactly to merge with its Matchers.
  interface Matchers<R extends void | Promise<void>, T = unknown> extends CpeSimMatchers<R> {}
}

declare global {
  // The `expect` global typed by @types/jest (no `import from '@jest/globals'`): its
  // Matchers live in the global `jest` namespace. Type parameters repeated exactly as
  // @types/jest declares them, or the declarations would not merge. Without
  // @types/jest this declares an interface nobody reads.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends CpeSimMatchers<R> {}
  }
}

// ---- Re-exports ----------------------------------------------------------------
export * from './reexports.js';
export { uspControllerOf } from './usp.js';
export type { CpeFleetUspOptions } from './usp.js';

/** What {@link useCpeFleet} returns: the fleet and ACS, readable inside tests. */
export interface CpeFleetHandle {
  /** The started fleet. @throws CpeSimError when read outside a test (before `beforeAll` ran). */
  readonly fleet: Fleet;
  /** The embedded FakeAcs. @throws CpeSimError when `acsUrl` was given. */
  readonly acs: FakeAcs;
  /** The fake USP Controller (`usp: true`). @throws CpeSimError `CPESIM_NO_USP_CONTROLLER` without `usp`. */
  readonly controller: FakeUspController;
}

/** Options of {@link useCpeFleet}: fleet options plus the hook timeout. */
export interface UseCpeFleetOptions extends CpeFleetOptions {
  /**
   * Timeout of the `beforeAll` that boots the fleet (ms, default 30,000: Jest's 5 s is
   * short for a large fleet). A broken ACS fails the boot sooner (`bootstrapTimeoutMs`).
   */
  hookTimeout?: number;
}

/** The registry of `cpe-sim/jest-environment`, when the test runs in it. */
function failureHooks(): JestFailureHooks | undefined {
  const hooks: unknown = (globalThis as Record<string, unknown>)[JEST_FAILURE_HOOKS];
  return typeof hooks === 'object' && hooks !== null && 'add' in hooks && 'delete' in hooks ? (hooks as JestFailureHooks) : undefined;
}

/** Shows the sessions of `fleet` since the failed test started (nothing when it had none). */
function watchFleet(fleet: Fleet, options: CpeFleetOptions): JestFleetWatch {
  let mark: SessionMark | undefined;
  let started = 0;
  return {
    testStarted() {
      mark = markSessions(fleet);
      started = Date.now();
    },
    testFailed(testName, errors) {
      if (options.transcriptOnFailure === 'html') {
        reportFailure(fleet, mark, 'html', { name: testName, ...(errors ? { errors } : {}) }, options.transcriptDir, started);
        return;
      }
      const text = [failureTranscript(fleet, mark), uspFailureTranscript(fleet, started)].filter(Boolean).join('\n');
      // console.error of the test's realm: Jest attributes it to the test file's output.
      if (text) console.error(`cpe-sim: test failed: ${testName}\n${text}`);
    },
  };
}

/**
 * Starts a fleet in `beforeAll` and closes it in `afterAll` of the enclosing
 * `describe` (or file). Call it at describe level, read `.fleet` / `.acs` in tests.
 *
 * Under `testEnvironment: 'cpe-sim/jest-environment'`, a failing test prints the
 * CWMP transcript of this fleet's sessions during that test (unless
 * `transcriptOnFailure: false`). Other environments give a library no per-test
 * failure hook: then the matchers' messages still carry the lines they saw, and
 * `failureTranscript(handle.fleet)` prints the transcript on demand.
 */
export function useCpeFleet(options: UseCpeFleetOptions): CpeFleetHandle {
  const { hookTimeout = 30_000, ...fleetOptions } = options;
  // Checked when the describe block is collected, not in beforeAll: a typo'd option fails clearly, once.
  checkFleetOptions(fleetOptions, 'useCpeFleet', ['hookTimeout']);
  let fleet: Fleet | undefined;
  let watch: JestFleetWatch | undefined;
  // When Jest's hook timeout fires first, Jest moves on to afterAll while the boot is
  // still pending: afterAll aborts it (closing every socket and timer, so Jest can exit)
  // and prints what the CPEs saw, which Jest's timeout message does not say.
  let booting: { abort: AbortController; done: Promise<unknown> } | undefined;
  beforeAll(async () => {
    const abort = new AbortController();
    const launch = launchFleet(fleetOptions, 'useCpeFleet', abort.signal);
    booting = { abort, done: launch.catch(() => undefined) };
    try {
      fleet = await launch;
    } finally {
      booting = undefined;
    }
    if (fleetOptions.transcriptOnFailure !== false) {
      watch = watchFleet(fleet, fleetOptions);
      failureHooks()?.add(watch);
    }
  }, hookTimeout);
  afterAll(async () => {
    if (booting) {
      booting.abort.abort();
      await booting.done;
    }
    const f = fleet;
    fleet = undefined;
    if (watch) failureHooks()?.delete(watch);
    watch = undefined;
    if (f) await closeTestFleet(f);
  }, hookTimeout);
  const current = (): Fleet => {
    if (!fleet) throw new CpeSimError('CPESIM_FLEET_NOT_STARTED', 'useCpeFleet(): the fleet exists only inside tests and hooks of the describe block that called useCpeFleet (after its beforeAll)');
    return fleet;
  };
  return {
    get fleet() {
      return current();
    },
    get acs() {
      const acs = current().acs;
      if (!acs) throw new CpeSimError('CPESIM_NO_EMBEDDED_ACS', 'useCpeFleet(): `.acs` exists only when no acsUrl is given');
      return acs;
    },
    get controller() {
      return uspControllerOf(current());
    },
  };
}
