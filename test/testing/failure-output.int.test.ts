// Runs the deliberately failing suite (failing/matchers.failing.ts) in a child
// Vitest and checks what a user's CI log would show: each matcher's failure message
// and the CWMP transcript printed by onTestFailed.
import { beforeAll, describe, expect, test } from 'vitest';
import { runChildVitest } from '../support/child-vitest.js';

let output = '';

beforeAll(async () => {
  output = await runChildVitest('test/testing/failing/vitest.config.ts');
}, 60_000);

/** The failure block of one test: from its FAIL header to the next separator. */
function block(name: string): string {
  const start = output.indexOf(`FAIL  matchers.failing.ts > ${name}`);
  expect(start, `no FAIL block for ${name} in:\n${output}`).toBeGreaterThanOrEqual(0);
  const end = output.indexOf('⎯⎯⎯', start);
  return output.slice(start, end === -1 ? undefined : end);
}

/** What the test printed to stderr (the transcript), up to the next section. */
function printed(name: string): string {
  const start = output.indexOf(`stderr | matchers.failing.ts > ${name}`);
  expect(start, `nothing printed for ${name}`).toBeGreaterThanOrEqual(0);
  const next = output.slice(start + 1).search(/\n(stderr \||stdout \|| ❯ )/);
  return output.slice(start, next === -1 ? undefined : start + 1 + next);
}

describe('a failing suite', () => {
  test('every test of it failed', () => {
    expect(output).toMatch(/10 failed/);
  });

  test('onTestFailed prints the transcript of the CPEs involved', () => {
    const t = printed('F1 toHaveInformed');
    expect(t).toContain('cpe-sim: CWMP transcript of 2 of 2 active CPE(s)');
    expect(t).toContain('── cpe-2 (HGW-0002) ─ 2 session(s)');
    expect(t).toMatch(/→ Inform \[6 CONNECTION REQUEST\] SN=HGW-0002/);
    expect(t).toMatch(/← 204 \(empty\)/);
    // The RPC exchange of a session is in it, both directions.
    const rpc = printed('F3 toHaveReceivedRpc');
    expect(rpc).toMatch(/← 200 GetParameterValues Device\.DeviceInfo\.SoftwareVersion/);
    expect(rpc).toMatch(/→ GetParameterValuesResponse Device\.DeviceInfo\.SoftwareVersion=1\.0\.0/);
    // createCpeFleet registers the same hook.
    expect(printed('F9 createCpeFleet prints the transcript too')).toContain('── cpe-1 (HGW-0001) ─ 1 session(s)');
  });

  test('a fleet with usp prints the USP transcript of its Controller too; USP matchers carry it as well', () => {
    const t = printed('F10 USP: a failing test prints the USP transcript');
    expect(t).toMatch(/cpe-sim: USP transcript \(all agents, \d+ record\(s\)/);
    expect(t).toMatch(/-> os::\S+ {2}mqtt \S+ {2}GET ctl-1: Get Device\.DeviceInfo\.SoftwareVersion/);
    expect(t).toMatch(/<- os::\S+ {2}mqtt \S+ {2}GET_RESP ctl-1: GetResp Device\.DeviceInfo\.SoftwareVersion \(1 obj\)/);
    const b = block('F10 USP: a failing test prints the USP transcript');
    expect(b).toContain('Expected: a Notify ValueChange of "Device.DeviceInfo.SoftwareVersion" to "9.9.9" from os::');
    expect(b).toContain('USP transcript (os::');
  });

  test('toHaveInformed and .not explain what was recorded', () => {
    const f1 = block('F1 toHaveInformed');
    expect(f1).toContain('expect(received).toHaveInformed(eventCode)');
    expect(f1).toContain('Expected: an Inform carrying "2 PERIODIC" from cpe-2 within 100 ms');
    expect(f1).toContain('cpe-2  session #2  [6 CONNECTION REQUEST]');
    const f2 = block('F2 not.toHaveInformed');
    expect(f2).toContain('expect(received).not.toHaveInformed(eventCode)');
    expect(f2).toContain('Expected: no Inform carrying "0 BOOTSTRAP" from cpe-1');
  });

  test('toHaveReceivedRpc lists the ACS requests seen', () => {
    const f3 = block('F3 toHaveReceivedRpc');
    expect(f3).toContain('Expected: cpe-1 to receive "SetParameterValues" within 100 ms');
    expect(f3).toContain('Received: no such request; ACS requests seen (1):');
    expect(f3).toContain('cpe-1  session #2  GetParameterValues Device.DeviceInfo.SoftwareVersion');
  });

  test('the state and CR matchers show expected and received', () => {
    expect(block('F4 toHaveParameterValue')).toContain('Expected: "2.0.0"\nReceived: "1.0.0"');
    expect(block('F5 toHaveCompletedSessions')).toContain('Received: 2 completed of 2 recorded:');
    expect(block('F6 toBeThrottled')).toContain('Expected: 503 with Retry-After 5\nReceived: 200');
    expect(block('F7 toBeUnauthorized')).toMatch(/Expected: 401 with a WWW-Authenticate basic challenge\nReceived: 401\n {2}www-authenticate: "Digest realm="cpe-sim"/);
    expect(block('F8 toBeAccepted')).toMatch(/Expected: 200 or 204\nReceived: 401\n/);
  });
});
