// `cpe-sim --usp-broker mqtts://… --ca-cert-file` and `--usp-websocket wss://…`: the TLS
// flags serve the USP connections of a USP-only fleet (the fake Controller's embedded
// broker over TLS, its wss:// server); a CA that did not sign the broker keeps the
// agents out and says so.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFakeUspController } from '../../src/controller/index.js';
import { OPENSSL_MISSING, testPki } from '../support/pki.js';
import { start } from './io.js';

const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-usp-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});

function file(name: string, pem: string): string {
  const path = join(dir, name);
  writeFileSync(path, pem);
  return path;
}

describe.skipIf(pki === undefined)(`USP over TLS from the CLI${pki ? '' : ` (skipped: ${OPENSSL_MISSING})`}`, () => {
  it('--usp-broker mqtts:// with --ca-cert-file: the agents reach the broker and answer the Controller', async () => {
    const ctl = await createFakeUspController({ embeddedBroker: { tls: { ...pki!.server, ca: pki!.ca } } });
    open.push(ctl);
    const r = start(['--profile', 'tr181-digest', '--count', '1', '--usp-broker', ctl.brokerUrl!, '--usp-controller-id', ctl.endpointId, '--ca-cert-file', file('ca.pem', pki!.ca)], { CPE_SIM_USP_MQTT_VERSION: '3.1.1' });
    try {
      await r.waitFor(/running in daemon mode \(USP agents running\)/, 'stderr');
      await expect.poll(() => ctl.agents().length, { timeout: 10_000 }).toBe(1);
      const eid = ctl.agents()[0]!;
      expect(await ctl.getValues(eid, 'Device.MQTT.Client.1.TransportProtocol')).toEqual({ 'Device.MQTT.Client.1.TransportProtocol': 'TLS' });
    } finally {
      r.stop();
      await r.done;
    }
  });

  it('--usp-websocket wss:// with a CA that did not sign the Controller: no session, a warning', async () => {
    const ctl = await createFakeUspController({ mqtt: false, websocket: { tls: pki!.server } });
    open.push(ctl);
    const r = start(['--profile', 'tr181-digest', '--count', '1', '--usp-websocket', ctl.websocketUrl!, '--usp-controller-id', ctl.endpointId, '--ca-cert-file', file('other.pem', pki!.otherCa)]);
    try {
      await r.waitFor(/TLS with the Controller failed/, 'stderr');
      expect(ctl.agents()).toEqual([]);
    } finally {
      r.stop();
      await r.done;
    }
  });
});
