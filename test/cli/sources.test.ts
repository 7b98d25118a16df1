/**
 * Issue 2 §4: "env vars CPE_SIM_* for every flag; --config FILE (YAML with the same keys in
 * camelCase); precedence flag > env > config file > default". One row per option of
 * OPTIONS: each is set through each source, and the four-way precedence is checked per
 * option, so a flag that is wired to one source only fails here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configKeyOf, envKeyOf, OPTIONS, parseSimArgs, type SimSettings } from '../../src/cli/options.js';
import { ConfigError } from '../../src/errors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  /** The settings field the option lands in. */
  field: keyof SimSettings;
  /** Three distinct raw values: as flag, as env var, in the config file. */
  raw: [string, string, string];
  /** The parsed value of each raw value. */
  parsed: [unknown, unknown, unknown];
  /** The value when no source sets it; NO_DEFAULT when the option is required (alone or with a partner). */
  dflt: unknown;
}

/** --profile is required; --cr-bind-addr and --cr-publish-path require each other (tested in options.test.ts). */
const NO_DEFAULT = Symbol('required');

// Absolute paths, so a config file's directory does not change them.
const P = (n: string) => join(dir, n);

const ROWS: Record<string, Row> = {
  profile: { field: 'profile', raw: [P('f.yaml'), P('e.yaml'), P('c.yaml')], parsed: [P('f.yaml'), P('e.yaml'), P('c.yaml')], dflt: NO_DEFAULT },
  'max-profile-size': { field: 'maxProfileBytes', raw: ['1MiB', '20MB', '512'], parsed: [1_048_576, 20_000_000, 512], dflt: 16 * 1024 * 1024 },
  'max-value-size': { field: 'maxValueBytes', raw: ['1KiB', '2kb', '100000'], parsed: [1024, 2000, 100_000], dflt: 64 * 1024 },
  count: { field: 'count', raw: ['3', '4', '5'], parsed: [3, 4, 5], dflt: undefined },
  'acs-url': { field: 'acsUrl', raw: ['http://127.0.0.1:1/f', 'http://127.0.0.1:1/e', 'https://127.0.0.1:1/c'], parsed: ['http://127.0.0.1:1/f', 'http://127.0.0.1:1/e', 'https://127.0.0.1:1/c'], dflt: undefined },
  'acs-username': { field: 'acsUsername', raw: ['uf', 'ue', 'uc'], parsed: ['uf', 'ue', 'uc'], dflt: undefined },
  'acs-password': { field: 'acsPassword', raw: ['pf', 'pe', 'pc'], parsed: ['pf', 'pe', 'pc'], dflt: undefined },
  'acs-timeout': { field: 'acsTimeoutMs', raw: ['1s', '2m', '1h15m30.5s'], parsed: [1000, 120_000, 4_530_500], dflt: 30_000 },
  'ca-cert-file': { field: 'caCertFile', raw: [P('f.pem'), P('e.pem'), P('c.pem')], parsed: [P('f.pem'), P('e.pem'), P('c.pem')], dflt: undefined },
  'tls-skip-verify': { field: 'tlsSkipVerify', raw: ['true', 'false', '1'], parsed: [true, false, true], dflt: false },
  'tls-cert': { field: 'tlsCert', raw: [P('{cpe_id}.pem'), P('e.pem'), P('c.pem')], parsed: [P('{cpe_id}.pem'), P('e.pem'), P('c.pem')], dflt: NO_DEFAULT },
  'tls-key': { field: 'tlsKey', raw: [P('{cpe_id}.key'), P('e.key'), P('c.key')], parsed: [P('{cpe_id}.key'), P('e.key'), P('c.key')], dflt: NO_DEFAULT },
  'transfer-ca-file': { field: 'transferCaFile', raw: [P('tf.pem'), P('te.pem'), P('tc.pem')], parsed: [P('tf.pem'), P('te.pem'), P('tc.pem')], dflt: undefined },
  'transfer-timeout': { field: 'transferTimeoutMs', raw: ['2m', '500ms', '1h'], parsed: [120_000, 500, 3_600_000], dflt: undefined },
  'cr-bind-addr': { field: 'crBindAddr', raw: ['127.0.0.1:0', '[::1]:7547', ':0'], parsed: ['127.0.0.1:0', '[::1]:7547', ':0'], dflt: NO_DEFAULT },
  'cr-path': { field: 'crPath', raw: ['/f', '/e/', '/c'], parsed: ['/f', '/e', '/c'], dflt: '/cr' },
  'cr-publish-path': { field: 'crPublishPath', raw: ['Device.F', 'Device.E', 'InternetGatewayDevice.C'], parsed: ['Device.F', 'Device.E', 'InternetGatewayDevice.C'], dflt: NO_DEFAULT },
  'cr-publish-host': { field: 'crPublishHost', raw: ['f.example', 'e.example', 'c.example'], parsed: ['f.example', 'e.example', 'c.example'], dflt: undefined },
  'udp-cr-bind-addr': { field: 'udpCrBindAddr', raw: ['127.0.0.1:0', '[::1]:7547', ':0'], parsed: ['127.0.0.1:0', '[::1]:7547', ':0'], dflt: undefined },
  'udp-cr-publish-host': { field: 'udpCrPublishHost', raw: ['f.example', 'e.example', 'c.example'], parsed: ['f.example', 'e.example', 'c.example'], dflt: undefined },
  'admin-addr': { field: 'adminAddr', raw: ['127.0.0.1:0', '[::1]:9100', ':0'], parsed: ['127.0.0.1:0', '[::1]:9100', ':0'], dflt: undefined },
  // Needs --admin-addr, which the baseline gives.
  'admin-token': { field: 'adminToken', raw: ['tf', 'te', 'tc'], parsed: ['tf', 'te', 'tc'], dflt: undefined },
  'cr-advertise-host': { field: 'crPublishHost', raw: ['f.example:1', '[2001:db8::1]:2', 'c.example'], parsed: ['f.example:1', '[2001:db8::1]:2', 'c.example'], dflt: undefined },
  seed: { field: 'seed', raw: ['1', '-9223372036854775808', '9223372036854775807'], parsed: [1n, -(2n ** 63n), 2n ** 63n - 1n], dflt: undefined },
  'fleet-offset': { field: 'fleetOffset', raw: ['0', '1000', '7'], parsed: [0, 1000, 7], dflt: undefined },
  'boot-ramp': { field: 'bootRampMs', raw: ['0', '5m', '1.5s'], parsed: [0, 300_000, 1500], dflt: undefined },
  concurrency: { field: 'concurrency', raw: ['1', '4', '64'], parsed: [1, 4, 64], dflt: undefined },
  'stun-server': { field: 'stunServer', raw: ['127.0.0.1:3478', '[::1]:3479', 'stun.example:1'], parsed: ['127.0.0.1:3478', '[::1]:3479', 'stun.example:1'], dflt: undefined },
  'stun-username': { field: 'stunUsername', raw: ['sf', 'se', 'sc'], parsed: ['sf', 'se', 'sc'], dflt: undefined },
  'stun-password': { field: 'stunPassword', raw: ['pf', 'pe', 'pc'], parsed: ['pf', 'pe', 'pc'], dflt: undefined },
  'xmpp-server': { field: 'xmppServer', raw: ['127.0.0.1:5222', 'xmpp://x.example:5223', 'c.example'], parsed: ['127.0.0.1:5222', 'xmpp://x.example:5223', 'c.example'], dflt: NO_DEFAULT },
  'xmpp-domain': { field: 'xmppDomain', raw: ['f.example', 'e.example', 'c.example'], parsed: ['f.example', 'e.example', 'c.example'], dflt: NO_DEFAULT },
  'xmpp-username': { field: 'xmppUsername', raw: ['f-{i}', 'e-{cpe_id}', 'c'], parsed: ['f-{i}', 'e-{cpe_id}', 'c'], dflt: '{cpe_id}' },
  'xmpp-password': { field: 'xmppPassword', raw: ['xf', 'xe', 'xc'], parsed: ['xf', 'xe', 'xc'], dflt: NO_DEFAULT },
  'xmpp-allowed-jids': { field: 'xmppAllowedJids', raw: ['acs@f', 'acs@e/r', 'a@c,b@c'], parsed: ['acs@f', 'acs@e/r', 'a@c,b@c'], dflt: undefined },
  // One demo exists, so the three sources carry the same value; `sources` tells them apart.
  demo: { field: 'demo', raw: ['firmware', 'firmware', 'firmware'], parsed: ['firmware', 'firmware', 'firmware'], dflt: undefined },
  'usp-broker': { field: 'uspBroker', raw: ['127.0.0.1:1883', '[::1]:1884', 'mqtt.example:1'], parsed: ['127.0.0.1:1883', '[::1]:1884', 'mqtt.example:1'], dflt: undefined },
  'usp-websocket': { field: 'uspWebsocket', raw: ['ws://127.0.0.1:1/f', 'wss://e.example/usp', 'ws://c.example:2/'], parsed: ['ws://127.0.0.1:1/f', 'wss://e.example/usp', 'ws://c.example:2/'], dflt: undefined },
  'usp-controller-id': { field: 'uspControllerId', raw: ['self::f', 'self::e', 'proto::c'], parsed: ['self::f', 'self::e', 'proto::c'], dflt: 'self::controller' },
  'usp-mqtt-version': { field: 'uspMqttVersion', raw: ['5', '3.1.1', 'auto'], parsed: ['5', '3.1.1', 'auto'], dflt: 'auto' },
  'usp-mqtt-username': { field: 'uspMqttUsername', raw: ['uf', 'ue', 'uc'], parsed: ['uf', 'ue', 'uc'], dflt: undefined },
  'usp-mqtt-password': { field: 'uspMqttPassword', raw: ['pf', 'pe', 'pc'], parsed: ['pf', 'pe', 'pc'], dflt: undefined },
  'usp-mqtt-secret': { field: 'uspMqttSecret', raw: ['sf', 'se', 'sc'], parsed: ['sf', 'se', 'sc'], dflt: undefined },
  'usp-endpoint-id-format': { field: 'uspEndpointIdFormat', raw: ['cpe-labs', 'spec', 'cpe-labs'], parsed: ['cpe-labs', 'spec', 'cpe-labs'], dflt: 'spec' },
  'usp-notify-style': { field: 'uspNotifyStyle', raw: ['cpe-labs', 'spec', 'cpe-labs'], parsed: ['cpe-labs', 'spec', 'cpe-labs'], dflt: 'spec' },
  'time-scale': { field: 'timeScale', raw: ['0.5', '0.01', '2'], parsed: [0.5, 0.01, 2], dflt: 1 },
  shard: { field: 'shard', raw: ['0/2', '1/3', '3/4'], parsed: [{ index: 0, total: 2 }, { index: 1, total: 3 }, { index: 3, total: 4 }], dflt: undefined },
  workers: { field: 'workers', raw: ['2', '3', '8'], parsed: [2, 3, 8], dflt: 1 },
  'log-level': { field: 'logLevel', raw: ['debug', 'warn', 'error'], parsed: ['debug', 'warn', 'error'], dflt: 'info' },
  'log-format': { field: 'logFormat', raw: ['json', 'text', 'json'], parsed: ['json', 'text', 'json'], dflt: 'text' },
};

