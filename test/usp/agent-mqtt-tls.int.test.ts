// The MQTT MTP over the other TR-181 transports (Device.MQTT.Client.{i}.TransportProtocol
// TLS, WebSocket, WebSocketTLS), against a real Mosquitto with TLS and websockets
// listeners and a throwaway PKI: connect and a Get round trip on 3.1.1 and 5.0, the
// broker certificate checked against the configured CA (a wrong CA is Error_Misconfigured
// and a warning, never a connection), and a client certificate for a broker demanding one.
import { describe, expect, it, afterEach } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import type { MqttTransportProtocol, UspTlsOptions } from '../../src/usp/index.js';
import { mosquittoForSuite, mosquittoMissing } from '../support/mosquitto.js';
import { OPENSSL_MISSING, testPki } from '../support/pki.js';
import { getMsg, makeAgent, RawController, requestRecord } from './agent-harness.js';

const pki = testPki();
const why = mosquittoMissing ?? (pki === undefined ? OPENSSL_MISSING : undefined);
const title = (t: string): string => `${t}${why !== undefined ? ` (skipped: ${why})` : ''}`;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Log lines of level `level` and above, as JSON text. */
function recordingLogger(level: 'warn' | 'debug' = 'warn'): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level, format: 'json', write: (l) => lines.push(l) }) };
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe.skipIf(why !== undefined)(title('MQTT MTP over TLS and WebSocket (real Mosquitto)'), () => {
  const broker = mosquittoForSuite({ tls: pki ? { ...pki.server, ca: pki.ca } : undefined, websockets: true });

  /** An agent on `transport` at `url`, a raw Controller on the plain listener, and a Get answered through the broker. */
  async function roundTrip(transport: MqttTransportProtocol, url: string, version: '5' | '3.1.1', tls: UspTlsOptions): Promise<void> {
    const b = broker();
    const fx = makeAgent({ mqtt: { port: portOf(url), transport, protocolVersion: version === '5' ? '5.0' : '3.1.1' }, mqttVersion: version, tls });
    const ctl = await RawController.connect(b.port, version === '5' ? 5 : 4);
    cleanups.push(() => ctl.close(), () => fx.agent.close());
    fx.agent.start();
    const connect = await ctl.next((r) => r.record.record_type === 'mqtt_connect');
    expect(connect.record.mqtt_connect?.version).toBe(version === '5' ? 'V5' : 'V3_1_1');
    expect(fx.tree.getValue('Device.MQTT.Client.1.Status')).toBe('Connected');
    expect(fx.tree.getValue('Device.MQTT.Client.1.TransportProtocol')).toBe(transport);
    const agentTopic = `usp/v1/agent/${fx.eid}`;
    const rec = requestRecord(fx.eid, getMsg(`get-${transport}-${version}`, 'Device.MQTT.Client.1.TransportProtocol'));
    if (version === '5') await ctl.publish(agentTopic, rec, 'usp/v1/controller/self::ctl');
    else await ctl.publish(`${agentTopic}/reply-to=usp%2Fv1%2Fcontroller%2Fself::ctl`, rec);
    const answer = await ctl.next((r) => r.msg?.header.msg_id === `get-${transport}-${version}`);
    const res = answer.msg?.body.response?.get_resp?.req_path_results[0];
    expect(res?.err_code).toBe(0);
    expect(res?.resolved_path_results[0]?.result_params).toEqual({ TransportProtocol: transport });
  }

  for (const version of ['5', '3.1.1'] as const) {
    it(`TLS (mqtts), MQTT ${version}: connects with the custom CA and answers a Get`, async () => {
      await roundTrip('TLS', broker().tlsUrl!, version, { ca: pki!.ca });
    });
    it(`WebSocket (ws), MQTT ${version}: connects and answers a Get`, async () => {
      await roundTrip('WebSocket', broker().wsUrl!, version, {});
    });
    it(`WebSocketTLS (wss), MQTT ${version}: connects with the custom CA and answers a Get`, async () => {
      await roundTrip('WebSocketTLS', broker().wssUrl!, version, { ca: pki!.ca });
    });
  }

  it('a broker certificate that does not chain to the CA: Error_Misconfigured, a warning, never connected', async () => {
    for (const [transport, url] of [['TLS', broker().tlsUrl!], ['WebSocketTLS', broker().wssUrl!]] as const) {
      const log = recordingLogger('debug');
      const fx = makeAgent({ mqtt: { port: portOf(url), transport }, tls: { ca: pki!.otherCa }, logger: log.logger });
      cleanups.push(() => fx.agent.close());
      fx.agent.start();
      await expect.poll(() => fx.tree.getValue('Device.MQTT.Client.1.Status'), { timeout: 10_000 }).toBe('Error_Misconfigured');
      expect(fx.tree.getValue('Device.LocalAgent.MTP.1.Status')).toBe('Error');
      expect(fx.agent.online).toBe(false);
      // The agent keeps retrying (compressed back-off), but says it loudly only once.
      const tlsLines = (): { level: string }[] => log.lines.filter((l) => l.includes('TLS with the broker failed')).map((l) => JSON.parse(l) as { level: string });
      await expect.poll(() => tlsLines().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
      expect(tlsLines()[0]).toMatchObject({ level: 'warn', code: expect.stringMatching(/CERT|SIGNED|ISSUER/) });
      expect(tlsLines().slice(1).every((l) => l.level === 'debug')).toBe(true);
    }
  });

  it('without a CA the system store decides: the test CA is not in it, so the broker is refused', async () => {
    const fx = makeAgent({ mqtt: { port: portOf(broker().tlsUrl!), transport: 'TLS' } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    await expect.poll(() => fx.tree.getValue('Device.MQTT.Client.1.Status'), { timeout: 10_000 }).toBe('Error_Misconfigured');
  });

  it('an unknown TransportProtocol is Error_Misconfigured with a warning naming the expected values', async () => {
    const log = recordingLogger();
    const fx = makeAgent({ mqtt: { port: broker().port, transport: 'QUIC' as MqttTransportProtocol }, logger: log.logger });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    await expect.poll(() => fx.tree.getValue('Device.MQTT.Client.1.Status')).toBe('Error_Misconfigured');
    expect(log.lines.find((l) => l.includes('unsupported transport'))).toMatch(/TCP\/IP, TLS, WebSocket, WebSocketTLS/);
  });
});

describe.skipIf(why !== undefined)(title('MQTT over TLS to a broker that demands a client certificate'), () => {
  const broker = mosquittoForSuite({ tls: pki ? { ...pki.server, ca: pki.ca, requireCertificate: true } : undefined });

  it('with the client certificate it connects; without one it is refused (Error_Misconfigured)', async () => {
    const url = broker().tlsUrl!;
    const good = makeAgent({ mqtt: { port: portOf(url), transport: 'TLS' }, tls: { ca: pki!.ca, cert: pki!.client.cert, key: pki!.client.key } });
    cleanups.push(() => good.agent.close());
    good.agent.start();
    await expect.poll(() => good.tree.getValue('Device.MQTT.Client.1.Status'), { timeout: 10_000 }).toBe('Connected');
    const log = recordingLogger();
    const bare = makeAgent({ mqtt: { port: portOf(url), transport: 'TLS' }, tls: { ca: pki!.ca }, logger: log.logger });
    cleanups.push(() => bare.agent.close());
    bare.agent.start();
    await expect.poll(() => bare.tree.getValue('Device.MQTT.Client.1.Status'), { timeout: 10_000 }).toBe('Error_Misconfigured');
    expect(bare.agent.online).toBe(false);
    expect(log.lines.find((l) => l.includes('TLS with the broker failed')), log.lines.join('\n')).toBeDefined();
  });
});

