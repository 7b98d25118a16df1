/**
 * `cpe-sim/vitest`: fixtures and matchers for Vitest (3.2 and 4.x). Importing this
 * module registers the matchers with `expect.extend` and types them on Vitest's
 * `expect` (module augmentation below).
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * import { withCpeFleet } from 'cpe-sim/vitest';
 *
 * const test = withCpeFleet({ profile: 'tr181-hgw', count: 3 });
 *
 * test('a Connection Request makes the CPE inform', async ({ fleet, acs }) => {
 *   const res = await acs.connectionRequest(fleet.cpe(2).crUrl!, { username: 'cr-cpe-2', password: 'secret' });
 *   expect(res).toBeAccepted();
 *   await expect(fleet.cpe(2)).toHaveInformed('6 CONNECTION REQUEST');
 * });
 * ```
 * @see docs/testing.md
 * @module
 */
import { expect, onTestFailed, onTestFinished, test as baseTest } from 'vitest';
import type { TestAPI, TestContext } from 'vitest';
import type { FakeAcs } from '../acs/index.js';
import type { Fleet } from '../fleet/index.js';
import { ConfigError, CpeSimError } from '../errors/index.js';
import { cpeSimMatchers } from './matchers.js';
import { checkUnawaitedMatchers, onAsyncMatcherCall } from './unawaited.js';
import { launchFleet, printFailureTranscript, reportFailure } from './launch.js';
import { markSessions, type SessionMark } from './transcript.js';
import { closeTestFleet, uspControllerOf } from './usp.js';
import type { FakeUspController } from '../controller/index.js';
import { checkFleetOptions, type CpeFleetOptions } from './options.js';
import type { CpeSimMatchers } from './types.js';

expect.extend(cpeSimMatchers);
// The first async matcher of each test arms one check at its end (a forgotten `await`
// fails that test). onTestFinished works wherever the test runs, also in files that
// share this module (isolate: false), where a top-level afterEach would not.
let armedFor: unknown;
onAsyncMatcherCall(() => {
  const state = expect.getState() as { currentTestName?: string; testPath?: string };
  const key = `${state.testPath ?? ''}\0${state.currentTestName ?? ''}`;
  if (armedFor === key) return;
  try {
    onTestFinished(() => {
      armedFor = undefined;
      checkUnawaitedMatchers();
    });
    armedFor = key;
  } catch {
    // Called outside a running test (a hook): nothing to attach the check to.
  }
});

declare module 'vitest' {
  // Vitest requires exactly this signature (`T = any`) for its Matchers interface;
  // our own public types never use `any`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends CpeSimMatchers<T> {}
}

// ---- Re-exports ----------------------------------------------------------------
export * from './reexports.js';
export { uspControllerOf } from './usp.js';
export type { CpeFleetUspOptions } from './usp.js';

// ---- Fixtures ------------------------------------------------------------------

/** Options of {@link withCpeFleet}: the fleet options plus the fixture's scope. */
export interface WithCpeFleetOptions extends CpeFleetOptions {
  /**
   * `'test'` (default): a fresh fleet per test. `'file'`: one fleet shared by every
   * test of the file (Vitest's file-scoped fixtures), closed after the last test.
   */
  scope?: 'test' | 'file';
}

/** Fixtures of {@link withCpeFleet} with an external ACS (`acsUrl` given). */
export interface CpeFleetFixtures {
  /** The started, bootstrapped fleet. */
  fleet: Fleet;
}

/** Fixtures of {@link withCpeFleet} with the embedded FakeAcs. */
export interface CpeFleetWithAcsFixtures extends CpeFleetFixtures {
  /** The embedded FakeAcs the CPEs talk to (`fleet.acs`). */
  acs: FakeAcs;
}

/** What the fixtures read of a failed test: Vitest 4 has `fullTestName`; 3.2 has the suite chain. */
interface FailedTask {
  name: string;
  fullTestName?: string;
  suite?: { name: string; suite?: FailedTask['suite'] };
  result?: { errors?: unknown[] };
}

/** The `onTestFailed` handler of a fleet, per `transcriptOnFailure` (`false`: none). */
function onFailure(fleet: Fleet, options: CpeFleetOptions, mark?: SessionMark, since?: number): ((ctx: TestContext) => void) | undefined {
  const mode = options.transcriptOnFailure ?? true;
  if (mode === false) return undefined;
  return (ctx) => {
    // The text transcript needs nothing of the test (and reads nothing a Vitest version may lack).
    if (mode === true) return printFailureTranscript(fleet, mark, since);
    const task = (ctx as { task?: unknown } | undefined)?.task as FailedTask | undefined;
    if (!task) return reportFailure(fleet, mark, 'html', { name: 'test' }, options.transcriptDir, since);
    let name = task.fullTestName;
    if (name === undefined) {
      const names = [task.name];
      // The file's own suite has the file name: left out, as fullTestName does.
      for (let s = task.suite; s?.suite; s = s.suite) names.unshift(s.name);
      name = names.join(' > ');
    }
    reportFailure(fleet, mark, mode, { name, ...(task.result?.errors ? { errors: task.result.errors } : {}) }, options.transcriptDir, since);
  };
}

/** The `controller` fixture: the fake USP Controller of a fleet started with `usp`. */
export interface CpeFleetUspFixtures {
  /**
   * The fake USP Controller the CPEs' agents talk to (`usp: true`). Takes `cpe-N` for an
   * agent's EndpointID. Reading it without `usp` fails the test (`CPESIM_NO_USP_CONTROLLER`).
   */
  controller: FakeUspController;
}

