/**
 * One compact scenario, every USP message type, over each MTP the agents speak (issue 21,
 * "Done when"): the embedded aedes (MQTT 3.1.1), a real Mosquitto (MQTT 5.0), WebSocket,
 * and MQTT over WebSocket to aedes. A fleet of one CPE per MTP, driven by the fake
 * Controller's typed calls; the CWMP side through the fake ACS. Whatever one MTP does
 * differently from the others shows up here as a step failing on that MTP only.
 * No timing assertions: simulated time is compressed, waits are generous.
 */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/profile/index.js';
import { createCpeFleet, uspControllerOf, type CpeFleetUspOptions } from '../../src/testing/vitest.js';
import type { FakeUspController, UspNotifyRecord } from '../../src/controller/index.js';
import { isUspError } from '../../src/usp/index.js';
import type { Cpe } from '../../src/cpe/index.js';
import { withBootSubscription } from '../support/profile.js';
import { mosquittoForSuite, mosquittoMissing, type StartedMosquitto } from '../support/mosquitto.js';

const SSID = 'Device.WiFi.SSID.';
const PM = 'Device.NAT.PortMapping.';
const WAIT = 15_000;

// fibre-gateway (WiFi, NAT port mappings, IPPing) with a Boot! subscription, so the start's Boot! has a recipient.
const profile = withBootSubscription(await loadProfile('fibre-gateway'));

interface MtpCase {
  name: string;
  /** The fixture's `usp` option (the Mosquitto URL is known only once its broker runs). */
  usp: (broker: StartedMosquitto | undefined) => CpeFleetUspOptions;
  /** What every record of the agent must say it travelled on. */
  recordMtp: 'mqtt' | 'websocket';
  /** Device.MQTT.Client.1.TransportProtocol the agent reports (MQTT only). */
  transport?: 'TCP/IP' | 'WebSocket';
  /** MQTT version of the session: 5 carries Response Topic, 3.1.1 the `/reply-to=` suffix (TR-369 §MQTT). */
  mqttVersion?: 4 | 5;
  /** Needs a real Mosquitto (skips with its install hint when absent). */
  mosquitto?: boolean;
}

const CASES: MtpCase[] = [
  { name: 'the embedded aedes (MQTT 3.1.1)', usp: () => ({ mtp: 'mqtt' }), recordMtp: 'mqtt', transport: 'TCP/IP', mqttVersion: 4 },
  { name: 'a real Mosquitto (MQTT 5.0)', usp: (b) => ({ controller: { mqtt: { url: b!.url } } }), recordMtp: 'mqtt', transport: 'TCP/IP', mqttVersion: 5, mosquitto: true },
  { name: 'WebSocket', usp: () => ({ mtp: 'websocket' }), recordMtp: 'websocket' },
  { name: 'MQTT over WebSocket to the embedded aedes (3.1.1)', usp: () => ({ mtp: 'mqtt-websocket' }), recordMtp: 'mqtt', transport: 'WebSocket', mqttVersion: 4 },
];

/** The instance paths of `table` in the CPE's tree (`Device.NAT.PortMapping.3.` …), read the CWMP way. */
function rowsOf(cpe: Cpe, table: string): string[] {
  return cpe.params.getNames(table, true).map((i) => i.name).filter((n) => /\.\d+\.$/.test(n));
}

/** The next Notify of cpe-1 matching `pred` recorded at or after `since`, with the transcript when it does not come. */
function next(controller: FakeUspController, since: number, pred: (r: UspNotifyRecord) => boolean, what: string): Promise<UspNotifyRecord> {
  return controller.waitForNotify('cpe-1', (_n, r) => pred(r), { since, timeoutMs: WAIT }).catch((err: unknown) => {
    throw new Error(`no ${what}: ${err instanceof Error ? err.message : String(err)}\n${controller.transcript('cpe-1', { max: 30 })}`);
  });
}

