import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { isProfileError, type ProfileProblem } from '../../src/errors/index.js';
import { loadProfile, parseProfile } from '../../src/profile/index.js';
import { identityYaml } from './identity.js';

// The seed-format blocks (profile-format ref. 2.4): each rule of their load checks gives
// a problem with its key, and every problem of a profile is reported at once.
const FILE = 'b.yaml';
const BASE = `${identityYaml()}  - {path: Device.DeviceInfo.SoftwareVersion, value: "1.0"}
  - {path: Device.DeviceInfo.UpTime, type: xsd:unsignedInt}
  - {path: Device.DeviceInfo.Temp, type: xsd:int}
  - {path: Device.DeviceInfo.Mode, value: a}
  - {path: Device.DeviceInfo.Now, type: xsd:dateTime}
  - {path: Device.ManagementServer.Username, value: u, writable: true}
  - {path: Device.ManagementServer.Password, value: p}
  - {path: Device.ManagementServer.PeriodicInformEnable, type: xsd:boolean, value: "true", writable: true}
  - {path: Device.ManagementServer.PeriodicInformInterval, type: xsd:unsignedInt, value: "300", writable: true}
  - {path: Device.ManagementServer.PeriodicInformTime, type: xsd:dateTime, writable: true}
  - {path: Device.Diag.State, value: None, writable: true}
  - {path: Device.IP.Interface.1.Status, value: Up}
`;

function problems(text: string): ProfileProblem[] {
  try {
    parseProfile(text, FILE);
  } catch (e) {
    if (isProfileError(e)) return [...e.problems];
    throw e;
  }
  return [];
}
const keysOf = (text: string): string[] => problems(text).map((p) => p.key);
/** Exactly one problem, with this key and a message matching `re`. */
function one(text: string, key: string, re: RegExp): void {
  const ps = problems(text);
  expect(ps.map((p) => `${p.key}: ${p.message}`)).toEqual([expect.stringMatching(new RegExp(`^${key.replace(/[.[\]]/g, '\\$&')}: .*${re.source}`))]);
}

