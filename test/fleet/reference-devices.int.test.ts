/**
 * Issue 14, item 8: our four reference devices (fixtures/profiles/) boot as fleets of
 * three against the embedded fake ACS, over real loopback sockets, and behave as the
 * devices they model:
 *
 * - the bootstrap Inform carries the DeviceId and the union of the profile's `boot` and
 *   `bootstrap` lists, with per-CPE values (pools, pick);
 * - a generated counter read by GetParameterValues in two sessions has moved (compressed
 *   clock: 30 simulated seconds are 0.3 real ones);
 * - Notification 2 set by the ACS on a generated leaf brings a `4 VALUE CHANGE` session;
 * - two runs with one seed give identical Informs (and another seed other serials where
 *   the serial comes from the seeded stream).
 *
 * Time is only waited for on the fleet's own clock; nothing asserts real durations.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { AcsInform } from '../../src/acs/index.js';
import { startFleet, type Fleet, type FleetOptions } from '../../src/fleet/index.js';

const dir = fileURLToPath(new URL('../../fixtures/profiles/', import.meta.url));

interface Device {
  file: string;
  manufacturer: string;
  productClass: string;
  /** The serial of the CPE with global index g (seeded serials: a pattern). */
  serial: (g: number) => string | RegExp;
  /** True when the serial is drawn from the seeded stream, so another seed changes it. */
  seededSerial: boolean;
  cr: { scheme: 'digest' | 'basic'; user: string; pass: string };
  /** A pool-stamped leaf of the boot list and its value for CPE g. */
  pooled: { path: string; value: (g: number) => string };
  /** A counter generator target (30 s interval) and the periodic-interval leaf. */
  counter: string;
  interval: string;
  /** A generated leaf that changes at every tick (a counter), for the value-change session. */
  notifyLeaf: string;
}

const hex8 = (g: number): string => g.toString(16).toUpperCase().padStart(8, '0');
const MS = 'Device.ManagementServer.';
const IGD_MS = 'InternetGatewayDevice.ManagementServer.';

