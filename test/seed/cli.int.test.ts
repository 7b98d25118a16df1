/**
 * Seed traceability, CLI side: `bin/cpe-sim`'s main() in-process (injected io), a
 * real curl as the ACS-side client. Titles quote the seed
 * (/work/shared/seed/connection-request.txt). 127.0.0.1 only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeAcs } from '../../src/acs/index.js';
import { run, start, type Running } from '../cli/io.js';
import { assertPortFree, curl, profileDir, profileObject, requireCurl, settle, statusLines, URL_LEAF, USER_LEAF, PASS_LEAF } from './helpers.js';

const dir = profileDir();
afterAll(() => dir.dispose());
beforeAll(() => requireCurl());

/** Stops a daemon and expects a clean exit. */
async function stop(sim: Running): Promise<void> {
  sim.stop();
  expect(await sim.done).toBe(0);
}

describe('seed: Quick smoke test (verbatim, port 7547, embedded ACS)', () => {
  it('seed: "bin/cpe-sim --profile=p.yaml … --cr-bind-addr=…:7547 --cr-publish-path=Device.ManagementServer.ConnectionRequestURL; curl -i -u user:pass --digest http://127.0.0.1:7547/cr → HTTP/1.1 200 OK … and the simulator runs an Inform with the 6 CONNECTION REQUEST event code"', async () => {
    await assertPortFree(7547);
    const p = dir.write('p.yaml', profileObject({ username: 'user', password: 'pass' }));
    // The seed binds 0.0.0.0; the tests never listen beyond loopback, so 127.0.0.1.
    const sim = start([`--profile=${p}`, '--cr-bind-addr=127.0.0.1:7547', '--cr-publish-path=Device.ManagementServer.ConnectionRequestURL']);
    try {
      await sim.waitFor(/SEED-1 acs->cpe 204/);
      expect(sim.stdout).not.toContain('6 CONNECTION REQUEST');
      const r = await curl(['-i', '-u', 'user:pass', '--digest', 'http://127.0.0.1:7547/cr']);
      expect(r.code).toBe(0);
      // curl's Digest handshake: the challenge, then the accepted request.
      expect(statusLines(r.stdout)).toEqual(['HTTP/1.1 401 Unauthorized', 'HTTP/1.1 200 OK']);
      await sim.waitFor(/SEED-1 cpe->acs +Inform \[6 CONNECTION REQUEST\]/);
      await sim.waitFor(/session done cpe_id=cpe-1 session=2 events="6 CONNECTION REQUEST"/, 'stderr');
    } finally {
      await stop(sim);
    }
  });

  it('seed: "3. Multi-CPE routing. curl -i -u user:pass --digest http://127.0.0.1:7547/cr/cpe-3"', async () => {
    await assertPortFree(7547);
    const p = dir.write('p3.yaml', profileObject({ count: 3, username: 'user', password: 'pass' }));
    const sim = start([`--profile=${p}`, '--cr-bind-addr=127.0.0.1:7547', '--cr-publish-path=Device.ManagementServer.ConnectionRequestURL']);
    try {
      for (const sn of ['SEED-001', 'SEED-002', 'SEED-003']) await sim.waitFor(new RegExp(`${sn} acs->cpe 204`));
      const r = await curl(['-i', '-u', 'user:pass', '--digest', 'http://127.0.0.1:7547/cr/cpe-3']);
      expect(statusLines(r.stdout)).toEqual(['HTTP/1.1 401 Unauthorized', 'HTTP/1.1 200 OK']);
      await sim.waitFor(/SEED-003 cpe->acs +Inform \[6 CONNECTION REQUEST\]/);
      await settle();
      // Only cpe-3 was woken.
      expect(sim.stdout.match(/cpe->acs +Inform \[6 CONNECTION REQUEST\]/g)).toHaveLength(1);
      // In a fleet, /cr itself is no CPE's URL.
      expect(statusLines((await curl(['-i', '-u', 'user:pass', '--digest', 'http://127.0.0.1:7547/cr'])).stdout)).toEqual(['HTTP/1.1 404 Not Found']);
    } finally {
      await stop(sim);
    }
  });
});

