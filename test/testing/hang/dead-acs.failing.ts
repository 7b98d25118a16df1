// Every test here FAILS on purpose (runner-hang.int.test.ts checks how): the ACS
// under test is broken, and Vitest's default 5 s timeout applies.
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { withCpeFleet } from '../../../src/testing/vitest.js';
import { answering500, closedPort, closeServers, silent } from './shared.js';

const profile = fileURLToPath(new URL('../../../fixtures/profiles/tr181-digest.yaml', import.meta.url));
afterAll(closeServers);

const broken = withCpeFleet({ profile, count: 2, acsUrl: await answering500() });
broken('H1 an ACS answering 500', async ({ fleet }) => {
  expect(fleet).toBeDefined();
});

const unreachable = withCpeFleet({ profile, count: 1, acsUrl: await closedPort() });
unreachable('H2 a closed port', async ({ fleet }) => {
  expect(fleet).toBeDefined();
});

// The runner's timeout fires first: the fixture still closes the pending fleet and
// prints what the CPE saw.
const hanging = withCpeFleet({ profile, count: 1, acsUrl: await silent(), bootstrapTimeoutMs: 60_000 });
hanging('H3 a silent ACS and the runner timeout first', { timeout: 1000 }, async ({ fleet }) => {
  expect(fleet).toBeDefined();
});
