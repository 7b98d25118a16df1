import { describe, expect, it } from 'vitest';
import { decodeMsg, encodeMsg, handleRequest, UspError } from '../../src/usp/index.js';
import type { UspInput, UspMsg, UspRequest, UspRequestContext } from '../../src/usp/index.js';
import type { ParameterChange } from '../../src/datamodel/index.js';
import { CwmpFault } from '../../src/errors/index.js';
import { uspContext } from './fixture.js';

/** Sends one request through the dispatcher and the codec, as the wire would. */
async function send(ctx: UspRequestContext, request: UspInput<UspRequest>, msg_id = 'm1'): Promise<UspMsg> {
  const wire = decodeMsg(encodeMsg({ header: { msg_id }, body: { request } }));
  const reply = await handleRequest(ctx, wire);
  if (!reply) throw new Error('no reply');
  const back = decodeMsg(encodeMsg(reply));
  expect(back.header.msg_id).toBe(msg_id);
  return back;
}

/** Every leaf of the tree, to prove a refused request changed nothing. */
function snapshot(ctx: UspRequestContext): string {
  return JSON.stringify(ctx.tree.getValues(['']));
}

describe('Get', () => {
  it('a parameter path gives its parent object and {leaf: value}; errors stay per path', async () => {
    const ctx = uspContext();
    const m = await send(ctx, { get: { param_paths: ['Device.IP.Interface.2.Name', 'Device.Nope.X', 'Device.IP.Interface.9.Name', 'Device.IP.[x'] } });
    expect(m.header.msg_type).toBe('GET_RESP');
    const r = m.body.response!.get_resp!.req_path_results;
    expect(r[0]).toEqual({ requested_path: 'Device.IP.Interface.2.Name', err_code: 0, err_msg: '', resolved_path_results: [{ resolved_path: 'Device.IP.Interface.2.', result_params: { Name: 'eth2' } }] });
    expect(r.slice(1).map((x) => x.err_code)).toEqual([7026, 7026, 7008]);
    expect(r[2]?.err_msg).toContain('Device.IP.Interface.9.Name');
  });

  it('an object path gives one result per object with params relative to it; hidden leaves read empty', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { get: { param_paths: ['Device.IP.Interface.1.', 'Device.Users.'] } })).body.response!.get_resp!.req_path_results;
    expect(r[0]?.resolved_path_results.map((x) => x.resolved_path)).toEqual(['Device.IP.Interface.1.', 'Device.IP.Interface.1.Stats.']);
    expect(r[0]?.resolved_path_results[0]?.result_params).toMatchObject({ Enable: 'true', Name: 'eth1', MTU: '1500' });
    expect(r[0]?.resolved_path_results[1]?.result_params).toEqual({ BytesSent: '1000' });
    expect(r[1]?.resolved_path_results).toEqual([{ resolved_path: 'Device.Users.', result_params: { Password: '' } }]);
  });

  it('wildcards and searches return every match under the one requested path; no match is an empty success', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { get: { param_paths: ['Device.IP.Interface.*.Name', 'Device.IP.Interface.[MTU>1500].Name', 'Device.IP.Interface.[Enable==true && Name=="eth3"].MTU'] } })).body.response!.get_resp!
      .req_path_results;
    expect(r[0]?.resolved_path_results.map((x) => x.result_params['Name'])).toEqual(['eth1', 'eth2', 'eth3']);
    expect(r[1]).toMatchObject({ err_code: 0, resolved_path_results: [] });
    expect(r[2]?.resolved_path_results).toEqual([{ resolved_path: 'Device.IP.Interface.3.', result_params: { MTU: '1500' } }]);
  });

  it('max_depth: 1 = the object own params, 2 = plus direct sub-objects, 0 = all', async () => {
    const ctx = uspContext();
    const paths = async (max_depth: number): Promise<string[]> =>
      (await send(ctx, { get: { param_paths: ['Device.WiFi.'], max_depth } })).body.response!.get_resp!.req_path_results[0]!.resolved_path_results.map((x) => x.resolved_path);
    expect(await paths(1)).toEqual(['Device.WiFi.']);
    expect(await paths(2)).toEqual(['Device.WiFi.', 'Device.WiFi.AccessPoint.1.', 'Device.WiFi.AccessPoint.2.']);
    expect(await paths(0)).toContain('Device.WiFi.AccessPoint.1.AssociatedDevice.2.');
    expect(await paths(3)).toContain('Device.WiFi.AccessPoint.1.AssociatedDevice.2.');
  });
});

