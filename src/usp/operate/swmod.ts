/**
 * Software modules as USP commands (TR-181 2.19 `Device.SoftwareModules.`):
 * `InstallDU()`, `DeploymentUnit.{i}.Update()` and `DeploymentUnit.{i}.Uninstall()`,
 * each asynchronous with its Request row, over the TR-157 lifecycle of `swmod/` (the
 * one CWMP's ChangeDUState uses, so both protocols see the same DU/EU rows). Each
 * operation also reports `DUStateChange!` on the SoftwareModules object.
 * @module
 */
import { httpManifestFetcher, installDu, uninstallDu, updateDu, type DuResult, type SwmodContext } from '../../swmod/index.js';
import type { UspMap } from '../types.js';
import { transferSettingsOf } from './firmware.js';
import { CommandFailure, type CommandDef, type CommandRun, type OperationsHost } from './index.js';

const OPERATION: Readonly<Record<DuResult['op'], string>> = { install: 'Install', update: 'Update', uninstall: 'Uninstall' };

/** The three commands, when the profile enables software modules (`softwareModules`). */
export function swmodCommands(host: OperationsHost): CommandDef[] {
  const config = host.template.profile.softwareModules;
  if (config === undefined) return [];
  const root = config.path;
  const context = (r: CommandRun): SwmodContext => ({
    tree: host.tree,
    config,
    // The manifest GET uses the box's transfer settings, as CWMP's ChangeDUState does.
    fetch: httpManifestFetcher(transferSettingsOf(host.device)),
    now: () => host.scheduler.clock.now(),
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        const job = host.scheduler.after(ms, resolve);
        r.signal.addEventListener('abort', () => (job.cancel(), reject(r.signal.reason as Error)), { once: true });
      }),
    signal: r.signal,
  });
  /** DUStateChange! (TR-181) on the SoftwareModules object, then the command's outcome. */
  const finish = (result: DuResult): UspMap => {
    host.notifications.event(root, 'DUStateChange!', {
      UUID: result.uuid,
      DeploymentUnitRef: result.deploymentUnitRef,
      Version: result.version,
      CurrentState: result.currentState,
      Resolved: String(result.resolved),
      ExecutionUnitRefList: result.executionUnitRefs.join(','),
      StartTime: result.startTime,
      CompleteTime: result.completeTime,
      OperationPerformed: OPERATION[result.op],
      'Fault.FaultCode': String(result.fault?.uspCode ?? 0),
      'Fault.FaultString': result.fault?.message ?? '',
    });
    if (result.fault) throw new CommandFailure(result.fault.uspCode, result.fault.message);
    return {};
  };
  const row = (r: CommandRun, leaf: string): string => host.tree.getValue(`${r.objPath}${leaf}`) ?? '';
  return [
    {
      path: `${root}InstallDU()`,
      async: true,
      input: ['URL', 'UUID', 'Username', 'Password', 'ExecutionEnvRef'],
      output: [],
      mandatory: ['URL'],
      run: async (r) => {
        const i = r.inputs;
        return finish(
          await installDu(context(r), {
            op: 'install',
            url: i.URL ?? '',
            ...(i.UUID ? { uuid: i.UUID } : {}),
            ...(i.ExecutionEnvRef ? { executionEnvRef: i.ExecutionEnvRef } : {}),
            ...(i.Username ? { username: i.Username } : {}),
            ...(i.Password ? { password: i.Password } : {}),
          }),
        );
      },
    },
    {
      path: `${root}DeploymentUnit.{i}.Update()`,
      async: true,
      input: ['URL', 'Username', 'Password'],
      output: [],
      mandatory: [],
      run: async (r) => {
        const i = r.inputs;
        return finish(
          await updateDu(context(r), {
            op: 'update',
            uuid: row(r, 'UUID'),
            // The command names one DU row, so one version (several may share the UUID).
            version: row(r, 'Version'),
            ...(i.URL ? { url: i.URL } : {}),
            ...(i.Username ? { username: i.Username } : {}),
            ...(i.Password ? { password: i.Password } : {}),
          }),
        );
      },
    },
    {
      path: `${root}DeploymentUnit.{i}.Uninstall()`,
      async: true,
      input: [],
      output: [],
      mandatory: [],
      run: async (r) => finish(await uninstallDu(context(r), { op: 'uninstall', uuid: row(r, 'UUID'), version: row(r, 'Version') })),
    },
  ];
}
