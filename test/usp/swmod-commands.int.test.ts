// USP InstallDU() / DeploymentUnit.{i}.Update() / Uninstall() over the TR-157 lifecycle of
// swmod/ (the one CWMP's ChangeDUState uses), manifests served on 127.0.0.1 by the fake
// ACS's file server: Request rows, OperationComplete and DUStateChange!.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeAcs, type FakeAcs } from '../../src/acs/index.js';
import type { Operate } from '../../src/usp/types.js';
import { DEMO_UUID, demoManifest, swmodProfile } from '../swmod/helpers.js';
import { CTL, rig, withLocalAgent, type Rig } from './notify-fixture.js';

const SM = 'Device.SoftwareModules.';
let acs: FakeAcs;
beforeAll(async () => {
  acs = await createFakeAcs();
  acs.files.serve('demo-1.yaml', demoManifest());
  acs.files.serve('demo-2.yaml', demoManifest({ version: '2.0.0' }));
  acs.files.serve('broken-app.yaml', demoManifest({ name: 'broken-app' }).replaceAll('X_EXAMPLE_Probe', 'X_broken_app'));
});
afterAll(async () => {
  await acs?.close();
});

function swRig(): Rig {
  return rig({ profile: withLocalAgent(swmodProfile()) });
}

const op = (command: string, input_args: Record<string, string> = {}): Operate => ({ command, command_key: 'du', send_resp: true, input_args });

/** Advances the manual clock (install delays) until `pred` holds; bounded in real time. */
async function drive(r: Rig, pred: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    r.clock.advance(500);
    await new Promise((ok) => setTimeout(ok, 5));
  }
}

describe('software-module commands (TR-181 SoftwareModules, usp-notes §4.8)', () => {
  it('InstallDU(), Update(), Uninstall(): each async with a Request row, OperationComplete and DUStateChange!', async () => {
    const r = swRig();
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: SM });
    r.subscribe({ id: 'du', notifType: 'Event', ref: `${SM}DUStateChange!` });
    const install = await r.usp.operate(op(`${SM}InstallDU()`, { URL: acs.files.url('demo-1.yaml') }), CTL);
    expect(install?.operation_results[0]?.req_obj_path).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
    await drive(r, () => r.notifier.of('oper_complete').length === 1, 'InstallDU() to complete');
    expect(r.notifier.of('oper_complete')[0]?.notify.oper_complete).toMatchObject({ obj_path: SM, command_name: 'InstallDU()', command_key: 'du', operation_resp: 'req_output_args' });
    expect(r.notifier.of('event')[0]?.notify.event).toMatchObject({ obj_path: SM, event_name: 'DUStateChange!', params: { UUID: DEMO_UUID, CurrentState: 'Installed', OperationPerformed: 'Install', 'Fault.FaultCode': '0' } });
    expect(r.tree.getValue(`${SM}DeploymentUnit.1.Version`)).toBe('1.0.0');

    await r.usp.operate(op(`${SM}DeploymentUnit.*.Update()`, { URL: acs.files.url('demo-2.yaml') }), CTL);
    await drive(r, () => r.notifier.of('oper_complete').length === 2, 'Update() to complete');
    expect(r.tree.getValue(`${SM}DeploymentUnit.1.Version`)).toBe('2.0.0');

    await r.usp.operate(op(`${SM}DeploymentUnit.1.Uninstall()`), CTL);
    await drive(r, () => r.notifier.of('oper_complete').length === 3, 'Uninstall() to complete');
    expect(r.notifier.of('event').map((e) => e.notify.event?.params.OperationPerformed)).toEqual(['Install', 'Update', 'Uninstall']);
    expect(r.tree.has(`${SM}DeploymentUnit.1.`)).toBe(false);
  });

  it('a failing install is a cmd_failure with the TR-369 code, and DUStateChange! carries it', async () => {
    const r = swRig();
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: SM });
    r.subscribe({ id: 'du', notifType: 'Event', ref: SM });
    const missing = await r.usp.operate(op(`${SM}InstallDU()`), CTL);
    expect(missing?.operation_results[0]?.cmd_failure?.err_code).toBe(7027);
    await r.usp.operate(op(`${SM}InstallDU()`, { URL: acs.files.url('broken-app.yaml') }), CTL);
    await drive(r, () => r.notifier.of('oper_complete').length === 1, 'InstallDU() to fail');
    const failure = r.notifier.of('oper_complete')[0]?.notify.oper_complete?.cmd_failure;
    expect(failure?.err_code).toBeGreaterThanOrEqual(7000);
    expect(r.notifier.of('event')[0]?.notify.event?.params['Fault.FaultCode']).toBe(String(failure?.err_code));
  });
});