describe('Set', () => {
  it('writes with origin usp, reports every written param (unchanged too) and optional failures as param_errs', async () => {
    const ctx = uspContext();
    const seen: ParameterChange[] = [];
    ctx.tree.onChange((c) => seen.push(c));
    const m = await send(ctx, {
      set: {
        allow_partial: false,
        update_objs: [
          {
            obj_path: 'Device.IP.Interface.1.',
            param_settings: [
              { param: 'MTU', value: '1400', required: true },
              { param: 'Enable', value: 'true' },
              { param: 'Type', value: 'x' },
              { param: 'Nope', value: 'x' },
            ],
          },
        ],
      },
    });
    const ok = m.body.response!.set_resp!.updated_obj_results[0]!.oper_status.oper_success!;
    expect(ok.updated_inst_results).toEqual([
      {
        affected_path: 'Device.IP.Interface.1.',
        updated_params: { MTU: '1400', Enable: 'true' },
        param_errs: [
          { param: 'Type', err_code: 7013, err_msg: expect.stringContaining('read-only') },
          { param: 'Nope', err_code: 7010, err_msg: expect.stringContaining('Device.IP.Interface.1.Nope') },
        ],
      },
    ]);
    expect(seen).toEqual([{ path: 'Device.IP.Interface.1.MTU', oldValue: '1500', newValue: '1400', origin: 'usp' }]);
  });

  it('a hidden parameter (a password) is written but not echoed in updated_params', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { set: { update_objs: [{ obj_path: 'Device.Users.', param_settings: [{ param: 'Password', value: 'n3w', required: true }] }] } })).body.response!.set_resp!
      .updated_obj_results[0]!.oper_status.oper_success!.updated_inst_results[0]!;
    expect(r.updated_params).toEqual({ Password: '' });
    expect(ctx.tree.getValue('Device.Users.Password')).toBe('n3w');
  });

  it('maps bad values to 7011 (not the type) and 7012 (out of range)', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { set: { allow_partial: true, update_objs: [{ obj_path: 'Device.IP.Interface.1.', param_settings: [{ param: 'MTU', value: 'big' }, { param: 'Enable', value: 'maybe' }, { param: 'MTU', value: '99999999999' }, { param: 'Stats.BytesSent', value: '1' }] }] } }))
      .body.response!.set_resp!.updated_obj_results[0]!.oper_status.oper_success!.updated_inst_results[0]!;
    expect(r.param_errs.map((e) => [e.param, e.err_code])).toEqual([
      ['MTU', 7012],
      ['Enable', 7011],
      // A relative path into a sub-object names that parameter (read-only here).
      ['Stats.BytesSent', 7013],
    ]);
    const r2 = (await send(ctx, { set: { allow_partial: true, update_objs: [{ obj_path: 'Device.IP.Interface.1.', param_settings: [{ param: 'MTU', value: 'big' }] }] } })).body.response!.set_resp!
      .updated_obj_results[0]!.oper_status.oper_success!.updated_inst_results[0]!;
    expect(r2.param_errs.map((e) => e.err_code)).toEqual([7011]);
  });

  it('allow_partial=true: a required failure fails that object only; the others are applied', async () => {
    const ctx = uspContext();
    const m = await send(ctx, {
      set: {
        allow_partial: true,
        update_objs: [
          { obj_path: 'Device.IP.Interface.1.', param_settings: [{ param: 'MTU', value: '1', required: true }, { param: 'Type', value: 'x', required: true }] },
          { obj_path: 'Device.IP.Interface.2.', param_settings: [{ param: 'MTU', value: '2', required: true }] },
          { obj_path: 'Device.IP.Interface.7.', param_settings: [{ param: 'MTU', value: '2', required: true }] },
        ],
      },
    });
    const [a, b, c] = m.body.response!.set_resp!.updated_obj_results;
    expect(a?.oper_status.oper_failure).toMatchObject({ err_code: 7021, updated_inst_failures: [{ affected_path: 'Device.IP.Interface.1.', param_errs: [{ param: 'Type', err_code: 7013 }] }] });
    expect(ctx.tree.getValue('Device.IP.Interface.1.MTU')).toBe('1500');
    expect(b?.oper_status.oper_status).toBe('oper_success');
    expect(ctx.tree.getValue('Device.IP.Interface.2.MTU')).toBe('2');
    expect(c?.oper_status.oper_failure?.err_code).toBe(7016);
  });

  it('allow_partial=false: any required failure is an Error with full-path param_errs and nothing is written', async () => {
    const ctx = uspContext();
    const before = snapshot(ctx);
    const m = await send(ctx, {
      set: {
        allow_partial: false,
        update_objs: [
          { obj_path: 'Device.IP.Interface.2.', param_settings: [{ param: 'MTU', value: '2', required: true }] },
          { obj_path: 'Device.IP.Interface.1.', param_settings: [{ param: 'MTU', value: 'x', required: true }] },
        ],
      },
    });
    expect(m.body.msg_body).toBe('error');
    expect(m.body.error).toMatchObject({ err_code: 7021, param_errs: [{ param_path: 'Device.IP.Interface.1.MTU', err_code: 7011 }] });
    expect(snapshot(ctx)).toBe(before);
  });

  it('a search path is all-or-nothing per obj_path even with allow_partial=true, one failure per failed row', async () => {
    const ctx = uspContext();
    ctx.tree.setValues([{ name: 'Device.IP.Interface.3.Enable', value: 'false' }], 'acs');
    // The commit hook refuses row 2 only: rows 1 and 3 must not be written either.
    const hooked = uspContext({
      beforeCommit: (c) => {
        if (c.objPath === 'Device.IP.Interface.2.') throw new UspError(7012, 'row 2 refuses', [{ param_path: 'Device.IP.Interface.2.MTU', err_code: 7012, err_msg: 'no' }]);
      },
    });
    const before = snapshot(hooked);
    const m = await send(hooked, { set: { allow_partial: true, update_objs: [{ obj_path: 'Device.IP.Interface.*.', param_settings: [{ param: 'MTU', value: '9000', required: true }] }] } });
    const f = m.body.response!.set_resp!.updated_obj_results[0]!.oper_status.oper_failure!;
    expect(f.err_code).toBe(7012);
    expect(f.updated_inst_failures).toEqual([{ affected_path: 'Device.IP.Interface.2.', param_errs: [{ param: 'MTU', err_code: 7012, err_msg: 'no' }] }]);
    expect(snapshot(hooked)).toBe(before);
    // Without the refusal the same search writes every row.
    const ok = await send(ctx, { set: { allow_partial: true, update_objs: [{ obj_path: 'Device.IP.Interface.[Enable==true].', param_settings: [{ param: 'MTU', value: '9000', required: true }] }] } });
    expect(ok.body.response!.set_resp!.updated_obj_results[0]!.oper_status.oper_success!.updated_inst_results.map((r) => r.affected_path)).toEqual(['Device.IP.Interface.1.', 'Device.IP.Interface.2.']);
    expect(ctx.tree.getValue('Device.IP.Interface.3.MTU')).toBe('1500');
  });

  it('a CwmpFault from the tree inside the hook is mapped (9005 7010, 9006 7011, 9007 7012, 9008 7013)', async () => {
    for (const [cwmp, usp] of [
      [9005, 7010],
      [9006, 7011],
      [9007, 7012],
      [9008, 7013],
    ] as const) {
      const ctx = uspContext({
        beforeCommit: () => {
          throw new CwmpFault(cwmp);
        },
      });
      const f = (await send(ctx, { set: { allow_partial: true, update_objs: [{ obj_path: 'Device.IP.Interface.1.', param_settings: [{ param: 'MTU', value: '1' }] }] } })).body.response!.set_resp!
        .updated_obj_results[0]!.oper_status.oper_failure!;
      expect(f.err_code).toBe(usp);
    }
  });

  it('beforeCommit sees a set before the write, with the values sent', async () => {
    const calls: string[] = [];
    const ctx = uspContext({ beforeCommit: (c, tree) => calls.push(`${c.kind} ${c.objPath} ${JSON.stringify(c.params)} old=${tree.getValue(`${c.objPath}MTU`)} ${c.controllerId}`) });
    await send(ctx, { set: { update_objs: [{ obj_path: 'Device.IP.Interface.1.', param_settings: [{ param: 'MTU', value: '1280' }] }] } });
    expect(calls).toEqual(['set Device.IP.Interface.1. {"MTU":"1280"} old=1500 self::ctl']);
  });
});

