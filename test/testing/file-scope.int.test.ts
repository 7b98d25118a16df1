// scope: 'file' shares one fleet between the tests of a file. Vitest requires
// file-scoped fixtures at the top level of the file, hence a file of its own.
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { withCpeFleet, type Fleet } from '../../src/testing/vitest.js';

const profile = fileURLToPath(new URL('../../fixtures/profiles/tr181-hgw.yaml', import.meta.url));
const test = withCpeFleet({ profile, count: 2, scope: 'file' });

let first: Fleet | undefined;

test('first test', async ({ fleet }) => {
  first = fleet;
  expect(fleet).toHaveCompletedSessions(2);
});

test('second test shares the same fleet and its state', async ({ fleet, acs }) => {
  expect(fleet).toBe(first);
  expect(acs).toBe(first!.acs);
  const res = await acs.connectionRequest(fleet.cpe(1).crUrl!, { username: 'cr-cpe-1', password: 'secret-cpe-1' });
  expect(res).toBeAccepted();
  await expect(fleet).toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-1' });
  // toHaveInformed passes once the Inform is answered; the session itself ends a
  // little later (empty POST, 204). Wait for that so the next test sees it completed.
  await fleet.cpe(1).waitForSession((s) => s.events.some((e) => e.eventCode === '6 CONNECTION REQUEST'), { timeoutMs: 5000 });
});

test('third test sees the sessions of the second', async ({ fleet }) => {
  expect(fleet).toHaveCompletedSessions(3);
});
