// FirmwareImage.{i}.Activate() TimeWindow inputs (TR-181 2.19) and the boot failure of an
// image that downloaded but does not boot (rollback, Status ActivationFailed, BootFailureLog),
// over a real ParameterTree, a manual clock and the fake ACS's file server on 127.0.0.1.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeAcs, type FakeAcs } from '../../src/acs/index.js';
import { ACT_DELAY_MS, IDLE_CHECK_MS, parseTimeWindows } from '../../src/usp/index.js';
import type { Operate } from '../../src/usp/types.js';
import { makeProfile } from '../datamodel/helpers.js';
import { CTL, rig, until, uspProfile, type Rig } from './notify-fixture.js';

const FW = 'Device.DeviceInfo.FirmwareImage.';
const REQ = 'Device.LocalAgent.Request.';
const op = (command: string, input_args: Record<string, string> = {}): Operate => ({ command, command_key: 'act-key', send_resp: true, input_args });

const payload = Buffer.alloc(2048, 0x2e);
const good = Buffer.concat([Buffer.from(`cpe-labs-firmware-version: 2.0.0\ncpe-labs-firmware-sha256: ${createHash('sha256').update(payload).digest('hex')}\n\n`), payload]);
// Downloads fine, but its payload is not what its own header says: it will not boot.
const corrupt = Buffer.concat([Buffer.from(`cpe-labs-firmware-version: 3.0.0\ncpe-labs-firmware-sha256: ${'0'.repeat(64)}\n\n`), payload]);

let acs: FakeAcs;
let base = '';
beforeAll(async () => {
  acs = await createFakeAcs();
  acs.files.serve('fw-2.0.0.img', good);
  acs.files.serve('fw-3.0.0.img', corrupt);
  base = acs.files.baseUrl.replace(/\/$/, '');
});
afterAll(async () => {
  await acs?.close();
});

/** A rig whose bank 2 holds the good 2.0.0 image (downloaded without activation). */
async function withImage(r: Rig, file = 'fw-2.0.0.img'): Promise<void> {
  r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: `${FW}` });
  await r.usp.operate(op(`${FW}2.Download()`, { URL: `${base}/${file}`, AutoActivate: 'false' }), CTL);
  await until(() => r.notifier.of('oper_complete').length === 1, 'the download');
  expect(r.tree.getValue(`${FW}2.Status`)).toBe('Available');
  r.notifier.sent.length = 0;
}

const requestRows = (r: Rig): string[] => r.tree.getNames(REQ, true).map((n) => n.name);

