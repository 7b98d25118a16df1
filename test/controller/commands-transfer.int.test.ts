/**
 * USP firmware downloads with the fleet's transfer settings (`startFleet({ transfer })`,
 * the ones the CWMP Download uses): an HTTPS file server whose certificate only the
 * fleet's CA vouches for, and the fleet's idle timeout. Then the firmware flow over a
 * real Mosquitto (MQTT 5.0). Simulated time is compressed; nothing is timed.
 */
import { describe, expect, it } from 'vitest';
import { meshRouterFetchingFirmware } from '../support/profile.js';
import { createCpeFleet, uspControllerOf, withCpeFleet } from '../../src/testing/vitest.js';
import type { FakeUspController } from '../../src/controller/index.js';
import { mosquittoForSuite, mosquittoMissing } from '../support/mosquitto.js';
import { OPENSSL_MISSING, selfSignedLoopbackCert } from '../support/tls.js';

const FW = 'Device.DeviceInfo.FirmwareImage.';

const profile = await meshRouterFetchingFirmware();
const tls = selfSignedLoopbackCert();

/** Download() into bank 2; resolves with its OperationComplete and TransferComplete! params. */
async function download(controller: FakeUspController, url: string, commandKey: string, autoActivate = false) {
  await controller.subscribe('cpe-1', { id: `oc-${commandKey}`, notifType: 'OperationComplete', referenceList: FW });
  await controller.subscribe('cpe-1', { id: `tc-${commandKey}`, notifType: 'Event', referenceList: 'Device.LocalAgent.TransferComplete!' });
  const since = Date.now();
  await controller.operate('cpe-1', `${FW}2.Download()`, { URL: url, AutoActivate: String(autoActivate) }, { commandKey });
  const oc = await controller.waitForNotify('cpe-1', (n) => n.oper_complete?.command_key === commandKey, { since, timeoutMs: 15_000 });
  const tc = await controller.waitForNotify('cpe-1', (n) => n.event?.params.CommandKey === commandKey, { since, timeoutMs: 15_000 });
  return { oc: oc.notify.oper_complete!, tc: tc.notify.event!.params };
}

describe.skipIf(tls === undefined)(`USP downloads use the fleet's transfer settings${tls ? '' : ` (skipped: ${OPENSSL_MISSING})`}`, () => {
  const trusting = withCpeFleet({ profile, count: 1, usp: true, timeScale: 0.001, transfer: { ca: tls?.cert ?? '', timeoutMs: 1_000 } });
  const plain = withCpeFleet({ profile, count: 1, usp: true, timeScale: 0.001 });

  trusting('an HTTPS image signed by the fleet\'s CA downloads; a server that never answers fails after the fleet\'s timeout, not 30 s', async ({ fleet, acs, controller }) => {
    // One configuration for both stacks of the box.
    expect(fleet.cpe(1).transferSettings).toEqual({ timeoutMs: 1_000, ca: tls!.cert });
    await acs.files.listenTls({ key: tls!.key, cert: tls!.cert });
    acs.files.serve('mesh-7.0.0.img', { image: { version: '7.0.0' } });
    const ok = await download(controller, acs.files.url('mesh-7.0.0.img', { tls: true }), 'https-1');
    expect(ok.oc.operation_resp).toBe('req_output_args');
    expect(ok.tc).toMatchObject({ FaultCode: '0', TransferURL: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\//) });
    expect(await controller.getValues('cpe-1', `${FW}2.Version`)).toEqual({ [`${FW}2.Version`]: '7.0.0' });

    acs.files.serve('stalled.img', { image: { version: '7.0.1' } }, { behaviour: { stall: 'headers' } });
    const stalled = await download(controller, acs.files.url('stalled.img'), 'stall-1');
    expect(stalled.oc.cmd_failure).toMatchObject({ err_code: 7022, err_msg: expect.stringMatching(/1000 ms|timed? ?out/i) });
  });

  plain('without the fleet\'s CA the same HTTPS server is not trusted: DownloadFailed naming the certificate problem', async ({ acs, controller }) => {
    await acs.files.listenTls({ key: tls!.key, cert: tls!.cert });
    acs.files.serve('mesh-7.0.0.img', { image: { version: '7.0.0' } });
    const refused = await download(controller, acs.files.url('mesh-7.0.0.img', { tls: true }), 'https-2');
    expect(refused.oc.cmd_failure?.err_code).toBe(7022);
    expect(refused.tc.FaultString).toMatch(/certificate|SELF_SIGNED|self-signed/i);
    expect(await controller.getValues('cpe-1', `${FW}2.Status`)).toEqual({ [`${FW}2.Status`]: 'DownloadFailed' });
  });

  it('transfer options are checked by name', async () => {
    await expect(createCpeFleet({ profile, count: 1, transfer: { timeoutMs: -1 } })).rejects.toThrow(/transfer\.timeoutMs must be a number of milliseconds > 0, got -1/);
    await expect(createCpeFleet({ profile, count: 1, transfer: { caFile: '/nonexistent/ca.pem' } })).rejects.toThrow(/transfer\.caFile \(--transfer-ca-file\): cannot read "\/nonexistent\/ca\.pem"/);
    // @ts-expect-error an unknown key, as a JavaScript caller could pass it
    await expect(createCpeFleet({ profile, count: 1, transfer: { timeout: 5 } })).rejects.toThrow(/transfer\.timeout is not an option; expected one of timeoutMs, ca, caFile/);
  });
});

describe.skipIf(mosquittoMissing !== undefined)(`firmware over a real Mosquitto (MQTT 5.0)${mosquittoMissing ? ` (skipped: ${mosquittoMissing})` : ''}`, () => {
  const broker = mosquittoForSuite();
  it('Download() with AutoActivate: OperationComplete and TransferComplete!, then Boot! FirmwareUpdated true and the new SoftwareVersion', async () => {
    const fleet = await createCpeFleet({ profile, count: 1, timeScale: 0.001, usp: { controller: { mqtt: { url: broker().url } } } });
    const controller = uspControllerOf(fleet);
    expect(controller.mqttVersion).toBe(5);
    await controller.subscribe('cpe-1', { id: 'boot', notifType: 'Event', referenceList: 'Device.Boot!', persistent: true });
    const since = Date.now();
    const { oc, tc } = await download(controller, fleet.acs!.files.serve('mesh-8.0.0.img', { image: { version: '8.0.0', checksum: true } }), 'mq-1', true);
    expect(oc.operation_resp).toBe('req_output_args');
    expect(tc.FaultCode).toBe('0');
    const boot = await controller.waitForNotify('cpe-1', (n) => n.event?.event_name === 'Boot!', { since, timeoutMs: 15_000 });
    expect(boot.notify.event!.params).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'mq-1', FirmwareUpdated: 'true' });
    expect(await controller.getValues('cpe-1', 'Device.DeviceInfo.SoftwareVersion')).toEqual({ 'Device.DeviceInfo.SoftwareVersion': '8.0.0' });
    expect(fleet.cpe(1).firmwareVersion).toBe('8.0.0');
  });
});
