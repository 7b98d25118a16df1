/**
 * Every USP command end to end, as a Controller developer would test them: a dual-stack
 * fleet (`withCpeFleet({ usp: true })`, the embedded aedes broker) driven by the fake
 * Controller's `operate(...)`, files from the fake ACS's real file server, the CWMP side
 * watched through the fake ACS. Simulated time is compressed (timeScale), never timed.
 */
import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { withCpeFleet } from '../../src/testing/vitest.js';
import type { FakeUspController, UspNotifyRecord } from '../../src/controller/index.js';
import type { FakeAcs } from '../../src/acs/index.js';
import { demoManifest, DEMO_UUID } from '../swmod/helpers.js';
import { meshRouterFetchingFirmware, withBootSubscription } from '../support/profile.js';

const FW = 'Device.DeviceInfo.FirmwareImage.';
const VERSION = 'Device.DeviceInfo.SoftwareVersion';
const SM = 'Device.SoftwareModules.';

const test = withCpeFleet({ profile: await meshRouterFetchingFirmware(), count: 1, usp: true, timeScale: 0.001 });

// The same box with a Boot! subscription provisioned: a factory reset brings it back, so the Boot! after the reset has a recipient.
const provisioned = withCpeFleet({ profile: withBootSubscription(await meshRouterFetchingFirmware()), count: 1, usp: true, timeScale: 0.001 });

/** Subscribes to Boot! (persistent: it must outlive the reboot it reports, usp-notes §7.2). */
async function watchBoot(controller: FakeUspController): Promise<void> {
  await controller.subscribe('cpe-1', { id: 'boot', notifType: 'Event', referenceList: 'Device.Boot!', persistent: true });
}

/** The next Notify of the agent matching `pred` received after `since`. */
function next(controller: FakeUspController, since: number, pred: (r: UspNotifyRecord) => boolean, what: string): Promise<UspNotifyRecord> {
  return controller.waitForNotify('cpe-1', (_n, r) => pred(r), { since, timeoutMs: 15_000 }).catch((err: unknown) => {
    throw new Error(`no ${what}: ${err instanceof Error ? err.message : String(err)}\n${controller.transcript('cpe-1', { max: 30 })}`);
  });
}

/**
 * Runs one async command and returns its OperationComplete, checking its Request row on
 * the way (`reboots`: the command reboots the device once it completed, so the row is
 * not read afterwards: the agent is down for a while).
 */
async function runAsync(controller: FakeUspController, command: string, args: Record<string, string>, commandKey: string, reboots = false) {
  const since = Date.now();
  const resp = await controller.operate('cpe-1', command, args, { commandKey });
  const result = resp!.operation_results[0]!;
  expect(result).toMatchObject({ executed_command: command, operation_resp: 'req_obj_path' });
  expect(result.req_obj_path).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
  const done = await next(controller, since, (r) => r.notify.oper_complete?.command_key === commandKey, `OperationComplete of ${command}`);
  if (reboots) return done.notify.oper_complete!;
  // The row is gone once the command ended (R-OPR.2).
  expect((await controller.getInstances('cpe-1', 'Device.LocalAgent.Request.')).req_path_results[0]!.curr_insts.map((i) => i.instantiated_obj_path)).not.toContain(result.req_obj_path);
  return done.notify.oper_complete!;
}