describe('generators (ref. 6)', () => {
  const g = (body: string) => `${BASE}generators:\n${body}`;
  it('accepts every kind with its knobs and fills the defaults', () => {
    const p = parseProfile(
      g('  - {path: Device.DeviceInfo.UpTime, type: counter, interval: 30s, min: 0, max: 99, step: 30}\n  - {path: Device.DeviceInfo.Temp, type: drift, interval: 1m, min: -5, max: 5, stepMax: 1}\n  - {path: Device.DeviceInfo.Mode, type: enum, interval: 1s, values: [a, b, 1]}\n  - {path: Device.DeviceInfo.Now, type: wallclock, interval: 1s}\n'),
      FILE,
    );
    expect(p.generators.map(({ source: _s, ...d }) => d)).toEqual([
      { type: 'counter', path: 'Device.DeviceInfo.UpTime', intervalMs: 30000, min: 0, max: 99, step: 30, jitter: 0 },
      { type: 'drift', path: 'Device.DeviceInfo.Temp', intervalMs: 60000, min: -5, max: 5, stepMax: 1 },
      { type: 'enum', path: 'Device.DeviceInfo.Mode', intervalMs: 1000, values: ['a', 'b', '1'], mode: 'cycle' },
      { type: 'wallclock', path: 'Device.DeviceInfo.Now', intervalMs: 1000 },
    ]);
  });
  it.each([
    ['  - {path: Device.DeviceInfo.UpTime, type: countr, interval: 1s}\n', 'generators[0].type', /unknown generator type "countr" \(did you mean counter\?\)/],
    ['  - {path: Device.DeviceInfo.UpTime, type: uptime}\n', 'generators[0].interval', /missing required key "interval"/],
    ['  - {path: Device.DeviceInfo.UpTime, type: uptime, interval: 0s}\n', 'generators[0].interval', /duration > 0/],
    ['  - {path: Device.DeviceInfo.UpTime, type: uptime, interval: 30}\n', 'generators[0].interval', /needs a unit/],
    ['  - {path: Device.DeviceInfo.UpTime, type: counter, interval: 1s, min: 5, max: 5, step: 1}\n', 'generators[0].max', /greater than min/],
    ['  - {path: Device.DeviceInfo.UpTime, type: counter, interval: 1s, min: 0, max: 5, step: -1}\n', 'generators[0].step', /integer ≥ 1/],
    ['  - {path: Device.DeviceInfo.UpTime, type: counter, interval: 1s, min: 0, max: 5, step: 1, jitter: 2}\n', 'generators[0].jitter', /from 0 to 1/],
    ['  - {path: Device.DeviceInfo.UpTime, type: counter, interval: 1s, max: 5, step: 1}\n', 'generators[0].min', /missing required key "min"/],
    ['  - {path: Device.DeviceInfo.Temp, type: drift, interval: 1s, min: 0, max: 5}\n', 'generators[0].stepMax', /missing required key "stepMax"/],
    ['  - {path: Device.DeviceInfo.Mode, type: enum, interval: 1s, values: []}\n', 'generators[0].values', /non-empty list/],
    ['  - {path: Device.DeviceInfo.Mode, type: enum, interval: 1s, values: [a], mode: shuffle}\n', 'generators[0].mode', /cycle or random/],
    ['  - {path: Device.DeviceInfo.Mode, type: uptime, interval: 1s}\n', 'generators[0].path', /writes xsd:unsignedInt, but Device\.DeviceInfo\.Mode is xsd:string/],
    ['  - {path: Device.DeviceInfo.UpTime, type: enum, interval: 1s, values: [x]}\n', 'generators[0].path', /writes xsd:string or xsd:boolean/],
    ['  - {path: Device.DeviceInfo.Nope, type: uptime, interval: 1s}\n', 'generators[0].path', /not a leaf declared/],
    ['  - {path: "Device.X.{i}.Y", type: uptime, interval: 1s}\n', 'generators[0].path', /\{i\} is not allowed/],
    ['  - {type: uptime, interval: 1s}\n', 'generators[0].path', /missing required key "path"/],
    ['  - {path: Device.DeviceInfo.UpTime, type: uptime, interval: 1s, every: 2}\n', 'generators[0].every', /unknown key "every"/],
  ])('%s', (body, key, re) => one(g(body), key, re));
  it('checks enum values against the leaf type', () => {
    one(`${BASE.replace('{path: Device.DeviceInfo.Mode, value: a}', '{path: Device.DeviceInfo.Mode, type: xsd:boolean}')}generators:\n  - {path: Device.DeviceInfo.Mode, type: enum, interval: 1s, values: ["true", maybe]}\n`, 'generators[0].path', /enum value "maybe" cannot be written/);
  });
  it('rejects a second generator on one leaf, naming the first', () => {
    const text = `${BASE.replace('{path: Device.DeviceInfo.UpTime, type: xsd:unsignedInt}', '{path: Device.DeviceInfo.UpTime, type: xsd:unsignedInt, generator: {type: uptime, interval: 1s}}')}generators:\n  - {path: Device.DeviceInfo.UpTime, type: uptime, interval: 2s}\n`;
    one(text, 'parameters[5].generator', /already has a generator \(declared at b\.yaml:\d+:\d+\)/);
  });
  it('an inline generator on an instances: 0 table has no row to run on', () => {
    one(`${BASE}  - {path: "Device.X.{i}.C", type: xsd:unsignedInt, instances: 0, generator: {type: uptime, interval: 1s}}\n`, 'parameters[16].generator', /instances: 0/);
  });
});

