/**
 * The RPCs a CPE answers (TR-069 Annex A.3.2 / A.4.1), as a handler table over the
 * CPE's parameter tree. Handlers return the response message or throw a
 * `CwmpFault`; the session runner turns the fault into a SOAP Fault with a
 * `cwmp:Fault` detail. Side effects that happen after the session (reboot, factory
 * reset, transfer completion, scheduled inform) are delegated to the host.
 * @module
 */
import { CPE_FAULT_STRINGS, CwmpFault, type SetParameterValuesFaultEntry } from '../errors/index.js';
import type { AcsRequest, AllQueuedTransferStruct, ChangeDUState, CpeResponse, CwmpMessage, Download, ScheduleDownload, Upload } from '../cwmp/index.js';
import { CPE_RPC_METHODS, UNKNOWN_TIME } from '../cwmp/index.js';
import type { NotificationLevel, ParameterTree, SetAttributesEntry, SetValueEntry } from '../datamodel/index.js';

/** What the handlers need from their CPE. */
export interface RpcHost {
  readonly params: ParameterTree;
  /** True for a leaf GetParameterValues answers with "" (TR-181 passwords, `hidden: true` leaves). */
  isHidden(path: string): boolean;
  /** `<root>.ManagementServer.ParameterKey`, when the tree has it. */
  setParameterKey(key: string): void;
  /** Reboot once the current session has ended. */
  requestReboot(commandKey: string): void;
  /** Factory reset once the current session has ended. */
  requestFactoryReset(): void;
  /** Start a (simulated) download; it completes later with a TransferComplete. */
  startDownload(req: Download): void;
  /** Arm a one-shot `3 SCHEDULED` + `M ScheduleInform` session. */
  scheduleInform(delaySeconds: number, commandKey: string): void;
  /** Queue an Upload; it completes later with a TransferComplete. */
  startUpload(req: Upload): void;
  /** Queue a ScheduleDownload (windows already checked). */
  scheduleDownload(req: ScheduleDownload): void;
  /** Transfers queued or in progress, oldest first. */
  queuedTransfers(): AllQueuedTransferStruct[];
  /** Cancel the not-yet-started transfers with this CommandKey; throws 9021 if one already started. */
  cancelTransfer(commandKey: string): void;
  /**
   * Runs a checked ChangeDUState in the background (TR-157 lifecycle, ref §8.2), or
   * undefined when this CPE has no software modules: the RPC then faults 9000 and
   * GetRPCMethods does not list it (ref §8.1).
   */
  readonly changeDuState?: ((req: ChangeDUState) => void) | undefined;
  /** Device rules on SetParameterValues beyond the leaf types (e.g. TR-157 RequestedState): per-parameter faults, none when fine. */
  checkSetValues?(entries: readonly SetValueEntry[]): SetParameterValuesFaultEntry[];
}

/**
 * ref §8.3: the RPC itself faults 9003 without any operation, for an install without
 * URL, an update with neither UUID nor URL, or an uninstall without UUID. A URL-only
 * update passes here and fails in the lifecycle (9028).
 */
export function checkChangeDuState(req: ChangeDUState): void {
  checkKey('CommandKey', req.commandKey);
  if (req.operations.length === 0) throw new CwmpFault(9003, 'ChangeDUState carries no operation (Operations is empty)');
  for (const [i, o] of req.operations.entries()) {
    const at = `ChangeDUState operation ${i + 1}`;
    if (o.op === 'install' && o.url === '') throw new CwmpFault(9003, `${at}: InstallOpStruct without URL`);
    if (o.op === 'update' && o.uuid === '' && o.url === '') throw new CwmpFault(9003, `${at}: UpdateOpStruct with neither UUID nor URL`);
    if (o.op === 'uninstall' && o.uuid === '') throw new CwmpFault(9003, `${at}: UninstallOpStruct without UUID`);
  }
}

/** TR-069 A.4.1.10 WindowMode values (a vendor `X <OUI> …` mode is accepted too). */
const WINDOW_MODES = /^(1 At Any Time|2 Immediately|3 When Idle|4 Confirmation Needed|X [0-9A-F]{6} .+)$/;

/**
 * A.4.1.10: one or two windows, each WindowEnd >= WindowStart, the second starting at or
 * after the first one's end.
 */
