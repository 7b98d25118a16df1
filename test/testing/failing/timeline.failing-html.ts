// H1 and H3 FAIL on purpose: ../failure-html.int.test.ts runs this file in a child
// Vitest with CPE_SIM_TRANSCRIPT_DIR set and checks the HTML timelines written.
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { createCpeFleet, withCpeFleet } from '../../../src/testing/vitest.js';

const profile = fileURLToPath(new URL('../../../fixtures/profiles/tr181-hgw.yaml', import.meta.url));
const test = withCpeFleet({ profile, count: 2, transcriptOnFailure: 'html', transcript: { keepXml: true } });
const cr = (n: number) => ({ username: `cr-cpe-${n}`, password: `secret-cpe-${n}` });

describe('html', () => {
  test('H1 a CR, a Fault, then an Inform that never comes', async ({ fleet, acs }) => {
    fleet.cpe(2).inject({ fault: { rpc: 'GetParameterValues', code: 9005 } });
    const gpv = acs.rpc('cpe-2', { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.<b>Nope</b>'] }, { timeoutMs: 5000 });
    expect(await acs.connectionRequest(fleet.cpe(2).crUrl!, cr(2))).toBeAccepted();
    await gpv;
    await expect(fleet).toHaveInformed('2 PERIODIC', { cpe: 'cpe-2', timeout: 100 });
  });

  test('H2 passes and writes nothing', async ({ fleet }) => {
    await expect(fleet.cpe(1)).toHaveInformed('0 BOOTSTRAP');
  });
});

test('H3 createCpeFleet writes one too', async () => {
  const fleet = await createCpeFleet({ profile, count: 1, transcriptOnFailure: 'html' });
  expect(fleet.cpe(1).sessions).toHaveLength(0);
});
