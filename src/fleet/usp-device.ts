/**
 * A `Cpe` seen as a {@link UspDevice} (contract seam 4): the USP agent's commands act
 * on the same box the CWMP stack runs, so a USP `Device.Reboot()` is seen by the ACS as
 * `1 BOOT` + `M Reboot`, a `Device.FactoryReset()` as `0 BOOTSTRAP`, and the agent
 * mirrors every power, link and reboot change of the box.
 * @module
 */
import { diagnosticName, sameDiagnostic, type Cpe } from '../cpe/index.js';
import type { UspBootCause, UspDevice, UspDiagnosticResult, UspLifecycleEvent, UspTransferSettings } from '../usp/index.js';
import { UspError } from '../usp/index.js';
import { withListener, withoutListener, type ListenerList } from '../listeners/index.js';

/**
 * Adapts one CPE. Boot causes: what the USP command asked (Remote…, its command key);
 * otherwise a power cycle, a CWMP Reboot or a firmware apply is `LocalReboot` and a
 * factory reset `LocalFactoryReset`. `firmwareUpdated` is true whenever the firmware
 * version leaf differs from the one the box went dark with.
 */
export function uspDeviceOf(cpe: Cpe): UspDevice {
  return new CpeUspDevice(cpe);
}

const ignore = (): undefined => undefined;

/**
 * The adapter of {@link uspDeviceOf}: a class, so its methods live once on the prototype
 * (issue 21: 10,000 agents each held a dozen closures and a dictionary-mode object, ~1.5 KB).
 */
class CpeUspDevice implements UspDevice {
  private listeners: ListenerList<UspLifecycleEvent> | undefined;
  /** The boot cause the last USP command asked for, until the box comes up. */
  private asked: UspBootCause | undefined;
  private versionAtDown: string | undefined;
  private off: (() => void) | undefined;

  constructor(private readonly cpe: Cpe) {}

  get up(): boolean {
    return this.cpe.poweredOn;
  }

  private emit(e: UspLifecycleEvent): void {
    for (const l of this.listeners ?? []) l(e);
  }

  private readonly onCpe = (e: { kind: 'down' | 'up'; reason: UspLifecycleEvent['why'] }): void => {
    const { cpe } = this;
    if (e.kind === 'down') {
      this.versionAtDown = cpe.firmwareVersion;
      this.emit({ kind: 'down', why: e.reason });
      return;
    }
    if (e.reason === 'link') {
      this.emit({ kind: 'up', why: 'link' });
      return;
    }
    const boot: UspBootCause = this.asked ?? { cause: e.reason === 'factoryReset' ? 'LocalFactoryReset' : 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: false };
    this.asked = undefined;
    const updated = boot.firmwareUpdated || (this.versionAtDown !== undefined && cpe.firmwareVersion !== this.versionAtDown);
    this.emit({ kind: 'up', why: e.reason, boot: { ...boot, firmwareUpdated: updated } });
  };

  onLifecycle(listener: (e: UspLifecycleEvent) => void): () => void {
    this.listeners = withListener(this.listeners, listener);
    this.off ??= this.cpe.onLifecycle(this.onCpe);
    return () => {
      this.listeners = withoutListener(this.listeners, listener);
      if (this.listeners === undefined) {
        this.off?.();
        this.off = undefined;
      }
    };
  }

  reboot(boot: UspBootCause): void {
    this.asked = boot;
    // The boot session's outcome is the CWMP side's business (a USP-only box has no ACS).
    this.cpe.reboot({ commandKey: boot.commandKey }).catch(ignore);
  }

  factoryReset(boot: UspBootCause): void {
    this.asked = boot;
    this.cpe.factoryReset().catch(ignore);
  }

  activateFirmware(version: string, boot: UspBootCause, cwmp?: { rebootCommandKey?: string }): void {
    this.asked = boot;
    this.cpe.reboot({ firmwareVersion: version, ...(cwmp?.rebootCommandKey !== undefined ? { commandKey: cwmp.rebootCommandKey } : {}) }).catch(ignore);
  }

  firmwareVersion(): string | undefined {
    return this.cpe.firmwareVersion;
  }

  transferSettings(): UspTransferSettings {
    return this.cpe.transferSettings;
  }

  idle(): boolean {
    // A CWMP session in progress (or waiting to start) is the box at work.
    return this.cpe.poweredOn && !this.cpe.busy;
  }

  diagnostics(): readonly { name: string; objectPath: string }[] {
    return this.cpe.template.profile.diagnostics.map((d) => {
      const name = diagnosticName(d.statePath);
      const object = d.statePath.slice(0, d.statePath.lastIndexOf('.'));
      return { name, objectPath: object.slice(0, object.length - name.length) };
    });
  }

  runDiagnostic(name: string, inputs: Record<string, string>): Promise<UspDiagnosticResult> {
    const { cpe } = this;
    const def = cpe.template.profile.diagnostics.find((d) => sameDiagnostic(name, diagnosticName(d.statePath)));
    if (def === undefined) return Promise.reject(new UspError(7026, `${cpe.id} has no ${name} diagnostics`));
    const tree = cpe.params;
    const base = def.statePath.slice(0, def.statePath.lastIndexOf('.') + 1);
    try {
      // Inputs are the diagnostics object's own leaves (TR-181: IPPing() Host ↔ IPPing.Host).
      for (const [k, v] of Object.entries(inputs)) if (k !== 'DiagnosticsState' && tree.has(`${base}${k}`)) tree.setInternal(`${base}${k}`, v);
    } catch (err) {
      return Promise.reject(new UspError(7027, `${name}(): ${err instanceof Error ? err.message : String(err)}`));
    }
    return new Promise<UspDiagnosticResult>((resolve) => {
      const stop = tree.onChange((c) => {
        if (c.path !== def.statePath || c.newValue === def.trigger) return;
        stop();
        const results: Record<string, string> = {};
        for (const v of tree.getValues([base])) if (v.name !== def.statePath && !Object.hasOwn(inputs, v.name.slice(base.length))) results[v.name.slice(base.length)] = v.value;
        resolve({ state: c.newValue, results });
      });
      // Started as a management write, as a USP Set of DiagnosticsState would (a run
      // already requested is simply awaited).
      if (tree.getValue(def.statePath) !== def.trigger) tree.setValues([{ name: def.statePath, value: def.trigger }], 'usp');
    });
  }
}
