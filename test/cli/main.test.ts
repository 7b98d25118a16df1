import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeOf, formatError } from '../../src/cli/main.js';
import { OPTIONS, configKeyOf, envKeyOf } from '../../src/cli/options.js';
import { ConfigError, CpeSimError } from '../../src/errors/index.js';
import { run } from './io.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('main(): help, version, errors (no sockets)', () => {
  it('--version prints the package version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('--help lists every flag with its env var and config key', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const o of OPTIONS) {
      expect(r.stdout).toContain(`--${o.flag}`);
      expect(r.stdout).toContain(envKeyOf(o.flag));
      if (!o.noConfig) expect(r.stdout).toContain(`config ${configKeyOf(o.flag)}`);
    }
    expect(r.stdout).toContain('flag > env > config file > default');
    const acs = await run(['acs', '--help']);
    expect(acs.code).toBe(0);
    expect(acs.stdout).toContain('--verbose');
  });

  it('bad input: one paragraph on stderr, exit 2, no stack trace', async () => {
    const r = await run(['--profile', 'p.yaml', '--acs-ulr', 'http://x']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cpe-sim: unknown flag --acs-ulr \(did you mean --acs-url\?\); valid flags: .*--acs-url/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad `cpe-sim acs` flag points at `cpe-sim acs --help`, not the simulator help', async () => {
    const r = await run(['acs', '--prot', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cpe-sim acs: unknown flag --prot \(did you mean --port\?\); valid flags: .*--port/);
    expect(r.stderr).toContain('Run "cpe-sim acs --help" for its flags.');
    expect(r.stderr).not.toContain('env vars and config keys');
  });

  it('a stack trace only with --log-level debug', async () => {
    const r = await run(['--profile', 'p.yaml', '--log-level', 'debug', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('unknown CPE_SIM_* env var → exit 2 naming it', async () => {
    const r = await run(['--profile', 'p.yaml'], { CPE_SIM_PROFIL: 'x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CPE_SIM_PROFIL');
  });

  it('--cr-bind-addr without --cr-publish-path → exit 2 with the TR-181 and TR-098 examples', async () => {
    const r = await run(['--profile', 'p.yaml', '--cr-bind-addr', '127.0.0.1:0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Device.ManagementServer.ConnectionRequestURL');
    expect(r.stderr).toContain('InternetGatewayDevice.ManagementServer.ConnectionRequestURL');
  });

  it('a bad profile lists every problem and exits 2', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'deviceIdPaths:',
        '  manufacturer: Device.DeviceInfo.Manufacturer',
        '  oui: Device.DeviceInfo.ManufacturerOUI',
        '  productClass: Device.DeviceInfo.ProductClass',
        '  serialNumber: Device.DeviceInfo.Nope',
        'colour: blue',
        'parameters:',
        '  - {path: Device.DeviceInfo.Manufacturer, value: Example}',
        '  - {path: Device.DeviceInfo.ManufacturerOUI, value: "00D09E"}',
        '  - {path: Device.DeviceInfo.ProductClass, value: HGW}',
        '  - {path: Device.DeviceInfo.Uptime, type: xsd:unsignedInt, value: "-5"}',
        'connectionRequest:',
        '  scheme: digets',
        '  throttleWindow: 5 seconds',
        '',
      ].join('\n'),
    );
    const r = await run(['--profile', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // Each problem with file:line:col.
    for (const needle of ['colour', 'Device.DeviceInfo.Nope', '-5', 'digets', '5 seconds']) expect(r.stderr).toContain(needle);
    expect(r.stderr).toMatch(/bad\.yaml:6:\d+/);
    expect(r.stderr).toMatch(/\d+ problems/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing profile file is a clear error, exit 2', async () => {
    const r = await run(['--profile', join(dir, 'missing.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.yaml');
  });
});

describe('exit codes and error text', () => {
  it('maps bad input to 2 and everything else to 1', () => {
    expect(exitCodeOf(new ConfigError('x'))).toBe(2);
    expect(exitCodeOf(new CpeSimError('CPESIM_ADDRESS_IN_USE', 'x'))).toBe(2);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
  });
  it('a bind address the user chose badly (not local, privileged port) is bad input: exit 2; running out of files is not', () => {
    const listenFailed = (errno: string) => new CpeSimError('CPESIM_LISTEN_FAILED', 'x', { cause: Object.assign(new Error(errno), { code: errno }) });
    expect(exitCodeOf(listenFailed('EADDRNOTAVAIL'))).toBe(2);
    expect(exitCodeOf(listenFailed('EACCES'))).toBe(2);
    expect(exitCodeOf(listenFailed('EMFILE'))).toBe(1);
  });
  it('an unexpected error says so and how to get the stack', () => {
    expect(formatError(new Error('boom'), false)).toBe('cpe-sim: unexpected error: boom (run with --log-level debug for the stack trace)\n');
  });
});
