/**
 * The protocol-free lifecycle (`swmod/`: installDu/updateDu/uninstallDu, ref §8.2) over
 * a real tree, with manifests served by the fake ACS's file server on 127.0.0.1: every
 * fault of the ref §8.3 table and TR-069's deployment-unit codes, with both protocols' codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeAcs, type FakeAcs } from '../../src/acs/index.js';
import { httpManifestFetcher, installDu, installedModules, runDuOperations, uninstallDu, updateDu, type DuResult, type SwmodContext } from '../../src/swmod/index.js';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import { profileFromObject } from '../../src/profile/index.js';
import { DEMO_UUID, demoManifest, swmodProfileObject, swmodTree } from './helpers.js';

let acs: FakeAcs;
let deadPort: number;
beforeAll(async () => {
  acs = await createFakeAcs();
  acs.files.serve('demo-1.yaml', demoManifest());
  acs.files.serve('demo-2.yaml', demoManifest({ version: '2.0.0' }));
  acs.files.serve('other.yaml', demoManifest({ name: 'other-app' }).replaceAll('X_EXAMPLE_Probe', 'X_EXAMPLE_Other'));
  acs.files.serve('collide.yaml', 'app: {name: collide, version: 1}\nparameters:\n  - {path: Device.DeviceInfo.SoftwareVersion, value: x}\n');
  acs.files.serve('not-yaml.yaml', 'app: [unclosed\n');
  acs.files.serve('no-app.yaml', 'parameters:\n  - {path: Device.X_A.B, value: x}\n');
  for (const name of ['broken-app', 'far-app', 'big-app', 'odd-app']) acs.files.serve(`${name}.yaml`, demoManifest({ name }).replaceAll('X_EXAMPLE_Probe', `X_${name.replace('-', '_')}`));
  acs.files.serve('secret.yaml', demoManifest(), { auth: { scheme: 'digest', username: 'lcm', password: 'pw' } });
  acs.files.serve('cut.yaml', demoManifest(), { behaviour: { cutAfterBytes: 20 } });
  acs.files.serve('huge.yaml', { image: { size: 4 * 1024 * 1024 + 1 } });
  acs.files.serve('demo-203.yaml', demoManifest(), { behaviour: { okStatus: 203 } });
  acs.files.serve('demo-500.yaml', demoManifest(), { behaviour: { status: 500 } });
  // A port nobody listens on: bound, then closed.
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  deadPort = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
});
afterAll(async () => {
  await acs?.close();
});

function ctx(opts: Parameters<typeof swmodTree>[0] = {}): SwmodContext & { now: () => number } {
  const { tree, profile } = swmodTree(opts);
  let t = Date.UTC(2026, 0, 2, 3, 4, 5);
  // Delays take no real time: the clock jumps by them.
  return { tree, config: profile.softwareModules!, fetch: httpManifestFetcher({ timeoutMs: 5000 }), now: () => t, sleep: async (ms) => void (t += ms) };
}

const url = (name: string): string => acs.files.url(name);
const SM = 'Device.SoftwareModules.';

describe('installDu', () => {
  it('installs: DU/EU rows, UUID derived (ref §8.5), data model grafted, counters and ActiveExecutionUnits kept', async () => {
    const c = ctx();
    const r = await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    expect(r).toEqual({
      op: 'install',
      uuid: DEMO_UUID,
      deploymentUnitRef: `${SM}DeploymentUnit.1`,
      version: '1.0.0',
      currentState: 'Installed',
      resolved: true,
      executionUnitRefs: [`${SM}ExecutionUnit.1`],
      startTime: '2026-01-02T03:04:05Z',
      completeTime: '2026-01-02T03:04:07Z',
    } satisfies DuResult);
    const v = (p: string) => c.tree.getValue(p);
    expect([v(`${SM}DeploymentUnit.1.UUID`), v(`${SM}DeploymentUnit.1.DUID`), v(`${SM}DeploymentUnit.1.Status`), v(`${SM}DeploymentUnit.1.Resolved`), v(`${SM}DeploymentUnit.1.Version`), v(`${SM}DeploymentUnit.1.Vendor`)]).toEqual([DEMO_UUID, 'demo-app', 'Installed', 'true', '1.0.0', 'example']);
    expect(v(`${SM}DeploymentUnit.1.URL`)).toBe(url('demo-1.yaml'));
    expect(v(`${SM}DeploymentUnit.1.ExecutionUnitList`)).toBe(`${SM}ExecutionUnit.1`);
    expect(v(`${SM}DeploymentUnit.1.ExecutionEnvRef`)).toBe(`${SM}ExecEnv.1`);
    expect(v(`${SM}DeploymentUnit.1.Installed`)).toBe('2026-01-02T03:04:07Z');
    expect([v(`${SM}ExecutionUnit.1.Name`), v(`${SM}ExecutionUnit.1.Status`), v(`${SM}ExecutionUnit.1.AutoStart`), v(`${SM}ExecutionUnit.1.References`), v(`${SM}ExecutionUnit.1.ExecutionFaultCode`)]).toEqual(['demo-probe', 'Active', 'true', 'Device.X_EXAMPLE_Probe.', 'NoFault']);
    expect(v(`${SM}DeploymentUnitNumberOfEntries`)).toBe('1');
    expect(v(`${SM}ExecutionUnitNumberOfEntries`)).toBe('1');
    expect(v(`${SM}ExecEnv.1.ActiveExecutionUnits`)).toBe(`${SM}ExecutionUnit.1`);
    expect(v('Device.X_EXAMPLE_Probe.Target.1.Host')).toBe('example.net');
    expect(installedModules(c.tree)).toEqual([
      { name: 'demo-app', version: '1.0.0', vendor: 'example', uuid: DEMO_UUID, deploymentUnitRef: `${SM}DeploymentUnit.1`, executionUnitRef: `${SM}ExecutionUnit.1`, references: ['Device.X_EXAMPLE_Probe.'] },
    ]);
  });

  it('keeps a given UUID and answers Basic/Digest with the operation credentials', async () => {
    const c = ctx();
    const uuid = '0AB1C2D3-0000-4000-8000-000000000001';
    const r = await installDu(c, { op: 'install', url: url('secret.yaml'), uuid, username: 'lcm', password: 'pw' });
    expect(r.fault).toBeUndefined();
    expect(r.uuid).toBe(uuid);
  });

  it('takes any 2xx answer as the manifest (ref §8.4), unlike a Download that wants 200', async () => {
    const c = ctx();
    const r = await installDu(c, { op: 'install', url: url('demo-203.yaml') });
    expect(r.fault).toBeUndefined();
    expect(r.currentState).toBe('Installed');
    expect(acs.files.requests.filter((q) => q.name === 'demo-203.yaml').map((q) => q.status)).toContain(203);
  });

  // [what, request, TR-069 code, USP code]
  const faults: Array<[string, () => Parameters<typeof installDu>[1], number, number]> = [
    ['URL not absolute', () => ({ op: 'install', url: 'demo.yaml' }), 9003, 7004],
    ['URL with userinfo', () => ({ op: 'install', url: url('demo-1.yaml').replace('http://', 'http://u:p@') }), 9003, 7004],
    ['tftp URL', () => ({ op: 'install', url: 'tftp://127.0.0.1/demo.yaml' }), 9013, 7033],
    ['malformed UUID', () => ({ op: 'install', url: url('demo-1.yaml'), uuid: 'not-a-uuid' }), 9022, 7004],
    ['unknown execution environment', () => ({ op: 'install', url: url('demo-1.yaml'), executionEnvRef: `${SM}ExecEnv.9` }), 9023, 7223],
    ['disabled execution environment', () => ({ op: 'install', url: url('demo-1.yaml'), executionEnvRef: `${SM}ExecEnv.2.` }), 9024, 7002],
    ['manifest server unreachable', () => ({ op: 'install', url: `http://127.0.0.1:${deadPort}/demo.yaml` }), 9015, 7033],
    ['manifest not found (404)', () => ({ op: 'install', url: url('missing.yaml') }), 9016, 7033],
    ['manifest answered 500', () => ({ op: 'install', url: url('demo-500.yaml') }), 9016, 7033],
    ['manifest server wants credentials', () => ({ op: 'install', url: url('secret.yaml') }), 9012, 7033],
    ['manifest cut off', () => ({ op: 'install', url: url('cut.yaml') }), 9017, 7033],
    ['manifest over 4 MiB', () => ({ op: 'install', url: url('huge.yaml') }), 9018, 7035],
    ['manifest not YAML', () => ({ op: 'install', url: url('not-yaml.yaml') }), 9018, 7035],
    ['manifest without app block', () => ({ op: 'install', url: url('no-app.yaml') }), 9018, 7035],
    ['data model collides with the tree', () => ({ op: 'install', url: url('collide.yaml') }), 9025, 7225],
    ['injected corrupt', () => ({ op: 'install', url: url('broken-app.yaml') }), 9018, 7035],
    ['injected server-unreachable', () => ({ op: 'install', url: url('far-app.yaml') }), 9015, 7033],
    ['injected resources-exceeded', () => ({ op: 'install', url: url('big-app.yaml') }), 9027, 7227],
    ['injected ee-mismatch', () => ({ op: 'install', url: url('odd-app.yaml') }), 9025, 7225],
  ];
  it.each(faults)('%s → %i', async (_what, req, code, usp) => {
    const c = ctx();
    const r = await installDu(c, req() as Parameters<typeof installDu>[1]);
    expect(r.fault).toMatchObject({ cwmpCode: code, uspCode: usp });
    expect(r).toMatchObject({ currentState: 'Failed', resolved: false, deploymentUnitRef: '', executionUnitRefs: [] });
    // Any fault deletes the DU row and grafts nothing (ref §8.2).
    expect(c.tree.getNames(`${SM}DeploymentUnit.`, true)).toEqual([]);
    expect(c.tree.grafts()).toEqual([]);
    expect(c.tree.getValue(`${SM}DeploymentUnitNumberOfEntries`)).toBe('0');
  });

  it('an injected fault without message has the standard text; with one, that message', async () => {
    expect((await installDu(ctx(), { op: 'install', url: url('broken-app.yaml') })).fault?.message).toBe('File transfer failure: file corrupted or otherwise unusable');
    expect((await installDu(ctx(), { op: 'install', url: url('far-app.yaml') })).fault?.message).toBe('mirror down');
  });

  it('a second install of the same unit is 9026 (UUID compared case-insensitively)', async () => {
    const c = ctx();
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    const again = await installDu(c, { op: 'install', url: url('demo-2.yaml'), uuid: DEMO_UUID.toUpperCase() });
    expect(again.fault?.cwmpCode).toBe(9026);
    expect(installedModules(c.tree)).toHaveLength(1);
  });

  it('a DU row lacking a leaf the lifecycle needs is 9001', async () => {
    const c = ctx({ duLeaves: ['UUID', 'Name', 'Status'] });
    const r = await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    expect(r.fault).toMatchObject({ cwmpCode: 9001, uspCode: 7002 });
    expect(r.fault?.message).toMatch(/lack Version/);
  });
});

describe('updateDu', () => {
  it('moves to the new version: old data model out, new one in, same DU row and UUID, new EU row', async () => {
    const c = ctx();
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    c.tree.setValues([{ name: 'Device.X_EXAMPLE_Probe.Target.1.Host', value: 'changed' }], 'acs');
    const r = await updateDu(c, { op: 'update', uuid: DEMO_UUID, url: url('demo-2.yaml') });
    expect(r).toMatchObject({ op: 'update', uuid: DEMO_UUID, deploymentUnitRef: `${SM}DeploymentUnit.1`, version: '2.0.0', currentState: 'Installed', resolved: true, executionUnitRefs: [`${SM}ExecutionUnit.2`] });
    expect(r.fault).toBeUndefined();
    expect(c.tree.getValue(`${SM}DeploymentUnit.1.Version`)).toBe('2.0.0');
    expect(c.tree.getValue(`${SM}DeploymentUnit.1.URL`)).toBe(url('demo-2.yaml'));
    expect(c.tree.has(`${SM}ExecutionUnit.1.`)).toBe(false);
    expect(c.tree.getValue('Device.X_EXAMPLE_Probe.Interval')).toBe('30');
    expect(c.tree.getValue('Device.X_EXAMPLE_Probe.Target.1.Host')).toBe('example.net');
    expect(c.tree.getValue(`${SM}ExecEnv.1.ActiveExecutionUnits`)).toBe(`${SM}ExecutionUnit.2`);
  });

  it('without a URL fetches the stored one; without a UUID finds the unit by URL (TR-069 A.4.1.14)', async () => {
    const c = ctx();
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    expect((await updateDu(c, { op: 'update', uuid: DEMO_UUID })).fault?.cwmpCode).toBe(9032);
    expect((await updateDu(c, { op: 'update', url: url('demo-1.yaml') })).fault?.cwmpCode).toBe(9032);
    expect((await updateDu(c, { op: 'update', url: url('demo-2.yaml') })).fault?.cwmpCode).toBe(9028);
  });

  it('faults: unknown unit 9028, wrong Version 9028, not Installed 9029, fetch failure, duplicate 9026; the old version keeps running', async () => {
    const c = ctx();
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    await installDu(c, { op: 'install', url: url('other.yaml') });
    const code = async (req: Parameters<typeof updateDu>[1]) => (await updateDu(c, req)).fault?.cwmpCode;
    expect(await code({ op: 'update', uuid: '11111111-2222-4333-8444-555555555555', url: url('demo-2.yaml') })).toBe(9028);
    expect(await code({ op: 'update', uuid: DEMO_UUID, version: '9.9', url: url('demo-2.yaml') })).toBe(9028);
    expect(await code({ op: 'update', uuid: DEMO_UUID, url: url('missing.yaml') })).toBe(9016);
    expect(await code({ op: 'update', uuid: DEMO_UUID, url: url('other.yaml') })).toBe(9026);
    expect(await code({ op: 'update', uuid: DEMO_UUID, url: url('broken-app.yaml') })).toBe(9018);
    c.tree.setInternal(`${SM}DeploymentUnit.1.Status`, 'Uninstalling');
    expect(await code({ op: 'update', uuid: DEMO_UUID, url: url('demo-2.yaml') })).toBe(9029);
    c.tree.setInternal(`${SM}DeploymentUnit.1.Status`, 'Installed');
    expect(c.tree.getValue('Device.X_EXAMPLE_Probe.Enable')).toBe('true');
    expect(installedModules(c.tree).map((m) => `${m.name}@${m.version}`)).toEqual(['demo-app@1.0.0', 'other-app@1.0.0']);
  });

  it('softwareModules.rejectDowngrade: an update to an older version is 9030 (TR-069) / 7230 (TR-369), the newer one keeps running', async () => {
    const c = ctx({ rejectDowngrade: true });
    await installDu(c, { op: 'install', url: url('demo-2.yaml') });
    const r = await updateDu(c, { op: 'update', uuid: DEMO_UUID, url: url('demo-1.yaml') });
    expect(r.fault).toMatchObject({ cwmpCode: 9030, uspCode: 7230, message: expect.stringContaining('Downgrade not permitted') });
    expect(r).toMatchObject({ currentState: 'Failed', version: '2.0.0' });
    expect(installedModules(c.tree).map((m) => m.version)).toEqual(['2.0.0']);
    expect(c.tree.getValue('Device.X_EXAMPLE_Probe.Interval')).toBe('30');
    // Without the rule the same downgrade goes through (the seed's behaviour).
    const free = ctx();
    await installDu(free, { op: 'install', url: url('demo-2.yaml') });
    expect((await updateDu(free, { op: 'update', uuid: DEMO_UUID, url: url('demo-1.yaml') })).version).toBe('1.0.0');
  });

  it('softwareModules.rejectDowngrade must be a boolean', () => {
    expect(() => profileFromObject(swmodProfileObject({ rejectDowngrade: 'sometimes' }), '<t>')).toThrow(/softwareModules\.rejectDowngrade/);
  });

  it('a new version that cannot start (its data model collides) leaves the old one running, with 9025 in the result', async () => {
    const c = ctx();
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    acs.files.serve('demo-3.yaml', demoManifest({ version: '3.0.0', extra: '  - {path: Device.DeviceInfo.HardwareVersion, value: x}' }));
    const r = await updateDu(c, { op: 'update', uuid: DEMO_UUID, url: url('demo-3.yaml') });
    expect(r.fault).toMatchObject({ cwmpCode: 9025, uspCode: 7225 });
    expect(r).toMatchObject({ currentState: 'Failed', version: '1.0.0', deploymentUnitRef: `${SM}DeploymentUnit.1` });
    expect(c.tree.getValue(`${SM}DeploymentUnit.1.Status`)).toBe('Installed');
    expect(c.tree.getValue(`${SM}DeploymentUnit.1.Version`)).toBe('1.0.0');
    expect(c.tree.getValue('Device.X_EXAMPLE_Probe.Enable')).toBe('true');
    expect(installedModules(c.tree)[0]?.executionUnitRef).toBe(`${SM}ExecutionUnit.2`);
  });
});

describe('uninstallDu', () => {
  it('removes EU, data model and DU row; Uninstalled', async () => {
    const c = ctx();
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    const r = await uninstallDu(c, { op: 'uninstall', uuid: DEMO_UUID, version: '1.0.0', executionEnvRef: `${SM}ExecEnv.1` });
    expect(r).toMatchObject({ op: 'uninstall', uuid: DEMO_UUID, version: '1.0.0', currentState: 'Uninstalled', deploymentUnitRef: `${SM}DeploymentUnit.1`, executionUnitRefs: [] });
    expect(r.completeTime).toBe('2026-01-02T03:04:08Z');
    expect(r.fault).toBeUndefined();
    expect(c.tree.has('Device.X_EXAMPLE_Probe.')).toBe(false);
    expect(c.tree.getNames(`${SM}DeploymentUnit.`, true)).toEqual([]);
    expect(c.tree.getNames(`${SM}ExecutionUnit.`, true)).toEqual([]);
    expect(c.tree.getValue(`${SM}ExecEnv.1.ActiveExecutionUnits`)).toBe('');
    expect(installedModules(c.tree)).toEqual([]);
  });

  it('faults: unknown 9028, other environment 9028, unknown environment 9023, not Installed 9029', async () => {
    const c = ctx();
    await installDu(c, { op: 'install', url: url('demo-1.yaml') });
    const code = async (req: Parameters<typeof uninstallDu>[1]) => (await uninstallDu(c, req)).fault?.cwmpCode;
    expect(await code({ op: 'uninstall', uuid: '11111111-2222-4333-8444-555555555555' })).toBe(9028);
    expect(await code({ op: 'uninstall', uuid: DEMO_UUID, executionEnvRef: `${SM}ExecEnv.2` })).toBe(9028);
    expect(await code({ op: 'uninstall', uuid: DEMO_UUID, executionEnvRef: `${SM}ExecEnv.7` })).toBe(9023);
    c.tree.setInternal(`${SM}DeploymentUnit.1.Status`, 'Updating');
    expect(await code({ op: 'uninstall', uuid: DEMO_UUID })).toBe(9029);
  });
});

describe('runDuOperations', () => {
  it('runs operations in order, one result each, a failing one does not stop the rest', async () => {
    const c = ctx();
    const rs = await runDuOperations(c, [
      { op: 'install', url: url('demo-1.yaml') },
      { op: 'install', url: url('missing.yaml') },
      { op: 'update', uuid: DEMO_UUID, url: url('demo-2.yaml') },
      { op: 'uninstall', uuid: DEMO_UUID },
    ]);
    expect(rs.map((r) => [r.op, r.currentState, r.fault?.cwmpCode ?? 0])).toEqual([
      ['install', 'Installed', 0],
      ['install', 'Failed', 9016],
      ['update', 'Installed', 0],
      ['uninstall', 'Uninstalled', 0],
    ]);
    expect(installedModules(c.tree)).toEqual([]);
  });

  it('operations on one tree never interleave, even when started concurrently', async () => {
    const c = ctx();
    const [a, b] = await Promise.all([installDu(c, { op: 'install', url: url('demo-1.yaml') }), uninstallDu(c, { op: 'uninstall', uuid: DEMO_UUID })]);
    expect(a.currentState).toBe('Installed');
    expect(b.currentState).toBe('Uninstalled');
  });
});

describe('a TR-098 device (InternetGatewayDevice.SoftwareModules.)', () => {
  it('installs and uninstalls under the profile\'s own path and root', async () => {
    const obj = JSON.parse(JSON.stringify(swmodProfileObject()).replaceAll('"Device.', '"InternetGatewayDevice.')) as Record<string, unknown>;
    const profile = profileFromObject(obj, '<tr098-swmod>');
    const tree = createParameterTree(Template.compile(profile), { index: 1, id: 'cpe-1' });
    acs.files.serve('igd-app.yaml', demoManifest().replaceAll('Device.X_', 'InternetGatewayDevice.X_'));
    const c: SwmodContext = { tree, config: profile.softwareModules!, fetch: httpManifestFetcher({ timeoutMs: 5000 }), sleep: async () => undefined };
    const r = await installDu(c, { op: 'install', url: url('igd-app.yaml') });
    expect(r).toMatchObject({ currentState: 'Installed', deploymentUnitRef: 'InternetGatewayDevice.SoftwareModules.DeploymentUnit.1', executionUnitRefs: ['InternetGatewayDevice.SoftwareModules.ExecutionUnit.1'] });
    expect(tree.getValue('InternetGatewayDevice.SoftwareModules.ExecutionUnit.1.References')).toBe('InternetGatewayDevice.X_EXAMPLE_Probe.');
    expect(tree.getValue('InternetGatewayDevice.X_EXAMPLE_Probe.Enable')).toBe('true');
    expect((await uninstallDu(c, { op: 'uninstall', uuid: r.uuid })).currentState).toBe('Uninstalled');
    expect(tree.has('InternetGatewayDevice.X_EXAMPLE_Probe.')).toBe(false);
  });
});