describe('Add', () => {
  it('creates a row, applies params with origin usp, assigns the missing unique keys and reports them', async () => {
    const ctx = uspContext();
    const m = await send(ctx, { add: { allow_partial: false, create_objs: [{ obj_path: 'Device.IP.Interface.', param_settings: [{ param: 'Name', value: 'wan0' }, { param: 'MTU', value: '1492' }] }] } });
    expect(m.header.msg_type).toBe('ADD_RESP');
    const r = m.body.response!.add_resp!.created_obj_results[0]!;
    expect(r).toEqual({
      requested_path: 'Device.IP.Interface.',
      oper_status: { oper_status: 'oper_success', oper_success: { instantiated_path: 'Device.IP.Interface.4.', param_errs: [], unique_keys: { Alias: 'cpe-4', Name: 'wan0' } } },
    });
    expect(ctx.tree.getValue('Device.IP.Interface.4.MTU')).toBe('1492');
  });

  it('a Name left at a default that clashes is made unique too', async () => {
    const ctx = uspContext();
    ctx.tree.setValues([{ name: 'Device.IP.Interface.1.Name', value: 'eth4' }], 'acs');
    const r = (await send(ctx, { add: { create_objs: [{ obj_path: 'Device.IP.Interface.' }] } })).body.response!.add_resp!.created_obj_results[0]!;
    // The new row 4 defaults to Name eth4, which row 1 holds now.
    expect(r.oper_status.oper_success?.unique_keys).toEqual({ Alias: 'cpe-4', Name: 'cpe-4' });
  });

  it('a duplicate unique key given by the Controller is 7025 and the row is removed again', async () => {
    const ctx = uspContext();
    const before = snapshot(ctx);
    const r = (await send(ctx, { add: { allow_partial: true, create_objs: [{ obj_path: 'Device.IP.Interface.', param_settings: [{ param: 'Alias', value: 'cpe-2' }] }] } })).body.response!.add_resp!
      .created_obj_results[0]!;
    expect(r.oper_status.oper_failure?.err_code).toBe(7025);
    expect(r.oper_status.oper_failure?.err_msg).toContain('Device.IP.Interface.2.');
    expect(snapshot(ctx)).toBe(before);
  });

  it('not a table 7018, device-managed table 7019, unknown table 7026, required param failed => its code', async () => {
    const ctx = uspContext();
    const r = (
      await send(ctx, {
        add: {
          allow_partial: true,
          create_objs: [
            { obj_path: 'Device.DeviceInfo.' },
            { obj_path: 'Device.IP.Interface.1.' },
            { obj_path: 'Device.DeviceInfo.ProcessStatus.Process.' },
            { obj_path: 'Device.Nope.' },
            { obj_path: 'Device.IP.Interface.', param_settings: [{ param: 'MTU', value: '-1', required: true }] },
            { obj_path: 'Device.IP.Interface.', param_settings: [{ param: 'Type', value: 'x', required: false }] },
          ],
        },
      })
    ).body.response!.add_resp!.created_obj_results;
    expect(r.map((x) => x.oper_status.oper_failure?.err_code ?? 0)).toEqual([7018, 7018, 7019, 7026, 7011, 0]);
    expect(r[5]?.oper_status.oper_success?.param_errs).toEqual([{ param: 'Type', err_code: 7013, err_msg: expect.any(String) }]);
  });

  it('a parameter the supported model has but a new row lacks (a group leaf of row 1): optional => param_err 7010 of a success, required => 7010 and the row removed', async () => {
    const ctx = uspContext();
    const optional = (await send(ctx, { add: { allow_partial: true, create_objs: [{ obj_path: 'Device.IP.Interface.', param_settings: [{ param: 'X_Extra', value: 'y' }, { param: 'MTU', value: '1400' }] }] } }))
      .body.response!.add_resp!.created_obj_results[0]!;
    expect(optional.oper_status.oper_success).toMatchObject({ instantiated_path: 'Device.IP.Interface.4.', param_errs: [{ param: 'X_Extra', err_code: 7010, err_msg: expect.stringContaining('Device.IP.Interface.4.X_Extra') }] });
    expect(ctx.tree.getValue('Device.IP.Interface.4.MTU')).toBe('1400');
    const before = snapshot(ctx);
    const required = (await send(ctx, { add: { allow_partial: true, create_objs: [{ obj_path: 'Device.IP.Interface.', param_settings: [{ param: 'X_Extra', value: 'y', required: true }] }] } }))
      .body.response!.add_resp!.created_obj_results[0]!;
    expect(required.oper_status.oper_failure?.err_code).toBe(7010);
    expect(required.oper_status.oper_failure?.err_msg).toContain('Device.IP.Interface.5.X_Extra');
    expect(snapshot(ctx)).toBe(before);
  });

  it('allow_partial=false: one failure is an Error and rows created earlier in the message are removed', async () => {
    const ctx = uspContext();
    const before = snapshot(ctx);
    const m = await send(ctx, {
      add: {
        allow_partial: false,
        create_objs: [{ obj_path: 'Device.IP.Interface.' }, { obj_path: 'Device.IP.Interface.', param_settings: [{ param: 'Name', value: 'eth1' }] }],
      },
    });
    expect(m.body.error?.err_code).toBe(7025);
    expect(snapshot(ctx)).toBe(before);
    expect(ctx.tree.getNames('Device.IP.Interface.', true).map((n) => n.name)).toHaveLength(3);
  });

  it('Add through a search of parent rows adds one row per matched table (same requested_path)', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { add: { create_objs: [{ obj_path: 'Device.WiFi.AccessPoint.*.AC.', param_settings: [{ param: 'AckPolicy', value: 'false' }] }] } })).body.response!.add_resp!.created_obj_results;
    expect(r.map((x) => [x.requested_path, x.oper_status.oper_success?.instantiated_path])).toEqual([
      ['Device.WiFi.AccessPoint.*.AC.', 'Device.WiFi.AccessPoint.1.AC.1.'],
      ['Device.WiFi.AccessPoint.*.AC.', 'Device.WiFi.AccessPoint.2.AC.1.'],
    ]);
    expect(ctx.tree.getValue('Device.WiFi.AccessPoint.2.AC.1.AckPolicy')).toBe('false');
    // AssociatedDevice rows have no writable parameter: the device manages them.
    const m = await send(ctx, { add: { create_objs: [{ obj_path: 'Device.WiFi.AccessPoint.1.AssociatedDevice.' }] } });
    expect(m.body.error?.err_code).toBe(7019);
  });

  it('beforeCommit sees the new row with its params applied and may refuse it', async () => {
    const ctx = uspContext({
      beforeCommit: (c, tree) => {
        if (c.kind === 'add' && tree.getValue(`${c.objPath}MTU`) === '1') throw new UspError(7012, 'MTU 1 refused');
      },
    });
    const before = snapshot(ctx);
    const r = (await send(ctx, { add: { allow_partial: true, create_objs: [{ obj_path: 'Device.IP.Interface.', param_settings: [{ param: 'MTU', value: '1' }] }] } })).body.response!.add_resp!.created_obj_results[0]!;
    expect(r.oper_status.oper_failure).toEqual({ err_code: 7012, err_msg: 'MTU 1 refused' });
    expect(snapshot(ctx)).toBe(before);
  });
});

