/**
 * The loader's bounds against hostile profiles (issue 20): alias bombs, huge files,
 * huge values, a realm that cannot go in a header, prototype keys. Every test here is
 * cheap: the huge file is sparse (never read), the bombs stop at the alias budget.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, isProfileError, type ProfileProblem } from '../../src/errors/index.js';
import { DEFAULT_MAX_PROFILE_BYTES, DEFAULT_MAX_VALUE_BYTES, loadProfile, parseProfile, profileFromObject, realmProblem } from '../../src/profile/index.js';
import { MAX_LEAVES } from '../../src/profile/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Eight lines: the four DeviceId leaves and the CR credentials. */
const BASE = `deviceIdPaths: {manufacturer: Device.DeviceInfo.Manufacturer, oui: Device.DeviceInfo.ManufacturerOUI, productClass: Device.DeviceInfo.ProductClass, serialNumber: Device.DeviceInfo.SerialNumber}
parameters:
${['Manufacturer', 'ManufacturerOUI', 'ProductClass', 'SerialNumber'].map((n) => `  - {path: Device.DeviceInfo.${n}, value: "${n === 'ManufacturerOUI' ? '00D09E' : n}"}`).join('\n')}
  - {path: Device.ManagementServer.ConnectionRequestUsername, value: u, writable: true}
  - {path: Device.ManagementServer.ConnectionRequestPassword, value: p, writable: true}
`;

const CR = (realm: string): string => `connectionRequest:
  scheme: digest
  realm: ${realm}
  usernameParameter: Device.ManagementServer.ConnectionRequestUsername
  passwordParameter: Device.ManagementServer.ConnectionRequestPassword
`;

