// A fleet's agents over the encrypted and WebSocket MTPs, against the fake Controller:
// MQTT over TLS / WebSocket / WebSocketTLS through a real Mosquitto (the Controller's own
// client on TLS or WebSocket too), through the embedded aedes over WebSocket and TLS, and
// the WebSocket MTP to a `wss:` Controller; the broker/Controller certificate checked
// against `usp.tls.ca` (a wrong CA: the agent stays offline, says why, Status Error).
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeUspController, type FakeUspController } from '../../src/controller/index.js';
import { isConfigError } from '../../src/errors/index.js';
import { startFleet, type Fleet, type FleetOptions } from '../../src/fleet/index.js';
import { createLogger } from '../../src/log/index.js';
import { createCpeFleet, uspControllerOf } from '../../src/testing/vitest.js';
import { mosquittoForSuite, mosquittoMissing } from '../support/mosquitto.js';
import { OPENSSL_MISSING, testPki } from '../support/pki.js';
import { tr181Profile } from '../support/profile.js';

const pki = testPki();
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});

const profile = tr181Profile('TLS', 1, []);

async function fleetOn(ctl: FakeUspController, usp: NonNullable<FleetOptions['usp']>, extra: Partial<FleetOptions> = {}): Promise<Fleet> {
  const fleet = await startFleet({ profile, timeScale: 0.001, cwmp: false, usp: { controllerId: ctl.endpointId, ...usp }, ...extra });
  open.push(fleet);
  return fleet;
}

/** The Controller reads the agent's TransportProtocol over the MTP: a full Get round trip. */
async function transportOf(ctl: FakeUspController, fleet: Fleet): Promise<string | undefined> {
  await ctl.waitForAgent(fleet.uspAgent(1).endpointId);
  const v = await ctl.getValues(fleet.uspAgent(1).endpointId, 'Device.MQTT.Client.1.TransportProtocol');
  return v['Device.MQTT.Client.1.TransportProtocol'];
}

describe.skipIf(pki === undefined)(`embedded aedes over WebSocket and TLS${pki ? '' : ` (skipped: ${OPENSSL_MISSING})`}`, () => {
  it('ws://: the agents reach the embedded broker over WebSocket (TransportProtocol WebSocket)', async () => {
    const ctl = await createFakeUspController({ embeddedBroker: { websocket: true } });
    open.push(ctl);
    expect(ctl.brokerWebSocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    const fleet = await fleetOn(ctl, { broker: ctl.brokerWebSocketUrl!, mqttVersion: '3.1.1' });
    expect(await transportOf(ctl, fleet)).toBe('WebSocket');
  });

  it('the fixture\'s usp: { mtp: \'mqtt-websocket\' } runs the agents over it, without Mosquitto', async () => {
    const fleet = await createCpeFleet({ profile, count: 1, usp: { mtp: 'mqtt-websocket' } });
    const controller = uspControllerOf(fleet);
    expect(controller.brokerWebSocketUrl).toBeDefined();
    expect(await controller.getValues('cpe-1', 'Device.MQTT.Client.1.TransportProtocol')).toEqual({ 'Device.MQTT.Client.1.TransportProtocol': 'WebSocket' });
  });

  it('mqtts:// and wss://: the broker certificate checked against usp.tls.ca', async () => {
    const ctl = await createFakeUspController({ embeddedBroker: { websocket: true, tls: { ...pki!.server, ca: pki!.ca } } });
    open.push(ctl);
    expect(ctl.brokerUrl).toMatch(/^mqtts:/);
    expect(ctl.brokerWebSocketUrl).toMatch(/^wss:/);
    const tls = await fleetOn(ctl, { broker: ctl.brokerUrl!, mqttVersion: '3.1.1', tls: { ca: pki!.ca } });
    expect(await transportOf(ctl, tls)).toBe('TLS');
    // The next fleet's agent has the same EndpointID (= MQTT client id): one at a time.
    await tls.close();
    const wss = await fleetOn(ctl, { broker: ctl.brokerWebSocketUrl!, mqttVersion: '3.1.1', tls: { ca: pki!.ca } });
    expect(await transportOf(ctl, wss)).toBe('WebSocketTLS');
  });
});

describe.skipIf(mosquittoMissing !== undefined || pki === undefined)(`real Mosquitto over TLS and WebSocket, MQTT 5.0${mosquittoMissing ?? (pki ? '' : OPENSSL_MISSING) ? ` (skipped: ${mosquittoMissing ?? OPENSSL_MISSING})` : ''}`, () => {
  const broker = mosquittoForSuite({ tls: pki ? { ...pki.server, ca: pki.ca } : undefined, websockets: true });

  it('the Controller on mqtts:// and the agents on wss:// (two listeners of one broker)', async () => {
    const ctl = await createFakeUspController({ mqtt: { url: broker().tlsUrl!, ca: pki!.ca } });
    open.push(ctl);
    const fleet = await fleetOn(ctl, { broker: `${broker().wssUrl!}/mqtt`, mqttVersion: '5', tls: { ca: pki!.ca } });
    expect(await transportOf(ctl, fleet)).toBe('WebSocketTLS');
  });

  it('the Controller on ws:// and the agents on mqtts://', async () => {
    const ctl = await createFakeUspController({ mqtt: { url: broker().wsUrl! } });
    open.push(ctl);
    const fleet = await fleetOn(ctl, { broker: broker().tlsUrl!, mqttVersion: '5', tls: { ca: pki!.ca } });
    expect(await transportOf(ctl, fleet)).toBe('TLS');
  });

  it('a broker certificate the CA did not sign: the agent stays offline, Error_Misconfigured, a warning', async () => {
    const ctl = await createFakeUspController({ mqtt: { url: broker().url } });
    open.push(ctl);
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', format: 'json', write: (l) => lines.push(l) });
    const fleet = await fleetOn(ctl, { broker: broker().tlsUrl!, mqttVersion: '5', tls: { ca: pki!.otherCa } }, { waitFor: 'none', logger });
    const tree = fleet.cpe(1).params;
    await expect.poll(() => tree.getValue('Device.MQTT.Client.1.Status'), { timeout: 10_000 }).toBe('Error_Misconfigured');
    expect(fleet.uspAgent(1).online).toBe(false);
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l['msg']).includes('TLS with the broker failed'));
    expect(warning, lines.join('\n')).toMatchObject({ level: 'warn', endpoint: fleet.uspAgent(1).endpointId, broker: broker().tlsUrl });
  });
});

