/**
 * End to end: the fake USP Controller drives the simulator's own agents (a fleet started
 * with `usp`), over the embedded aedes (MQTT 3.1.1), a real Mosquitto (MQTT 5.0) and
 * WebSocket. What the Controller reads is checked against the CPE's tree, and what it
 * writes is seen by CWMP.
 */
import { describe, expect, it } from 'vitest';
import { createCpeFleet, uspControllerOf, withCpeFleet } from '../../src/testing/vitest.js';
import { mosquittoForSuite, mosquittoMissing } from '../support/mosquitto.js';

const profile = 'fibre-gateway';
const SSID1 = 'Device.WiFi.SSID.1.SSID';

// One dual-stack fleet (CWMP + USP) for the aedes tests; WebSocket and Mosquitto start their own.
const test = withCpeFleet({ profile, count: 1, usp: true, scope: 'file' });

describe('USP over the embedded aedes broker (MQTT 3.1.1)', () => {

  test('Get: exact, partial and wildcard paths read the CPE tree; a bad path is 7026 inside the GetResp', async ({ fleet, controller }) => {
    const cpe = fleet.cpe(1);
    const exact = await controller.getValues('cpe-1', 'Device.DeviceInfo.SoftwareVersion');
    expect(exact).toEqual({ 'Device.DeviceInfo.SoftwareVersion': cpe.params.getValue('Device.DeviceInfo.SoftwareVersion') });
    const partial = await controller.getValues('cpe-1', 'Device.DeviceInfo.');
    expect(partial['Device.DeviceInfo.SerialNumber']).toBe(cpe.serialNumber);
    expect(Object.keys(partial).length).toBeGreaterThan(3);
    const wild = await controller.get('cpe-1', 'Device.WiFi.SSID.*.SSID');
    expect(wild.req_path_results[0]!.resolved_path_results.map((r) => r.resolved_path)).toEqual(['Device.WiFi.SSID.1.', 'Device.WiFi.SSID.2.']);
    const bad = await controller.get('cpe-1', 'Device.NoSuchObject.');
    expect(bad.req_path_results[0]!.err_code).toBe(7026);
    await expect(controller.getValues('cpe-1', 'Device.NoSuchObject.')).rejects.toBeUspError(7026);
  });

  test('Set: an optional failure is a param_err of a success; a required one with allow_partial=false is an Error and nothing is written', async ({ fleet, controller }) => {
    const cpe = fleet.cpe(1);
    const ok = await controller.set('cpe-1', { 'Device.WiFi.SSID.1.': { SSID: 'usp-lab', BSSID: { value: '02:00:00:00:00:01', required: false } } });
    const success = ok.updated_obj_results[0]!.oper_status.oper_success!;
    expect(success.updated_inst_results[0]!.updated_params).toEqual({ SSID: 'usp-lab' });
    expect(success.updated_inst_results[0]!.param_errs.map((e) => e.param)).toEqual(['BSSID']);
    expect(cpe).toHaveParameterValue(SSID1, 'usp-lab');
    await expect(controller.set('cpe-1', { 'Device.WiFi.SSID.1.': { SSID: 'never', BSSID: '02:00:00:00:00:02' } })).rejects.toBeUspError();
    expect(cpe).toHaveParameterValue(SSID1, 'usp-lab');
  });

  test('Add, GetInstances and Delete change the table CWMP sees', async ({ fleet, controller }) => {
    const cpe = fleet.cpe(1);
    const added = await controller.add('cpe-1', { 'Device.NAT.PortMapping.': { Enable: { value: false, required: false }, RemoteHost: '198.51.100.7' } });
    const path = added.created_obj_results[0]!.oper_status.oper_success!.instantiated_path;
    expect(path).toMatch(/^Device\.NAT\.PortMapping\.\d+\.$/);
    expect(cpe.params.getValue(`${path}RemoteHost`)).toBe('198.51.100.7');
    const inst = await controller.getInstances('cpe-1', 'Device.NAT.PortMapping.');
    expect(inst.req_path_results[0]!.curr_insts.map((i) => i.instantiated_obj_path)).toContain(path);
    const deleted = await controller.delete('cpe-1', path);
    expect(deleted.deleted_obj_results[0]!.oper_status.oper_success!.affected_paths).toEqual([path]);
    expect(cpe.params.getValue(`${path}RemoteHost`)).toBeUndefined();
  });

  test('a CWMP SetParameterValues is seen by a USP ValueChange subscription', async ({ fleet, acs, controller }) => {
    await controller.subscribe('cpe-1', { id: 'ssid-watch', notifType: 'ValueChange', referenceList: 'Device.WiFi.SSID.*.SSID' });
    const spv = acs.rpc('cpe-1', { name: 'SetParameterValues', parameterKey: 'k', parameterList: [{ name: 'Device.WiFi.SSID.2.SSID', value: 'set-by-cwmp', type: 'xsd:string' }] }, { timeoutMs: 5000 });
    await fleet.cpe(1).inform(['6 CONNECTION REQUEST']);
    expect(await spv).toMatchObject({ name: 'SetParameterValuesResponse' });
    await expect(controller).toHaveValueChange('Device.WiFi.SSID.2.SSID', 'set-by-cwmp', { agent: 'cpe-1', notify: { subscription_id: 'ssid-watch' } });
  });

  test('a USP Set is seen by a CWMP GetParameterValues', async ({ fleet, acs, controller }) => {
    await controller.set('cpe-1', { 'Device.WiFi.SSID.2.': { SSID: 'seen-by-cwmp' } });
    const gpv = acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: ['Device.WiFi.SSID.2.SSID'] }, { timeoutMs: 5000 });
    await fleet.cpe(1).inform(['6 CONNECTION REQUEST']);
    const r = await gpv;
    expect(r.name === 'GetParameterValuesResponse' ? r.parameterList : r).toEqual([expect.objectContaining({ name: 'Device.WiFi.SSID.2.SSID', value: 'seen-by-cwmp' })]);
  });
});

