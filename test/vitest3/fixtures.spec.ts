// The test-scoped fixture and createCpeFleet on Vitest 3.2, and a guard that this
// job really runs 3.2 with cpe-sim bound to it (not to the repository's Vitest 4).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { expect, test as plain } from 'vitest';
import { createCpeFleet, withCpeFleet, type Fleet } from 'cpe-sim/vitest';
import { cr, profile } from './shared.js';

const require = createRequire(import.meta.url);

plain('runs on Vitest 3.2, and the installed cpe-sim imports this same Vitest', () => {
  const ours = require.resolve('vitest/package.json');
  expect((require(ours) as { version: string }).version).toMatch(/^3\.2\./);
  // `cpe-sim/vitest` (its CJS twin sits in the same dist folder) resolves `vitest`
  // from inside the copied package: the same file means one Vitest, one expect.
  const fromCpeSim = createRequire(require.resolve('cpe-sim/vitest')).resolve('vitest/package.json');
  expect(fromCpeSim).toBe(ours);
  // A copy installed by --install-links, not a symlink to the repository root.
  expect(dirname(require.resolve('cpe-sim/package.json'))).toMatch(/[\\/]test[\\/]vitest3[\\/]node_modules[\\/]cpe-sim$/);
});

/** A closed fleet's embedded FakeAcs refuses work at once (a port check could meet a reused port). */
async function expectClosed(fleet: Fleet): Promise<void> {
  await expect(fleet.acs!.rpc('cpe-1', { name: 'Reboot', commandKey: 'after-close' }, { timeoutMs: 1000 })).rejects.toThrow(/ACS closed/);
}

const test = withCpeFleet({ profile, count: 3 });
let previous: Fleet | undefined;

test('a fresh fleet per test: CR to cpe-3', async ({ fleet, acs }) => {
  previous = fleet;
  expect(fleet.cpes).toHaveLength(3);
  expect(await acs.connectionRequest(fleet.cpe(3).crUrl!, cr(3))).toBeAccepted();
  await expect(fleet.cpe(3)).toHaveInformed('6 CONNECTION REQUEST');
});

test('the previous fleet was closed after its test', async ({ fleet }) => {
  expect(fleet).not.toBe(previous);
  await expectClosed(previous!);
  expect(fleet).toHaveCompletedSessions(3);
});

plain('createCpeFleet closes the fleet when the test finishes (onTestFinished)', async () => {
  const fleet = await createCpeFleet({ profile, count: 1 });
  expect(await fleet.acs!.connectionRequest(fleet.cpe(1).crUrl!, cr(1))).toBeAccepted();
  await expect(fleet.acs!).toHaveInformed('6 CONNECTION REQUEST');
  previous = fleet;
});

plain('…and it was closed', async () => {
  await expectClosed(previous!);
});
