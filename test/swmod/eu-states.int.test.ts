/**
 * TR-157 execution-unit states (TR-181 ExecutionUnit.{i}.Status/RequestedState): Starting
 * and Stopping are real states that last `softwareModules.startDelay`/`stopDelay`, seen by
 * a Get while they last, and the RequestedState writes TR-181 refuses are refused the same
 * way by CWMP's rule (9007) and a USP Set (7012), with nothing written.
 */
import { describe, expect, it } from 'vitest';
import { checkRequestedState, httpManifestFetcher, installDu, setExecutionUnitState, type SwmodContext } from '../../src/swmod/index.js';
import { handleRequest, type UspMsg, type UspRequest, type UspInput } from '../../src/usp/index.js';
import { profileFromObject } from '../../src/profile/index.js';
import { CTL, rig, withLocalAgent, type Rig } from '../usp/notify-fixture.js';
import { demoManifest, manifestServer, swmodProfileObject, swmodTree } from './helpers.js';

const SM = 'Device.SoftwareModules.';
const EU = `${SM}ExecutionUnit.1.`;
const manifests = manifestServer({ 'demo-1.yaml': demoManifest() });
const demoUrl = (): string => manifests().files.url('demo-1.yaml');

/** A context whose delays wait until the test releases them (a clock the test holds). */
function held(tree: SwmodContext['tree'], config: SwmodContext['config']): SwmodContext & { waits: number[]; release(): Promise<void>; free: boolean } {
  const queue: Array<() => void> = [];
  const c = {
    tree,
    config,
    fetch: httpManifestFetcher({ timeoutMs: 5000 }),
    waits: [] as number[],
    free: true,
    sleep(ms: number): Promise<void> {
      c.waits.push(ms);
      if (c.free) return Promise.resolve();
      return new Promise<void>((r) => queue.push(r));
    },
    async release() {
      queue.shift()?.();
      for (let i = 0; i < 20; i++) await Promise.resolve();
    },
  };
  return c;
}