/** Flags every run needs so that the option under test is valid on its own; dropped for the option itself. */
const BASELINE: Record<string, string> = {
  profile: P('base.yaml'),
  'acs-username': 'u0',
  'cr-bind-addr': '127.0.0.1:1',
  'cr-publish-path': 'Device.ManagementServer.ConnectionRequestURL',
  'udp-cr-bind-addr': '127.0.0.1:2',
  'tls-cert': P('base.pem'),
  'tls-key': P('base.key'),
  'admin-addr': '127.0.0.1:3',
  'stun-server': '127.0.0.1:3478',
  'xmpp-server': '127.0.0.1:5222',
  'xmpp-domain': 'localhost',
  'xmpp-password': 'xmpp-pw',
  // USP with an ACS URL: dual stack, so the CWMP-side flags above stay valid.
  'acs-url': 'http://127.0.0.1:1/base',
  'usp-broker': '127.0.0.1:1883',
};

function baseline(flag: string): string[] {
  return Object.entries(BASELINE)
    // The admin API serves one fleet: not with --workers.
    .filter(([f]) => f !== flag && !(flag === 'workers' && f === 'admin-addr'))
    // Without --acs-url, --usp-broker makes a USP-only fleet, which refuses the CWMP-side baseline; the demo needs the embedded ACS.
    .filter(([f]) => !(flag === 'acs-url' && f === 'usp-broker') && !(flag === 'demo' && (f === 'acs-url' || f === 'usp-broker')))
    .flatMap(([f, v]) => [`--${f}`, v]);
}

