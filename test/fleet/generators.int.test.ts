/**
 * Generators over real sockets (profile format §6): a fleet on a compressed clock
 * (1 simulated second = 10 real ms) against its embedded fake ACS, which reads generated
 * leaves with GetParameterValues and sets their Notification attribute.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeAcs } from '../../src/acs/index.js';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { profileFromObject, type Profile } from '../../src/profile/index.js';
import type { AcsRequest } from '../../src/cwmp/index.js';

const BYTES = 'Device.IP.Interface.1.Stats.BytesReceived';
const UPTIME = 'Device.DeviceInfo.UpTime';
const ENABLE = 'Device.ManagementServer.PeriodicInformEnable';
const STEP = 1000;

/** Both forms of the format: an inline `generator` on the counter, a top-level `generators` entry for uptime. */
function generatedProfile(periodic: boolean): Profile {
  return profileFromObject({
    deviceIdPaths: {
      manufacturer: 'Device.DeviceInfo.Manufacturer',
      oui: 'Device.DeviceInfo.ManufacturerOUI',
      productClass: 'Device.DeviceInfo.ProductClass',
      serialNumber: 'Device.DeviceInfo.SerialNumber',
    },
    fleet: { count: 1, serialPattern: 'GEN-{i:03}' },
    parameters: [
      { path: 'Device.DeviceInfo.Manufacturer', value: 'Example' },
      { path: 'Device.DeviceInfo.ManufacturerOUI', value: '00D09E' },
      { path: 'Device.DeviceInfo.ProductClass', value: 'HGW' },
      { path: 'Device.DeviceInfo.SerialNumber', value: 'GEN' },
      { path: UPTIME, type: 'xsd:unsignedInt', value: '0' },
      { path: BYTES, type: 'xsd:unsignedInt', value: '0', generator: { type: 'counter', interval: '10s', min: 0, max: 4294967295, step: STEP } },
      { path: 'Device.ManagementServer.ConnectionRequestURL', value: '' },
      { path: ENABLE, type: 'xsd:boolean', value: String(periodic), writable: true },
      { path: 'Device.ManagementServer.PeriodicInformInterval', type: 'xsd:unsignedInt', value: '60', writable: true },
    ],
    generators: [{ path: UPTIME, type: 'uptime', interval: '1s' }],
    periodicInformPaths: { interval: 'Device.ManagementServer.PeriodicInformInterval', enable: ENABLE },
    informParameters: { bootstrap: [UPTIME] },
  });
}

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

async function start(periodic: boolean): Promise<{ fleet: Fleet; acs: FakeAcs }> {
  fleet = await startFleet({ profile: generatedProfile(periodic), timeScale: 0.01 });
  return { fleet, acs: fleet.acs! };
}

async function gpv(acs: FakeAcs, name: string): Promise<string> {
  const res = await acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: [name] }, { timeoutMs: 20_000 });
  if (res.name !== 'GetParameterValuesResponse') throw new Error(`expected a GetParameterValuesResponse, got ${res.name}`);
  return res.parameterList.find((p) => p.name === name)!.value;
}

const spa = (name: string, notification: 0 | 1 | 2): AcsRequest => ({
  name: 'SetParameterAttributes',
  parameterList: [{ name, notificationChange: true, notification, accessListChange: false, accessList: [] }],
});

describe('generators over CWMP', () => {
  it('the bootstrap Inform shows the profile value (generators start after the bootstrap phase)', async () => {
    const { acs } = await start(false);
    const boot = await acs.waitForInform({ cpe: 'cpe-1', event: '0 BOOTSTRAP' });
    expect(boot.parameters.find((p) => p.name === UPTIME)?.value).toBe('0');
  });

  it('a GetParameterValues of a counter in two periodic sessions sees it move by whole steps', async () => {
    const { acs } = await start(true);
    const first = Number(await gpv(acs, BYTES));
    // Queued once the next periodic session has begun, never into the first one.
    await acs.waitForInform({ cpe: 'cpe-1', event: '2 PERIODIC' }, { since: Date.now(), timeoutMs: 20_000 });
    const second = Number(await gpv(acs, BYTES));
    // The GPVs ride on two periodic sessions 60 simulated s apart; the counter ticks every 10 s
    // (how many ticks fall between the two reads depends on how long the sessions take).
    expect(first % STEP).toBe(0);
    expect(second % STEP).toBe(0);
    expect(second).toBeGreaterThan(first);
  });

  it('Notification 2 on a generated leaf: its next move starts a 4 VALUE CHANGE session carrying the new value', async () => {
    const { fleet, acs } = await start(false);
    const since = Date.now();
    // Read first: the move reported is one after the SPA, so after this read.
    const before = gpv(acs, BYTES);
    const set = acs.rpc('cpe-1', spa(BYTES, 2), { timeoutMs: 20_000 });
    await acs.connectionRequest(fleet.cpe(1).crUrl!);
    await set;
    const old = Number(await before);
    const vc = await acs.waitForInform({ cpe: 'cpe-1', event: '4 VALUE CHANGE' }, { since, timeoutMs: 20_000 });
    expect(vc.events.map((e) => e.eventCode)).toEqual(['4 VALUE CHANGE']);
    const reported = Number(vc.parameters.find((p) => p.name === BYTES)?.value);
    expect(reported % STEP).toBe(0);
    expect(reported).toBeGreaterThan(old);
  });

  it('Notification 1 on a generated leaf: the move rides on the next periodic Inform, no session of its own', async () => {
    const { fleet, acs } = await start(false);
    const set = acs.rpc('cpe-1', spa(BYTES, 1), { timeoutMs: 20_000 });
    const enable = acs.rpc('cpe-1', { name: 'SetParameterValues', parameterList: [{ name: ENABLE, value: 'true', type: 'xsd:boolean' }], parameterKey: 'gen' }, { timeoutMs: 20_000 });
    const since = Date.now();
    await acs.connectionRequest(fleet.cpe(1).crUrl!);
    await Promise.all([set, enable]);
    const periodic = await acs.waitForInform({ cpe: 'cpe-1', event: '2 PERIODIC' }, { since, timeoutMs: 20_000 });
    expect(periodic.events.map((e) => e.eventCode)).toEqual(expect.arrayContaining(['2 PERIODIC', '4 VALUE CHANGE']));
    expect(Number(periodic.parameters.find((p) => p.name === BYTES)?.value)).toBeGreaterThan(0);
    // Between the CR session and the periodic one, no session was started for the change.
    const between = acs.informs.filter((i) => i.time >= since && i.sessionId < periodic.sessionId);
    expect(between.map((i) => i.events.map((e) => e.eventCode))).toEqual([['6 CONNECTION REQUEST']]);
  });
});