describe('fleet: offset and pools (ref. 5.1, 5.4)', () => {
  const f = (body: string) => `${BASE}fleet:\n${body}`;
  it('parses offset and pools', () => {
    const p = parseProfile(f('  count: 2\n  offset: 10\n  pools:\n    wan4: {type: ipv4, cidr: "10.0.0.0/24"}\n    pd: {type: ipv6prefix, super: "2001:db8::/32", sublen: 48}\n'), FILE);
    expect(p.fleet).toEqual({ count: 2, offset: 10, serialPattern: '{base}-{i}', pools: { wan4: { type: 'ipv4', cidr: '10.0.0.0/24' }, pd: { type: 'ipv6prefix', super: '2001:db8::/32', sublen: 48 } } });
  });
  it.each([
    ['  offset: -1\n', 'fleet.offset', /integer ≥ 0/],
    ['  pools:\n    cpe: {type: ipv4, cidr: "10.0.0.0/24"}\n', 'fleet.pools.cpe', /not allowed/],
    ['  pools:\n    "9x": {type: ipv4, cidr: "10.0.0.0/24"}\n', 'fleet.pools.9x', /not allowed/],
    ['  pools:\n    w: {type: ipv5, cidr: "10.0.0.0/24"}\n', 'fleet.pools.w.type', /unknown pool type "ipv5"/],
    ['  pools:\n    w: {cidr: "10.0.0.0/24"}\n', 'fleet.pools.w.type', /missing required key "type"/],
    ['  pools:\n    w: {type: ipv4}\n', 'fleet.pools.w.cidr', /missing required key "cidr"/],
    ['  pools:\n    w: {type: ipv4, cidr: "2001:db8::/64"}\n', 'fleet.pools.w', /not an IPv4 address/],
    ['  pools:\n    w: {type: ipv4, cidr: "10.0.0.0/24", sublne: 3}\n', 'fleet.pools.w.sublne', /unknown key "sublne" \(did you mean sublen\?\)/],
    ['  pools:\n    w: {type: ipv6prefix, super: "2001:db8::/48", sublen: 40}\n', 'fleet.pools.w', /longer than the super-prefix/],
    ['  count: 200\n  offset: 100\n  pools:\n    w: {type: ipv4, cidr: "10.0.0.0/24"}\n', 'fleet.pools.w', /cannot reach instance 300 \(fleet\.offset 100 \+ fleet\.count 200\): it holds 255 addresses/],
  ])('%s', (body, key, re) => one(f(body), key, re));
  it('checks the stamped values of the first and last CPE (global indices) against the leaf type, every pick option', () => {
    const text = `${BASE}  - {path: Device.X.N, type: xsd:unsignedInt, value: "{cpe:pick:1,x}"}\n`;
    one(text, 'parameters[16].value', /stamps to "x"/);
    const big = `${BASE}  - {path: Device.X.M, value: "{cpe:mac:1}"}\nfleet:\n  count: 2\n  offset: 254\n`;
    one(big, 'parameters[16].value', /room for 255 CPEs, but CPE 256/);
  });
});

describe('management blocks (ref. 4.3, 4.4, 7.2)', () => {
  it('periodicInformPaths.time must be a writable xsd:dateTime leaf', () => {
    const pi = 'periodicInformPaths:\n  interval: Device.ManagementServer.PeriodicInformInterval\n  enable: Device.ManagementServer.PeriodicInformEnable\n  time: ';
    expect(parseProfile(`${BASE}${pi}Device.ManagementServer.PeriodicInformTime\n`, FILE).periodicInformPaths).toEqual({
      interval: 'Device.ManagementServer.PeriodicInformInterval',
      enable: 'Device.ManagementServer.PeriodicInformEnable',
      time: 'Device.ManagementServer.PeriodicInformTime',
    });
    one(`${BASE}${pi}Device.DeviceInfo.Now\n`, 'periodicInformPaths.time', /must be writable/);
    one(`${BASE}${pi}Device.DeviceInfo.Mode\n`, 'periodicInformPaths.time', /must be of type xsd:dateTime/);
  });
  it('acsCredentialPaths needs both keys, each a writable xsd:string leaf', () => {
    one(`${BASE}acsCredentialPaths:\n  username: Device.ManagementServer.Username\n`, 'acsCredentialPaths.password', /missing required key "password"/);
    one(`${BASE}acsCredentialPaths:\n  username: Device.ManagementServer.Username\n  password: Device.ManagementServer.Password\n`, 'acsCredentialPaths.password', /must be writable/);
  });
  it('transfer.firmware: versionPath an xsd:string leaf; applyDelay 30 s and fetch true by default', () => {
    expect(parseProfile(`${BASE}transfer:\n  firmware: {versionPath: Device.DeviceInfo.SoftwareVersion}\n`, FILE).transfer.firmware).toEqual({ versionPath: 'Device.DeviceInfo.SoftwareVersion', applyDelayMs: 30000, fetch: true });
    one(`${BASE}transfer:\n  firmware: {versionPath: Device.DeviceInfo.UpTime}\n`, 'transfer.firmware.versionPath', /must be of type xsd:string/);
    one(`${BASE}transfer:\n  firmware: {versionPath: Device.DeviceInfo.SoftwareVersion, applyDelay: -1s}\n`, 'transfer.firmware.applyDelay', /negative/);
    one(`${BASE}transfer:\n  firmware: {versionPath: Device.DeviceInfo.SoftwareVersion, fetch: "no thanks"}\n`, 'transfer.firmware.fetch', /true or false/);
  });
  it('rejects an OUI that is not six hex digits', () => {
    one(BASE.replace('value: "00005E"', 'value: "00-00-5E"'), 'deviceIdPaths.oui', /exactly six hexadecimal digits/);
  });
});

