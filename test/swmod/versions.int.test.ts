/**
 * Several versions of one deployment unit (TR-369 Appendix I, "Execution Environment
 * Concepts": several versions of a DU in one EE, one instance of each), enabled by
 * `softwareModules.multipleVersions`, and fault 9031 (TR-069 cwmp-1-2.xsd "Invalid
 * Deployment Unit Update – Version not specified", USP 7231) for an Update or Uninstall
 * whose UUID names more than one installed version, over the lifecycle and over CWMP.
 */
import { describe, expect, it } from 'vitest';
import type { FakeAcs } from '../../src/acs/index.js';
import { httpManifestFetcher, installDu, installedModules, setExecutionUnitState, uninstallDu, updateDu, type SwmodContext } from '../../src/swmod/index.js';
import { profileFromObject } from '../../src/profile/index.js';
import { DEMO_UUID, demoManifest, manifestServer, swmodProfileObject, swmodTree, useSwmodBed } from './helpers.js';
import { CTL, rig, withLocalAgent } from '../usp/notify-fixture.js';

const SM = 'Device.SoftwareModules.';
const acs = manifestServer({ 'demo-1.yaml': demoManifest(), 'demo-2.yaml': demoManifest({ version: '2.0.0' }), 'demo-3.yaml': demoManifest({ version: '3.0.0' }) });

function ctx(multipleVersions: boolean): SwmodContext {
  const { tree, profile } = swmodTree();
  return { tree, config: { ...profile.softwareModules!, ...(multipleVersions ? { multipleVersions } : {}) }, fetch: httpManifestFetcher({ timeoutMs: 5000 }), sleep: async () => undefined };
}
const url = (n: string): string => acs().files.url(n);

describe('softwareModules.multipleVersions', () => {
  it('a second version installs beside the first (Idle: one version runs); the same version again is 9026', async () => {
    const c = ctx(true);
    expect(await installDu(c, { op: 'install', url: url('demo-1.yaml') })).toMatchObject({ currentState: 'Installed', uuid: DEMO_UUID, deploymentUnitRef: `${SM}DeploymentUnit.1` });
    const second = await installDu(c, { op: 'install', url: url('demo-2.yaml') });
    expect(second).toMatchObject({ currentState: 'Installed', uuid: DEMO_UUID, version: '2.0.0', deploymentUnitRef: `${SM}DeploymentUnit.2`, executionUnitRefs: [`${SM}ExecutionUnit.2`] });
    expect(installedModules(c.tree).map((m) => [m.uuid, m.version])).toEqual([
      [DEMO_UUID, '1.0.0'],
      [DEMO_UUID, '2.0.0'],
    ]);
    expect(c.tree.getValue(`${SM}ExecutionUnit.1.Status`)).toBe('Active');
    expect(c.tree.getValue(`${SM}ExecutionUnit.2.Status`)).toBe('Idle');
    expect(c.tree.getValue(`${SM}ExecEnv.1.ActiveExecutionUnits`)).toBe(`${SM}ExecutionUnit.1`);
    expect((await installDu(c, { op: 'install', url: url('demo-1.yaml') })).fault).toMatchObject({ cwmpCode: 9026, message: expect.stringContaining('version 1.0.0') });
    // Starting the idle version while the other runs: their data models collide.
    expect(await setExecutionUnitState(c, `${SM}ExecutionUnit.2`, 'Active')).toBe('Idle');
    expect(c.tree.getValue(`${SM}ExecutionUnit.2.ExecutionFaultCode`)).toBe('FailureOnStart');
    // Once 1.0.0 is stopped, 2.0.0 can run.
    expect(await setExecutionUnitState(c, `${SM}ExecutionUnit.1`, 'Idle')).toBe('Idle');
    expect(await setExecutionUnitState(c, `${SM}ExecutionUnit.2`, 'Active')).toBe('Active');
    expect(c.tree.getValue(`${SM}ExecEnv.1.ActiveExecutionUnits`)).toBe(`${SM}ExecutionUnit.2`);
  });

  it('9031 (USP 7231) for an Update or Uninstall without Version when the UUID names several versions; with Version it acts on that one', async () => {
    const c = ctx(true);
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    await installDu(c, { op: 'install', url: url('demo-2.yaml') });
    const upd = await updateDu(c, { op: 'update', uuid: DEMO_UUID, url: url('demo-3.yaml') });
    expect(upd).toMatchObject({ currentState: 'Failed', fault: { cwmpCode: 9031, uspCode: 7231, message: expect.stringContaining('1.0.0, 2.0.0') } });
    expect((await uninstallDu(c, { op: 'uninstall', uuid: DEMO_UUID })).fault).toMatchObject({ cwmpCode: 9031, uspCode: 7231 });
    expect(installedModules(c.tree)).toHaveLength(2);
    // Updating 1.0.0 to a version its sibling already is: 9032.
    expect((await updateDu(c, { op: 'update', uuid: DEMO_UUID, version: '1.0.0', url: url('demo-2.yaml') })).fault).toMatchObject({ cwmpCode: 9032 });
    expect(await updateDu(c, { op: 'update', uuid: DEMO_UUID, version: '1.0.0', url: url('demo-3.yaml') })).toMatchObject({ currentState: 'Installed', version: '3.0.0' });
    expect(c.tree.getValue('Device.X_EXAMPLE_Probe.Enable')).toBe('true');
    expect(await uninstallDu(c, { op: 'uninstall', uuid: DEMO_UUID, version: '2.0.0' })).toMatchObject({ currentState: 'Uninstalled', version: '2.0.0' });
    // One version left: no Version needed any more.
    expect(await uninstallDu(c, { op: 'uninstall', uuid: DEMO_UUID })).toMatchObject({ currentState: 'Uninstalled', version: '3.0.0' });
    expect(installedModules(c.tree)).toEqual([]);
  });

  it('without it (the seed), another version of an installed UUID is 9026 and an empty Version always names the one unit', async () => {
    const c = ctx(false);
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    expect((await installDu(c, { op: 'install', url: url('demo-2.yaml') })).fault).toMatchObject({ cwmpCode: 9026 });
    expect(await updateDu(c, { op: 'update', uuid: DEMO_UUID, url: url('demo-2.yaml') })).toMatchObject({ currentState: 'Installed', version: '2.0.0' });
  });

  it('is a boolean profile key', () => {
    const o = swmodProfileObject();
    (o['softwareModules'] as Record<string, unknown>)['multipleVersions'] = true;
    expect(profileFromObject(o, '<t>').softwareModules?.multipleVersions).toBe(true);
    (o['softwareModules'] as Record<string, unknown>)['multipleVersions'] = 'sometimes';
    expect(() => profileFromObject(o, '<t>')).toThrow(/softwareModules\.multipleVersions/);
  });
});

