/**
 * ChangeDUState end to end (TR-069 A.4.1.14 / A.4.2.x, ref §8.3): the fake ACS sends
 * it over real sockets, the CPE fetches manifests from the ACS's file server, grafts
 * the app, and reports one DUStateChangeComplete with `11 DU STATE CHANGE COMPLETE` +
 * `M ChangeDUState`, kept and retried until the ACS acknowledges it.
 */
import { describe, expect, it } from 'vitest';
import type { FakeAcs } from '../../src/acs/index.js';
import type { Cpe } from '../../src/cpe/index.js';
import { cpeSimMatchers } from '../../src/testing/matchers.js';
import type {} from '../../src/testing/vitest.js';
import { inSession } from '../transfer/helpers.js';
import { DEMO_UUID, useSwmodBed, installedDemoResult, swmodProfileObject } from './helpers.js';

expect.extend(cpeSimMatchers);

const SM = 'Device.SoftwareModules.';
const setup = useSwmodBed();

/** The DUStateChangeComplete for `commandKey`, once the CPE's session that sent it has ended. */
async function duSettled(acs: FakeAcs, cpe: Cpe, commandKey: string) {
  const done = await acs.waitForDuStateChangeComplete('cpe-1', { commandKey, timeoutMs: 20_000 });
  await cpe.waitForSession((s) => s.entries.some((e) => e.summary.startsWith('DUStateChangeComplete')) && s.events.some((e) => e.commandKey === commandKey));
  return done;
}

/** Installs demo-app 1.0.0 with one ChangeDUState and waits for its report. */
async function installDemo(acs: FakeAcs, cpe: Cpe, commandKey: string): Promise<void> {
  const sent = acs.changeDuState('cpe-1', { commandKey, operations: [{ op: 'install', url: acs.files.url('demo-1.yaml') }] });
  await cpe.inform(['6 CONNECTION REQUEST']);
  await sent;
  await duSettled(acs, cpe, commandKey);
}

