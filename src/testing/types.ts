/**
 * The matcher signatures both runners' `expect` gain (module augmentation in
 * `vitest.ts` and `jest.ts`). `R` is what the runner's matchers return.
 * @module
 */
import type { AcsRpcName } from '../acs/index.js';
import type { ToHaveNotifiedOptions } from './usp-matchers.js';
import type { CompletedTransferExpectation, InstalledModuleExpectation, ToBeThrottledOptions, ToBeUnauthorizedOptions, ToHaveCompletedDiagnosticOptions, ToHaveInformedOptions, ToHaveReceivedRpcOptions, ToHaveWokenViaOptions, WakePath } from './matchers.js';

/**
 * cpe-sim's matchers. The async ones (`toHaveInformed`, `toHaveReceivedRpc`) wait
 * and must be awaited; the others read the current state.
 */
export interface CpeSimMatchers<R = unknown> {
  /**
   * On a `Cpe`, a `Fleet` (any CPE; `{ cpe: 'cpe-3' }` narrows) or a `FakeAcs`:
   * waits up to `timeout` (default 2000 ms) for a delivered Inform carrying
   * `eventCode` (a string or an asymmetric matcher).
   * @example await expect(fleet.cpe(1)).toHaveInformed('6 CONNECTION REQUEST')
   */
  toHaveInformed(eventCode: string | AsymmetricLike, options?: ToHaveInformedOptions): Promise<R>;
  /**
   * On a `Cpe` or a `Fleet`: the CPE received the RPC `name` (an ACS RPC name such as
   * `'GetParameterValues'`: a misspelt one does not compile) from the ACS and the
   * parsed request partially matches `partial` (asymmetric matchers allowed).
   * @example await expect(cpe).toHaveReceivedRpc('SetParameterValues', { parameterList: [{ name: 'Device.X', value: '1' }] })
   */
  toHaveReceivedRpc(name: AcsRpcName | AsymmetricLike, partial?: object, options?: ToHaveReceivedRpcOptions): Promise<R>;
  /**
   * On a `Cpe`: waits up to `timeout` (default 2000 ms) for a run of the diagnostic
   * `name` (`'IPPing'`, `'TraceRoute'`, `'DownloadDiagnostics'`, …) that ended in its
   * complete state and was reported with `8 DIAGNOSTICS COMPLETE`.
   * @example await expect(fleet.cpe(1)).toHaveCompletedDiagnostic('IPPing')
   */
  toHaveCompletedDiagnostic(name: string, options?: ToHaveCompletedDiagnosticOptions): Promise<R>;
  /**
   * On a `Cpe`: the parameter at `path` holds `value` now.
   * @example expect(cpe).toHaveParameterValue('Device.ManagementServer.PeriodicInformInterval', '60')
   */
  toHaveParameterValue(path: string, value: string | AsymmetricLike): R;
  /** On a `Cpe` or a `Fleet` (total): exactly `n` sessions ended successfully. */
  toHaveCompletedSessions(n: number | AsymmetricLike): R;
  /**
   * On a `Cpe` or a `Fleet` (any CPE): a TransferComplete with these fields was sent and
   * acknowledged by the ACS.
   * @example expect(fleet.cpe(1)).toHaveCompletedTransfer({ commandKey: 'fw-1', faultCode: 0 })
   */
  toHaveCompletedTransfer(expected?: CompletedTransferExpectation): R;
  /**
   * On a `Cpe`: the running firmware version (`transfer.firmware.versionPath`, else
   * `DeviceInfo.SoftwareVersion`) is `version`.
   * @example expect(fleet.cpe(1)).toHaveFirmware('7.2.1')
   */
  toHaveFirmware(version: string | AsymmetricLike): R;
  /**
   * On a `Cpe`: the deployment unit (app) `name` is installed now (TR-157, ChangeDUState),
   * with these fields when given. The failure message lists what is installed.
   * @example expect(fleet.cpe(1)).toHaveInstalledModule('demo-app', { version: '2.1.0' })
   */
  toHaveInstalledModule(name: string | AsymmetricLike, expected?: InstalledModuleExpectation): R;
  /** On a CR response: 503 with a whole-seconds Retry-After (optionally equal to `retryAfter`). */
  toBeThrottled(options?: { retryAfter?: number | AsymmetricLike } & Omit<ToBeThrottledOptions, 'retryAfter'>): R;
  /** On a CR response: 401, with a WWW-Authenticate challenge of `scheme` (`false`: no challenge). */
  toBeUnauthorized(options?: ToBeUnauthorizedOptions): R;
  /** On a CR response: 200 or 204. */
  toBeAccepted(): R;
  /**
   * On a `Fleet`: a Connection Request by `path` (`'http'`, `'udp'` Annex G, `'xmpp'`
   * Annex K) was accepted for the CPE (`{ cpe }`, default any) and a
   * `6 CONNECTION REQUEST` session followed; waits up to `timeout` (default 5000 ms).
   * @example await expect(fleet).toHaveWokenVia('udp', { cpe: 'cpe-2' })
   */
  toHaveWokenVia(path: WakePath, options?: ToHaveWokenViaOptions): Promise<R>;
  /**
   * On a `FakeUspController` (the `controller` fixture): waits up to `timeout` (default
   * 5000 ms) for a Notify carrying the event `what` (`'Boot!'`, `'Device.Boot!'`) or of
   * the kind `what` (`'ValueChange'`, `'ObjectCreation'`, `'ObjectDeletion'`,
   * `'OperationComplete'`, `'OnBoardRequest'`, `'Event'`), from `agent` (EndpointID or
   * `cpe-N`; default any). The failure message shows the USP transcript.
   * @example await expect(controller).toHaveNotified('Boot!', { agent: 'cpe-1', notify: { event: { params: { Cause: 'LocalReboot' } } } })
   */
  toHaveNotified(what: string, options?: ToHaveNotifiedOptions): Promise<R>;
  /**
   * On a `FakeUspController`: waits for a ValueChange Notify of `path` (with `value`
   * when given; strings or asymmetric matchers).
   * @example await expect(controller).toHaveValueChange('Device.WiFi.SSID.1.SSID', 'lab', { agent: 'cpe-1' })
   */
  toHaveValueChange(path: string | AsymmetricLike, value?: string | AsymmetricLike, options?: ToHaveNotifiedOptions): Promise<R>;
  /**
   * On an error (use with `.rejects`): a USP error (`UspError`, `UspErrorResponse`)
   * with TR-369 err_code `errCode` (any code when omitted).
   * @example await expect(controller.get('cpe-1', 'Device.Nope.')).rejects.toBeUspError(7026)
   */
  toBeUspError(errCode?: number | AsymmetricLike): R;
}

/** An asymmetric matcher (`expect.any(String)`, `expect.stringMatching(/x/)`), as both runners shape it. */
export interface AsymmetricLike {
  asymmetricMatch(other: unknown): boolean;
}
