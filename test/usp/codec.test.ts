import { describe, expect, it } from 'vitest';
import {
  decodeMsg,
  decodeRecord,
  encodeMsg,
  encodeRecord,
  errorMsg,
  isUspError,
  USP_MAX_RECORD_BYTES,
  UspError,
  wrapMsg,
} from '../../src/usp/index.js';
import type { UspInput, UspMsg } from '../../src/usp/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

// Golden vectors from usp-notes §1.6, made with the official BBF schema.
const GOLDEN_GET_RECORD =
  '0a03312e33120e6f733a3a3031323334352d534e311a0973656c663a3a63746c3a3212300a050a0131100112270a250a230a214465766963652e446576696365496e666f2e536f66747761726556657273696f6e';
const GOLDEN_ERROR_MSG = '0a030a0139120a1a080d591b0000120178';
const GOLDEN_MQTT_CONNECT =
  '0a03312e33120973656c663a3a63746c1a0e6f733a3a3031323334352d534e31521d121b7573702f76312f6167656e742f6f733a3a3031323334352d534e31';

function caught(fn: () => unknown): UspError {
  try {
    fn();
  } catch (e) {
    if (isUspError(e)) return e;
    throw new Error(`expected a UspError, got ${String(e)}`);
  }
  throw new Error('expected a UspError, nothing was thrown');
}

describe('golden vectors (notes §1.6)', () => {
  const getMsg: UspInput<UspMsg> = {
    header: { msg_id: '1', msg_type: 'GET' },
    body: { request: { get: { param_paths: ['Device.DeviceInfo.SoftwareVersion'] } } },
  };

  it('a Get Msg wrapped in a no_session_context Record encodes byte for byte', () => {
    const rec = wrapMsg(getMsg, 'self::ctl', 'os::012345-SN1');
    expect(hex(encodeRecord(rec))).toBe(GOLDEN_GET_RECORD);
    // The 48 Msg bytes start at offset 36.
    expect(hex(encodeMsg(getMsg))).toBe(GOLDEN_GET_RECORD.slice(72));
  });

  it('the Get Record decodes to complete objects (defaults filled, oneof named)', () => {
    const rec = decodeRecord(bytes(GOLDEN_GET_RECORD));
    expect(rec).toMatchObject({ version: '1.3', to_id: 'os::012345-SN1', from_id: 'self::ctl', payload_security: 'PLAINTEXT', record_type: 'no_session_context' });
    expect(rec.no_session_context?.payload).toBeInstanceOf(Uint8Array);
    const msg = decodeMsg(rec.no_session_context!.payload);
    expect(msg).toEqual({
      header: { msg_id: '1', msg_type: 'GET' },
      body: { msg_body: 'request', request: { req_type: 'get', get: { param_paths: ['Device.DeviceInfo.SoftwareVersion'], max_depth: 0 } } },
    });
  });

  it('an Error Msg writes err_code as fixed32 and omits msg_type ERROR (proto3 default)', () => {
    expect(hex(encodeMsg(errorMsg('9', 7001, 'x')))).toBe(GOLDEN_ERROR_MSG);
    const m = decodeMsg(bytes(GOLDEN_ERROR_MSG));
    expect(m.header.msg_type).toBe('ERROR');
    expect(m.body.msg_body).toBe('error');
    expect(m.body.error).toEqual({ err_code: 7001, err_msg: 'x', param_errs: [] });
  });

  it('an mqtt_connect Record round-trips (V3_1_1 is the default, not written)', () => {
    const b = encodeRecord({ version: '1.3', to_id: 'self::ctl', from_id: 'os::012345-SN1', mqtt_connect: { version: 'V3_1_1', subscribed_topic: 'usp/v1/agent/os::012345-SN1' } });
    expect(hex(b)).toBe(GOLDEN_MQTT_CONNECT);
    const r = decodeRecord(b);
    expect(r.record_type).toBe('mqtt_connect');
    expect(r.mqtt_connect).toEqual({ version: 'V3_1_1', subscribed_topic: 'usp/v1/agent/os::012345-SN1' });
    expect(r.no_session_context).toBeUndefined();
  });
});

