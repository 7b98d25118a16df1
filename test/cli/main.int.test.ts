import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCurl } from '../support/curl.js';
import { startFleet } from '../../src/fleet/index.js';
import { run, start } from './io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DIGEST = `${root}fixtures/profiles/tr181-digest.yaml`;
const MINIMAL = `${root}fixtures/profiles/tr181-minimal`;
const PUBLISH = 'Device.ManagementServer.ConnectionRequestURL';

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '5', ...args], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function listenOn(port = 0): Promise<Server> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  return s;
}
function portOf(s: Server): number {
  return (s.address() as { port: number }).port;
}
async function closedPort(): Promise<number> {
  const s = await listenOn();
  const port = portOf(s);
  await new Promise((r) => s.close(r));
  return port;
}

describe('cpe-sim (simulator) in-process', () => {
  it('README first command: boots the fixture fleet against the embedded ACS, prints every session, exits 0', async () => {
    const r = await run(['--profile', DIGEST]);
    expect(r.stderr).not.toContain('cpe-sim:');
    expect(r.code).toBe(0);
    for (const sn of ['DIG-001', 'DIG-002', 'DIG-003']) {
      expect(r.stdout).toMatch(new RegExp(`${sn} cpe->acs +Inform \\[0 BOOTSTRAP, 1 BOOT\\]`));
      expect(r.stdout).toMatch(new RegExp(`${sn} acs->cpe 200 +InformResponse`));
      expect(r.stdout).toMatch(new RegExp(`${sn} acs->cpe 204 `));
    }
    // Logs on stderr, each per-CPE line with its cpe_id.
    expect(r.stderr).toMatch(/session done cpe_id=cpe-1 /);
  });

  it('a seed profile with softwareModules runs without the "not simulated yet" warning (simulated since issue 15)', async () => {
    const { mkdtemp, copyFile, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/cpe-sim-unsim-`);
    try {
      for (const f of ['00-device.yaml', '20-hosts.yaml']) await copyFile(`${MINIMAL}/${f}`, `${dir}/${f}`);
      await writeFile(
        `${dir}/30-seed-blocks.yaml`,
        [
          'parameters:',
          '  - {path: "Device.SoftwareModules.ExecEnv.{i}.Name", instances: 1}',
          '  - {path: "Device.SoftwareModules.DeploymentUnit.{i}.UUID", instances: 0}',
          '  - {path: "Device.SoftwareModules.ExecutionUnit.{i}.Name", instances: 0}',
          'softwareModules: {path: Device.SoftwareModules.}',
          '',
        ].join('\n'),
      );
      const r = await run(['--profile', dir]);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain('does not simulate yet');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('--fleet-offset shifts the serials, --seed is logged as the root seed, --concurrency is accepted with a note', async () => {
    const r = await run(['--profile', DIGEST, '--count', '2', '--fleet-offset', '40', '--seed', '-77', '--concurrency', '4', '--boot-ramp', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/DIG-041 cpe->acs +Inform \[0 BOOTSTRAP, 1 BOOT\]/);
    expect(r.stdout).toMatch(/DIG-042 cpe->acs +Inform/);
    expect(r.stdout).not.toMatch(/DIG-001/);
    expect(r.stderr).toMatch(/rng initialized .*root_seed=-77/);
    expect(r.stderr).toMatch(/--concurrency is accepted for cpe-labs compatibility and ignored/);
    // Without --seed, a seed is chosen and logged all the same.
    const r2 = await run(['--profile', DIGEST, '--count', '1']);
    expect(r2.stderr).toMatch(/rng initialized .*root_seed=-?\d+/);
  });

  it.skipIf(!hasCurl)('daemon mode: logs the bound port, answers curl --digest with 200, informs 6 CONNECTION REQUEST, exits 0 on stop', async () => {
    const sim = start(['--profile', DIGEST, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', PUBLISH, '--log-format', 'json']);
    try {
      const [, port] = await sim.waitFor(/"msg":"connection request listener ready".*?"port":(\d+)/, 'stderr');
      await sim.waitFor(/DIG-003 acs->cpe 204/);
      // Fleet of 3: /cr/<cpe-id>; the seed's smoke test with the fixture's credentials.
      const res = await curl(['-i', '-u', 'cr-cpe-3:secret', '--digest', `http://127.0.0.1:${port}/cr/cpe-3`]);
      expect(res.stdout).toContain('HTTP/1.1 200 OK');
      await sim.waitFor(/DIG-003 cpe->acs +Inform \[6 CONNECTION REQUEST\]/);
      // /cr alone is not a CPE in a fleet.
      expect((await curl(['-i', `http://127.0.0.1:${port}/cr`])).stdout).toContain('HTTP/1.1 404');
      // Every stderr line is JSON; per-CPE lines carry cpe_id; the CR password never appears.
      const lines = sim.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.filter((l) => l.msg === 'session done').every((l) => typeof l.cpe_id === 'string')).toBe(true);
      expect(sim.stderr).not.toContain('secret');
    } finally {
      sim.stop();
    }
    expect(await sim.done).toBe(0);
    expect(sim.stderr).toContain('shutting down');
  });

  it.skipIf(!hasCurl)('the published URL is what the bootstrap Inform reports (single CPE: <cr-path>)', async () => {
    const sim = start(['--profile', DIGEST, '--count', '1', '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', PUBLISH, '--cr-path', '/conn', '--cr-publish-host', 'localhost']);
    try {
      const [, port] = await sim.waitFor(/connection request listener ready .*port=(\d+)/, 'stderr');
      await sim.waitFor(/DIG-001 acs->cpe 204/);
      const res = await curl(['-i', '-u', 'cr-cpe-1:secret', '--digest', `http://127.0.0.1:${port}/conn`]);
      expect(res.stdout).toContain('HTTP/1.1 200 OK');
      await sim.waitFor(/Inform \[6 CONNECTION REQUEST\]/);
      expect(sim.stderr).toContain(`url=http://localhost:${port}/conn`);
    } finally {
      sim.stop();
    }
    expect(await sim.done).toBe(0);
  });

  it('ACS credentials without --acs-url: the embedded ACS challenges with Digest and the CPEs answer', async () => {
    const r = await run(['--profile', DIGEST, '--count', '1', '--acs-username', 'acs-user', '--acs-password', 'pw-Zq9']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/acs->cpe 401 /);
    expect(r.stdout).toMatch(/DIG-001 acs->cpe 200 +InformResponse/);
    expect(r.stdout + r.stderr).not.toContain('pw-Zq9');
  });

  it('a CR bind address already in use: clear error, exit 2', async () => {
    const busy = await listenOn();
    try {
      const r = await run(['--profile', DIGEST, '--cr-bind-addr', `127.0.0.1:${portOf(busy)}`, '--cr-publish-path', PUBLISH]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/address already in use/);
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('cpe-sim:'))).toHaveLength(1);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('--cr-bind-addr on an address this host does not have: exit 2 naming it', async () => {
    // Binding only: nothing is sent. 192.0.2.0/24 is TEST-NET-1 (RFC 5737), never local.
    const r = await run(['--profile', DIGEST, '--cr-bind-addr', '192.0.2.1:0', '--cr-publish-path', PUBLISH]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('192.0.2.1');
    expect(r.stderr).toContain('EADDRNOTAVAIL');
  });

  it('a --cr-publish-path that is not a leaf: exit 2 naming it', async () => {
    const r = await run(['--profile', DIGEST, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', 'InternetGatewayDevice.ManagementServer.ConnectionRequestURL']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"InternetGatewayDevice.ManagementServer.ConnectionRequestURL"');
    expect(r.stderr).toContain('Device.ManagementServer.ConnectionRequestURL (which this profile has)');
  });

  it('a bootstrap that cannot be delivered: exit 1 after the retries, naming the CPE and the ACS', async () => {
    const port = await closedPort();
    const r = await run(['--profile', DIGEST, '--count', '1', '--acs-url', `http://127.0.0.1:${port}/cwmp`, '--time-scale', '0.0005', '--seed', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`1 of 1 CPE could not deliver 0 BOOTSTRAP to http://127.0.0.1:${port}/cwmp after 3 attempts: cpe-1 \\(`));
    expect(r.stdout.match(/session #\d+ \[0 BOOTSTRAP, 1 BOOT\] FAILED/g)).toHaveLength(3);
    // The lines carry wall-clock time like the logs, not the compressed fleet clock, which
    // after two back-offs (>= 5 s + 10 s simulated) would stand at least 15 s in the future.
    const stamps = [...r.stdout.matchAll(/^(\S+Z) cpe-1 session/gm)].map((m) => Date.parse(m[1]!));
    expect(stamps).toHaveLength(3);
    for (const t of stamps) expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('stopping a one-shot run before its bootstraps finish exits 143', async () => {
    const port = await closedPort();
    const sim = start(['--profile', DIGEST, '--count', '1', '--acs-url', `http://127.0.0.1:${port}/cwmp`]);
    await sim.waitFor(/FAILED/);
    sim.stop(); // the retry is 5–10 s away at time-scale 1
    expect(await sim.done).toBe(143);
    expect(sim.stderr).toContain('interrupted before every bootstrap was delivered');
  });

  it('periodic informs enabled in the profile: daemon mode, informs 2 PERIODIC until stopped', async () => {
    const sim = start(['--profile', MINIMAL, '--count', '1', '--time-scale', '0.001']);
    try {
      await sim.waitFor(/daemon mode \(periodic informs enabled\)/, 'stderr');
      await sim.waitFor(/Inform \[2 PERIODIC\]/);
    } finally {
      sim.stop();
    }
    expect(await sim.done).toBe(0);
  });

  it('with --acs-url prints one line per CPE session', async () => {
    await using fleetAcs = await startFleet({ profile: { deviceIdPaths: { manufacturer: 'Device.DeviceInfo.Manufacturer', oui: 'Device.DeviceInfo.ManufacturerOUI', productClass: 'Device.DeviceInfo.ProductClass', serialNumber: 'Device.DeviceInfo.SerialNumber' }, parameters: [{ path: 'Device.DeviceInfo.Manufacturer', value: 'x' }, { path: 'Device.DeviceInfo.ManufacturerOUI', value: '000000' }, { path: 'Device.DeviceInfo.ProductClass', value: 'x' }, { path: 'Device.DeviceInfo.SerialNumber', value: 'x' }] }, cr: false });
    // Borrow that fleet's embedded ACS as "an external ACS".
    const acsUrl = fleetAcs.acsUrl;
    const r = await run(['--profile', DIGEST, '--count', '2', '--acs-url', acsUrl]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cpe-1 session #1 \[0 BOOTSTRAP, 1 BOOT\] ok/);
    expect(r.stdout).toMatch(/cpe-2 session #1 \[0 BOOTSTRAP, 1 BOOT\] ok/);
    expect(fleetAcs.acs!.informs.filter((i) => i.serial.startsWith('DIG-'))).toHaveLength(2);
  });

  it('settings from a config file and env vars apply (env beats config)', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join((await import('node:os')).tmpdir(), 'cpe-sim-cfg-'));
    try {
      writeFileSync(join(dir, 'c.yaml'), `profile: ${DIGEST}\ncount: 5\nlogFormat: json\n`);
      const r = await run(['--config', join(dir, 'c.yaml')], { CPE_SIM_COUNT: '2' });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('DIG-002');
      expect(r.stdout).not.toContain('DIG-003');
      expect(r.stderr.split('\n')[0]).toMatch(/^\{"time":/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--demo firmware', () => {
  it('rolls a new image out to the fleet over real CRs: every tenth CPE gets a broken image and keeps its version', async () => {
    const r = await run(['--profile', MINIMAL, '--count', '10', '--demo', 'firmware', '--time-scale', '0.001']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/firmware demo: upgrading 10 CPE\(s\) from 1\.0\.0 to 1\.0\.1/);
    expect(r.stdout).toMatch(/cpe-10: FAILED 9010 .*still runs 1\.0\.0/);
    expect(r.stdout).toMatch(/cpe-3: now runs 1\.0\.1/);
    expect(r.stdout).toMatch(/acs->cpe 200 +Download /);
    expect(r.stdout).toMatch(/firmware demo done: 9 of 10 CPE\(s\) run 1\.0\.1; 1 kept 1\.0\.0/);
  });

  it('refuses an external ACS (exit 2)', async () => {
    const r = await run(['--profile', MINIMAL, '--demo', 'firmware', '--acs-url', 'http://127.0.0.1:1/cwmp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--demo runs on the embedded fake ACS: drop --acs-url/);
  });
});

describe('cpe-sim acs in-process', () => {
  it('runs the fake ACS until stopped and prints each message (--verbose adds XML)', async () => {
    const acs = start(['acs', '--port', '0', '--verbose']);
    try {
      const [, url] = await acs.waitFor(/fake ACS listening on (http:\/\/127\.0\.0\.1:\d+\/cwmp)/);
      await using fleet = await startFleet({ profile: DIGEST, count: 1, acsUrl: url!, cr: false });
      expect(fleet.cpes).toHaveLength(1);
      await acs.waitFor(/DIG-001 cpe->acs +Inform \[0 BOOTSTRAP, 1 BOOT\]/);
      await acs.waitFor(/acs->cpe 204/);
      expect(acs.stdout).toMatch(/\n +<.*Envelope/);
    } finally {
      acs.stop();
    }
    expect(await acs.done).toBe(0);
  });

  it('challenges CPEs with --auth digest', async () => {
    const acs = start(['acs', '--port', '0', '--auth', 'digest', '--username', 'acs-user', '--password', 'acs-pass']);
    try {
      const [, url] = await acs.waitFor(/listening on (\S+)/);
      await using fleet = await startFleet({ profile: DIGEST, count: 1, acsUrl: url!, acsUsername: 'acs-user', acsPassword: 'acs-pass', cr: false });
      expect(fleet.cpes).toHaveLength(1);
      await acs.waitFor(/acs->cpe 401/);
      await acs.waitFor(/acs->cpe 204/);
      expect(acs.stdout).not.toContain('acs-pass');
    } finally {
      acs.stop();
    }
    expect(await acs.done).toBe(0);
  });

  it('port in use: exit 2', async () => {
    const busy = await listenOn();
    try {
      const r = await run(['acs', '--port', String(portOf(busy))]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/address already in use/);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('--files DIR serves the folder under /files/ (a CPE can Download from it); a missing folder: exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-files-'));
    mkdirSync(join(dir, 'fw'));
    writeFileSync(join(dir, 'fw', 'gw-7.2.1.img'), 'cpe-labs-firmware-version: 7.2.1\n\npayload');
    const acs = start(['acs', '--port', '0', '--files', dir]);
    try {
      const [, url] = await acs.waitFor(/^  (http:\/\/127\.0\.0\.1:\d+\/files\/fw\/gw-7\.2\.1\.img)$/m);
      const res = await fetch(url!);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('cpe-labs-firmware-version: 7.2.1\n\npayload');
      expect((await fetch(url!.replace('gw-7.2.1', 'nope'))).status).toBe(404);
    } finally {
      acs.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await acs.done).toBe(0);
    const bad = await run(['acs', '--port', '0', '--files', join(dir, 'gone')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--files .*gone/);
  });
});
