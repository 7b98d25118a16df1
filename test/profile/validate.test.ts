import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { isProfileError, ProfileError, type ProfileProblem } from '../../src/errors/index.js';
import { detectRoot, loadProfile, parseProfile, profileFromObject } from '../../src/profile/index.js';
import { identityYaml } from './identity.js';

const FILE = 't.yaml';
const fx = fileURLToPath(new URL('./fixtures/', import.meta.url));

const BASE = `${identityYaml('00D09E', 'HGW')}  - {path: Device.ManagementServer.ConnectionRequestUsername, value: u, writable: true}
  - {path: Device.ManagementServer.ConnectionRequestPassword, value: p, writable: true}
  - {path: Device.ManagementServer.PeriodicInformEnable, type: xsd:boolean, value: "true", writable: true}
  - {path: Device.ManagementServer.PeriodicInformInterval, type: xsd:unsignedInt, value: "300", writable: true}
`;

/** BASE plus extra `parameters` items, then extra top-level blocks. */
function doc(extraParams: string[] = [], blocks = ''): string {
  return BASE + extraParams.map((p) => `  - ${p}\n`).join('') + blocks;
}

/** 1-based line/col of the n-th occurrence of `needle`, computed without the YAML library. */
function pos(text: string, needle: string, nth = 1): { line: number; col: number } {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`needle ${needle} not found`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 };
}

function problemsOf(fn: () => unknown): ProfileProblem[] {
  try {
    fn();
  } catch (e) {
    if (isProfileError(e)) return [...(e as ProfileError).problems];
    throw e;
  }
  throw new Error('expected a ProfileError, got a profile');
}

async function problemsOfAsync(fn: () => Promise<unknown>): Promise<ProfileProblem[]> {
  try {
    await fn();
  } catch (e) {
    if (isProfileError(e)) return [...(e as ProfileError).problems];
    throw e;
  }
  throw new Error('expected a ProfileError, got a profile');
}

/** Asserts `text` has exactly one problem, at `needle`, with `key` and a message matching `re`. */
function expectOne(text: string, needle: string, key: string, re: RegExp, nth = 1): void {
  const ps = problemsOf(() => parseProfile(text, FILE));
  expect(ps).toEqual([{ file: FILE, ...pos(text, needle, nth), key, message: expect.stringMatching(re) }]);
}

describe('a file with more than one YAML document', () => {
  // Ref. 2.1: the seed reads the first document only; what follows a `---` never counts.
  it('loads the first document and ignores a trailing `---`, a second document and its errors', () => {
    const first = parseProfile(doc(), FILE);
    expect(parseProfile(`${doc()}---\n`, FILE)).toEqual(first);
    expect(parseProfile(`${doc()}---\nnotes: [an old copy, {broken: \n`, FILE)).toEqual(first);
  });

  it('still reports a syntax error inside the first document', () => {
    expect(problemsOf(() => parseProfile(`deviceIdPaths: {manufacturer: x\n---\n${doc()}`, FILE))[0]?.message).toMatch(/YAML syntax error/);
  });
});

describe('a valid profile', () => {
  it('parses BASE with defaults filled in', () => {
    const p = parseProfile(doc(), FILE);
    expect(p.root).toBe('Device');
    expect(p.source).toBe(FILE);
    expect(p.roots).toEqual(['Device']);
    // Ref. 5.2: the serial pattern is stamped on every CPE, a lone one included.
    expect(p.fleet).toEqual({ count: 1, offset: 0, serialPattern: '{base}-{i}', pools: {} });
    expect(p.connectionRequest).toEqual({ scheme: '', realm: '', throttleWindowMs: 0 });
    // Ref. 7.1: TransferComplete after 5 s unless transfer.defaultDelay says otherwise.
    expect(p.transfer).toEqual({ defaultDelayMs: 5000, faults: {} });
    expect(p.generators).toEqual([]);
    expect(p.diagnostics).toEqual([]);
    expect(p.faults).toEqual({});
    expect(p.eventSchedule).toEqual({ rebootDelayMs: 0, factoryResetDelayMs: 0, bootDelayMs: 0, bootRampMs: 0 });
    expect(p.informParameters).toEqual({});
    expect(p.periodicInformPaths).toBeUndefined();
    expect(p.parameters[0]).toEqual({ path: 'Device.DeviceInfo.Manufacturer', type: 'xsd:string', value: 'Example', writable: false, source: { file: FILE, line: 7, col: 5 } });
  });

  it('fills the zero value of each type when value is omitted', () => {
    const p = parseProfile(
      doc([
        '{path: Device.X.S}',
        '{path: Device.X.I, type: xsd:int}',
        '{path: Device.X.U, type: xsd:unsignedInt}',
        '{path: Device.X.L, type: xsd:long}',
        '{path: Device.X.UL, type: xsd:unsignedLong}',
        '{path: Device.X.B, type: xsd:boolean}',
        '{path: Device.X.D, type: xsd:dateTime}',
        '{path: Device.X.B64, type: xsd:base64}',
      ]),
      FILE,
    );
    const v = Object.fromEntries(p.parameters.filter((l) => l.path.startsWith('Device.X.')).map((l) => [l.path.slice(9), l.value]));
    expect(v).toEqual({ S: '', I: '0', U: '0', L: '0', UL: '0', B: 'false', D: '1970-01-01T00:00:00Z', B64: '' });
  });

  it('accepts valid values of every type, numbers by their source text', () => {
    const p = parseProfile(
      doc([
        '{path: Device.X.I, type: xsd:int, value: "-2147483648"}',
        '{path: Device.X.U, type: xsd:unsignedInt, value: 4294967295}',
        '{path: Device.X.L, type: xsd:long, value: "-9223372036854775808"}',
        '{path: Device.X.UL, type: xsd:unsignedLong, value: "18446744073709551615"}',
        '{path: Device.X.B, type: xsd:boolean, value: "1"}',
        '{path: Device.X.D, type: xsd:dateTime, value: "2024-02-29T23:59:59.5+01:00"}',
        '{path: Device.X.B64, type: xsd:base64, value: "aGVsbG8="}',
        '{path: Device.X.S, value: 0x10}',
      ]),
      FILE,
    );
    expect(p.parameters.find((l) => l.path === 'Device.X.U')?.value).toBe('4294967295');
    expect(p.parameters.find((l) => l.path === 'Device.X.S')?.value).toBe('0x10');
  });

  it('loads a JSON file', async () => {
    const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const d = await mkdtemp(`${tmpdir()}/cpe-sim-profile-`);
    try {
      const obj = { deviceIdPaths: { manufacturer: 'Device.A.M', oui: 'Device.A.O', productClass: 'Device.A.P', serialNumber: 'Device.A.S' }, parameters: ['M', 'O', 'P', 'S'].map((n) => ({ path: `Device.A.${n}`, value: n === 'O' ? '00005E' : n })) };
      await writeFile(`${d}/p.json`, JSON.stringify(obj, null, 2));
      const p = await loadProfile(`${d}/p.json`);
      expect(p.parameters.map((l) => l.path)).toEqual(['Device.A.M', 'Device.A.O', 'Device.A.P', 'Device.A.S']);
      expect(p.parameters[0]?.source?.line).toBe(9);
    } finally {
      await rm(d, { recursive: true });
    }
  });
});

