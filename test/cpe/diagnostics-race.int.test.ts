// The two-diagnostics race (fixed in b879404), forced deterministically: run A's
// `8 DIAGNOSTICS COMPLETE` session is held at the ACS (its InformResponse not yet sent)
// while run B ends. The InformResponse clears the event the session reported; B's
// completion must still get a session of its own with event 8 (TR-069 §3.7.1.5,
// Table 7: every finished diagnostic is reported). A manual clock ends the runs exactly
// when the test says; a gate in the raw ACS holds the Inform.
import { afterEach, describe, expect, it } from 'vitest';
import { TestBed, informResponse, manualClock, queueAcs, testProfileObject, type AcsHandler } from './harness.js';

const IPPING = 'Device.IP.Diagnostics.IPPing.DiagnosticsState';
const TRACE = 'Device.IP.Diagnostics.TraceRoute.DiagnosticsState';

function profile(): Record<string, unknown> {
  const base = testProfileObject();
  return {
    parameters: [...(base.parameters as unknown[]), { path: IPPING, value: 'None', writable: true }, { path: TRACE, value: 'None', writable: true }],
    diagnostics: [
      { statePath: IPPING, duration: '3s' },
      { statePath: TRACE, duration: '5s' },
    ],
  };
}

let bed: TestBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const has8 = (s: { events: { eventCode: string }[] }): boolean => s.events.some((e) => e.eventCode === '8 DIAGNOSTICS COMPLETE');

describe('two diagnostics ending around one session', () => {
  it('a run ending while the session reporting an earlier run is in flight gets its own 8 DIAGNOSTICS COMPLETE', async () => {
    const clock = manualClock();
    bed = new TestBed(clock);
    const wellBehaved = queueAcs();
    let release: (() => void) | undefined;
    let held: Promise<void> | undefined;
    const handler: AcsHandler = async (req, acs) => {
      // Hold the InformResponse of the first session that reports event 8, until the test releases it.
      if (req.kind === 'inform' && req.body.includes('8 DIAGNOSTICS COMPLETE') && held === undefined) {
        held = new Promise<void>((r) => (release = r));
        await held;
        return { body: informResponse(req.id) };
      }
      return wellBehaved(req, acs);
    };
    const acs = await bed.acs(handler);
    const cpe = bed.cpe(acs.url, { profile: profile() });
    cpe.start(0);
    await cpe.whenBootstrapped();

    // The ACS starts both (as its SetParameterValues would): IPPing ends at +3 s, TraceRoute at +5 s.
    cpe.params.setValues([{ name: IPPING, value: 'Requested' }, { name: TRACE, value: 'Requested' }], 'acs');
    clock.advance(3000);
    expect(cpe.diagnosticRuns.map((r) => r.name)).toEqual(['IPPing']);
    // Session S (reporting IPPing) is now in flight: its Inform is held at the ACS.
    await expect.poll(() => release !== undefined, { timeout: 5000 }).toBe(true);
    const s = cpe.currentSession!;
    expect(has8(s)).toBe(true);

    // TraceRoute ends inside S, before S's InformResponse.
    clock.advance(2000);
    expect(cpe.diagnosticRuns.map((r) => r.name)).toEqual(['IPPing', 'TraceRoute']);
    release!();

    const next = await cpe.waitForSession((x) => x.id > s.id && has8(x), { timeoutMs: 5000 });
    expect(next.ok).toBe(true);
    const reported = acs.informs().filter((e) => JSON.stringify(e).includes('8 DIAGNOSTICS COMPLETE'));
    expect(reported).toHaveLength(2);
  });
});
