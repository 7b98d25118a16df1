// Reference following in USP paths (TR-369 §"Reference Following", §"List of References",
// §"Search Expressions and Reference Following"): `Ref+`, `List#n+`, `List#*+`, also
// inside search expressions, for Get, Set, Add, Delete, GetInstances, Operate and
// subscription reference lists.
import { describe, expect, it } from 'vitest';
import { Template, createParameterTree, type ParameterTree } from '../../src/datamodel/index.js';
import { decodeMsg, encodeMsg, handleRequest, parsePath, UspError } from '../../src/usp/index.js';
import type { UspInput, UspMsg, UspRequest, UspRequestContext } from '../../src/usp/index.js';
import { leaf, makeProfile, table } from '../datamodel/helpers.js';
import { CTL, flush, rig } from './notify-fixture.js';

const base = makeProfile();
const template = Template.compile(
  makeProfile({
    objects: [
      ...base.objects,
      table('Device.IP.Interface.', 2, [leaf('Name', 'eth{i}', { writable: true }), leaf('Enable', 'true', { type: 'xsd:boolean', writable: true }), leaf('Alias', 'cpe-{i}', { writable: true })]),
      table('Device.IP.Interface.1.IPv4Address.', 1, [leaf('IPAddress', '192.168.1.1', { writable: true }), leaf('Alias', 'cpe-{i}', { writable: true })]),
      table('Device.NAT.PortMapping.', 4, [leaf('Interface', '', { writable: true }), leaf('ExternalPort', '80{i}', { type: 'xsd:unsignedInt', writable: true })]),
      table('Device.WiFi.Radio.', 2, [leaf('Name', 'radio{i}'), leaf('Channel', '{i}', { type: 'xsd:unsignedInt', writable: true })]),
      table('Device.WiFi.SSID.', 2, [leaf('SSID', 'net-{i}', { writable: true }), leaf('LowerLayers', 'Device.WiFi.Radio.1, Device.WiFi.Radio.2')]),
      table('Device.WiFi.AccessPoint.', 2, [leaf('SSIDReference', 'Device.WiFi.SSID.{i}'), leaf('Enable', 'true', { type: 'xsd:boolean', writable: true })]),
    ],
  }),
);

/** PortMapping 1 → Interface 1, 2 → empty, 3 → a row that does not exist, 4 → Interface 2 by unique key (R-ARC.12). */
function context(): UspRequestContext & { tree: ParameterTree } {
  const tree = createParameterTree(template, { index: 1, id: 'cpe-1' });
  tree.setInternal('Device.NAT.PortMapping.1.Interface', 'Device.IP.Interface.1');
  tree.setInternal('Device.NAT.PortMapping.3.Interface', 'Device.IP.Interface.9');
  tree.setInternal('Device.NAT.PortMapping.4.Interface', 'Device.IP.Interface.[Name=="eth2"].');
  return { tree, template, controllerId: CTL };
}

async function send(ctx: UspRequestContext, request: UspInput<UspRequest>): Promise<UspMsg> {
  const reply = await handleRequest(ctx, decodeMsg(encodeMsg({ header: { msg_id: 'r1' }, body: { request } })));
  if (!reply) throw new Error('no reply');
  return decodeMsg(encodeMsg(reply));
}

async function get(ctx: UspRequestContext, ...paths: string[]) {
  return (await send(ctx, { get: { param_paths: paths } })).body.response!.get_resp!.req_path_results;
}

describe('paths: the reffollow syntax', () => {
  it('parses Ref+, List#n+ and List#*+ segments, and refuses #0, a bare # or a reference first', () => {
    expect(parsePath('Device.WiFi.SSID.1.LowerLayers#2+.Name').segments[4]).toEqual({ kind: 'ref', name: 'LowerLayers', item: 2 });
    expect(parsePath('Device.NAT.PortMapping.*.Interface+.').segments[4]).toEqual({ kind: 'ref', name: 'Interface', item: undefined });
    expect(parsePath('Device.WiFi.SSID.1.LowerLayers#*+.Name').segments[4]).toEqual({ kind: 'ref', name: 'LowerLayers', item: '*' });
    for (const bad of ['Device.WiFi.SSID.1.LowerLayers#0+.Name', 'Device.WiFi.SSID.1.LowerLayers#.Name', 'Interface+.Name', 'Device.X.1.A+B.Name']) {
      expect(() => parsePath(bad), bad).toThrow(UspError);
      try {
        parsePath(bad);
      } catch (e) {
        expect((e as UspError).errCode).toBe(7008);
      }
    }
  });
});

