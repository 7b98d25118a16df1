/**
 * Issue 14, fleet side: the global index g = offset + local (ref. 5.1), the boot ramp
 * (ref. 11), the int64 root seed and its streams (ref. 13.1), and a CR password that
 * reads as "" to the ACS while the listener still checks the real one. Real sockets
 * (embedded fake ACS, CR listener on 127.0.0.1), compressed clocks.
 */
import { describe, expect, it } from 'vitest';
import { startFleetsClosedAfterEach } from '../support/fleets.js';
import { ConfigError } from '../../src/errors/index.js';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { createLogger } from '../../src/log/index.js';
import { streamFor } from '../../src/random/index.js';
import { identityLeaves, TR181_DEVICE_ID_PATHS } from '../support/profile.js';

const CR_USER = 'Device.ManagementServer.ConnectionRequestUsername';
const CR_PASS = 'Device.ManagementServer.ConnectionRequestPassword';

function profile(count = 3, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deviceIdPaths: TR181_DEVICE_ID_PATHS,
    fleet: { count, serialPattern: 'ID-{i:04}' },
    parameters: [
      ...identityLeaves({ serial: 'ID', oui: '00005E' }),
      { path: 'Device.DeviceInfo.Description', value: 'unit {cpe_id} #{cpe}' },
      { path: 'Device.ManagementServer.PeriodicInformEnable', type: 'xsd:boolean', value: 'true', writable: true },
      { path: 'Device.ManagementServer.PeriodicInformInterval', type: 'xsd:unsignedInt', value: '3600', writable: true },
      { path: 'Device.ManagementServer.ConnectionRequestURL', value: '' },
      { path: CR_USER, value: 'cr-{cpe_id}', writable: true },
      { path: CR_PASS, value: 'real-secret', writable: true },
    ],
    periodicInformPaths: { interval: 'Device.ManagementServer.PeriodicInformInterval', enable: 'Device.ManagementServer.PeriodicInformEnable' },
    connectionRequest: { scheme: 'digest', realm: 'cpe-sim', usernameParameter: CR_USER, passwordParameter: CR_PASS },
    ...extra,
  };
}

const start = startFleetsClosedAfterEach();