function checkTimeWindows(req: ScheduleDownload): void {
  const w = req.timeWindowList;
  if (w.length < 1 || w.length > 2) throw new CwmpFault(9003, `ScheduleDownload TimeWindowList has ${w.length} windows, 1 or 2 expected`);
  for (const [i, t] of w.entries()) {
    if (t.windowEnd < t.windowStart) throw new CwmpFault(9003, `ScheduleDownload window ${i + 1} ends (${t.windowEnd}s) before it starts (${t.windowStart}s)`);
    if (!WINDOW_MODES.test(t.windowMode)) throw new CwmpFault(9003, `ScheduleDownload window ${i + 1} has WindowMode ${JSON.stringify(t.windowMode)}; expected "1 At Any Time", "2 Immediately", "3 When Idle" or "4 Confirmation Needed"`);
  }
  const [a, b] = w;
  if (a && b && b.windowStart < a.windowEnd) throw new CwmpFault(9003, `ScheduleDownload windows overlap: the second starts at ${b.windowStart}s, before the first ends at ${a.windowEnd}s`);
}

/** cwmp-1-0.xsd: CommandKey and ParameterKey are at most 32 characters. */
const MAX_KEY = 32;

function checkKey(what: string, key: string): void {
  if (key.length > MAX_KEY) throw new CwmpFault(9003, `${what} is ${key.length} characters long, at most ${MAX_KEY} allowed`);
}

// The requests an ACS may send are exactly the RPCs we answer (one list, in cwmp/).
// ChangeDUState is modelled even when a profile lacks software modules (it then faults 9000).
const ACS_REQUEST_NAMES: ReadonlySet<string> = new Set([...CPE_RPC_METHODS, 'ChangeDUState']);

/**
 * True for a message an ACS may send as a request: a known ACS→CPE RPC, or an
 * RPC element the codec does not model (answered with 9000).
 */
export function isAcsRequest(msg: CwmpMessage): msg is AcsRequest | { name: 'Unknown'; method: string } {
  return msg.name === 'Unknown' || ACS_REQUEST_NAMES.has(msg.name);
}

/**
 * Executes one ACS request against the CPE.
 * @throws CwmpFault with the TR-069 fault code (9000 for methods we do not implement).
 */