describe('Get', () => {
  it('follows a reference to the object it names (instance number or unique key), also under a wildcard', async () => {
    const ctx = context();
    const [one, all, obj] = await get(ctx, 'Device.NAT.PortMapping.1.Interface+.Name', 'Device.NAT.PortMapping.*.Interface+.Name', 'Device.NAT.PortMapping.4.Interface+.');
    expect(one).toMatchObject({ err_code: 0, resolved_path_results: [{ resolved_path: 'Device.IP.Interface.1.', result_params: { Name: 'eth1' } }] });
    // Rows 2 (empty) and 3 (dangling) lead nowhere: Get forgives them, like a search matching nothing.
    expect(all?.resolved_path_results.map((r) => [r.resolved_path, r.result_params.Name])).toEqual([
      ['Device.IP.Interface.1.', 'eth1'],
      ['Device.IP.Interface.2.', 'eth2'],
    ]);
    expect(obj?.resolved_path_results[0]).toMatchObject({ resolved_path: 'Device.IP.Interface.2.', result_params: { Name: 'eth2', Enable: 'true' } });
  });

  it('an empty or dangling reference gives no result and no error; an unknown reference parameter is 7026; a value outside the model is 7008', async () => {
    const ctx = context();
    ctx.tree.setInternal('Device.WiFi.AccessPoint.2.SSIDReference', 'Device.Nope.1');
    const [empty, dangling, unknown, outside, notObject] = await get(
      ctx,
      'Device.NAT.PortMapping.2.Interface+.Name',
      'Device.NAT.PortMapping.3.Interface+.Name',
      'Device.NAT.PortMapping.1.Nope+.Name',
      'Device.WiFi.AccessPoint.2.SSIDReference+.SSID',
      'Device.NAT.PortMapping.1.ExternalPort+.Name',
    );
    expect(empty).toMatchObject({ err_code: 0, resolved_path_results: [] });
    expect(dangling).toMatchObject({ err_code: 0, resolved_path_results: [] });
    expect(unknown?.err_code).toBe(7026);
    expect(outside?.err_code).toBe(7008);
    expect(outside?.err_msg).toContain('Device.WiFi.AccessPoint.2.SSIDReference');
    expect(notObject?.err_code).toBe(7008);
  });

  it('a list of references: #n picks item n (from 1), no # the first, #* every item; a missing item leads nowhere', async () => {
    const ctx = context();
    const [second, first, every, none] = await get(
      ctx,
      'Device.WiFi.SSID.1.LowerLayers#2+.Name',
      'Device.WiFi.SSID.1.LowerLayers+.Name',
      'Device.WiFi.SSID.*.LowerLayers#*+.Name',
      'Device.WiFi.SSID.1.LowerLayers#3+.Name',
    );
    expect(second?.resolved_path_results.map((r) => r.result_params.Name)).toEqual(['radio2']);
    expect(first?.resolved_path_results.map((r) => r.result_params.Name)).toEqual(['radio1']);
    expect(every?.resolved_path_results.map((r) => r.resolved_path)).toEqual(['Device.WiFi.Radio.1.', 'Device.WiFi.Radio.2.']);
    expect(none).toMatchObject({ err_code: 0, resolved_path_results: [] });
  });

  it('follows references inside search expressions and chains them', async () => {
    const ctx = context();
    ctx.tree.setInternal('Device.WiFi.SSID.2.SSID', 'MyHome');
    const [search, chained, listSearch] = await get(
      ctx,
      'Device.WiFi.AccessPoint.[SSIDReference+.SSID=="MyHome"].Enable',
      'Device.WiFi.AccessPoint.2.SSIDReference+.LowerLayers#2+.Channel',
      'Device.WiFi.SSID.[LowerLayers#*+.Channel>1].SSID',
    );
    expect(search?.resolved_path_results.map((r) => r.resolved_path)).toEqual(['Device.WiFi.AccessPoint.2.']);
    expect(chained?.resolved_path_results).toEqual([{ resolved_path: 'Device.WiFi.Radio.2.', result_params: { Channel: '2' } }]);
    expect(listSearch?.resolved_path_results.map((r) => r.resolved_path)).toEqual(['Device.WiFi.SSID.1.', 'Device.WiFi.SSID.2.']);
  });
});

