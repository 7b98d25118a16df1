import { describe, expect, it } from 'vitest';
import { startFleetsClosedAfterEach } from '../support/fleets.js';
import { createFakeAcs } from '../../src/acs/index.js';
import { ConfigError } from '../../src/errors/index.js';
import { EMBEDDED_ACS_BOOT_CONCURRENCY, LEAN_ACS_RECORDS, LEAN_TRANSCRIPT_ABOVE, startFleet } from '../../src/fleet/index.js';
import { createLogger } from '../../src/log/index.js';
import { streamFor } from '../../src/random/index.js';
import { createServer } from 'node:net';

const CR_URL = 'Device.ManagementServer.ConnectionRequestURL';
const PASSWORD = 'S3cr3t-pw-XYZ';

/** The profile format's example, with a distinctive password and no periodic informs. */
function profile(over: { count?: number; serialPattern?: string | null; cr?: Record<string, unknown> | null } = {}): Record<string, unknown> {
  const fleet: Record<string, unknown> = { count: over.count ?? 3 };
  if (over.serialPattern !== null) fleet.serialPattern = over.serialPattern ?? 'LAB-{i:04}';
  const p: Record<string, unknown> = {
    deviceIdPaths: {
      manufacturer: 'Device.DeviceInfo.Manufacturer',
      oui: 'Device.DeviceInfo.ManufacturerOUI',
      productClass: 'Device.DeviceInfo.ProductClass',
      serialNumber: 'Device.DeviceInfo.SerialNumber',
    },
    fleet,
    parameters: [
      { path: 'Device.DeviceInfo.Manufacturer', value: 'Example' },
      { path: 'Device.DeviceInfo.ManufacturerOUI', value: '00D09E' },
      { path: 'Device.DeviceInfo.ProductClass', value: 'HGW' },
      { path: 'Device.DeviceInfo.SerialNumber', value: 'LAB' },
      { path: 'Device.DeviceInfo.SoftwareVersion', value: '1.0.0' },
      { path: 'Device.ManagementServer.PeriodicInformEnable', type: 'xsd:boolean', value: 'false', writable: true },
      { path: 'Device.ManagementServer.PeriodicInformInterval', type: 'xsd:unsignedInt', value: '300', writable: true },
      { path: CR_URL, value: '', writable: true },
      { path: 'Device.ManagementServer.ConnectionRequestUsername', value: 'cr-{cpe_id}', writable: true },
      { path: 'Device.ManagementServer.ConnectionRequestPassword', value: PASSWORD, writable: true },
    ],
    periodicInformPaths: { interval: 'Device.ManagementServer.PeriodicInformInterval', enable: 'Device.ManagementServer.PeriodicInformEnable' },
  };
  if (over.cr !== null) {
    p.connectionRequest = over.cr ?? {
      scheme: 'digest',
      realm: 'cpe-sim',
      usernameParameter: 'Device.ManagementServer.ConnectionRequestUsername',
      passwordParameter: 'Device.ManagementServer.ConnectionRequestPassword',
    };
  }
  return p;
}

const start = startFleetsClosedAfterEach();

