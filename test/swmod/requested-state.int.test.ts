/**
 * TR-157 ExecutionUnit.{i}.RequestedState over real sockets: an SPV of `Idle` stops a
 * running EU (Status Stopping → Idle, its data model leaves the tree), `Active` starts it
 * again; the ACS sees the Status by GPV and, with Notification 2 on it, by a
 * `4 VALUE CHANGE` Inform. Stopping lasts `stopDelay`; a value other than Idle/Active,
 * or Active while Stopping, is refused (9003 with 9007).
 */
import { describe, expect, it } from 'vitest';
import type { FakeAcs } from '../../src/acs/index.js';
import type { Cpe } from '../../src/cpe/index.js';
import { inSession } from '../transfer/helpers.js';
import { swmodProfileObject, useSwmodBed } from './helpers.js';

const EU = 'Device.SoftwareModules.ExecutionUnit.1.';
const setup = useSwmodBed();

async function installed(): Promise<{ acs: FakeAcs; cpe: Cpe }> {
  const { acs, cpe } = await setup();
  await cpe.autonomousDuStateChange({ op: 'install', url: acs.files.url('demo-1.yaml') });
  return { acs, cpe };
}

/** The Status values `4 VALUE CHANGE` Informs carried to the ACS, oldest first. */
function notifiedStatus(acs: FakeAcs): string[] {
  return acs.informs.filter((i) => i.events.some((e) => e.eventCode === '4 VALUE CHANGE')).flatMap((i) => i.parameters.filter((p) => p.name === `${EU}Status`).map((p) => p.value));
}