function embeddedAcs(fleet: Fleet): FakeAcs {
  if (!fleet.acs) throw new CpeSimError('CPESIM_NO_EMBEDDED_ACS', 'the `acs` fixture exists only when withCpeFleet() is given no acsUrl');
  return fleet.acs;
}

/**
 * Returns a Vitest `test` whose context carries a started fleet (`fleet`) and, when
 * no `acsUrl` is given, the embedded FakeAcs (`acs`). The fleet listens for
 * Connection Requests on 127.0.0.1 (port 0 unless `cr.port` asks for one), waits
 * for every bootstrap session (`waitFor`), and is closed after the test (or after
 * the file with `scope: 'file'`). A failing test prints the CWMP transcript of
 * the CPEs that had sessions during it.
 *
 * @example
 * ```ts
 * const test = withCpeFleet({ profile: './profiles/hgw.yaml', count: 5, scope: 'file' });
 * test('bootstraps', async ({ fleet }) => {
 *   await expect(fleet).toHaveInformed('0 BOOTSTRAP', { cpe: 'cpe-5' });
 * });
 * ```
 */
export function withCpeFleet(options: WithCpeFleetOptions & { acsUrl: string; usp: true | object }): TestAPI<CpeFleetFixtures & CpeFleetUspFixtures>;
export function withCpeFleet(options: WithCpeFleetOptions & { acsUrl: string }): TestAPI<CpeFleetFixtures>;
export function withCpeFleet(options: WithCpeFleetOptions & { usp: true | object }): TestAPI<CpeFleetWithAcsFixtures & CpeFleetUspFixtures>;
export function withCpeFleet(options: WithCpeFleetOptions): TestAPI<CpeFleetWithAcsFixtures>;
export function withCpeFleet(options: WithCpeFleetOptions): TestAPI<CpeFleetWithAcsFixtures> | TestAPI<CpeFleetFixtures> {
  const { scope = 'test', ...fleetOptions } = options;
  // Checked when the file is collected: a typo'd option fails the file once, clearly,
  // instead of every test that destructures the fixture (or none, silently).
  if (scope !== 'test' && scope !== 'file') throw new ConfigError(`withCpeFleet: scope must be 'test' or 'file', got ${JSON.stringify(scope)}`);
  checkFleetOptions(fleetOptions, 'withCpeFleet', ['scope']);

  if (scope === 'file') {
    // Two layers: the fleet lives in a file-scoped fixture; the test-scoped `fleet`
    // marks where each transcript stands, so a failing test prints only its own sessions.
    const extended = baseTest.extend<{ cpeSimSharedFleet: Fleet; fleet: Fleet; acs: FakeAcs; controller: FakeUspController }>({
      cpeSimSharedFleet: [
        // eslint-disable-next-line no-empty-pattern -- Vitest reads fixture dependencies from this object pattern; it must stay a (here empty) destructuring.
        async ({}, use) => {
          const fleet = await launchFleet(fleetOptions, 'withCpeFleet');
          try {
            await use(fleet);
          } finally {
            await closeTestFleet(fleet);
          }
        },
        { scope: 'file' },
      ],
      fleet: async ({ cpeSimSharedFleet, onTestFailed: onFailed }, use) => {
        const report = onFailure(cpeSimSharedFleet, fleetOptions, markSessions(cpeSimSharedFleet), Date.now());
        if (report) onFailed(report);
        await use(cpeSimSharedFleet);
      },
      acs: async ({ fleet }, use) => {
        await use(embeddedAcs(fleet));
      },
      controller: async ({ fleet }, use) => {
        await use(uspControllerOf(fleet));
      },
    });
    // The internal `cpeSimSharedFleet` fixture is not part of the public context type.
    return extended as unknown as TestAPI<CpeFleetWithAcsFixtures>;
  }

  return baseTest.extend<{ fleet: Fleet; acs: FakeAcs; controller: FakeUspController }>({
    fleet: async ({ onTestFailed: onFailed, signal }, use) => {
      // `signal` (Vitest >= 3.2) aborts when the test times out: the pending boot closes.
      const fleet = await launchFleet(fleetOptions, 'withCpeFleet', signal);
      const report = onFailure(fleet, fleetOptions);
      if (report) onFailed(report);
      try {
        await use(fleet);
      } finally {
        await closeTestFleet(fleet);
      }
    },
    acs: async ({ fleet }, use) => {
      await use(embeddedAcs(fleet));
    },
    controller: async ({ fleet }, use) => {
      await use(uspControllerOf(fleet));
    },
  });
}

/**
 * Starts a fleet inside the running test and closes it when the test finishes
 * (`onTestFinished`); prints the transcript if the test fails (`onTestFailed`).
 *
 * @example
 * ```ts
 * test('two fleets, one ACS', async () => {
 *   const a = await createCpeFleet({ profile: hgw, count: 2 });
 *   const b = await createCpeFleet({ profile: hgw, count: 2, acsUrl: a.acsUrl });
 *   await expect(b).toHaveInformed('0 BOOTSTRAP', { cpe: 'cpe-2' });
 * });
 * ```
 */
export async function createCpeFleet(options: CpeFleetOptions): Promise<Fleet> {
  const fleet = await launchFleet(options, 'createCpeFleet');
  onTestFinished(() => closeTestFleet(fleet));
  const report = onFailure(fleet, options);
  if (report) onTestFailed(report);
  return fleet;
}
