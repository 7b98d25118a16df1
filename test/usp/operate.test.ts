import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACT_DELAY_MS } from '../../src/usp/operate/index.js';
import type { Operate } from '../../src/usp/types.js';
import { CTL, flush, rig, until, type Rig } from './notify-fixture.js';

const op = (command: string, input_args: Record<string, string> = {}, more: Partial<Operate> = {}): Operate => ({ command, command_key: 'key-1', send_resp: true, input_args, ...more });
const FW = 'Device.DeviceInfo.FirmwareImage.';
const REQ = 'Device.LocalAgent.Request.';

describe('Operate (usp-notes §4.8)', () => {
  it('Device.Reboot() answers first (empty outputs), then reboots with RemoteReboot and the command key', async () => {
    const r = rig();
    const resp = await r.usp.operate(op('Device.Reboot()', { Reason: 'test' }), CTL);
    expect(resp).toEqual({ operation_results: [{ executed_command: 'Device.Reboot()', operation_resp: 'req_output_args', req_output_args: { output_args: {} } }] });
    expect(r.device.calls).toEqual([]);
    r.clock.advance(ACT_DELAY_MS);
    expect(r.device.calls).toEqual([{ what: 'reboot', boot: { cause: 'RemoteReboot', commandKey: 'key-1', reason: 'test', firmwareUpdated: false } }]);
  });

  it('Device.FactoryReset() defaults its Cause to RemoteFactoryReset; a bad Cause is a cmd_failure 7027 and nothing happens', async () => {
    const r = rig();
    await r.usp.operate(op('Device.FactoryReset()'), CTL);
    const bad = await r.usp.operate(op('Device.Reboot()', { Cause: 'Sunspots' }), CTL);
    expect(bad?.operation_results[0]?.cmd_failure?.err_code).toBe(7027);
    r.clock.advance(ACT_DELAY_MS);
    expect(r.device.calls.map((c) => [c.what, c.boot.cause])).toEqual([['factoryReset', 'RemoteFactoryReset']]);
  });

  it('an unknown command is Error 7026, a path that is no command 7008', async () => {
    const r = rig();
    await expect(r.usp.operate(op('Device.SelfDestruct()'), CTL)).rejects.toMatchObject({ errCode: 7026 });
    await expect(r.usp.operate(op('Device.Hosts.Host.1.Reboot()'), CTL)).rejects.toMatchObject({ errCode: 7026 });
    await expect(r.usp.operate(op('Device.Reboot'), CTL)).rejects.toMatchObject({ errCode: 7008 });
  });

  it('send_resp false: no OperateResp, the command still runs', async () => {
    const r = rig();
    expect(await r.usp.operate(op('Device.Reboot()', {}, { send_resp: false }), CTL)).toBeUndefined();
    r.clock.advance(ACT_DELAY_MS);
    expect(r.device.calls).toHaveLength(1);
  });

  it('a search path gives one result per matched object; a missing mandatory input is that object\'s cmd_failure 7027', async () => {
    const r = rig();
    const resp = await r.usp.operate(op(`${FW}*.Download()`, { URL: 'http://127.0.0.1:9/x.img' }), CTL);
    expect(resp?.operation_results.map((x) => [x.executed_command, x.cmd_failure?.err_code])).toEqual([
      [`${FW}1.Download()`, 7027],
      [`${FW}2.Download()`, 7027],
    ]);
    expect(r.tree.getNames(REQ, true)).toEqual([]);
  });
});

