/**
 * Transfer helpers of the fake ACS (issue 15): `acs.download(cpe, …)` builds and
 * queues a Download with sensible defaults, `acs.waitForTransferComplete(cpe, …)`
 * finds the TransferComplete that reports it.
 * @module
 */
import type { AutonOpResultStruct, ChangeDUState, CpeResponse, CwmpMessage, Download, OpResultStruct, TransferArgs, Upload } from '../cwmp/index.js';
import { CpeSimError } from '../errors/index.js';
import { ACS_ERROR, type AcsCore } from './core.js';
import type { FakeAcs } from './types.js';

/** Options of `acs.download()`: a Download RPC with defaults. */
export interface DownloadOptions {
  /** The file, e.g. `acs.files.url('fw.img')`. */
  url: string;
  /** Default: `dl-<n>`, unique within this ACS. */
  commandKey?: string;
  /** Default `1 Firmware Upgrade Image`. */
  fileType?: string;
  username?: string;
  password?: string;
  /** Default 0 (unknown). */
  fileSize?: number;
  targetFileName?: string;
  /** Default 0. */
  delaySeconds?: number;
  /** Reject when the CPE did not answer the RPC within this many ms; default: wait until close(). */
  timeoutMs?: number;
}

/** Options of `acs.upload()`: an Upload RPC with defaults. */
export interface UploadOptions {
  /** Where the CPE PUTs the file, e.g. `acs.files.url('uploads/cpe-1.cfg')`. */
  url: string;
  /** Default: `ul-<n>`, unique within this ACS. */
  commandKey?: string;
  /** Default `1 Vendor Configuration File`; `2 Vendor Log File` sends the CPE's recent session log. */
  fileType?: string;
  username?: string;
  password?: string;
  delaySeconds?: number;
  timeoutMs?: number;
}

/** The arguments every transfer RPC shares, with the helpers' defaults. */
function transferArgs(commandKey: string, o: UploadOptions, defaultFileType: string): TransferArgs & { delaySeconds: number } {
  return { commandKey, fileType: o.fileType ?? defaultFileType, url: o.url, username: o.username ?? '', password: o.password ?? '', delaySeconds: o.delaySeconds ?? 0 };
}

/** A TransferComplete as the ACS received it. */
export interface TransferCompleteRecord {
  /** The ACS session it arrived in. */
  sessionId: number;
  serial: string;
  commandKey: string;
  faultCode: number;
  faultString: string;
  startTime: string;
  completeTime: string;
}

/** Options of `acs.waitForTransferComplete()`. */
export interface WaitForTransferOptions {
  /** Only this CommandKey; default: any. */
  commandKey?: string;
  /** Default 30_000 ms. */
  timeoutMs?: number;
}

/** One operation of `acs.changeDuState()`; omitted strings are sent empty. */
export type ChangeDuStateOperation =
  | { op: 'install'; url: string; uuid?: string; username?: string; password?: string; executionEnvRef?: string }
  | { op: 'update'; uuid?: string; version?: string; url?: string; username?: string; password?: string }
  | { op: 'uninstall'; uuid: string; version?: string; executionEnvRef?: string };

/** Options of `acs.changeDuState()`: a ChangeDUState RPC (TR-069 A.4.1.14) with defaults. */
export interface ChangeDuStateOptions {
  /** Run in this order by the CPE; e.g. `[{ op: 'install', url: acs.files.url('demo-app.yaml') }]`. */
  operations: ChangeDuStateOperation[];
  /** Default: `du-<n>`, unique within this ACS. */
  commandKey?: string;
  /** Reject when the CPE did not answer the RPC within this many ms; default: wait until close(). */
  timeoutMs?: number;
}

/** A DUStateChangeComplete as the ACS received it (TR-069 A.4.2.x). */
export interface DuStateChangeCompleteRecord {
  /** The ACS session it arrived in. */
  sessionId: number;
  serial: string;
  commandKey: string;
  /** One per operation, in the ChangeDUState's order. */
  results: OpResultStruct[];
}

/** An AutonomousDUStateChangeComplete as the ACS received it (TR-069 Annex A.4.2; event `12`). */
export interface AutonomousDuStateChangeRecord {
  /** The ACS session it arrived in. */
  sessionId: number;
  serial: string;
  /** What the CPE did on its own, each with its OperationPerformed. */
  results: AutonOpResultStruct[];
}

/** Options of `acs.waitForDuStateChangeComplete()`. */
export interface WaitForDuStateChangeOptions {
  /** Only this CommandKey; default: any. */
  commandKey?: string;
  /** Default 30_000 ms. */
  timeoutMs?: number;
}

/** The ChangeDUState an `acs.changeDuState()` call sends. */
function changeDuStateRequest(commandKey: string, o: ChangeDuStateOptions): ChangeDUState {
  return {
    name: 'ChangeDUState',
    commandKey,
    operations: o.operations.map((op) => {
      if (op.op === 'install') return { op: 'install', url: op.url, uuid: op.uuid ?? '', username: op.username ?? '', password: op.password ?? '', executionEnvRef: op.executionEnvRef ?? '' };
      if (op.op === 'update') return { op: 'update', uuid: op.uuid ?? '', version: op.version ?? '', url: op.url ?? '', username: op.username ?? '', password: op.password ?? '' };
      return { op: 'uninstall', uuid: op.uuid, version: op.version ?? '', executionEnvRef: op.executionEnvRef ?? '' };
    }),
  };
}

