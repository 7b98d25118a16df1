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
    expect(refused(['--usp-broker', 'mqtt://x'])).toMatch(/--usp-broker.*HOST:PORT/);
    expect(refused(['--usp-broker', '127.0.0.1:1', '--usp-mqtt-version', '4'])).toMatch(/auto, 5, 3\.1\.1/);
    expect(refused(['--usp-mqtt-secret', 's'])).toMatch(/no effect without --usp-broker/);
    expect(refused(['--usp-controller-id', 'self::c'])).toMatch(/no effect without --usp-broker or --usp-websocket/);
    expect(refused(['--usp-notify-style', 'cpe-labs'])).toMatch(/--usp-notify-style.*no effect without --usp-broker or --usp-websocket/);
    expect(refused(['--usp-broker', '127.0.0.1:1', '--usp-notify-style', 'loose'])).toMatch(/spec, cpe-labs/);
    expect(run(['--usp-broker', '127.0.0.1:1', '--usp-notify-style', 'cpe-labs']).uspNotifyStyle).toBe('cpe-labs');
  });

  it('USP-only (no --acs-url) refuses the CWMP-side flags; with --acs-url they are fine', () => {
    expect(refused(['--usp-broker', '127.0.0.1:1', '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', 'Device.ManagementServer.ConnectionRequestURL'])).toMatch(/--cr-bind-addr is CWMP-side.*USP-only/);
    expect(refused(['--usp-websocket', 'ws://127.0.0.1:1/', '--xmpp-server', '127.0.0.1:5222', '--xmpp-domain', 'd', '--xmpp-password', 'p'])).toMatch(/--xmpp-server is CWMP-side/);
    expect(run(['--usp-broker', '127.0.0.1:1', '--acs-url', 'http://127.0.0.1:7547/', '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', 'Device.ManagementServer.ConnectionRequestURL']).crBindAddr).toBe('127.0.0.1:0');
  });
});