const DEVICES: readonly Device[] = [
  {
    file: 'fibre-gateway.yaml',
    manufacturer: 'Example Photonics',
    productClass: 'XG2400',
    serial: (g) => `EXPH${hex8(g)}`,
    seededSerial: false,
    cr: { scheme: 'digest', user: `${MS}ConnectionRequestUsername`, pass: `${MS}ConnectionRequestPassword` },
    pooled: { path: 'Device.IP.Interface.1.IPv4Address.1.IPAddress', value: (g) => `100.64.0.${g}` },
    counter: 'Device.IP.Interface.1.Stats.BytesReceived',
    interval: `${MS}PeriodicInformInterval`,
    notifyLeaf: 'Device.Optical.Interface.1.Stats.BytesSent',
  },
  {
    file: 'mesh-router.yaml',
    manufacturer: 'Example Mesh Systems',
    productClass: 'AX3-MESH',
    serial: () => /^EMX[0-9A-Z]{9}$/,
    seededSerial: true,
    cr: { scheme: 'digest', user: `${MS}ConnectionRequestUsername`, pass: `${MS}ConnectionRequestPassword` },
    pooled: { path: 'Device.IP.Interface.1.IPv4Address.1.IPAddress', value: (g) => `198.18.0.${g}` },
    counter: 'Device.WiFi.AccessPoint.2.AssociatedDevice.1.Stats.BytesSent',
    interval: `${MS}PeriodicInformInterval`,
    notifyLeaf: 'Device.WiFi.MultiAP.APDevice.2.BackhaulBytesReceived',
  },
  {
    file: 'dsl-router-tr098.yaml',
    manufacturer: 'Example Telecom',
    productClass: 'VX220',
    serial: (g) => `ET22A${String(g).padStart(7, '0')}`,
    seededSerial: false,
    cr: { scheme: 'basic', user: `${IGD_MS}ConnectionRequestUsername`, pass: `${IGD_MS}ConnectionRequestPassword` },
    pooled: { path: 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ExternalIPAddress', value: (g) => `100.72.0.${g}` },
    counter: 'InternetGatewayDevice.WANDevice.1.WANCommonInterfaceConfig.TotalBytesReceived',
    interval: `${IGD_MS}PeriodicInformInterval`,
    notifyLeaf: 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Stats.EthernetBytesReceived',
  },
  {
    file: 'cable-gateway.yaml',
    manufacturer: 'Example Cable',
    productClass: 'CG3100',
    serial: () => /^XC[0-9A-Z]{10}$/,
    seededSerial: true,
    cr: { scheme: 'digest', user: `${MS}ConnectionRequestUsername`, pass: `${MS}ConnectionRequestPassword` },
    pooled: { path: 'Device.IP.Interface.1.IPv4Address.1.IPAddress', value: (g) => `100.80.0.${g}` },
    counter: 'Device.X_00005E_CableModem.DownstreamChannel.1.Octets',
    interval: `${MS}PeriodicInformInterval`,
    notifyLeaf: 'Device.IP.Interface.1.Stats.BytesSent',
  },
];

/** 100× compressed: a 30 s generator interval is 0.3 real seconds. */
const TIME_SCALE = 0.01;
const SEED = 42;

let open: Fleet[] = [];
afterEach(async () => {
  await Promise.all(open.map((f) => f.close()));
  open = [];
});
async function boot(d: Device, over: Partial<FleetOptions> = {}): Promise<Fleet> {
  const f = await startFleet({ profile: dir + d.file, count: 3, timeScale: TIME_SCALE, seed: SEED, ...over });
  open.push(f);
  return f;
}

/** The bootstrap Inform the ACS received from CPE `g`. */
function bootstrapInform(fleet: Fleet, g: number): AcsInform {
  const serial = fleet.cpe(g).serialNumber;
  const inform = fleet.acs!.informs.find((i) => i.serial === serial && i.events.some((e) => e.eventCode === '0 BOOTSTRAP'));
  if (!inform) throw new Error(`no bootstrap Inform from cpe-${g} (${serial}); ACS saw ${fleet.acs!.informs.map((i) => i.serial).join(', ')}`);
  return inform;
}

/** Wakes CPE g with a Connection Request carrying the credentials its tree holds. */
async function wake(fleet: Fleet, d: Device, g: number): Promise<void> {
  const cpe = fleet.cpe(g);
  const res = await fleet.acs!.connectionRequest(cpe.crUrl!, {
    username: cpe.params.getValue(d.cr.user) ?? '',
    password: cpe.params.getValue(d.cr.pass) ?? '',
  });
  expect(res.status, `CR to ${cpe.crUrl}`).toBe(200);
  expect(res.scheme).toBe(d.cr.scheme);
}

/** Resolves once the CPE's (compressed) clock has passed `until` (ms); polls in real time. */
async function clockPast(fleet: Fleet, g: number, until: number): Promise<void> {
  while (fleet.cpe(g).clock.now() < until) await new Promise((r) => setTimeout(r, 20));
}

async function gpv(fleet: Fleet, g: number, path: string): Promise<string> {
  const res = await fleet.acs!.rpc(`cpe-${g}`, { name: 'GetParameterValues', parameterNames: [path] }, { timeoutMs: 15_000 });
  if (res.name !== 'GetParameterValuesResponse') throw new Error(`GPV ${path} on cpe-${g}: ${JSON.stringify(res)}`);
  const value = res.parameterList.find((p) => p.name === path)?.value;
  if (value === undefined) throw new Error(`GPV ${path} on cpe-${g}: not in the answer`);
  return value;
}

/** What must replay with one seed: everything but values read from the wall clock. */
function replayable(inform: AcsInform, wallClock: ReadonlySet<string>): unknown {
  return {
    deviceId: inform.deviceId,
    events: inform.events,
    retryCount: inform.retryCount,
    parameters: inform.parameters.filter((p) => !wallClock.has(p.name)),
  };
}

describe.each(DEVICES)('reference device $file', (d) => {
  it('three CPEs bootstrap; each Inform carries the DeviceId and the boot ∪ bootstrap lists with per-CPE values', async () => {
    const fleet = await boot(d);
    const { informParameters } = fleet.profile;
    const declared = [...(informParameters.boot ?? []), ...(informParameters.bootstrap ?? [])];
    expect(declared.length).toBeGreaterThan(0);
    const generated = new Set(fleet.profile.generators.map((gen) => gen.path));
    const serials = new Set<string>();
    for (const g of [1, 2, 3]) {
      const cpe = fleet.cpe(g);
      const inform = bootstrapInform(fleet, g);
      expect(inform.events.map((e) => e.eventCode).sort()).toEqual(['0 BOOTSTRAP', '1 BOOT']);
      expect(inform.deviceId).toEqual({ manufacturer: d.manufacturer, oui: '00005E', productClass: d.productClass, serialNumber: cpe.serialNumber });
      expect(cpe.serialNumber).toMatch(d.serial(g));
      serials.add(cpe.serialNumber);
      const names = inform.parameters.map((p) => p.name);
      expect(new Set(names).size, `duplicates in ${names.join(', ')}`).toBe(names.length);
      for (const path of declared) {
        const sent = inform.parameters.find((p) => p.name === path);
        expect(sent, `${path} in the bootstrap Inform of cpe-${g}`).toBeDefined();
        // A generator may have moved a value since; the others are what the tree holds.
        if (!generated.has(path)) expect(sent!.value, path).toBe(cpe.params.getValue(path));
      }
      expect(inform.parameters.find((p) => p.name === d.pooled.path)?.value).toBe(d.pooled.value(g));
      expect(inform.parameters.find((p) => p.name.endsWith('ManagementServer.ConnectionRequestURL'))?.value).toBe(cpe.crUrl);
    }
    expect(serials.size).toBe(3);
  });

  it('a generated counter read by GetParameterValues in two sessions has moved', async () => {
    const fleet = await boot(d);
    const cpe = fleet.cpe(2);
    // Session 1 (a Connection Request): read the counter and shorten the periodic
    // interval to 60 s, so session 2 comes by itself, as a periodic Inform.
    const first = gpv(fleet, 2, d.counter);
    const spv = fleet.acs!.rpc('cpe-2', { name: 'SetParameterValues', parameterKey: 'ref-1', parameterList: [{ name: d.interval, value: '60', type: 'xsd:unsignedInt' }] }, { timeoutMs: 15_000 });
    await wake(fleet, d, 2);
    const v1 = await first;
    expect(await spv).toMatchObject({ name: 'SetParameterValuesResponse', status: 0 });
    // Two 30 s generator intervals of simulated time, then read again in the next session.
    await clockPast(fleet, 2, cpe.clock.now() + 60_000);
    const since = Date.now();
    const v2 = await gpv(fleet, 2, d.counter);
    expect(v1).toMatch(/^\d+$/);
    expect(v2).toMatch(/^\d+$/);
    expect(BigInt(v2)).toBeGreaterThan(BigInt(v1));
    const periodic = await fleet.acs!.waitForInform({ cpe: 'cpe-2', event: '2 PERIODIC' }, { since, timeoutMs: 15_000 });
    for (const path of fleet.profile.informParameters.periodic ?? []) expect(periodic.parameters.map((p) => p.name)).toContain(path);
  });

  it('Notification 2 set by the ACS on a generated leaf brings a 4 VALUE CHANGE session reporting it', async () => {
    const fleet = await boot(d);
    const before = fleet.cpe(1).params.getValue(d.notifyLeaf);
    const spa = fleet.acs!.rpc(
      'cpe-1',
      { name: 'SetParameterAttributes', parameterList: [{ name: d.notifyLeaf, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }] },
      { timeoutMs: 15_000 },
    );
    await wake(fleet, d, 1);
    expect(await spa).toMatchObject({ name: 'SetParameterAttributesResponse' });
    const since = Date.now();
    const vc = await fleet.acs!.waitForInform({ cpe: 'cpe-1', event: '4 VALUE CHANGE' }, { since, timeoutMs: 15_000 });
    const reported = vc.parameters.find((p) => p.name === d.notifyLeaf);
    expect(reported, `${d.notifyLeaf} in the 4 VALUE CHANGE Inform`).toBeDefined();
    expect(reported!.value).toMatch(/^\d+$/);
    expect(reported!.value).not.toBe(before);
    // The other CPEs were not asked for notifications.
    expect(fleet.acs!.informs.filter((i) => i.serial !== fleet.cpe(1).serialNumber && i.events.some((e) => e.eventCode === '4 VALUE CHANGE'))).toEqual([]);
  });

  it('two runs with the same seed send identical bootstrap Informs', async () => {
    // No CR listener: its URL carries an ephemeral port, which is not the seed's to replay.
    const runs: unknown[][] = [];
    const serialsBySeed: string[][] = [];
    for (const seed of [SEED, SEED, SEED + 1]) {
      const fleet = await boot(d, { cr: false, seed });
      const wallClock = new Set(fleet.profile.generators.filter((gen) => gen.type === 'uptime' || gen.type === 'wallclock').map((gen) => gen.path));
      runs.push([1, 2, 3].map((g) => replayable(bootstrapInform(fleet, g), wallClock)));
      serialsBySeed.push(fleet.cpes.map((c) => c.serialNumber));
      await fleet.close();
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(serialsBySeed[1]).toEqual(serialsBySeed[0]);
    if (d.seededSerial) expect(serialsBySeed[2]).not.toEqual(serialsBySeed[0]);
    else expect(serialsBySeed[2]).toEqual(serialsBySeed[0]);
  });
});

describe('reference devices: Connection Request settings of each', () => {
  it('fibre-gateway.yaml throttles a second authenticated Connection Request within its 10 s window', async () => {
    const d = DEVICES[0]!;
    const fleet = await boot(d);
    await wake(fleet, d, 3);
    const cpe = fleet.cpe(3);
    const again = await fleet.acs!.connectionRequest(cpe.crUrl!, { username: cpe.params.getValue(d.cr.user) ?? '', password: cpe.params.getValue(d.cr.pass) ?? '' });
    expect(again.status).toBe(503);
    expect(again.retryAfter).toBeGreaterThan(0);
    expect(again.retryAfter).toBeLessThanOrEqual(10);
  });
});
