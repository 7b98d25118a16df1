// Diagnostics (profile-format §9 + TR-069 event 8) over real sockets: the fake ACS sets
// DiagnosticsState to Requested, the CPE runs the test, writes results and opens a
// session of its own with `8 DIAGNOSTICS COMPLETE`.
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import '../../src/testing/vitest.js';
import { tr181Profile } from '../support/profile.js';

const IPPING = 'Device.IP.Diagnostics.IPPing.';
const TRACE = 'Device.IP.Diagnostics.TraceRoute.';
const DL = 'Device.IP.Diagnostics.DownloadDiagnostics.';
const W = { writable: true };

function profile(): Record<string, unknown> {
  return tr181Profile(
    'DIAG',
    2,
    [
      { path: `${IPPING}DiagnosticsState`, value: 'None', ...W },
      { path: `${IPPING}Host`, value: '', ...W },
      { path: `${IPPING}NumberOfRepetitions`, value: '5', type: 'xsd:unsignedInt', ...W },
      { path: `${IPPING}SuccessCount`, value: '0', type: 'xsd:unsignedInt' },
      { path: `${IPPING}FailureCount`, value: '0', type: 'xsd:unsignedInt' },
      { path: `${IPPING}AverageResponseTime`, value: '0', type: 'xsd:unsignedInt' },
      { path: `${IPPING}MinimumResponseTime`, value: '0', type: 'xsd:unsignedInt' },
      { path: `${IPPING}MaximumResponseTime`, value: '0', type: 'xsd:unsignedInt' },
      { path: `${TRACE}DiagnosticsState`, value: 'None', ...W },
      { path: `${TRACE}ResponseTime`, value: '0', type: 'xsd:unsignedInt' },
      { path: `${TRACE}RouteHopsNumberOfEntries`, value: '0', type: 'xsd:unsignedInt' },
      { path: `${DL}DiagnosticsState`, value: 'None', ...W },
      { path: `${DL}ROMTime`, value: '0001-01-01T00:00:00Z', type: 'xsd:dateTime' },
      { path: `${DL}BOMTime`, value: '0001-01-01T00:00:00Z', type: 'xsd:dateTime' },
      { path: `${DL}EOMTime`, value: '0001-01-01T00:00:00Z', type: 'xsd:dateTime' },
      { path: `${DL}TestBytesReceived`, value: '0', type: 'xsd:unsignedInt' },
      { path: `${DL}X_EXAMPLE_ResultNumberOfEntries`, value: '0', type: 'xsd:unsignedInt' },
    ],
    {
      objects: [
        {
          path: `${TRACE}RouteHops`,
          instances: 0,
          parameters: [{ path: 'Host', value: '' }, { path: 'HostAddress', value: '' }, { path: 'ErrorCode', value: '0', type: 'xsd:unsignedInt' }, { path: 'RTTimes', value: '' }],
        },
      ],
      diagnostics: [
        { statePath: `${IPPING}DiagnosticsState`, duration: '3s' },
        { statePath: `${TRACE}DiagnosticsState`, duration: '5s' },
        { statePath: `${DL}DiagnosticsState`, duration: '10s', countPath: `${DL}X_EXAMPLE_ResultNumberOfEntries`, resultCount: 4 },
      ],
    },
  );
}

