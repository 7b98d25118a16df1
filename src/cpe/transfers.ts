/**
 * The CPE's side of its transfer queue: which firmware rules apply, what an Upload
 * sends, and where outcomes go. The fetching, uploading and image checks live in
 * `transfer/`; this file only answers its questions from the CPE's profile and tree.
 * @module
 */
import { CPE_FAULT_STRINGS, CwmpFault } from '../errors/index.js';
import type { ParameterTree } from '../datamodel/index.js';
import type { FirmwareConfig, Profile } from '../profile/index.js';
import { formatConfigFile, type FirmwarePlan, type TransferHost, type TransferOutcome } from '../transfer/index.js';

/** `transfer.firmware` of the profile (ref §7.2 and cpe-sim's rules), or undefined. */
export function firmwareConfigOf(profile: Profile): FirmwareConfig | undefined {
  return profile.transfer.firmware;
}

/**
 * Upgrades attempted per profile object, i.e. per fleet (every CPE of a fleet shares
 * its compiled profile): the basis of `failUpgrades`.
 */
const upgradesByProfile = new WeakMap<Profile, number>();

/** What the host view needs from its CPE (closures over its private state). */
export interface TransferPort {
  readonly profile: Profile;
  readonly params: ParameterTree;
  now(): number;
  sleep(ms: number): Promise<void>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly ca: string | Buffer | undefined;
  /** The CPE's recent sessions as text (the "2 Vendor Log File"). */
  sessionLog(): string;
  complete(o: TransferOutcome): void;
  applyFirmware(version: string, o: TransferOutcome): Promise<void>;
}

/** TR-069 A.4.1.5 FileTypes an Upload accepts: `1`/`3` configuration, `2`/`4` log (3 and 4 may carry an instance number). */
const CONFIG_FILE = /^(1 Vendor Configuration File|3 Vendor Configuration File( \d+)?)$/;
const LOG_FILE = /^(2 Vendor Log File|4 Vendor Log File( \d+)?)$/;

/** The CPE's configuration as text: one `Name<TAB>type<TAB>value` line per parameter, in tree order. */
export function configurationText(params: ParameterTree): string {
  return formatConfigFile(params.getValues([`${params.root}.`]));
}

/** Implements {@link TransferHost} over a {@link TransferPort}. */
export class TransferHostView implements TransferHost {
  constructor(private readonly port: TransferPort) {}

  now(): number {
    return this.port.now();
  }
  sleep(ms: number): Promise<void> {
    return this.port.sleep(ms);
  }
  get defaultDelayMs(): number {
    return this.port.profile.transfer.defaultDelayMs;
  }
  get timeoutMs(): number {
    return this.port.timeoutMs;
  }
  get signal(): AbortSignal {
    return this.port.signal;
  }
  get ca(): string | Buffer | undefined {
    return this.port.ca;
  }

  injectedFault(fileType: string): { code: number; string: string } | undefined {
    // Own keys only: an ACS's FileType "constructor" must not find Object.prototype's.
    const faults = this.port.profile.transfer.faults;
    const f = Object.hasOwn(faults, fileType) ? faults[fileType] : undefined;
    // ref §7.1/7.2: an entry with code 0 does not block the real transfer.
    return f !== undefined && f.code !== 0 ? { code: f.code, string: f.string } : undefined;
  }

  uploadBody(fileType: string): Buffer {
    if (CONFIG_FILE.test(fileType)) return Buffer.from(configurationText(this.port.params), 'utf8');
    if (LOG_FILE.test(fileType)) return Buffer.from(`${this.port.sessionLog()}\n`, 'utf8');
    throw new CwmpFault(9011, `${CPE_FAULT_STRINGS[9011]} (FileType ${JSON.stringify(fileType)} is not one this CPE can upload: 1 Vendor Configuration File, 2 Vendor Log File)`);
  }

  firmware(): FirmwarePlan | undefined {
    const fw = firmwareConfigOf(this.port.profile);
    if (fw === undefined) return undefined;
    const profile = this.port.profile;
    const fail = fw.failUpgrades;
    return {
      fetch: fw.fetch,
      ...(fw.rejectDowngrade !== undefined ? { rejectDowngrade: fw.rejectDowngrade } : {}),
      ...(fw.requireChecksum !== undefined ? { requireChecksum: fw.requireChecksum } : {}),
      veto: () => {
        const n = (upgradesByProfile.get(profile) ?? 0) + 1;
        upgradesByProfile.set(profile, n);
        return fail?.includes(n) ? `upgrade #${n} of the fleet fails by profile rule transfer.firmware.failUpgrades` : undefined;
      },
    };
  }

  currentVersion(): string | undefined {
    const fw = firmwareConfigOf(this.port.profile);
    return fw === undefined ? undefined : this.port.params.getValue(fw.versionPath);
  }

  complete(o: TransferOutcome): void {
    this.port.complete(o);
  }

  applyFirmware(version: string, o: TransferOutcome): Promise<void> {
    return this.port.applyFirmware(version, o);
  }
}