describe('YAML syntax and shape', () => {
  it('reports a YAML syntax error with its position', () => {
    const text = 'deviceIdPaths:\n  oui: [a, b\nparameters: x\n';
    const ps = problemsOf(() => parseProfile(text, FILE));
    expect(ps.length).toBeGreaterThanOrEqual(1);
    expect(ps[0]).toMatchObject({ file: FILE, line: expect.any(Number), col: expect.any(Number), key: '(yaml)', message: expect.stringMatching(/YAML syntax error/) });
  });

  it('one broken construct is one problem, not one per following token', () => {
    // An unquoted {i} inside a flow mapping: the tokenizer then rejects every later token
    // of lines 2-4, which used to come out as dozens of "Unexpected …" problems.
    const text = 'parameters:\n  - {path: Device.WiFi.SSID.{i}.SSID, value: "lab-{i}", instances: 2}\n  - {path: Device.X.A, value: "1"}\n  - {path: Device.X.B, value: "2"}\n';
    const ps = problemsOf(() => parseProfile(text, FILE));
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ line: 2, key: '(yaml)', message: expect.stringMatching(/^YAML syntax error \(\w+\): .*\(\d+ further syntax errors after it not listed: .*needs quotes\)$/) });
  });

  it('duplicate keys are still listed one by one next to a syntax error', () => {
    const text = 'fleet:\n  count: 2\n  count: 3\nconnectionRequest:\n  realm: a\n  realm: b\nparameters:\n  - {path: Device.A.{i}.B}\n';
    const ps = problemsOf(() => parseProfile(text, FILE));
    expect(ps.filter((p) => /DUPLICATE_KEY/.test(p.message))).toHaveLength(2);
    expect(ps.filter((p) => !/DUPLICATE_KEY/.test(p.message))).toHaveLength(1);
  });

  it('reports duplicate mapping keys as a YAML problem', () => {
    const text = doc([], 'fleet:\n  count: 2\n  count: 3\n');
    const ps = problemsOf(() => parseProfile(text, FILE));
    expect(ps).toEqual([expect.objectContaining({ ...pos(text, 'count', 2), key: '(yaml)', message: expect.stringMatching(/unique/) })]);
  });

  it('rejects a document that is not a mapping', () => {
    const ps = problemsOf(() => parseProfile('- a\n- b\n', FILE));
    expect(ps[0]).toMatchObject({ line: 1, col: 1, message: expect.stringMatching(/expected a mapping of top-level blocks.*found a list/) });
  });

  it('rejects an empty profile', () => {
    expect(problemsOf(() => parseProfile('# nothing\n', FILE))).toEqual([expect.objectContaining({ key: '(profile)', message: expect.stringMatching(/empty/) })]);
  });

  it('rejects parameters that is not a list', () => {
    const text = doc([], 'objects: {path: Device.Hosts.Host}\n');
    expectOne(text, '{path: Device.Hosts', 'objects', /expected a list of tables/);
  });

  it('requires at least one of parameters/objects/groups', () => {
    const text = 'deviceIdPaths:\n  manufacturer: Device.A.M\n  oui: Device.A.O\n  productClass: Device.A.P\n  serialNumber: Device.A.S\n';
    const ps = problemsOf(() => parseProfile(text, FILE));
    expect(ps.map((p) => p.message)).toContainEqual(expect.stringMatching(/declares no leaves; expected at least one of parameters, objects, groups/));
  });
});

describe('unknown keys are rejected at every level', () => {
  it.each([
    ['top level', doc([], 'paramters: []\n'), 'paramters', 'paramters', /unknown key "paramters" \(did you mean parameters\?\)/],
    ['leaf', doc(['{path: Device.X.A, valeu: "1"}']), 'valeu', 'parameters[8].valeu', /unknown key "valeu" \(did you mean value\?\)/],
    ['deviceIdPaths', BASE.replace('  oui:', '  colour: x\n  oui:'), 'colour', 'deviceIdPaths.colour', /unknown key/],
    ['fleet', doc([], 'fleet:\n  size: 3\n'), 'size', 'fleet.size', /unknown key "size"/],
    ['connectionRequest', doc([], 'connectionRequest:\n  schema: digest\n'), 'schema', 'connectionRequest.schema', /did you mean scheme/],
    ['informParameters', doc([], 'informParameters:\n  reboot: []\n'), 'reboot', 'informParameters.reboot', /expected one of bootstrap, boot, periodic, valueChange, connectionRequest/],
    ['periodicInformPaths', doc([], 'periodicInformPaths:\n  interval: Device.ManagementServer.PeriodicInformInterval\n  enable: Device.ManagementServer.PeriodicInformEnable\n  jitter: 1\n'), 'jitter', 'periodicInformPaths.jitter', /unknown key/],
    ['transfer', doc([], 'transfer:\n  delay: 1s\n'), 'delay', 'transfer.delay', /did you mean defaultDelay/],
    ['transfer fault', doc([], 'transfer:\n  faults:\n    "1 Firmware Upgrade Image": {code: 9010, text: x}\n'), 'text', 'transfer.faults["1 Firmware Upgrade Image"].text', /unknown key "text"/],
    ['eventSchedule', doc([], 'eventSchedule:\n  shutdownDelay: 1s\n'), 'shutdownDelay', 'eventSchedule.shutdownDelay', /unknown key/],
    ['objects', doc([], 'objects:\n  - path: Device.Hosts.Host\n    rows: 2\n    parameters: [{path: HostName}]\n'), 'rows', 'objects[0].rows', /unknown key "rows"/],
    ['groups', doc([], 'groups:\n  - prefix: Device.Y\n    params: []\n    parameters: [{path: A}]\n'), 'params', 'groups[0].params', /unknown key "params"/],
  ])('%s', (_what, text, needle, key, re) => {
    expectOne(text, needle, key, re);
  });
});