describe('Activate() TimeWindow (TR-181 DeviceInfo.FirmwareImage.{i}.Activate())', () => {
  it.each([
    ['End before Start', { 'TimeWindow.1.Start': '600', 'TimeWindow.1.End': '300', 'TimeWindow.1.Mode': 'AnyTime' }, /End \(300\) is before/],
    ['an unknown Mode', { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '60', 'TimeWindow.1.Mode': 'Sometime' }, /Mode must be one of AnyTime, Immediately, WhenIdle, ConfirmationNeeded/],
    ['no Mode', { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '60' }, /Mode is missing/],
    ['a negative Start', { 'TimeWindow.1.Start': '-5', 'TimeWindow.1.End': '60', 'TimeWindow.1.Mode': 'AnyTime' }, /Start must be a whole number/],
    ['MaxRetries 11', { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '60', 'TimeWindow.1.Mode': 'AnyTime', 'TimeWindow.1.MaxRetries': '11' }, /MaxRetries must be a whole number from -1 to 10/],
    ['overlapping windows', { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '600', 'TimeWindow.1.Mode': 'WhenIdle', 'TimeWindow.2.Start': '300', 'TimeWindow.2.End': '900', 'TimeWindow.2.Mode': 'AnyTime' }, /TimeWindow\.1 .* and TimeWindow\.2 .* overlap/],
    ['six windows', Object.fromEntries([1, 2, 3, 4, 5, 6].flatMap((i) => [[`TimeWindow.${i}.Start`, String(i * 100)], [`TimeWindow.${i}.End`, String(i * 100 + 50)], [`TimeWindow.${i}.Mode`, 'AnyTime']])), /at most 5 TimeWindow/],
    ['instance 0', { 'TimeWindow.0.Start': '0', 'TimeWindow.0.End': '60', 'TimeWindow.0.Mode': 'AnyTime' }, /start at 1/],
  ])('%s is refused in the OperateResp with 7027, before any Request row', async (_what, args, message) => {
    const r = rig();
    await withImage(r);
    const resp = await r.usp.operate(op(`${FW}2.Activate()`, args), CTL);
    const failure = resp?.operation_results[0]?.cmd_failure;
    expect(failure?.err_code).toBe(7027);
    expect(failure?.err_msg).toMatch(message);
    expect(requestRows(r)).toEqual([]);
    expect(r.device.calls).toEqual([]);
  });

  it('parses flattened windows in Start order; touching windows are not an overlap; other names are ignored', () => {
    expect(parseTimeWindows({ 'TimeWindow.2.Start': '60', 'TimeWindow.2.End': '120', 'TimeWindow.2.Mode': 'Immediately', 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '60', 'TimeWindow.1.Mode': 'WhenIdle', 'TimeWindow.1.UserMessage': 'hi', 'TimeWindow.1.MaxRetries': '-1', Other: 'x' })).toEqual([
      { instance: 1, startS: 0, endS: 60, mode: 'WhenIdle', userMessage: 'hi', maxRetries: -1 },
      { instance: 2, startS: 60, endS: 120, mode: 'Immediately', userMessage: '', maxRetries: 0 },
    ]);
    expect(parseTimeWindows({})).toEqual([]);
  });

  it('Immediately: the Request row stays Active until the window opens, then OperationComplete and the reboot', async () => {
    const r = rig();
    await withImage(r);
    const resp = await r.usp.operate(op(`${FW}2.Activate()`, { 'TimeWindow.1.Start': '3600', 'TimeWindow.1.End': '7200', 'TimeWindow.1.Mode': 'Immediately' }), CTL);
    const req = resp?.operation_results[0]?.req_obj_path ?? '';
    await until(() => r.tree.getValue(`${req}Status`) === 'Active', 'the Request row to turn Active');
    r.clock.advance(3_599_000);
    await new Promise((ok) => setTimeout(ok, 20));
    expect(r.device.calls).toEqual([]);
    expect(r.notifier.of('oper_complete')).toEqual([]);
    r.clock.advance(1_000);
    await until(() => r.device.calls.length === 1, 'the activation');
    expect(r.notifier.of('oper_complete')[0]?.notify.oper_complete).toMatchObject({ obj_path: `${FW}2.`, command_name: 'Activate()', command_key: 'act-key', operation_resp: 'req_output_args' });
    expect(r.device.calls[0]).toMatchObject({ what: 'activate', version: '2.0.0', boot: { cause: 'RemoteReboot', commandKey: 'act-key', firmwareUpdated: true } });
    expect(r.tree.has(req)).toBe(false);
  });

  it('WhenIdle: waits inside the window for an idle device; a window it never finds idle passes to the next one', async () => {
    const r = rig();
    await withImage(r);
    r.device.idleNow = false;
    await r.usp.operate(op(`${FW}2.Activate()`, {
      'TimeWindow.1.Start': '0', 'TimeWindow.1.End': String((2 * IDLE_CHECK_MS) / 1000), 'TimeWindow.1.Mode': 'WhenIdle',
      'TimeWindow.2.Start': '3600', 'TimeWindow.2.End': '7200', 'TimeWindow.2.Mode': 'WhenIdle',
    }), CTL);
    await until(() => requestRows(r).length === 1 && r.tree.getValue(`${requestRows(r)[0]}Status`) === 'Active', 'the Request row');
    r.clock.advance(3_000_000); // window 1 passes busy
    await new Promise((ok) => setTimeout(ok, 20));
    expect(r.device.calls).toEqual([]);
    r.clock.advance(600_000); // window 2 opens, still busy
    await new Promise((ok) => setTimeout(ok, 20));
    expect(r.device.calls).toEqual([]);
    r.device.idleNow = true;
    r.clock.advance(IDLE_CHECK_MS);
    await until(() => r.device.calls.length === 1, 'the activation at the next look');
    expect(r.notifier.of('oper_complete')[0]?.notify.oper_complete?.operation_resp).toBe('req_output_args');
  });

  it('ConfirmationNeeded: nobody confirms on a simulated device, so the window ends without activation: cmd_failure 7022', async () => {
    const r = rig();
    await withImage(r);
    await r.usp.operate(op(`${FW}2.Activate()`, { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '600', 'TimeWindow.1.Mode': 'ConfirmationNeeded', 'TimeWindow.1.UserMessage': 'Upgrade now?' }), CTL);
    await until(() => requestRows(r).length === 1 && r.tree.getValue(`${requestRows(r)[0]}Status`) === 'Active', 'the Request row');
    // Step through the window (each wait is scheduled once the previous one fired).
    for (let i = 0; i < 12 && r.notifier.of('oper_complete').length === 0; i++) {
      r.clock.advance(60_000);
      await new Promise((ok) => setTimeout(ok, 10));
    }
    await until(() => r.notifier.of('oper_complete').length === 1, 'OperationComplete');
    const failure = r.notifier.of('oper_complete')[0]?.notify.oper_complete?.cmd_failure;
    expect(failure?.err_code).toBe(7022);
    expect(failure?.err_msg).toMatch(/TimeWindow\.1 \(ConfirmationNeeded\): no user confirmed/);
    expect(r.device.calls).toEqual([]);
    expect(r.tree.getValue(`${FW}2.Status`)).toBe('Available');
  });
});

