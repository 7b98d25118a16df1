/**
 * AutonomousDUStateChangeComplete (TR-069 Annex A.4.2, event `12 AUTONOMOUS DU STATE
 * CHANGE COMPLETE`) over real sockets: the device changes a deployment unit on its own
 * (cpe.autonomousDuStateChange), the lifecycle fetches the manifest from the fake ACS's
 * file server, and the report, with OperationPerformed, is kept until the ACS answers it.
 */
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../../src/cwmp/index.js';
import { cpeSimMatchers } from '../../src/testing/matchers.js';
import type {} from '../../src/testing/vitest.js';
import { DEMO_UUID, useSwmodBed, installedDemoResult, swmodProfileObject } from './helpers.js';

expect.extend(cpeSimMatchers);

const SM = 'Device.SoftwareModules.';
const EV12 = '12 AUTONOMOUS DU STATE CHANGE COMPLETE';
const setup = useSwmodBed();

describe('autonomous DU state change', () => {
  it('installs, then updates on its own: each reported with 12 and an AutonomousDUStateChangeComplete carrying OperationPerformed', async () => {
    const { acs, cpe } = await setup();
    const { result, session } = await cpe.autonomousDuStateChange({ op: 'install', url: acs.files.url('demo-1.yaml') });
    expect(result).toMatchObject({ op: 'install', uuid: DEMO_UUID, currentState: 'Installed', version: '1.0.0' });
    expect(session.ok).toBe(true);
    expect(session.events).toEqual([{ eventCode: EV12, commandKey: '' }]);
    const got = await acs.waitForAutonomousDuStateChange('cpe-1', { timeoutMs: 20_000 });
    expect(got.results).toEqual([{ ...installedDemoResult(), operationPerformed: 'Install' }]);
    expect(cpe).toHaveInstalledModule('demo-app', { version: '1.0.0' });
    expect(cpe.pendingEvents).toEqual([]);

    const up = await cpe.autonomousDuStateChange({ op: 'update', uuid: DEMO_UUID, url: acs.files.url('demo-2.yaml') });
    expect(up.result.currentState).toBe('Installed');
    expect(acs.autonomousDuStateChanges('cpe-1').map((r) => [r.results[0]!.operationPerformed, r.results[0]!.version])).toEqual([
      ['Install', '1.0.0'],
      ['Update', '2.0.0'],
    ]);
    expect(cpe.params.getValue('Device.X_EXAMPLE_Probe.Interval')).toBe('30');
  });

  it('reports a failed operation with its fault (uninstall of a unit that is not installed: 9028)', async () => {
    const { acs, cpe } = await setup();
    const { result } = await cpe.autonomousDuStateChange({ op: 'uninstall', uuid: DEMO_UUID });
    expect(result.fault?.cwmpCode).toBe(9028);
    const got = await acs.waitForAutonomousDuStateChange('cpe-1', { timeoutMs: 20_000 });
    expect(got.results[0]).toMatchObject({ operationPerformed: 'Uninstall', currentState: 'Failed', resolved: false, fault: { faultCode: 9028 } });
  });

  it('keeps the report and its event through a refused session and delivers them on the retry', async () => {
    const { acs, cpe } = await setup();
    acs.behave('cpe-1', { httpStatus: 503, once: true });
    await cpe.autonomousDuStateChange({ op: 'install', url: acs.files.url('demo-1.yaml') });
    await acs.waitForAutonomousDuStateChange('cpe-1', { timeoutMs: 20_000 });
    await cpe.waitForSession((s) => s.ok && s.events.some((e) => e.eventCode === EV12));
    const announcing = cpe.sessions.filter((x) => x.events.some((e) => e.eventCode === EV12));
    expect(announcing.map((s) => s.ok)).toEqual([false, true]);
    expect(announcing[1]?.retryCount).toBe(1);
    expect(acs.autonomousDuStateChanges('cpe-1')).toHaveLength(1);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('refuses a malformed operation, and a profile without softwareModules, with a clear error', async () => {
    const base = swmodProfileObject();
    delete base['softwareModules'];
    const { acs, cpe } = await setup(base);
    await expect(cpe.autonomousDuStateChange({ op: 'uninstall', uuid: '' })).rejects.toMatchObject({ code: 'CPESIM_SWMOD_INVALID', message: expect.stringContaining('uninstall needs a uuid') });
    await expect(cpe.autonomousDuStateChange({ op: 'install', url: acs.files.url('demo-1.yaml') })).rejects.toMatchObject({ code: 'CPESIM_SWMOD_UNSUPPORTED' });
    expect(acs.autonomousDuStateChanges('cpe-1')).toEqual([]);
  });
});

describe('AutonomousDUStateChangeComplete codec', () => {
  it('round-trips AutonOpResultStruct with OperationPerformed and rejects an unknown one', () => {
    const msg = {
      name: 'AutonomousDUStateChangeComplete' as const,
      results: [
        { uuid: DEMO_UUID, deploymentUnitRef: `${SM}DeploymentUnit.1`, version: '1.0.0', currentState: 'Installed', resolved: true, executionUnitRefList: `${SM}ExecutionUnit.1`, startTime: '2026-01-01T00:00:00Z', completeTime: '2026-01-01T00:00:02Z', fault: { faultCode: 0, faultString: '' }, operationPerformed: 'Install' as const },
      ],
    };
    const xml = encodeEnvelope(msg, { header: { id: '1' } });
    expect(xml).toContain('cwmp:AutonOpResultStruct[1]');
    expect(xml).toContain('<OperationPerformed>Install</OperationPerformed>');
    expect(decodeEnvelope(xml).body).toEqual(msg);
    expect(() => decodeEnvelope(xml.replace('>Install<', '>Reinstall<'))).toThrow(/OperationPerformed "Reinstall"/);
  });
});
