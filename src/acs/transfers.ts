/**
 * Transfer helpers of the fake ACS (issue 15): `acs.download(cpe, …)` builds and
 * queues a Download with sensible defaults, `acs.waitForTransferComplete(cpe, …)`
 * finds the TransferComplete that reports it.
 * @module
 */
import type { CpeResponse, Download, TransferArgs, Upload } from '../cwmp/index.js';
import { CpeSimError } from '../errors/index.js';
import { ACS_ERROR, type AcsCore } from './core.js';

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

/** The helpers `createFakeAcs` mixes into the FakeAcs object. */
export function transferHelpers(core: AcsCore): {
  download(cpe: string, opts: DownloadOptions): Promise<{ commandKey: string; response: CpeResponse }>;
  upload(cpe: string, opts: UploadOptions): Promise<{ commandKey: string; response: CpeResponse }>;
  transferCompletes(cpe?: string): TransferCompleteRecord[];
  waitForTransferComplete(cpe: string, opts?: WaitForTransferOptions): Promise<TransferCompleteRecord>;
} {
  let seq = 0;
  const send = async (cpe: string, commandKey: string, timeoutMs: number | undefined, make: (key: string) => Download | Upload): Promise<{ commandKey: string; response: CpeResponse }> => {
    const response: CpeResponse = await core.rpc(cpe, make(commandKey), timeoutMs);
    return { commandKey, response };
  };
  const transferCompletes = (cpe?: string): TransferCompleteRecord[] => {
    const serial = cpe === undefined ? undefined : (core.resolve(cpe) ?? cpe);
    const out: TransferCompleteRecord[] = [];
    for (const s of core.sessions) {
      if (serial !== undefined && s.serial !== serial) continue;
      for (const m of s.messages) {
        const msg = m.message;
        if (m.dir !== 'cpe->acs' || !msg || msg.name !== 'TransferComplete') continue;
        out.push({
          sessionId: s.id,
          serial: s.serial,
          commandKey: msg.commandKey,
          faultCode: msg.faultStruct.faultCode,
          faultString: msg.faultStruct.faultString,
          startTime: msg.startTime,
          completeTime: msg.completeTime,
        });
      }
    }
    return out;
  };
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
      const timeoutMs = o.timeoutMs ?? 30_000;
      const match = (): TransferCompleteRecord | undefined => transferCompletes(cpe).find((t) => o.commandKey === undefined || t.commandKey === o.commandKey);
      return new Promise<TransferCompleteRecord>((resolve, reject) => {
        const started = Date.now();
        // The transcript is the source of truth; a short poll keeps the core free of another waiter kind.
        const tick = (): void => {
          const hit = match();
          if (hit) return resolve(hit);
          if (core.isClosed) return reject(new CpeSimError(ACS_ERROR.CLOSED, 'the fake ACS was closed'));
          if (Date.now() - started >= timeoutMs) {
            return reject(new CpeSimError(ACS_ERROR.WAIT_TIMEOUT, `no TransferComplete from ${cpe}${o.commandKey !== undefined ? ` with CommandKey ${JSON.stringify(o.commandKey)}` : ''} within ${timeoutMs} ms`));
          }
          setTimeout(tick, 20).unref();
        };
        tick();
      });
    },
  };
}
