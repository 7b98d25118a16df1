// Example: an ACS rolls an app out to a router with TR-157 software modules. The reference
// mesh router (fixtures/profiles/mesh-router.yaml) has an execution environment and a
// profile rule that makes the app `broken-probe` fail its signature check. The manifests
// are served by the fake ACS's file server; the router fetches them over HTTP.
import { expect } from 'vitest';
import { withCpeFleet } from 'cpe-sim/vitest';

// An app manifest: the app and the data model it adds to the router (grafted on install).
const probe = `
app: {name: net-probe, version: 1.0.0, vendor: example, description: Latency probe}
parameters:
  - {path: Device.X_EXAMPLE_Probe.Enable, type: xsd:boolean, value: "true", writable: true}
  - {path: Device.X_EXAMPLE_Probe.Target, value: "probe.example.net", writable: true}
`;
const broken = probe.replace('net-probe', 'broken-probe').replaceAll('X_EXAMPLE_Probe', 'X_EXAMPLE_Broken');

// timeScale 0.01: the profile's 8 s install delay takes 80 real milliseconds.
const test = withCpeFleet({ profile: 'mesh-router', count: 1, timeScale: 0.01, seed: 7 });

test('the ACS installs an app on a mesh router; a broken one is refused with 9018', async ({ fleet, acs }) => {
  const cpe = fleet.cpe(1);
  const wake = () => acs.connectionRequest(cpe.crUrl!, { username: 'cpe-1', password: 'mesh-00000001' });
  acs.files.serve('apps/net-probe.yaml', probe);
  acs.files.serve('apps/broken-probe.yaml', broken);

  const sent = acs.changeDuState('cpe-1', {
    commandKey: 'probe-rollout',
    operations: [
      { op: 'install', url: acs.files.url('apps/net-probe.yaml') },
      { op: 'install', url: acs.files.url('apps/broken-probe.yaml') },
    ],
  });
  expect(await wake()).toBeAccepted();
  expect((await sent).response).toEqual({ name: 'ChangeDUStateResponse' });

  // One DUStateChangeComplete reports both operations, in order.
  const done = await acs.waitForDuStateChangeComplete('cpe-1', { commandKey: 'probe-rollout' });
  expect(done.results.map((r) => [r.currentState, r.fault.faultCode])).toEqual([
    ['Installed', 0],
    ['Failed', 9018],
  ]);
  expect(done.results[1]!.fault.faultString).toBe('signature check failed');
  expect(cpe).toHaveInstalledModule('net-probe', { version: '1.0.0' });
  expect(cpe).not.toHaveInstalledModule('broken-probe');

  // The app's parameters are part of this router's data model now.
  const reading = acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: ['Device.X_EXAMPLE_Probe.'] }, { timeoutMs: 10_000 });
  expect(await wake()).toBeAccepted();
  expect(await reading).toMatchObject({ parameterList: [{ name: 'Device.X_EXAMPLE_Probe.Enable', value: 'true' }, { name: 'Device.X_EXAMPLE_Probe.Target', value: 'probe.example.net' }] });
});
