/**
 * Starting a test fleet from fixture options: one code path for the Vitest
 * fixtures, `createCpeFleet` and Jest's `useCpeFleet`.
 * @module
 */
import { ConfigError } from '../errors/index.js';
import { isBootstrapError, startFleet } from '../fleet/index.js';
import type { Fleet } from '../fleet/index.js';
import { appendToFailure, errorMessages, failureTranscript, writeFailureTimeline, type SessionMark } from './transcript.js';
import { toFleetOptions, type CpeFleetOptions } from './options.js';
import { agentOptionsFor, attachController, startFixtureController, uspFailureTranscript } from './usp.js';
import type { FakeUspController } from '../controller/index.js';

/**
 * Starts a fleet for a test; the caller owns `close()`. `runnerSignal` is the test
 * runner's own timeout signal: when it fires first, the pending fleet is closed and
 * what the CPEs saw is printed (the runner reports only its timeout).
 */
export async function launchFleet(options: CpeFleetOptions, where?: string, runnerSignal?: AbortSignal): Promise<Fleet> {
  const fleetOptions = await toFleetOptions(options, where);
  if (runnerSignal) fleetOptions.signal = fleetOptions.signal ? AbortSignal.any([fleetOptions.signal, runnerSignal]) : runnerSignal;
  // USP: the Controller first, so the agents find it when they boot.
  let controller: FakeUspController | undefined;
  let fleet: Fleet;
  try {
    if (options.usp) {
      controller = await startFixtureController(options.usp);
      fleetOptions.usp = agentOptionsFor(controller, options.usp);
    }
    fleet = await startFleet(fleetOptions);
    if (controller) attachController(fleet, controller);
  } catch (err) {
    await controller?.close();
    // console.error, not process.stderr: the runners attribute console output to the test.
    if (runnerSignal?.aborted && isBootstrapError(err)) console.error(`cpe-sim: ${where ?? 'fleet'}: the test runner's timeout fired while the fleet was bootstrapping; it was closed.\n${err.message}`);
    throw err;
  }
  if (options.periodic !== undefined) {
    try {
      applyPeriodic(fleet, options.periodic);
    } catch (err) {
      await fleet.close();
      await controller?.close();
      throw err;
    }
  }
  return fleet;
}

/**
 * `periodic`: writes the profile's periodicInformPaths leaves on every CPE; the CPE
 * re-arms its periodic timer on any change of them (TR-069 A.3.2.4 semantics of
 * PeriodicInformEnable/Interval), so no private API is needed.
 */
function applyPeriodic(fleet: Fleet, periodic: false | number): void {
  const pip = fleet.profile.periodicInformPaths;
  if (!pip) throw new ConfigError(`the periodic option needs a profile with periodicInformPaths (profile ${fleet.profile.source} has none)`);
  if (periodic !== false && !(Number.isSafeInteger(periodic) && periodic >= 1)) {
    throw new ConfigError(`periodic must be false or a whole number of seconds >= 1, got ${String(periodic)}`);
  }
  // Written as provisioning (origin 'acs'), not as a change on the device: the periodic
  // leaves start at Notification 1 (profile-format 3.7), and a device-side write would be
  // reported with 4 VALUE CHANGE in the next Inform, which no test asked for.
  const entries = periodic === false ? [{ name: pip.enable, value: 'false' }] : [{ name: pip.interval, value: String(periodic) }, { name: pip.enable, value: 'true' }];
  for (const cpe of fleet.cpes) cpe.params.setValues(entries, 'acs');
}

/** Prints the transcript of the CPEs active since `mark` to stderr (nothing when none was active). */
export function printFailureTranscript(fleet: Fleet, mark?: SessionMark, since?: number): void {
  const text = [failureTranscript(fleet, mark), uspFailureTranscript(fleet, since)].filter(Boolean).join('\n');
  // console.error, not process.stderr: the runners attribute console output to the test.
  if (text) console.error(text);
}

/** A failed test as a runner reports it: its name and its raw errors (which the note is added to). */
export interface FailedTestInfo {
  name: string;
  errors?: unknown[];
}

/**
 * What the fixtures do when a test fails, per `transcriptOnFailure`: `true` prints the
 * text transcript; `'html'` writes the session timeline as a self-contained HTML file
 * and adds its path to the test's failure message (printed, when the runner gave no
 * error to add it to). A timeline that cannot be written falls back to the text.
 */
export function reportFailure(fleet: Fleet, mark: SessionMark | undefined, mode: true | 'html', test: FailedTestInfo, dir?: string, since?: number): void {
  if (mode === 'html') {
    try {
      const file = writeFailureTimeline(fleet, mark, { name: test.name, errors: errorMessages(test.errors) }, dir);
      if (file === undefined) return;
      const note = `cpe-sim: session timeline of the CPEs involved: ${file}`;
      if (!appendToFailure(test.errors, note)) console.error(note);
      return;
    } catch (err) {
      console.error(`cpe-sim: could not write the HTML timeline (${(err as Error).message}); the text transcript follows`);
    }
  }
  printFailureTranscript(fleet, mark, since);
}
