import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { mosquittoForSuite, mosquittoMissing, startMosquitto } from './mosquitto.js';

const skip = mosquittoMissing !== undefined;
const title = (t: string): string => `${t}${mosquittoMissing ? ` (skipped: ${mosquittoMissing})` : ''}`;

describe.skipIf(skip)(title('test/support/mosquitto: a real Mosquitto per test file'), () => {
  const broker = mosquittoForSuite();

  it('speaks MQTT 5.0 and relays Response Topic and Content Type (what aedes cannot)', async () => {
    const sub = await mqtt.connectAsync(broker().url, { protocolVersion: 5, clientId: 'self::ctl', reconnectPeriod: 0 });
    const pub = await mqtt.connectAsync(broker().url, { protocolVersion: 5, clientId: 'os::012345-SN1', reconnectPeriod: 0 });
    try {
      await sub.subscribeAsync('usp/v1/controller/#', { qos: 1 });
      const got = new Promise<{ topic: string; payload: Buffer; responseTopic: string | undefined; contentType: string | undefined }>((resolve) => {
        sub.once('message', (topic, payload, packet) => resolve({ topic, payload, responseTopic: packet.properties?.responseTopic, contentType: packet.properties?.contentType }));
      });
      await pub.publishAsync('usp/v1/controller/os::012345-SN1', Buffer.from([1, 2, 3]), { qos: 1, properties: { responseTopic: 'usp/v1/agent/os::012345-SN1', contentType: 'usp.msg' } });
      const m = await got;
      expect(m.topic).toBe('usp/v1/controller/os::012345-SN1');
      expect([...m.payload]).toEqual([1, 2, 3]);
      expect(m.responseTopic).toBe('usp/v1/agent/os::012345-SN1');
      expect(m.contentType).toBe('usp.msg');
    } finally {
      await Promise.all([sub.endAsync(), pub.endAsync()]);
    }
  });

  it('stop() ends the broker: a later connect is refused', async () => {
    const other = await startMosquitto();
    const c = await mqtt.connectAsync(other.url, { protocolVersion: 5, reconnectPeriod: 0 });
    await c.endAsync();
    await other.stop();
    await expect(mqtt.connectAsync(other.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 2000 })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe.skipIf(skip)(title('test/support/mosquitto: password file and ACL'), () => {
  const broker = mosquittoForSuite({ users: { agent1: 'pw1' }, acl: ['user agent1', 'topic readwrite usp/v1/agent/#'] });

  it('refuses an unknown password and lets the account in', async () => {
    await expect(mqtt.connectAsync(broker().url, { protocolVersion: 5, username: 'agent1', password: 'wrong', reconnectPeriod: 0 })).rejects.toThrow(/[Nn]ot authorized|Bad User Name or Password/);
    const ok = await mqtt.connectAsync(broker().url, { protocolVersion: 5, username: 'agent1', password: 'pw1', reconnectPeriod: 0 });
    await ok.endAsync();
  });

  it('refuses usernames with ":" (mosquitto_passwd cannot store them) with a clear error', async () => {
    await expect(startMosquitto({ users: { 'os::1-2': 'x' } })).rejects.toThrow(/contains ":"/);
  });
});
