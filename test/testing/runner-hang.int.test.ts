// A broken ACS and a forgotten `await`, as a new user meets them (issue 18 items 1
// and 2): child Vitest and Jest runs with the runners' DEFAULT timeouts. Each must
// fail the right tests with what the CPEs saw and end by itself (no --forceExit):
// the execFile timeout is the "hang" detector.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { unusedPort } from '../support/ports.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const strip = (s: string): string => s.replace(new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g'), '');

interface Run {
  code: number | null;
  killed: boolean;
  output: string;
}

function run(args: string[], env: Record<string, string>, timeout: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', ...env }, timeout, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, killed: err?.killed === true, output: strip(`${stdout}\n${stderr}`) }),
    );
  });
}


let vitest: Run;
let jest: Run;

beforeAll(async () => {
  const ports = { HANG_PORT_500: String(await unusedPort()), HANG_PORT_SILENT: String(await unusedPort()) };
  // Jest's budget: its 5 s default hook timeout plus a few seconds for start-up and exit.
  [vitest, jest] = await Promise.all([
    run(['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/testing/hang/vitest.config.ts'], {}, 60_000),
    run(['node_modules/jest/bin/jest.js', '--config', 'test/jest/hang/jest.config.cjs', '--ci'], ports, 40_000),
  ]);
}, 70_000);

describe('Vitest, default timeouts', () => {
  test('the run ends by itself with exactly the deliberate failures', () => {
    expect(vitest.killed, vitest.output).toBe(false);
    expect(vitest.code).toBe(1);
    expect(vitest.output).toMatch(/Tests +4 failed \| 3 passed \(7\)/);
  });

  test('an ACS answering 500 fails the test with each CPE\'s status, the ACS body and the transcript, not "Test timed out"', () => {
    const h1 = vitest.output.slice(vitest.output.indexOf('FAIL  dead-acs.failing.ts > H1'));
    expect(h1).toMatch(/^FAIL {2}dead-acs\.failing\.ts > H1 an ACS answering 500\nBootstrapError: 2 of 2 CPEs did not deliver 0 BOOTSTRAP to http:\/\/127\.0\.0\.1:\d+\/acs: no CPE delivered it for 3500 ms/);
    expect(h1).toContain('cpe-2: HTTP 500 from the ACS: "acs: database is down"');
    expect(h1).toMatch(/→ Inform \[0 BOOTSTRAP, 1 BOOT\] SN=DIG-001/);
    expect(h1).toMatch(/← 500 HTTP 500/);
    const h2 = vitest.output.slice(vitest.output.indexOf('FAIL  dead-acs.failing.ts > H2'));
    expect(h2).toMatch(/cpe-1: ECONNREFUSED/);
    expect(vitest.output).not.toMatch(/H[12][^\n]*\n[^\n]*Test timed out/);
  });

  test('when the test timeout fires first, the pending fleet is closed and what the CPE saw is printed', () => {
    expect(vitest.output).toMatch(/FAIL {2}dead-acs\.failing\.ts > H3 a silent ACS and the runner timeout first\nError: Test timed out in 1000ms/);
    expect(vitest.output).toContain("cpe-sim: withCpeFleet: the test runner's timeout fired while the fleet was bootstrapping; it was closed.");
    expect(vitest.output).toMatch(/session #1 cpe-1 \[0 BOOTSTRAP, 1 BOOT\] retry=0 running\n.*→ Inform/);
  });

  test('an un-awaited matcher fails its own test saying "await it"; the next test is not blamed', () => {
    expect(vitest.output).toMatch(/FAIL {2}unawaited\.failing\.ts > U1 toHaveInformed without await\nUnawaitedMatcherError: an async matcher was not awaited/);
    expect(vitest.output).toMatch(/expect\(…\)\.toHaveInformed\(…\) at .*unawaited\.failing\.ts:11:/);
    expect(vitest.output).toContain('await it: `await expect(cpe).toHaveInformed(…)`');
    expect(vitest.output).toMatch(/✓ U2 the next test passes/);
    expect(vitest.output).not.toContain('Unhandled');
  });

  test('importing only `cpe-sim` registers the matchers (no "Invalid Chai property")', () => {
    expect(vitest.output).toMatch(/✓ register\.failing\.ts \(1 test\)/);
    expect(vitest.output).not.toContain('Invalid Chai property');
  });
});

describe('Jest, default timeouts, no --forceExit', () => {
  test('the run ends by itself within the hook timeout plus a few seconds', () => {
    expect(jest.killed, jest.output).toBe(false);
    expect(jest.code).toBe(1);
    expect(jest.output).toMatch(/Tests: +3 failed, 1 passed, 4 total/);
    expect(jest.output).not.toContain('did not exit one second after the test run');
  });

  test('useCpeFleet against an ACS answering 500 fails with the BootstrapError and the transcript', () => {
    expect(jest.output).toMatch(/● J1 an ACS answering 500 › boots\n\n {4}BootstrapError: 2 of 2 CPEs did not deliver 0 BOOTSTRAP/);
    expect(jest.output).toContain('cpe-1: HTTP 500 from the ACS: "acs: database is down"; 1 failed attempt');
    expect(jest.output).toMatch(/← 500 HTTP 500/);
  });

  test('when the hook timeout fires first, afterAll closes the pending fleet and prints what the CPE saw', () => {
    expect(jest.output).toContain('● J2 a silent ACS and the hook timeout first › boots');
    expect(jest.output).toContain("cpe-sim: useCpeFleet: the test runner's timeout fired while the fleet was bootstrapping; it was closed.");
  });

  test('an un-awaited matcher fails its own test saying "await it"', () => {
    expect(jest.output).toMatch(/● J3 a forgotten await › toHaveInformed without await\n\n {4}UnawaitedMatcherError: an async matcher was not awaited/);
    expect(jest.output).toMatch(/expect\(…\)\.toHaveInformed\(…\) at .*dead-acs\.failing\.cjs:\d+:\d+/);
    expect(jest.output).toMatch(/✓ the next test passes/);
  });
});
