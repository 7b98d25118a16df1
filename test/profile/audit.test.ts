/**
 * Issue 2 §2 audit: rules of the format reference that validate.test.ts did not pin down
 * for every field (negative durations everywhere, unknown keys in nested leaf lists,
 * every informParameters key, every singleton block across a directory's files).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isProfileError, type ProfileProblem } from '../../src/errors/index.js';
import { loadProfile, parseProfile } from '../../src/profile/index.js';
import { identityYaml } from './identity.js';

const FILE = 'a.yaml';
const BASE = `${identityYaml('00D09E', 'HGW')}  - {path: Device.ManagementServer.PeriodicInformEnable, type: xsd:boolean, value: "true", writable: true}
  - {path: Device.ManagementServer.PeriodicInformInterval, type: xsd:unsignedInt, value: "300", writable: true}
`;

function problems(fn: () => unknown): ProfileProblem[] {
  try {
    fn();
  } catch (e) {
    if (isProfileError(e)) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ProfileError');
}
async function problemsAsync(fn: () => Promise<unknown>): Promise<ProfileProblem[]> {
  try {
    await fn();
  } catch (e) {
    if (isProfileError(e)) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ProfileError');
}
function pos(text: string, needle: string): { line: number; col: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`needle ${needle} not found`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}
function expectOne(text: string, needle: string, key: string, re: RegExp): void {
  expect(problems(() => parseProfile(text, FILE))).toEqual([{ file: FILE, ...pos(text, needle), key, message: expect.stringMatching(re) }]);
}

describe('negative durations are rejected for every field', () => {
  it.each([
    ['connectionRequest', 'throttleWindow'],
    ['eventSchedule', 'rebootDelay'],
    ['eventSchedule', 'bootRamp'],
    ['eventSchedule', 'factoryResetDelay'],
    ['eventSchedule', 'bootDelay'],
  ])('%s.%s: -1.5h', (block, key) => {
    const text = `${BASE}${block}:\n  ${key}: -1.5h\n`;
    expectOne(text, '-1.5h', `${block}.${key}`, /negative/);
  });
  it.each(['1h15m30.5s', '2h45m', '300ms', '1µs', '1us', '0'])('accepts %s in every duration field', (d) => {
    const p = parseProfile(`${BASE}connectionRequest:\n  throttleWindow: ${d}\ntransfer:\n  defaultDelay: ${d}\neventSchedule:\n  rebootDelay: ${d}\n  factoryResetDelay: ${d}\n  bootDelay: ${d}\n  bootRamp: ${d}\n`, FILE);
    const ms = p.connectionRequest.throttleWindowMs;
    expect([p.eventSchedule.rebootDelayMs, p.eventSchedule.factoryResetDelayMs, p.eventSchedule.bootDelayMs, p.eventSchedule.bootRampMs]).toEqual([ms, ms, ms, ms]);
    // Ref. 7.1: a zero defaultDelay means the 5 s default.
    expect(p.transfer.defaultDelayMs).toBe(ms === 0 ? 5000 : ms);
  });
  it('a bare number other than 0 is an error in every duration field', () => {
    const text = `${BASE}transfer:\n  defaultDelay: 7\neventSchedule:\n  rebootDelay: 8\n  factoryResetDelay: 9\n  bootDelay: 6\nconnectionRequest:\n  throttleWindow: 5\n`;
    const ps = problems(() => parseProfile(text, FILE));
    expect(ps.map((p) => p.key)).toEqual(['transfer.defaultDelay', 'eventSchedule.rebootDelay', 'eventSchedule.factoryResetDelay', 'eventSchedule.bootDelay', 'connectionRequest.throttleWindow']);
    for (const p of ps) expect(p.message).toMatch(/bare number/);
  });
});

describe('unknown keys inside nested leaf lists', () => {
  it('objects[].parameters[]', () => {
    const text = `${BASE}objects:\n  - path: Device.Hosts.Host\n    instances: 1\n    parameters:\n      - {path: HostName, writeable: true}\n`;
    expectOne(text, 'writeable', 'objects[0].parameters[0].writeable', /unknown key "writeable" \(did you mean writable\?\)/);
  });
  it('groups[].parameters[]', () => {
    const text = `${BASE}groups:\n  - prefix: Device.Time\n    parameters:\n      - {path: Enable, typ: xsd:boolean}\n`;
    expectOne(text, 'typ:', 'groups[0].parameters[0].typ', /unknown key "typ" \(did you mean type\?\)/);
  });
  it('every unknown key is reported, not only the first', () => {
    const text = `${BASE}colour: red\nfleet:\n  size: 2\n  count: 2\nconnectionRequest:\n  schema: basic\n`;
    expect(problems(() => parseProfile(text, FILE)).map((p) => p.key)).toEqual(['colour', 'fleet.size', 'connectionRequest.schema']);
  });
});

describe('informParameters', () => {
  it('accepts each of the five event keys', () => {
    const keys = ['bootstrap', 'boot', 'periodic', 'valueChange', 'connectionRequest'];
    const text = `${BASE}informParameters:\n${keys.map((k) => `  ${k}: [Device.DeviceInfo.Manufacturer]\n`).join('')}`;
    const p = parseProfile(text, FILE);
    expect(Object.keys(p.informParameters).sort()).toEqual([...keys].sort());
  });
});

describe('singleton blocks across the files of a directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-profile-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const blocks: Record<string, string> = {
    deviceIdPaths: BASE.split('parameters:')[0]!,
    fleet: 'fleet:\n  count: 2\n',
    connectionRequest: 'connectionRequest:\n  throttleWindow: 1s\n',
    periodicInformPaths: 'periodicInformPaths:\n  interval: Device.ManagementServer.PeriodicInformInterval\n  enable: Device.ManagementServer.PeriodicInformEnable\n',
    transfer: 'transfer:\n  defaultDelay: 1s\n',
    eventSchedule: 'eventSchedule:\n  bootDelay: 1s\n',
  };
  it.each(Object.keys(blocks))('%s in two files is an error naming both', async (block) => {
    const d = join(dir, block);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(d);
    writeFileSync(join(d, '00-a.yaml'), BASE + (block === 'deviceIdPaths' ? '' : blocks[block]));
    writeFileSync(join(d, '10-b.yml'), blocks[block]!);
    const ps = await problemsAsync(() => loadProfile(d));
    expect(ps).toEqual([expect.objectContaining({ file: join(d, '10-b.yml'), line: 1, col: 1, key: block, message: expect.stringMatching(new RegExp(`${block} is declared in two files: first at ${join(d, '00-a.yaml').replace(/[.]/g, '\\.')}:\\d+:1, again at .*10-b\\.yml:1:1`)) })]);
  });
  it('usp in a directory is an unknown key pointing at the CLI, once per file', async () => {
    const d = join(dir, 'usp');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(d);
    writeFileSync(join(d, '00-a.yaml'), BASE);
    writeFileSync(join(d, '10-b.yaml'), 'usp: {}\n');
    const ps = await problemsAsync(() => loadProfile(d));
    expect(ps).toEqual([expect.objectContaining({ file: join(d, '10-b.yaml'), key: 'usp', message: expect.stringMatching(/unknown key "usp".*command line/) })]);
  });
});