let n = 0;
function configFile(key: string, value: string): string {
  const file = P(`cfg-${n++}.yaml`);
  // JSON-quoted: a YAML string whatever the value looks like.
  writeFileSync(file, `${key}: ${JSON.stringify(value)}\n`);
  return file;
}

function settings(argv: string[], env: Record<string, string>): SimSettings {
  const cmd = parseSimArgs(argv, env, dir);
  if (cmd.kind !== 'run') throw new Error(`expected run, got ${cmd.kind}`);
  return cmd.settings;
}

describe('every option is settable from every source', () => {
  it('the table covers every option but --config (tested below)', () => {
    expect(Object.keys(ROWS).sort()).toEqual(OPTIONS.filter((o) => o.flag !== 'config').map((o) => o.flag).sort());
  });

  describe.each(Object.entries(ROWS))('--%s', (flag, row) => {
    const env = envKeyOf(flag);
    const key = configKeyOf(flag);

    it(`flag --${flag}`, () => {
      const s = settings([...baseline(flag), `--${flag}`, row.raw[0]], {});
      expect(s[row.field]).toEqual(row.parsed[0]);
      expect(s.sources[flag]).toBe(`--${flag}`);
    });

    it(`env ${env}`, () => {
      const s = settings(baseline(flag), { [env]: row.raw[1] });
      expect(s[row.field]).toEqual(row.parsed[1]);
      expect(s.sources[flag]).toBe(`environment variable ${env}`);
    });

    it(`config key ${key}`, () => {
      const file = configFile(key, row.raw[2]);
      const s = settings([...baseline(flag), '--config', file], {});
      expect(s[row.field]).toEqual(row.parsed[2]);
      expect(s.sources[flag]).toBe(`config file ${file}: ${key}`);
    });

    it('precedence flag > env > config > default', () => {
      const file = configFile(key, row.raw[2]);
      const all = settings([...baseline(flag), '--config', file, `--${flag}`, row.raw[0]], { [env]: row.raw[1] });
      expect(all[row.field]).toEqual(row.parsed[0]);
      const envAndConfig = settings([...baseline(flag), '--config', file], { [env]: row.raw[1] });
      expect(envAndConfig[row.field]).toEqual(row.parsed[1]);
      if (row.dflt === NO_DEFAULT) return;
      const none = settings(baseline(flag), {});
      expect(none[row.field]).toEqual(row.dflt);
    });
  });
});