describe('over CWMP', () => {
  const setup = useSwmodBed();
  it('ChangeDUState: an UpdateOpStruct without Version reports 9031 in DUStateChangeComplete; with Version it acts on that one', async () => {
    const o = swmodProfileObject();
    (o['softwareModules'] as Record<string, unknown>)['multipleVersions'] = true;
    const { acs: a, cpe } = await setup(o);
    const run = async (commandKey: string, operations: Parameters<FakeAcs['changeDuState']>[1]['operations']) => {
      const sent = a.changeDuState('cpe-1', { commandKey, operations });
      await cpe.inform(['6 CONNECTION REQUEST']);
      await sent;
      return a.waitForDuStateChangeComplete('cpe-1', { commandKey, timeoutMs: 20_000 });
    };
    await run('two', [
      { op: 'install', url: a.files.url('demo-1.yaml') },
      { op: 'install', url: a.files.url('demo-2.yaml') },
    ]);
    const ambiguous = await run('upd', [{ op: 'update', uuid: DEMO_UUID, url: a.files.url('demo-2.yaml') }]);
    expect(ambiguous.results[0]).toMatchObject({ currentState: 'Failed', fault: { faultCode: 9031, faultString: expect.stringMatching(/Version not specified/) } });
    const named = await run('upd-2', [{ op: 'uninstall', uuid: DEMO_UUID, version: '1.0.0' }]);
    expect(named.results[0]).toMatchObject({ currentState: 'Uninstalled', version: '1.0.0', fault: { faultCode: 0 } });
  });
});

describe('over USP', () => {
  it('DeploymentUnit.{i}.Update() names its row, so it updates that version even when several are installed', async () => {
    const o = swmodProfileObject();
    (o['softwareModules'] as Record<string, unknown>)['multipleVersions'] = true;
    const r = rig({ profile: withLocalAgent(profileFromObject(o, '<swmod-test>')) });
    const c: SwmodContext = { tree: r.tree, config: r.template.profile.softwareModules!, fetch: httpManifestFetcher({ timeoutMs: 5000 }), sleep: async () => undefined };
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    await installDu(c, { op: 'install', url: url('demo-2.yaml') });
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: SM });
    await r.usp.operate({ command: `${SM}DeploymentUnit.2.Update()`, command_key: 'u', send_resp: true, input_args: { URL: url('demo-3.yaml') } }, CTL);
    const end = Date.now() + 10_000;
    while (r.notifier.of('oper_complete').length === 0 && Date.now() < end) {
      r.clock.advance(500);
      await new Promise((ok) => setTimeout(ok, 5));
    }
    expect(r.notifier.of('oper_complete')[0]?.notify.oper_complete?.operation_resp).toBe('req_output_args');
    expect(r.tree.getValue(`${SM}DeploymentUnit.2.Version`)).toBe('3.0.0');
    expect(r.tree.getValue(`${SM}DeploymentUnit.1.Version`)).toBe('1.0.0');
  });
});
