/**
 * `Device.DeviceInfo.FirmwareImage.{i}.Download()` / `Activate()` (TR-181 2.19,
 * usp-notes §7.5) over the real HTTP(S) downloads of `transfer/`: Status
 * Downloading → Validating → Available (or DownloadFailed / ValidationFailed),
 * CheckSum with CheckSumAlgorithm, `Device.LocalAgent.TransferComplete!`, and
 * activation by a reboot into the image (Request row closed and OperationComplete
 * sent first, then Boot! with FirmwareUpdated true), at once or in the first
 * `TimeWindow.{i}` that allows it. An image that does not boot leaves the device on
 * the image it ran before, the failed row `ActivationFailed` with its `BootFailureLog`.
 * `BootFirmwareImage` naming another bank with an image is booted by every reboot (a
 * USP Reboot(), a CWMP Reboot RPC, a power cycle), as TR-181 defines it.
 * @module
 */
import { createHash } from 'node:crypto';
import type { ScheduledJob } from '../../clock/index.js';
import { isCwmpFault } from '../../errors/index.js';
import type { LeafDef, Profile, TableDef } from '../../profile/index.js';
import { checkTransferUrl, downloadFile, ImageInspector, TransferAbortedError, versionFromUrl } from '../../transfer/index.js';
import { setIfPresent } from '../controllers.js';
import { dateTime } from '../subscriptions.js';
import type { UspBootCause, UspBootCauseName, UspLifecycleEvent } from '../device.js';
import type { UspMap } from '../types.js';
import { boolInput, CommandFailure, type CommandDef, type CommandRun, type OperationsHost } from './index.js';

/** The FirmwareImage table (TR-181 2.19). */
export const FIRMWARE_IMAGE_TABLE = 'Device.DeviceInfo.FirmwareImage.';
const ACTIVE_IMAGE = 'Device.DeviceInfo.ActiveFirmwareImage';
const BOOT_IMAGE = 'Device.DeviceInfo.BootFirmwareImage';