/** Every message `cpe` (or any device) sent the ACS with this name, with its session. */
function received<N extends CwmpMessage['name']>(core: AcsCore, cpe: string | undefined, name: N): Array<{ sessionId: number; serial: string; msg: Extract<CwmpMessage, { name: N }> }> {
  const serial = cpe === undefined ? undefined : (core.resolve(cpe) ?? cpe);
  const out: Array<{ sessionId: number; serial: string; msg: Extract<CwmpMessage, { name: N }> }> = [];
  for (const s of core.sessions) {
    if (serial !== undefined && s.serial !== serial) continue;
    for (const m of s.messages) {
      if (m.dir === 'cpe->acs' && m.message?.name === name) out.push({ sessionId: s.id, serial: s.serial, msg: m.message as Extract<CwmpMessage, { name: N }> });
    }
  }
  return out;
}

/** Resolves with the first `find()` hit, received already or later (polls the transcript). */
function waitFor<T>(core: AcsCore, find: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const started = Date.now();
    // The transcript is the source of truth; a short poll keeps the core free of another waiter kind.
    const tick = (): void => {
      const hit = find();
      if (hit !== undefined) return resolve(hit);
      if (core.isClosed) return reject(new CpeSimError(ACS_ERROR.CLOSED, 'the fake ACS was closed'));
      if (Date.now() - started >= timeoutMs) return reject(new CpeSimError(ACS_ERROR.WAIT_TIMEOUT, `${what()} within ${timeoutMs} ms`));
      setTimeout(tick, 20).unref();
    };
    tick();
  });
}

/** The FakeAcs methods this module implements (their TSDoc is on {@link FakeAcs}). */
export type TransferHelpers = Pick<
  FakeAcs,
  | 'download'
  | 'upload'
  | 'transferCompletes'
  | 'waitForTransferComplete'
  | 'changeDuState'
  | 'duStateChangeCompletes'
  | 'waitForDuStateChangeComplete'
  | 'autonomousDuStateChanges'
  | 'waitForAutonomousDuStateChange'
>;

/** The helpers `createFakeAcs` mixes into the FakeAcs object. */
export function transferHelpers(core: AcsCore): TransferHelpers {
  let seq = 0;
  const send = async (cpe: string, commandKey: string, timeoutMs: number | undefined, make: (key: string) => Download | Upload | ChangeDUState): Promise<{ commandKey: string; response: CpeResponse }> => {
    const response: CpeResponse = await core.rpc(cpe, make(commandKey), timeoutMs);
    return { commandKey, response };
  };
  const transferCompletes = (cpe?: string): TransferCompleteRecord[] =>
    received(core, cpe, 'TransferComplete').map(({ sessionId, serial, msg }) => ({
      sessionId,
      serial,
      commandKey: msg.commandKey,
      faultCode: msg.faultStruct.faultCode,
      faultString: msg.faultStruct.faultString,
      startTime: msg.startTime,
      completeTime: msg.completeTime,
    }));
  const duStateChangeCompletes = (cpe?: string): DuStateChangeCompleteRecord[] =>
    received(core, cpe, 'DUStateChangeComplete').map(({ sessionId, serial, msg }) => ({ sessionId, serial, commandKey: msg.commandKey, results: msg.results }));
  const autonomousDuStateChanges = (cpe?: string): AutonomousDuStateChangeRecord[] =>
    received(core, cpe, 'AutonomousDUStateChangeComplete').map(({ sessionId, serial, msg }) => ({ sessionId, serial, results: msg.results }));
  return {
    async download(cpe, o) {
      return send(cpe, o.commandKey ?? `dl-${++seq}`, o.timeoutMs, (commandKey) => ({
        name: 'Download',
        ...transferArgs(commandKey, o, '1 Firmware Upgrade Image'),
        fileSize: o.fileSize ?? 0,
        targetFileName: o.targetFileName ?? '',
        successURL: '',
        failureURL: '',
      }));
    },
    async upload(cpe, o) {
      return send(cpe, o.commandKey ?? `ul-${++seq}`, o.timeoutMs, (commandKey) => ({
        name: 'Upload',
        ...transferArgs(commandKey, o, '1 Vendor Configuration File'),
      }));
    },
    transferCompletes,
    waitForTransferComplete(cpe, o = {}) {
      const match = (): TransferCompleteRecord | undefined => transferCompletes(cpe).find((t) => o.commandKey === undefined || t.commandKey === o.commandKey);
      return waitFor(core, match, o.timeoutMs ?? 30_000, () => `no TransferComplete from ${cpe}${o.commandKey !== undefined ? ` with CommandKey ${JSON.stringify(o.commandKey)}` : ''}`);
    },
    async changeDuState(cpe, o) {
      return send(cpe, o.commandKey ?? `du-${++seq}`, o.timeoutMs, (commandKey) => changeDuStateRequest(commandKey, o));
    },
    duStateChangeCompletes,
    waitForDuStateChangeComplete(cpe, o = {}) {
      const match = (): DuStateChangeCompleteRecord | undefined => duStateChangeCompletes(cpe).find((t) => o.commandKey === undefined || t.commandKey === o.commandKey);
      return waitFor(core, match, o.timeoutMs ?? 30_000, () => `no DUStateChangeComplete from ${cpe}${o.commandKey !== undefined ? ` with CommandKey ${JSON.stringify(o.commandKey)}` : ''}`);
    },
    autonomousDuStateChanges,
    waitForAutonomousDuStateChange(cpe, o = {}) {
      return waitFor(core, () => autonomousDuStateChanges(cpe)[0], o.timeoutMs ?? 30_000, () => `no AutonomousDUStateChangeComplete from ${cpe}`);
    },
  };
}