export function handleAcsRequest(host: RpcHost, msg: AcsRequest | { name: 'Unknown'; method: string }): CpeResponse {
  const tree = host.params;
  switch (msg.name) {
    case 'GetRPCMethods':
      return { name: 'GetRPCMethodsResponse', methodList: host.changeDuState ? [...CPE_RPC_METHODS, 'ChangeDUState'] : [...CPE_RPC_METHODS] };

    case 'GetParameterNames':
      return { name: 'GetParameterNamesResponse', parameterList: tree.getNames(msg.parameterPath, msg.nextLevel).map((p) => ({ name: p.name, writable: p.writable })) };

    case 'GetParameterValues':
      return {
        name: 'GetParameterValuesResponse',
        // TR-181: "When read, this parameter returns an empty string" (the tree keeps the real value).
        parameterList: tree.getValues(msg.parameterNames).map((p) => ({ name: p.name, value: host.isHidden(p.name) ? '' : p.value, type: p.type })),
      };

    case 'SetParameterValues': {
      checkKey('ParameterKey', msg.parameterKey);
      const entries: SetValueEntry[] = msg.parameterList.map((p) => (p.type !== undefined ? { name: p.name, value: p.value, type: p.type } : { name: p.name, value: p.value }));
      // TR-069 A.3.2.1: duplicate names in one SPV are invalid arguments.
      const seen = new Set<string>();
      for (const e of entries) {
        if (seen.has(e.name)) throw new CwmpFault(9003, `parameter ${e.name} appears more than once in SetParameterValues`);
        seen.add(e.name);
      }
      const refused = host.checkSetValues?.(entries) ?? [];
      if (refused.length > 0) throw new CwmpFault(9003, `${CPE_FAULT_STRINGS[9003]}: ${refused.map((f) => f.parameterName).join(', ')}`, refused);
      tree.setValues(entries, 'acs'); // atomic: throws 9003 with per-parameter faults, applies nothing
      host.setParameterKey(msg.parameterKey);
      return { name: 'SetParameterValuesResponse', status: 0 };
    }

    case 'GetParameterAttributes':
      return {
        name: 'GetParameterAttributesResponse',
        parameterList: tree.getAttributes(msg.parameterNames).map((a) => ({ name: a.name, notification: a.notification, accessList: [...a.accessList] })),
      };

    case 'SetParameterAttributes': {
      const entries: SetAttributesEntry[] = msg.parameterList.map((p) => {
        let notification: NotificationLevel = 0;
        if (p.notificationChange) {
          const n = p.notification;
          // 3–6 are CWMP 1.4 lightweight/passive-active variants we do not implement (A.3.2.4: 9009 when refused).
          if (n >= 3 && n <= 6) throw new CwmpFault(9009, `notification ${n} (lightweight notification) is not supported for ${p.name}`);
          if (!(n === 0 || n === 1 || n === 2)) throw new CwmpFault(9003, `notification ${n} for ${p.name} is not 0, 1 or 2`);
          notification = n;
        }
        return { name: p.name, notificationChange: p.notificationChange, notification, accessListChange: p.accessListChange, accessList: [...p.accessList] };
      });
      tree.setAttributes(entries);
      return { name: 'SetParameterAttributesResponse' };
    }

    case 'AddObject': {
      checkKey('ParameterKey', msg.parameterKey);
      const instanceNumber = tree.addObject(msg.objectName, 'acs');
      host.setParameterKey(msg.parameterKey);
      return { name: 'AddObjectResponse', instanceNumber, status: 0 };
    }

    case 'DeleteObject': {
      checkKey('ParameterKey', msg.parameterKey);
      tree.deleteObject(msg.objectName, 'acs');
      host.setParameterKey(msg.parameterKey);
      return { name: 'DeleteObjectResponse', status: 0 };
    }

    case 'Reboot':
      checkKey('CommandKey', msg.commandKey);
      host.requestReboot(msg.commandKey);
      return { name: 'RebootResponse' };

    case 'FactoryReset':
      host.requestFactoryReset();
      return { name: 'FactoryResetResponse' };

    case 'Download':
      checkKey('CommandKey', msg.commandKey);
      if (msg.fileType.trim() === '') throw new CwmpFault(9003, 'Download FileType is empty');
      if (msg.url.trim() === '') throw new CwmpFault(9003, 'Download URL is empty');
      if (!Number.isInteger(msg.delaySeconds) || msg.delaySeconds < 0) throw new CwmpFault(9003, `Download DelaySeconds ${msg.delaySeconds} is not an unsignedInt`);
      host.startDownload(msg);
      // Status 1: the transfer completes later and is reported by TransferComplete (A.3.2.8).
      return { name: 'DownloadResponse', status: 1, startTime: UNKNOWN_TIME, completeTime: UNKNOWN_TIME };

    case 'ScheduleInform':
      checkKey('CommandKey', msg.commandKey);
      // cwmp-1-0.xsd: DelaySeconds is an unsignedInt with minInclusive 1.
      if (!Number.isInteger(msg.delaySeconds) || msg.delaySeconds < 1) throw new CwmpFault(9003, `ScheduleInform DelaySeconds must be at least 1, got ${msg.delaySeconds}`);
      host.scheduleInform(msg.delaySeconds, msg.commandKey);
      return { name: 'ScheduleInformResponse' };

    case 'Upload':
      checkKey('CommandKey', msg.commandKey);
      if (msg.fileType.trim() === '') throw new CwmpFault(9003, 'Upload FileType is empty');
      if (msg.url.trim() === '') throw new CwmpFault(9003, 'Upload URL is empty');
      host.startUpload(msg);
      return { name: 'UploadResponse', status: 1, startTime: UNKNOWN_TIME, completeTime: UNKNOWN_TIME };

    case 'ScheduleDownload':
      checkKey('CommandKey', msg.commandKey);
      if (msg.fileType.trim() === '') throw new CwmpFault(9003, 'ScheduleDownload FileType is empty');
      if (msg.url.trim() === '') throw new CwmpFault(9003, 'ScheduleDownload URL is empty');
      checkTimeWindows(msg);
      host.scheduleDownload(msg);
      return { name: 'ScheduleDownloadResponse' };

    case 'GetQueuedTransfers':
      return { name: 'GetQueuedTransfersResponse', transferList: host.queuedTransfers().map((t) => ({ commandKey: t.commandKey, state: t.state })) };

    case 'GetAllQueuedTransfers':
      return { name: 'GetAllQueuedTransfersResponse', transferList: host.queuedTransfers() };

    case 'CancelTransfer':
      checkKey('CommandKey', msg.commandKey);
      host.cancelTransfer(msg.commandKey);
      return { name: 'CancelTransferResponse' };

    case 'ChangeDUState': {
      const run = host.changeDuState;
      if (run === undefined) throw new CwmpFault(9000, 'Method not supported: ChangeDUState (the profile declares no softwareModules)');
      checkChangeDuState(msg);
      run(msg);
      return { name: 'ChangeDUStateResponse' };
    }

    case 'Unknown':
      throw new CwmpFault(9000, `Method not supported: ${msg.method}`);
  }
}