describe.skipIf(pki === undefined)(`WebSocket MTP to a wss:// Controller${pki ? '' : ` (skipped: ${OPENSSL_MISSING})`}`, () => {
  it('EnableEncryption true: the agent checks the Controller against usp.tls.ca and answers over the session', async () => {
    const ctl = await createFakeUspController({ mqtt: false, websocket: { tls: pki!.server } });
    open.push(ctl);
    expect(ctl.websocketUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/usp$/);
    const fleet = await fleetOn(ctl, { websocket: ctl.websocketUrl!, tls: { ca: pki!.ca } });
    const eid = fleet.uspAgent(1).endpointId;
    // The agent is up once its handshake is done; the Controller learns of it from the websocket_connect record.
    await ctl.waitForAgent(eid);
    const v = await ctl.getValues(eid, 'Device.LocalAgent.Controller.1.MTP.1.WebSocket.EnableEncryption');
    expect(v).toEqual({ 'Device.LocalAgent.Controller.1.MTP.1.WebSocket.EnableEncryption': 'true' });
  });

  it('a Controller certificate the CA did not sign: no session, MTP Status Error, a warning', async () => {
    const ctl = await createFakeUspController({ mqtt: false, websocket: { tls: pki!.server } });
    open.push(ctl);
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', format: 'json', write: (l) => lines.push(l) });
    const fleet = await fleetOn(ctl, { websocket: ctl.websocketUrl!, tls: { ca: pki!.otherCa } }, { waitFor: 'none', logger });
    await expect.poll(() => fleet.cpe(1).params.getValue('Device.LocalAgent.MTP.1.Status'), { timeout: 10_000 }).toBe('Error');
    expect(fleet.uspAgent(1).online).toBe(false);
    expect(ctl.agents()).toEqual([]);
    expect(lines.some((l) => l.includes('TLS with the Controller failed'))).toBe(true);
  });

  it('a Controller demanding a client certificate gets the one of usp.tls', async () => {
    const ctl = await createFakeUspController({ mqtt: false, websocket: { tls: { ...pki!.server, ca: pki!.ca, requireCertificate: true } } });
    open.push(ctl);
    const fleet = await fleetOn(ctl, { websocket: ctl.websocketUrl!, tls: { ca: pki!.ca, cert: pki!.client.cert, key: pki!.client.key } });
    expect(fleet.uspAgent(1).online).toBe(true);
    const bare = await fleetOn(ctl, { websocket: ctl.websocketUrl!, tls: { ca: pki!.ca } }, { waitFor: 'none' });
    await expect.poll(() => bare.cpe(1).params.getValue('Device.LocalAgent.MTP.1.Status'), { timeout: 10_000 }).toBe('Error');
  });
});

describe('bad broker URLs and TLS options are refused by name', () => {
  const refused = async (usp: Record<string, unknown>): Promise<string> =>
    startFleet({ profile, waitFor: 'none', cwmp: false, usp } as FleetOptions).then(
      (f) => (open.push(f), 'started'),
      (e: unknown) => (isConfigError(e) ? e.message : String(e)),
    );

  it('schemes, paths, credentials in the URL, usp.tls without an encrypted MTP, half a client certificate, an unreadable CA', async () => {
    expect(await refused({ broker: 'http://127.0.0.1:1' })).toMatch(/usp.broker: unknown scheme "http".*mqtts:\/\/host:port \(TLS\)/);
    expect(await refused({ broker: 'mqtts://127.0.0.1:8883/x' })).toMatch(/takes no path/);
    expect(await refused({ broker: 'mqtts://u:p@127.0.0.1' })).toMatch(/credentials in usp.mqttUsername/);
    expect(await refused({ broker: '127.0.0.1:1883', tls: { ca: 'x' } })).toMatch(/usp.tls has no effect/);
    expect(await refused({ broker: 'mqtts://127.0.0.1', tls: { certFile: 'c.pem' } })).toMatch(/usp.tls needs both a client certificate and its key/);
    expect(await refused({ broker: 'mqtts://127.0.0.1', tls: { caFile: '/nonexistent/ca.pem' } })).toMatch(/usp.tls.caFile \(--ca-cert-file\): cannot read/);
    expect(await refused({ broker: 'mqtts://127.0.0.1', tls: { cafile: 'x' } })).toMatch(/usp.tls.cafile is not an option/);
  });
});
