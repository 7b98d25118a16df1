/**
 * A CPE's transfer queue (TR-069 A.3.2.8, A.4.1.5, A.4.1.6): Downloads and Uploads
 * accepted by RPC run one at a time, in the order they were accepted, each no sooner
 * than its DelaySeconds. The queue fetches, uploads and inspects; its host (the CPE)
 * records the outcome, queues the events and, for a firmware image, reboots.
 * @module
 */
import { CPE_FAULT_STRINGS, CwmpFault, isCwmpFault } from '../errors/index.js';
import { TransferAbortedError, transferFault } from './http.js';
import { downloadFile, uploadFile } from './transport.js';
import { ImageInspector, versionFromUrl } from './image.js';

/** TR-069 A.3.2.8: the FileType that takes the firmware path. */
export const FIRMWARE_FILE_TYPE = '1 Firmware Upgrade Image';

/** A Download or Upload as accepted from the RPC. */
export interface TransferRequest {
  kind: 'download' | 'upload';
  commandKey: string;
  fileType: string;
  url: string;
  username: string;
  password: string;
  /** Download only: the announced size in bytes, 0 = unknown. */
  fileSize: number;
  targetFileName: string;
  delaySeconds: number;
  /**
   * ScheduleDownload (A.4.1.10): the time windows in simulated ms since the epoch; the
   * transfer starts in the first window that has not ended and needs no user
   * confirmation (no user ever confirms), else it fails with 9020.
   */
  windows?: readonly TransferWindow[];
}

/** One ScheduleDownload window, absolute simulated times. */
export interface TransferWindow {
  start: number;
  end: number;
  mode: string;
}

/** TR-069 A.4.1.6 TransferState: 1 not yet started, 2 in progress, 3 completed. */
export type TransferState = 1 | 2 | 3;

/** One entry of the queue, as GetQueuedTransfers / GetAllQueuedTransfers report it. */
export interface QueuedTransfer {
  readonly request: TransferRequest;
  state: TransferState;
  /** Simulated time the RPC was accepted (ms). */
  readonly acceptedAt: number;
}

/** How a transfer ended: the TransferComplete the CPE sends. */
export interface TransferOutcome {
  request: TransferRequest;
  faultCode: number;
  faultString: string;
  /** Simulated ms; when the transfer started. */
  startTime: number;
  /** Simulated ms; when it completed (or failed). */
  completeTime: number;
  /** Bytes moved (0 when nothing was). */
  bytes: number;
}

/** Firmware handling of the profile (`transfer.firmware`, ref §7.2) plus cpe-sim's rules. */
export interface FirmwarePlan {
  /** `fetch: true`: read the version from the image; false: from the URL's file name, no network. */
  fetch: boolean;
  /** Refuse an image whose version sorts below the running one (9010). */
  rejectDowngrade?: boolean;
  /** Refuse an image without a matching `cpe-labs-firmware-sha256:` header (9019). */
  requireChecksum?: boolean;
  /** Called before applying a good image; a fault string fails it with 9010 (e.g. "the n-th upgrade of the fleet fails"). */
  veto?(version: string): string | undefined;
}

/** What the queue needs from its CPE. */
export interface TransferHost {
  /** Simulated now (ms). */
  now(): number;
  /** Simulated sleep on the CPE's scheduler; rejects when the CPE closes. */
  sleep(ms: number): Promise<void>;
  /** `transfer.defaultDelay` (ms): added to every transfer's DelaySeconds. */
  readonly defaultDelayMs: number;
  /** Idle timeout of the HTTP client, real ms. */
  readonly timeoutMs: number;
  /** Aborts in-flight transfers when the CPE closes. */
  readonly signal: AbortSignal;
  /** Extra trusted CA certificates (PEM) for https file servers. */
  readonly ca?: string | Buffer | undefined;
  /** `transfer.faults[FileType]` with a non-zero code: reported without any network (ref §7.1). */
  injectedFault(fileType: string): { code: number; string: string } | undefined;
  /** The file an Upload of this FileType sends; throws a CwmpFault (9011) for a FileType it cannot produce. */
  uploadBody(fileType: string): Buffer;
  /** The firmware plan, when the profile has `transfer.firmware`. */
  firmware(): FirmwarePlan | undefined;
  /** The running firmware version (the profile's `versionPath`). */
  currentVersion(): string | undefined;
  /** Reports a finished transfer (M Download/M Upload + 7 TRANSFER COMPLETE). */
  complete(o: TransferOutcome): void;
  /**
   * A good firmware image: go dark, reboot into `version` and report `o` (completeTime
   * is set by the host when the device comes back).
   */
  applyFirmware(version: string, o: TransferOutcome): Promise<void>;
}