const open: Fleet[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function fleet(): Promise<Fleet> {
  const f = await startFleet({ profile: profile(), timeScale: 0.001 });
  open.push(f);
  return f;
}

/** The ACS sets `path` to `value` in a CR-triggered session, as an ACS starts a diagnostic. */
async function spv(f: Fleet, cpe: string, values: Array<[string, string]>): Promise<void> {
  const acs = f.acs!;
  const done = acs.rpc(cpe, { name: 'SetParameterValues', parameterList: values.map(([name, value]) => ({ name, value, type: 'xsd:string' })), parameterKey: 'diag' }, { timeoutMs: 5000 });
  const cr = await acs.connectionRequest(f.cpe(cpe).crUrl!, { username: 'u', password: 'p' });
  expect(cr.status).toBe(200);
  expect((await done).name).toBe('SetParameterValuesResponse');
}

describe('diagnostics', () => {
  it('IPPing: SPV to Requested runs it; results from the seeded stream, state Complete, then 8 DIAGNOSTICS COMPLETE in a session of its own', async () => {
    const f = await fleet();
    const cpe = f.cpe(1);
    const since = Date.now();
    const states: string[] = [];
    cpe.params.onChange((c) => {
      if (c.path === `${IPPING}DiagnosticsState`) states.push(c.newValue);
    });
    await spv(f, 'cpe-1', [[`${IPPING}Host`, '192.0.2.1'], [`${IPPING}DiagnosticsState`, 'Requested']]);
    const inform = await f.acs!.waitForInform({ cpe: 'cpe-1', event: '8 DIAGNOSTICS COMPLETE' }, { since, timeoutMs: 5000 });
    expect(inform.events.map((e) => e.eventCode)).toEqual(['8 DIAGNOSTICS COMPLETE']);
    // ref §9 step 2: the state keeps the trigger during the run; only the end writes Complete.
    expect(states).toEqual(['Requested', 'Complete']);
    const ok = Number(cpe.params.getValue(`${IPPING}SuccessCount`));
    const failed = Number(cpe.params.getValue(`${IPPING}FailureCount`));
    expect(ok + failed).toBe(5); // NumberOfRepetitions
    const [min, avg, max] = ['Minimum', 'Average', 'Maximum'].map((k) => Number(cpe.params.getValue(`${IPPING}${k}ResponseTime`)));
    expect(min).toBeGreaterThan(0);
    expect(min).toBeLessThanOrEqual(avg!);
    expect(avg).toBeLessThanOrEqual(max!);
    expect(cpe.diagnosticRuns.map((r) => [r.name, r.state])).toEqual([['IPPing', 'Complete']]);
    await expect(cpe).toHaveCompletedDiagnostic('IPPing');
    await expect(cpe).not.toHaveCompletedDiagnostic('TraceRoute', { timeout: 50 });
  });

  it('TraceRoute hops become rows; Download writes TR-143 times and the count before the state', async () => {
    const f = await fleet();
    const cpe = f.cpe(2);
    const order: string[] = [];
    cpe.params.onChange((c) => {
      if (c.path.startsWith(DL) && c.origin === 'internal') order.push(c.path.slice(DL.length));
    });
    await spv(f, 'cpe-2', [[`${TRACE}DiagnosticsState`, 'Requested'], [`${DL}DiagnosticsState`, 'Requested']]);
    await expect(cpe).toHaveCompletedDiagnostic('TraceRoute');
    await expect(cpe).toHaveCompletedDiagnostic('DownloadDiagnostics');
    const hops = Number(cpe.params.getValue(`${TRACE}RouteHopsNumberOfEntries`));
    expect(hops).toBeGreaterThanOrEqual(3);
    expect(cpe.params.getValue(`${TRACE}RouteHops.${hops}.HostAddress`)).toMatch(/^198\.51\.100\.\d+$/);
    expect(Number(cpe.params.getValue(`${DL}TestBytesReceived`))).toBeGreaterThan(0);
    const [rom, bom, eom] = ['ROM', 'BOM', 'EOM'].map((k) => Date.parse(cpe.params.getValue(`${DL}${k}Time`)!));
    expect(rom).toBeLessThanOrEqual(bom!);
    expect(bom).toBeLessThan(eom!);
    expect(order.slice(-2)).toEqual(['X_EXAMPLE_ResultNumberOfEntries', 'DiagnosticsState']);
    expect(cpe.params.getValue(`${DL}X_EXAMPLE_ResultNumberOfEntries`)).toBe('4');
  });

  it('a configured outcome ends the run in that state, without results; a device write never starts a run', async () => {
    const f = await fleet();
    const cpe = f.cpe(1);
    cpe.setDiagnosticOutcome('IPPing', 'Error_CannotResolveHostName');
    expect(() => cpe.setDiagnosticOutcome('NSLookup', 'Complete')).toThrow(/no diagnostic "NSLookup" in the profile; it declares "IPPing", "TraceRoute", "DownloadDiagnostics"/);
    cpe.params.setInternal(`${IPPING}DiagnosticsState`, 'Requested');
    await spv(f, 'cpe-1', [[`${IPPING}DiagnosticsState`, 'None']]);
    await spv(f, 'cpe-1', [[`${IPPING}DiagnosticsState`, 'Requested']]);
    await f.acs!.waitForInform({ cpe: 'cpe-1', event: '8 DIAGNOSTICS COMPLETE' }, { timeoutMs: 5000 });
    expect(cpe.params.getValue(`${IPPING}DiagnosticsState`)).toBe('Error_CannotResolveHostName');
    expect(cpe.params.getValue(`${IPPING}SuccessCount`)).toBe('0');
    expect(cpe.diagnosticRuns).toHaveLength(1);
    await expect(expect(cpe).toHaveCompletedDiagnostic('IPPing', { timeout: 50 })).rejects.toThrow(/IPPing ended in "Error_CannotResolveHostName"/);
  });
  it('a USP Controller\'s write of the trigger starts a run too (dual stack)', async () => {
    const f = await fleet();
    const cpe = f.cpe(1);
    await cpe.whenBootstrapped();
    const done = new Promise<string>((resolve) => cpe.params.onChange((c) => c.path === `${IPPING}DiagnosticsState` && c.newValue !== 'Requested' && resolve(c.newValue)));
    cpe.params.setValues([{ name: `${IPPING}DiagnosticsState`, value: 'Requested' }], 'usp');
    expect(await done).toBe('Complete');
    expect(cpe.diagnosticRuns.map((r) => r.name)).toEqual(['IPPing']);
  });
});
