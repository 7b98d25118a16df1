// Example: testing an ACS feature against a "real" device. The reference mesh router
// (fixtures/profiles/mesh-router.yaml, 580 parameters) has Wi-Fi clients on its access
// points, and their signal and byte counters move on their own. `wifiClients` stands for
// your ACS's logic: one GetParameterValues of a partial path, grouped per client.
import { expect } from 'vitest';
import { withCpeFleet, type FakeAcs } from 'cpe-sim/vitest';

interface Client {
  mac: string;
  signal: number;
  bytesSent: number;
}

/** The ACS logic under test: read every associated device of one access point. */
async function wifiClients(acs: FakeAcs, cpeId: string, accessPoint: number): Promise<Client[]> {
  const prefix = `Device.WiFi.AccessPoint.${accessPoint}.AssociatedDevice.`;
  const res = await acs.rpc(cpeId, { name: 'GetParameterValues', parameterNames: [prefix] }, { timeoutMs: 10_000 });
  if (res.name !== 'GetParameterValuesResponse') throw new Error(`GPV failed: ${JSON.stringify(res)}`);
  const rows = new Map<string, Record<string, string>>();
  for (const p of res.parameterList) {
    const [row, ...leaf] = p.name.slice(prefix.length).split('.');
    rows.set(row!, { ...rows.get(row!), [leaf.join('.')]: p.value });
  }
  return [...rows.values()].map((r) => ({ mac: r['MACAddress']!, signal: Number(r['SignalStrength']), bytesSent: Number(r['Stats.BytesSent']) }));
}

// timeScale 0.01: the profile's 30 s counters tick every 0.3 real seconds.
// seed: the same serials, channels and values on every run.
const test = withCpeFleet({ profile: 'mesh-router', count: 2, timeScale: 0.01, seed: 7 });

test('the ACS lists the Wi-Fi clients of a mesh router, and sees their traffic grow', async ({ fleet, acs }) => {
  const cpe = fleet.cpe(1);
  // The profile's CR credentials: username {cpe_id}, password mesh-{cpe:hex:8}.
  const wake = () => acs.connectionRequest(cpe.crUrl!, { username: 'cpe-1', password: 'mesh-00000001' });

  const reading = wifiClients(acs, 'cpe-1', 2);
  expect(await wake()).toBeAccepted();
  const first = await reading;
  expect(first).toHaveLength(2); // a laptop and a TV on the 5 GHz access point
  for (const c of first) {
    expect(c.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(c.signal).toBeGreaterThanOrEqual(-80);
    expect(c.signal).toBeLessThanOrEqual(-35);
  }

  // A minute later (0.6 real seconds), the same clients have sent more.
  const later = cpe.clock.now() + 60_000;
  while (cpe.clock.now() < later) await new Promise((r) => setTimeout(r, 20));
  const again = wifiClients(acs, 'cpe-1', 2);
  expect(await wake()).toBeAccepted();
  const second = await again;
  expect(second.map((c) => c.mac)).toEqual(first.map((c) => c.mac));
  for (const [i, c] of second.entries()) expect(c.bytesSent).toBeGreaterThan(first[i]!.bytesSent);
});
