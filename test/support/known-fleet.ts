/**
 * A fleet with a known history, for the dashboard's browser tests, the HTML transcript
 * test and the docs screenshot (scripts/dashboard-screenshot): six tr181-digest CPEs
 * (seed 7) against the embedded fake ACS, and then
 * - cpe-1: two more periodic sessions (three in all);
 * - cpe-2: a GetParameterValues the CPE answers with Fault 9002 (a fault tick);
 * - cpe-3: an Inform answered 503 (a failed session), then the retry that succeeds
 *   (RetryCount 1: a retry bar);
 * - cpe-4: the ACS writes {@link XSS} into ProvisioningCode (ParameterKey too) and reads
 *   it back, so the markup travels in decoded messages, summaries and raw XML.
 */
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import type { SessionRecord } from '../../src/cpe/index.js';

/** Markup that would run if any of it were parsed as HTML; sets `window.__xss`. */
export const XSS = `<img src=x onerror="window.__xss=1"></script><script>window.__xss=2</script><svg onload="window.__xss=3">`;
export const XSS_LEAF = 'Device.DeviceInfo.ProvisioningCode';

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`known fleet: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts the fleet and plays the history above; the caller closes it. */
export async function startKnownFleet(): Promise<Fleet> {
  // timeScale 0.001: the retry back-off (5–10 simulated s) passes in milliseconds.
  const fleet = await startFleet({ profile: 'tr181-digest', count: 6, seed: 7n, timeScale: 0.001, transcript: { keepXml: true } });
  try {
    const acs = fleet.acs!;
    const settle = (p: Promise<SessionRecord>): Promise<unknown> => p.catch(() => undefined);

    await settle(fleet.cpe(1).inform(['2 PERIODIC']));
    await settle(fleet.cpe(1).inform(['2 PERIODIC']));

    fleet.cpe(2).inject({ fault: { rpc: 'GetParameterValues', code: 9002 } });
    const faulted = acs.rpc('cpe-2', { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.'] }, { timeoutMs: 10_000 });
    await settle(fleet.cpe(2).inform(['2 PERIODIC']));
    await faulted;

    acs.behave('cpe-3', { httpStatus: 503, once: true });
    await settle(fleet.cpe(3).inform(['2 PERIODIC']));
    await until('the retry of cpe-3', () => fleet.cpe(3).sessions.some((s) => s.retryCount > 0 && s.ok && s.endedAt !== undefined));

    const set = acs.rpc('cpe-4', { name: 'SetParameterValues', parameterList: [{ name: XSS_LEAF, value: XSS, type: 'xsd:string' }], parameterKey: '<b>key</b>' }, { timeoutMs: 10_000 });
    const get = acs.rpc('cpe-4', { name: 'GetParameterValues', parameterNames: [XSS_LEAF] }, { timeoutMs: 10_000 });
    await settle(fleet.cpe(4).inform(['2 PERIODIC']));
    await Promise.all([set, get]);
    await until('every session ended', () => fleet.cpes.every((c) => c.currentSession === undefined && !c.busy));
    return fleet;
  } catch (err) {
    await fleet.close();
    throw err;
  }
}
