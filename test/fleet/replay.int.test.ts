/**
 * Issue 14 item 6: `--seed` replays a fleet. Two runs of one seed-format profile (random
 * serials, alnum and rpick placeholders, a pool) with the same root seed send byte-identical
 * Inform parameter values (wall-clock values excluded: there are none in this profile); a
 * CPE keeps its values when the fleet size or the offset window around it changes; another
 * seed gives other values. Real sockets: the embedded fake ACS records what it received.
 */
import { describe, expect, it } from 'vitest';
import { startFleetsClosedAfterEach } from '../support/fleets.js';
import { identityLeaves, TR181_DEVICE_ID_PATHS } from '../support/profile.js';

function seedFormatProfile(count: number): Record<string, unknown> {
  return {
    deviceIdPaths: TR181_DEVICE_ID_PATHS,
    fleet: {
      count,
      serialPattern: 'EX{cpe:ALNUM:8}',
      pools: { lan: { type: 'ipv4', cidr: '10.20.0.0/16' } },
    },
    parameters: [
      ...identityLeaves({ serial: 'EX', oui: '00005E' }),
      { path: 'Device.DeviceInfo.SoftwareVersion', value: '{cpe:rpick:7.1.2,7.2.0,8.0.1}' },
      { path: 'Device.WiFi.SSID.1.SSID', value: 'Example-{cpe:alnum:6}' },
      { path: 'Device.WiFi.AccessPoint.1.Security.KeyPassphrase', value: '{cpe:ALNUM:12}' },
      { path: 'Device.IP.Interface.1.IPv4Address.1.IPAddress', value: '{lan}' },
    ],
    informParameters: {
      bootstrap: ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.AccessPoint.1.Security.KeyPassphrase', 'Device.IP.Interface.1.IPv4Address.1.IPAddress'],
    },
  };
}

const start = startFleetsClosedAfterEach();

/** The bootstrap Informs the embedded ACS received, per serial: `name=value` lines. */
async function bootInforms(opts: { count: number; seed: bigint; offset?: number }): Promise<Map<string, string[]>> {
  const fleet = await start({ profile: seedFormatProfile(opts.count), seed: opts.seed, offset: opts.offset ?? 0, cr: false });
  const out = new Map<string, string[]>();
  for (const inf of fleet.acs!.informs) {
    if (!inf.events.some((e) => e.eventCode === '0 BOOTSTRAP')) continue;
    out.set(`${fleet.cpes.find((c) => c.serialNumber === inf.serial)?.id ?? '?'} ${inf.serial}`, inf.parameters.map((p) => `${p.name}=${p.value}`));
  }
  return out;
}

describe('--seed replays a fleet (ref. 13)', () => {
  it('the same seed gives identical Inform values; a CPE keeps them across fleet sizes; another seed differs', async () => {
    const a = await bootInforms({ count: 3, seed: -4_242_424_242n });
    const b = await bootInforms({ count: 3, seed: -4_242_424_242n });
    expect(a.size).toBe(3);
    expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
    const serials = [...a.keys()].map((k) => k.split(' ')[1]!);
    for (const sn of serials) expect(sn).toMatch(/^EX[0-9A-Z]{8}$/);
    expect(new Set(serials).size).toBe(3);
    // cpe-2 is cpe-2 whether the fleet has 3 or 5 CPEs (streams are keyed by the global index).
    const five = await bootInforms({ count: 5, seed: -4_242_424_242n });
    const cpe2 = [...a.entries()].find(([k]) => k.startsWith('cpe-2 '))!;
    expect(five.get(cpe2[0])).toEqual(cpe2[1]);
    // A window shifted by one: its cpe-2 is the same device as before.
    const shifted = await bootInforms({ count: 2, seed: -4_242_424_242n, offset: 1 });
    expect(shifted.get(cpe2[0])).toEqual(cpe2[1]);
    // Another seed: other serials.
    const other = await bootInforms({ count: 3, seed: 7n });
    expect([...other.keys()].map((k) => k.split(' ')[1])).not.toEqual(serials);
  });
});