describe('async commands and the Request table', () => {
  let server: Server;
  let base = '';
  const image = Buffer.from('cpe-labs-firmware-version: 2.0.0\n\nPAYLOAD'.padEnd(4096, '.'));
  const sha256 = createHash('sha256').update(image).digest('hex');
  let hold: (() => void) | undefined;
  const holding = (): boolean => hold !== undefined;
  const release = (): void => {
    const h = hold;
    hold = undefined;
    h?.();
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/fw-2.0.0.img') return void res.end(image);
      if (req.url === '/slow.img') {
        hold = () => res.end(image);
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  });

  function watchRequests(r: Rig): string[] {
    const seen: string[] = [];
    r.tree.onChange((c) => {
      if (c.path.startsWith(REQ) && c.path.endsWith('.Status')) seen.push(c.newValue);
    });
    return seen;
  }

  it('Download(): Request row Requested → Active → removed, Status Downloading → Validating → Available, OperationComplete and TransferComplete!, no reboot without AutoActivate', async () => {
    const r = rig();
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: `${FW}*.Download()` });
    r.subscribe({ id: 'tc', notifType: 'Event', ref: 'Device.LocalAgent.TransferComplete!' });
    const statuses = watchRequests(r);
    const fw: string[] = [];
    r.tree.onChange((c) => c.path === `${FW}2.Status` && fw.push(c.newValue));
    const resp = await r.usp.operate(op(`${FW}2.Download()`, { URL: `${base}/fw-2.0.0.img`, AutoActivate: 'false', CheckSumAlgorithm: 'SHA-256', CheckSum: sha256 }), CTL);
    const reqPath = resp?.operation_results[0]?.req_obj_path ?? '';
    expect(reqPath).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
    expect(r.tree.getValue(`${reqPath}Command`)).toBe(`${FW}2.Download()`);
    expect(r.tree.getValue(`${reqPath}Originator`)).toBe(CTL);
    expect(r.tree.getValue(`${reqPath}CommandKey`)).toBe('key-1');
    await until(() => r.notifier.of('oper_complete').length === 1, 'OperationComplete');
    expect(statuses).toEqual(['Active', 'Success']);
    expect(r.tree.has(reqPath)).toBe(false);
    expect(fw).toEqual(['Downloading', 'Validating', 'Available']);
    expect(r.tree.getValue(`${FW}2.Version`)).toBe('2.0.0');
    expect(r.notifier.of('oper_complete')[0]?.notify).toMatchObject({ subscription_id: 'oc', oper_complete: { obj_path: `${FW}2.`, command_name: 'Download()', command_key: 'key-1', operation_resp: 'req_output_args' } });
    const tc = r.notifier.of('event')[0]?.notify.event;
    expect(tc).toMatchObject({ obj_path: 'Device.LocalAgent.', event_name: 'TransferComplete!', params: { Command: `${FW}2.Download()`, CommandKey: 'key-1', Requestor: CTL, TransferType: 'Download', Affected: `${FW}2`, FaultCode: '0' } });
    expect(r.device.calls).toEqual([]);
  });

  it('a wrong CheckSum: ValidationFailed, OperationComplete with cmd_failure, TransferComplete! with a FaultCode', async () => {
    const r = rig();
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: 'Device.DeviceInfo.' });
    r.subscribe({ id: 'tc', notifType: 'Event', ref: 'Device.LocalAgent.TransferComplete!' });
    await r.usp.operate(op(`${FW}2.Download()`, { URL: `${base}/fw-2.0.0.img`, AutoActivate: 'true', CheckSum: '00' }), CTL);
    await until(() => r.notifier.of('oper_complete').length === 1, 'OperationComplete');
    expect(r.tree.getValue(`${FW}2.Status`)).toBe('ValidationFailed');
    expect(r.notifier.of('oper_complete')[0]?.notify.oper_complete?.cmd_failure?.err_code).toBe(7022);
    expect(r.notifier.of('event')[0]?.notify.event?.params.FaultCode).toBe('7022');
    expect(r.device.calls).toEqual([]);
  });

  it('AutoActivate: OperationComplete first, then the reboot into the image with FirmwareUpdated true and the command key; Activate() does the same later', async () => {
    const r = rig();
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: 'Device.' });
    // Bank 1 is the running image; bank 2 holds nothing yet.
    expect([r.tree.getValue(`${FW}1.Status`), r.tree.getValue(`${FW}1.Version`)]).toEqual(['Active', '1.0.0']);
    await r.usp.operate(op(`${FW}2.Activate()`, {}, { command_key: 'act' }), CTL);
    await until(() => r.notifier.of('oper_complete').length === 1, 'the refused Activate()');
    expect(r.notifier.of('oper_complete')[0]?.notify.oper_complete?.cmd_failure?.err_code).toBe(7022);
    r.notifier.sent.length = 0;
    const order: string[] = [];
    const send = r.notifier.sendNotify.bind(r.notifier);
    r.notifier.sendNotify = (c, n, o) => (order.push(n.notification ?? ''), send(c, n, o));
    const realActivate = r.device.activateFirmware.bind(r.device);
    r.device.activateFirmware = (v, b) => (order.push('activate'), realActivate(v, b));
    await r.usp.operate(op(`${FW}2.Download()`, { URL: `${base}/fw-2.0.0.img`, AutoActivate: 'true' }), CTL);
    await until(() => r.device.calls.length === 1, 'activation');
    expect(order).toEqual(['oper_complete', 'activate']);
    expect(r.device.calls[0]).toEqual({ what: 'activate', version: '2.0.0', boot: { cause: 'RemoteReboot', commandKey: 'key-1', reason: 'Unknown', firmwareUpdated: true } });
    expect(r.tree.getValue(`${FW}2.Status`)).toBe('Active');
    expect(r.tree.getValue('Device.DeviceInfo.ActiveFirmwareImage')).toBe(`${FW}2`);
    r.device.emit({ kind: 'up', why: 'firmware' });
    expect(r.tree.getValue(`${FW}1.Status`)).toBe('Available');
    // Back to the previous bank.
    await r.usp.operate(op(`${FW}1.Activate()`, {}, { command_key: 'act' }), CTL);
    await until(() => r.device.calls.length === 2, 'Activate()');
    expect(r.device.calls[1]).toMatchObject({ version: '1.0.0', boot: { commandKey: 'act', firmwareUpdated: true } });
    expect(r.tree.getValue('Device.DeviceInfo.ActiveFirmwareImage')).toBe(`${FW}1`);
  });

  it('Request.{i}.Cancel() ends a running command with Canceled and OperationComplete 7023', async () => {
    const r = rig();
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: `${FW}1.Download()` });
    const statuses = watchRequests(r);
    const resp = await r.usp.operate(op(`${FW}1.Download()`, { URL: `${base}/slow.img`, AutoActivate: 'false' }), CTL);
    const reqPath = resp?.operation_results[0]?.req_obj_path ?? '';
    await until(holding, 'the slow download to start');
    const cancel = await r.usp.operate(op(`${reqPath}Cancel()`), CTL);
    expect(cancel?.operation_results[0]?.operation_resp).toBe('req_output_args');
    await until(() => r.notifier.of('oper_complete').length === 1, 'OperationComplete');
    expect(r.notifier.of('oper_complete')[0]?.notify.oper_complete?.cmd_failure?.err_code).toBe(7023);
    expect(statuses).toEqual(['Active', 'Canceling', 'Canceled']);
    expect(r.tree.has(reqPath)).toBe(false);
    release();
  });

  it('a bank receiving an image refuses another Download() or Activate() with 7005 (R-OPR.3) until it is done', async () => {
    const r = rig();
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: FW });
    await r.usp.operate(op(`${FW}2.Download()`, { URL: `${base}/slow.img`, AutoActivate: 'false' }), CTL);
    await until(holding, 'the slow download to start');
    const again = await r.usp.operate(op(`${FW}2.Download()`, { URL: `${base}/fw-2.0.0.img`, AutoActivate: 'false' }), CTL);
    expect(again?.operation_results[0]?.cmd_failure).toMatchObject({ err_code: 7005, err_msg: expect.stringMatching(/FirmwareImage\.2 is receiving an image/) });
    const activate = await r.usp.operate(op(`${FW}2.Activate()`), CTL);
    expect(activate?.operation_results[0]?.cmd_failure?.err_code).toBe(7005);
    release();
    await until(() => r.notifier.of('oper_complete').length === 1, 'the first download');
    const after = await r.usp.operate(op(`${FW}2.Activate()`), CTL);
    expect(after?.operation_results[0]?.operation_resp).toBe('req_obj_path');
  });

  it('a device going down kills async work: no OperationComplete; the restart drops Request rows', async () => {
    const r = rig();
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: 'Device.', persistent: true });
    const resp = await r.usp.operate(op(`${FW}1.Download()`, { URL: `${base}/slow.img`, AutoActivate: 'false' }), CTL);
    const reqPath = resp?.operation_results[0]?.req_obj_path ?? '';
    await until(holding, 'the slow download to start');
    r.device.emit({ kind: 'down', why: 'power' });
    await flush();
    expect(r.notifier.of('oper_complete')).toEqual([]);
    r.usp.onAgentStart({ cause: 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: false });
    r.usp.onAgentStart({ cause: 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: false });
    expect(r.tree.has(reqPath)).toBe(false);
    release();
  });

  it('diagnostics commands run the device\'s diagnostics, async, with Status and results as outputs', async () => {
    const r = rig();
    r.device.diagnosticsList = [{ name: 'IPPing', objectPath: 'Device.IP.Diagnostics.' }];
    r.device.diagnosticRun = (name, inputs) => Promise.resolve({ state: 'Complete', results: { SuccessCount: inputs.NumberOfRepetitions ?? '1', Name: name } });
    r.usp.close();
    const again = rig({ device: r.device });
    expect(again.usp.supportedCommands.filter((c) => c.path === 'Device.IP.Diagnostics.IPPing()' || c.path === 'Device.Reboot()')).toEqual([
      { path: 'Device.Reboot()', input: ['Cause', 'Reason'], output: [], type: 'CMD_SYNC' },
      { path: 'Device.IP.Diagnostics.IPPing()', input: ['Host'], output: ['Status', 'SuccessCount'], type: 'CMD_ASYNC' },
    ]);
    again.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: 'Device.IP.Diagnostics.IPPing()' });
    const resp = await again.usp.operate(op('Device.IP.Diagnostics.IPPing()', { Host: '127.0.0.1', NumberOfRepetitions: '3' }), CTL);
    expect(resp?.operation_results[0]?.req_obj_path).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
    await until(() => again.notifier.of('oper_complete').length === 1, 'OperationComplete');
    expect(again.notifier.of('oper_complete')[0]?.notify.oper_complete?.req_output_args?.output_args).toEqual({ Status: 'Complete', SuccessCount: '3', Name: 'IPPing' });
  });
});
