import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAcsArgs } from '../../src/cli/acs.js';
import { configKeyOf, describeSettings, envKeyOf, OPTIONS, parseSimArgs, type SimSettings } from '../../src/cli/options.js';
import { ConfigError } from '../../src/errors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function run(argv: string[], env: Record<string, string> = {}): SimSettings {
  const cmd = parseSimArgs(argv, env, dir);
  if (cmd.kind !== 'run') throw new Error(`expected run, got ${cmd.kind}`);
  return cmd.settings;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('option names', () => {
  it('derives env vars and config keys from the flag', () => {
    expect(envKeyOf('acs-url')).toBe('CPE_SIM_ACS_URL');
    expect(configKeyOf('cr-publish-path')).toBe('crPublishPath');
    // every flag the issue lists exists
    for (const f of ['profile', 'acs-url', 'acs-username', 'acs-password', 'acs-timeout', 'cr-bind-addr', 'cr-path', 'cr-publish-path', 'cr-publish-host', 'seed', 'count', 'log-level', 'log-format', 'config']) {
      expect(OPTIONS.map((o) => o.flag)).toContain(f);
    }
  });
});

describe('precedence flag > env > config file > default', () => {
  const file = config('prec.yaml', 'profile: p.yaml\nacsUrl: http://127.0.0.1:1/config\nacsTimeout: 10s\nlogLevel: warn\n');
  it('config file alone', () => {
    const s = run(['--config', file]);
    expect(s.acsUrl).toBe('http://127.0.0.1:1/config');
    expect(s.acsTimeoutMs).toBe(10_000);
    expect(s.logLevel).toBe('warn');
    expect(s.sources['acs-url']).toContain('config file');
  });
  it('env beats the config file', () => {
    const s = run(['--config', file], { CPE_SIM_ACS_URL: 'http://127.0.0.1:1/env' });
    expect(s.acsUrl).toBe('http://127.0.0.1:1/env');
    expect(s.sources['acs-url']).toBe('environment variable CPE_SIM_ACS_URL');
    expect(s.logLevel).toBe('warn');
  });
  it('a flag beats env and config', () => {
    const s = run(['--config', file, '--acs-url=http://127.0.0.1:1/flag'], { CPE_SIM_ACS_URL: 'http://127.0.0.1:1/env' });
    expect(s.acsUrl).toBe('http://127.0.0.1:1/flag');
    expect(s.sources['acs-url']).toBe('--acs-url');
  });
  it('defaults apply when nothing sets an option', () => {
    const s = run(['--profile', 'p.yaml']);
    expect(s).toMatchObject({ crPath: '/cr', acsTimeoutMs: 30_000, logLevel: 'info', logFormat: 'text', timeScale: 1 });
    expect(s.acsUrl).toBeUndefined();
    expect(s.sources['cr-path']).toBe('default');
  });
  it('the config file itself can come from CPE_SIM_CONFIG', () => {
    expect(run([], { CPE_SIM_CONFIG: file }).acsUrl).toBe('http://127.0.0.1:1/config');
  });
  it('an empty env var counts as unset', () => {
    expect(run(['--config', file], { CPE_SIM_ACS_URL: '' }).acsUrl).toBe('http://127.0.0.1:1/config');
  });
  it('relative paths in a config file are relative to the file; flags to the cwd', () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    const f = config('sub/c.yaml', 'profile: ../profiles/x.yaml\n');
    expect(run(['--config', f]).profile).toBe(join(dir, 'profiles/x.yaml'));
    expect(run(['--profile', 'rel.yaml']).profile).toBe(join(dir, 'rel.yaml'));
  });
});

