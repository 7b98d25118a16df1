// toHaveInstalledModule under a real Jest 30 run against the BUILT CommonJS output: an app
// installed by ChangeDUState through the embedded fake ACS's file server.
const path = require('node:path');
const { useCpeFleet } = require('cpe-sim/jest');

const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');
const manifest = [
  'app: {name: demo-app, version: 1.0.0, vendor: example}',
  'parameters:',
  '  - {path: Device.X_EXAMPLE_Probe.Enable, type: xsd:boolean, value: "true", writable: true}',
  '',
].join('\n');

describe('software modules under Jest', () => {
  const sim = useCpeFleet({ profile: path.join(__dirname, 'swmod.yaml'), count: 1 });

  test('toHaveInstalledModule passes once ChangeDUState installed the app, and lists what is installed when it fails', async () => {
    const cpe = sim.fleet.cpe(1);
    expect(cpe).not.toHaveInstalledModule('demo-app');
    sim.acs.files.serve('demo-app.yaml', manifest);
    const sent = sim.acs.changeDuState('cpe-1', { commandKey: 'j1', operations: [{ op: 'install', url: sim.acs.files.url('demo-app.yaml') }] });
    await cpe.inform(['6 CONNECTION REQUEST']);
    expect((await sent).response).toEqual({ name: 'ChangeDUStateResponse' });
    const done = await sim.acs.waitForDuStateChangeComplete('cpe-1', { commandKey: 'j1' });
    expect(done.results[0]).toMatchObject({ currentState: 'Installed', fault: { faultCode: 0 } });
    expect(cpe).toHaveInstalledModule('demo-app', { version: '1.0.0', vendor: expect.any(String) });
    expect(cpe).toHaveParameterValue('Device.X_EXAMPLE_Probe.Enable', 'true');
    let message = '';
    try {
      expect(cpe).toHaveInstalledModule('demo-app', { version: '2.0.0' });
    } catch (e) {
      message = stripAnsi(e.message);
    }
    expect(message).toContain('expect(cpe).toHaveInstalledModule(name)');
    expect(message).toContain('demo-app 1.0.0 (example)');
  });
});
