/**
 * Commands on the device itself and on the agent's own tables: `Device.Reboot()`,
 * `Device.FactoryReset()` (usp-notes §7.4: synchronous, answered first, then done),
 * `Device.LocalAgent.Request.{i}.Cancel()` (R-OPR.3) and
 * `Device.LocalAgent.Controller.{i}.SendOnBoardRequest()` (§7.3).
 * @module
 */
import type { UspBootCause, UspBootCauseName } from '../device.js';
import { LOCAL_AGENT_PATHS } from '../subscriptions.js';
import { CommandFailure, type CommandDef, type OperationsHost, type UspOperations } from './index.js';

const REBOOT_CAUSES: readonly UspBootCauseName[] = ['LocalReboot', 'RemoteReboot'];
const RESET_CAUSES: readonly UspBootCauseName[] = ['LocalFactoryReset', 'RemoteFactoryReset', 'FactoryReset'];

function causeOf(input: string | undefined, allowed: readonly UspBootCauseName[], fallback: UspBootCauseName): UspBootCauseName {
  if (input === undefined || input === '') return fallback;
  if ((allowed as readonly string[]).includes(input)) return input as UspBootCauseName;
  throw new CommandFailure(7027, `input argument Cause must be one of ${allowed.join(', ')}, got ${JSON.stringify(input)}`);
}

/** Reboot() / FactoryReset(): inputs Cause (default `fallback`) and Reason; `act` runs after the answer. */
function powerCommand(path: string, causes: readonly UspBootCauseName[], fallback: UspBootCauseName, act: (boot: UspBootCause) => void): CommandDef {
  return {
    path,
    async: false,
    input: ['Cause', 'Reason'],
    output: [],
    mandatory: [],
    run: (r) => {
      causeOf(r.inputs.Cause, causes, fallback);
      return Promise.resolve({});
    },
    after: (r) => act({ cause: causeOf(r.inputs.Cause, causes, fallback), commandKey: r.commandKey, reason: r.inputs.Reason || 'Unknown', firmwareUpdated: false }),
  };
}

/** The device and LocalAgent commands. */
export function deviceCommands(host: OperationsHost, ops: Pick<UspOperations, 'cancel'>, rebootInto: (boot: UspBootCause) => boolean = () => false): CommandDef[] {
  const { device, tree } = host;
  return [
    // usp-notes §7.4: synchronous; a bad Cause is refused before answering, so nothing happens.
    // §7.5: with BootFirmwareImage naming another bank, the reboot boots that image.
    powerCommand('Device.Reboot()', REBOOT_CAUSES, 'RemoteReboot', (boot) => rebootInto(boot) || device.reboot(boot)),
    powerCommand('Device.FactoryReset()', RESET_CAUSES, 'RemoteFactoryReset', (boot) => device.factoryReset(boot)),
    {
      path: `${LOCAL_AGENT_PATHS.request}{i}.Cancel()`,
      async: false,
      input: [],
      output: [],
      mandatory: [],
      run: (r) => {
        if (!ops.cancel(r.objPath)) throw new CommandFailure(7022, `${r.objPath.slice(0, -1)} has nothing running to cancel`);
        return Promise.resolve({});
      },
    },
    {
      path: `${LOCAL_AGENT_PATHS.controller}{i}.SendOnBoardRequest()`,
      async: false,
      input: [],
      output: [],
      mandatory: [],
      run: (r) => {
        const endpointId = tree.getValue(`${r.objPath}EndpointID`) ?? '';
        if (endpointId === '') throw new CommandFailure(7022, `${r.objPath}EndpointID is empty: no Controller to send an OnBoardRequest to`);
        if (tree.has(`${r.objPath}OnBoardingComplete`)) tree.setInternal(`${r.objPath}OnBoardingComplete`, 'false');
        host.notifications.sendOnBoardRequest(endpointId);
        return Promise.resolve({});
      },
    },
  ];
}