describe('strictness', () => {
  it('rejects an unknown flag, naming it and listing the valid ones', () => {
    const e = configError(() => parseSimArgs(['--profile', 'p', '--acs-ulr', 'x'], {}));
    expect(e.message).toContain('--acs-ulr');
    expect(e.message).toContain('--acs-url');
    expect(e.message).toContain('--cr-publish-path');
  });
  it('rejects an unknown CPE_SIM_ env var, listing the valid ones', () => {
    const e = configError(() => parseSimArgs(['--profile', 'p'], { CPE_SIM_ACS_ULR: 'x', HOME: '/root' }));
    expect(e.message).toContain('CPE_SIM_ACS_ULR');
    expect(e.message).toContain('CPE_SIM_ACS_URL');
    expect(e.message).toContain('CPE_SIM_LOG_FORMAT');
  });
  it('rejects an unknown config key, listing the valid ones', () => {
    const f = config('unknown.yaml', 'profile: p.yaml\nacs_url: http://x\n');
    const e = configError(() => parseSimArgs(['--config', f], {}));
    expect(e.message).toContain('"acs_url"');
    expect(e.message).toContain('acsUrl');
    expect(e.message).toContain(f);
  });
  it('rejects a config file that is not a mapping or not YAML', () => {
    expect(configError(() => parseSimArgs(['--config', config('list.yaml', '- a\n- b\n')], {})).message).toContain('mapping');
    expect(configError(() => parseSimArgs(['--config', config('bad.yaml', 'a: [1,\n')], {})).message).toContain('not valid YAML');
    expect(configError(() => parseSimArgs(['--config', join(dir, 'missing.yaml')], {})).message).toContain('no such file');
  });
  it('a YAML error reads as one sentence (the parser\'s message ends with ":" before its code excerpt)', () => {
    const m = configError(() => parseSimArgs(['--config', config('bad2.yaml', 'profile: [\n')], {})).message;
    expect(m).toMatch(/bad2\.yaml:1:11 is not valid YAML: .*\S$/);
    expect(m).not.toMatch(/:$/);
  });
  it('rejects positional arguments', () => {
    expect(configError(() => parseSimArgs(['--profile', 'p', 'extra'], {})).message).toContain("'extra'");
  });
  it('requires a profile', () => {
    expect(configError(() => parseSimArgs([], {})).message).toContain('--profile');
  });
});

