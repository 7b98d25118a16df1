import { describe, expect, it } from 'vitest';
import { decodeMsg, encodeMsg, handleRequest } from '../../src/usp/index.js';
import type { Operate, UspInput, UspMsg } from '../../src/usp/index.js';
import { uspContext } from './fixture.js';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const wire = (m: UspInput<UspMsg>): UspMsg => decodeMsg(encodeMsg(m));

describe('handleRequest (seam 2)', () => {
  it('dispatches on the body, not on msg_type (R-MSG.10), and reuses the msg_id (R-MSG.9)', async () => {
    const ctx = uspContext();
    const reply = await handleRequest(ctx, wire({ header: { msg_id: 'x-1', msg_type: 'SET' }, body: { request: { get: { param_paths: ['Device.DeviceInfo.SoftwareVersion'] } } } }));
    expect(reply?.header).toEqual({ msg_id: 'x-1', msg_type: 'GET_RESP' });
    expect(reply?.body.response?.get_resp?.req_path_results[0]?.resolved_path_results[0]?.result_params).toEqual({ SoftwareVersion: '1.0.0' });
  });

  it('Register, Deregister and Notify requests are Error 7001', async () => {
    const ctx = uspContext();
    for (const request of [{ register: { reg_paths: [{ path: 'Device.Time.' }] } }, { deregister: { paths: [''] } }, { notify: { subscription_id: 's' } }]) {
      const reply = await handleRequest(ctx, wire({ header: { msg_id: 'r' }, body: { request } }));
      expect(reply?.body.error?.err_code).toBe(7001);
      expect(reply?.header).toEqual({ msg_id: 'r', msg_type: 'ERROR' });
    }
  });

  it('an unknown request type (a field this schema lacks) and an empty body are Error 7001', async () => {
    // Msg{header{msg_id "u"}, body{request{field 12: empty}}}: a request from a future USP version.
    const future = decodeMsg(hex('0a030a01751204' + '0a026200'));
    expect(future.body.msg_body).toBe('request');
    expect((await handleRequest(uspContext(), future))?.body.error?.err_code).toBe(7001);
    expect((await handleRequest(uspContext(), decodeMsg(hex('0a030a0175'))))?.body.error?.err_code).toBe(7001);
  });

  it('responses and errors are not answered', async () => {
    const ctx = uspContext();
    expect(await handleRequest(ctx, wire({ header: { msg_id: 'n' }, body: { response: { notify_resp: { subscription_id: 's' } } } }))).toBeUndefined();
    expect(await handleRequest(ctx, wire({ header: { msg_id: 'e' }, body: { error: { err_code: 7000 } } }))).toBeUndefined();
  });

  it('Operate goes to ctx.operate (no answer when it resolves undefined); without it 7001', async () => {
    const op = wire({ header: { msg_id: 'o' }, body: { request: { operate: { command: 'Device.Reboot()', command_key: 'k', send_resp: true } } } });
    expect((await handleRequest(uspContext(), op))?.body.error?.err_code).toBe(7001);
    const seen: [Operate, string][] = [];
    const ctx = uspContext({
      operate: async (req, controllerId) => {
        seen.push([req, controllerId]);
        return req.send_resp ? { operation_results: [{ executed_command: req.command, operation_resp: 'req_output_args', req_output_args: { output_args: {} } }] } : undefined;
      },
    });
    const reply = await handleRequest(ctx, op);
    expect(reply?.header).toEqual({ msg_id: 'o', msg_type: 'OPERATE_RESP' });
    expect(reply?.body.response?.operate_resp?.operation_results[0]?.executed_command).toBe('Device.Reboot()');
    expect(seen[0]?.[1]).toBe('self::ctl');
    expect(await handleRequest(ctx, wire({ header: { msg_id: 'p' }, body: { request: { operate: { command: 'Device.Reboot()', send_resp: false } } } }))).toBeUndefined();
  });

  it('a handler that throws something unexpected answers 7003, never rejects', async () => {
    const ctx = uspContext({
      beforeCommit: () => {
        throw new TypeError('boom');
      },
      operate: () => Promise.reject(new Error('kaput')),
    });
    const set = await handleRequest(ctx, wire({ header: { msg_id: 's' }, body: { request: { set: { allow_partial: false, update_objs: [{ obj_path: 'Device.IP.Interface.1.', param_settings: [{ param: 'MTU', value: '1' }] }] } } } }));
    expect(set?.body.error?.err_code).toBe(7003);
    expect(set?.body.error?.err_msg).toContain('boom');
    expect(ctx.tree.getValue('Device.IP.Interface.1.MTU')).toBe('1500');
    const op = await handleRequest(ctx, wire({ header: { msg_id: 'o' }, body: { request: { operate: { command: 'Device.Reboot()', send_resp: true } } } }));
    expect(op?.body.error?.err_code).toBe(7003);
  });

  it('paths that do not parse never change the tree, in any message', async () => {
    const ctx = uspContext();
    const before = JSON.stringify(ctx.tree.getValues(['']));
    const bad = ['Device.IP.Interface.[MTU=1].', 'Device..', 'Device.IP.Interface.[Name=="x].', '[x].', 'Device.IP.Interface.*'];
    const replies = await Promise.all([
      handleRequest(ctx, wire({ header: { msg_id: '1' }, body: { request: { set: { allow_partial: true, update_objs: bad.map((obj_path) => ({ obj_path, param_settings: [{ param: 'MTU', value: '1' }] })) } } } })),
      handleRequest(ctx, wire({ header: { msg_id: '2' }, body: { request: { add: { allow_partial: true, create_objs: bad.map((obj_path) => ({ obj_path })) } } } })),
      handleRequest(ctx, wire({ header: { msg_id: '3' }, body: { request: { delete: { allow_partial: true, obj_paths: bad } } } })),
      handleRequest(ctx, wire({ header: { msg_id: '4' }, body: { request: { get_instances: { obj_paths: bad } } } })),
      handleRequest(ctx, wire({ header: { msg_id: '5' }, body: { request: { get_supported_dm: { obj_paths: bad } } } })),
    ]);
    const codes = replies.map((r) => {
      const resp = r?.body.response;
      const list =
        resp?.set_resp?.updated_obj_results.map((x) => x.oper_status.oper_failure?.err_code) ??
        resp?.add_resp?.created_obj_results.map((x) => x.oper_status.oper_failure?.err_code) ??
        resp?.delete_resp?.deleted_obj_results.map((x) => x.oper_status.oper_failure?.err_code) ??
        resp?.get_instances_resp?.req_path_results.map((x) => x.err_code) ??
        resp?.get_supported_dm_resp?.req_obj_results.map((x) => x.err_code);
      return list;
    });
    // The last path ('…Interface.*' = a parameter named '*') is no parameter name either.
    for (const c of codes) expect(c).toEqual([7008, 7008, 7008, 7008, 7008]);
    expect(JSON.stringify(ctx.tree.getValues(['']))).toBe(before);
  });
});