/** Resolves once the agent sent its mqtt_connect record again after `since` (it is back after a restart). */
async function reconnectedSince(controller: FakeUspController, since: number): Promise<void> {
  const eid = controller.resolve('cpe-1');
  const deadline = Date.now() + 15_000;
  while (!controller.records.some((r) => r.agentId === eid && r.dir === 'agent->controller' && r.recordType === 'mqtt_connect' && r.time >= since)) {
    if (Date.now() > deadline) throw new Error(`the agent did not reconnect\n${controller.transcript('cpe-1', { max: 20 })}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

async function bootInformSince(acs: FakeAcs, since: number, event: string) {
  return acs.waitForInform({ cpe: 'cpe-1', event }, { since, timeoutMs: 15_000 });
}

describe('Device.Reboot() and Device.FactoryReset() (usp-notes §7.4: synchronous, answered, then done)', () => {
  test('Reboot(): empty outputs, then Boot! RemoteReboot with the command key and Reason; CWMP sees 1 BOOT + M Reboot', async ({ fleet, acs, controller }) => {
    await watchBoot(controller);
    const since = Date.now();
    const resp = await controller.operate('cpe-1', 'Device.Reboot()', { Reason: 'maintenance' }, { commandKey: 'rb-1' });
    expect(resp!.operation_results).toEqual([{ executed_command: 'Device.Reboot()', operation_resp: 'req_output_args', req_output_args: { output_args: {} } }]);
    const boot = await next(controller, since, (r) => r.notify.event?.event_name === 'Boot!', 'Boot!');
    expect(boot.notify).toMatchObject({ subscription_id: 'boot', event: { obj_path: 'Device.', params: { Cause: 'RemoteReboot', CommandKey: 'rb-1', Reason: 'maintenance', FirmwareUpdated: 'false' } } });
    const inform = await bootInformSince(acs, since, 'M Reboot');
    expect(inform.events).toEqual(expect.arrayContaining([{ eventCode: '1 BOOT', commandKey: '' }, { eventCode: 'M Reboot', commandKey: 'rb-1' }]));
    expect(fleet.cpe(1).poweredOn).toBe(true);
  });

  test('FactoryReset(): the tree back to the profile, Boot! RemoteFactoryReset; CWMP sees 0 BOOTSTRAP', async ({ fleet, acs, controller }) => {
    await watchBoot(controller);
    const ssid = 'Device.WiFi.SSID.1.SSID';
    const provisioned = fleet.cpe(1).params.getValue(ssid);
    await controller.set('cpe-1', { 'Device.WiFi.SSID.1.': { SSID: 'changed-before-reset' } });
    const since = Date.now();
    await controller.operate('cpe-1', 'Device.FactoryReset()', {}, { commandKey: 'fr-1' });
    // A factory reset forgets every subscription, the persistent one too (§7.4): the Boot! goes nowhere.
    await bootInformSince(acs, since, '0 BOOTSTRAP');
    await reconnectedSince(controller, since);
    expect(await controller.getValues('cpe-1', ssid)).toEqual({ [ssid]: provisioned });
    expect((await controller.getInstances('cpe-1', 'Device.LocalAgent.Subscription.')).req_path_results[0]!.curr_insts).toEqual([]);
    await expect(controller).not.toHaveNotified('Boot!', { agent: 'cpe-1', since, timeout: 300 });
  });

  provisioned('FactoryReset() with a Boot! subscription the profile provisions: Boot! RemoteFactoryReset with the command key after the reset', async ({ acs, controller }) => {
    const since = Date.now();
    await controller.operate('cpe-1', 'Device.FactoryReset()', { Reason: 'rma' }, { commandKey: 'fr-2' });
    // (The Boot! of the first power-on, LocalReboot, went to this subscription too.)
    const boot = await next(controller, since, (r) => r.notify.event?.event_name === 'Boot!' && r.notify.event.params.CommandKey === 'fr-2', 'Boot! after the reset');
    expect(boot.notify).toMatchObject({ subscription_id: 'factory-boot', event: { params: { Cause: 'RemoteFactoryReset', CommandKey: 'fr-2', Reason: 'rma', FirmwareUpdated: 'false' } } });
    await bootInformSince(acs, since, '0 BOOTSTRAP');
  });

  test('a Cause that Reboot() does not take is a cmd_failure 7027 and nothing happens', async ({ fleet, controller }) => {
    const resp = await controller.operate('cpe-1', 'Device.Reboot()', { Cause: 'LocalFactoryReset' });
    expect(resp!.operation_results[0]!.cmd_failure?.err_code).toBe(7027);
    expect(fleet.cpe(1).poweredOn).toBe(true);
  });
});

describe('FirmwareImage.{i}.Download() / Activate() against the fake ACS file server (usp-notes §7.5)', () => {
  test('Download(): Request row, Downloading→Available, TransferComplete!, OperationComplete; Activate(): Boot! FirmwareUpdated true, the new SoftwareVersion on both stacks', async ({ fleet, acs, controller }) => {
    const url = acs.files.serve('mesh-6.0.0.img', { image: { version: '6.0.0', size: 64_000, checksum: true } });
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    await watchBoot(controller);
    await controller.subscribe('cpe-1', { id: 'tc', notifType: 'Event', referenceList: 'Device.LocalAgent.TransferComplete!' });
    await controller.subscribe('cpe-1', { id: 'oc', notifType: 'OperationComplete', referenceList: FW });
    const before = fleet.cpe(1).firmwareVersion;
    expect(await controller.getValues('cpe-1', [`${FW}1.Status`, `${FW}1.Version`, `${FW}2.Status`])).toEqual({ [`${FW}1.Status`]: 'Active', [`${FW}1.Version`]: before, [`${FW}2.Status`]: 'NoImage' });

    const since = Date.now();
    const done = await runAsync(controller, `${FW}2.Download()`, { URL: url, AutoActivate: 'false', CheckSumAlgorithm: 'SHA-256', CheckSum: createHash('sha256').update(body).digest('hex') }, 'dl-1');
    expect(done).toMatchObject({ obj_path: `${FW}2.`, command_name: 'Download()', operation_resp: 'req_output_args' });
    const tc = await next(controller, since, (r) => r.notify.event?.event_name === 'TransferComplete!', 'TransferComplete!');
    expect(tc.notify).toMatchObject({ subscription_id: 'tc', event: { obj_path: 'Device.LocalAgent.', params: { Command: `${FW}2.Download()`, CommandKey: 'dl-1', Requestor: controller.endpointId, TransferType: 'Download', Affected: `${FW}2`, TransferURL: url, FaultCode: '0', FaultString: '' } } });
    expect(await controller.getValues('cpe-1', `${FW}2.`)).toMatchObject({ [`${FW}2.Status`]: 'Available', [`${FW}2.Version`]: '6.0.0', [`${FW}2.Available`]: 'true' });
    expect(fleet.cpe(1).firmwareVersion).toBe(before); // downloaded, not running

    const activated = Date.now();
    // OperationComplete leaves before the activation reboot (§7.5).
    expect(await runAsync(controller, `${FW}2.Activate()`, {}, 'act-1', true)).toMatchObject({ command_name: 'Activate()', operation_resp: 'req_output_args' });
    const boot = await next(controller, activated, (r) => r.notify.event?.event_name === 'Boot!', 'Boot!');
    expect(boot.notify.event!.params).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'act-1', FirmwareUpdated: 'true' });
    expect(await controller.getValues('cpe-1', [VERSION, 'Device.DeviceInfo.ActiveFirmwareImage', `${FW}2.Status`, `${FW}1.Status`])).toEqual({
      [VERSION]: '6.0.0',
      'Device.DeviceInfo.ActiveFirmwareImage': `${FW}2`,
      [`${FW}2.Status`]: 'Active',
      [`${FW}1.Status`]: 'Available',
    });
    const inform = await bootInformSince(acs, activated, '1 BOOT');
    expect(inform.parameters).toContainEqual(expect.objectContaining({ name: VERSION, value: '6.0.0' }));
  });

  test('a 404 and an image without a firmware header: DownloadFailed / ValidationFailed, cmd_failure 7022 and TransferComplete! FaultCode 7022', async ({ acs, controller }) => {
    await controller.subscribe('cpe-1', { id: 'tc', notifType: 'Event', referenceList: 'Device.LocalAgent.TransferComplete!' });
    await controller.subscribe('cpe-1', { id: 'oc', notifType: 'OperationComplete', referenceList: FW });
    let since = Date.now();
    const missing = await runAsync(controller, `${FW}2.Download()`, { URL: acs.files.url('no-such.img'), AutoActivate: 'true' }, 'dl-404');
    expect(missing.cmd_failure).toMatchObject({ err_code: 7022, err_msg: expect.stringMatching(/404/) });
    const tc404 = await next(controller, since, (r) => r.notify.event?.event_name === 'TransferComplete!', 'TransferComplete!');
    expect(tc404.notify.event!.params).toMatchObject({ FaultCode: '7022', FaultString: expect.stringMatching(/404/) });
    expect(await controller.getValues('cpe-1', `${FW}2.Status`)).toEqual({ [`${FW}2.Status`]: 'DownloadFailed' });

    since = Date.now();
    const junk = await runAsync(controller, `${FW}2.Download()`, { URL: acs.files.serve('junk.img', { image: { corrupt: true, size: 8192 } }), AutoActivate: 'true' }, 'dl-junk');
    expect(junk.cmd_failure).toMatchObject({ err_code: 7022, err_msg: expect.stringMatching(/not a firmware image/) });
    const tcJunk = await next(controller, since, (r) => r.notify.event?.params.CommandKey === 'dl-junk', 'TransferComplete!');
    expect(tcJunk.notify.event!.params.FaultCode).toBe('7022');
    expect(await controller.getValues('cpe-1', `${FW}2.Status`)).toEqual({ [`${FW}2.Status`]: 'ValidationFailed' });
  });

  test('an image that downloads but does not boot: AutoActivate reboots, the device rolls back (ActivationFailed, BootFailureLog, Boot! FirmwareUpdated false)', async ({ fleet, acs, controller }) => {
    const before = fleet.cpe(1).firmwareVersion;
    // Its header's SHA-256 is not its payload's; mesh-router does not check it (no requireChecksum).
    const url = acs.files.serve('mesh-6.6.6.img', { image: { version: '6.6.6', checksum: 'ab'.repeat(32) } });
    await watchBoot(controller);
    const since = Date.now();
    await controller.operate('cpe-1', `${FW}2.Download()`, { URL: url, AutoActivate: 'true' }, { commandKey: 'bad-1' });
    const boot = await next(controller, since, (r) => r.notify.event?.event_name === 'Boot!', 'Boot!');
    expect(boot.notify.event!.params).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'bad-1', FirmwareUpdated: 'false' });
    const values = await controller.getValues('cpe-1', [VERSION, 'Device.DeviceInfo.ActiveFirmwareImage', `${FW}1.Status`, `${FW}2.Status`, `${FW}2.BootFailureLog`]);
    expect(values).toMatchObject({ [VERSION]: before, 'Device.DeviceInfo.ActiveFirmwareImage': `${FW}1`, [`${FW}1.Status`]: 'Active', [`${FW}2.Status`]: 'ActivationFailed' });
    expect(values[`${FW}2.BootFailureLog`]).toMatch(/version 6\.6\.6\) failed: .*rolled back to Device\.DeviceInfo\.FirmwareImage\.1/);
  });

  test('Activate() with a bad TimeWindow is refused (7027) in the OperateResp; a window in the future keeps the Request row Active', async ({ acs, controller }) => {
    await controller.subscribe('cpe-1', { id: 'oc', notifType: 'OperationComplete', referenceList: FW });
    await runAsync(controller, `${FW}2.Download()`, { URL: acs.files.serve('mesh-6.1.0.img', { image: { version: '6.1.0' } }), AutoActivate: 'false' }, 'dl-2');
    const bad = await controller.operate('cpe-1', `${FW}2.Activate()`, { 'TimeWindow.1.Start': '60', 'TimeWindow.1.End': '30', 'TimeWindow.1.Mode': 'AnyTime' });
    expect(bad!.operation_results[0]!.cmd_failure?.err_code).toBe(7027);
    // One simulated day ahead is ~86 real seconds at this timeScale: still waiting when the test ends.
    const later = await controller.operate('cpe-1', `${FW}2.Activate()`, { 'TimeWindow.1.Start': '86400', 'TimeWindow.1.End': '90000', 'TimeWindow.1.Mode': 'Immediately' });
    const row = later!.operation_results[0]!.req_obj_path!;
    expect(await controller.getValues('cpe-1', `${row}Status`)).toEqual({ [`${row}Status`]: 'Active' });
  });
});

describe('software modules (TR-181 SoftwareModules over the TR-157 lifecycle)', () => {
  test('InstallDU(), DeploymentUnit.{i}.Update() and Uninstall() with real manifests: OperationComplete, DUStateChange!, the DU rows CWMP sees', async ({ fleet, acs, controller }) => {
    const v1 = acs.files.serve('demo-1.yaml', demoManifest());
    const v2 = acs.files.serve('demo-2.yaml', demoManifest({ version: '2.0.0' }));
    await controller.subscribe('cpe-1', { id: 'oc', notifType: 'OperationComplete', referenceList: SM });
    await controller.subscribe('cpe-1', { id: 'du', notifType: 'Event', referenceList: `${SM}DUStateChange!` });
    const since = Date.now();
    expect(await runAsync(controller, `${SM}InstallDU()`, { URL: v1 }, 'du-1')).toMatchObject({ obj_path: SM, command_name: 'InstallDU()', operation_resp: 'req_output_args' });
    const du = (await controller.getInstances('cpe-1', `${SM}DeploymentUnit.`)).req_path_results[0]!.curr_insts[0]!.instantiated_obj_path;
    expect(await controller.getValues('cpe-1', [`${du}UUID`, `${du}Version`])).toEqual({ [`${du}UUID`]: DEMO_UUID, [`${du}Version`]: '1.0.0' });
    // The app's data model is grafted into the same tree CWMP reads.
    expect(fleet.cpe(1).params.getValue('Device.X_EXAMPLE_Probe.Enable')).toBe('true');

    await runAsync(controller, `${du}Update()`, { URL: v2 }, 'du-2');
    expect(fleet.cpe(1).params.getValue(`${du}Version`)).toBe('2.0.0');
    await runAsync(controller, `${du}Uninstall()`, {}, 'du-3');
    expect(fleet.cpe(1).params.has(du)).toBe(false);
    const events = controller.notifies.filter((r) => r.time >= since && r.notify.event?.event_name === 'DUStateChange!').map((r) => r.notify.event!.params);
    expect(events.map((p) => [p.OperationPerformed, p.CurrentState, p['Fault.FaultCode']])).toEqual([
      ['Install', 'Installed', '0'],
      ['Update', 'Installed', '0'],
      ['Uninstall', 'Uninstalled', '0'],
    ]);
  });

  test('a manifest that is not there: cmd_failure with the TR-369 code of the swmod table, DUStateChange! carries it', async ({ acs, controller }) => {
    await controller.subscribe('cpe-1', { id: 'oc', notifType: 'OperationComplete', referenceList: SM });
    const done = await runAsync(controller, `${SM}InstallDU()`, { URL: acs.files.url('missing.yaml') }, 'du-404');
    expect(done.cmd_failure?.err_code).toBe(7033);
  });
});

describe('diagnostics commands (the profile\'s diagnostics state machines)', () => {
  test('IPPing() and TraceRoute(): async, Status and results as outputs; the CWMP side gets no 8 DIAGNOSTICS COMPLETE for them', async ({ fleet, acs, controller }) => {
    const since = Date.now();
    await controller.subscribe('cpe-1', { id: 'oc', notifType: 'OperationComplete', referenceList: 'Device.IP.Diagnostics.' });
    const ping = await runAsync(controller, 'Device.IP.Diagnostics.IPPing()', { Host: '192.0.2.1', NumberOfRepetitions: '3' }, 'ping-1');
    expect(ping.req_output_args?.output_args).toMatchObject({ Status: 'Complete', SuccessCount: expect.stringMatching(/^[0-3]$/) });
    const trace = await runAsync(controller, 'Device.IP.Diagnostics.TraceRoute()', { Host: '192.0.2.1' }, 'trace-1');
    const hops = trace.req_output_args!.output_args;
    expect(hops.Status).toBe('Complete');
    expect(hops.RouteHopsNumberOfEntries).toBe(String(Object.keys(hops).filter((k) => /^RouteHops\.\d+\.Host$/.test(k)).length));
    // TR-069 Table 8: `8 DIAGNOSTICS COMPLETE` reports ACS-requested runs only. A session
    // now carries whatever the CPE has queued.
    await fleet.cpe(1).inform(['6 CONNECTION REQUEST']);
    const reported = acs.informs.filter((i) => i.time >= since && i.events.some((e) => e.eventCode === '8 DIAGNOSTICS COMPLETE'));
    expect(reported).toEqual([]);
    expect(fleet.cpe(1).diagnosticRuns.map((r) => [r.name, r.requestedBy])).toEqual([['IPPing', 'usp'], ['TraceRoute', 'usp']]);
  });
});
