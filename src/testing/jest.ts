/**
 * `cpe-sim/jest`: the same matchers as `cpe-sim/vitest`, registered on Jest's
 * `expect`, and {@link useCpeFleet}, a fleet per `describe` block built on
 * `beforeAll`/`afterAll` (Jest 30 has no `onTestFinished`). Loads from the CJS build
 * (Jest on Node 20 cannot load ESM-only packages).
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
import { afterAll, beforeAll, expect } from '@jest/globals';
import type { FakeAcs } from '../acs/index.js';
import type { Fleet } from '../fleet/index.js';
import { CpeSimError } from '../errors/index.js';
import { cpeSimMatchers } from './matchers.js';
import { launchFleet } from './launch.js';
import type { CpeFleetOptions } from './options.js';
import type { CpeSimMatchers } from './types.js';

expect.extend(cpeSimMatchers);

declare module 'expect' {
  // Must repeat Jest's own type parameters exactly to merge with its Matchers.
  interface Matchers<R extends void | Promise<void>, T = unknown> extends CpeSimMatchers<R> {}
}

// ---- Re-exports ----------------------------------------------------------------
export { startFleet } from '../fleet/index.js';
export type { Fleet, FleetOptions } from '../fleet/index.js';
export type { Cpe, SessionRecord, InformRecord, TranscriptEntry } from '../cpe/index.js';
export type { FakeAcs, CrResult } from '../acs/index.js';
export type { CpeFleetOptions, CpeFleetCrOptions } from './options.js';
export type { CpeSimMatchers, AsymmetricLike } from './types.js';
export type { ToHaveInformedOptions, ToHaveReceivedRpcOptions, ToBeThrottledOptions, ToBeUnauthorizedOptions } from './matchers.js';
export { cpeSimMatchers } from './matchers.js';
export { failureTranscript, markSessions } from './transcript.js';

/** What {@link useCpeFleet} returns: the fleet and ACS, readable inside tests. */
export interface CpeFleetHandle {
  /** The started fleet. @throws CpeSimError when read outside a test (before `beforeAll` ran). */
  readonly fleet: Fleet;
  /** The embedded FakeAcs. @throws CpeSimError when `acsUrl` was given. */
  readonly acs: FakeAcs;
}

/** Options of {@link useCpeFleet}: fleet options plus the hook timeout. */
export interface UseCpeFleetOptions extends CpeFleetOptions {
  /** Timeout of the `beforeAll` that boots the fleet (ms, default 30,000: Jest's 5 s is short for a large fleet). */
  hookTimeout?: number;
}

/**
 * Starts a fleet in `beforeAll` and closes it in `afterAll` of the enclosing
 * `describe` (or file). Call it at describe level, read `.fleet` / `.acs` in tests.
 * Jest offers a library no per-test failure hook, so the transcript of a failing
 * test is not printed automatically: the matchers' messages include the
 * transcript lines they saw, and `failureTranscript(handle.fleet)` prints it on demand.
 */
export function useCpeFleet(options: UseCpeFleetOptions): CpeFleetHandle {
  const { hookTimeout = 30_000, ...fleetOptions } = options;
  let fleet: Fleet | undefined;
  beforeAll(async () => {
    fleet = await launchFleet(fleetOptions);
  }, hookTimeout);
  afterAll(async () => {
    const f = fleet;
    fleet = undefined;
    await f?.close();
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
  };
}