describe('schema field numbers (hand-computed from the notes §1.3 tables)', () => {
  it('Notify.event is field 3 and Event.params is a map at field 3', () => {
    const b = encodeMsg({ body: { request: { notify: { subscription_id: 's', send_resp: true, event: { obj_path: 'Device.', event_name: 'Boot!', params: { A: 'b' } } } } } });
    const notifyHex =
      '0a0173' + '1001' + '1a18' + '0a07' + hex(Buffer.from('Device.')) + '1205' + hex(Buffer.from('Boot!')) + '1a06' + '0a0141' + '120162';
    // Msg.body(2) → Body.request(1) → Request.notify(8)
    const inner = '42' + (notifyHex.length / 2).toString(16).padStart(2, '0') + notifyHex;
    const req = '0a' + (inner.length / 2).toString(16).padStart(2, '0') + inner;
    expect(hex(b)).toBe('12' + (req.length / 2).toString(16).padStart(2, '0') + req);
  });

  it('SetResp oper_failure err_code is fixed32 inside the nested OperationStatus', () => {
    const b = encodeMsg({
      body: { response: { set_resp: { updated_obj_results: [{ requested_path: 'D.', oper_status: { oper_failure: { err_code: 7021, err_msg: '' } } }] } } },
    });
    // OperationFailure: 0d + 7021 little-endian (0x1b6d).
    expect(hex(b)).toContain('0a050d6d1b0000');
  });
});

describe('round trips of every body kind', () => {
  const samples: UspMsg[] = [
    {
      header: { msg_id: 'a', msg_type: 'SET' },
      body: {
        msg_body: 'request',
        request: { req_type: 'set', set: { allow_partial: true, update_objs: [{ obj_path: 'Device.X.', param_settings: [{ param: 'A', value: '1', required: true }] }] } },
      },
    },
    {
      header: { msg_id: 'b', msg_type: 'GET_SUPPORTED_DM_RESP' },
      body: {
        msg_body: 'response',
        response: {
          resp_type: 'get_supported_dm_resp',
          get_supported_dm_resp: {
            req_obj_results: [
              {
                req_obj_path: 'Device.',
                err_code: 0,
                err_msg: '',
                data_model_inst_uri: 'urn:x',
                supported_objs: [
                  {
                    supported_obj_path: 'Device.IP.Interface.{i}.',
                    access: 'OBJ_ADD_DELETE',
                    is_multi_instance: true,
                    supported_commands: [{ command_name: 'Reset()', input_arg_names: [], output_arg_names: ['X'], command_type: 'CMD_ASYNC' }],
                    supported_events: [{ event_name: 'Boot!', arg_names: ['Cause'] }],
                    supported_params: [{ param_name: 'Enable', access: 'PARAM_READ_WRITE', value_type: 'PARAM_BOOLEAN', value_change: 'VALUE_CHANGE_WILL_IGNORE' }],
                    divergent_paths: [],
                    unique_key_sets: [{ key_names: ['Alias'] }],
                  },
                ],
              },
            ],
          },
        },
      },
    },
    {
      header: { msg_id: 'c', msg_type: 'OPERATE_RESP' },
      body: {
        msg_body: 'response',
        response: {
          resp_type: 'operate_resp',
          operate_resp: {
            operation_results: [
              { executed_command: 'Device.Reboot()', operation_resp: 'req_output_args', req_output_args: { output_args: {} } },
              { executed_command: 'Device.X.Download()', operation_resp: 'req_obj_path', req_obj_path: 'Device.LocalAgent.Request.1.' },
              { executed_command: 'Device.Y()', operation_resp: 'cmd_failure', cmd_failure: { err_code: 7022, err_msg: 'no' } },
            ],
          },
        },
      },
    },
    {
      header: { msg_id: 'd', msg_type: 'NOTIFY' },
      body: {
        msg_body: 'request',
        request: {
          req_type: 'notify',
          notify: {
            subscription_id: 'sub',
            send_resp: false,
            notification: 'oper_complete',
            oper_complete: { obj_path: 'Device.', command_name: 'Reboot()', command_key: 'k', operation_resp: 'cmd_failure', cmd_failure: { err_code: 7800, err_msg: 'x' } },
          },
        },
      },
    },
    {
      header: { msg_id: 'e', msg_type: 'DELETE_RESP' },
      body: {
        msg_body: 'response',
        response: {
          resp_type: 'delete_resp',
          delete_resp: {
            deleted_obj_results: [
              {
                requested_path: 'Device.X.*.',
                oper_status: { oper_status: 'oper_success', oper_success: { affected_paths: ['Device.X.1.'], unaffected_path_errs: [{ unaffected_path: 'Device.X.2.', err_code: 7024, err_msg: 'no' }] } },
              },
            ],
          },
        },
      },
    },
  ];

  it.each(samples.map((m) => [m.header.msg_id, m] as const))('msg %s decodes to what was encoded', (_id, m) => {
    expect(decodeMsg(encodeMsg(m))).toEqual(m);
  });

  it('uint64 session ids keep all 64 bits as decimal strings', () => {
    const b = encodeRecord({ version: '1.3', to_id: 'a', from_id: 'b', session_context: { session_id: '18446744073709551615', sequence_id: '1', payload: [new Uint8Array([1])] } });
    const r = decodeRecord(b);
    expect(r.record_type).toBe('session_context');
    expect(r.session_context).toMatchObject({ session_id: '18446744073709551615', sequence_id: '1', expected_id: '0', payload_sar_state: 'NONE' });
    expect(r.session_context?.payload.map((p) => [...p])).toEqual([[1]]);
  });
});

