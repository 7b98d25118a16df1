/** Shared by the software-module tests: a profile with TR-157 tables and app manifests. Not a test file itself. */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { OpResultStruct } from '../../src/cwmp/index.js';
import { Template, createParameterTree, type ParameterTree } from '../../src/datamodel/index.js';
import { profileFromObject, type Profile } from '../../src/profile/index.js';
import { createFakeAcs, type FakeAcs } from '../../src/acs/index.js';
import type { Cpe } from '../../src/cpe/index.js';
import { TestBed, testProfileObject } from '../cpe/harness.js';
import { acsWithCpe } from '../transfer/helpers.js';

const SM = 'Device.SoftwareModules.';

/** TR-157 leaves and tables: ExecEnv.1 usable, ExecEnv.2 disabled; DU/EU tables empty. */
export function swmodProfileObject(opts: { duLeaves?: string[]; faults?: Record<string, unknown>; installDelay?: string; rejectDowngrade?: unknown } = {}): Record<string, unknown> {
  const base = testProfileObject();
  const duLeaves = opts.duLeaves ?? ['UUID', 'DUID', 'Name', 'Status', 'Resolved', 'URL', 'Description', 'Vendor', 'Version', 'ExecutionUnitList', 'ExecutionEnvRef', 'Installed', 'LastUpdate'];
  const typeOf = (n: string): string => (n === 'Resolved' ? 'xsd:boolean' : n === 'Installed' || n === 'LastUpdate' ? 'xsd:dateTime' : 'xsd:string');
  return {
    ...base,
    parameters: [
      ...(base['parameters'] as unknown[]),
      { path: `${SM}ExecEnvNumberOfEntries`, type: 'xsd:unsignedInt', value: '2' },
      { path: `${SM}DeploymentUnitNumberOfEntries`, type: 'xsd:unsignedInt', value: '0' },
      { path: `${SM}ExecutionUnitNumberOfEntries`, type: 'xsd:unsignedInt', value: '0' },
      { path: `${SM}ExecEnv.1.Enable`, type: 'xsd:boolean', value: 'true' },
      { path: `${SM}ExecEnv.1.Status`, value: 'Up' },
      { path: `${SM}ExecEnv.1.Name`, value: 'lcm' },
      { path: `${SM}ExecEnv.1.ActiveExecutionUnits`, value: '' },
      { path: `${SM}ExecEnv.2.Enable`, type: 'xsd:boolean', value: 'false' },
      { path: `${SM}ExecEnv.2.Status`, value: 'Disabled' },
      { path: `${SM}ExecEnv.2.Name`, value: 'spare' },
    ],
    objects: [
      ...(base['objects'] as unknown[]),
      { path: `${SM}DeploymentUnit`, instances: 0, parameters: duLeaves.map((n) => ({ path: n, type: typeOf(n), ...(n === 'Status' ? { value: 'Installing' } : {}) })) },
      {
        path: `${SM}ExecutionUnit`,
        instances: 0,
        parameters: [
          ...['EUID', 'Name', 'ExecEnvLabel', 'Status', 'ExecutionFaultCode', 'ExecutionFaultMessage', 'Vendor', 'Version', 'Description', 'References', 'ExecutionEnvRef'].map((n) => ({ path: n })),
          { path: 'AutoStart', type: 'xsd:boolean' },
          { path: 'RequestedState', writable: true },
          { path: 'CreationTime', type: 'xsd:dateTime' },
        ],
      },
    ],
    softwareModules: {
      path: SM,
      installDelay: opts.installDelay ?? '2s',
      uninstallDelay: '1s',
      ...(opts.rejectDowngrade !== undefined ? { rejectDowngrade: opts.rejectDowngrade } : {}),
      faults: opts.faults ?? {
        'broken-app': { reason: 'corrupt' },
        'far-app': { reason: 'server-unreachable', message: 'mirror down' },
        'big-app': { reason: 'resources-exceeded' },
        'odd-app': { reason: 'ee-mismatch' },
      },
    },
  };
}