describe('Delete', () => {
  it('deletes rows (nested rows listed as affected too); a valid path matching nothing is success', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { delete: { allow_partial: false, obj_paths: ['Device.WiFi.AccessPoint.1.', 'Device.IP.Interface.[MTU==1].', 'Device.IP.Interface.9.'] } })).body.response!.delete_resp!
      .deleted_obj_results;
    expect(r[0]?.oper_status.oper_success?.affected_paths).toEqual(['Device.WiFi.AccessPoint.1.', 'Device.WiFi.AccessPoint.1.AssociatedDevice.1.', 'Device.WiFi.AccessPoint.1.AssociatedDevice.2.']);
    expect(r[1]?.oper_status.oper_success?.affected_paths).toEqual([]);
    expect(r[2]?.oper_status.oper_success?.affected_paths).toEqual([]);
    expect(ctx.tree.has('Device.WiFi.AccessPoint.1.')).toBe(false);
  });

  it('device-managed rows: unaffected_path_errs with allow_partial=true, an Error (nothing deleted) with false', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { delete: { allow_partial: true, obj_paths: ['Device.DeviceInfo.ProcessStatus.Process.*.', 'Device.IP.Interface.3.'] } })).body.response!.delete_resp!.deleted_obj_results;
    expect(r[0]?.oper_status.oper_success).toEqual({
      affected_paths: [],
      unaffected_path_errs: [
        { unaffected_path: 'Device.DeviceInfo.ProcessStatus.Process.1.', err_code: 7024, err_msg: expect.any(String) },
        { unaffected_path: 'Device.DeviceInfo.ProcessStatus.Process.2.', err_code: 7024, err_msg: expect.any(String) },
      ],
    });
    expect(r[1]?.oper_status.oper_success?.affected_paths).toEqual(['Device.IP.Interface.3.']);
    const before = snapshot(ctx);
    const m = await send(ctx, { delete: { allow_partial: false, obj_paths: ['Device.IP.Interface.1.', 'Device.DeviceInfo.ProcessStatus.Process.1.'] } });
    expect(m.body.error).toMatchObject({ err_code: 7024, param_errs: [{ param_path: 'Device.DeviceInfo.ProcessStatus.Process.1.' }] });
    expect(snapshot(ctx)).toBe(before);
  });

  it('a path that is not an instance is 7018; one outside the model 7026', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { delete: { allow_partial: true, obj_paths: ['Device.DeviceInfo.', 'Device.IP.Interface.', 'Device.Nope.1.'] } })).body.response!.delete_resp!.deleted_obj_results;
    expect(r.map((x) => x.oper_status.oper_failure?.err_code)).toEqual([7018, 7018, 7026]);
  });
});

