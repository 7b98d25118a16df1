// The receive pipeline without a network: Records handed to the agent as an MTP would,
// with a recording MTP (it keeps what the agent sends) and the real handlers.
import { describe, expect, it } from 'vitest';
import { decodeMsg, decodeRecord, encodeMsg, peekMsg, uspRetryPolicyFrom, uspRetryRangeMs, type UspDeliveryError, type UspMtp, type UspRoute } from '../../src/usp/index.js';
import { CTL, getMsg, makeAgent, requestRecord } from './agent-harness.js';

class RecordingMtp implements UspMtp {
  readonly kind = 'websocket' as const;
  readonly sent: Uint8Array[] = [];
  up = true;
  reaches(): boolean {
    return true;
  }
  start(): void {}
  cut(): void {}
  async send(bytes: Uint8Array): Promise<void> {
    this.sent.push(bytes);
  }
  async sendConnect(): Promise<void> {}
  async close(): Promise<void> {}
}

describe('receive pipeline (usp-notes §1.7)', () => {
  it('ignores the same msg_id from the same Controller while the first is being answered (R-MSG.4)', async () => {
    const { agent, eid } = makeAgent({ mqtt: {} });
    const mtp = new RecordingMtp();
    const route: UspRoute = { mtp };
    const rec = requestRecord(eid, getMsg('dup', 'Device.DeviceInfo.SerialNumber'));
    agent.onRecord(rec, route);
    agent.onRecord(rec, route);
    // Another Controller may use the same msg_id: that is a different request.
    agent.onRecord(requestRecord(eid, getMsg('dup', 'Device.DeviceInfo.SerialNumber'), 'self::other'), route);
    await expect.poll(() => mtp.sent.length).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    const answers = mtp.sent.map((b) => decodeRecord(b));
    expect(answers.map((r) => r.to_id).sort()).toEqual([CTL, 'self::other'].sort());
    expect(answers.every((r) => decodeMsg(r.no_session_context!.payload).header.msg_id === 'dup')).toBe(true);
    // Answered: the same msg_id may come again (a new request).
    agent.onRecord(rec, route);
    await expect.poll(() => mtp.sent.length).toBe(3);
  });

  it('sendNotifyTo tells its waiter exactly once, never from inside the call, with why it failed', async () => {
    const { agent } = makeAgent({ mqtt: {} });
    const told: (Error | undefined)[] = [];
    const waiter = { notifySettled: (err: Error | undefined): void => void told.push(err) };
    const notify = { subscription_id: 's', send_resp: true, event: { obj_path: 'Device.', event_name: 'Boot!', params: {} } } as const;
    // The agent was never started (nothing provisioned, no MTP up): no Controller is reachable.
    agent.sendNotifyTo(CTL, notify, 'n-1', waiter);
    agent.sendNotifyTo('self::nobody', notify, 'n-2', waiter);
    expect(told).toEqual([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(told.map((e) => (e as UspDeliveryError).reason)).toEqual(['no-route', 'no-route']);
    await agent.close();
    agent.sendNotifyTo(CTL, notify, 'n-3', waiter);
    expect(told).toHaveLength(2);
    await expect.poll(() => told.length).toBe(3);
    expect((told[2] as UspDeliveryError).reason).toBe('closed');
    // The promise form is the same path.
    await expect(agent.sendNotify(CTL, notify)).rejects.toMatchObject({ reason: 'closed' });
  });

  it('answers an unknown request type with Error 7001 and a response it never asked for with nothing', async () => {
    const { agent, eid } = makeAgent({ mqtt: {} });
    const mtp = new RecordingMtp();
    agent.onRecord(requestRecord(eid, { header: { msg_id: 'reg', msg_type: 'REGISTER' }, body: { msg_body: 'request', request: { req_type: 'register', register: { reg_paths: [{ path: 'Device.Time.' }] } } } }), { mtp });
    agent.onRecord(requestRecord(eid, { header: { msg_id: 'gr', msg_type: 'GET_RESP' }, body: { msg_body: 'response', response: { resp_type: 'get_resp', get_resp: {} } } }), { mtp });
    await expect.poll(() => mtp.sent.length).toBe(1);
    const m = decodeMsg(decodeRecord(mtp.sent[0]!).no_session_context!.payload);
    expect(m.header.msg_id).toBe('reg');
    expect(m.body.error?.err_code).toBe(7001);
  });
});

describe('peekMsg (R-MTP.5)', () => {
  it('reads msg_id and the body kind of a Msg the codec refuses, and nothing of garbage', () => {
    const ok = encodeMsg({ header: { msg_id: 'x-1', msg_type: 'GET' }, body: { msg_body: 'request', request: { req_type: 'get', get: { param_paths: ['Device.'] } } } });
    expect(peekMsg(ok)).toEqual({ msgId: 'x-1', body: 'request' });
    expect(peekMsg(encodeMsg({ header: { msg_id: 'r', msg_type: 'GET_RESP' }, body: { msg_body: 'response', response: { resp_type: 'get_resp', get_resp: {} } } }))).toEqual({ msgId: 'r', body: 'response' });
    expect(peekMsg(new Uint8Array([0xff, 0xff, 0xff]))).toEqual({});
    expect(peekMsg(ok.subarray(0, 4))).toEqual({});
  });
});

describe('USP retry back-off (R-MQTT.10/.33, R-WS.19–.21, R-NOT.1–4)', () => {
  it('waits m·k^(n-1)..m·k^n seconds, n capped at 10, and the MQTT maximum interval caps it', () => {
    expect(uspRetryRangeMs(1)).toEqual([5000, 10000]);
    expect(uspRetryRangeMs(2)).toEqual([10000, 20000]);
    expect(uspRetryRangeMs(10)).toEqual([2560000, 5120000]);
    expect(uspRetryRangeMs(15)).toEqual([2560000, 5120000]);
    expect(uspRetryRangeMs(10, uspRetryPolicyFrom('5', '2000', '30720'))).toEqual([2560000, 5120000]);
    expect(uspRetryRangeMs(10, uspRetryPolicyFrom('5', '2000', '60'))).toEqual([60000, 60000]);
    // Out-of-range leaves fall back to the defaults instead of a zero-wait storm.
    expect(uspRetryPolicyFrom('0', '10', 'x')).toEqual({ minimumWaitS: 5, intervalMultiplier: 2000 });
  });
});