describe('Reboot() with BootFirmwareImage (TR-181 DeviceInfo.BootFirmwareImage, usp-notes §7.5)', () => {
  it('naming the bank that holds a downloaded image: the reboot boots it (FirmwareUpdated true, CWMP M Reboot key); naming the running bank: a plain reboot', async () => {
    const r = rig();
    await withImage(r);
    r.tree.setValues([{ name: 'Device.DeviceInfo.BootFirmwareImage', value: 'Device.DeviceInfo.FirmwareImage.1' }], 'usp');
    await r.usp.operate({ ...op('Device.Reboot()'), command_key: 'plain' }, CTL);
    r.clock.advance(ACT_DELAY_MS);
    expect(r.device.calls).toEqual([{ what: 'reboot', boot: { cause: 'RemoteReboot', commandKey: 'plain', reason: 'Unknown', firmwareUpdated: false } }]);

    r.tree.setValues([{ name: 'Device.DeviceInfo.BootFirmwareImage', value: 'Device.DeviceInfo.FirmwareImage.2' }], 'usp');
    await r.usp.operate({ ...op('Device.Reboot()'), command_key: 'to-bank-2' }, CTL);
    r.clock.advance(ACT_DELAY_MS);
    expect(r.device.calls[1]).toEqual({ what: 'activate', version: '2.0.0', boot: { cause: 'RemoteReboot', commandKey: 'to-bank-2', reason: 'Unknown', firmwareUpdated: true }, cwmp: { rebootCommandKey: 'to-bank-2' } });
    expect(r.tree.getValue('Device.DeviceInfo.ActiveFirmwareImage')).toBe(`${FW}2`);
    expect(r.tree.getValue(`${FW}2.Status`)).toBe('Active');
  });
});

describe('BootFirmwareImage and the reboots no command asked for (a CWMP Reboot RPC, a power cycle)', () => {
  it('going down boots the named bank: banks switch and the version leaf takes its version while dark; an unbootable image rolls back on the way up', async () => {
    const r = rig();
    await withImage(r);
    r.tree.setValues([{ name: 'Device.DeviceInfo.BootFirmwareImage', value: `${FW}2` }], 'usp');
    r.device.emit({ kind: 'down', why: 'power' });
    expect(r.tree.getValue('Device.DeviceInfo.SoftwareVersion')).toBe('2.0.0');
    expect(r.tree.getValue('Device.DeviceInfo.ActiveFirmwareImage')).toBe(`${FW}2`);
    expect([r.tree.getValue(`${FW}1.Status`), r.tree.getValue(`${FW}2.Status`)]).toEqual(['Available', 'Active']);
    r.device.emit({ kind: 'up', why: 'power', boot: { cause: 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: true } });
    expect(r.device.calls).toEqual([]); // nothing to ask the device: it is already rebooting

    const bad = rig();
    await withImage(bad, 'fw-3.0.0.img');
    bad.tree.setValues([{ name: 'Device.DeviceInfo.BootFirmwareImage', value: `${FW}2` }], 'usp');
    bad.device.emit({ kind: 'down', why: 'reboot' });
    expect(bad.tree.getValue('Device.DeviceInfo.SoftwareVersion')).toBe('1.0.0');
    bad.device.emit({ kind: 'up', why: 'reboot', boot: { cause: 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: false } });
    expect(bad.tree.getValue(`${FW}2.Status`)).toBe('ActivationFailed');
    expect(bad.tree.getValue('Device.DeviceInfo.BootFirmwareImage')).toBe(`${FW}1`);
    expect(bad.tree.getValue(`${FW}2.BootFailureLog`)).toMatch(/version 3\.0\.0\) failed: .*rolled back to Device\.DeviceInfo\.FirmwareImage\.1/);

    // A link that comes and goes is no boot.
    const link = rig();
    await withImage(link);
    link.tree.setValues([{ name: 'Device.DeviceInfo.BootFirmwareImage', value: `${FW}2` }], 'usp');
    link.device.emit({ kind: 'down', why: 'link' });
    expect(link.tree.getValue('Device.DeviceInfo.SoftwareVersion')).toBe('1.0.0');
  });
});

