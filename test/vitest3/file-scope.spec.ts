// scope: 'file' on Vitest 3.2: one fleet for the whole file, a CR, and the matchers.
import { expect } from 'vitest';
import { withCpeFleet, type Fleet } from 'cpe-sim/vitest';
import { cr, profile } from './shared.js';

const test = withCpeFleet({ profile, count: 2, scope: 'file' });

let first: Fleet | undefined;

test('the fleet bootstrapped before the first test', async ({ fleet, acs }) => {
  first = fleet;
  expect(fleet).toHaveCompletedSessions(2);
  await expect(acs).toHaveInformed('0 BOOTSTRAP', { cpe: 'cpe-2' });
});

test('a Digest CR is accepted and makes the CPE inform', async ({ fleet, acs }) => {
  expect(fleet).toBe(first);
  const res = await acs.connectionRequest(fleet.cpe(1).crUrl!, cr(1));
  expect(res).toBeAccepted();
  await expect(fleet).toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-1' });
  await expect(acs).toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-1' });
  await expect(fleet).not.toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-2' });
  await fleet.cpe(1).waitForSession((s) => s.events.some((e) => e.eventCode === '6 CONNECTION REQUEST'), { timeoutMs: 5000 });
});

test('the next test sees the same fleet and its state', async ({ fleet, acs }) => {
  expect(fleet).toBe(first);
  expect(fleet.cpe(1)).toHaveCompletedSessions(2);
  const res = await acs.connectionRequest(fleet.cpe(2).crUrl!, { username: 'cr-cpe-2', password: 'wrong' });
  expect(res).toBeUnauthorized({ scheme: 'Digest' });
});