/** Handles of this process, by type (timers excluded: vitest's own come and go). */
function handles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== 'Timeout' && r !== 'Immediate').sort();
}
function count(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of list) out[h] = (out[h] ?? 0) + 1;
  return out;
}
/** Waits until the sockets of earlier tests have finished closing. */
async function quiet(): Promise<string[]> {
  for (let i = 0; i < 100 && handles().some((h) => h.startsWith('TCP')); i++) await new Promise((r) => setTimeout(r, 10));
  return handles();
}
/** Handle types of which there are more now than in `before` (a leak), after letting sockets finish closing. */
async function leakedSince(before: string[]): Promise<Record<string, number>> {
  let extra: Record<string, number> = {};
  for (let i = 0; i < 100; i++) {
    const b = count(before);
    extra = {};
    for (const [k, n] of Object.entries(count(handles()))) if (n > (b[k] ?? 0)) extra[k] = n - (b[k] ?? 0);
    if (Object.keys(extra).length === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return extra;
}

describe('startFleet', () => {
  it('boots every CPE against the embedded ACS; the bootstrap Inform already reports its CR URL', async () => {
    const fleet = await start({ profile: profile(), cr: { throttleWindowMs: 0 } });
    expect(fleet.cpes.map((c) => c.id)).toEqual(['cpe-1', 'cpe-2', 'cpe-3']);
    expect(fleet.acs).toBeDefined();
    expect(fleet.acsUrl).toBe(fleet.acs!.url);
    const port = fleet.listener!.address.port;
    expect(fleet.crUrls).toEqual([1, 2, 3].map((i) => `http://127.0.0.1:${port}/cr/cpe-${i}`));
    for (const cpe of fleet.cpes) {
      expect(cpe.crUrl).toBe(`http://127.0.0.1:${port}/cr/${cpe.id}`);
      expect(cpe.params.getValue(CR_URL)).toBe(cpe.crUrl);
      const boot = fleet.acs!.informs.find((i) => i.serial === cpe.serialNumber && i.events.some((e) => e.eventCode === '0 BOOTSTRAP'));
      expect(boot, `bootstrap inform of ${cpe.id}`).toBeDefined();
      expect(boot!.parameters.find((p) => p.name === CR_URL)?.value).toBe(cpe.crUrl);
    }
    expect(fleet.cpes.map((c) => c.serialNumber)).toEqual(['LAB-0001', 'LAB-0002', 'LAB-0003']);
  });

  it('a single CPE publishes <path> itself (seed: single-CPE URL shape)', async () => {
    const fleet = await start({ profile: profile({ count: 1 }), cr: { path: '/conn' } });
    expect(fleet.crUrls).toEqual([`http://127.0.0.1:${fleet.listener!.address.port}/conn`]);
  });

  it('a Connection Request reaches the CPE, which informs 6 CONNECTION REQUEST; credentials are read per request', async () => {
    const fleet = await start({ profile: profile(), cr: { throttleWindowMs: 0 } });
    const acs = fleet.acs!;
    const since = Date.now();
    const res = await acs.connectionRequest(fleet.cpe(2).crUrl!, { username: 'cr-cpe-2', password: PASSWORD });
    expect(res.status).toBe(200);
    const inform = await acs.waitForInform({ cpe: 'cpe-2', event: '6 CONNECTION REQUEST' }, { timeoutMs: 5000, since });
    expect(inform.serial).toBe('LAB-0002');
    // A wrong user (another CPE's credentials) is refused.
    expect((await acs.connectionRequest(fleet.cpe(2).crUrl!, { username: 'cr-cpe-1', password: PASSWORD })).status).toBe(401);
    // The seed: an update of the password leaf takes effect on the next request.
    fleet.cpe(2).params.setInternal('Device.ManagementServer.ConnectionRequestPassword', 'changed');
    expect((await acs.connectionRequest(fleet.cpe(2).crUrl!, { username: 'cr-cpe-2', password: PASSWORD })).status).toBe(401);
    expect((await acs.connectionRequest(fleet.cpe(2).crUrl!, { username: 'cr-cpe-2', password: 'changed' })).status).toBe(200);
  });

  it('config overrides the profile\'s CR scheme, realm and throttle', async () => {
    const fleet = await start({ profile: profile(), cr: { scheme: 'basic', realm: 'lab', throttleWindowMs: 60_000 } });
    const acs = fleet.acs!;
    const first = await acs.connectionRequest(fleet.crUrls[0]!, { username: 'cr-cpe-1', password: PASSWORD });
    expect(first).toMatchObject({ status: 200, scheme: 'basic' });
    const second = await acs.connectionRequest(fleet.crUrls[0]!, { username: 'cr-cpe-1', password: PASSWORD });
    expect(second.status).toBe(503);
    expect(second.retryAfter).toBeGreaterThan(0);
    const bad = await acs.connectionRequest(fleet.crUrls[0]!, { username: 'cr-cpe-1', password: 'nope' });
    expect(bad.headers['www-authenticate']).toBe('Basic realm="lab"');
  });

  it('cpe(ref) takes a 1-based index or an id and names the valid range otherwise', async () => {
    const fleet = await start({ profile: profile(), cr: false });
    expect(fleet.cpe(3).id).toBe('cpe-3');
    expect(fleet.cpe('cpe-1')).toBe(fleet.cpes[0]);
    expect(() => fleet.cpe(4)).toThrow(/unknown CPE 4: this fleet simulates cpe-1 … cpe-3/);
    expect(() => fleet.cpe(0)).toThrow(/cpe-1 … cpe-3/);
    expect(() => fleet.cpe('router-1')).toThrow(/unknown CPE "router-1"/);
  });

  it('cr: false starts no listener and publishes nothing', async () => {
    const fleet = await start({ profile: profile(), cr: false });
    expect(fleet.listener).toBeUndefined();
    expect(fleet.crUrls).toEqual([]);
    expect(fleet.cpe(1).crUrl).toBeUndefined();
    expect(fleet.cpe(1).params.getValue(CR_URL)).toBe('');
  });

  it('uses an external ACS when acsUrl is given (and starts no embedded one)', async () => {
    await using acs = await createFakeAcs();
    const fleet = await start({ profile: profile({ count: 2 }), acsUrl: acs.url, cr: false });
    expect(fleet.acs).toBeUndefined();
    expect(fleet.acsUrl).toBe(acs.url);
    expect(new Set(acs.informs.map((i) => i.serial))).toEqual(new Set(['LAB-0001', 'LAB-0002']));
  });

  it('a count override of a single-CPE profile keeps serials unique', async () => {
    const fleet = await start({ profile: profile({ count: 1, serialPattern: null }), count: 3, cr: false });
    expect(fleet.profile.fleet.count).toBe(3);
    expect(fleet.cpes.map((c) => c.serialNumber)).toEqual(['LAB-1', 'LAB-2', 'LAB-3']);
  });

  it('a count override accepts a serial pattern made per-CPE by a placeholder, and refuses one with no per-CPE part', async () => {
    // Ref. 5.2: `{cpe:HEX:8}` (a GPON-style serial) is as per-CPE as `{i}`.
    const fleet = await start({ profile: profile({ count: 1, serialPattern: 'EXPH{cpe:HEX:8}' }), count: 3, cr: false });
    expect(fleet.cpes.map((c) => c.serialNumber)).toEqual(['EXPH00000001', 'EXPH00000002', 'EXPH00000003']);
    await expect(startFleet({ profile: profile({ count: 1, serialPattern: 'FIXED' }), count: 3, cr: false })).rejects.toThrow(/"FIXED" has no per-CPE part/);
  });

  it('bootConcurrency 1 runs the bootstrap sessions one after another', async () => {
    const fleet = await start({ profile: profile({ count: 4 }), cr: false, bootConcurrency: 1 });
    const sessions = [...fleet.acs!.sessions].sort((a, b) => a.startedAt - b.startedAt);
    expect(sessions).toHaveLength(4);
    for (let i = 1; i < sessions.length; i++) expect(sessions[i]!.startedAt).toBeGreaterThanOrEqual(sessions[i - 1]!.endedAt!);
  });

  it('default pace: 16 bootstrap sessions at once with the embedded ACS, 256 towards an external one', async () => {
    /** Most sessions open at once, as the ACS saw them (Inform in, 204 out). */
    const overlap = (): { onMessage: (l: { dir: string; summary: string; status?: number }) => void; max: () => number } => {
      let open = 0;
      let max = 0;
      return {
        onMessage: (l) => {
          if (l.dir === 'cpe->acs' && l.summary.startsWith('Inform')) max = Math.max(max, ++open);
          if (l.dir === 'acs->cpe' && l.status === 204) open--;
        },
        max: () => max,
      };
    };
    // The ACS holds every InformResponse, so every session the pump lets through is open
    // at once. startFleet returns (waitFor 'none') before any Inform can have arrived.
    const embedded = overlap();
    const a = await start({ profile: profile({ count: 40 }), cr: false, waitFor: 'none', embeddedAcs: { onMessage: embedded.onMessage } });
    a.acs!.behave('*', { informResponseDelayMs: 200 });
    await a.whenBootstrapped();
    expect(a.acs!.informs).toHaveLength(40);
    expect(embedded.max()).toBe(EMBEDDED_ACS_BOOT_CONCURRENCY);
    expect(EMBEDDED_ACS_BOOT_CONCURRENCY).toBe(16);

    // An external ACS that holds every InformResponse: all 40 sessions are open together.
    const external = overlap();
    const acs = await createFakeAcs({ port: 0, onMessage: external.onMessage });
    try {
      acs.behave('*', { informResponseDelayMs: 200 });
      await start({ profile: profile({ count: 40 }), cr: false, acsUrl: acs.url });
      expect(external.max()).toBe(40);
    } finally {
      await acs.close();
    }
  });

  it('a fleet above LEAN_TRANSCRIPT_ABOVE CPEs: its embedded ACS keeps the last LEAN_ACS_RECORDS sessions and Informs', async () => {
    const count = LEAN_TRANSCRIPT_ABOVE + 1;
    const fleet = await start({ profile: profile({ count }), cr: false });
    expect(fleet.acs!.sessions).toHaveLength(LEAN_ACS_RECORDS);
    expect(fleet.acs!.informs).toHaveLength(LEAN_ACS_RECORDS);
    // The newest are kept: every one is a bootstrap Inform of this fleet.
    expect(fleet.acs!.informs.every((i) => i.events.some((e) => e.eventCode === '0 BOOTSTRAP'))).toBe(true);
    expect(fleet.cpes.every((c) => c.sessions.length === 1 && c.sessions[0]!.ok)).toBe(true);
  });

  it('shards: slice i of n holds a contiguous range with global ids, serials and URLs', async () => {
    const fleet = await start({ profile: profile({ count: 7 }), shard: { index: 1, total: 3 } });
    expect(fleet.cpes.map((c) => c.id)).toEqual(['cpe-3', 'cpe-4']);
    expect(fleet.cpes.map((c) => c.serialNumber)).toEqual(['LAB-0003', 'LAB-0004']);
    expect(fleet.crUrls[0]).toMatch(/\/cr\/cpe-3$/);
    expect(fleet.cpe(4).id).toBe('cpe-4');
    expect(() => fleet.cpe(1)).toThrow(/cpe-3 … cpe-4/);
    // One CPE in this process, but the fleet has two: URLs keep the fleet shape.
    const half = await start({ profile: profile({ count: 2 }), shard: { index: 1, total: 2 } });
    expect(half.crUrls).toEqual([`http://127.0.0.1:${half.listener!.address.port}/cr/cpe-2`]);
    await expect(startFleet({ profile: profile({ count: 2 }), shard: { index: 0, total: 3 } })).rejects.toThrow(/empty/);
    await expect(startFleet({ profile: profile({ count: 2 }), shard: { index: 3, total: 3 } })).rejects.toThrow(ConfigError);
  });

  it('library default publish path: <root>.ManagementServer.ConnectionRequestURL, or a warning when the profile lacks it', async () => {
    const p = profile({ count: 1 });
    p.parameters = (p.parameters as { path: string }[]).filter((x) => x.path !== CR_URL);
    const lines: string[] = [];
    const fleet = await start({ profile: p, logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }) });
    expect(fleet.cpe(1).crUrl).toBe(fleet.crUrls[0]);
    expect(lines.join('\n')).toMatch(/WARN .*no ConnectionRequestURL leaf/);
  });

  it('rejects a publish path that is not a leaf, before opening any socket', async () => {
    const before = await quiet();
    const err = await startFleet({ profile: profile(), cr: { publishPath: 'Device.ManagementServer.ConnReqURL' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('"Device.ManagementServer.ConnReqURL"');
    expect((err as Error).message).toContain(CR_URL);
    expect(await leakedSince(before)).toEqual({});
  });

  it('rejects a scheme override on a profile without credential leaves', async () => {
    const err = await startFleet({ profile: profile({ cr: null }), cr: { scheme: 'digest', realm: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/usernameParameter/);
    expect((err as Error).message).toMatch(/passwordParameter/);
  });

  it('close() is idempotent, also as Symbol.asyncDispose, and leaves no handle behind', async () => {
    const before = await quiet();
    expect(before.filter((h) => h.startsWith('TCP'))).toEqual([]);
    {
      await using fleet = await startFleet({ profile: profile(), cr: {} });
      await fleet.acs!.connectionRequest(fleet.crUrls[0]!, { username: 'cr-cpe-1', password: PASSWORD });
      await fleet.close();
      await fleet.close();
    }
    expect(await leakedSince(before)).toEqual({});
  });

  it('cleans up the embedded ACS when the listener cannot bind', async () => {
    const first = await start({ profile: profile(), cr: {} });
    const before = handles();
    const taken = `127.0.0.1:${first.listener!.address.port}`;
    const err = await startFleet({ profile: profile(), cr: { bindAddr: taken } }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('CPESIM_ADDRESS_IN_USE');
    expect(await leakedSince(before)).toEqual({});
  });

  it('every per-CPE log line carries cpe_id; passwords never reach the log', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    const fleet = await start({ profile: profile({ count: 2 }), logger, cr: { throttleWindowMs: 0 } });
    await fleet.acs!.connectionRequest(fleet.crUrls[1]!, { username: 'cr-cpe-2', password: PASSWORD });
    await fleet.acs!.waitForInform({ cpe: 'cpe-2', event: '6 CONNECTION REQUEST' }, { timeoutMs: 5000 });
    await fleet.close();
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
    const perCpe = lines.filter((l) => l.component === undefined && l.msg !== 'fleet starting' && l.msg !== 'rng initialized');
    expect(perCpe.length).toBeGreaterThan(0);
    for (const l of perCpe) expect(l.cpe_id, JSON.stringify(l)).toMatch(/^cpe-\d+$/);
  });

  it('seed: each CPE\'s retry jitter comes from its stream cpe-<g>:retry of the root seed', async () => {
    // An ACS port nobody listens on: every bootstrap fails and is retried after
    // 5–10 s × random() (TR-069 §3.2.1.1), compressed 20×. The order of the retries
    // must follow the seeded numbers; with Math.random it would match by chance 1 in 6.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    // Seeds whose three first draws lie ≥ 0.14 apart (≥ 35 ms real at this time scale), so
    // the order cannot depend on when each CPE's first session failed.
    for (const seed of [13, 17]) {
      const first = (i: number): number => streamFor(BigInt(seed), `cpe-${i}:retry`).float();
      const expected = [1, 2, 3].sort((a, b) => first(a) - first(b)).map((i) => `cpe-${i}`);
      const fleet = await start({ profile: profile(), acsUrl: `http://127.0.0.1:${port}/cwmp`, cr: false, timeScale: 0.05, waitFor: 'none', seed });
      const retried: string[] = [];
      await new Promise<void>((resolve) => {
        for (const cpe of fleet.cpes) {
          let n = 0;
          cpe.onSession(() => {
            if (++n === 2) retried.push(cpe.id);
            if (retried.length === 3) resolve();
          });
        }
      });
      expect(retried, `seed ${seed}`).toEqual(expected);
      await fleet.close();
    }
  });
});