/** Resolves once the Controller answered the Notify `msgId` with a NotifyResp (it answers send_resp Notifies itself). */
async function answered(controller: FakeUspController, msgId: string): Promise<void> {
  const eid = controller.resolve('cpe-1');
  const deadline = Date.now() + WAIT;
  while (!controller.records.some((r) => r.agentId === eid && r.dir === 'controller->agent' && r.msgType === 'NOTIFY_RESP' && r.msgId === msgId)) {
    if (Date.now() > deadline) throw new Error(`no NotifyResp for ${msgId}\n${controller.transcript('cpe-1', { max: 30 })}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

describe.each(CASES)('every USP message type over $name', (c) => {
  const skip = c.mosquitto ? mosquittoMissing : undefined;
  const broker = c.mosquitto && !skip ? mosquittoForSuite() : () => undefined;

  it.skipIf(skip !== undefined)(`start, Get, Set, Add/Delete, GetInstances, GetSupportedDM/Protocol, Operate, Notify${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const fleet = await createCpeFleet({ profile, count: 1, usp: c.usp(broker()), timeScale: 0.001 });
    const controller = uspControllerOf(fleet);
    const cpe = fleet.cpe(1);
    const eid = controller.resolve('cpe-1');
    if (c.mqttVersion) expect(controller.mqttVersion).toBe(c.mqttVersion);
    if (c.transport) expect(cpe.params.getValue('Device.MQTT.Client.1.TransportProtocol')).toBe(c.transport);

    // --- At start: OnBoardRequest (R-NOT.5, send_resp, answered) and Boot! to the provisioned subscription.
    const onboard = await next(controller, 0, (r) => r.notify.on_board_req !== undefined, 'OnBoardRequest');
    expect(onboard.notify).toMatchObject({ subscription_id: '', send_resp: true, on_board_req: { serial_number: cpe.serialNumber } });
    await answered(controller, onboard.msgId);
    const boot = await next(controller, 0, (r) => r.notify.event?.event_name === 'Boot!', 'Boot!');
    expect(boot.notify).toMatchObject({ subscription_id: 'factory-boot', event: { obj_path: 'Device.', params: { FirmwareUpdated: 'false' } } });

    // --- Get: exact, wildcard, search expression.
    const ssid1 = cpe.params.getValue(`${SSID}1.SSID`)!;
    expect(await controller.getValues('cpe-1', `${SSID}1.SSID`)).toEqual({ [`${SSID}1.SSID`]: ssid1 });
    const rows = rowsOf(cpe, SSID);
    expect(rows.length).toBeGreaterThan(1);
    const wild = await controller.get('cpe-1', `${SSID}*.SSID`);
    expect(wild.req_path_results[0]!.resolved_path_results.map((r) => r.resolved_path)).toEqual(rows);
    const name2 = cpe.params.getValue(`${rows[1]}SSID`)!;
    const search = await controller.get('cpe-1', `${SSID}[SSID==${JSON.stringify(name2)}].SSID`);
    expect(search.req_path_results[0]!.resolved_path_results.map((r) => r.resolved_path)).toEqual(rows.filter((r) => cpe.params.getValue(`${r}SSID`) === name2));

    // --- Set: a read-only BSSID as a required parameter fails the whole Set (allow_partial=false): per-path 7013, nothing written.
    const bssid = cpe.params.getValue(`${SSID}1.BSSID`);
    const refused = await controller.set('cpe-1', { [`${SSID}1.`]: { SSID: 'never-written', BSSID: '02:00:00:00:00:02' } }).catch((e: unknown) => e);
    if (!isUspError(refused)) throw new Error(`the Set with a read-only required parameter was not refused: ${JSON.stringify(refused)}`);
    expect(refused.paramErrs).toEqual([expect.objectContaining({ param_path: `${SSID}1.BSSID`, err_code: 7013 })]);
    expect(cpe.params.getValue(`${SSID}1.SSID`)).toBe(ssid1);
    expect(cpe.params.getValue(`${SSID}1.BSSID`)).toBe(bssid);
    const set = await controller.set('cpe-1', { [`${SSID}1.`]: { SSID: `over-${c.recordMtp}` } });
    expect(set.updated_obj_results[0]!.oper_status.oper_success!.updated_inst_results[0]!.updated_params).toEqual({ SSID: `over-${c.recordMtp}` });
    expect(cpe).toHaveParameterValue(`${SSID}1.SSID`, `over-${c.recordMtp}`);

    // --- Add / GetInstances / Delete, each seen by ObjectCreation / ObjectDeletion subscriptions.
    await controller.subscribe('cpe-1', { id: 'pm-new', notifType: 'ObjectCreation', referenceList: PM });
    await controller.subscribe('cpe-1', { id: 'pm-gone', notifType: 'ObjectDeletion', referenceList: PM });
    let since = Date.now();
    const added = await controller.add('cpe-1', { [PM]: { RemoteHost: '198.51.100.7' } });
    const path = added.created_obj_results[0]!.oper_status.oper_success!.instantiated_path;
    expect(path).toMatch(/^Device\.NAT\.PortMapping\.\d+\.$/);
    expect(cpe.params.getValue(`${path}RemoteHost`)).toBe('198.51.100.7');
    const created = await next(controller, since, (r) => r.notify.obj_creation !== undefined, 'ObjectCreation');
    expect(created.notify).toMatchObject({ subscription_id: 'pm-new', obj_creation: { obj_path: path } });
    const inst = await controller.getInstances('cpe-1', PM);
    expect(inst.req_path_results[0]!.curr_insts.map((i) => i.instantiated_obj_path)).toEqual(rowsOf(cpe, PM));
    expect(rowsOf(cpe, PM)).toContain(path);
    since = Date.now();
    expect((await controller.delete('cpe-1', path)).deleted_obj_results[0]!.oper_status.oper_success!.affected_paths).toEqual([path]);
    expect(cpe.params.has(path)).toBe(false);
    const deleted = await next(controller, since, (r) => r.notify.obj_deletion !== undefined, 'ObjectDeletion');
    expect(deleted.notify).toMatchObject({ subscription_id: 'pm-gone', obj_deletion: { obj_path: path } });

    // --- GetSupportedDM and GetSupportedProtocol.
    const dm = await controller.getSupportedDM('cpe-1', 'Device.IP.Diagnostics.', { firstLevelOnly: true, returnCommands: true, returnParams: true });
    const diag = dm.req_obj_results[0]!.supported_objs.find((o) => o.supported_obj_path === 'Device.IP.Diagnostics.');
    expect(diag?.supported_commands.find((x) => x.command_name === 'IPPing()')).toMatchObject({ command_type: 'CMD_ASYNC', input_arg_names: expect.arrayContaining(['Host']) });
    const proto = await controller.getSupportedProtocol('cpe-1', { versions: '1.3' });
    // The same versions the agent announced in its OnBoardRequest.
    expect(proto.agent_supported_protocol_versions).toBe(onboard.notify.on_board_req!.agent_supported_protocol_versions);

    // --- Async Operate: a Request row, then OperationComplete with the outputs.
    await controller.subscribe('cpe-1', { id: 'oc', notifType: 'OperationComplete', referenceList: 'Device.IP.Diagnostics.' });
    since = Date.now();
    const ping = await controller.operate('cpe-1', 'Device.IP.Diagnostics.IPPing()', { Host: '192.0.2.1', NumberOfRepetitions: '2' }, { commandKey: `ping-${c.recordMtp}` });
    expect(ping!.operation_results[0]).toMatchObject({ executed_command: 'Device.IP.Diagnostics.IPPing()', operation_resp: 'req_obj_path', req_obj_path: expect.stringMatching(/^Device\.LocalAgent\.Request\.\d+\.$/) });
    const done = await next(controller, since, (r) => r.notify.oper_complete?.command_key === `ping-${c.recordMtp}`, 'OperationComplete of IPPing()');
    expect(done.notify).toMatchObject({ subscription_id: 'oc', oper_complete: { command_name: 'IPPing()', req_output_args: { output_args: { Status: 'Complete' } } } });

    // --- Sync Operate: answered with its (empty) outputs; it sends an OnBoardRequest now (TR-181 SendOnBoardRequest()).
    since = Date.now();
    const sync = await controller.operate('cpe-1', 'Device.LocalAgent.Controller.1.SendOnBoardRequest()');
    expect(sync!.operation_results).toEqual([{ executed_command: 'Device.LocalAgent.Controller.1.SendOnBoardRequest()', operation_resp: 'req_output_args', req_output_args: { output_args: {} } }]);
    const again = await next(controller, since, (r) => r.notify.on_board_req !== undefined, 'OnBoardRequest of SendOnBoardRequest()');
    await answered(controller, again.msgId);

    // --- ValueChange of a CWMP write, with NotifRetry (send_resp true) and its NotifyResp.
    await controller.subscribe('cpe-1', { id: 'ssid-watch', notifType: 'ValueChange', referenceList: `${SSID}*.SSID`, notifRetry: true });
    since = Date.now();
    const spv = fleet.acs!.rpc('cpe-1', { name: 'SetParameterValues', parameterKey: 'k', parameterList: [{ name: `${SSID}2.SSID`, value: 'set-by-cwmp', type: 'xsd:string' }] }, { timeoutMs: WAIT });
    await cpe.inform(['6 CONNECTION REQUEST']);
    expect(await spv).toMatchObject({ name: 'SetParameterValuesResponse' });
    const vc = await next(controller, since, (r) => r.notify.value_change?.param_path === `${SSID}2.SSID`, 'ValueChange');
    expect(vc.notify).toMatchObject({ subscription_id: 'ssid-watch', send_resp: true, value_change: { param_value: 'set-by-cwmp' } });
    await answered(controller, vc.msgId);

    // --- Every record of this agent travelled on the expected MTP; MQTT 5.0 never used the 3.1.1 topic suffix.
    const mine = controller.records.filter((r) => r.agentId === eid);
    expect(mine.length).toBeGreaterThan(20);
    expect(mine.filter((r) => r.mtp !== c.recordMtp)).toEqual([]);
    const suffixed = mine.filter((r) => r.dir === 'agent->controller' && r.topic?.includes('/reply-to='));
    if (c.mqttVersion === 5) expect(suffixed).toEqual([]);
    // 3.1.1 has no Response Topic: every record of the agent names its reply-to in the topic (TR-369 R-MQTT.25).
    if (c.mqttVersion === 4) expect(suffixed.length).toBe(mine.filter((r) => r.dir === 'agent->controller').length);
  }, 60_000);
});
