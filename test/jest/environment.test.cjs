// cpe-sim/jest-environment: a failing test prints the CWMP transcript. Runs the
// deliberately failing suite (failing/transcript.failing.cjs) in a child Jest under
// the built environment and checks its output, as a user's CI log would show it.
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
// Where J4's HTML timeline goes (transcriptOnFailure: 'html').
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpe-sim-jest-html-'));
let run;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  run = await new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'node_modules/jest/bin/jest.js'), '--config', 'test/jest/failing/jest.config.cjs', '--ci'],
      { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', CPE_SIM_TRANSCRIPT_DIR: dir }, timeout: 60_000, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, output: `${stdout}\n${stderr}`.replace(/\u001b\[[0-9;]*m/g, '') }),
    );
  });
}, 60_000);

/** The console.error block Jest printed for the failed test `name` (up to the next blank-line-separated block). */
function printed(name) {
  const start = run.output.indexOf(`cpe-sim: test failed: ${name}`);
  if (start < 0) return undefined;
  const end = run.output.indexOf('\n\n', start);
  return run.output.slice(start, end < 0 ? undefined : end);
}

test('the run failed for the three deliberate failures only', () => {
  expect(run.code).toBe(1);
  expect(run.output).toMatch(/Tests: +3 failed, 1 passed, 4 total/);
  expect(run.output).toContain('● printing › J1 a CR, then an Inform that never comes');
  expect(run.output).toContain('Expected: an Inform carrying "2 PERIODIC" from cpe-2 within 100 ms');
  expect(run.output).toContain('● silenced › J3 fails without a transcript');
  expect(run.output).not.toContain('● printing › J2');
});

test('a failed test prints the sessions of the fleet since that test started', () => {
  const t = printed('printing › J1 a CR, then an Inform that never comes');
  expect(t).toBeDefined();
  expect(t).toContain('cpe-sim: CWMP transcript of 1 of 1 active CPE(s)');
  expect(t).toContain('── cpe-2 (HGW-0002)');
  expect(t).toMatch(/session #2 cpe-2 \[6 CONNECTION REQUEST\]/);
  expect(t).toMatch(/→ Inform \[6 CONNECTION REQUEST\] SN=HGW-0002/);
  expect(t).toMatch(/← 204 \(empty\)/);
  // The bootstrap sessions ran before the test (in beforeAll): not part of its transcript.
  expect(t).not.toContain('0 BOOTSTRAP');
  expect(t).not.toContain('cpe-1');
});

test('a passing test prints nothing; transcriptOnFailure: false silences a fleet', () => {
  expect(run.output).not.toContain('cpe-sim: test failed: printing › J2');
  expect(printed('silenced › J3 fails without a transcript')).toBeUndefined();
  // (The negative look-ahead skips the code frame Jest prints of the console.error call itself.)
  expect(run.output.match(/cpe-sim: test failed: (?!\$\{)/g)).toHaveLength(1);
});

test("transcriptOnFailure: 'html' writes the timeline of the test's sessions and names it in Jest's failure message", () => {
  const block = run.output.slice(run.output.indexOf('● html › J4'));
  const file = /cpe-sim: session timeline of the CPEs involved: (\S+\.html)/.exec(block)?.[1];
  expect(file).toBeDefined();
  expect(path.dirname(file)).toBe(dir);
  expect(fs.readdirSync(dir)).toEqual([path.basename(file)]);
  const html = fs.readFileSync(file, 'utf8');
  const data = JSON.parse(/<script type="application\/json" id="cpe-sim-data">([^<]*)<\/script>/.exec(html)[1]);
  expect(data.title).toBe('html › J4 writes the timeline and names it in the failure message');
  expect(data.notes[0]).toContain('Expected: an Inform carrying "3 SCHEDULED" from cpe-1 within 100 ms');
  // Only this test's session: the boot ran in beforeAll.
  expect(data.cpes.map((c) => c.id)).toEqual(['cpe-1']);
  expect(data.cpes[0].sessions.map((s) => s.events.map((e) => e.eventCode))).toEqual([['2 PERIODIC']]);
  expect(html).toContain('globalThis.CpeSimTimeline');
});

test('cpe-sim/jest-environment resolves to the CJS build and extends Jest\'s node environment', () => {
  // Self-reference through package.json "exports", as `testEnvironment: 'cpe-sim/jest-environment'` resolves it.
  expect(require.resolve('cpe-sim/jest-environment', { paths: [root] })).toBe(path.join(root, 'dist/jest-environment.cjs'));
  const mod = jest.requireActual(path.join(root, 'dist/jest-environment.cjs'));
  expect(mod.TestEnvironment).toBe(mod.default);
  expect(mod.TestEnvironment.prototype).toBeInstanceOf(require('jest-environment-node').TestEnvironment);
});
