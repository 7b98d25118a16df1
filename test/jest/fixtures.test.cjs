// A real Jest 30 run against the BUILT CommonJS output (dist/jest.cjs): the matchers
// register on Jest's expect and useCpeFleet boots and tears down a fleet per describe.
const path = require('node:path');
const { useCpeFleet, startFleet, failureTranscript } = require('cpe-sim/jest');

const profile = path.join(__dirname, '../../fixtures/profiles/tr181-hgw.yaml');
const creds = (n) => ({ username: `cr-cpe-${n}`, password: `secret-cpe-${n}` });
const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');

/** Runs an assertion that must fail; returns its message without colours. */
async function failure(run) {
  try {
    await run();
  } catch (e) {
    return stripAnsi(e.message);
  }
  throw new Error('expected the assertion to fail, it passed');
}

describe('useCpeFleet', () => {
  const sim = useCpeFleet({ profile, count: 2, cr: { throttleWindowMs: 5000 } });
  let first;

  test('the fleet is booted before the tests and readable from the handle', async () => {
    first = sim.fleet;
    expect(sim.fleet.cpes).toHaveLength(2);
    expect(sim.acs).toBe(sim.fleet.acs);
    expect(sim.fleet).toHaveCompletedSessions(2);
    await expect(sim.fleet).toHaveInformed('0 BOOTSTRAP', { cpe: 'cpe-2' });
  });

  test('is shared by the tests of the describe block', async () => {
    expect(sim.fleet).toBe(first);
    const res = await sim.acs.connectionRequest(sim.fleet.cpe(1).crUrl, creds(1));
    expect(res).toBeAccepted();
    await expect(sim.fleet.cpe(1)).toHaveInformed('6 CONNECTION REQUEST');
    await expect(sim.acs).toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-1' });
    expect(await sim.acs.connectionRequest(sim.fleet.cpe(1).crUrl, creds(1))).toBeThrottled({ retryAfter: expect.any(Number) });
    expect(await fetch(sim.fleet.cpe(1).crUrl)).toBeUnauthorized({ scheme: 'digest' });
  });

  test('RPC and parameter matchers, asymmetric forms included', async () => {
    const cpe = sim.fleet.cpe(2);
    const spv = sim.acs.rpc('cpe-2', { name: 'SetParameterValues', parameterKey: 'k', parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '90', type: 'xsd:unsignedInt' }] }, { timeoutMs: 5000 });
    expect(await sim.acs.connectionRequest(cpe.crUrl, creds(2))).toBeAccepted();
    await spv;
    await expect(cpe).toHaveReceivedRpc('SetParameterValues', { parameterList: [{ value: expect.stringMatching(/^9/) }] });
    expect(cpe).toHaveParameterValue('Device.ManagementServer.PeriodicInformInterval', '90');
    await expect(cpe).not.toHaveReceivedRpc('Reboot');
  });

  test('failure messages come through Jest\'s matcher utils, .not included', async () => {
    const cpe = sim.fleet.cpe(1);
    const informed = await failure(() => expect(cpe).toHaveInformed('2 PERIODIC', { timeout: 50 }));
    expect(informed).toContain('expect(received).toHaveInformed(eventCode)');
    expect(informed).toContain('Expected: an Inform carrying "2 PERIODIC" from cpe-1 within 50 ms');
    expect(informed).toMatch(/cpe-1 {2}session #1 {2}\[0 BOOTSTRAP, 1 BOOT\]/);
    const not = await failure(() => expect(cpe).not.toHaveInformed('1 BOOT'));
    expect(not).toContain('expect(received).not.toHaveInformed(eventCode)');
    const param = await failure(() => expect(cpe).toHaveParameterValue('Device.DeviceInfo.SoftwareVersion', '9.9'));
    expect(param).toContain('Expected: "9.9"\nReceived: "1.0.0"');
    const accepted = await failure(() => expect({ status: 503, headers: { 'retry-after': '4' } }).toBeAccepted());
    expect(accepted).toContain('Received: 503\n  retry-after: "4"');
    expect(failureTranscript(sim.fleet)).toContain('── cpe-1 (HGW-0001)');
  });
});

describe('useCpeFleet outside a test', () => {
  const sim = useCpeFleet({ profile, count: 1, acsUrl: 'http://127.0.0.1:9/cwmp', waitFor: 'none', cr: false });
  test('.acs explains that an external ACS has no embedded one', () => {
    expect(() => sim.acs).toThrow('`.acs` exists only when no acsUrl is given');
  });
});

test('startFleet from the CJS build is AsyncDisposable', async () => {
  const fleet = await startFleet({ profile, count: 1 });
  try {
    expect(typeof fleet[Symbol.asyncDispose]).toBe('function');
    await expect(fleet.cpe(1)).toHaveInformed('1 BOOT');
  } finally {
    await fleet[Symbol.asyncDispose]();
  }
});