describe('seed: Enabling the listener (CLI flags)', () => {
  it('seed: "--cr-bind-addr … When set, the simulator stays alive after bootstrap (daemon mode) regardless of whether periodicInformPaths is configured."', async () => {
    // Without the flag, the same profiles make a one-shot run that exits 0 after the bootstrap…
    const none = dir.write('no-periodic.yaml', profileObject({ periodic: null }));
    const disabled = dir.write('periodic-disabled.yaml', profileObject({}));
    for (const p of [none, disabled]) {
      const oneShot = await run(['--profile', p]);
      expect(oneShot.code).toBe(0);
      expect(oneShot.stderr).toContain('exiting (no --cr-bind-addr and no enabled periodic informs)');
    }
    // …with it, both stay alive after the bootstrap and still answer a CR.
    for (const p of [none, disabled]) {
      const sim = start(['--profile', p, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', URL_LEAF]);
      let exited = false;
      void sim.done.then(() => (exited = true));
      try {
        const [, port] = await sim.waitFor(/connection request listener ready .*port=(\d+)/, 'stderr');
        await sim.waitFor(/daemon mode \(connection request listener enabled\)/, 'stderr');
        await sim.waitFor(/SEED-1 acs->cpe 204/);
        await settle(200);
        expect(exited).toBe(false);
        const r = await curl(['-i', '-u', 'user:pass', '--digest', `http://127.0.0.1:${port}/cr`]);
        expect(statusLines(r.stdout).at(-1)).toBe('HTTP/1.1 200 OK');
        await sim.waitFor(/Inform \[6 CONNECTION REQUEST\]/);
        expect(exited).toBe(false);
      } finally {
        await stop(sim);
      }
    }
  });

  it('seed: "--cr-bind-addr: …:0 lets the OS pick a port; the actual bound port is logged at startup"', async () => {
    const p = dir.write('zero.yaml', profileObject({}));
    const sim = start(['--profile', p, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', URL_LEAF]);
    try {
      const [, port] = await sim.waitFor(/connection request listener bound .*address=127\.0\.0\.1:(\d+)/, 'stderr');
      expect(Number(port)).toBeGreaterThan(0);
      // The logged port is the one that answers.
      expect(statusLines((await curl(['-i', `http://127.0.0.1:${port}/cr`])).stdout)).toEqual(['HTTP/1.1 401 Unauthorized']);
    } finally {
      await stop(sim);
    }
  });

  it('seed: "--cr-publish-path: parameter-tree leaf the listener writes its full URL into at startup. The next Inform reports this value as ConnectionRequestURL." (TR-181, external ACS)', async () => {
    await using acs = await createFakeAcs();
    const p = dir.write('pub181.yaml', profileObject({ count: 2 }));
    const sim = start(['--profile', p, '--acs-url', acs.url, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', URL_LEAF]);
    try {
      const [, port] = await sim.waitFor(/connection request listener ready .*port=(\d+)/, 'stderr');
      const boot = await Promise.all(['SEED-001', 'SEED-002'].map((sn) => waitInform(acs, sn, '0 BOOTSTRAP')));
      expect(boot.map((i) => i.parameters.find((x) => x.name === URL_LEAF)?.value)).toEqual([`http://127.0.0.1:${port}/cr/cpe-1`, `http://127.0.0.1:${port}/cr/cpe-2`]);
    } finally {
      await stop(sim);
    }
  });

  it('seed: "For TR-098: InternetGatewayDevice.ManagementServer.ConnectionRequestURL" (TR-181 / TR-098 use different paths; the flag picks the leaf)', async () => {
    await using acs = await createFakeAcs();
    const fixture = new URL('../../fixtures/profiles/tr098-basic.yaml', import.meta.url).pathname;
    const leaf = 'InternetGatewayDevice.ManagementServer.ConnectionRequestURL';
    const sim = start(['--profile', fixture, '--acs-url', acs.url, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', leaf]);
    try {
      const [, port] = await sim.waitFor(/connection request listener ready .*port=(\d+)/, 'stderr');
      const boot = await waitInform(acs, 'IGD0001-1', '0 BOOTSTRAP');
      expect(boot.parameters.find((x) => x.name === leaf)?.value).toBe(`http://127.0.0.1:${port}/cr`);
      // The TR-181 leaf does not exist in a TR-098 tree: naming it is refused, not defaulted.
    } finally {
      await stop(sim);
    }
    const wrong = await run(['--profile', fixture, '--acs-url', acs.url, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', URL_LEAF]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`"${URL_LEAF}"`);
    expect(wrong.stderr).toContain('InternetGatewayDevice.ManagementServer.ConnectionRequestURL (which this profile has)');
  });

  it('seed: "--cr-publish-path … Required when --cr-bind-addr is set; no default" (exit 2, no listener, no ACS traffic)', async () => {
    await using acs = await createFakeAcs();
    const p = dir.write('nopub.yaml', profileObject({}));
    const r = await run(['--profile', p, '--acs-url', acs.url, '--cr-bind-addr', '127.0.0.1:0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--cr-publish-path/);
    expect(r.stderr).toContain('Device.ManagementServer.ConnectionRequestURL');
    expect(r.stderr).toContain('InternetGatewayDevice.ManagementServer.ConnectionRequestURL');
    // Nothing started: no CPE informed (a default path would have booted the fleet).
    expect(acs.informs).toHaveLength(0);
  });
});

describe('seed: Profile validation ("The loader rejects loudly"), through the CLI', () => {
  const base = (cr: string): string =>
    [
      'deviceIdPaths:',
      '  manufacturer: Device.DeviceInfo.Manufacturer',
      '  oui: Device.DeviceInfo.ManufacturerOUI',
      '  productClass: Device.DeviceInfo.ProductClass',
      '  serialNumber: Device.DeviceInfo.SerialNumber',
      'parameters:',
      '  - {path: Device.DeviceInfo.Manufacturer, value: Example}',
      '  - {path: Device.DeviceInfo.ManufacturerOUI, value: "00D09E"}',
      '  - {path: Device.DeviceInfo.ProductClass, value: HGW}',
      '  - {path: Device.DeviceInfo.SerialNumber, value: SEED}',
      `  - {path: ${URL_LEAF}, value: ""}`,
      `  - {path: ${USER_LEAF}, value: user}`,
      `  - {path: ${PASS_LEAF}, value: pass}`,
      'connectionRequest:',
      cr,
      '',
    ].join('\n');

  it('seed: "scheme set to anything other than basic/digest/\\"\\"" and "throttleWindow that doesn\'t parse as a Go time.Duration": exit 2, each problem listed', async () => {
    const bad = dir.write('bad1.yaml', base(`  scheme: ntlm\n  realm: r\n  usernameParameter: ${USER_LEAF}\n  passwordParameter: ${PASS_LEAF}\n  throttleWindow: 5 seconds`));
    const r = await run(['--profile', bad, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', URL_LEAF]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad1\.yaml:\d+:\d+.*connectionRequest\.scheme[^\n]*unknown scheme "ntlm"/);
    expect(r.stderr).toMatch(/bad1\.yaml:\d+:\d+.*connectionRequest\.throttleWindow[^\n]*unknown unit " seconds"/);
    expect(r.stderr).toMatch(/2 problems/);
  });

  it('seed: "scheme non-empty but realm empty" and "usernameParameter / passwordParameter missing or referencing a leaf that doesn\'t exist in the tree": exit 2, each problem listed', async () => {
    const bad = dir.write('bad2.yaml', base('  scheme: digest\n  realm: ""\n  passwordParameter: Device.ManagementServer.NoSuchPassword\n  throttleWindow: soon'));
    const r = await run(['--profile', bad, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', URL_LEAF]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/connectionRequest\.realm[^\n]*needs a non-empty realm/);
    expect(r.stderr).toMatch(/connectionRequest\.usernameParameter[^\n]*needs usernameParameter/);
    expect(r.stderr).toMatch(/connectionRequest\.passwordParameter[^\n]*Device\.ManagementServer\.NoSuchPassword[^\n]*not a leaf/);
    expect(r.stderr).toMatch(/connectionRequest\.throttleWindow[^\n]*invalid duration "soon"/);
    expect(r.stderr).toMatch(/4 problems/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('seed: "throttleWindow … Go time.Duration": Go forms are accepted (1m30s, 1.5s, 0) and scheme "" needs neither realm nor leaves', async () => {
    for (const [name, cr] of [
      ['ok1.yaml', `  scheme: digest\n  realm: r\n  usernameParameter: ${USER_LEAF}\n  passwordParameter: ${PASS_LEAF}\n  throttleWindow: 1m30s`],
      ['ok2.yaml', `  scheme: basic\n  realm: r\n  usernameParameter: ${USER_LEAF}\n  passwordParameter: ${PASS_LEAF}\n  throttleWindow: 1.5s`],
      ['ok3.yaml', '  scheme: ""\n  throttleWindow: 0'],
    ] as const) {
      const r = await run(['--profile', dir.write(name, base(cr))]);
      expect(r.stderr, name).not.toContain('cpe-sim:');
      expect(r.code, name).toBe(0);
    }
  });
});

describe('seed: first paragraph (a non-feature)', () => {
  it('"This page is TR-069 only. TR-369 has no Connection Request equivalent": cpe-sim simulates TR-069 only; a profile asking for a USP agent is refused', async () => {
    const p = dir.write('usp.yaml', `${stringifyMinimal()}usp:\n  endpointId: "proto::x"\n`);
    const r = await run(['--profile', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown key "usp".*USP \(TR-369\) is configured on the command line only/);
  });
});

function stringifyMinimal(): string {
  return [
    'deviceIdPaths:',
    '  manufacturer: Device.DeviceInfo.Manufacturer',
    '  oui: Device.DeviceInfo.ManufacturerOUI',
    '  productClass: Device.DeviceInfo.ProductClass',
    '  serialNumber: Device.DeviceInfo.SerialNumber',
    'parameters:',
    '  - {path: Device.DeviceInfo.Manufacturer, value: Example}',
    '  - {path: Device.DeviceInfo.ManufacturerOUI, value: "00D09E"}',
    '  - {path: Device.DeviceInfo.ProductClass, value: HGW}',
    '  - {path: Device.DeviceInfo.SerialNumber, value: SEED}',
    '',
  ].join('\n');
}

async function waitInform(acs: Awaited<ReturnType<typeof createFakeAcs>>, serial: string, event: string) {
  acs.alias(serial, serial);
  return acs.waitForInform({ cpe: serial, event }, { timeoutMs: 10_000 });
}