/** CheckSumAlgorithm values → node:crypto names. */
export const CHECKSUM_ALGORITHMS: Readonly<Record<string, string>> = { 'SHA-1': 'sha1', 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** Idle timeout of a fetch (real ms) when the device does not say: the CWMP transfers' default. */
export const FIRMWARE_FETCH_TIMEOUT_MS = 30_000;

/** The device's transfer settings (the ones its CWMP Download uses), read at each fetch. */
export function transferSettingsOf(device: OperationsHost['device']): { timeoutMs: number; ca?: string | Buffer } {
  const t = device.transferSettings?.();
  return { timeoutMs: t?.timeoutMs ?? FIRMWARE_FETCH_TIMEOUT_MS, ...(t?.ca !== undefined ? { ca: t.ca } : {}) };
}

// ---- Activate() TimeWindow.{i} (TR-181 2.19 DeviceInfo.FirmwareImage.{i}.Activate()) ----

/** `TimeWindow.{i}.Mode` values. */
export const TIME_WINDOW_MODES = ['AnyTime', 'Immediately', 'WhenIdle', 'ConfirmationNeeded'] as const;
/** One of {@link TIME_WINDOW_MODES}. */
export type TimeWindowMode = (typeof TIME_WINDOW_MODES)[number];
/** TR-181: Activate() takes 1 to 5 TimeWindow instances. */
export const MAX_TIME_WINDOWS = 5;
/** `WhenIdle`: simulated ms between two looks at the device inside the window. */
export const IDLE_CHECK_MS = 60_000;

/** One parsed `TimeWindow.{i}` input. */
export interface TimeWindow {
  /** Its instance number in the input arguments. */
  instance: number;
  /** Seconds after the command was received. */
  startS: number;
  endS: number;
  mode: TimeWindowMode;
  userMessage: string;
  /** -1 (no limit) .. 10. */
  maxRetries: number;
}

const UNSIGNED_INT_MAX = 4_294_967_295;

/**
 * Parses Activate()'s `TimeWindow.{i}.Start/End/Mode/UserMessage/MaxRetries` inputs
 * (flattened object arguments, usp-notes §4.8), sorted by Start. Other argument names
 * are ignored (R-OPR.6).
 * @throws CommandFailure 7027 (invalid command arguments) for a window that lacks
 * Start, End or Mode, a Start/End that is no unsignedInt, End before Start, an unknown
 * Mode, MaxRetries outside -1..10, more than five windows, or windows that overlap.
 */
export function parseTimeWindows(inputs: UspMap): TimeWindow[] {
  const byInstance = new Map<number, Record<string, string>>();
  for (const [k, v] of Object.entries(inputs)) {
    const m = /^TimeWindow\.(\d+)\.([A-Za-z]+)$/.exec(k);
    if (!m) continue;
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n) || n < 1) throw new CommandFailure(7027, `input argument ${k}: TimeWindow instance numbers start at 1`);
    const row = byInstance.get(n) ?? {};
    row[m[2]!] = v;
    byInstance.set(n, row);
  }
  if (byInstance.size > MAX_TIME_WINDOWS) throw new CommandFailure(7027, `Activate() takes at most ${MAX_TIME_WINDOWS} TimeWindow instances, got ${byInstance.size}`);
  const windows: TimeWindow[] = [];
  for (const [instance, row] of byInstance) {
    const where = `TimeWindow.${instance}`;
    const seconds = (name: 'Start' | 'End'): number => {
      const v = row[name];
      if (v === undefined) throw new CommandFailure(7027, `input argument ${where}.${name} is missing (Start, End and Mode make a window)`);
      const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
      if (!(n >= 0 && n <= UNSIGNED_INT_MAX)) throw new CommandFailure(7027, `input argument ${where}.${name} must be a whole number of seconds from now (unsignedInt), got ${JSON.stringify(v)}`);
      return n;
    };
    const startS = seconds('Start');
    const endS = seconds('End');
    if (endS < startS) throw new CommandFailure(7027, `input argument ${where}.End (${endS}) is before ${where}.Start (${startS})`);
    const mode = row.Mode;
    if (mode === undefined) throw new CommandFailure(7027, `input argument ${where}.Mode is missing (Start, End and Mode make a window)`);
    if (!(TIME_WINDOW_MODES as readonly string[]).includes(mode)) throw new CommandFailure(7027, `input argument ${where}.Mode must be one of ${TIME_WINDOW_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
    const retries = row.MaxRetries ?? '0';
    const maxRetries = /^-?\d+$/.test(retries.trim()) ? Number(retries.trim()) : NaN;
    if (!(maxRetries >= -1 && maxRetries <= 10)) throw new CommandFailure(7027, `input argument ${where}.MaxRetries must be a whole number from -1 to 10, got ${JSON.stringify(retries)}`);
    windows.push({ instance, startS, endS, mode: mode as TimeWindowMode, userMessage: row.UserMessage ?? '', maxRetries });
  }
  windows.sort((a, b) => a.startS - b.startS);
  for (let i = 1; i < windows.length; i++) {
    const a = windows[i - 1]!;
    const b = windows[i]!;
    // TR-181: the windows must not overlap (touching ends are not an overlap).
    if (b.startS < a.endS) throw new CommandFailure(7027, `TimeWindow.${a.instance} (${a.startS}-${a.endS} s) and TimeWindow.${b.instance} (${b.startS}-${b.endS} s) overlap`);
  }
  return windows;
}

// ---- the FirmwareImage objects, for profiles that have firmware but not the table ----

const leafOf = (path: string, type: LeafDef['type'], value: string, writable: boolean): LeafDef => ({ path, type, value, writable });

/**
 * `profile` with the TR-181 firmware-bank objects a USP Controller manages firmware
 * through, when the profile simulates firmware (`transfer.firmware`) and lacks them:
 * `Device.DeviceInfo.FirmwareImage.{i}.` (two banks: Alias, Name, Version, Available,
 * Status, BootFailureLog), `ActiveFirmwareImage`, `BootFirmwareImage` and
 * `FirmwareImageNumberOfEntries`. Bank 1 is filled in with the running version when
 * the agent starts. A profile that declares any of them keeps its own.
 */
export function withFirmwareImages(profile: Profile): Profile {
  if (profile.transfer.firmware === undefined || !profile.roots.includes('Device')) return profile;
  const has = (path: string): boolean => profile.parameters.some((p) => p.path === path || p.path.startsWith(path)) || profile.objects.some((o) => o.path.startsWith(path) || path.startsWith(o.path));
  if (has(FIRMWARE_IMAGE_TABLE)) return profile;
  const table: TableDef = {
    path: FIRMWARE_IMAGE_TABLE,
    instances: 2,
    uniqueKeys: ['Alias'],
    parameters: [
      leafOf('Alias', 'xsd:string', 'cpe-{i}', true),
      leafOf('Name', 'xsd:string', '', false),
      leafOf('Version', 'xsd:string', '', false),
      leafOf('Available', 'xsd:boolean', 'false', true),
      leafOf('Status', 'xsd:string', 'NoImage', false),
      leafOf('BootFailureLog', 'xsd:string', '', false),
    ],
  };
  const leaves = [
    leafOf(ACTIVE_IMAGE, 'xsd:string', `${FIRMWARE_IMAGE_TABLE}1`, false),
    leafOf(BOOT_IMAGE, 'xsd:string', `${FIRMWARE_IMAGE_TABLE}1`, true),
    leafOf('Device.DeviceInfo.FirmwareImageNumberOfEntries', 'xsd:unsignedInt', '2', false),
  ].filter((l) => !has(l.path));
  return { ...profile, parameters: [...profile.parameters, ...leaves], objects: [...profile.objects, table] };
}

/** The Boot! cause of an activation a Controller asked for. */
const remoteBoot = (r: CommandRun): { cause: UspBootCauseName; commandKey: string; reason: string } => ({ cause: 'RemoteReboot', commandKey: r.commandKey, reason: 'Unknown' });

const rowOf = (objPath: string): string => objPath.slice(0, -1);

/**
 * One agent's firmware banks: Download() and Activate() when the tree has the
 * FirmwareImage table, and the lifecycle listener that keeps the running bank true and
 * boots BootFirmwareImage (removed by {@link close}).
 *
 * A class, not a closure per helper (issue 21): every agent of a fleet has one, and its
 * commands are made only when a Controller first asks for the command set, so an agent
 * costs one object and one listener until then.
 */
export class FirmwareBanks {
  private readonly tree: OperationsHost['tree'];
  private readonly device: OperationsHost['device'];
  private readonly hasTable: boolean;
  /** Images whose activation is under way, so a second Activate() of one does not reboot twice. */
  private activating: Set<string> | undefined;
  /**
   * Images that downloaded and validated but will not boot (their payload does not
   * match their own sha256 header and the profile does not make the device check it),
   * with why: activating one rolls back (TR-181 BootFailureLog).
   */
  private unbootable: Map<string, string> | undefined;
  /** Banks a Download() is writing into. */
  private downloading: Set<string> | undefined;
  /** A failed activation waiting for the device to come back on its old image. */
  private rollback: { objPath: string; reason: string; previous: string } | undefined;
  private readonly off: () => void;

  constructor(private readonly host: OperationsHost) {
    this.tree = host.tree;
    this.device = host.device;
    this.hasTable = host.tree.has(FIRMWARE_IMAGE_TABLE);
    this.syncRunning();
    // Without the table there is no bank to keep true nor to boot: no listener.
    this.off = this.hasTable ? host.device.onLifecycle((e) => this.onLifecycle(e)) : noop;
  }

  /** Removes the lifecycle listener (the agent is closing). */
  close(): void {
    this.off();
  }

  /** Download() and Activate(); none without the FirmwareImage table. */
  commands(): CommandDef[] {
    if (!this.hasTable) return [];
    return [
      {
        path: `${FIRMWARE_IMAGE_TABLE}{i}.Download()`,
        async: true,
        input: ['URL', 'AutoActivate', 'Username', 'Password', 'FileSize', 'CheckSumAlgorithm', 'CheckSum'],
        output: [],
        mandatory: ['URL', 'AutoActivate'],
        check: (_inputs, objPath) => this.refuseBusy(objPath),
        run: (r) => this.download(r),
        afterComplete: (r) => {
          if (boolInput(r.inputs, 'AutoActivate', false)) this.activate(r.objPath, remoteBoot(r));
        },
      },
      {
        path: `${FIRMWARE_IMAGE_TABLE}{i}.Activate()`,
        async: true,
        input: ['TimeWindow.{i}.Start', 'TimeWindow.{i}.End', 'TimeWindow.{i}.Mode', 'TimeWindow.{i}.UserMessage', 'TimeWindow.{i}.MaxRetries'],
        output: [],
        mandatory: [],
        // Bad windows are refused in the OperateResp, before any Request row (7027).
        check: (inputs, objPath) => {
          this.refuseBusy(objPath);
          parseTimeWindows(inputs);
        },
        run: async (r) => {
          this.checkImage(r.objPath);
          const windows = parseTimeWindows(r.inputs);
          if (windows.length > 0) {
            await this.awaitWindow(r, windows);
            // A Download() into the row while waiting may have replaced the image.
            this.checkImage(r.objPath);
          }
          return {};
        },
        afterComplete: (r) => this.activate(r.objPath, remoteBoot(r)),
      },
    ];
  }

  /**
   * Reboot(): TR-181 `DeviceInfo.BootFirmwareImage` ("the image to boot next") names
   * another bank that holds an image: the reboot boots it (usp-notes §7.5, the
   * alternative to Activate()). False when it names the running bank or nothing bootable.
   */
  rebootInto(boot: UspBootCause): boolean {
    const objPath = this.bootTarget();
    if (objPath === undefined) return false;
    this.activate(objPath, { cause: boot.cause, commandKey: boot.commandKey, reason: boot.reason }, boot.commandKey);
    return true;
  }

  private set(path: string, v: string): void {
    setIfPresent(this.tree, path, v);
  }

  private onLifecycle(e: UspLifecycleEvent): void {
    if (e.kind === 'down') {
      // TR-181 BootFirmwareImage is the image every boot loads, not only a USP Reboot()'s:
      // a CWMP Reboot RPC, a power cycle or a reboot the box does itself boots it too.
      if (e.why === 'reboot' || e.why === 'power') this.bootIntoWhileDark();
      return;
    }
    if (e.why === 'link') return;
    const r = this.rollback;
    this.rollback = undefined;
    if (r !== undefined) {
      // TR-181 FirmwareImage: the image failed to boot; the device runs the previous one again.
      this.set(`${r.objPath}Status`, 'ActivationFailed');
      this.set(`${r.objPath}BootFailureLog`, `${dateTime(this.host.scheduler.clock.now())} boot of ${rowOf(r.objPath)} (version ${this.tree.getValue(`${r.objPath}Version`) ?? ''}) failed: ${r.reason}; rolled back to ${r.previous}`);
      this.set(BOOT_IMAGE, r.previous);
      this.activating?.delete(r.objPath);
    }
    this.syncRunning();
  }

  /** R-OPR.3 lets an Agent refuse a repeat with 7005: one image at a time goes into a bank. */
  private refuseBusy(objPath: string): void {
    if (this.downloading?.has(objPath)) throw new CommandFailure(7005, `${rowOf(objPath)} is receiving an image (a Download() is running); try again when it has completed`);
  }

  /** Rows of the table, with their leaves' paths. */
  private rows(): string[] {
    const { tree } = this;
    return tree.has(FIRMWARE_IMAGE_TABLE) ? tree.getNames(FIRMWARE_IMAGE_TABLE, true).map((r) => r.name) : [];
  }

  /**
   * The running image is the device's version (a CWMP Download may have changed it, a
   * factory reset emptied the table): the Active row says so; without one, bank 1.
   */
  private syncRunning(): void {
    const { tree } = this;
    const version = this.device.firmwareVersion();
    if (!this.hasTable || version === undefined || version === '') return;
    const all = this.rows();
    const active = all.find((r) => tree.getValue(`${r}Status`) === 'Active') ?? all[0];
    if (active === undefined) return;
    if (tree.getValue(`${active}Version`) !== version) this.set(`${active}Version`, version);
    if ((tree.getValue(`${active}Name`) ?? '') === '') this.set(`${active}Name`, version);
    if (tree.getValue(`${active}Status`) !== 'Active') {
      this.set(`${active}Status`, 'Active');
      this.set(`${active}Available`, 'true');
    }
    if (tree.has(ACTIVE_IMAGE) && tree.getValue(ACTIVE_IMAGE) !== rowOf(active)) this.set(ACTIVE_IMAGE, rowOf(active));
  }

  private async download(r: CommandRun): Promise<UspMap> {
    const url = r.inputs.URL ?? '';
    boolInput(r.inputs, 'AutoActivate', false); // checked before any network
    const algorithm = r.inputs.CheckSumAlgorithm ?? '';
    const checksum = (r.inputs.CheckSum ?? '').trim().toLowerCase();
    // cpe-labs: a CheckSum without an algorithm is SHA-256.
    const hashName = algorithm === '' ? 'sha256' : CHECKSUM_ALGORITHMS[algorithm];
    if (hashName === undefined) throw new CommandFailure(7027, `input argument CheckSumAlgorithm must be one of ${Object.keys(CHECKSUM_ALGORITHMS).join(', ')}, got ${JSON.stringify(algorithm)}`);
    try {
      checkTransferUrl(url);
    } catch (err) {
      throw new CommandFailure(7027, `input argument URL: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.refuseBusy(r.objPath);
    const downloading = (this.downloading ??= new Set());
    downloading.add(r.objPath);
    try {
      return await this.fetchInto(r, url, hashName, checksum, algorithm);
    } finally {
      downloading.delete(r.objPath);
    }
  }
  private async fetchInto(r: CommandRun, url: string, hashName: string, checksum: string, algorithm: string): Promise<UspMap> {
    const { host, device } = this;
    const startTime = host.scheduler.clock.now();
    this.unbootable?.delete(r.objPath);
    this.set(`${r.objPath}Status`, 'Downloading');
    this.set(`${r.objPath}BootFailureLog`, '');
    const inspector = new ImageInspector();
    const hash = checksum === '' ? undefined : createHash(hashName);
    const requireChecksum = host.template.profile.transfer.firmware?.requireChecksum === true;
    let fault: { code: number; text: string; status: string } | undefined;
    let version: string | undefined;
    try {
      await downloadFile({
        url,
        username: r.inputs.Username ?? '',
        password: r.inputs.Password ?? '',
        // One box, one HTTP client configuration: the CWMP Download's timeout and CA.
        ...transferSettingsOf(device),
        signal: r.signal,
        onChunk: (c) => {
          inspector.write(c);
          hash?.update(c);
        },
      });
      this.set(`${r.objPath}Status`, 'Validating');
      const seen = inspector.finish();
      // Profile reference §7.2: an image names its version in its header; only a profile
      // whose CWMP side takes versions from file names (`fetch: false`) falls back to the URL.
      const fromUrl = host.template.profile.transfer.firmware?.fetch === false;
      version = seen.version ?? (fromUrl ? versionFromUrl(url) : undefined);
      const digest = hash?.digest('hex');
      const selfMismatch = seen.declaredSha256 !== undefined && seen.sha256 !== seen.declaredSha256;
      if (digest !== undefined && digest !== checksum) fault = { code: 7022, text: `the image's ${algorithm || 'SHA-256'} is ${digest}, not the CheckSum ${checksum}`, status: 'ValidationFailed' };
      else if (requireChecksum && seen.declaredSha256 === undefined) fault = { code: 7022, text: 'the image carries no cpe-labs-firmware-sha256 header and the profile requires one (transfer.firmware.requireChecksum)', status: 'ValidationFailed' };
      else if (requireChecksum && selfMismatch) fault = { code: 7022, text: `the image's payload SHA-256 is ${seen.sha256 ?? '(no payload)'}, its header says ${seen.declaredSha256}`, status: 'ValidationFailed' };
      else if (version === undefined) fault = { code: 7022, text: fromUrl ? `no version in the image header nor in the URL ${url}` : 'not a firmware image: no "cpe-labs-firmware-version:" line in its first 64 KiB', status: 'ValidationFailed' };
      // As on the CWMP side, a device that does not check the image's own checksum
      // (no requireChecksum) stores it; it is found out when it fails to boot.
      else if (selfMismatch) (this.unbootable ??= new Map()).set(r.objPath, `the payload's SHA-256 ${seen.sha256 ?? '(no payload)'} does not match the image header's ${seen.declaredSha256}`);
    } catch (err) {
      if (err instanceof TransferAbortedError || r.signal.aborted) throw err;
      const detail = isCwmpFault(err) ? err.message : err instanceof Error ? err.message : String(err);
      fault = { code: 7022, text: `download of ${url} failed: ${detail}`, status: 'DownloadFailed' };
    }
    if (fault === undefined) {
      this.set(`${r.objPath}Name`, url.slice(url.lastIndexOf('/') + 1).split('?')[0] ?? '');
      this.set(`${r.objPath}Version`, version ?? '');
      this.set(`${r.objPath}Available`, 'true');
    }
    this.set(`${r.objPath}Status`, fault?.status ?? 'Available');
    host.notifications.event('Device.LocalAgent.', 'TransferComplete!', {
      Command: `${r.objPath}Download()`,
      CommandKey: r.commandKey,
      Requestor: r.controllerId,
      TransferType: 'Download',
      Affected: rowOf(r.objPath),
      TransferURL: url,
      StartTime: dateTime(startTime),
      CompleteTime: dateTime(host.scheduler.clock.now()),
      FaultCode: String(fault === undefined ? 0 : fault.code),
      FaultString: fault?.text ?? '',
    });
    if (fault) throw new CommandFailure(fault.code, fault.text);
    return {};
  }

  /** The row can be booted now: it holds a downloaded image with a version. */
  private checkImage(objPath: string): void {
    const { tree } = this;
    const status = tree.getValue(`${objPath}Status`) ?? '';
    if (status !== 'Available' && status !== 'Active') throw new CommandFailure(7022, `${rowOf(objPath)} holds no valid image (Status ${status || 'NoImage'}); Download() one first`);
    if ((tree.getValue(`${objPath}Version`) ?? '') === '') throw new CommandFailure(7022, `${objPath}Version is empty`);
  }

  /**
   * Waits for the first TimeWindow that lets the activation happen (TR-181 Activate()):
   * Immediately and AnyTime at the window's start; WhenIdle at the first look inside the
   * window that finds the device idle (every {@link IDLE_CHECK_MS}); ConfirmationNeeded
   * never, since nobody sits at a simulated device to confirm `UserMessage`.
   * @throws CommandFailure 7022 when every window passed without one.
   */
  private async awaitWindow(r: CommandRun, windows: readonly TimeWindow[]): Promise<void> {
    const { host, device } = this;
    const t0 = host.scheduler.clock.now();
    const jobs = new Set<ScheduledJob>();
    const at = (ms: number): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        if (r.signal.aborted) return reject(r.signal.reason as Error);
        const onAbort = (): void => {
          job.cancel();
          jobs.delete(job);
          reject(r.signal.reason as Error);
        };
        const job = host.scheduler.after(Math.max(0, t0 + ms - host.scheduler.clock.now()), () => {
          jobs.delete(job);
          r.signal.removeEventListener('abort', onAbort);
          resolve();
        });
        jobs.add(job);
        r.signal.addEventListener('abort', onAbort, { once: true });
      });
    const passed: string[] = [];
    for (const w of windows) {
      await at(w.startS * 1000);
      if (w.mode === 'Immediately' || w.mode === 'AnyTime') return;
      if (w.mode === 'WhenIdle') {
        for (let t = w.startS * 1000; ; t += IDLE_CHECK_MS) {
          if (t > w.startS * 1000) await at(t);
          if (device.idle?.() ?? true) return;
          if (t + IDLE_CHECK_MS > w.endS * 1000) break;
        }
        passed.push(`TimeWindow.${w.instance} (WhenIdle): the device was never idle in it`);
      } else {
        host.logger.info('firmware activation needs a user confirmation nobody can give on a simulated device', { image: rowOf(r.objPath), window: w.instance, user_message: w.userMessage });
        await at(w.endS * 1000);
        passed.push(`TimeWindow.${w.instance} (ConfirmationNeeded): no user confirmed`);
      }
    }
    throw new CommandFailure(7022, `${rowOf(r.objPath)} was not activated: ${passed.join('; ')}`);
  }

  /**
   * Reboots into `objPath`'s image (after OperationComplete, or as a Reboot() when
   * BootFirmwareImage names it: `rebootKey` is then the CWMP `M Reboot` key); an
   * unbootable image rolls back.
   */
  private activate(objPath: string, boot: { cause: UspBootCauseName; commandKey: string; reason: string }, rebootKey?: string): void {
    const { tree, device } = this;
    if (this.activating?.has(objPath)) return;
    (this.activating ??= new Set()).add(objPath);
    const version = tree.getValue(`${objPath}Version`) ?? '';
    const cwmp = rebootKey === undefined ? undefined : { rebootCommandKey: rebootKey };
    const broken = this.unbootable?.get(objPath);
    const previousRow = this.rows().find((row) => tree.getValue(`${row}Status`) === 'Active');
    if (broken !== undefined && previousRow !== undefined && previousRow !== objPath) {
      // The device tries the image and falls back to the one it ran (usp-notes §7.5):
      // same version after the boot, so Boot! says FirmwareUpdated false.
      this.rollback = { objPath, reason: broken, previous: rowOf(previousRow) };
      this.set(BOOT_IMAGE, rowOf(objPath));
      device.activateFirmware(device.firmwareVersion() ?? tree.getValue(`${previousRow}Version`) ?? '', { ...boot, firmwareUpdated: false }, cwmp);
      return;
    }
    for (const row of this.rows()) if (tree.getValue(`${row}Status`) === 'Active') this.set(`${row}Status`, 'Available');
    this.set(`${objPath}Status`, 'Active');
    this.set(ACTIVE_IMAGE, rowOf(objPath));
    this.set(BOOT_IMAGE, rowOf(objPath));
    const offUp = device.onLifecycle((e) => {
      if (e.kind === 'up') {
        this.activating?.delete(objPath);
        offUp();
      }
    });
    device.activateFirmware(version, { ...boot, firmwareUpdated: true }, cwmp);
  }

  /**
   * The row BootFirmwareImage names when the next boot loads it instead of the running
   * image: another row of the table whose image is `Available` (TR-181 FirmwareImage.{i}.Status;
   * `Available` not false, a Version). Undefined otherwise: the device boots what it runs.
   */
  private bootTarget(): string | undefined {
    const { tree } = this;
    if (!this.hasTable || !tree.has(BOOT_IMAGE)) return undefined;
    const target = tree.getValue(BOOT_IMAGE) ?? '';
    const objPath = `${target.replace(/\.$/, '')}.`;
    if (target === '' || rowOf(objPath) === tree.getValue(ACTIVE_IMAGE) || !this.rows().includes(objPath)) return undefined;
    if (tree.getValue(`${objPath}Status`) !== 'Available' || tree.getValue(`${objPath}Available`) === 'false' || (tree.getValue(`${objPath}Version`) ?? '') === '') return undefined;
    return objPath;
  }

  /**
   * A reboot nobody routed through {@link activate} (a CWMP Reboot RPC, a power cycle, a
   * reboot of the box's own) has just taken the device down: when BootFirmwareImage names
   * another bootable bank, the banks switch and the firmware version leaf takes that
   * image's version while the device is dark, so the boot Inform's SoftwareVersion and
   * the Boot! (FirmwareUpdated true) report it. An image known not to boot rolls back on
   * the way up, as an activation of it would.
   */
  private bootIntoWhileDark(): void {
    const { host, tree } = this;
    // An activation or a rollback under way already decided what this boot loads.
    if ((this.activating?.size ?? 0) > 0 || this.rollback !== undefined) return;
    const objPath = this.bootTarget();
    if (objPath === undefined) return;
    const previousRow = this.rows().find((row) => tree.getValue(`${row}Status`) === 'Active');
    const broken = this.unbootable?.get(objPath);
    if (broken !== undefined && previousRow !== undefined) {
      this.rollback = { objPath, reason: broken, previous: rowOf(previousRow) };
      return;
    }
    for (const row of this.rows()) if (tree.getValue(`${row}Status`) === 'Active') this.set(`${row}Status`, 'Available');
    this.set(`${objPath}Status`, 'Active');
    this.set(ACTIVE_IMAGE, rowOf(objPath));
    const fw = host.template.profile.transfer.firmware;
    this.set(fw?.versionPath ?? `${tree.root}.DeviceInfo.SoftwareVersion`, tree.getValue(`${objPath}Version`) ?? '');
  }

}

const noop = (): void => {};
