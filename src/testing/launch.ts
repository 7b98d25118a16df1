/**
 * Starting a test fleet from fixture options: one code path for the Vitest
 * fixtures, `createCpeFleet` and Jest's `useCpeFleet`.
 * @module
 */
import { ConfigError } from '../errors/index.js';
import { startFleet } from '../fleet/index.js';
import type { Fleet } from '../fleet/index.js';
import { failureTranscript, type SessionMark } from './transcript.js';
import { toFleetOptions, type CpeFleetOptions } from './options.js';

/** Starts a fleet for a test; the caller owns `close()`. */
export async function launchFleet(options: CpeFleetOptions, where?: string): Promise<Fleet> {
  const fleet = await startFleet(await toFleetOptions(options, where));
  if (options.periodic !== undefined) {
    try {
      applyPeriodic(fleet, options.periodic);
    } catch (err) {
      await fleet.close();
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
  for (const cpe of fleet.cpes) {
    if (periodic === false) {
      cpe.params.setInternal(pip.enable, 'false');
    } else {
      cpe.params.setInternal(pip.interval, String(periodic));
      cpe.params.setInternal(pip.enable, 'true');
    }
  }
}

/** Prints the transcript of the CPEs active since `mark` to stderr (nothing when none was active). */
export function printFailureTranscript(fleet: Fleet, mark?: SessionMark): void {
  const text = failureTranscript(fleet, mark);
  // console.error, not process.stderr: the runners attribute console output to the test.
  if (text) console.error(text);
}