describe('an image that does not boot (TR-181 FirmwareImage Status / BootFailureLog)', () => {
  it('downloads (the device does not check its header), reboots, rolls back: ActivationFailed, BootFailureLog, Boot! FirmwareUpdated false', async () => {
    const r = rig();
    await withImage(r, 'fw-3.0.0.img');
    await r.usp.operate(op(`${FW}2.Activate()`), CTL);
    await until(() => r.device.calls.length === 1, 'the reboot');
    // It reboots into the running version: nothing new boots.
    expect(r.device.calls[0]).toMatchObject({ what: 'activate', version: '1.0.0', boot: { cause: 'RemoteReboot', commandKey: 'act-key', firmwareUpdated: false } });
    r.device.emit({ kind: 'down', why: 'firmware' });
    r.device.emit({ kind: 'up', why: 'firmware', boot: { cause: 'RemoteReboot', commandKey: 'act-key', reason: 'Unknown', firmwareUpdated: false } });
    expect(r.tree.getValue(`${FW}2.Status`)).toBe('ActivationFailed');
    expect(r.tree.getValue(`${FW}1.Status`)).toBe('Active');
    expect(r.tree.getValue('Device.DeviceInfo.ActiveFirmwareImage')).toBe(`${FW}1`);
    const log = r.tree.getValue(`${FW}2.BootFailureLog`);
    expect(log).toMatch(/boot of Device\.DeviceInfo\.FirmwareImage\.2 \(version 3\.0\.0\) failed: .*does not match the image header.*rolled back to Device\.DeviceInfo\.FirmwareImage\.1/);
    // A good image into the same bank clears the log and boots.
    await r.usp.operate(op(`${FW}2.Download()`, { URL: `${base}/fw-2.0.0.img`, AutoActivate: 'true' }), CTL);
    await until(() => r.device.calls.length === 2, 'the second activation');
    expect(r.device.calls[1]).toMatchObject({ version: '2.0.0', boot: { firmwareUpdated: true } });
    expect(r.tree.getValue(`${FW}2.BootFailureLog`)).toBe('');
  });

  it('with transfer.firmware.requireChecksum the device checks the header at download: ValidationFailed, nothing to activate', async () => {
    const base0 = makeProfile();
    const r = rig({ profile: uspProfile({ transfer: { ...base0.transfer, firmware: { versionPath: 'Device.DeviceInfo.SoftwareVersion', applyDelayMs: 1000, fetch: true, requireChecksum: true } } }) });
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: FW });
    await r.usp.operate(op(`${FW}2.Download()`, { URL: `${base}/fw-3.0.0.img`, AutoActivate: 'true' }), CTL);
    await until(() => r.notifier.of('oper_complete').length === 1, 'the download');
    expect(r.tree.getValue(`${FW}2.Status`)).toBe('ValidationFailed');
    expect(r.notifier.of('oper_complete')[0]?.notify.oper_complete?.cmd_failure?.err_msg).toMatch(/payload SHA-256 .* its header says 0{64}/);
    expect(r.device.calls).toEqual([]);
  });
});
