/**
 * Two TR-181 read/boot rules on a dual-stack box (mesh-router, the embedded aedes broker,
 * the fake ACS on 127.0.0.1), compressed simulated time, nothing timed:
 * - `Device.DeviceInfo.BootFirmwareImage` is the image every boot loads: a CWMP Reboot
 *   RPC and a power cycle boot the bank it names, and the boot Inform's SoftwareVersion
 *   (and USP Boot!) report that image's version;
 * - `Device.SoftwareModules.ExecutionUnit.{i}.RequestedState` is "always an empty string
 *   when read" (TR-181 command parameter): CWMP GPV and USP Get read "" while writes over
 *   both protocols still stop and start the unit.
 */
import { describe, expect } from 'vitest';
import { meshRouterFetchingFirmware } from '../support/profile.js';
import { withCpeFleet } from '../../src/testing/vitest.js';
import type { Fleet } from '../../src/fleet/index.js';
import type { FakeUspController } from '../../src/controller/index.js';
import type { FakeAcs } from '../../src/acs/index.js';
import { demoManifest } from '../swmod/helpers.js';

const FW = 'Device.DeviceInfo.FirmwareImage.';
const VERSION = 'Device.DeviceInfo.SoftwareVersion';
const BOOT_IMAGE = 'Device.DeviceInfo.BootFirmwareImage';

const test = withCpeFleet({ profile: await meshRouterFetchingFirmware(), count: 1, usp: true, timeScale: 0.001 });

/** Runs an async USP command to its OperationComplete. */
async function runAsync(controller: FakeUspController, obj: string, command: string, args: Record<string, string>, commandKey: string): Promise<void> {
  await controller.subscribe('cpe-1', { id: `oc-${commandKey}`, notifType: 'OperationComplete', referenceList: obj });
  const since = Date.now();
  await controller.operate('cpe-1', `${obj}${command}`, args, { commandKey });
  const done = await controller.waitForNotify('cpe-1', (n) => n.oper_complete?.command_key === commandKey, { since, timeoutMs: 15_000 });
  expect(done.notify.oper_complete?.operation_resp).toBe('req_output_args');
}

/** Bank 2 holds image `version` (downloaded, not activated) and BootFirmwareImage names it. */
async function bank2Holds(acs: FakeAcs, controller: FakeUspController, version: string): Promise<void> {
  await runAsync(controller, FW, '2.Download()', { URL: acs.files.serve(`mesh-${version}.img`, { image: { version } }), AutoActivate: 'false' }, `dl-${version}`);
  await controller.set('cpe-1', { 'Device.DeviceInfo.': { BootFirmwareImage: `${FW}2` } });
}

/** Sends `rpc` in a session the CPE opens now; resolves with the CPE's answer. */
async function cwmp<R extends Parameters<FakeAcs['rpc']>[1]>(fleet: Fleet, acs: FakeAcs, rpc: R) {
  const answer = acs.rpc('cpe-1', rpc, { timeoutMs: 15_000 });
  await fleet.cpe(1).inform(['2 PERIODIC']);
  return answer;
}