describe('values', () => {
  it('parses --acs-timeout as a Go duration', () => {
    expect(run(['--profile', 'p', '--acs-timeout', '1m30s']).acsTimeoutMs).toBe(90_000);
    expect(run(['--profile', 'p', '--acs-timeout', '250ms']).acsTimeoutMs).toBe(250);
    const e = configError(() => parseSimArgs(['--profile', 'p'], { CPE_SIM_ACS_TIMEOUT: '30' }));
    expect(e.message).toContain('CPE_SIM_ACS_TIMEOUT');
    expect(e.message).toContain('Go duration');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--acs-timeout', '0s'], {})).message).toContain('positive');
  });
  it('parses --transfer-timeout as a Go duration (unset: the transfer client\'s own 30 s)', () => {
    expect(run(['--profile', 'p', '--transfer-timeout', '2m']).transferTimeoutMs).toBe(120_000);
    expect(run(['--profile', 'p']).transferTimeoutMs).toBeUndefined();
    expect(configError(() => parseSimArgs(['--profile', 'p'], { CPE_SIM_TRANSFER_TIMEOUT: 'soon' })).message).toMatch(/CPE_SIM_TRANSFER_TIMEOUT: invalid value "soon": expected a Go duration/);
    expect(configError(() => parseSimArgs(['--profile', 'p', '--transfer-timeout', '0s'], {})).message).toMatch(/--transfer-timeout: .*positive/);
  });
  it('checks count, seed, time-scale, shard, enums, URLs', () => {
    expect(run(['--profile', 'p', '--count', '5']).count).toBe(5);
    expect(configError(() => parseSimArgs(['--profile', 'p', '--count', '0'], {})).message).toContain('--count');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--count', '2.5'], {})).message).toContain('--count');
    expect(run(['--profile', 'p', '--seed', '42']).seed).toBe(42n);
    expect(run(['--profile', 'p', '--seed', '-42']).seed).toBe(-42n);
    // 0 means "choose one" (logged at start-up), as unset.
    expect(run(['--profile', 'p', '--seed', '0']).seed).toBeUndefined();
    expect(configError(() => parseSimArgs(['--profile', 'p', '--seed', '9223372036854775808'], {})).message).toContain('signed 64-bit');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--seed', 'x'], {})).message).toContain('--seed');
    expect(run(['--profile', 'p', '--time-scale', '0.01']).timeScale).toBe(0.01);
    expect(configError(() => parseSimArgs(['--profile', 'p', '--time-scale', '-1'], {})).message).toContain('--time-scale');
    expect(run(['--profile', 'p', '--shard', '1/4']).shard).toEqual({ index: 1, total: 4 });
    expect(configError(() => parseSimArgs(['--profile', 'p', '--shard', '4/4'], {})).message).toContain('--shard');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--log-level', 'verbose'], {})).message).toContain('debug, info, warn, error');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--log-format', 'xml'], {})).message).toContain('text, json');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--acs-url', 'ftp://h/x'], {})).message).toContain('http');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--acs-url', 'acs:7547'], {})).message).toContain('--acs-url');
  });
  it('accepts YAML numbers for numeric config keys and rejects them for durations', () => {
    const s = run(['--config', config('nums.yaml', 'profile: p\ncount: 3\nseed: 7\n')]);
    expect(s.count).toBe(3);
    expect(s.seed).toBe(7n);
    // Past 2^53 YAML has already rounded the number: quoting is required, and said so.
    expect(configError(() => parseSimArgs(['--config', config('big.yaml', 'profile: p\nseed: 9007199254740993\n')], {})).message).toContain('quote the seed');
    expect(run(['--config', config('bigq.yaml', 'profile: p\nseed: "9007199254740993"\n')]).seed).toBe(9007199254740993n);
    expect(configError(() => parseSimArgs(['--config', config('dur.yaml', 'profile: p\nacsTimeout: 30\n')], {})).message).toContain('acsTimeout');
  });
  it('cpe-labs spellings: -version, -flag=value, --log-level warning in any case, config key acsURL', () => {
    expect(parseSimArgs(['-version'], {})).toEqual({ kind: 'version' });
    expect(run(['-profile=p', '-count', '3']).count).toBe(3);
    // A value starting with '-' that names no flag stays a value.
    expect(run(['--profile', 'p', '--acs-username', 'u', '--acs-password', '-s3cret']).acsPassword).toBe('-s3cret');
    expect(run(['--profile', 'p', '--log-level', 'WARNING']).logLevel).toBe('warn');
    expect(run(['--profile', 'p', '--log-level', 'Debug']).logLevel).toBe('debug');
    expect(run(['--config', config('labs.yaml', 'profile: p\nacsURL: http://127.0.0.1:7547/cwmp\n')]).acsUrl).toBe('http://127.0.0.1:7547/cwmp');
    expect(configError(() => parseSimArgs(['--config', config('both.yaml', 'profile: p\nacsURL: http://a:1/\nacsUrl: http://b:1/\n')], {})).message).toContain('same setting');
  });
  it('--fleet-offset, --boot-ramp (0 allowed), --concurrency (>= 1), --cr-advertise-host (host[:port], alias --cr-publish-host)', () => {
    expect(run(['--profile', 'p', '--fleet-offset', '0']).fleetOffset).toBe(0);
    expect(configError(() => parseSimArgs(['--profile', 'p', '--fleet-offset', '-1'], {})).message).toContain('--fleet-offset');
    expect(run(['--profile', 'p', '--boot-ramp', '0']).bootRampMs).toBe(0);
    expect(configError(() => parseSimArgs(['--profile', 'p', '--boot-ramp', '-1s'], {})).message).toContain('>= 0');
    expect(run(['--profile', 'p', '--concurrency', '8']).concurrency).toBe(8);
    expect(configError(() => parseSimArgs(['--profile', 'p', '--concurrency', '0'], {})).message).toContain('--concurrency');
    const cr = ['--profile', 'p', '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', 'Device.ManagementServer.ConnectionRequestURL'];
    expect(run([...cr, '--cr-advertise-host', 'nat.example:17547']).crPublishHost).toBe('nat.example:17547');
    expect(run([...cr, '--cr-publish-host', 'old.example']).crPublishHost).toBe('old.example');
    expect(configError(() => parseSimArgs([...cr, '--cr-advertise-host', 'a/b'], {})).message).toContain('--cr-advertise-host');
    expect(configError(() => parseSimArgs([...cr, '--cr-advertise-host', 'a', '--cr-publish-host', 'b'], {})).message).toContain('one setting');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--cr-advertise-host', 'a'], {})).message).toContain('without --cr-bind-addr');
  });
  it('never echoes a password, in errors or in the settings dump', () => {
    const s = run(['--profile', 'p', '--acs-username', 'u', '--acs-password', 'hunter2']);
    expect(JSON.stringify(describeSettings(s))).not.toContain('hunter2');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--acs-password', 'hunter2'], {})).message).not.toContain('hunter2');
  });
});

