// FAILS on purpose: ../transcript.spec.ts runs it in a child Vitest 3.2 and checks
// that onTestFailed printed the CWMP transcript.
import { expect } from 'vitest';
import { withCpeFleet } from 'cpe-sim/vitest';
import { cr, profile } from '../shared.js';

const test = withCpeFleet({ profile, count: 2 });

test('V1 a CR, then an Inform that never comes', async ({ fleet, acs }) => {
  expect(await acs.connectionRequest(fleet.cpe(2).crUrl!, cr(2))).toBeAccepted();
  await expect(fleet.cpe(2)).toHaveInformed('6 CONNECTION REQUEST');
  await expect(fleet).toHaveInformed('2 PERIODIC', { cpe: 'cpe-2', timeout: 100 });
});
