/**
 * Issue 14, item 8: the four reference devices of fixtures/profiles/ load with the
 * loader (so they are in the seed's format as cpe-sim reads it), are the size of a real
 * device, and each declares the features it is documented to show (docs/profile.md,
 * "The reference devices"). Their behaviour is tested in
 * test/fleet/reference-devices.int.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProfile, type Profile } from '../../src/profile/index.js';

const dir = fileURLToPath(new URL('../../fixtures/profiles/', import.meta.url));

/** Every leaf a CPE of the profile starts with: plain leaves plus table rows. */
function leafPaths(p: Profile): string[] {
  const out = p.parameters.map((l) => l.path);
  for (const t of p.objects) {
    const table = t.path.endsWith('.') ? t.path : `${t.path}.`;
    for (let i = 1; i <= t.instances; i++) for (const c of t.parameters) out.push(`${table}${i}.${c.path}`);
  }
  return out;
}
const tableOf = (p: Profile, path: string) => p.objects.find((t) => t.path.replace(/\.$/, '') === path);
const rawValues = (p: Profile): string[] => [...p.parameters.map((l) => l.value), ...p.objects.flatMap((t) => t.parameters.map((c) => c.value))];

const FILES = ['fibre-gateway.yaml', 'mesh-router.yaml', 'dsl-router-tr098.yaml', 'cable-gateway.yaml'] as const;

describe.each(FILES)('fixtures/profiles/%s', (file) => {
  it('loads, has 300+ leaves, and the features every reference device shows', async () => {
    const p = await loadProfile(dir + file);
    const leaves = leafPaths(p);
    expect(leaves.length).toBeGreaterThanOrEqual(300);
    expect(new Set(leaves).size).toBe(leaves.length);
    const ms = `${p.root}.ManagementServer.`;
    const leaf = (path: string) => p.parameters.find((l) => l.path === path);

    expect(leaf(p.deviceIdPaths.oui)?.value).toBe('00005E');
    expect(p.fleet.count).toBe(3);
    expect(Object.keys(p.informParameters)).toEqual(expect.arrayContaining(['bootstrap', 'boot', 'periodic', 'connectionRequest', 'transferComplete']));
    expect(p.periodicInformPaths).toMatchObject({ interval: `${ms}PeriodicInformInterval`, enable: `${ms}PeriodicInformEnable` });
    for (const name of ['URL', 'Username', 'Password', 'ConnectionRequestUsername', 'ConnectionRequestPassword', 'PeriodicInformEnable', 'PeriodicInformInterval']) {
      expect(leaf(ms + name)?.writable, ms + name).toBe(true);
    }
    expect(leaf(`${ms}ConnectionRequestURL`)).toBeDefined();
    expect(['basic', 'digest']).toContain(p.connectionRequest.scheme);
    expect(p.transfer.firmware?.versionPath).toBe(`${p.root}.DeviceInfo.SoftwareVersion`);
    expect(p.diagnostics.map((d) => d.statePath).join(' ')).toMatch(/IPPing/);
    expect(p.diagnostics.map((d) => d.statePath).join(' ')).toMatch(/TraceRoute/);

    // Values that move: every generator kind, counters with jitter.
    expect(new Set(p.generators.map((g) => g.type))).toEqual(new Set(['counter', 'drift', 'enum', 'uptime', 'wallclock']));
    expect(p.generators.some((g) => g.type === 'counter' && g.jitter > 0)).toBe(true);
    expect(p.generators.find((g) => g.type === 'uptime')?.path).toBe(`${p.root}.DeviceInfo.UpTime`);
    expect(p.generators.find((g) => g.type === 'wallclock')?.path).toBe(`${p.root}.Time.CurrentLocalTime`);

    // Per-CPE identity: pools of the three kinds, pick/rpick, MACs.
    expect(new Set(Object.values(p.fleet.pools).map((pool) => pool.type))).toEqual(new Set(['ipv4', 'ipv6', 'ipv6prefix']));
    const values = rawValues(p).join('\n');
    expect(values).toContain('{cpe:pick:');
    expect(values).toContain('{cpe:rpick:');
    expect(values).toContain('{cpe:mac:3}');
    for (const name of Object.keys(p.fleet.pools)) expect(values).toContain(`{${name}}`);

    // Wi-Fi clients (one table with rows, one empty), hosts, port mappings with per-row leaves.
    const assoc = p.objects.filter((t) => /\.AssociatedDevice\.?$/.test(t.path) && /WiFi|WLANConfiguration/.test(t.path));
    expect(assoc.some((t) => t.instances > 0)).toBe(true);
    expect(assoc.some((t) => t.instances === 0)).toBe(true);
    expect(p.objects.some((t) => /\.Hosts\.Host\.?$/.test(t.path) && t.instances > 0)).toBe(true);
    const portMapping = p.objects.find((t) => /PortMapping\.?$/.test(t.path) && t.instances > 0);
    expect(portMapping).toBeDefined();
    const pm = portMapping!.path.replace(/\.$/, '');
    expect(p.parameters.some((l) => l.path.startsWith(`${pm}.1.`))).toBe(true);

    // Every `<Table>NumberOfEntries` beside a table says how many rows it has.
    for (const l of p.parameters) {
      const m = /^(.*)NumberOfEntries$/.exec(l.path);
      const t = m && tableOf(p, m[1]!);
      if (t) expect(l.value, l.path).toBe(String(t.instances));
    }
  });
});

describe('what each reference device shows on its own', () => {
  const load = (f: (typeof FILES)[number]) => loadProfile(dir + f);

  it('fibre-gateway: Digest with a 10 s throttle, periodic informs anchored in time', async () => {
    const p = await load('fibre-gateway.yaml');
    expect(p.connectionRequest).toMatchObject({ scheme: 'digest', throttleWindowMs: 10_000 });
    expect(p.periodicInformPaths?.time).toBe('Device.ManagementServer.PeriodicInformTime');
  });

  it('mesh-router: software modules with an ExecEnv row and empty DU/EU tables', async () => {
    const p = await load('mesh-router.yaml');
    expect(p.connectionRequest).toMatchObject({ scheme: 'digest', throttleWindowMs: 0 });
    expect(p.softwareModules?.path).toBe('Device.SoftwareModules.');
    expect(tableOf(p, 'Device.SoftwareModules.DeploymentUnit')?.instances).toBe(0);
    expect(tableOf(p, 'Device.SoftwareModules.ExecutionUnit')?.instances).toBe(0);
    expect(p.parameters.find((l) => l.path === 'Device.SoftwareModules.ExecEnv.1.Status')?.value).toBe('Up');
  });

  it('dsl-router-tr098: the TR-098 root, Basic auth, ACS credentials from the tree', async () => {
    const p = await load('dsl-router-tr098.yaml');
    expect(p.root).toBe('InternetGatewayDevice');
    expect(p.connectionRequest.scheme).toBe('basic');
    expect(p.acsCredentialPaths).toEqual({ username: 'InternetGatewayDevice.ManagementServer.Username', password: 'InternetGatewayDevice.ManagementServer.Password' });
  });

  it('cable-gateway: an uplink outage for cpe-2 and cpe-3', async () => {
    const p = await load('cable-gateway.yaml');
    expect(p.faults.link).toMatchObject({ interface: 'Device.IP.Interface.1', durationMs: 180_000, instances: { from: 2, to: 3 }, reboot: false });
  });
});
