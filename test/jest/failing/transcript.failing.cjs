// J1, J3 and J4 FAIL on purpose: ../environment.test.cjs runs this file in a child Jest
// under cpe-sim/jest-environment and checks what it printed.
const path = require('node:path');
const { useCpeFleet } = require('cpe-sim/jest');

const profile = path.join(__dirname, '../../../fixtures/profiles/tr181-hgw.yaml');
const creds = (n) => ({ username: `cr-cpe-${n}`, password: `secret-cpe-${n}` });

describe('printing', () => {
  const sim = useCpeFleet({ profile, count: 2 });

  test('J1 a CR, then an Inform that never comes', async () => {
    expect(await sim.acs.connectionRequest(sim.fleet.cpe(2).crUrl, creds(2))).toBeAccepted();
    await expect(sim.fleet.cpe(2)).toHaveInformed('6 CONNECTION REQUEST');
    await expect(sim.fleet).toHaveInformed('2 PERIODIC', { cpe: 'cpe-2', timeout: 100 });
  });

  test('J2 passes after a CR to cpe-1', async () => {
    expect(await sim.acs.connectionRequest(sim.fleet.cpe(1).crUrl, creds(1))).toBeAccepted();
    await expect(sim.fleet.cpe(1)).toHaveInformed('6 CONNECTION REQUEST');
  });
});

describe('silenced', () => {
  const sim = useCpeFleet({ profile, count: 1, transcriptOnFailure: false });

  test('J3 fails without a transcript', async () => {
    expect(await sim.acs.connectionRequest(sim.fleet.cpe(1).crUrl, { username: 'cr-cpe-1', password: 'wrong' })).toBeAccepted();
  });
});

describe('html', () => {
  const sim = useCpeFleet({ profile, count: 2, transcriptOnFailure: 'html' });

  test('J4 writes the timeline and names it in the failure message', async () => {
    // inform() resolves once the session ended: the timeline holds it whole.
    await sim.fleet.cpe(1).inform(['2 PERIODIC']);
    await expect(sim.fleet).toHaveInformed('3 SCHEDULED', { cpe: 'cpe-1', timeout: 100 });
  });
});