/** Lets the operation chain reach its next wait. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

describe('EU Starting/Stopping take time (TR-157 EU state machine)', () => {
  it('Idle: Stopping for stopDelay (Active refused meanwhile), then Idle; Active: Starting for startDelay, then Active; Idle asked while Starting stops it once Active', async () => {
    const { tree, profile } = swmodTree();
    const config = { ...profile.softwareModules!, startDelayMs: 3000, stopDelayMs: 2000 };
    const c = held(tree, config);
    expect((await installDu(c, { op: 'install', url: demoUrl() })).currentState).toBe('Installed');
    expect(tree.getValue(`${EU}Status`)).toBe('Active');
    c.free = false;
    c.waits.length = 0;

    const stopped = setExecutionUnitState(c, EU, 'Idle');
    await settle();
    expect(tree.getValue(`${EU}Status`)).toBe('Stopping');
    expect(c.waits).toEqual([2000]);
    // The app still runs while it stops; TR-181: Active while Stopping is rejected.
    expect(tree.getValue('Device.X_EXAMPLE_Probe.Enable')).toBe('true');
    expect(checkRequestedState(tree, config, `${EU}RequestedState`, 'Active')).toMatchObject({ cwmpCode: 9007, uspCode: 7012, message: expect.stringContaining('Stopping') });
    expect(checkRequestedState(tree, config, `${EU}RequestedState`, 'Idle')).toBeUndefined();
    await c.release();
    expect(await stopped).toBe('Idle');
    expect(tree.has('Device.X_EXAMPLE_Probe.Enable')).toBe(false);
    expect(tree.getValue(`${SM}ExecEnv.1.ActiveExecutionUnits`)).toBe('');

    const started = setExecutionUnitState(c, EU, 'Active');
    const stopAgain = setExecutionUnitState(c, EU, 'Idle');
    await settle();
    expect(tree.getValue(`${EU}Status`)).toBe('Starting');
    expect(c.waits).toEqual([2000, 3000]);
    expect(checkRequestedState(tree, config, `${EU}RequestedState`, 'Idle')).toBeUndefined();
    await c.release();
    expect(await started).toBe('Active');
    expect(tree.getValue('Device.X_EXAMPLE_Probe.Enable')).toBe('true');
    // The Idle asked during Starting now runs: Stopping again.
    await settle();
    expect(tree.getValue(`${EU}Status`)).toBe('Stopping');
    await c.release();
    expect(await stopAgain).toBe('Idle');
  });

  it('the profile keys: startDelay/stopDelay default to 1 s, are durations, and are checked', () => {
    const p = profileFromObject(swmodProfileObject(), '<t>');
    expect(p.softwareModules).toMatchObject({ startDelayMs: 1000, stopDelayMs: 1000 });
    const o = swmodProfileObject();
    (o['softwareModules'] as Record<string, unknown>)['startDelay'] = '250ms';
    (o['softwareModules'] as Record<string, unknown>)['stopDelay'] = '0s';
    expect(profileFromObject(o, '<t>').softwareModules).toMatchObject({ startDelayMs: 250, stopDelayMs: 0 });
    (o['softwareModules'] as Record<string, unknown>)['stopDelay'] = 'soon';
    expect(() => profileFromObject(o, '<t>')).toThrow(/softwareModules\.stopDelay/);
  });

  it('checkRequestedState refuses a value that is not Idle/Active and any change in a disabled execution environment', async () => {
    const { tree, profile } = swmodTree();
    const config = profile.softwareModules!;
    await installDu(held(tree, config), { op: 'install', url: demoUrl() });
    expect(checkRequestedState(tree, config, `${EU}RequestedState`, 'Running')).toMatchObject({ cwmpCode: 9007, uspCode: 7012, message: expect.stringContaining('"Running"') });
    expect(checkRequestedState(tree, config, 'Device.DeviceInfo.SoftwareVersion', 'x')).toBeUndefined();
    tree.setInternal(`${SM}ExecEnv.1.Enable`, 'false');
    expect(checkRequestedState(tree, config, `${EU}RequestedState`, 'Idle')).toMatchObject({ cwmpCode: 9007, message: expect.stringContaining('disabled execution environment') });
  });
});

describe('over USP: Set of RequestedState and Get during a transition', () => {
  async function ask(r: Rig, request: UspInput<UspRequest>): Promise<UspMsg | undefined> {
    return handleRequest(
      { tree: r.tree, template: r.template, controllerId: CTL, beforeCommit: r.usp.beforeCommit, operate: r.usp.operate, supportedCommands: r.usp.supportedCommands, supportedEvents: r.usp.supportedEvents },
      { header: { msg_id: 'm-1', msg_type: 'SET' }, body: { msg_body: 'request', request } } as UspMsg,
    );
  }
  const setState = (value: string) => ({ set: { allow_partial: false, update_objs: [{ obj_path: EU, param_settings: [{ param: 'RequestedState', value, required: true }] }] } });

  async function installedRig(): Promise<{ r: Rig; c: ReturnType<typeof held> }> {
    const r = rig({ profile: withLocalAgent(profileFromObject(swmodProfileObject(), '<swmod-test>')) });
    const c = held(r.tree, r.template.profile.softwareModules!);
    await installDu(c, { op: 'install', url: demoUrl() });
    return { r, c };
  }

  it('an invalid value is refused with 7012 and nothing is written', async () => {
    const { r } = await installedRig();
    const before = r.tree.getValue(`${EU}RequestedState`);
    const m = await ask(r, setState('Running'));
    expect(m?.body.error).toMatchObject({ err_code: 7012, param_errs: [{ param_path: `${EU}RequestedState`, err_code: 7012 }] });
    expect(r.tree.getValue(`${EU}RequestedState`)).toBe(before);
    expect(r.tree.getValue(`${EU}Status`)).toBe('Active');
  });

  it('a Get during Stopping sees it, and Active is refused with 7012 until the EU is Idle', async () => {
    const { r, c } = await installedRig();
    expect((await ask(r, setState('Idle')))?.body.response?.set_resp).toBeDefined();
    c.free = false;
    const stopping = setExecutionUnitState(c, EU, 'Idle');
    await settle();
    const got = await ask(r, { get: { param_paths: [`${EU}Status`] } });
    expect(got?.body.response?.get_resp?.req_path_results[0]?.resolved_path_results[0]?.result_params).toEqual({ Status: 'Stopping' });
    const refused = await ask(r, setState('Active'));
    expect(refused?.body.error).toMatchObject({ err_code: 7012, err_msg: expect.stringContaining('Stopping') });
    await c.release();
    expect(await stopping).toBe('Idle');
    expect((await ask(r, setState('Active')))?.body.response?.set_resp).toBeDefined();
    expect(r.tree.getValue(`${EU}RequestedState`)).toBe('Active');
  });
});