describe('ChangeDUState over CWMP', () => {
  it('installs an app: empty response, then [11, M ChangeDUState] and a DUStateChangeComplete; the app is in GPN/GPV/SPV', async () => {
    const { acs, cpe } = await setup();
    const sent = acs.changeDuState('cpe-1', { commandKey: 'inst-1', operations: [{ op: 'install', url: acs.files.url('demo-1.yaml') }] });
    await cpe.inform(['6 CONNECTION REQUEST']);
    expect((await sent).response).toEqual({ name: 'ChangeDUStateResponse' });
    const done = await duSettled(acs, cpe, 'inst-1');
    expect(done.results).toEqual([installedDemoResult()]);
    // installDelay (2 s simulated) lies between start and completion.
    expect(Date.parse(done.results[0]!.completeTime) - Date.parse(done.results[0]!.startTime)).toBeGreaterThanOrEqual(2000);
    const s = cpe.sessions.find((x) => x.events.some((e) => e.eventCode === 'M ChangeDUState'));
    expect(s?.events).toEqual([
      { eventCode: '11 DU STATE CHANGE COMPLETE', commandKey: '' },
      { eventCode: 'M ChangeDUState', commandKey: 'inst-1' },
    ]);
    expect(cpe.pendingEvents).toEqual([]);
    expect(cpe).toHaveInstalledModule('demo-app', { version: '1.0.0', vendor: 'example', uuid: DEMO_UUID });

    const [gpn, gpv, spv, gpv2] = await inSession(
      acs,
      cpe,
      { name: 'GetParameterNames', parameterPath: 'Device.', nextLevel: true },
      { name: 'GetParameterValues', parameterNames: ['Device.X_EXAMPLE_Probe.', `${SM}ExecutionUnit.1.References`] },
      { name: 'SetParameterValues', parameterList: [{ name: 'Device.X_EXAMPLE_Probe.Target.1.Host', value: 'probe.example', type: 'xsd:string' }], parameterKey: 'k1' },
      { name: 'GetParameterValues', parameterNames: ['Device.X_EXAMPLE_Probe.Target.1.Host'] },
    );
    expect(gpn).toMatchObject({ name: 'GetParameterNamesResponse', parameterList: expect.arrayContaining([{ name: 'Device.X_EXAMPLE_Probe.', writable: false }]) });
    expect(gpv).toMatchObject({
      name: 'GetParameterValuesResponse',
      parameterList: [
        { name: 'Device.X_EXAMPLE_Probe.Enable', value: 'true' },
        { name: 'Device.X_EXAMPLE_Probe.Target.1.Host', value: 'example.net' },
        { name: `${SM}ExecutionUnit.1.References`, value: 'Device.X_EXAMPLE_Probe.' },
      ],
    });
    expect(spv).toMatchObject({ name: 'SetParameterValuesResponse', status: 0 });
    expect(gpv2).toMatchObject({ parameterList: [{ value: 'probe.example' }] });
  });

  it('runs update, a failing install and uninstall of one ChangeDUState in order, one OpResultStruct each', async () => {
    const { acs, cpe } = await setup();
    await installDemo(acs, cpe, 'a');
    const sent = acs.changeDuState('cpe-1', {
      commandKey: 'b',
      operations: [
        { op: 'update', uuid: DEMO_UUID, url: acs.files.url('demo-2.yaml') },
        { op: 'install', url: acs.files.url('nowhere.yaml') },
        { op: 'uninstall', uuid: DEMO_UUID, version: '2.0.0' },
      ],
    });
    await cpe.inform(['6 CONNECTION REQUEST']);
    await sent;
    const done = await duSettled(acs, cpe, 'b');
    expect(done.results.map((r) => [r.currentState, r.version, r.fault.faultCode])).toEqual([
      ['Installed', '2.0.0', 0],
      ['Failed', '', 9016],
      ['Uninstalled', '2.0.0', 0],
    ]);
    expect(done.results[1]!.fault.faultString).toMatch(/^Download failure: unable to access file .*404/);
    expect(cpe).not.toHaveInstalledModule('demo-app');
    expect(cpe.params.has('Device.X_EXAMPLE_Probe.')).toBe(false);
  });

  it('keeps the DUStateChangeComplete and its events through a failed session and delivers them on the retry', async () => {
    const { acs, cpe } = await setup();
    // The next Inform (the one announcing 11) is refused; the retry carries it again.
    const sent = acs.changeDuState('cpe-1', { commandKey: 'retry', operations: [{ op: 'install', url: acs.files.url('demo-1.yaml') }] });
    await cpe.inform(['6 CONNECTION REQUEST']);
    await sent;
    acs.behave('cpe-1', { httpStatus: 503, once: true });
    const done = await duSettled(acs, cpe, 'retry');
    expect(done.results[0]?.currentState).toBe('Installed');
    const announcing = cpe.sessions.filter((x) => x.events.some((e) => e.eventCode === '11 DU STATE CHANGE COMPLETE'));
    expect(announcing.length).toBe(2);
    expect(announcing[0]?.ok).toBe(false);
    expect(announcing[1]?.ok).toBe(true);
    expect(announcing[1]?.retryCount).toBe(1);
    expect(acs.duStateChangeCompletes('cpe-1')).toHaveLength(1);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('a FactoryReset forgets installed apps and their data model (ref §11)', async () => {
    const { acs, cpe } = await setup();
    await installDemo(acs, cpe, 'x');
    expect(cpe).toHaveInstalledModule('demo-app');
    await inSession(acs, cpe, { name: 'FactoryReset' });
    await cpe.waitForSession((s) => s.events.some((e) => e.eventCode === '0 BOOTSTRAP'));
    expect(cpe).not.toHaveInstalledModule('demo-app');
    expect(cpe.params.has('Device.X_EXAMPLE_Probe.')).toBe(false);
    expect(cpe.params.getNames(`${SM}DeploymentUnit.`, true)).toEqual([]);
  });

  it('the failure message of toHaveInstalledModule lists what is installed', async () => {
    const { acs, cpe } = await setup();
    await installDemo(acs, cpe, 'm');
    let message = '';
    try {
      expect(cpe).toHaveInstalledModule('demo-app', { version: '2.0.0' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Received: 1 installed module(s) on cpe-1:');
    expect(message).toContain(`demo-app 1.0.0 (example)  UUID=${DEMO_UUID}  ${SM}DeploymentUnit.1`);
  });
});

describe('ChangeDUState without software modules', () => {
  it('faults 9000 and GetRPCMethods does not list it (ref §8.1)', async () => {
    const base = swmodProfileObject();
    delete base['softwareModules'];
    const { acs, cpe } = await setup(base);
    const [gm, cd] = await inSession(acs, cpe, { name: 'GetRPCMethods' }, { name: 'ChangeDUState', commandKey: '', operations: [{ op: 'install', url: acs.files.url('demo-1.yaml'), uuid: '', username: '', password: '', executionEnvRef: '' }] });
    expect(gm).toMatchObject({ name: 'GetRPCMethodsResponse' });
    expect((gm as { methodList: string[] }).methodList).not.toContain('ChangeDUState');
    expect(cd).toMatchObject({ name: 'Fault', detail: { faultCode: 9000 } });
  });
});
