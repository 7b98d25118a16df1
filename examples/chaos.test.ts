// Example: testing an ACS against misbehaving devices (docs/misbehaving-devices.md).
// `configureDevice` stands for the code under test (in a real project it is imported
// from your ACS and talks to it); here the fake ACS plays the ACS so the example runs
// on its own. cpe-sim makes the devices misbehave: a power cut across half the street,
// a CPE that faults an RPC, a CPE that forgets its session cookie.
import { describe, expect } from 'vitest';
import { withCpeFleet } from 'cpe-sim/vitest';
import type { Cpe, FakeAcs } from 'cpe-sim';

const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';

// ---- the code under test: push a setting, retrying once when the device faults ----
async function configureDevice(acs: FakeAcs, cpe: Cpe, value: string): Promise<'ok' | 'failed'> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const answer = acs.rpc(cpe.id, { name: 'SetParameterValues', parameterList: [{ name: INTERVAL, value, type: 'xsd:unsignedInt' }], parameterKey: `try-${attempt}` }, { timeoutMs: 5000 });
    await acs.connectionRequest(cpe.crUrl!, { username: `cr-${cpe.id}`, password: `secret-${cpe.id}` });
    if ((await answer).name === 'SetParameterValuesResponse') return 'ok';
  }
  return 'failed';
}

// ---- the tests -------------------------------------------------------------------------
// Compressed time (a 30 s outage passes in 30 ms) and a fixed seed: a failing chaos run replays.
const test = withCpeFleet({ profile: 'tr181-hgw', count: 10, timeScale: 0.001, seed: 42 });

describe('chaos', () => {
  test('half the street loses power: every CPE it hit boots again with 1 BOOT', async ({ fleet }) => {
    const since = fleet.cpes[0]!.clock.now();
    const hit = fleet.powerCycle({ share: 0.5, after: '30s', jitter: '10s' });
    expect(hit).toHaveLength(5);
    // While off, a CPE does not answer Connection Requests at all.
    expect(hit.every((cpe) => !cpe.poweredOn)).toBe(true);
    for (const cpe of hit) await expect(cpe).toHaveInformed('1 BOOT', { since, timeout: 5000 });
  });

  test('a CPE that faults SetParameterValues: the ACS code retries and gives up cleanly', async ({ fleet, acs }) => {
    const cpe = fleet.cpe(3);
    cpe.inject({ fault: { rpc: 'SetParameterValues', code: 9002 } });
    expect(await configureDevice(acs, cpe, '60')).toBe('failed');
    // The transcript says what the device did on purpose.
    expect(cpe.sessions.at(-1)!.quirks).toEqual(['answered SetParameterValues with fault 9002']);
    cpe.inject(null);
    expect(await configureDevice(acs, cpe, '60')).toBe('ok');
    expect(cpe).toHaveParameterValue(INTERVAL, '60');
  });

  test('a CPE that drops its session cookie cannot finish a session with this ACS', async ({ fleet }) => {
    const cpe = fleet.cpe(4);
    cpe.inject({ dropCookies: true });
    const session = await cpe.inform(['2 PERIODIC']);
    expect(session.ok).toBe(false);
    expect(session.error).toMatch(/400/);
  });
});