async function problems(fn: () => unknown): Promise<ProfileProblem[]> {
  try {
    await fn();
  } catch (e) {
    if (isProfileError(e)) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ProfileError, got a profile');
}

/** `levels` lines of nine aliases each to the line above: 9^levels nodes once expanded. */
function aliasBomb(levels: number): string {
  const names = 'abcdefghijklmnop';
  const lines = [`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < levels; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
  return lines.join('\n') + '\n';
}

describe('YAML alias bombs (issue 20 item 1)', () => {
  it('the 9-level "billion laughs" profile is refused at once, alone, at the alias that crosses the budget', async () => {
    const text = aliasBomb(9);
    expect(text.length).toBeLessThan(400);
    const ps = await problems(() => parseProfile(text, 'bomb.yaml'));
    expect(ps).toHaveLength(1);
    // 9^5 + … stays under 100,000 extra nodes; the alias that begins level 6 (line 6, "f: &f [*e") crosses it.
    expect(ps[0]).toMatchObject({ file: 'bomb.yaml', line: 6, col: 8, key: '(yaml)' });
    expect(ps[0]!.message).toMatch(/aliases expand this document to more than 100,000 extra nodes \(an alias bomb\?\)/);
  });

  it('a 6-level bomb (531,441 nodes, bounded even without the budget) is refused the same way', async () => {
    const ps = await problems(() => parseProfile(aliasBomb(6), 'bomb6.yaml'));
    expect(ps.map((p) => p.message)).toEqual([expect.stringMatching(/alias bomb/)]);
  });

  it('a profile reusing one block by alias hundreds of times still loads (the budget counts nodes, not aliases)', () => {
    const params = Array.from({ length: 300 }, (_, i) => `  - {path: Device.X_Test.Obj${i}.Value, value: *v}`).join('\n');
    const text = BASE.replace('parameters:\n', 'parameters:\n  - {path: Device.X_Test.Base, value: &v "shared"}\n') + params + '\n';
    const p = parseProfile(text, 'reuse.yaml');
    expect(p.parameters.find((l) => l.path === 'Device.X_Test.Obj299.Value')?.value).toBe('shared');
  });

  it('merge keys are not expanded: `<<` is an unknown key, named where it stands', async () => {
    const text = `${BASE}fleet: &f {count: 2}\nconnectionRequest:\n  <<: *f\n`;
    const ps = await problems(() => parseProfile(text, 'merge.yaml'));
    expect(ps).toContainEqual(expect.objectContaining({ key: 'connectionRequest.<<', line: 11, message: expect.stringMatching(/unknown key "<<"/) }));
  });
});

describe('profile size limit (issue 20 item 2)', () => {
  it('a 105 MB file is refused before it is read, naming the limit and how to raise it', async () => {
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, BASE);
    truncateSync(file, 105 * 1024 * 1024); // sparse: no disk, and never read
    const ps = await problems(() => loadProfile(file));
    expect(ps).toEqual([
      {
        file,
        key: '(file)',
        message: 'the file is 105 MiB, more than the 16 MiB limit for a profile; raise it with --max-profile-size (CPE_SIM_MAX_PROFILE_SIZE, config maxProfileSize) or the loader option maxProfileBytes',
      },
    ]);
    expect(DEFAULT_MAX_PROFILE_BYTES).toBe(16 * 1024 * 1024);
  });

  it('the limit is an option: lower it and a small profile is refused; raise it and a larger one loads', async () => {
    const file = join(dir, 'small.yaml');
    writeFileSync(file, BASE);
    expect((await problems(() => loadProfile(file, { maxProfileBytes: 100 })))[0]!.message).toMatch(/^the file is \d+ bytes, more than the 100 bytes limit/);
    expect((await loadProfile(file, { maxProfileBytes: 100_000 })).parameters).toHaveLength(6);
    await expect(loadProfile(file, { maxProfileBytes: 0 })).rejects.toThrow(ConfigError);
    await expect(loadProfile(file, { maxProfileBytes: 0 })).rejects.toThrow(/maxProfileBytes: expected a whole number of bytes ≥ 1, found 0/);
  });

  it('a directory counts all its files together', async () => {
    const d = mkdtempSync(join(dir, 'dir-'));
    writeFileSync(join(d, '00-base.yaml'), BASE);
    writeFileSync(join(d, '10-cr.yaml'), CR('cpe-sim'));
    expect((await loadProfile(d)).connectionRequest.realm).toBe('cpe-sim');
    const ps = await problems(() => loadProfile(d, { maxProfileBytes: BASE.length + 10 }));
    expect(ps[0]).toMatchObject({ file: d, key: '(file)', message: expect.stringMatching(/^the directory \(up to and including 10-cr\.yaml\) is \d+ bytes, more than/) });
  });

  it('parseProfile applies the limit to its text', async () => {
    const ps = await problems(() => parseProfile(BASE + '#'.repeat(2000) + '\n', 'text.yaml', { maxProfileBytes: 1024 }));
    expect(ps[0]!.message).toMatch(/^the text is 2\.\d KiB, more than the 1 KiB limit/);
  });
});

describe('value size limit (issue 20 item 2)', () => {
  it('a value over 64 KiB is refused at its line:col; the limit is an option', async () => {
    const big = 'x'.repeat(DEFAULT_MAX_VALUE_BYTES + 1);
    const text = BASE + `  - {path: Device.X_Test.Big, value: "${big}"}\n`;
    const ps = await problems(() => parseProfile(text, 'big.yaml'));
    expect(ps).toEqual([
      {
        file: 'big.yaml',
        line: 9,
        col: 38,
        key: '(yaml)',
        message: 'a value of 64.0 KiB is longer than the 64 KiB limit for one value (every value rides along in Informs); raise it with --max-value-size or the loader option maxValueBytes',
      },
    ]);
    expect(parseProfile(text, 'big.yaml', { maxValueBytes: 100_000 }).parameters.find((l) => l.path === 'Device.X_Test.Big')?.value).toBe(big);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const text = BASE + `  - {path: Device.X_Test.Big, value: "${'é'.repeat(600)}"}\n`; // 1200 bytes
    expect(await problems(() => parseProfile(text, 'utf8.yaml', { maxValueBytes: 1000 }))).toEqual([expect.objectContaining({ message: expect.stringMatching(/^a value of 1\.2 KiB is longer than the 1000 bytes limit/) })]);
  });

  it('profileFromObject applies it too, naming the key path', async () => {
    const ps = await problems(() => profileFromObject({ deviceIdPaths: {}, parameters: [{ path: 'Device.X', value: 'y'.repeat(70_000) }] }));
    expect(ps).toContainEqual(expect.objectContaining({ key: 'parameters[0].value', message: expect.stringMatching(/longer than the 64 KiB limit/) }));
  });
});

describe('connectionRequest.realm (issue 20 item 5)', () => {
  it.each([
    ['"cpe\\r\\nsim"', 'a carriage return (CR) at offset 3'],
    ['"cpe\\nsim"', 'a line feed (LF) at offset 3'],
    ['"cpe\\tsim"', 'a control character at offset 3'],
    ["'cpe\"sim'", 'a double quote (") at offset 3'],
    ["'cpe\\sim'", 'a backslash (\\) at offset 3'],
    ['"cpé"', 'a non-ASCII character at offset 2'],
  ])('realm %s is refused at load, named', async (yaml, why) => {
    const text = BASE + CR(yaml);
    const ps = await problems(() => parseProfile(text, 'realm.yaml'));
    expect(ps).toEqual([expect.objectContaining({ file: 'realm.yaml', line: 11, col: 10, key: 'connectionRequest.realm', message: expect.stringContaining(`it contains ${why}; expected printable ASCII without " or \\`) })]);
  });

  it('printable ASCII realms load', () => {
    expect(parseProfile(BASE + CR("'cpe-sim (lab #3) <a@b>'"), 'ok.yaml').connectionRequest.realm).toBe('cpe-sim (lab #3) <a@b>');
    expect(realmProblem('TR-069 realm')).toBeUndefined();
  });
});