describe('bad input', () => {
  it('truncated or garbage Records are UspError 7100', () => {
    expect(caught(() => decodeRecord(bytes('0aff'))).errCode).toBe(7100);
    expect(caught(() => decodeRecord(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).errCode).toBe(7100);
    // field 1 with wire type 7 (does not exist)
    expect(caught(() => decodeRecord(bytes('0f'))).message).toMatch(/cannot decode USP Record/);
  });

  it('garbage Msgs are UspError 7004', () => {
    const e = caught(() => decodeMsg(bytes('12ff01')));
    expect(e.errCode).toBe(7004);
    expect(e.code).toBe('CPESIM_USP_ERROR');
  });

  it('an unknown msg_type number is refused (R-ENC.2), naming the field', () => {
    // Header{msg_id "1", msg_type 99}: protobufjs alone would decode 99 silently.
    const e = caught(() => decodeMsg(bytes('0a050a01311063')));
    expect(e.errCode).toBe(7004);
    expect(e.message).toMatch(/header\.msg_type.*99/);
  });

  it('an unknown enum deep inside a body is refused too', () => {
    const ok = encodeMsg({ body: { response: { get_supported_dm_resp: { req_obj_results: [{ supported_objs: [{ access: 'OBJ_DELETE_ONLY' }] }] } } } });
    expect(decodeMsg(ok).body.response?.get_supported_dm_resp?.req_obj_results[0]?.supported_objs[0]?.access).toBe('OBJ_DELETE_ONLY');
    const bad = Buffer.from(ok);
    // OBJ_DELETE_ONLY (3) is the last byte (field 2 varint); make it 9.
    expect(bad[bad.length - 1]).toBe(3);
    bad[bad.length - 1] = 9;
    expect(caught(() => decodeMsg(bad)).message).toMatch(/access.*9/);
  });

  it('an unknown payload_security in a Record is 7104', () => {
    expect(caught(() => decodeRecord(bytes('2007'))).errCode).toBe(7104);
  });

  it('oversized input is refused with 7005 before decoding', () => {
    expect(caught(() => decodeRecord(new Uint8Array(64), { maxBytes: 63 })).errCode).toBe(7005);
    expect(caught(() => decodeMsg(new Uint8Array(USP_MAX_RECORD_BYTES + 1))).errCode).toBe(7005);
  });

  it('non-bytes input is a UspError, not a TypeError', () => {
    expect(caught(() => decodeRecord('abc' as unknown as Uint8Array)).errCode).toBe(7100);
  });

  it('an empty Msg decodes to a body with no member (the dispatcher answers it)', () => {
    const m = decodeMsg(new Uint8Array(0));
    expect(m.header).toEqual({ msg_id: '', msg_type: 'ERROR' });
    expect(m.body.msg_body).toBeUndefined();
  });
});