describe('fleet identity: g = offset + local (ref. 5.1)', () => {
  it('offset shifts ids, serials, placeholders, CR paths and lookups; it coexists with a shard', async () => {
    const fleet = await start({ profile: profile(4), offset: 1000, shard: { index: 1, total: 2 }, cr: {} });
    expect(fleet.cpes.map((c) => c.id)).toEqual(['cpe-1003', 'cpe-1004']);
    expect(fleet.cpes.map((c) => c.serialNumber)).toEqual(['ID-1003', 'ID-1004']);
    expect(fleet.cpe(1004).params.getValue('Device.DeviceInfo.Description')).toBe('unit cpe-1004 #1004');
    expect(fleet.cpe('cpe-1003').index).toBe(1003);
    expect(fleet.crUrls[0]).toMatch(/\/cr\/cpe-1003$/);
    expect(() => fleet.cpe(3)).toThrow(/cpe-1003 … cpe-1004/);
    expect(fleet.profile.fleet.offset).toBe(1000);
  });

  it('a lone CPE at an offset gets a per-CPE CR path; at offset 0 the bare path', async () => {
    const shifted = await start({ profile: profile(1), offset: 5, cr: { path: '/conn' } });
    expect(shifted.crUrls).toEqual([`http://127.0.0.1:${shifted.listener!.address.port}/conn/cpe-6`]);
    const plain = await start({ profile: profile(1), offset: 0, cr: { path: '/conn' } });
    expect(plain.crUrls).toEqual([`http://127.0.0.1:${plain.listener!.address.port}/conn`]);
  });

  it('pools are re-checked against the effective offset before anything starts', async () => {
    const pooled = (): Record<string, unknown> => {
      const p = profile(2);
      (p.fleet as Record<string, unknown>).pools = { wan: { type: 'ipv4', cidr: '198.51.100.0/30' } };
      (p.parameters as object[]).push({ path: 'Device.IP.Interface.1.IPv4Address.1.IPAddress', value: '{wan}' });
      return p;
    };
    const ok = await start({ profile: pooled(), cr: false });
    expect(ok.cpe(2).params.getValue('Device.IP.Interface.1.IPv4Address.1.IPAddress')).toBe('198.51.100.2');
    const err = await startFleet({ profile: pooled(), offset: 5, cr: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/cpe-6 … cpe-7 \(offset 5, count 2\): pool wan has no address for cpe-7/);
  });

  it('rejects a negative or fractional offset and a negative boot ramp, naming the option', async () => {
    await expect(startFleet({ profile: profile(), offset: -1, cr: false })).rejects.toThrow(ConfigError);
    await expect(startFleet({ profile: profile(), offset: 1.5, cr: false })).rejects.toThrow(/offset must be a whole number >= 0, got 1.5/);
    await expect(startFleet({ profile: profile(), bootRampMs: -5, cr: false })).rejects.toThrow(/bootRampMs must be a duration in ms >= 0/);
    await expect(startFleet({ profile: profile(), seed: 2n ** 63n, cr: false })).rejects.toThrow(/signed 64-bit range/);
    await expect(startFleet({ profile: profile(), seed: 0.5, cr: false })).rejects.toThrow(/seed must be a whole number/);
  });
});

describe('boot ramp (ref. 11)', () => {
  it('position k of N starts no earlier than bootDelay + floor(R·k/N); bootRampMs overrides the profile, even with 0', async () => {
    const before = Date.now();
    const fleet = await start({ profile: profile(3), bootRampMs: 60_000, timeScale: 0.01, cr: false });
    const firstStart = (i: number): number => fleet.cpe(i).sessions[0]!.startedAt;
    expect(firstStart(2)).toBeGreaterThanOrEqual(before + 20_000);
    expect(firstStart(3)).toBeGreaterThanOrEqual(before + 40_000);
    expect(fleet.profile.eventSchedule.bootRampMs).toBe(60_000);
    const none = await start({ profile: profile(1, { eventSchedule: { bootDelay: '0s' } }), bootRampMs: 0, cr: false });
    expect(none.profile.eventSchedule.bootRampMs).toBe(0);
  });
});

describe('root seed and streams (ref. 13.1)', () => {
  it('an explicit seed is used by every CPE; the periodic jitter is the first draw of stream cpe-<g>', async () => {
    const seed = -8_070_450_532_247_928_832n; // negative int64s are seeds too
    const fleet = await start({ profile: profile(2), seed, offset: 10, cr: false });
    expect(fleet.seed).toBe(seed);
    for (const cpe of fleet.cpes) {
      expect(cpe.seed).toBe(seed);
      const span = BigInt(3600e9 * 0.1);
      const d = Math.round(Number(streamFor(seed, cpe.id).int63n(2n * span + 1n) - span) / 1e6);
      // Armed at start(), before the bootstrap session: the slack is the time between them
      // (not asserted tight; the draws span ±360 s, so a wrong stream is still caught).
      const armedAt = cpe.sessions[0]!.startedAt;
      expect(cpe.nextPeriodicAt! - armedAt).toBeGreaterThanOrEqual(3_600_000 + d - 30_000);
      expect(cpe.nextPeriodicAt! - armedAt).toBeLessThanOrEqual(3_600_000 + d);
    }
  });

  it('without a seed (or with 0) one is chosen and logged, so the run can be replayed', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info', format: 'json', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    const fleet = await start({ profile: profile(1), seed: 0, logger, cr: false });
    expect(fleet.seed).not.toBe(0n);
    const logged = lines.find((l) => l.msg === 'rng initialized');
    expect(logged?.root_seed).toBe(String(fleet.seed));
    // Replaying with the logged seed gives the same periodic schedule offsets.
    const again = await start({ profile: profile(1), seed: BigInt(logged!.root_seed as string), cr: false });
    const delay = (f: Fleet): number => f.cpes[0]!.nextPeriodicAt! - f.cpes[0]!.sessions[0]!.startedAt;
    expect(Math.abs(delay(again) - delay(fleet))).toBeLessThanOrEqual(30_000);
  });
});

describe('secrets over the wire', () => {
  it('GetParameterValues of ConnectionRequestPassword answers "", yet the listener accepts the real password and refuses ""', async () => {
    const fleet = await start({ profile: profile(1), cr: { throttleWindowMs: 0 } });
    const acs = fleet.acs!;
    const cpe = fleet.cpe(1);
    // The GPV rides on the session the (real-password) Connection Request starts.
    const answer = acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: [CR_PASS, CR_USER] }, { timeoutMs: 10_000 });
    expect((await acs.connectionRequest(cpe.crUrl!, { username: 'cr-cpe-1', password: '' })).status).toBe(401);
    expect((await acs.connectionRequest(cpe.crUrl!, { username: 'cr-cpe-1', password: 'real-secret' })).status).toBe(200);
    const res = await answer;
    expect(res.name === 'GetParameterValuesResponse' && res.parameterList.map((p) => [p.name, p.value])).toEqual([
      [CR_PASS, ''],
      [CR_USER, 'cr-cpe-1'],
    ]);
    expect(cpe.params.getValue(CR_PASS)).toBe('real-secret');
  });
});
