// A real Jest 30 run against the BUILT CommonJS output: the fake USP Controller (its
// embedded aedes broker is ESM-only upstream, bundled into the CJS build) starts under
// Jest, and the USP matchers are registered on Jest's expect.
const mqtt = require('mqtt');
const { createFakeUspController, encodeRecord, wrapMsg } = require('cpe-sim');
require('cpe-sim/jest');

const AGENT = 'os::012345-JEST';

describe('fake USP Controller under Jest (CJS build)', () => {
  let ctl;
  let agent;
  beforeAll(async () => {
    ctl = await createFakeUspController();
    agent = await mqtt.connectAsync(ctl.brokerUrl, { protocolVersion: 4, clientId: AGENT, reconnectPeriod: 0 });
    await agent.subscribeAsync(`usp/v1/agent/${AGENT}/#`);
  });
  afterAll(async () => {
    await agent?.endAsync(true);
    await ctl?.close();
  });

  test('a Notify reaches it, is answered, and the matchers see it', async () => {
    const answered = new Promise((resolve) => agent.once('message', (topic) => resolve(topic)));
    const notify = { subscription_id: 'boot', send_resp: true, notification: 'event', event: { obj_path: 'Device.', event_name: 'Boot!', params: { Cause: 'LocalReboot' } } };
    const record = wrapMsg({ header: { msg_id: 'b1', msg_type: 'NOTIFY' }, body: { msg_body: 'request', request: { req_type: 'notify', notify } } }, AGENT, ctl.endpointId);
    await agent.publishAsync(`usp/v1/controller/${AGENT}/reply-to=usp%2Fv1%2Fagent%2F${AGENT}`, Buffer.from(encodeRecord(record)), { qos: 1 });
    await expect(ctl).toHaveNotified('Boot!', { agent: AGENT, notify: { event: { params: { Cause: 'LocalReboot' } } } });
    await expect(ctl).not.toHaveValueChange('Device.X');
    expect(await answered).toBe(`usp/v1/agent/${AGENT}/reply-to=usp%2Fv1%2Fcontroller%2Fself::ctl`);
    await expect(ctl.get(AGENT, 'Device.', { timeoutMs: 200 })).rejects.toMatchObject({ code: 'CPESIM_USP_TIMEOUT' });
  });
});

describe('useCpeFleet({ usp: true }) under Jest', () => {
  const { useCpeFleet } = require('cpe-sim/jest');
  const sim = useCpeFleet({ profile: 'fibre-gateway', count: 1, usp: true });

  test('the handle has the Controller; it reaches the agent by its cpe-N alias', async () => {
    const values = await sim.controller.getValues('cpe-1', 'Device.DeviceInfo.SerialNumber');
    expect(values).toEqual({ 'Device.DeviceInfo.SerialNumber': sim.fleet.cpe(1).serialNumber });
    await expect(sim.controller.get('cpe-1', 'Device.NoSuchThing.').then((r) => r.req_path_results[0].err_code)).resolves.toBe(7026);
    await expect(sim.controller.set('cpe-1', { 'Device.WiFi.SSID.9.': { SSID: 'x' } })).rejects.toBeUspError(7016);
  });
});

describe('Operate through useCpeFleet({ usp: true }) under Jest', () => {
  const { useCpeFleet } = require('cpe-sim/jest');
  const sim = useCpeFleet({ profile: 'fibre-gateway', count: 1, usp: true, timeScale: 0.001 });

  test('Device.IP.Diagnostics.IPPing() is async: a Request row, then an OperationComplete with Status and results', async () => {
    const { controller } = sim;
    await controller.subscribe('cpe-1', { id: 'oc', notifType: 'OperationComplete', referenceList: 'Device.IP.Diagnostics.' });
    const resp = await controller.operate('cpe-1', 'Device.IP.Diagnostics.IPPing()', { Host: '192.0.2.1' }, { commandKey: 'jest-ping' });
    expect(resp.operation_results[0].req_obj_path).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
    await expect(controller).toHaveNotified('OperationComplete', { agent: 'cpe-1', timeout: 15000, notify: { oper_complete: { command_name: 'IPPing()', command_key: 'jest-ping', req_output_args: { output_args: { Status: 'Complete' } } } } });
  });

  test('Device.Reboot() answers, then the agent comes back with a Boot! RemoteReboot carrying the command key', async () => {
    const { controller } = sim;
    await controller.subscribe('cpe-1', { id: 'boot', notifType: 'Event', referenceList: 'Device.Boot!', persistent: true });
    const since = Date.now();
    const resp = await controller.operate('cpe-1', 'Device.Reboot()', {}, { commandKey: 'jest-rb' });
    expect(resp.operation_results[0].operation_resp).toBe('req_output_args');
    await expect(controller).toHaveNotified('Boot!', { agent: 'cpe-1', since, timeout: 15000, notify: { event: { params: { Cause: 'RemoteReboot', CommandKey: 'jest-rb' } } } });
  });
});