/**
 * Compares dotted versions numerically where both parts are numbers (`7.10` > `7.9`),
 * else as text. Negative when `a` < `b`.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_]/);
  const pb = b.split(/[.\-_]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return 0;
}

/** The queue of one CPE. */
export class TransferQueue {
  private readonly entries: QueuedTransfer[] = [];
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly host: TransferHost) {}

  /** Transfers not yet reported, oldest first (GetQueuedTransfers / GetAllQueuedTransfers). */
  get items(): readonly QueuedTransfer[] {
    return this.entries;
  }

  /** Accepts a transfer; it runs after the ones before it, no sooner than its delay. */
  add(request: TransferRequest): QueuedTransfer {
    const q: QueuedTransfer = { request, state: 1, acceptedAt: this.host.now() };
    this.entries.push(q);
    this.running ??= this.pump().finally(() => {
      this.running = undefined;
    });
    return q;
  }

  /** Resolves once no transfer runs (after close(): once the one in flight has been aborted). */
  get idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Stops taking work; what is queued is dropped. */
  close(): void {
    this.closed = true;
    this.entries.length = 0;
  }

  /**
   * CancelTransfer (A.4.1.11): drops every not-yet-started transfer with `commandKey`.
   * @throws CwmpFault 9021 when one of them already started, 9003 when none matches.
   */
  cancel(commandKey: string): void {
    const mine = this.entries.filter((q) => q.request.commandKey === commandKey);
    if (mine.length === 0) throw new CwmpFault(9003, `Invalid arguments: no queued transfer has CommandKey ${JSON.stringify(commandKey)}`);
    if (mine.some((q) => q.state !== 1)) throw new CwmpFault(9021, `Cancelation of file transfer not permitted in current transfer state: ${JSON.stringify(commandKey)} is already in progress`);
    for (const q of mine) this.entries.splice(this.entries.indexOf(q), 1);
  }

  private async pump(): Promise<void> {
    for (;;) {
      const q = this.entries[0];
      if (q === undefined || this.closed) return;
      try {
        const windows = q.request.windows;
        let due = q.acceptedAt + q.request.delaySeconds * 1000 + this.host.defaultDelayMs;
        let window: TransferWindow | undefined;
        if (windows !== undefined) {
          const now = this.host.now();
          // "4 Confirmation Needed" waits for a user who never comes in a simulator.
          window = windows.find((w) => w.end >= now && w.mode !== '4 Confirmation Needed');
          if (window === undefined) {
            q.state = 2;
            this.host.complete({
              request: q.request,
              faultCode: 9020,
              faultString: `${CPE_FAULT_STRINGS[9020]} (no window left that needs no user confirmation: ${windows.map((w) => `${new Date(w.start).toISOString()}–${new Date(w.end).toISOString()} ${w.mode}`).join(', ')})`,
              startTime: now,
              completeTime: now,
              bytes: 0,
            });
            continue;
          }
          due = window.start;
        }
        const wait = due - this.host.now();
        if (wait > 0) await this.host.sleep(wait);
        if (this.closed || this.entries[0] !== q) continue; // cancelled or cleared meanwhile
        q.state = 2;
        await this.run(q);
      } catch (err) {
        // Closed while waiting or aborted in flight: nothing to report to anyone. run()
        // reports every other failure itself, so nothing else arrives here.
        void err;
        return;
      } finally {
        q.state = 3;
        const i = this.entries.indexOf(q);
        if (i >= 0) this.entries.splice(i, 1);
      }
    }
  }

  private async run(q: QueuedTransfer): Promise<void> {
    const r = q.request;
    const injected = this.host.injectedFault(r.fileType);
    if (injected) {
      // ref §7.1: an injected fault wins, nothing is fetched; StartTime = acceptance.
      this.host.complete({ request: r, faultCode: injected.code, faultString: injected.string, startTime: q.acceptedAt, completeTime: this.host.now(), bytes: 0 });
      return;
    }
    const startTime = this.host.now();
    const outcome = (faultCode: number, faultString: string, bytes: number): TransferOutcome => ({ request: r, faultCode, faultString, startTime, completeTime: this.host.now(), bytes });
    const plan = r.kind === 'download' && r.fileType === FIRMWARE_FILE_TYPE ? this.host.firmware() : undefined;
    try {
      if (r.kind === 'upload') {
        const body = this.host.uploadBody(r.fileType);
        await uploadFile({ url: r.url, username: r.username, password: r.password, timeoutMs: this.host.timeoutMs, signal: this.host.signal, ...(this.host.ca !== undefined ? { ca: this.host.ca } : {}), body });
        this.host.complete(outcome(0, '', body.length));
        return;
      }
      if (plan) {
        const version = await this.firmwareVersion(r, plan);
        await this.host.applyFirmware(version.version, outcome(0, '', version.bytes));
        return;
      }
      // A generic file is counted and dropped: the simulated device has no flash to keep it in.
      const bytes = await this.fetch(r, () => undefined);
      this.host.complete(outcome(0, '', bytes));
    } catch (err) {
      if (err instanceof TransferAbortedError || this.host.signal.aborted) throw err;
      const f = isCwmpFault(err) ? err : new CwmpFault(9002, `Internal error: ${err instanceof Error ? err.message : String(err)}`);
      this.host.complete(outcome(f.faultCode, f.faultString, 0));
    }
  }

  /** GETs the request's URL with its credentials and FileSize limit; the body goes to `onChunk`. Returns its size. */
  private async fetch(r: TransferRequest, onChunk: (c: Uint8Array) => void): Promise<number> {
    const res = await downloadFile({
      url: r.url,
      username: r.username,
      password: r.password,
      timeoutMs: this.host.timeoutMs,
      signal: this.host.signal,
      ...(this.host.ca !== undefined ? { ca: this.host.ca } : {}),
      ...(r.fileSize > 0 ? { maxBytes: r.fileSize } : {}),
      onChunk,
    });
    checkSize(r, res.bytes);
    return res.bytes;
  }

  /** Resolves the version of a firmware image (ref §7.2 step 3) and applies cpe-sim's rules. */
  private async firmwareVersion(r: TransferRequest, plan: FirmwarePlan): Promise<{ version: string; bytes: number }> {
    let version: string | undefined;
    let bytes = 0;
    if (!plan.fetch) {
      version = versionFromUrl(r.url);
      if (version === undefined) throw transferFault(9010, `no version in the file name of ${r.url}`);
    } else {
      const inspector = new ImageInspector();
      bytes = await this.fetch(r, (c) => inspector.write(c));
      const seen = inspector.finish();
      version = seen.version;
      // ref §7.2: an image without the version line is not a firmware image (9010, version unchanged).
      if (version === undefined) throw transferFault(9010, `invalid firmware image: no "cpe-labs-firmware-version:" line in its first 64 KiB`);
      if (plan.requireChecksum) {
        if (seen.declaredSha256 === undefined) throw transferFault(9019, 'the image carries no cpe-labs-firmware-sha256 header and the profile requires one');
        if (seen.declaredSha256 !== seen.sha256) throw transferFault(9019, `SHA-256 of the payload is ${seen.sha256 ?? '(no payload)'}, the image header says ${seen.declaredSha256}`);
      }
    }
    const current = this.host.currentVersion();
    if (plan.rejectDowngrade && current !== undefined && compareVersions(version, current) < 0) {
      throw transferFault(9010, `downgrade from ${current} to ${version} refused (transfer.firmware.rejectDowngrade)`);
    }
    const veto = plan.veto?.(version);
    if (veto !== undefined) throw transferFault(9010, veto);
    return { version, bytes };
  }
}

/** FileSize, when given, must be the size received (A.3.2.8); an empty file is never usable. */
function checkSize(r: TransferRequest, bytes: number): void {
  if (bytes === 0) throw transferFault(9018, `${r.url} is empty`);
  if (r.fileSize > 0 && bytes !== r.fileSize) throw transferFault(9018, `received ${bytes} bytes, FileSize says ${r.fileSize}`);
}