describe('keys that belong elsewhere (ref. 2.4, 12)', () => {
  it('usp is an unknown key whose message says USP is configured by CLI flags', () => {
    expectOne(doc([], 'usp: {}\n'), 'usp', 'usp', /unknown key "usp".*command line.*--usp-broker/);
  });
  it('app belongs in an app manifest, not in a profile', () => {
    expectOne(doc([], 'app: {name: x}\n'), 'app', 'app', /app manifest/);
  });
  it('an inline generator may not carry path', () => {
    expectOne(doc(['{path: Device.X.A, type: xsd:unsignedInt, generator: {path: Device.X.A, type: uptime, interval: 1s}}']), 'path: Device.X.A, type: uptime', 'parameters[8].generator.path', /inline generator takes its leaf's path/);
  });
});

describe('deviceIdPaths', () => {
  it('is required', () => {
    const text = 'parameters:\n  - {path: Device.A.B}\n';
    expectOne(text, 'parameters', 'deviceIdPaths', /missing required block deviceIdPaths/);
  });
  it('needs all four keys', () => {
    const text = doc().replace('  oui: Device.DeviceInfo.ManufacturerOUI\n', '');
    expectOne(text, 'manufacturer:', 'deviceIdPaths.oui', /missing required key "oui"/);
  });
  it('must name existing leaves', () => {
    const text = doc().replace('serialNumber: Device.DeviceInfo.SerialNumber', 'serialNumber: Device.DeviceInfo.Serial');
    expectOne(text, 'Device.DeviceInfo.Serial\n', 'deviceIdPaths.serialNumber', /"Device\.DeviceInfo\.Serial" is not a leaf declared in this profile/);
  });
});

describe('leaves', () => {
  it('rejects an unknown type (with a hint)', () => {
    const text = doc(['{path: Device.X.A, type: int}']);
    expectOne(text, 'int}', 'parameters[8].type', /unknown type "int" \(did you mean xsd:int\?\)/);
  });
  it.each([
    ['xsd:int', '"2147483648"', /out of range/],
    ['xsd:int', '"12a"', /decimal integer/],
    ['xsd:unsignedInt', '"-1"', /non-negative decimal integer/],
    ['xsd:unsignedInt', '"+5"', /non-negative decimal integer/],
    ['xsd:long', '"9223372036854775808"', /out of range/],
    ['xsd:unsignedLong', '"18446744073709551616"', /out of range/],
    ['xsd:boolean', '"yes"', /true, false, 1 or 0/],
    ['xsd:dateTime', '"2024-02-30T00:00:00Z"', /xsd:dateTime/],
    ['xsd:dateTime', '"yesterday"', /xsd:dateTime/],
    ['xsd:base64', '"abc"', /base64/],
  ])('%s rejects %s', (type, value, re) => {
    const text = doc([`{path: Device.X.A, type: ${type}, value: ${value}}`]);
    expectOne(text, value, 'parameters[8].value', re);
  });
  it('rejects writable that is not a boolean', () => {
    const text = doc(['{path: Device.X.A, writable: "maybe"}']);
    expectOne(text, '"maybe"', 'parameters[8].writable', /expected true or false, found the string "maybe"/);
    expectOne(doc(['{path: Device.X.A, writable: "true"}']), '"true"}', 'parameters[8].writable', /expected true or false/);
  });
  it('takes the YAML 1.1 words yes/no/on/off/y/n for booleans, as yaml.v3 does (ref. 2.2)', () => {
    const p = parseProfile(doc(['{path: Device.X.A, writable: yes}', '{path: Device.X.B, writable: "On"}', '{path: Device.X.C, writable: n}', '{path: Device.X.D, writable: True}']), FILE);
    expect(p.parameters.slice(-4).map((l) => l.writable)).toEqual([true, true, false, true]);
  });
  it('takes the source text of any scalar for a string field, and refuses a string for an integer field (ref. 2.2)', () => {
    const p = parseProfile(doc(['{path: Device.X.A, value: 0x10}', '{path: Device.X.B, value: yes}', '{path: Device.X.C, value: 1.50}']), FILE);
    expect(p.parameters.slice(-3).map((l) => l.value)).toEqual(['0x10', 'yes', '1.50']);
    expectOne(doc([], 'fleet:\n  count: "3"\n'), '"3"', 'fleet.count', /expected an integer ≥ 0, found the string "3"/);
  });
  it('strips a trailing dot from a leaf path, and keeps a hidden leaf hidden', () => {
    const p = parseProfile(doc(['{path: Device.X.A., hidden: true}']), FILE);
    expect(p.parameters.at(-1)).toMatchObject({ path: 'Device.X.A', hidden: true });
  });
  it('rejects a leaf without path, and a path that is not a string', () => {
    expectOne(doc(['{value: x}']), '{value: x}', 'parameters[8].path', /missing required key "path"/);
    expectOne(doc(['{path: 12}']), '12}', 'parameters[8].path', /"12" names only a root object/);
  });
  it('rejects a value that is a list', () => {
    expectOne(doc(['{path: Device.X.A, value: [1]}']), '[1]', 'parameters[8].value', /expected a scalar value/);
  });
});

describe('instances and {i}', () => {
  it('makes a table of the {i} rows of one parent, across parameters and objects (ref. 3.3)', () => {
    const p = parseProfile(doc(['{path: "Device.WiFi.SSID.{i}.SSID", value: "net-{i}", instances: 3}', '{path: "Device.WiFi.SSID.{i}.Enable", type: xsd:boolean, instances: 3}'], 'objects:\n  - path: Device.WiFi.SSID\n    instances: 3\n    parameters: [{path: Alias, value: "a{i}"}]\n'), FILE);
    expect(p.parameters.filter((l) => l.path.startsWith('Device.WiFi'))).toEqual([]);
    expect(p.objects).toEqual([
      expect.objectContaining({
        path: 'Device.WiFi.SSID.',
        instances: 3,
        parameters: [
          expect.objectContaining({ path: 'SSID', value: 'net-{i}' }),
          expect.objectContaining({ path: 'Enable', value: 'false' }),
          expect.objectContaining({ path: 'Alias', value: 'a{i}' }),
        ],
      }),
    ]);
  });
  it('rejects {i} rows of one parent that disagree on instances', () => {
    const text = doc(['{path: "Device.A.{i}.B", instances: 2}', '{path: "Device.A.{i}.C", instances: 3}']);
    expectOne(text, '3}', 'parameters[9].instances', /instances=3 disagrees with 2 already declared for table parent Device\.A at t\.yaml:/);
  });
  it('keeps {i} inside a segment as plain leaves per row (Server{i})', () => {
    const p = parseProfile(doc(['{path: "Device.Time.NTPServer{i}", value: "ntp{i}", instances: 2}']), FILE);
    expect(p.parameters.slice(-2).map((l) => [l.path, l.value])).toEqual([
      ['Device.Time.NTPServer1', 'ntp1'],
      ['Device.Time.NTPServer2', 'ntp2'],
    ]);
  });
  it('rejects {i} twice', () => {
    const text = doc(['{path: "Device.A.{i}.B.{i}.C", instances: 2}']);
    expectOne(text, '"Device.A.{i}', 'parameters[8].path', /\{i\} at most once.*found 2/);
  });
  it('rejects instances without {i}', () => {
    const text = doc(['{path: Device.A.B, instances: 2}']);
    expectOne(text, '2}', 'parameters[8].instances', /needs exactly one \{i\} in the path, found none/);
  });
  it('rejects {i} in a path without instances', () => {
    const text = doc(['{path: "Device.A.{i}.B"}']);
    expectOne(text, '"Device.A.{i}.B"', 'parameters[8].path', /contains \{i\} but the leaf has no instances/);
  });
  it('rejects {i} in a value without instances', () => {
    const text = doc(['{path: Device.A.B, value: "x-{i}"}']);
    expectOne(text, '"x-{i}"', 'parameters[8].value', /value contains \{i\} but the leaf has no instances/);
  });
  it('instances: 0 declares an empty table; without {i} it is accepted and means nothing (ref. 3.3)', () => {
    const p = parseProfile(doc(['{path: "Device.A.{i}.B", instances: 0}', '{path: Device.B.C, instances: 0}']), FILE);
    expect(p.objects).toEqual([expect.objectContaining({ path: 'Device.A.', instances: 0, parameters: [expect.objectContaining({ path: 'B' })] })]);
    expect(p.parameters.at(-1)?.path).toBe('Device.B.C');
  });
  it('rejects a negative instances', () => {
    const text = doc(['{path: "Device.A.{i}.B", instances: -1}']);
    expectOne(text, '-1}', 'parameters[8].instances', /integer from 0 to 1000000, found -1/);
  });
  it('type-checks the value of the first and last instance', () => {
    const text = doc(['{path: "Device.A.{i}.B", type: xsd:unsignedInt, value: "{i}0", instances: 2}']);
    expect(() => parseProfile(text, FILE)).not.toThrow();
  });
});

describe('path syntax and root', () => {
  it.each([
    ['Device.A..B', /empty segment/],
    ['Device.A B', /segment "A B"/],
    ['Device.A.x{y}', /segment "x\{y\}"/],
    ['Device', /names only a root/],
  ])('rejects %j', (path, re) => {
    const text = doc([`{path: "${path}"}`]);
    expectOne(text, `"${path}"`, 'parameters[8].path', re);
  });
  it('accepts any segment of letters, digits, _ and - (ref. 3.1), and a trailing dot on a leaf', () => {
    const p = parseProfile(doc(['{path: Device.X_VENDOR-1.Port.12.Name_x}', '{path: Device.A.1b}', '{path: Device.A.0.B}', '{path: InternetGatewayDevice.LANDevice.01.X}', '{path: Device.A.B.}']), FILE);
    expect(p.parameters.at(-1)?.path).toBe('Device.A.B');
  });
  it('accepts several roots; the management root is the first segment of deviceIdPaths.manufacturer', () => {
    const text = doc(['{path: DeviceID.OUI, value: "00005E"}', '{path: InternetGatewayDevice.DeviceInfo.Foo}']);
    const p = parseProfile(text, FILE);
    expect(p.root).toBe('Device');
    expect(p.roots).toEqual(['Device', 'DeviceID', 'InternetGatewayDevice']);
    const igd = parseProfile(text.replace('manufacturer: Device.DeviceInfo.Manufacturer', 'manufacturer: InternetGatewayDevice.DeviceInfo.Foo'), FILE);
    expect(igd.root).toBe('InternetGatewayDevice');
  });
  it('detectRoot', () => {
    expect(detectRoot(['Device.A', 'Device.B'])).toBe('Device');
    expect(detectRoot(new Set(['InternetGatewayDevice.A']))).toBe('InternetGatewayDevice');
    expect(detectRoot(['DeviceID.OUI', 'Device.B'])).toBe('DeviceID');
    expect(() => detectRoot(['.A'])).toThrow(ProfileError);
    expect(() => detectRoot([])).toThrow(/no parameter paths/);
  });
});

describe('duplicates and structure', () => {
  it('reports the same leaf declared twice, naming both places', () => {
    const text = doc(['{path: Device.DeviceInfo.Manufacturer, value: B}']);
    expectOne(text, 'Device.DeviceInfo.Manufacturer, value: B', 'parameters[8].path', /leaf Device\.DeviceInfo\.Manufacturer is declared twice: already declared at t\.yaml:7:12 \(parameters\[0\]\.path\)/);
  });
  it('reports a table row colliding with a plain leaf', () => {
    const text = doc(['{path: Device.Hosts.Host.1.HostName}'], 'objects:\n  - path: Device.Hosts.Host\n    instances: 1\n    parameters: [{path: HostName}]\n');
    expectOne(text, 'HostName}]', 'objects[0].parameters[0].path', /leaf Device\.Hosts\.Host\.1\.HostName is declared twice/);
  });
  it('rejects a leaf that is also used as an object', () => {
    const text = doc(['{path: Device.A.B}', '{path: Device.A.B.C}']);
    expectOne(text, 'Device.A.B.C', 'parameters[9].path', /puts a parameter under Device\.A\.B, which is declared as a leaf/);
  });
  it('rejects a leaf inside a table outside its rows', () => {
    const text = doc(['{path: Device.Hosts.Host.3.X}'], 'objects:\n  - path: Device.Hosts.Host\n    instances: 2\n    parameters: [{path: HostName}]\n');
    expectOne(text, 'Device.Hosts.Host.3.X', 'parameters[8].path', /inside table Device\.Hosts\.Host\. but not in one of its rows \(1…2\)/);
  });
});

describe('objects', () => {
  const table = (body: string) => doc([], `objects:\n${body}`);
  it('builds a TableDef with the path ending in "." and relative children', () => {
    const p = parseProfile(table('  - path: Device.Hosts.Host.\n    instances: 2\n    uniqueKeys: [MAC]\n    parameters:\n      - {path: MAC, value: "02:00:00:00:00:0{i}"}\n      - {path: Stats.Bytes, type: xsd:unsignedInt}\n'), FILE);
    expect(p.objects).toEqual([
      {
        path: 'Device.Hosts.Host.',
        instances: 2,
        uniqueKeys: ['MAC'],
        parameters: [
          { path: 'MAC', type: 'xsd:string', value: '02:00:00:00:00:0{i}', writable: false, source: expect.objectContaining({ line: 20 }) },
          { path: 'Stats.Bytes', type: 'xsd:unsignedInt', value: '0', writable: false, source: expect.objectContaining({ line: 21 }) },
        ],
        source: { file: FILE, line: 16, col: 5 },
      },
    ]);
  });
  it('instances defaults to 0 (an empty table)', () => {
    const p = parseProfile(table('  - path: Device.Hosts.Host\n    parameters: [{path: HostName}]\n'), FILE);
    expect(p.objects[0]?.instances).toBe(0);
  });
  it('rejects uniqueKeys that are not table parameters', () => {
    const text = table('  - path: Device.Hosts.Host\n    uniqueKeys: [Mac]\n    parameters: [{path: MAC}]\n');
    expectOne(text, 'Mac]', 'objects[0].uniqueKeys[0]', /"Mac" is not one of this table's parameters \(MAC\)/);
  });
  it('rejects instances on a table parameter', () => {
    const text = table('  - path: Device.Hosts.Host\n    parameters: [{path: X, instances: 2}]\n');
    expectOne(text, 'instances: 2', 'objects[0].parameters[0].instances', /not allowed on a parameter inside objects/);
  });
  it('rejects {i} in a table path and in a child path', () => {
    expectOne(table('  - path: "Device.A.{i}.B"\n    parameters: [{path: X}]\n'), '"Device.A.{i}.B"', 'objects[0].path', /may not contain \{i\}/);
    expectOne(table('  - path: Device.A\n    parameters: [{path: "X{i}"}]\n'), '"X{i}"', 'objects[0].parameters[0].path', /may not contain \{i\}/);
  });
  it('rejects a table path ending in an instance number', () => {
    expectOne(table('  - path: Device.Hosts.Host.1\n    parameters: [{path: X}]\n'), 'Device.Hosts.Host.1', 'objects[0].path', /ends with an instance number/);
  });
  it('type-checks {i} values per row', () => {
    const text = table('  - path: Device.A\n    instances: 2\n    parameters: [{path: N, type: xsd:int, value: "x{i}"}]\n');
    expectOne(text, '"x{i}"', 'objects[0].parameters[0].value', /decimal integer/);
  });
  it('merges two entries of the same table, and rejects the same parameter in both', () => {
    const p = parseProfile(table('  - path: Device.A\n    parameters: [{path: X}]\n  - path: Device.A.\n    parameters: [{path: Y}]\n'), FILE);
    expect(p.objects.map((o) => [o.path, o.parameters.map((c) => c.path)])).toEqual([['Device.A.', ['X', 'Y']]]);
    const text = table('  - path: Device.A\n    parameters: [{path: X}]\n  - path: Device.A.\n    parameters: [{path: X}]\n');
    expectOne(text, 'X}]', 'objects[1].parameters[0].path', /parameter X of table Device\.A is declared twice/, 2);
  });
  it('requires at least one child', () => {
    expectOne(table('  - path: Device.A\n    parameters: []\n'), '[]', 'objects[0].parameters', /non-empty list of leaves, found an empty list/);
  });
  it('requires parameters', () => {
    expectOne(table('  - path: Device.A\n'), 'path: Device.A', 'objects[0].parameters', /missing required key "parameters"/);
  });
});

describe('groups', () => {
  it('prefixes child paths (a trailing dot on the prefix is tolerated)', () => {
    const p = parseProfile(doc([], 'groups:\n  - prefix: Device.Time.\n    parameters:\n      - {path: Enable, type: xsd:boolean}\n      - {path: "NTPServer{i}", instances: 2, value: "ntp{i}.example"}\n'), FILE);
    expect(p.parameters.slice(-3).map((l) => [l.path, l.value])).toEqual([
      ['Device.Time.Enable', 'false'],
      ['Device.Time.NTPServer1', 'ntp1.example'],
      ['Device.Time.NTPServer2', 'ntp2.example'],
    ]);
  });
  it('rejects a bad relative path', () => {
    const text = doc([], 'groups:\n  - prefix: Device.Time\n    parameters: [{path: .Enable}]\n');
    expectOne(text, '.Enable', 'groups[0].parameters[0].path', /starts with "\."/);
  });
  it('rejects a bad prefix', () => {
    const text = doc([], 'groups:\n  - prefix: Device..Time\n    parameters: [{path: Enable}]\n');
    expectOne(text, 'Device..Time', 'groups[0].prefix', /empty segment/);
  });
  it('accepts a prefix that ends in an instance number (a row\'s own leaves) or is a bare root (ref. 3.5)', () => {
    const p = parseProfile(
      doc([], 'objects:\n  - path: Device.NAT.PortMapping\n    instances: 2\n    parameters: [{path: Enable, type: xsd:boolean}]\ngroups:\n  - prefix: Device.NAT.PortMapping.1\n    parameters: [{path: ExternalPort, type: xsd:unsignedInt, value: "8443"}]\n  - prefix: Device.IP.Interface.1\n    parameters: [{path: Status, value: Up}]\n  - prefix: Device\n    parameters: [{path: X_EXAMPLE_Summary, value: demo}]\n'),
      FILE,
    );
    expect(p.parameters.slice(-3).map((l) => l.path)).toEqual(['Device.NAT.PortMapping.1.ExternalPort', 'Device.IP.Interface.1.Status', 'Device.X_EXAMPLE_Summary']);
  });
});

describe('informParameters', () => {
  it('keeps lists per event key', () => {
    const p = parseProfile(doc([], 'informParameters:\n  boot: [Device.DeviceInfo.Manufacturer]\n  valueChange: []\n'), FILE);
    expect(p.informParameters).toEqual({ boot: ['Device.DeviceInfo.Manufacturer'], valueChange: [] });
  });
  it('rejects paths that are not leaves', () => {
    const text = doc([], 'informParameters:\n  periodic:\n    - Device.DeviceInfo.Manufacturer\n    - Device.DeviceInfo.Nope\n');
    expectOne(text, 'Device.DeviceInfo.Nope', 'informParameters.periodic[1]', /not a leaf declared/);
  });
  it('rejects a non-list', () => {
    expectOne(doc([], 'informParameters:\n  boot: Device.DeviceInfo.Manufacturer\n'), 'Device.DeviceInfo.Manufacturer\n', 'informParameters.boot', /expected a list of leaf paths/, 2);
  });
});

describe('periodicInformPaths', () => {
  const pip = (interval: string, enable: string) => `periodicInformPaths:\n  interval: ${interval}\n  enable: ${enable}\n`;
  it('accepts writable unsignedInt + boolean leaves', () => {
    const p = parseProfile(doc([], pip('Device.ManagementServer.PeriodicInformInterval', 'Device.ManagementServer.PeriodicInformEnable')), FILE);
    expect(p.periodicInformPaths).toEqual({ interval: 'Device.ManagementServer.PeriodicInformInterval', enable: 'Device.ManagementServer.PeriodicInformEnable' });
  });
  it('rejects a missing leaf', () => {
    const text = doc([], pip('Device.ManagementServer.Nope', 'Device.ManagementServer.PeriodicInformEnable'));
    expectOne(text, 'Device.ManagementServer.Nope', 'periodicInformPaths.interval', /not a leaf/);
  });
  it('rejects an interval that is not xsd:unsignedInt', () => {
    const text = doc([], pip('Device.ManagementServer.PeriodicInformEnable', 'Device.ManagementServer.PeriodicInformEnable'));
    expectOne(text, 'Device.ManagementServer.PeriodicInformEnable\n', 'periodicInformPaths.interval', /must be of type xsd:unsignedInt \(it is xsd:boolean/);
  });
  it('rejects an enable that is not writable', () => {
    const text = doc(['{path: Device.X.E, type: xsd:boolean}'], pip('Device.ManagementServer.PeriodicInformInterval', 'Device.X.E'));
    expectOne(text, 'Device.X.E\n', 'periodicInformPaths.enable', /must be writable/);
  });
  it('requires both keys', () => {
    const text = doc([], 'periodicInformPaths:\n  interval: Device.ManagementServer.PeriodicInformInterval\n');
    expectOne(text, 'interval: Device', 'periodicInformPaths.enable', /missing required key "enable"/);
  });
});

describe('connectionRequest (seed: Profile validation)', () => {
  const cr = (body: string) => doc([], `connectionRequest:\n${body}`);
  const CREDS = '  usernameParameter: Device.ManagementServer.ConnectionRequestUsername\n  passwordParameter: Device.ManagementServer.ConnectionRequestPassword\n';
  it('accepts digest with realm, throttle and credentials', () => {
    const p = parseProfile(cr(`  scheme: digest\n  realm: cpe-sim\n  throttleWindow: 1.5s\n${CREDS}`), FILE);
    expect(p.connectionRequest).toEqual({ scheme: 'digest', realm: 'cpe-sim', throttleWindowMs: 1500, usernameParameter: 'Device.ManagementServer.ConnectionRequestUsername', passwordParameter: 'Device.ManagementServer.ConnectionRequestPassword' });
  });
  it('rejects a scheme other than "", basic, digest', () => {
    expectOne(cr(`  scheme: ntlm\n  realm: r\n${CREDS}`), 'ntlm', 'connectionRequest.scheme', /unknown scheme "ntlm"; expected "" \(no auth\), basic or digest/);
  });
  it('rejects a scheme with an empty realm', () => {
    expectOne(cr(`  scheme: basic\n  realm: ""\n${CREDS}`), '""', 'connectionRequest.realm', /needs a non-empty realm/);
  });
  it('rejects a scheme with no realm at all', () => {
    expectOne(cr(`  scheme: basic\n${CREDS}`), 'scheme', 'connectionRequest.realm', /needs a non-empty realm/);
  });
  it('rejects a scheme without usernameParameter', () => {
    expectOne(cr('  scheme: digest\n  realm: r\n  passwordParameter: Device.ManagementServer.ConnectionRequestPassword\n'), 'scheme', 'connectionRequest.usernameParameter', /scheme digest needs usernameParameter/);
  });
  it('rejects a passwordParameter that is not a leaf', () => {
    expectOne(cr('  scheme: digest\n  realm: r\n  usernameParameter: Device.ManagementServer.ConnectionRequestUsername\n  passwordParameter: Device.ManagementServer.CRPassword\n'), 'Device.ManagementServer.CRPassword', 'connectionRequest.passwordParameter', /not a leaf declared/);
  });
  it.each([
    ['5 seconds', /unknown unit " seconds"/],
    ['"-5s"', /negative durations are not allowed/],
    ['5', /bare number 5 \(a duration needs a unit\)/],
    ['abc', /invalid duration "abc"/],
  ])('rejects throttleWindow %s', (value, re) => {
    expectOne(cr(`  throttleWindow: ${value}\n`), value, 'connectionRequest.throttleWindow', re);
  });
  it('accepts throttleWindow 0 (bare) and 0s', () => {
    expect(parseProfile(cr('  throttleWindow: 0\n'), FILE).connectionRequest.throttleWindowMs).toBe(0);
    expect(parseProfile(cr('  throttleWindow: 0s\n'), FILE).connectionRequest.throttleWindowMs).toBe(0);
  });
});

describe('transfer and eventSchedule', () => {
  it('parses delays and faults, defaulting the fault string', () => {
    const p = parseProfile(doc([], 'transfer:\n  defaultDelay: 2s\n  faults:\n    "1 Firmware Upgrade Image": {code: 9018}\n    "3 Vendor Configuration File": {code: 9850, string: Vendor says no}\neventSchedule:\n  rebootDelay: 1m\n  factoryResetDelay: 1.5s\n  bootDelay: 0\n'), FILE);
    expect(p.transfer).toEqual({ defaultDelayMs: 2000, faults: { '1 Firmware Upgrade Image': { code: 9018, string: 'Download failure: file corrupted' }, '3 Vendor Configuration File': { code: 9850, string: 'Vendor says no' } } });
    expect(p.eventSchedule).toEqual({ rebootDelayMs: 60000, factoryResetDelayMs: 1500, bootDelayMs: 0, bootRampMs: 0 });
  });
  it.each([9000, 9003, 9013, 9021, 9799])('rejects fault code %i', (code) => {
    const text = doc([], `transfer:\n  faults:\n    "1 Firmware Upgrade Image": {code: ${code}, string: x}\n`);
    expectOne(text, String(code), 'transfer.faults["1 Firmware Upgrade Image"].code', /not a TransferComplete fault code|from 9000 to 9899/);
  });
  it('requires a string for vendor codes', () => {
    const text = doc([], 'transfer:\n  faults:\n    "1 Firmware Upgrade Image": {code: 9801}\n');
    expectOne(text, '{code', 'transfer.faults["1 Firmware Upgrade Image"].string', /needs a "string"/);
  });
  it('takes an omitted, zero or negative defaultDelay as 5 s (ref. 7.1)', () => {
    for (const d of ['-1s', '0', '0s']) expect(parseProfile(doc([], `transfer:\n  defaultDelay: ${d}\n`), FILE).transfer.defaultDelayMs).toBe(5000);
    expect(parseProfile(doc([], 'transfer:\n  defaultDelay: 1.5s\n'), FILE).transfer.defaultDelayMs).toBe(1500);
  });
  it.each(['rebootDelay', 'factoryResetDelay', 'bootDelay'])('rejects a bad eventSchedule.%s', (k) => {
    expectOne(doc([], `eventSchedule:\n  ${k}: 3 days\n`), '3 days', `eventSchedule.${k}`, /invalid duration/);
  });
});

describe('fleet', () => {
  it('count 0 and 1 both mean one CPE', () => {
    expect(parseProfile(doc([], 'fleet:\n  count: 0\n'), FILE).fleet).toEqual({ count: 1, offset: 0, serialPattern: '{base}-{i}', pools: {} });
    expect(parseProfile(doc([], 'fleet:\n  count: 1\n  offset: 1000\n'), FILE).fleet).toEqual({ count: 1, offset: 1000, serialPattern: '{base}-{i}', pools: {} });
  });
  it('defaults serialPattern to {base}-{i} for fleets', () => {
    expect(parseProfile(doc([], 'fleet:\n  count: 5\n'), FILE).fleet).toEqual({ count: 5, offset: 0, serialPattern: '{base}-{i}', pools: {} });
  });
  it.each([
    ['"x"', /expected an integer ≥ 0, found the string "x"/],
    ['-1', /expected an integer ≥ 0, found -1/],
    ['2.5', /expected an integer ≥ 0, found the number 2.5/],
  ])('rejects count %s', (v, re) => {
    expectOne(doc([], `fleet:\n  count: ${v}\n`), v, 'fleet.count', re);
  });
  it('rejects a malformed serialPattern placeholder', () => {
    expectOne(doc([], 'fleet:\n  count: 2\n  serialPattern: "A-{i:x}"\n'), '"A-{i:x}"', 'fleet.serialPattern', /expected \{i:N\}/);
  });
  it('accepts any per-CPE token in a fleet\'s serialPattern ({cpe:ALNUM:8}, {cpe_id}, a pool) (ref. 5.2)', () => {
    for (const sp of ['EX{cpe:ALNUM:8}', 'X-{cpe_id}', '{cpe:hex:6}']) expect(parseProfile(doc([], `fleet:\n  count: 3\n  serialPattern: "${sp}"\n`), FILE).fleet.serialPattern).toBe(sp);
  });
  it('rejects a serial longer than 64 bytes for the first or last CPE', () => {
    expectOne(doc([], `fleet:\n  count: 2\n  serialPattern: "${'X'.repeat(64)}{i}"\n`), '"XXX', 'fleet.serialPattern', /at most 64/);
  });
  it('rejects a serialPattern without {i} for a fleet', () => {
    expectOne(doc([], 'fleet:\n  count: 2\n  serialPattern: "{base}"\n'), '"{base}"', 'fleet.serialPattern', /all 2 CPEs would report the same serial number/);
  });
});

describe('placeholders at load time', () => {
  it('rejects a malformed {cpe:…}', () => {
    expectOne(doc(['{path: Device.X.A, value: "{cpe:mac:4}"}']), '"{cpe:mac:4}"', 'parameters[8].value', /N = 1, 2 or 3/);
  });
  it('rejects a range too small for fleet.count', () => {
    expectOne(doc(['{path: Device.X.A, value: "{cpe:ipv4:10.0.0.0/29}"}'], 'fleet:\n  count: 8\n'), '"{cpe:ipv4', 'parameters[8].value', /room for 7 CPEs, but CPE 8 needs one.*fleet\.count is 8/);
  });
  it('rejects mac bytes too few for fleet.count', () => {
    expectOne(doc(['{path: Device.X.A, value: "{cpe:mac:1}"}'], 'fleet:\n  count: 300\n'), '"{cpe:mac:1}"', 'parameters[8].value', /room for 255 CPEs/);
  });
  it('type-checks the stamped value of the last CPE', () => {
    // CPE 1 → "1" fits, CPE 300 → "12c" is not an integer.
    expectOne(doc(['{path: Device.X.A, type: xsd:unsignedInt, value: "{cpe:hex:1}"}'], 'fleet:\n  count: 300\n'), '"{cpe:hex:1}"', 'parameters[8].value', /for CPE 300 the value stamps to "12c"/);
  });
  it('type-checks the stamped value of CPE 1', () => {
    expectOne(doc(['{path: Device.X.A, type: xsd:dateTime, value: "{cpe}"}'], 'fleet:\n  count: 1\n'), '"{cpe}"', 'parameters[8].value', /for CPE 1 the value stamps to "1": expected an xsd:dateTime/);
  });
  it('keeps a plain { literal', () => {
    const p = parseProfile(doc(['{path: Device.X.A, value: "{not a placeholder}"}']), FILE);
    expect(p.parameters.at(-1)?.value).toBe('{not a placeholder}');
  });
});

describe('all problems are collected', () => {
  it('bad.yaml reports every problem, in file order, with positions', async () => {
    const file = `${fx}bad.yaml`;
    const ps = await problemsOfAsync(() => loadProfile(file));
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(file, 'utf8');
    expect(ps).toEqual([
      { file, ...pos(text, 'Device.DeviceInfo.Serial '), key: 'deviceIdPaths.serialNumber', message: expect.stringMatching(/not a leaf.*did you mean Device\.DeviceInfo\.Serial/) },
      { file, ...pos(text, '"x"'), key: 'fleet.count', message: expect.stringMatching(/expected an integer/) },
      { file, ...pos(text, 'colour'), key: 'parameters[2].colour', message: expect.stringMatching(/unknown key "colour"/) },
      { file, ...pos(text, '"-1"'), key: 'parameters[4].value', message: expect.stringMatching(/non-negative/) },
      { file, ...pos(text, 'Device.DeviceInfo.Manufacturer, value: Again'), key: 'parameters[5].path', message: expect.stringMatching(/declared twice/) },
      { file, ...pos(text, 'ntlm'), key: 'connectionRequest.scheme', message: expect.stringMatching(/unknown scheme/) },
      { file, ...pos(text, '5 seconds'), key: 'connectionRequest.throttleWindow', message: expect.stringMatching(/invalid duration/) },
    ]);
  });
  it('renders all problems in the ProfileError message', async () => {
    const err = await loadProfile(`${fx}bad.yaml`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileError);
    const e = err as ProfileError;
    expect(e.code).toBe('CPESIM_PROFILE_INVALID');
    expect(e.message).toMatch(/^invalid profile .*bad\.yaml: 7 problems/);
    expect(e.message).toMatch(/bad\.yaml:17:11: connectionRequest\.scheme: unknown scheme "ntlm"/);
  });
});

describe('directory profiles', () => {
  it('reports a singleton block in two files, naming both, and a duplicate leaf across files', async () => {
    const ps = await problemsOfAsync(() => loadProfile(`${fx}dir-conflict`));
    const f0 = `${fx}dir-conflict/00-base.yaml`;
    const f1 = `${fx}dir-conflict/10-more.yaml`;
    expect(ps).toEqual([
      { file: f1, line: 1, col: 1, key: 'fleet', message: `fleet is declared in two files: first at ${f0}:6:1, again at ${f1}:1:1; a singleton block may appear in only one file` },
      { file: f1, line: 5, col: 12, key: 'parameters[1].path', message: `leaf Device.DeviceInfo.Manufacturer is declared twice: already declared at ${f0}:9:12 (parameters[0].path)` },
    ]);
  });
  it('reports YAML errors of one file together with the problems of the others', async () => {
    const ps = await problemsOfAsync(() => loadProfile(`${fx}dir-syntax`));
    expect(ps.map((p) => [p.file?.replace(fx, ''), p.key])).toEqual([
      ['dir-syntax/00-base.yaml', 'fleet.count'],
      ['dir-syntax/10-broken.yml', '(yaml)'],
    ]);
  });
  it('rejects a directory without yaml files', async () => {
    const ps = await problemsOfAsync(() => loadProfile(`${fx}dir-empty`));
    expect(ps).toEqual([{ file: `${fx}dir-empty`, key: '(directory)', message: expect.stringMatching(/no \*\.yaml or \*\.yml/) }]);
  });
  it('rejects a missing path', async () => {
    const ps = await problemsOfAsync(() => loadProfile(`${fx}nope.yaml`));
    expect(ps).toEqual([{ file: `${fx}nope.yaml`, key: '(file)', message: expect.stringMatching(/cannot read the profile.*ENOENT/) }]);
  });
  it('concatenates list blocks across files in name order', async () => {
    const p = await loadProfile(fileURLToPath(new URL('../../fixtures/profiles/tr181-minimal', import.meta.url)));
    expect(p.parameters[0]?.path).toBe('Device.RootDataModelVersion');
    expect(p.parameters.at(-1)?.path).toBe('Device.Hosts.HostNumberOfEntries');
  });
});

describe('profileFromObject', () => {
  const obj = {
    deviceIdPaths: { manufacturer: 'Device.A.M', oui: 'Device.A.O', productClass: 'Device.A.P', serialNumber: 'Device.A.S' },
    fleet: { count: 2, serialPattern: 'X-{i:03}' },
    parameters: [
      { path: 'Device.A.M', value: 'm' },
      { path: 'Device.A.O', value: '00005e' },
      { path: 'Device.A.P', value: 'p' },
      { path: 'Device.A.S', value: 's' },
      { path: 'Device.A.N', type: 'xsd:unsignedInt', value: 5, writable: true },
    ],
  };
  it('builds the same profile as the YAML form', () => {
    const p = profileFromObject(obj, 'mem');
    expect(p.source).toBe('mem');
    expect(p.fleet).toEqual({ count: 2, offset: 0, serialPattern: 'X-{i:03}', pools: {} });
    expect(p.parameters.at(-1)).toEqual({ path: 'Device.A.N', type: 'xsd:unsignedInt', value: '5', writable: true });
    expect(profileFromObject(obj).source).toBe('<object>');
  });
  it('reports problems with key paths and no positions', () => {
    const bad = { ...obj, fleet: { count: 'x' }, extra: 1, parameters: [...obj.parameters, { path: 'Device.A.Z', type: 'xsd:int', value: 'nope' }] };
    const ps = problemsOf(() => profileFromObject(bad));
    expect(ps).toEqual([
      { file: '<object>', key: 'extra', message: expect.stringMatching(/unknown key "extra"/) },
      { file: '<object>', key: 'fleet.count', message: expect.stringMatching(/expected an integer ≥ 0, found the string "x"/) },
      { file: '<object>', key: 'parameters[5].value', message: expect.stringMatching(/decimal integer/) },
    ]);
  });
  it('rejects non-plain values', () => {
    const ps = problemsOf(() => profileFromObject({ ...obj, fleet: { count: new Date(0) } }));
    expect(ps[0]).toMatchObject({ key: 'fleet.count', message: expect.stringMatching(/expected a plain object/) });
    expect(problemsOf(() => profileFromObject('nope'))[0]?.message).toMatch(/expected a mapping of top-level blocks/);
  });
});

// cpe-sim's own `behaviour` block (docs/misbehaving-devices.md).
describe('behaviour block', () => {
  it('reads band, share and every quirk', () => {
    const p = parseProfile(
      doc(
        [],
        `behaviour:
  - instances: "2-5"
    share: 0.5
    fault: {rpc: SetParameterValues, code: 9002, string: injected}
    delay: {ms: 250, rpc: GetParameterValues}
    dropCookies: true
    retryCount: 3
    closeBefore: empty
`,
      ),
      FILE,
    );
    expect(p.behaviour).toEqual([
      {
        instances: { from: 2, to: 5 },
        share: 0.5,
        quirks: { fault: { rpc: 'SetParameterValues', code: 9002, string: 'injected' }, delay: { ms: 250, rpc: 'GetParameterValues' }, dropCookies: true, retryCount: 3, closeBefore: 'empty' },
      },
    ]);
  });

  it('reports each bad entry at its position', () => {
    const text = doc(
      [],
      `behaviour:
  - dropCookie: true
  - fault: {rpc: SetParameterValues, code: 42}
  - share: 2
    wrongId: "not a name"
  - instances: "5-2"
    retryCount: -1
  - {}
`,
    );
    const at = (needle: string, skip = 0): { line: number; col: number } => {
      const p = pos(text, needle);
      return { line: p.line, col: p.col + skip };
    };
    expect(problemsOf(() => parseProfile(text, FILE))).toEqual([
      { file: FILE, ...at('dropCookie'), key: 'behaviour[0].dropCookie', message: expect.stringMatching(/unknown key "dropCookie" \(did you mean dropCookies\?\)/) },
      { ...at('42'), file: FILE, key: 'behaviour[1].fault.code', message: 'expected an integer from 9000 to 9899, found 42' },
      { ...at('share: 2', 'share: '.length), file: FILE, key: 'behaviour[2].share', message: 'expected a number from 0 to 1, found 2' },
      { ...at('"not a name"'), file: FILE, key: 'behaviour[2].wrongId', message: expect.stringMatching(/expected a message or RPC name/) },
      { ...at('"5-2"'), file: FILE, key: 'behaviour[3].instances', message: expect.stringMatching(/expected "N" or "N-M"/) },
      { ...at('-1'), file: FILE, key: 'behaviour[3].retryCount', message: expect.stringMatching(/expected an integer ≥ 0, found -1/) },
      { ...at('{}'), file: FILE, key: 'behaviour[4]', message: expect.stringMatching(/names no quirk/) },
    ]);
  });
});