describe('ExecutionUnit RequestedState', () => {
  it('Idle stops the EU and removes its data model; Active starts it again; GPV and value-change notification see Status', async () => {
    const { acs, cpe } = await installed();
    expect(cpe.params.getValue(`${EU}Status`)).toBe('Active');
    await inSession(acs, cpe, { name: 'SetParameterAttributes', parameterList: [{ name: `${EU}Status`, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }] });

    const [spv] = await inSession(acs, cpe, { name: 'SetParameterValues', parameterList: [{ name: `${EU}RequestedState`, value: 'Idle' }], parameterKey: 'stop' });
    expect(spv).toMatchObject({ name: 'SetParameterValuesResponse', status: 0 });
    // Stopping lasts stopDelay (1 s simulated here): the ACS may see it before Idle.
    await expect.poll(() => notifiedStatus(acs).at(-1), { timeout: 10_000 }).toBe('Idle');
    expect(notifiedStatus(acs).every((v) => v === 'Stopping' || v === 'Idle')).toBe(true);
    const stopNotices = notifiedStatus(acs).length;
    const [gpv, gone] = await inSession(
      acs,
      cpe,
      { name: 'GetParameterValues', parameterNames: [`${EU}Status`, `${EU}References`, 'Device.SoftwareModules.ExecEnv.1.ActiveExecutionUnits', 'Device.SoftwareModules.DeploymentUnit.1.Status'] },
      { name: 'GetParameterValues', parameterNames: ['Device.X_EXAMPLE_Probe.Enable'] },
    );
    expect((gpv as { parameterList: Array<{ value: string }> }).parameterList.map((p) => p.value)).toEqual(['Idle', '', '', 'Installed']);
    expect(gone).toMatchObject({ name: 'Fault', detail: { faultCode: 9005 } });

    await inSession(acs, cpe, { name: 'SetParameterValues', parameterList: [{ name: `${EU}RequestedState`, value: 'Active' }], parameterKey: 'start' });
    await expect.poll(() => cpe.params.getValue(`${EU}Status`), { timeout: 10_000 }).toBe('Active');
    await expect.poll(() => notifiedStatus(acs).at(-1), { timeout: 10_000 }).toBe('Active');
    expect(notifiedStatus(acs).slice(stopNotices).every((v) => v === 'Starting' || v === 'Active')).toBe(true);
    expect(cpe.params.getValue('Device.X_EXAMPLE_Probe.Enable')).toBe('true');
    expect(cpe.params.getValue(`${EU}References`)).toBe('Device.X_EXAMPLE_Probe.');
    expect(cpe.params.getValue('Device.SoftwareModules.ExecEnv.1.ActiveExecutionUnits')).toBe('Device.SoftwareModules.ExecutionUnit.1');

    // An idle unit can still be uninstalled.
    await inSession(acs, cpe, { name: 'SetParameterValues', parameterList: [{ name: `${EU}RequestedState`, value: 'Idle' }], parameterKey: 'stop2' });
    const { result } = await cpe.autonomousDuStateChange({ op: 'uninstall', uuid: cpe.installedModules()[0]!.uuid });
    expect(result.currentState).toBe('Uninstalled');
    expect(cpe.installedModules()).toEqual([]);
  });

  it('a FactoryReset forgets an idle app too', async () => {
    const { acs, cpe } = await installed();
    await inSession(acs, cpe, { name: 'SetParameterValues', parameterList: [{ name: `${EU}RequestedState`, value: 'Idle' }], parameterKey: 'stop' });
    await expect.poll(() => cpe.params.getValue(`${EU}Status`)).toBe('Idle');
    expect(cpe.installedModules()).toHaveLength(1);
    await inSession(acs, cpe, { name: 'FactoryReset' });
    await cpe.waitForSession((s) => s.events.some((e) => e.eventCode === '0 BOOTSTRAP'));
    expect(cpe.installedModules()).toEqual([]);
  });

  it('Stopping lasts softwareModules.stopDelay: GPV sees it, Active is refused meanwhile (9003 with 9007), Idle again changes nothing', async () => {
    const profile = swmodProfileObject();
    (profile['softwareModules'] as Record<string, unknown>)['stopDelay'] = '24h';
    const { acs, cpe } = await setup(profile);
    await cpe.autonomousDuStateChange({ op: 'install', url: acs.files.url('demo-1.yaml') });
    const [stop] = await inSession(acs, cpe, { name: 'SetParameterValues', parameterList: [{ name: `${EU}RequestedState`, value: 'Idle' }], parameterKey: 'stop' });
    expect(stop).toMatchObject({ name: 'SetParameterValuesResponse', status: 0 });
    await expect.poll(() => cpe.params.getValue(`${EU}Status`)).toBe('Stopping');
    const [gpv, active, idle] = await inSession(
      acs,
      cpe,
      { name: 'GetParameterValues', parameterNames: [`${EU}Status`, 'Device.X_EXAMPLE_Probe.Enable'] },
      { name: 'SetParameterValues', parameterList: [{ name: `${EU}RequestedState`, value: 'Active' }], parameterKey: 'start' },
      { name: 'SetParameterValues', parameterList: [{ name: `${EU}RequestedState`, value: 'Idle' }], parameterKey: 'stop-again' },
    );
    // The app still runs until it has stopped.
    expect((gpv as { parameterList: Array<{ value: string }> }).parameterList.map((p) => p.value)).toEqual(['Stopping', 'true']);
    expect(active).toMatchObject({ name: 'Fault', detail: { faultCode: 9003, setParameterValuesFault: [{ parameterName: `${EU}RequestedState`, faultCode: 9007, faultString: expect.stringContaining('Stopping') }] } });
    expect(idle).toMatchObject({ name: 'SetParameterValuesResponse', status: 0 });
    expect(cpe.params.getValue(`${EU}Status`)).toBe('Stopping');
  });

  it('refuses a value other than Idle or Active: 9003 with a 9007 for the parameter, nothing applied', async () => {
    const { acs, cpe } = await installed();
    const [r] = await inSession(acs, cpe, { name: 'SetParameterValues', parameterList: [{ name: `${EU}RequestedState`, value: 'Running' }], parameterKey: 'bad' });
    expect(r).toMatchObject({ name: 'Fault', detail: { faultCode: 9003, setParameterValuesFault: [{ parameterName: `${EU}RequestedState`, faultCode: 9007 }] } });
    expect(cpe.params.getValue(`${EU}Status`)).toBe('Active');
  });
});