export function swmodProfile(opts: Parameters<typeof swmodProfileObject>[0] = {}): Profile {
  return profileFromObject(swmodProfileObject(opts), '<swmod-test>');
}

/** A fresh tree of the software-module test profile. */
export function swmodTree(opts: Parameters<typeof swmodProfileObject>[0] = {}): { tree: ParameterTree; profile: Profile } {
  const profile = swmodProfile(opts);
  return { tree: createParameterTree(Template.compile(profile), { index: 1, id: 'cpe-1' }), profile };
}

/** An app manifest (ref §8.4) adding `Device.X_EXAMPLE_Probe.` (v2 adds an Interval leaf). */
export function demoManifest(opts: { name?: string; version?: string; vendor?: string; extra?: string } = {}): string {
  const version = opts.version ?? '1.0.0';
  return [
    `app: {name: ${opts.name ?? 'demo-app'}, version: ${version}, vendor: ${opts.vendor ?? 'example'}, description: Demo probe, executionUnit: demo-probe}`,
    'parameters:',
    '  - {path: Device.X_EXAMPLE_Probe.Enable, type: xsd:boolean, value: "true", writable: true}',
    ...(version.startsWith('2') ? ['  - {path: Device.X_EXAMPLE_Probe.Interval, type: xsd:unsignedInt, value: "30", writable: true}'] : []),
    ...(opts.extra ? [opts.extra] : []),
    'objects:',
    '  - path: Device.X_EXAMPLE_Probe.Target',
    '    instances: 1',
    '    parameters: [{path: Host, value: "example.net", writable: true}]',
    '',
  ].join('\n');
}

/** ref §8.5 check value: vendor `example`, name `demo-app`. */
export const DEMO_UUID = 'ffa0fa99-1cfe-5af6-bc87-bf35c54d5d81';

/** A fake ACS with one CPE of `profile` (default the test profile), serving demo-app 1.0.0 and 2.0.0. */
export async function acsWithSwmodCpe(bed: TestBed, profile: Record<string, unknown> = swmodProfileObject()): Promise<{ acs: FakeAcs; cpe: Cpe }> {
  const { acs, cpe } = await acsWithCpe(bed, { profile });
  acs.files.serve('demo-1.yaml', demoManifest());
  acs.files.serve('demo-2.yaml', demoManifest({ version: '2.0.0' }));
  return { acs, cpe };
}

/** The OpResultStruct of demo-app 1.0.0 installed as the first DU/EU rows (times: any RFC 3339 UTC, whole seconds). */
export function installedDemoResult(): OpResultStruct {
  const time = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown as string;
  return {
    uuid: DEMO_UUID,
    deploymentUnitRef: `${SM}DeploymentUnit.1`,
    version: '1.0.0',
    currentState: 'Installed',
    resolved: true,
    executionUnitRefList: `${SM}ExecutionUnit.1`,
    startTime: time,
    completeTime: time,
    fault: { faultCode: 0, faultString: '' },
  };
}

/**
 * For a test file: a fresh TestBed per test, cleaned after it; the returned function makes
 * the ACS and CPE of {@link acsWithSwmodCpe} for the current test.
 */
export function useSwmodBed(): (profile?: Record<string, unknown>) => Promise<{ acs: FakeAcs; cpe: Cpe }> {
  let bed: TestBed | undefined;
  afterEach(async () => {
    await bed?.cleanup();
    bed = undefined;
  });
  return (profile = swmodProfileObject()) => {
    bed = new TestBed(0.001);
    return acsWithSwmodCpe(bed, profile);
  };
}

/**
 * For a test file: one fake ACS whose file server serves `manifests` (name → text) for the
 * whole file, closed after it. Returns a getter (valid inside the tests).
 */
export function manifestServer(manifests: Record<string, string>): () => FakeAcs {
  let acs: FakeAcs | undefined;
  beforeAll(async () => {
    acs = await createFakeAcs();
    for (const [name, text] of Object.entries(manifests)) acs.files.serve(name, text);
  });
  afterAll(async () => {
    await acs?.close();
  });
  return () => {
    if (!acs) throw new Error('manifestServer() must be called at the top of a test file');
    return acs;
  };
}
