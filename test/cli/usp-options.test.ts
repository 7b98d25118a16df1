// The USP flags (notes §8 table plus ours): flag > env > config file, the seed's config
// key spellings, and the USP-only rule (no --acs-url) refusing CWMP-side flags.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimArgs, type SimSettings } from '../../src/cli/options.js';
import { isConfigError } from '../../src/errors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-usp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(argv: string[], env: Record<string, string> = {}): SimSettings {
  const cmd = parseSimArgs(['--profile', 'tr181-digest', ...argv], env, dir);
  if (cmd.kind !== 'run') throw new Error(`expected run, got ${cmd.kind}`);
  return cmd.settings;
}

function refused(argv: string[]): string {
  try {
    run(argv);
  } catch (err) {
    if (isConfigError(err)) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('--usp-* flags', () => {
  it('defaults, and flag > env > config file', () => {
    expect(run([]).uspBroker).toBeUndefined();
    expect(run(['--usp-broker', '127.0.0.1:1883'])).toMatchObject({ uspBroker: '127.0.0.1:1883', uspControllerId: 'self::controller', uspMqttVersion: 'auto', uspEndpointIdFormat: 'spec' });
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'uspBroker: 127.0.0.1:1\nuspControllerID: self::from-file\nuspMQTTSecret: s\nuspMqttVersion: "3.1.1"\n');
    const env = { CPE_SIM_USP_CONTROLLER_ID: 'self::from-env', CPE_SIM_USP_ENDPOINT_ID_FORMAT: 'cpe-labs' };
    const s = run(['--config', file, '--usp-broker', '127.0.0.1:2', '--usp-websocket', 'ws://127.0.0.1:3/usp'], env);
    expect(s).toMatchObject({ uspBroker: '127.0.0.1:2', uspWebsocket: 'ws://127.0.0.1:3/usp', uspControllerId: 'self::from-env', uspMqttVersion: '3.1.1', uspEndpointIdFormat: 'cpe-labs', uspMqttSecret: 's' });
    expect(run(['--usp-broker', '127.0.0.1:1', '--usp-mqtt-username', 'u', '--usp-mqtt-password', 'p'])).toMatchObject({ uspMqttUsername: 'u', uspMqttPassword: 'p' });
  });

  it('refuses bad values and USP flags without a USP transport', () => {
    expect(refused(['--usp-broker', 'http://x:1'])).toMatch(/--usp-broker: invalid value "http:\/\/x:1": unknown scheme "http"; expected host:port, mqtt:\/\/host:port, mqtts:\/\/host:port \(TLS\)/);
    expect(refused(['--usp-broker', 'x:99999'])).toMatch(/--usp-broker: invalid value "x:99999": expected host:port/);
    expect(refused(['--usp-broker', 'mqtts://u:pw@x'])).toMatch(/--usp-broker: invalid value "mqtts:\/\/u:\*\*\*@x".*not in the URL/);
    expect(refused(['--usp-websocket', 'http://127.0.0.1/usp'])).toMatch(/--usp-websocket: invalid value .*expected a ws:\/\/ or wss:\/\/ URL/);
    expect(refused(['--usp-broker', '127.0.0.1:1', '--usp-mqtt-version', '4'])).toMatch(/auto, 5, 3\.1\.1/);
    expect(refused(['--usp-mqtt-secret', 's'])).toMatch(/no effect without --usp-broker/);
    expect(refused(['--usp-controller-id', 'self::c'])).toMatch(/no effect without --usp-broker or --usp-websocket/);
    expect(refused(['--usp-notify-style', 'cpe-labs'])).toMatch(/--usp-notify-style.*no effect without --usp-broker or --usp-websocket/);
    expect(refused(['--usp-broker', '127.0.0.1:1', '--usp-notify-style', 'loose'])).toMatch(/spec, cpe-labs/);
    expect(run(['--usp-broker', '127.0.0.1:1', '--usp-notify-style', 'cpe-labs']).uspNotifyStyle).toBe('cpe-labs');
  });

  it('--usp-broker takes the TLS and WebSocket URLs; the TLS flags need a TLS connection to serve', () => {
    for (const b of ['mqtt://127.0.0.1', 'mqtts://127.0.0.1:8883', 'ws://127.0.0.1:8080/mqtt', 'wss://broker.example:443/mqtt', '[::1]:1883']) expect(run(['--usp-broker', b]).uspBroker).toBe(b);
    expect(run(['--usp-broker', 'mqtts://127.0.0.1', '--ca-cert-file', 'ca.pem', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'])).toMatchObject({ caCertFile: expect.stringMatching(/ca\.pem$/), tlsCert: expect.stringMatching(/c\.pem$/) });
    expect(run(['--usp-websocket', 'wss://127.0.0.1:1/usp', '--tls-skip-verify']).tlsSkipVerify).toBe(true);
    expect(refused(['--usp-broker', '127.0.0.1:1883', '--ca-cert-file', 'ca.pem'])).toMatch(/--ca-cert-file has no effect: this USP-only fleet opens no TLS connection/);
    expect(refused(['--usp-websocket', 'ws://127.0.0.1:1/usp', '--tls-skip-verify'])).toMatch(/--tls-skip-verify has no effect/);
    // With an ACS the flags serve its HTTPS.
    expect(run(['--usp-broker', '127.0.0.1:1883', '--acs-url', 'https://127.0.0.1:7547/', '--ca-cert-file', 'ca.pem']).caCertFile).toMatch(/ca\.pem$/);
  });

  it('USP-only (no --acs-url) refuses the CWMP-side flags; with --acs-url they are fine', () => {
    expect(refused(['--usp-broker', '127.0.0.1:1', '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', 'Device.ManagementServer.ConnectionRequestURL'])).toMatch(/--cr-bind-addr is CWMP-side.*USP-only/);
    expect(refused(['--usp-websocket', 'ws://127.0.0.1:1/', '--xmpp-server', '127.0.0.1:5222', '--xmpp-domain', 'd', '--xmpp-password', 'p'])).toMatch(/--xmpp-server is CWMP-side/);
    expect(run(['--usp-broker', '127.0.0.1:1', '--acs-url', 'http://127.0.0.1:7547/', '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', 'Device.ManagementServer.ConnectionRequestURL']).crBindAddr).toBe('127.0.0.1:0');
  });
});
