// MQTT 5.0: what the agent puts in CONNECT (read off the wire by a bare TCP server and
// mqtt-packet), the fallback when a broker answers "unacceptable protocol version", and
// a real Mosquitto relaying Response Topic and Content Type both ways, with per-agent
// credentials from the seed's shared secret.
import { createServer, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { mqttPasswordFromSecret } from '../../src/usp/index.js';
import { mosquittoMissing, startMosquitto } from '../support/mosquitto.js';
import { CTL, getMsg, makeAgent, RawController, requestRecord } from './agent-harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A TCP server that parses each connection's CONNECT and answers it with `connack(version)` bytes. */
async function connectCatcher(connack: (protocolVersion: number) => Buffer | undefined): Promise<{ port: number; connects: mqttPacket.IConnectPacket[] }> {
  const connects: mqttPacket.IConnectPacket[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    parser.on('packet', (p) => {
      if (p.cmd !== 'connect') return;
      connects.push(p as mqttPacket.IConnectPacket);
      const answer = connack((p as mqttPacket.IConnectPacket).protocolVersion ?? 4);
      if (answer) s.write(answer);
    });
    parser.on('error', () => s.destroy());
    s.on('data', (d) => parser.parse(d));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as { port: number }).port, connects };
}

describe('CONNECT on the wire', () => {
  it('5.0 asks for Response Information and names the endpoint in a user property (R-MQTT.12/.13)', async () => {
    const srv = await connectCatcher(() => undefined);
    const fx = makeAgent({ mqtt: { port: srv.port, username: 'u1', password: 'p1' } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    await expect.poll(() => srv.connects.length).toBeGreaterThan(0);
    const c = srv.connects[0]!;
    expect(c.protocolVersion).toBe(5);
    expect(c.clientId).toBe(fx.eid);
    expect(c.username).toBe('u1');
    expect(String(c.password)).toBe('p1');
    expect(c.keepalive).toBe(60);
    expect(c.properties?.requestResponseInformation).toBe(true);
    expect(c.properties?.userProperties).toEqual({ 'usp-endpoint-id': fx.eid });
  });

  it('auto: a broker refusing 5.0 gets 3.1.1 next, at once; pinned 5 keeps 5.0', async () => {
    // CONNACK "unacceptable protocol version" (3.1.1 rc 1) to 5.0, accepted for 3.1.1.
    const srv = await connectCatcher((v) => (v === 5 ? Buffer.from([0x20, 0x02, 0x00, 0x01]) : Buffer.from([0x20, 0x02, 0x00, 0x00])));
    const fx = makeAgent({ mqtt: { port: srv.port } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    await expect.poll(() => srv.connects.map((c) => c.protocolVersion)).toEqual([5, 4]);
    const pinned = makeAgent({ mqtt: { port: srv.port }, mqttVersion: '5' });
    cleanups.push(() => pinned.agent.close());
    pinned.agent.start();
    await expect.poll(() => srv.connects.length, { timeout: 5000 }).toBeGreaterThanOrEqual(4);
    expect(srv.connects.slice(2).every((c) => c.protocolVersion === 5)).toBe(true);
  });

  it('pinned 3.1.1 sends a 3.1.1 CONNECT without properties', async () => {
    const srv = await connectCatcher(() => undefined);
    const fx = makeAgent({ mqtt: { port: srv.port }, mqttVersion: '3.1.1' });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    await expect.poll(() => srv.connects.length).toBeGreaterThan(0);
    expect(srv.connects[0]).toMatchObject({ protocolVersion: 4, clientId: fx.eid });
    expect(srv.connects[0]!.properties).toBeUndefined();
  });
});

describe.skipIf(mosquittoMissing)('MQTT 5.0 through Mosquitto', () => {
  it('publishes with Response Topic + Content Type usp.msg, answers on the request\'s Response Topic, with a secret-derived password', async () => {
    const secret = 'fleet-secret';
    const username = 'agent-1';
    await using broker = await startMosquitto({ users: { [username]: mqttPasswordFromSecret(secret, username), ctl: 'ctl-pw' } });
    const ctl = await RawController.connect(broker.port, 5, 'usp/v1/controller/#', { username: 'ctl', password: 'ctl-pw' });
    cleanups.push(() => ctl.close());
    const fx = makeAgent({ mqtt: { port: broker.port, username, password: mqttPasswordFromSecret(secret, username) } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    const connect = await ctl.next((r) => r.record.record_type === 'mqtt_connect');
    const agentTopic = `usp/v1/agent/${fx.eid}`;
    expect(connect.topic).toBe(`usp/v1/controller/${fx.eid}`);
    expect(connect.props).toMatchObject({ responseTopic: agentTopic, contentType: 'usp.msg' });
    expect(connect.record.mqtt_connect).toEqual({ version: 'V5', subscribed_topic: agentTopic });
    expect(fx.tree.getValue('Device.MQTT.Client.1.ProtocolVersion')).toBe('5.0');
    await ctl.publish(agentTopic, requestRecord(fx.eid, getMsg('g5', 'Device.DeviceInfo.ManufacturerOUI')), 'usp/v1/controller/self::ctl/5');
    const answer = await ctl.next((r) => r.msg?.header.msg_id === 'g5');
    expect(answer.topic).toBe('usp/v1/controller/self::ctl/5');
    expect(answer.props?.contentType).toBe('usp.msg');
    expect(answer.record.to_id).toBe(CTL);
  });

  it('a wrong password never gets the MTP up: Status says so and the agent keeps retrying', async () => {
    await using broker = await startMosquitto({ users: { 'agent-2': 'right' } });
    const fx = makeAgent({ mqtt: { port: broker.port, username: 'agent-2', password: 'wrong' } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    await expect.poll(() => fx.tree.getValue('Device.MQTT.Client.1.Status')).toBe('Error_Misconfigured');
    expect(fx.agent.online).toBe(false);
  });
});