describe('--config itself', () => {
  it('comes from --config or CPE_SIM_CONFIG, the flag winning', () => {
    const a = configFile('acsUrl', 'http://127.0.0.1:1/a');
    const b = configFile('acsUrl', 'http://127.0.0.1:1/b');
    expect(settings(['--profile', 'p', '--config', a], {}).configFile).toBe(a);
    expect(settings(['--profile', 'p'], { CPE_SIM_CONFIG: b }).acsUrl).toBe('http://127.0.0.1:1/b');
    const both = settings(['--profile', 'p', '--config', a], { CPE_SIM_CONFIG: b });
    expect(both.configFile).toBe(a);
    expect(both.acsUrl).toBe('http://127.0.0.1:1/a');
  });

  it('a config file cannot name another config file (the key is unknown there)', () => {
    const f = configFile('config', P('other.yaml'));
    let err: unknown;
    try {
      parseSimArgs(['--profile', 'p', '--config', f], {}, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('unknown key "config"');
  });

  it('snake_case or kebab-case keys are rejected, naming the key and the camelCase one', () => {
    for (const k of ['acs-url', 'acs_url', 'AcsUrl', 'ACS_URL']) {
      const f = configFile(k, 'http://127.0.0.1:1/x');
      expect(() => parseSimArgs(['--profile', 'p', '--config', f], {}, dir)).toThrow(new RegExp(`unknown key "${k}".*acsUrl`));
    }
  });
});

describe('bad values name their source', () => {
  it.each([
    ['seed', 'x'],
    ['count', '0'],
    ['acs-timeout', '30'],
    ['transfer-timeout', '0s'],
    ['log-format', 'xml'],
    ['time-scale', '0'],
    ['shard', '2/2'],
  ])('--%s %s: from the flag, the env var and the config file', (flag, bad) => {
    const env = envKeyOf(flag);
    const key = configKeyOf(flag);
    expect(() => parseSimArgs([...baseline(flag), `--${flag}`, bad], {}, dir)).toThrow(`--${flag}`);
    expect(() => parseSimArgs(baseline(flag), { [env]: bad }, dir)).toThrow(env);
    const f = configFile(key, bad);
    expect(() => parseSimArgs([...baseline(flag), '--config', f], {}, dir)).toThrow(`${f}: ${key}`);
  });
});
