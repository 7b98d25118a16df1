/**
 * `Device.DeviceInfo.VendorConfigFile.{i}.Backup()` and `Restore()` (TR-181 2.19), the
 * transfers besides FirmwareImage Download() that TR-181 reports with
 * `Device.LocalAgent.TransferComplete!`. Both real, over `transfer/`'s HTTP client (the
 * one CWMP's Upload and Download use):
 *
 * - Backup() PUTs the device's configuration file (the same text a CWMP Upload of a
 *   `1 Vendor Configuration File` sends) to URL; TransferType Upload.
 * - Restore() GETs a configuration file from URL (FileSize and CheckSum checked), and
 *   writes back the values of the writable parameters it lists that this device has,
 *   all at once as a USP write; TransferType Download. A file cpe-sim cannot read
 *   fails the command (nothing written).
 *
 * The commands exist for each VendorConfigFile object of the profile (a table's
 * `{i}` or fixed instances such as fibre-gateway's `VendorConfigFile.1.`).
 * `VendorLogFile.{i}.Upload()` is not offered: no shipped profile has a VendorLogFile
 * object, and the agent has no log of its own to send.
 * @module
 */
import { createHash } from 'node:crypto';
import { isCwmpFault } from '../../errors/index.js';
import { checkTransferUrl, fetchFile, formatConfigFile, parseConfigFile, putFile, TransferAbortedError } from '../../transfer/index.js';
import { setIfPresent } from '../controllers.js';
import { supportedModel } from '../paths.js';
import { dateTime } from '../subscriptions.js';
import type { UspMap } from '../types.js';
import { CHECKSUM_ALGORITHMS, transferSettingsOf } from './firmware.js';
import { CommandFailure, type CommandDef, type CommandRun, type OperationsHost } from './index.js';

/** Largest configuration file Restore() reads (a device's flash is not endless). */
export const MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024;

const OBJECT = /^Device\.DeviceInfo\.VendorConfigFile\.(\{i\}|\d+)\.$/;

/** Backup() and Restore() for every VendorConfigFile object of the supported model. */
export function vendorConfigCommands(host: OperationsHost): CommandDef[] {
  const objects = [...supportedModel(host.template).objects.keys()].filter((p) => OBJECT.test(p));
  return objects.flatMap((obj) => [
    { path: `${obj}Backup()`, async: true, input: ['URL', 'Username', 'Password'], output: [], mandatory: ['URL'], run: (r: CommandRun) => backup(host, r) },
    {
      path: `${obj}Restore()`,
      async: true,
      input: ['URL', 'Username', 'Password', 'FileSize', 'TargetFileName', 'CheckSumAlgorithm', 'CheckSum'],
      output: [],
      mandatory: ['URL'],
      run: (r: CommandRun) => restore(host, r),
    },
  ]);
}

function urlInput(r: CommandRun): string {
  const url = r.inputs.URL ?? '';
  try {
    checkTransferUrl(url);
  } catch (err) {
    throw new CommandFailure(7027, `input argument URL: ${err instanceof Error ? err.message : String(err)}`);
  }
  return url;
}

/** Runs one transfer and reports it with TransferComplete! (TR-181 2.19 arguments), whatever its outcome. */
async function transfer(host: OperationsHost, r: CommandRun, kind: 'Upload' | 'Download', name: string, work: () => Promise<void>): Promise<UspMap> {
  const url = r.inputs.URL ?? '';
  const startTime = host.scheduler.clock.now();
  let fault: string | undefined;
  try {
    await work();
  } catch (err) {
    if (err instanceof TransferAbortedError || r.signal.aborted) throw err;
    fault = err instanceof CommandFailure || isCwmpFault(err) || err instanceof Error ? err.message : String(err);
  }
  host.notifications.event('Device.LocalAgent.', 'TransferComplete!', {
    Command: `${r.objPath}${name}`,
    CommandKey: r.commandKey,
    Requestor: r.controllerId,
    TransferType: kind,
    Affected: r.objPath.slice(0, -1),
    TransferURL: url,
    StartTime: dateTime(startTime),
    CompleteTime: dateTime(host.scheduler.clock.now()),
    FaultCode: fault === undefined ? '0' : '7022',
    FaultString: fault ?? '',
  });
  if (fault !== undefined) throw new CommandFailure(7022, fault);
  return {};
}

function backup(host: OperationsHost, r: CommandRun): Promise<UspMap> {
  const url = urlInput(r);
  const body = Buffer.from(formatConfigFile(host.tree.getValues([`${host.tree.root}.`])), 'utf8');
  return transfer(host, r, 'Upload', 'Backup()', async () => {
    // The box's transfer settings (timeout, CA), as its CWMP Upload uses.
    await putFile({ url, username: r.inputs.Username ?? '', password: r.inputs.Password ?? '', ...transferSettingsOf(host.device), signal: r.signal, body });
  });
}

function restore(host: OperationsHost, r: CommandRun): Promise<UspMap> {
  const url = urlInput(r);
  const sizeText = r.inputs.FileSize ?? '';
  if (sizeText !== '' && !/^\d+$/.test(sizeText)) throw new CommandFailure(7027, `input argument FileSize must be a whole number of bytes, got ${JSON.stringify(sizeText)}`);
  const fileSize = sizeText === '' ? 0 : Number(sizeText);
  const algorithm = r.inputs.CheckSumAlgorithm ?? '';
  const checksum = (r.inputs.CheckSum ?? '').trim().toLowerCase();
  const hashName = algorithm === '' ? 'sha256' : CHECKSUM_ALGORITHMS[algorithm];
  if (hashName === undefined) throw new CommandFailure(7027, `input argument CheckSumAlgorithm must be one of ${Object.keys(CHECKSUM_ALGORITHMS).join(', ')}, got ${JSON.stringify(algorithm)}`);
  const { tree } = host;
  return transfer(host, r, 'Download', 'Restore()', async () => {
    const chunks: Uint8Array[] = [];
    const hash = createHash(hashName);
    // FileSize (TR-181: the size the Controller expects) caps the fetch; otherwise the flash does.
    const res = await fetchFile({
      url,
      username: r.inputs.Username ?? '',
      password: r.inputs.Password ?? '',
      ...transferSettingsOf(host.device),
      signal: r.signal,
      maxBytes: fileSize > 0 ? fileSize : MAX_CONFIG_FILE_BYTES,
      onChunk: (c) => {
        chunks.push(c);
        hash.update(c);
      },
    });
    if (fileSize > 0 && res.bytes !== fileSize) throw new Error(`received ${res.bytes} bytes, FileSize says ${fileSize}`);
    const digest = hash.digest('hex');
    if (checksum !== '' && digest !== checksum) throw new Error(`the file's ${algorithm || 'SHA-256'} is ${digest}, not the CheckSum ${checksum}`);
    let entries;
    try {
      entries = parseConfigFile(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      throw new Error(`${url} is not a configuration file this device wrote (Backup() or a CWMP Upload): ${(err as Error).message}`);
    }
    // Writable leaves this device has; the rest of the file (read-only state, another model's paths) is not configuration here.
    const writes = entries.filter((e) => tree.get(e.name)?.writable === true).map((e) => ({ name: e.name, value: e.value }));
    if (writes.length === 0) throw new Error(`${url} holds no writable parameter of this device (${entries.length} lines read)`);
    tree.setValues(writes, 'usp');
    setIfPresent(tree, `${r.objPath}Date`, dateTime(host.scheduler.clock.now()));
    const target = r.inputs.TargetFileName ?? '';
    if (target !== '') setIfPresent(tree, `${r.objPath}Name`, target);
  });
}