describe('softwareModules, diagnostics, faults.link (ref. 8.1, 9, 10)', () => {
  const SM = `${BASE}  - {path: "Device.SoftwareModules.ExecEnv.{i}.Name", instances: 1}\n  - {path: "Device.SoftwareModules.DeploymentUnit.{i}.UUID", instances: 0}\n  - {path: "Device.SoftwareModules.ExecutionUnit.{i}.Name", instances: 0}\n`;
  it('softwareModules: defaults, path rules, fault reasons', () => {
    expect(parseProfile(`${SM}softwareModules: {path: Device.SoftwareModules.}\n`, FILE).softwareModules).toEqual({ path: 'Device.SoftwareModules.', installDelayMs: 5000, uninstallDelayMs: 1000, startDelayMs: 1000, stopDelayMs: 1000, faults: {} });
    one(`${SM}softwareModules: {path: Device.SoftwareModules}\n`, 'softwareModules.path', /must end with "\."/);
    one(`${BASE}softwareModules: {path: Device.SoftwareModules.}\n`, 'softwareModules.path', /ExecEnv\. must exist as an object/);
    one(SM.replace('instances: 1}', 'instances: 0}') + 'softwareModules: {path: Device.SoftwareModules.}\n', 'softwareModules.path', /needs at least one row/);
    one(`${SM}softwareModules:\n  path: Device.SoftwareModules.\n  faults: {app: {reason: corupt}}\n`, 'softwareModules.faults.app.reason', /unknown reason "corupt" \(did you mean corrupt\?\)/);
  });
  it('diagnostics: defaults and rules', () => {
    expect(parseProfile(`${BASE}diagnostics:\n  - {statePath: Device.Diag.State}\n`, FILE).diagnostics).toEqual([{ statePath: 'Device.Diag.State', trigger: 'Requested', complete: 'Complete', durationMs: 5000, resultCount: 0 }]);
    one(`${BASE}diagnostics:\n  - {statePath: Device.Diag.State, trigger: Go, complete: Go}\n`, 'diagnostics[0].complete', /must differ from trigger/);
    one(`${BASE}diagnostics:\n  - {statePath: Device.Diag.State}\n  - {statePath: Device.Diag.State}\n`, 'diagnostics[1].statePath', /already has a diagnostic/);
    one(`${BASE}diagnostics:\n  - {statePath: Device.Diag.State, countPath: Device.Diag.Nope}\n`, 'diagnostics[0].countPath', /not a leaf/);
    one(`${BASE}diagnostics:\n  - {statePath: Device.Diag.State, resultCount: "4"}\n`, 'diagnostics[0].resultCount', /integer/);
    one(`${BASE}diagnostics:\n  - {statePath: Device.Diag.State, duration: -3s}\n`, 'diagnostics[0].duration', /negative/);
  });
  it('faults.link: defaults and rules', () => {
    expect(parseProfile(`${BASE}faults:\n  link: {interface: Device.IP.Interface.1.}\n`, FILE).faults).toEqual({ link: { interface: 'Device.IP.Interface.1', durationMs: 120000, reboot: false } });
    expect(parseProfile(`${BASE}faults:\n  link: {interface: Device.IP.Interface.1, instances: 7}\n`, FILE).faults.link?.instances).toEqual({ from: 7, to: 7 });
    one(`${BASE}faults:\n  link: {interface: Device.IP.Interface.2}\n`, 'faults.link.interface', /Device\.IP\.Interface\.2\.Status must be a declared leaf/);
    one(`${BASE}faults:\n  link: {interface: Device.IP.Interface.1, duration: 0s}\n`, 'faults.link.duration', /duration > 0/);
    one(`${BASE}faults:\n  link: {interface: Device.IP.Interface.1, instances: "5-2"}\n`, 'faults.link.instances', /1 ≤ N ≤ M/);
    one(`${BASE}faults:\n  dns: {}\n`, 'faults.dns', /unknown key "dns"/);
  });
  it('reports the problems of every block at once', () => {
    const text = `${BASE}diagnostics:\n  - {statePath: Device.Nope}\nfaults:\n  link: {interface: Device.Nope}\ngenerators:\n  - {path: Device.DeviceInfo.UpTime, type: x, interval: 1s}\nfleet:\n  offset: x\n`;
    expect(keysOf(text).sort()).toEqual(['diagnostics[0].statePath', 'faults.link.interface', 'fleet.offset', 'generators[0].type']);
  });
});