describe('GetInstances', () => {
  it('lists rows with unique keys; first_level_only=false adds nested rows; a single-instance object lists the rows below it', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { get_instances: { obj_paths: ['Device.IP.Interface.', 'Device.WiFi.AccessPoint.', 'Device.DeviceInfo.', 'Device.IP.Interface.[Name=="eth2"].'], first_level_only: false } }))
      .body.response!.get_instances_resp!.req_path_results;
    expect(r[0]?.curr_insts[1]).toEqual({ instantiated_obj_path: 'Device.IP.Interface.2.', unique_keys: { Alias: 'cpe-2', Name: 'eth2' } });
    expect(r[1]?.curr_insts.map((c) => c.instantiated_obj_path)).toEqual([
      'Device.WiFi.AccessPoint.1.',
      'Device.WiFi.AccessPoint.1.AssociatedDevice.1.',
      'Device.WiFi.AccessPoint.1.AssociatedDevice.2.',
      'Device.WiFi.AccessPoint.2.',
    ]);
    expect(r[2]).toMatchObject({ err_code: 0, curr_insts: [{ instantiated_obj_path: 'Device.DeviceInfo.ProcessStatus.Process.1.' }, { instantiated_obj_path: 'Device.DeviceInfo.ProcessStatus.Process.2.' }] });
    expect(r[3]?.curr_insts.map((c) => c.instantiated_obj_path)).toEqual(['Device.IP.Interface.2.']);
    const first = (await send(ctx, { get_instances: { obj_paths: ['Device.WiFi.AccessPoint.'], first_level_only: true } })).body.response!.get_instances_resp!.req_path_results[0]!;
    expect(first.curr_insts.map((c) => c.instantiated_obj_path)).toEqual(['Device.WiFi.AccessPoint.1.', 'Device.WiFi.AccessPoint.2.']);
  });

  it('on a single-instance object: first_level_only gives the rows of the first table level below it (TR-369 GetInstances, as obuspa); a parameter path is 7018', async () => {
    const ctx = uspContext();
    const r = (await send(ctx, { get_instances: { obj_paths: ['Device.WiFi.', 'Device.', 'Device.IP.Interface.1.Name'], first_level_only: true } })).body.response!.get_instances_resp!.req_path_results;
    expect(r[0]).toMatchObject({ err_code: 0 });
    expect(r[0]?.curr_insts.map((c) => c.instantiated_obj_path)).toEqual(['Device.WiFi.AccessPoint.1.', 'Device.WiFi.AccessPoint.2.']);
    expect(r[1]?.curr_insts.map((c) => c.instantiated_obj_path)).toContain('Device.IP.Interface.3.');
    expect(r[1]?.curr_insts.map((c) => c.instantiated_obj_path)).not.toContain('Device.WiFi.AccessPoint.1.AssociatedDevice.1.');
    expect(r[2]?.err_code).toBe(7018);
    const all = (await send(ctx, { get_instances: { obj_paths: ['Device.WiFi.'], first_level_only: false } })).body.response!.get_instances_resp!.req_path_results[0]!;
    expect(all.curr_insts.map((c) => c.instantiated_obj_path)).toEqual(['Device.WiFi.AccessPoint.1.', 'Device.WiFi.AccessPoint.1.AssociatedDevice.1.', 'Device.WiFi.AccessPoint.1.AssociatedDevice.2.', 'Device.WiFi.AccessPoint.2.']);
  });
});

