/**
 * A `Cpe` seen as a {@link UspDevice} (contract seam 4): the USP agent's commands act
 * on the same box the CWMP stack runs, so a USP `Device.Reboot()` is seen by the ACS as
 * `1 BOOT` + `M Reboot`, a `Device.FactoryReset()` as `0 BOOTSTRAP`, and the agent
 * mirrors every power, link and reboot change of the box.
 * @module
 */
import { diagnosticName, sameDiagnostic, type Cpe } from '../cpe/index.js';
import type { UspBootCause, UspDevice, UspDiagnosticResult, UspLifecycleEvent } from '../usp/index.js';
import { UspError } from '../usp/index.js';

/**
 * Adapts one CPE. Boot causes: what the USP command asked (Remote…, its command key);
 * otherwise a power cycle, a CWMP Reboot or a firmware apply is `LocalReboot` and a
 * factory reset `LocalFactoryReset`. `firmwareUpdated` is true whenever the firmware
 * version leaf differs from the one the box went dark with.
 */
export function uspDeviceOf(cpe: Cpe): UspDevice {
  const listeners = new Set<(e: UspLifecycleEvent) => void>();
  let asked: UspBootCause | undefined;
  let versionAtDown: string | undefined;
  let off: (() => void) | undefined;
  const emit = (e: UspLifecycleEvent): void => {
    for (const l of [...listeners]) l(e);
  };
  const onCpe = (e: { kind: 'down' | 'up'; reason: UspLifecycleEvent['why'] }): void => {
    if (e.kind === 'down') {
      versionAtDown = cpe.firmwareVersion;
      emit({ kind: 'down', why: e.reason });
      return;
    }
    if (e.reason === 'link') {
      emit({ kind: 'up', why: 'link' });
      return;
    }
    const boot: UspBootCause = asked ?? { cause: e.reason === 'factoryReset' ? 'LocalFactoryReset' : 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: false };
    asked = undefined;
    const updated = boot.firmwareUpdated || (versionAtDown !== undefined && cpe.firmwareVersion !== versionAtDown);
    emit({ kind: 'up', why: e.reason, boot: { ...boot, firmwareUpdated: updated } });
  };
  const ignore = (): undefined => undefined;
  const profile = cpe.template.profile;

  return {
    get up() {
      return cpe.poweredOn;
    },
    onLifecycle(listener) {
      listeners.add(listener);
      off ??= cpe.onLifecycle(onCpe);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          off?.();
          off = undefined;
        }
      };
    },
    reboot(boot) {
      asked = boot;
      // The boot session's outcome is the CWMP side's business (a USP-only box has no ACS).
      cpe.reboot({ commandKey: boot.commandKey }).catch(ignore);
    },
    factoryReset(boot) {
      asked = boot;
      cpe.factoryReset().catch(ignore);
    },
    activateFirmware(version, boot, cwmp) {
      asked = boot;
      cpe.reboot({ firmwareVersion: version, ...(cwmp?.rebootCommandKey !== undefined ? { commandKey: cwmp.rebootCommandKey } : {}) }).catch(ignore);
    },
    firmwareVersion() {
      return cpe.firmwareVersion;
    },
    transferSettings() {
      return cpe.transferSettings;
    },
    idle() {
      // A CWMP session in progress (or waiting to start) is the box at work.
      return cpe.poweredOn && !cpe.busy;
    },
    diagnostics() {
      return profile.diagnostics.map((d) => {
        const name = diagnosticName(d.statePath);
        const object = d.statePath.slice(0, d.statePath.lastIndexOf('.'));
        return { name, objectPath: object.slice(0, object.length - name.length) };
      });
    },
    runDiagnostic(name, inputs) {
      const def = profile.diagnostics.find((d) => sameDiagnostic(name, diagnosticName(d.statePath)));
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
    },
  };
}