describe('BootFirmwareImage is honoured by every reboot (TR-181 DeviceInfo.BootFirmwareImage)', () => {
  test('a CWMP Reboot RPC boots bank 2: the boot Inform reports its version, Boot! FirmwareUpdated true, the banks switch', async ({ fleet, acs, controller }) => {
    const before = fleet.cpe(1).firmwareVersion;
    await bank2Holds(acs, controller, '6.2.0');
    expect(fleet.cpe(1).firmwareVersion).toBe(before);
    await controller.subscribe('cpe-1', { id: 'boot', notifType: 'Event', referenceList: 'Device.Boot!', persistent: true });
    const since = Date.now();
    expect(await cwmp(fleet, acs, { name: 'Reboot', commandKey: 'rb-cwmp' })).toMatchObject({ name: 'RebootResponse' });
    const inform = await acs.waitForInform({ cpe: 'cpe-1', event: 'M Reboot' }, { since, timeoutMs: 15_000 });
    expect(inform.events).toEqual(expect.arrayContaining([{ eventCode: '1 BOOT', commandKey: '' }, { eventCode: 'M Reboot', commandKey: 'rb-cwmp' }]));
    expect(inform.parameters).toContainEqual(expect.objectContaining({ name: VERSION, value: '6.2.0' }));
    const boot = await controller.waitForNotify('cpe-1', (n) => n.event?.event_name === 'Boot!', { since, timeoutMs: 15_000 });
    expect(boot.notify.event!.params).toMatchObject({ Cause: 'LocalReboot', FirmwareUpdated: 'true' });
    expect(await controller.getValues('cpe-1', ['Device.DeviceInfo.ActiveFirmwareImage', BOOT_IMAGE, `${FW}1.Status`, `${FW}1.Version`, `${FW}2.Status`])).toEqual({
      'Device.DeviceInfo.ActiveFirmwareImage': `${FW}2`,
      [BOOT_IMAGE]: `${FW}2`,
      [`${FW}1.Status`]: 'Available',
      [`${FW}1.Version`]: before,
      [`${FW}2.Status`]: 'Active',
    });
  });

  test('a power cycle boots it too; BootFirmwareImage naming the running bank keeps the running image', async ({ fleet, acs, controller }) => {
    const before = fleet.cpe(1).firmwareVersion!;
    const cpe = fleet.cpe(1);
    // Naming the running bank: a power cycle boots what runs.
    await controller.set('cpe-1', { 'Device.DeviceInfo.': { BootFirmwareImage: `${FW}1` } });
    expect(cpe.powerOff()).toBe(true);
    let since = Date.now();
    await cpe.powerOn();
    let inform = await acs.waitForInform({ cpe: 'cpe-1', event: '1 BOOT' }, { since, timeoutMs: 15_000 });
    expect(inform.parameters).toContainEqual(expect.objectContaining({ name: VERSION, value: before }));

    await bank2Holds(acs, controller, '6.3.0');
    expect(cpe.powerOff()).toBe(true);
    since = Date.now();
    await cpe.powerOn();
    inform = await acs.waitForInform({ cpe: 'cpe-1', event: '1 BOOT' }, { since, timeoutMs: 15_000 });
    expect(inform.parameters).toContainEqual(expect.objectContaining({ name: VERSION, value: '6.3.0' }));
    expect(cpe.firmwareVersion).toBe('6.3.0');
    await controller.waitForAgent('cpe-1', { timeoutMs: 15_000 });
    expect(await controller.getValues('cpe-1', ['Device.DeviceInfo.ActiveFirmwareImage', `${FW}2.Status`, `${FW}1.Status`])).toEqual({ 'Device.DeviceInfo.ActiveFirmwareImage': `${FW}2`, [`${FW}2.Status`]: 'Active', [`${FW}1.Status`]: 'Available' });
  });
});

describe('ExecutionUnit.{i}.RequestedState reads as "" (TR-181: "always an empty string when read")', () => {
  test('CWMP GPV and USP Get read ""; an SPV and a USP Set still stop and start the unit', async ({ fleet, acs, controller }) => {
    await runAsync(controller, 'Device.SoftwareModules.', 'InstallDU()', { URL: acs.files.serve('demo-1.yaml', demoManifest()) }, 'du-1');
    const eu = (await controller.getInstances('cpe-1', 'Device.SoftwareModules.ExecutionUnit.')).req_path_results[0]!.curr_insts[0]!.instantiated_obj_path;
    const requested = `${eu}RequestedState`;
    const cpe = fleet.cpe(1);

    expect(await cwmp(fleet, acs, { name: 'SetParameterValues', parameterList: [{ name: requested, value: 'Idle', type: 'xsd:string' }], parameterKey: 'stop' })).toMatchObject({ name: 'SetParameterValuesResponse', status: 0 });
    await expect.poll(() => cpe.params.getValue(`${eu}Status`), { timeout: 15_000 }).toBe('Idle');
    const gpv = await cwmp(fleet, acs, { name: 'GetParameterValues', parameterNames: [requested, `${eu}Status`] });
    expect(gpv).toMatchObject({ name: 'GetParameterValuesResponse', parameterList: [{ name: requested, value: '' }, { name: `${eu}Status`, value: 'Idle' }] });
    expect(await controller.getValues('cpe-1', [requested, `${eu}Status`])).toEqual({ [requested]: '', [`${eu}Status`]: 'Idle' });

    await controller.set('cpe-1', { [eu]: { RequestedState: 'Active' } });
    await expect.poll(() => cpe.params.getValue(`${eu}Status`), { timeout: 15_000 }).toBe('Active');
    expect(await controller.getValues('cpe-1', requested)).toEqual({ [requested]: '' });
    const again = await cwmp(fleet, acs, { name: 'GetParameterValues', parameterNames: [requested] });
    expect(again).toMatchObject({ parameterList: [{ name: requested, value: '' }] });
  });
});
