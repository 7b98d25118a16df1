/**
 * What the USP side needs from the device it runs on (contract seam 4), without
 * importing `cpe/`: its lifecycle (the agent mirrors power, link and reboots), the
 * commands that act on the box (Reboot(), FactoryReset(), firmware activation) and,
 * where the profile has them, diagnostics. `fleet/` adapts a `Cpe` to it.
 * @module
 */

/** `Device.Boot!` Cause values (TR-181 2.19; `FactoryReset` when local/remote is unknown). */
export type UspBootCauseName = 'LocalReboot' | 'RemoteReboot' | 'LocalFactoryReset' | 'RemoteFactoryReset' | 'FactoryReset';

/** Why the agent (re)starts: what `Boot!` reports (usp-notes §7.2). */
export interface UspBootCause {
  cause: UspBootCauseName;
  /** The causing Operate's command_key, else ''. */
  commandKey: string;
  /** Reboot()/FactoryReset() input `Reason`, else 'Unknown'. */
  reason: string;
  /** True when the running firmware image changed with this boot. */
  firmwareUpdated: boolean;
}

/** What made the device unreachable or reachable again. */
export type UspLifecycleReason = 'power' | 'link' | 'reboot' | 'factoryReset' | 'firmware';

/**
 * The device's lifecycle as the agent mirrors it. `down`: drop the MTP silently.
 * `up` with `boot`: the agent restarted (§7.1): reconnect, then Boot!; `up` without
 * `boot`: the uplink came back, reconnect only.
 */
export type UspLifecycleEvent = { kind: 'down'; why: UspLifecycleReason } | { kind: 'up'; why: UspLifecycleReason; boot?: UspBootCause };

/** A diagnostics run a USP command asked for (IPPing() …): the final state and result leaves. */
export interface UspDiagnosticResult {
  /** The diagnostics state it ended in (`Complete`, `Error_…`). */
  state: string;
  /** Result leaves, names relative to the diagnostics object (`AverageResponseTime`). */
  results: Record<string, string>;
}

/** How the device fetches files (firmware images, DU manifests): the settings its CWMP transfers use too. */
export interface UspTransferSettings {
  /** Idle timeout of the HTTP client, real ms (connect, response head, between chunks). */
  readonly timeoutMs: number;
  /** Extra trusted CA certificate(s), PEM, for `https:` file servers; Node's store otherwise. */
  readonly ca?: string | Buffer;
}

/** The device under a USP agent (contract seam 4). */
export interface UspDevice {
  /** False while powered off, rebooting or its uplink is down. */
  readonly up: boolean;
  /** Lifecycle listener, called synchronously in registration order; returns unsubscribe. */
  onLifecycle(listener: (e: UspLifecycleEvent) => void): () => void;
  /** Device.Reboot(): goes down soon after and comes back with `boot`. */
  reboot(boot: UspBootCause): void;
  /** Device.FactoryReset(): the tree back to the profile, down, back with `boot`. */
  factoryReset(boot: UspBootCause): void;
  /**
   * Reboots into firmware `version` (written while down); comes back with `boot`
   * (firmwareUpdated true). `cwmp.rebootCommandKey`: it was a Reboot() (BootFirmwareImage
   * named the image), so CWMP also sees `M Reboot` with that key.
   */
  activateFirmware(version: string, boot: UspBootCause, cwmp?: { rebootCommandKey?: string }): void;
  /** The running firmware version, if the tree has a version leaf. */
  firmwareVersion(): string | undefined;
  /**
   * Runs the diagnostics the profile declares under the object named `name`
   * (`IPPing`, `TraceRoute`, `DownloadDiagnostics` …) with `inputs` written first.
   * Absent when the device has no diagnostics.
   */
  runDiagnostic?(name: string, inputs: Record<string, string>): Promise<UspDiagnosticResult>;
  /**
   * The device's file-transfer settings (the CWMP Download's), read at each fetch.
   * Absent: a 30 s idle timeout and Node's trust store.
   */
  transferSettings?(): UspTransferSettings;
  /**
   * True when the device is idle (no management session running or waiting): what a
   * firmware `Activate()` TimeWindow with Mode `WhenIdle` waits for. Absent: always idle.
   */
  idle?(): boolean;
  /** Names of the diagnostics the device can run (for Operate resolution). */
  diagnostics?(): readonly { name: string; objectPath: string }[];
}

/** The cause of a start nobody asked for (the first power-on). */
export const LOCAL_BOOT: Readonly<UspBootCause> = Object.freeze({ cause: 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: false });