describe('connection request flags (seed)', () => {
  it('--cr-bind-addr without --cr-publish-path is an error showing the TR-181 and TR-098 paths', () => {
    const e = configError(() => parseSimArgs(['--profile', 'p', '--cr-bind-addr', '127.0.0.1:0'], {}));
    expect(e.message).toContain('--cr-publish-path');
    expect(e.message).toContain('Device.ManagementServer.ConnectionRequestURL');
    expect(e.message).toContain('InternetGatewayDevice.ManagementServer.ConnectionRequestURL');
  });
  it('accepts the seed\'s flags', () => {
    const s = run(['--profile=p.yaml', '--cr-bind-addr=0.0.0.0:7547', '--cr-publish-path=Device.ManagementServer.ConnectionRequestURL']);
    expect(s.crBindAddr).toBe('0.0.0.0:7547');
    expect(s.crPublishPath).toBe('Device.ManagementServer.ConnectionRequestURL');
    expect(run(['--profile', 'p', '--cr-bind-addr', '[::1]:0', '--cr-publish-path', 'X', '--cr-path', '/conn/']).crPath).toBe('/conn');
    expect(run(['--profile', 'p', '--cr-bind-addr', ':0', '--cr-publish-path', 'X']).crBindAddr).toBe(':0');
  });
  it('rejects malformed bind addresses and listener flags without a listener', () => {
    expect(configError(() => parseSimArgs(['--profile', 'p', '--cr-bind-addr', '7547', '--cr-publish-path', 'X'], {})).message).toContain('HOST:PORT');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--cr-bind-addr', '127.0.0.1:70000', '--cr-publish-path', 'X'], {})).message).toContain('70000');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--cr-publish-path', 'X'], {})).message).toContain('--cr-bind-addr');
    expect(configError(() => parseSimArgs(['--profile', 'p', '--cr-path', '/x'], {})).message).toContain('--cr-bind-addr');
  });
});

describe('help and version', () => {
  it('recognises --help / -h / --version / -V before anything else', () => {
    expect(parseSimArgs(['--help'], {}).kind).toBe('help');
    expect(parseSimArgs(['-h'], {}).kind).toBe('help');
    expect(parseSimArgs(['--version'], {}).kind).toBe('version');
    expect(parseSimArgs(['-V'], {}).kind).toBe('version');
  });
});

describe('cpe-sim acs flags', () => {
  it('parses the issue\'s example', () => {
    const cmd = parseAcsArgs(['--port', '7547', '--auth', 'digest', '--username', 'u', '--password', 'p', '--verbose']);
    expect(cmd.kind).toBe('run');
    if (cmd.kind !== 'run') return;
    expect(cmd.settings.acs).toMatchObject({ host: '127.0.0.1', port: 7547, path: '/cwmp', auth: { scheme: 'digest', username: 'u', password: 'p' }, keepXml: true });
    expect(cmd.settings.verbose).toBe(true);
  });
  it('rejects incomplete or meaningless auth flags and bad ports', () => {
    expect(() => parseAcsArgs(['--auth', 'digest', '--username', 'u'])).toThrow(/--username and --password/);
    expect(() => parseAcsArgs(['--auth', 'ntlm', '--username', 'u', '--password', 'p'])).toThrow(/basic or digest/);
    expect(() => parseAcsArgs(['--username', 'u'])).toThrow(/without --auth/);
    expect(() => parseAcsArgs(['--port', '99999'])).toThrow(/--port/);
    expect(() => parseAcsArgs(['--bogus'])).toThrow(/unknown flag --bogus.*--port/);
  });
});
