// withCpeFleet / createCpeFleet / startFleet against the real stack (fleet, CR
// listener, embedded FakeAcs) on 127.0.0.1: lifecycle, options, teardown.
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, test as plain } from 'vitest';
import { createCpeFleet, startFleet, withCpeFleet, type Fleet } from '../../src/testing/vitest.js';

const profile = fileURLToPath(new URL('../../fixtures/profiles/tr181-hgw.yaml', import.meta.url));

/** True when nothing accepts connections at `url` any more (the fleet's listener was closed). */
async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (e) {
    return /ECONNREFUSED/.test(String((e as { cause?: unknown }).cause ?? e));
  }
}

describe('withCpeFleet (scope: test)', () => {
  const test = withCpeFleet({ profile, count: 3 });
  let previous: Fleet | undefined;

  test('boots every CPE before the test body runs, on a loopback listener', async ({ fleet, acs }) => {
    expect(fleet.cpes).toHaveLength(3);
    expect(fleet).toHaveCompletedSessions(3);
    for (const cpe of fleet.cpes) expect(cpe.informs[0]?.events.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    expect(acs).toBe(fleet.acs);
    expect(fleet.listener?.address.host).toBe('127.0.0.1');
    expect(fleet.listener?.address.port).toBeGreaterThan(0);
    expect(fleet.crUrls[2]).toBe(`http://127.0.0.1:${fleet.listener!.address.port}/cr/cpe-3`);
    previous = fleet;
  });

  test('gives each test a fresh fleet and closes the previous one', async ({ fleet }) => {
    expect(previous).toBeDefined();
    expect(fleet).not.toBe(previous);
    expect(await refused(previous!.crUrls[0]!)).toBe(true);
  });
});

describe('fixture options', () => {
  withCpeFleet({ profile, count: 1, waitFor: 'none' })('waitFor none: the test starts before bootstrap is guaranteed', async ({ fleet }) => {
    await fleet.whenBootstrapped();
    await expect(fleet.cpe(1)).toHaveInformed('0 BOOTSTRAP');
  });

  withCpeFleet({ profile, count: 1, periodic: 1, timeScale: 0.01 })('periodic + timeScale: a 1 s periodic interval fires in about 10 ms', async ({ fleet }) => {
    expect(fleet.cpe(1)).toHaveParameterValue('Device.ManagementServer.PeriodicInformInterval', '1');
    await expect(fleet.cpe(1)).toHaveInformed('2 PERIODIC', { times: 1, timeout: 2000 });
  });

  withCpeFleet({ profile, count: 2, offset: 100, seed: 12345n, bootRampMs: 0 })('offset, seed and bootRampMs reach the fleet: global ids, the root seed in use', async ({ fleet }) => {
    expect(fleet.cpes.map((c) => c.id)).toEqual(['cpe-101', 'cpe-102']);
    expect(fleet.seed).toBe(12345n);
    expect(fleet.cpe(102).seed).toBe(12345n);
    expect(fleet.profile.eventSchedule.bootRampMs).toBe(0);
    expect(fleet.crUrls[1]).toMatch(/\/cr\/cpe-102$/);
  });

  withCpeFleet({ profile, count: 1, periodic: false })('periodic false: no periodic inform is armed', async ({ fleet }) => {
    expect(fleet.cpe(1)).toHaveParameterValue('Device.ManagementServer.PeriodicInformEnable', 'false');
    expect(fleet.cpe(1).nextPeriodicAt).toBeUndefined();
  });

  plain('cr.port: a preferred port is used when free and replaced by a free one when taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const fleet = await createCpeFleet({ profile, count: 1, cr: { port: taken } });
      expect(fleet.listener!.address.port).not.toBe(taken);
      expect(fleet.listener!.address.port).toBeGreaterThan(0);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    // The port the blocker just freed is free now: asked for, it is used as is.
    const again = await createCpeFleet({ profile, count: 1, cr: { port: taken } });
    expect(again.listener!.address.port).toBe(taken);
  });

  plain('cr: false starts no listener; acsUrl points a second fleet at the first one\'s ACS', async () => {
    const a = await createCpeFleet({ profile, count: 1 });
    const b = await createCpeFleet({ profile: { ...(await import('yaml')).parse((await import('node:fs')).readFileSync(profile, 'utf8')), fleet: { count: 1, serialPattern: 'OTHER-{i}' } }, acsUrl: a.acsUrl, cr: false });
    expect(b.listener).toBeUndefined();
    expect(b.acs).toBeUndefined();
    await expect(a.acs!).toHaveInformed('0 BOOTSTRAP', { cpe: 'OTHER-1' });
  });

  plain('the periodic option needs periodicInformPaths', async () => {
    const yaml = (await import('yaml')).parse((await import('node:fs')).readFileSync(profile, 'utf8')) as Record<string, unknown>;
    delete yaml['periodicInformPaths'];
    await expect(createCpeFleet({ profile: yaml, count: 1, periodic: 5 })).rejects.toThrow(/periodic option needs a profile with periodicInformPaths/);
  });
});

describe('createCpeFleet / startFleet', () => {
  let created: Fleet | undefined;
  plain('createCpeFleet starts a fleet inside a test', async () => {
    created = await createCpeFleet({ profile, count: 1 });
    await expect(created.cpe(1)).toHaveInformed('1 BOOT');
  });
  plain('… and closes it when that test finished', async () => {
    expect(await refused(created!.crUrls[0]!)).toBe(true);
  });

  plain('startFleet is AsyncDisposable: await using closes it at scope end', async () => {
    let url: string;
    {
      await using fleet = await startFleet({ profile, count: 1 });
      url = fleet.crUrls[0]!;
      expect(await refused(url)).toBe(false);
    }
    expect(await refused(url)).toBe(true);
  });
});