describe('GetSupportedDM and GetSupportedProtocol', () => {
  it('answers in {i} notation with access, types, value_change and unique keys per return_* flag', async () => {
    const ctx = uspContext({
      supportedCommands: [{ path: 'Device.IP.Interface.{i}.Reset()', input: [], output: [], type: 'CMD_SYNC' }],
      supportedEvents: [{ path: 'Device.Boot!', args: ['Cause', 'CommandKey'] }],
    });
    const r = (
      await send(ctx, {
        get_supported_dm: { obj_paths: ['Device.IP.Interface.', 'Device.DeviceInfo.ProcessStatus.Process.2.', 'Device.Nope.'], return_params: true, return_commands: true, return_unique_key_sets: true },
      })
    ).body.response!.get_supported_dm_resp!.req_obj_results;
    const iface = r[0]!;
    expect(iface.data_model_inst_uri).toMatch(/^urn:broadband-forum-org:tr-181/);
    expect(iface.supported_objs.map((o) => o.supported_obj_path)).toEqual(['Device.IP.Interface.{i}.', 'Device.IP.Interface.{i}.Stats.']);
    const row = iface.supported_objs[0]!;
    expect(row).toMatchObject({ access: 'OBJ_ADD_DELETE', is_multi_instance: true, unique_key_sets: [{ key_names: ['Alias'] }, { key_names: ['Name'] }] });
    expect(row.supported_commands).toEqual([{ command_name: 'Reset()', input_arg_names: [], output_arg_names: [], command_type: 'CMD_SYNC' }]);
    expect(row.supported_events).toEqual([]);
    expect(row.supported_params.find((p) => p.param_name === 'MTU')).toEqual({ param_name: 'MTU', access: 'PARAM_READ_WRITE', value_type: 'PARAM_UNSIGNED_INT', value_change: 'VALUE_CHANGE_ALLOWED' });
    expect(row.supported_params.find((p) => p.param_name === 'LastChange')).toMatchObject({ access: 'PARAM_READ_ONLY', value_type: 'PARAM_DATE_TIME' });
    // A generator-driven counter: the Agent will not send ValueChange for it.
    expect(iface.supported_objs[1]?.supported_params).toEqual([
      { param_name: 'BytesSent', access: 'PARAM_READ_ONLY', value_type: 'PARAM_UNSIGNED_LONG', value_change: 'VALUE_CHANGE_WILL_IGNORE' },
    ]);
    expect(r[1]?.supported_objs[0]).toMatchObject({ supported_obj_path: 'Device.DeviceInfo.ProcessStatus.Process.{i}.', access: 'OBJ_READ_ONLY' });
    expect(r[2]?.err_code).toBe(7026);
  });

  it('first_level_only: the object and its direct children, bare; events only with return_events', async () => {
    const ctx = uspContext({ supportedEvents: [{ path: 'Device.Boot!', args: ['Cause'] }] });
    const r = (await send(ctx, { get_supported_dm: { obj_paths: ['Device.'], first_level_only: true, return_params: true, return_events: true } })).body.response!.get_supported_dm_resp!
      .req_obj_results[0]!;
    expect(r.supported_objs[0]?.supported_events).toEqual([{ event_name: 'Boot!', arg_names: ['Cause'] }]);
    expect(r.supported_objs.slice(1).map((o) => o.supported_obj_path)).toEqual(['Device.DeviceInfo.', 'Device.Hosts.', 'Device.IP.', 'Device.ManagementServer.', 'Device.Users.', 'Device.WiFi.', 'Device.X_TEST.']);
    expect(r.supported_objs[1]?.supported_params).toEqual([]);
  });

  it('GetSupportedProtocol answers 1.0-1.3', async () => {
    const m = await send(uspContext(), { get_supported_protocol: { controller_supported_protocol_versions: '1.3' } });
    expect(m.header.msg_type).toBe('GET_SUPPORTED_PROTO_RESP');
    expect(m.body.response?.get_supported_protocol_resp?.agent_supported_protocol_versions).toBe('1.0,1.1,1.2,1.3');
  });
});
