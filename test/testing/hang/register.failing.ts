// Imports ONLY the main entry, as a user who wrote `import { startFleet } from
// 'cpe-sim'` would: the matchers must work (not "Invalid Chai property"). This file
// passes; it runs in runner-hang.int.test.ts's child Vitest because only a fresh
// worker proves the registration (another file's `cpe-sim/vitest` import would hide it).
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { startFleet } from '../../../src/index.js';

const profile = fileURLToPath(new URL('../../../fixtures/profiles/tr181-digest.yaml', import.meta.url));

test('R1 matchers work after importing only cpe-sim', async () => {
  const fleet = await startFleet({ profile, count: 1, cr: false });
  try {
    // Typed by cpe-sim/vitest only; at run time the main entry registered them.
    await (expect(fleet) as unknown as { toHaveInformed(code: string): Promise<void> }).toHaveInformed('0 BOOTSTRAP');
  } finally {
    await fleet.close();
  }
});
