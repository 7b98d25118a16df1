/**
 * `Device.DeviceInfo.FirmwareImage.{i}.Download()` / `Activate()` (TR-181 2.19,
 * usp-notes §7.5) over the real HTTP(S) downloads of `transfer/`: Status
 * Downloading → Validating → Available (or DownloadFailed / ValidationFailed),
 * CheckSum with CheckSumAlgorithm, `Device.LocalAgent.TransferComplete!`, and
 * activation by a reboot into the image (Request row closed and OperationComplete
 * sent first, then Boot! with FirmwareUpdated true).
 * @module
 */
import { createHash } from 'node:crypto';
import { isCwmpFault } from '../../errors/index.js';
import { checkTransferUrl, downloadFile, ImageInspector, TransferAbortedError, versionFromUrl } from '../../transfer/index.js';
import { setIfPresent } from '../controllers.js';
import { dateTime } from '../subscriptions.js';
import type { UspMap } from '../types.js';
import { boolInput, CommandFailure, type CommandDef, type CommandRun, type OperationsHost } from './index.js';

/** The FirmwareImage table (TR-181 2.19). */
export const FIRMWARE_IMAGE_TABLE = 'Device.DeviceInfo.FirmwareImage.';

/** CheckSumAlgorithm values → node:crypto names. */
export const CHECKSUM_ALGORITHMS: Readonly<Record<string, string>> = { 'SHA-1': 'sha1', 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** Idle timeout of a firmware fetch (real ms), as the CWMP transfers use by default. */
export const FIRMWARE_FETCH_TIMEOUT_MS = 30_000;

/** Download() and Activate(), when the tree has the FirmwareImage table. */
export function firmwareCommands(host: OperationsHost): CommandDef[] {
  const { tree } = host;
  const set = (path: string, v: string): void => setIfPresent(tree, path, v);
  /** Images whose activation is under way, so a second Activate() of one does not reboot twice. */
  const activating = new Set<string>();

  async function download(r: CommandRun): Promise<UspMap> {
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
    const startTime = host.scheduler.clock.now();
    set(`${r.objPath}Status`, 'Downloading');
    const inspector = new ImageInspector();
    const hash = checksum === '' ? undefined : createHash(hashName);
    let fault: { code: number; text: string; status: string } | undefined;
    let version: string | undefined;
    try {
      await downloadFile({
        url,
        username: r.inputs.Username ?? '',
        password: r.inputs.Password ?? '',
        timeoutMs: FIRMWARE_FETCH_TIMEOUT_MS,
        signal: r.signal,
        onChunk: (c) => {
          inspector.write(c);
          hash?.update(c);
        },
      });
      set(`${r.objPath}Status`, 'Validating');
      const seen = inspector.finish();
      version = seen.version ?? versionFromUrl(url);
      const digest = hash?.digest('hex');
      if (digest !== undefined && digest !== checksum) fault = { code: 7022, text: `the image's ${algorithm || 'SHA-256'} is ${digest}, not the CheckSum ${checksum}`, status: 'ValidationFailed' };
      else if (seen.declaredSha256 !== undefined && seen.sha256 !== seen.declaredSha256) fault = { code: 7022, text: `the image's payload does not match its own sha256 header`, status: 'ValidationFailed' };
      else if (version === undefined) fault = { code: 7022, text: `no version in the image header nor in the URL ${url}`, status: 'ValidationFailed' };
    } catch (err) {
      if (err instanceof TransferAbortedError || r.signal.aborted) throw err;
      const detail = isCwmpFault(err) ? err.message : err instanceof Error ? err.message : String(err);
      fault = { code: 7022, text: `download of ${url} failed: ${detail}`, status: 'DownloadFailed' };
    }
    if (fault === undefined) {
      set(`${r.objPath}Name`, url.slice(url.lastIndexOf('/') + 1).split('?')[0] ?? '');
      set(`${r.objPath}Version`, version ?? '');
      set(`${r.objPath}Available`, 'true');
    }
    set(`${r.objPath}Status`, fault?.status ?? 'Available');
    host.notifications.event('Device.LocalAgent.', 'TransferComplete!', {
      Command: `${r.objPath}Download()`,
      CommandKey: r.commandKey,
      Requestor: r.controllerId,
      TransferType: 'Download',
      Affected: r.objPath.slice(0, -1),
      TransferURL: url,
      StartTime: dateTime(startTime),
      CompleteTime: dateTime(host.scheduler.clock.now()),
      FaultCode: String(fault === undefined ? 0 : fault.code),
      FaultString: fault?.text ?? '',
    });
    if (fault) throw new CommandFailure(fault.code, fault.text);
    return {};
  }

  /** Marks `objPath` the running image and reboots into it (after OperationComplete). */
  function activate(r: CommandRun): void {
    const version = tree.getValue(`${r.objPath}Version`) ?? '';
    if (activating.has(r.objPath)) return;
    activating.add(r.objPath);
    for (const row of tree.getNames(FIRMWARE_IMAGE_TABLE, true)) if (tree.getValue(`${row.name}Status`) === 'Active') set(`${row.name}Status`, 'Available');
    set(`${r.objPath}Status`, 'Active');
    set('Device.DeviceInfo.ActiveFirmwareImage', r.objPath.slice(0, -1));
    set('Device.DeviceInfo.BootFirmwareImage', r.objPath.slice(0, -1));
    const off = host.device.onLifecycle((e) => {
      if (e.kind === 'up') {
        activating.delete(r.objPath);
        off();
      }
    });
    host.device.activateFirmware(version, { cause: 'RemoteReboot', commandKey: r.commandKey, reason: 'Unknown', firmwareUpdated: true });
  }

  return [
    {
      path: `${FIRMWARE_IMAGE_TABLE}{i}.Download()`,
      async: true,
      input: ['URL', 'AutoActivate', 'Username', 'Password', 'FileSize', 'CheckSumAlgorithm', 'CheckSum'],
      output: [],
      mandatory: ['URL', 'AutoActivate'],
      run: download,
      afterComplete: (r) => {
        if (boolInput(r.inputs, 'AutoActivate', false)) activate(r);
      },
    },
    {
      path: `${FIRMWARE_IMAGE_TABLE}{i}.Activate()`,
      async: true,
      // Accepted and not simulated: activation is immediate (docs/decisions/021-usp.md).
      input: ['TimeWindow.{i}.Start', 'TimeWindow.{i}.End', 'TimeWindow.{i}.Mode', 'TimeWindow.{i}.UserMessage', 'TimeWindow.{i}.MaxRetries'],
      output: [],
      mandatory: [],
      run: (r) => {
        const status = tree.getValue(`${r.objPath}Status`) ?? '';
        if (status !== 'Available' && status !== 'Active') return Promise.reject(new CommandFailure(7022, `${r.objPath.slice(0, -1)} holds no valid image (Status ${status || 'NoImage'}); Download() one first`));
        if ((tree.getValue(`${r.objPath}Version`) ?? '') === '') return Promise.reject(new CommandFailure(7022, `${r.objPath}Version is empty`));
        return Promise.resolve({});
      },
      afterComplete: (r) => activate(r),
    },
  ];
}
