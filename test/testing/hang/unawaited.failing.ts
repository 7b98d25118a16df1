// A forgotten `await` must fail the test it belongs to (runner-hang.int.test.ts).
import { fileURLToPath } from 'node:url';
import { expect, test as plain } from 'vitest';
import { withCpeFleet } from '../../../src/testing/vitest.js';

const profile = fileURLToPath(new URL('../../../fixtures/profiles/tr181-digest.yaml', import.meta.url));
const test = withCpeFleet({ profile, count: 1, cr: false });

test('U1 toHaveInformed without await', async ({ fleet }) => {
  // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the slip under test
  expect(fleet.cpe(1)).toHaveInformed('2 PERIODIC');
});

// Runs right after U1 while U1's matcher would still be waiting: must pass, not be blamed.
plain('U2 the next test passes', () => {
  expect(1).toBe(1);
});

test('U3 awaited, it passes', async ({ fleet }) => {
  await expect(fleet.cpe(1)).toHaveInformed('0 BOOTSTRAP');
});