describe('USP over WebSocket', () => {
  it('the agent dials the Controller and answers Get and Set on that socket', async () => {
    const fleet = await createCpeFleet({ profile, count: 1, usp: { mtp: 'websocket' } });
    const controller = uspControllerOf(fleet);
    expect(await controller.getValues('cpe-1', SSID1)).toEqual({ [SSID1]: fleet.cpe(1).params.getValue(SSID1) });
    await controller.set('cpe-1', { 'Device.WiFi.SSID.1.': { SSID: 'over-ws' } });
    expect(fleet.cpe(1)).toHaveParameterValue(SSID1, 'over-ws');
    expect(controller.records.filter((r) => r.agentId === controller.resolve('cpe-1')).every((r) => r.mtp === 'websocket')).toBe(true);
  });
});

describe.skipIf(mosquittoMissing !== undefined)(`USP over a real Mosquitto (MQTT 5.0)${mosquittoMissing ? ` (skipped: ${mosquittoMissing})` : ''}`, () => {
  const broker = mosquittoForSuite();
  it('agents and Controller meet on the broker with 5.0: Get, Set, Add and Delete', async () => {
    // The broker's port is known only now, so the fleet starts inside the test.
    const fleet = await createCpeFleet({ profile, count: 1, usp: { controller: { mqtt: { url: broker().url } } } });
    const controller = uspControllerOf(fleet);
    expect(controller.mqttVersion).toBe(5);
    const cpe = fleet.cpe(1);
    expect(await controller.getValues('cpe-1', SSID1)).toEqual({ [SSID1]: cpe.params.getValue(SSID1) });
    await controller.set('cpe-1', { 'Device.WiFi.SSID.1.': { SSID: 'over-5.0' } });
    expect(cpe).toHaveParameterValue(SSID1, 'over-5.0');
    const added = await controller.add('cpe-1', { 'Device.NAT.PortMapping.': { RemoteHost: '198.51.100.9' } });
    const path = added.created_obj_results[0]!.oper_status.oper_success!.instantiated_path;
    await controller.delete('cpe-1', path);
    expect(cpe.params.getValue(`${path}RemoteHost`)).toBeUndefined();
    // 5.0 all the way: the agent's records carried a Response Topic, not a /reply-to= suffix.
    const fromAgent = controller.records.filter((r) => r.dir === 'agent->controller' && r.msg);
    expect(fromAgent.length).toBeGreaterThan(0);
    expect(fromAgent.every((r) => !r.topic?.includes('/reply-to='))).toBe(true);
  });
});