describe('Set, Add, Delete, GetInstances', () => {
  it('Set writes through the reference; an empty or dangling one is 7016 (nothing written)', async () => {
    const ctx = context();
    const ok = (await send(ctx, { set: { allow_partial: true, update_objs: [{ obj_path: 'Device.NAT.PortMapping.1.Interface+.', param_settings: [{ param: 'Name', value: 'wan0', required: true }] }] } })).body.response!.set_resp!;
    expect(ok.updated_obj_results[0]?.oper_status.oper_success?.updated_inst_results[0]).toMatchObject({ affected_path: 'Device.IP.Interface.1.', updated_params: { Name: 'wan0' } });
    expect(ctx.tree.getValue('Device.IP.Interface.1.Name')).toBe('wan0');
    const bad = (
      await send(ctx, {
        set: {
          allow_partial: true,
          update_objs: [
            { obj_path: 'Device.NAT.PortMapping.2.Interface+.', param_settings: [{ param: 'Name', value: 'x', required: true }] },
            { obj_path: 'Device.NAT.PortMapping.3.Interface+.', param_settings: [{ param: 'Name', value: 'x', required: true }] },
          ],
        },
      })
    ).body.response!.set_resp!;
    expect(bad.updated_obj_results.map((r) => r.oper_status.oper_failure?.err_code)).toEqual([7016, 7016]);
    expect(bad.updated_obj_results[0]?.oper_status.oper_failure?.err_msg).toContain('Device.NAT.PortMapping.2.Interface is empty');
  });

  it('Add creates a row in a table reached through a reference; Delete removes rows through one', async () => {
    const ctx = context();
    const add = (await send(ctx, { add: { allow_partial: false, create_objs: [{ obj_path: 'Device.NAT.PortMapping.1.Interface+.IPv4Address.', param_settings: [{ param: 'IPAddress', value: '10.0.0.1', required: true }] }] } })).body.response!.add_resp!;
    const created = add.created_obj_results[0]!.oper_status.oper_success!.instantiated_path;
    expect(created).toBe('Device.IP.Interface.1.IPv4Address.2.');
    expect(ctx.tree.getValue(`${created}IPAddress`)).toBe('10.0.0.1');
    ctx.tree.setInternal('Device.NAT.PortMapping.2.Interface', created);
    const del = (await send(ctx, { delete: { allow_partial: false, obj_paths: ['Device.NAT.PortMapping.2.Interface+.'] } })).body.response!.delete_resp!;
    expect(del.deleted_obj_results[0]?.oper_status.oper_success?.affected_paths).toEqual([created]);
    expect(ctx.tree.has(created)).toBe(false);
    // Now dangling: Delete through it is 7016, with allow_partial=false an Error.
    const err = (await send(ctx, { delete: { allow_partial: false, obj_paths: ['Device.NAT.PortMapping.2.Interface+.'] } })).body.error!;
    expect(err.err_code).toBe(7016);
  });

  it('GetInstances follows a reference to a table row', async () => {
    const ctx = context();
    const r = (await send(ctx, { get_instances: { obj_paths: ['Device.NAT.PortMapping.4.Interface+.', 'Device.NAT.PortMapping.2.Interface+.'], first_level_only: true } })).body.response!.get_instances_resp!.req_path_results;
    expect(r[0]?.curr_insts).toEqual([{ instantiated_obj_path: 'Device.IP.Interface.2.', unique_keys: { Alias: 'cpe-2' } }]);
    expect(r[1]?.err_code).toBe(7016);
  });
});

describe('Operate and subscription reference lists', () => {
  it('Operate runs the command of the object a reference names (Subscription.{i}.Recipient+.SendOnBoardRequest())', async () => {
    const r = rig();
    const sub = r.subscribe({ id: 's', notifType: 'ValueChange', ref: 'Device.Hosts.Host.1.HostName' });
    expect(r.tree.getValue(`${sub}Recipient`)).toBe('Device.LocalAgent.Controller.1');
    const resp = await r.usp.operate({ command: `${sub}Recipient+.SendOnBoardRequest()`, command_key: '', send_resp: true, input_args: {} }, CTL);
    expect(resp?.operation_results[0]?.executed_command).toBe('Device.LocalAgent.Controller.1.SendOnBoardRequest()');
    expect(r.notifier.of('on_board_req').map((s) => s.controllerId)).toEqual([CTL]);
  });

  it('a ValueChange subscription through a reference fires for the object the reference names when the change happens', async () => {
    const r = rig();
    r.subscribe({ id: 'fw', notifType: 'ValueChange', ref: 'Device.DeviceInfo.ActiveFirmwareImage+.Available' });
    r.tree.setValues([{ name: 'Device.DeviceInfo.FirmwareImage.2.Available', value: 'true' }], 'usp');
    await flush();
    expect(r.notifier.of('value_change')).toEqual([]);
    // Bank 1 holds the running image (Available true): the Controller withdraws it.
    r.tree.setValues([{ name: 'Device.DeviceInfo.FirmwareImage.1.Available', value: 'false' }], 'usp');
    await flush();
    expect(r.notifier.of('value_change').map((s) => s.notify.value_change)).toEqual([{ param_path: 'Device.DeviceInfo.FirmwareImage.1.Available', param_value: 'false' }]);
    // The reference moves: the subscription follows it.
    r.tree.setInternal('Device.DeviceInfo.ActiveFirmwareImage', 'Device.DeviceInfo.FirmwareImage.2');
    r.tree.setValues([{ name: 'Device.DeviceInfo.FirmwareImage.2.Available', value: 'false' }], 'usp');
    await flush();
    expect(r.notifier.of('value_change').map((s) => s.notify.value_change?.param_path)).toEqual(['Device.DeviceInfo.FirmwareImage.1.Available', 'Device.DeviceInfo.FirmwareImage.2.Available']);
  });
});
