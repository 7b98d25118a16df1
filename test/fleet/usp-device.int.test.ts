// The Cpe adapter of the USP side (contract seam 4) over a real fleet and fake ACS: USP
// commands act on the same box the CWMP stack runs, and the USP side sees every power,
// link and reboot change with the boot cause usp-notes §7.2/7.4 ask for.
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, uspDeviceOf, type Fleet } from '../../src/fleet/index.js';
import type { UspLifecycleEvent } from '../../src/usp/index.js';
import { tr181Profile } from '../support/profile.js';

const IPPING = 'Device.IP.Diagnostics.IPPing.';
const W = { writable: true };

const open: Fleet[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function fleet(): Promise<Fleet> {
  const profile = tr181Profile(
    'USPDEV',
    1,
    [
      { path: 'Device.DeviceInfo.SoftwareVersion', value: '1.0.0' },
      { path: 'Device.IP.Interface.1.Status', value: 'Up' },
      { path: `${IPPING}DiagnosticsState`, value: 'None', ...W },
      { path: `${IPPING}Host`, value: '', ...W },
      { path: `${IPPING}SuccessCount`, value: '0', type: 'xsd:unsignedInt' },
      { path: `${IPPING}AverageResponseTime`, value: '0', type: 'xsd:unsignedInt' },
    ],
    { diagnostics: [{ statePath: `${IPPING}DiagnosticsState`, duration: '3s' }], eventSchedule: { rebootDelay: '5s', factoryResetDelay: '5s' } },
  );
  const f = await startFleet({ profile, timeScale: 0.001 });
  open.push(f);
  await f.cpe(1).whenBootstrapped();
  return f;
}

const codes = (s: { events: { eventCode: string; commandKey: string }[] }): string[] => s.events.map((e) => (e.commandKey ? `${e.eventCode}(${e.commandKey})` : e.eventCode));

function record(device: ReturnType<typeof uspDeviceOf>): UspLifecycleEvent[] {
  const seen: UspLifecycleEvent[] = [];
  device.onLifecycle((e) => seen.push(e));
  return seen;
}

describe('uspDeviceOf(cpe)', () => {
  it('Reboot(): down, then up with the asked cause and key; the ACS sees M Reboot with that key and 1 BOOT', async () => {
    const f = await fleet();
    const cpe = f.cpe(1);
    const device = uspDeviceOf(cpe);
    const seen = record(device);
    const boot = cpe.waitForSession((s) => codes(s).includes('1 BOOT'), { timeoutMs: 10_000, since: cpe.clock.now() });
    device.reboot({ cause: 'RemoteReboot', commandKey: 'usp-1', reason: 'test', firmwareUpdated: false });
    expect(codes(await boot)).toEqual(['M Reboot(usp-1)', '1 BOOT']);
    expect(seen).toEqual([
      { kind: 'down', why: 'reboot' },
      { kind: 'up', why: 'reboot', boot: { cause: 'RemoteReboot', commandKey: 'usp-1', reason: 'test', firmwareUpdated: false } },
    ]);
    expect(device.up).toBe(true);
  });

  it('FactoryReset(): the ACS sees 0 BOOTSTRAP; the tree is back to the profile when up arrives', async () => {
    const f = await fleet();
    const cpe = f.cpe(1);
    const device = uspDeviceOf(cpe);
    cpe.params.setInternal(`${IPPING}Host`, 'changed');
    let hostAtUp: string | undefined;
    const seen: UspLifecycleEvent[] = [];
    device.onLifecycle((e) => {
      seen.push(e);
      if (e.kind === 'up') hostAtUp = cpe.params.getValue(`${IPPING}Host`);
    });
    const again = cpe.waitForSession((s) => codes(s).includes('0 BOOTSTRAP'), { timeoutMs: 10_000, since: cpe.clock.now() });
    device.factoryReset({ cause: 'RemoteFactoryReset', commandKey: 'fr', reason: 'Unknown', firmwareUpdated: false });
    await again;
    expect(seen.map((e) => (e.kind === 'up' ? e.boot?.cause : e.why))).toEqual(['factoryReset', 'RemoteFactoryReset']);
    expect(hostAtUp).toBe('');
  });

  it('activateFirmware(): the version is written while dark and Boot! says FirmwareUpdated', async () => {
    const f = await fleet();
    const cpe = f.cpe(1);
    const device = uspDeviceOf(cpe);
    const seen = record(device);
    const boot = cpe.waitForSession((s) => codes(s).includes('1 BOOT'), { timeoutMs: 10_000, since: cpe.clock.now() });
    device.activateFirmware('2.0.0', { cause: 'RemoteReboot', commandKey: 'fw', reason: 'Unknown', firmwareUpdated: true });
    await boot;
    expect(device.firmwareVersion()).toBe('2.0.0');
    expect(seen[1]).toEqual({ kind: 'up', why: 'reboot', boot: { cause: 'RemoteReboot', commandKey: 'fw', reason: 'Unknown', firmwareUpdated: true } });
  });

  it('a power cycle is a LocalReboot; a link cut comes back without a boot', async () => {
    const f = await fleet();
    const cpe = f.cpe(1);
    const device = uspDeviceOf(cpe);
    const seen = record(device);
    cpe.powerOff();
    await cpe.powerOn();
    const back = new Promise<void>((resolve) => device.onLifecycle((e) => e.kind === 'up' && resolve()));
    cpe.linkDown('Device.IP.Interface.1', 5_000);
    await back;
    expect(seen).toEqual([
      { kind: 'down', why: 'power' },
      { kind: 'up', why: 'power', boot: { cause: 'LocalReboot', commandKey: '', reason: 'Unknown', firmwareUpdated: false } },
      { kind: 'down', why: 'link' },
      { kind: 'up', why: 'link' },
    ]);
  });

  it('runDiagnostic(): inputs written, the profile\'s state machine run, results returned; unknown names refused', async () => {
    const f = await fleet();
    const device = uspDeviceOf(f.cpe(1));
    expect(device.diagnostics?.()).toEqual([{ name: 'IPPing', objectPath: 'Device.IP.Diagnostics.' }]);
    const res = await device.runDiagnostic!('IPPing', { Host: '127.0.0.1' });
    expect(res.state).toBe('Complete');
    expect(Object.keys(res.results).sort()).toEqual(['AverageResponseTime', 'SuccessCount']);
    expect(f.cpe(1).params.getValue(`${IPPING}Host`)).toBe('127.0.0.1');
    await expect(device.runDiagnostic!('TraceRoute', {})).rejects.toMatchObject({ errCode: 7026 });
  });

  it('idle() is false while a CWMP session runs or waits (Activate() WhenIdle) and while powered off; transferSettings() are the CPE\'s', async () => {
    const f = await fleet();
    const cpe = f.cpe(1);
    const device = uspDeviceOf(cpe);
    expect(device.idle!()).toBe(true);
    const session = cpe.inform(['6 CONNECTION REQUEST']);
    expect(device.idle!()).toBe(false);
    await session;
    expect(device.idle!()).toBe(true);
    cpe.powerOff();
    expect(device.idle!()).toBe(false);
    expect(device.transferSettings!()).toEqual(cpe.transferSettings);
    expect(cpe.transferSettings.timeoutMs).toBe(30_000);
  });
});