describe('prototype keys (issue 20 item 8)', () => {
  it.each(['__proto__', 'constructor', 'toString'])('a %s key is reported by name, not as [object Object]', async (key) => {
    const text = `${BASE}${key}:\n  x: 1\n`;
    const ps = await problems(() => parseProfile(text, 'proto.yaml'));
    expect(ps).toEqual([expect.objectContaining({ key, line: 9, col: 1, message: expect.stringMatching(new RegExp(`^unknown key "${key}"; expected one of deviceIdPaths`)) })]);
    const inLeaf = await problems(() => parseProfile(BASE + `  - {path: Device.X_Test.P, ${key}: 1}\n`, 'leaf.yaml'));
    expect(inLeaf.map((p) => p.message).join('\n')).not.toContain('[object Object]');
    expect(inLeaf).toContainEqual(expect.objectContaining({ key: `parameters[6].${key}`, message: expect.stringMatching(new RegExp(`^unknown key "${key}"`)) }));
  });
});

describe('expansion of tables and instances (issue 20 item 1: "bound whatever else expands")', () => {
  it('five tables of a million rows of ten leaves (4 KB of text) are refused before they expand', async () => {
    const tables = Array.from({ length: 5 }, (_, t) => `  - path: Device.X_T${t}.Row\n    instances: 1000000\n    parameters:\n${Array.from({ length: 10 }, (_, k) => `      - {path: P${k}, value: "v{i}"}`).join('\n')}`).join('\n');
    const text = `${BASE}objects:\n${tables}\n`;
    expect(text.length).toBeLessThan(5000);
    const ps = await problems(() => parseProfile(text, 'rows.yaml'));
    expect(ps).toEqual([expect.objectContaining({ file: 'rows.yaml', message: expect.stringMatching(/^the profile expands to more than 500,000 leaves/) })]);
    expect(MAX_LEAVES).toBe(500_000);
  });

  it('so are a million {i} instances of one leaf', async () => {
    const ps = await problems(() => parseProfile(BASE + '  - {path: "Device.X_Test.Server{i}", value: "s{i}", instances: 1000000}\n', 'inst.yaml'));
    expect(ps).toEqual([expect.objectContaining({ line: 9, key: 'parameters[6].instances', message: expect.stringMatching(/more than 500,000 leaves/) })]);
  });

  it('a table of 10,000 rows still loads', () => {
    const p = parseProfile(`${BASE}objects:\n  - path: Device.Hosts.Host\n    instances: 10000\n    parameters:\n      - {path: HostName, value: "h{i}"}\n`, 'ok.yaml');
    expect(p.objects[0]?.instances).toBe(10_000);
  });
});