describe('directory merging (ref. 2.3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-blocks-'));
  afterAll(() => rmSync(dir, { recursive: true }));
  const write = (sub: string, files: Record<string, string>): string => {
    const real = mkdtempSync(join(dir, `${sub}-`));
    for (const [n, t] of Object.entries(files)) writeFileSync(join(real, n), t);
    return real;
  };
  async function loadProblems(d: string): Promise<ProfileProblem[]> {
    try {
      await loadProfile(d);
    } catch (e) {
      if (isProfileError(e)) return [...e.problems];
      throw e;
    }
    return [];
  }
  it('informParameters keys may be split over files; the same key twice is an error; a null key does not count', async () => {
    const ok = write('split', { 'a.yaml': `${BASE}informParameters:\n  boot: [Device.DeviceInfo.SoftwareVersion]\n  periodic:\n`, 'b.yaml': 'informParameters:\n  periodic: [Device.DeviceInfo.UpTime]\n' });
    expect((await loadProfile(ok)).informParameters).toEqual({ boot: ['Device.DeviceInfo.SoftwareVersion'], periodic: ['Device.DeviceInfo.UpTime'] });
    const bad = write('dup', { 'a.yaml': `${BASE}informParameters:\n  boot: []\n`, 'b.yaml': 'informParameters:\n  boot: []\n' });
    expect((await loadProblems(bad)).map((p) => `${p.key}: ${p.message}`)).toEqual([expect.stringMatching(/^informParameters\.boot: informParameters\.boot is declared in two files: first at .*a\.yaml:\d+:\d+/)]);
  });
  it('faults.link is a singleton across files; two empty faults blocks are fine; lists concatenate', async () => {
    const ok = write('faults', { 'a.yaml': `${BASE}faults: {}\ngenerators:\n  - {path: Device.DeviceInfo.UpTime, type: uptime, interval: 1s}\n`, 'b.yaml': 'faults: {}\ngenerators:\n  - {path: Device.DeviceInfo.Now, type: wallclock, interval: 1s}\n' });
    expect((await loadProfile(ok)).generators.map((g) => g.path)).toEqual(['Device.DeviceInfo.UpTime', 'Device.DeviceInfo.Now']);
    const bad = write('links', { 'a.yaml': `${BASE}faults:\n  link: {interface: Device.IP.Interface.1}\n`, 'b.yaml': 'faults:\n  link: {interface: Device.IP.Interface.1}\n' });
    expect((await loadProblems(bad)).map((p) => p.key)).toEqual(['faults.link']);
    const acs = write('acs', { 'a.yaml': `${BASE}acsCredentialPaths: {username: Device.ManagementServer.Username, password: Device.ManagementServer.Username}\n`, 'b.yaml': 'acsCredentialPaths: {username: Device.ManagementServer.Username, password: Device.ManagementServer.Username}\n' });
    expect((await loadProblems(acs)).map((p) => p.message)).toEqual([expect.stringMatching(/acsCredentialPaths is declared in two files/)]);
  });
});

describe('yaml.v3 leniencies a seed profile may rely on (ref. 2.2, 3.2)', () => {
  it('null means absent for bool, integer and duration fields and for list blocks; base64 may be folded', () => {
    const p = parseProfile(`${BASE}  - {path: Device.X.A, writable: ~, instances: ~}\n  - {path: Device.X.B, type: xsd:base64, value: "aGVs\\nbG8="}\nobjects:\ngroups: ~\nfleet: ~\ntransfer: {defaultDelay: ~}\ndiagnostics:\n  - {statePath: Device.Diag.State, countPath: ""}\n`, FILE);
    expect(p.parameters.find((l) => l.path === 'Device.X.A')?.writable).toBe(false);
    expect(p.transfer.defaultDelayMs).toBe(5000);
    expect(p.diagnostics[0]?.countPath).toBeUndefined();
  });
});
