import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sendUdpConnectionRequest } from '../../src/acs/index.js';
import { parseSimArgs } from '../../src/cli/options.js';
import { ConfigError } from '../../src/errors/index.js';
import { start } from './io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DIGEST = `${root}fixtures/profiles/tr181-digest.yaml`;

describe('CLI: NAT wake-up paths', () => {
  it('--udp-cr-bind-addr / env / config key; --udp-cr-publish-host needs it', () => {
    const a = parseSimArgs(['--profile', 'p.yaml', '--udp-cr-bind-addr', '127.0.0.1:0', '--udp-cr-publish-host', 'cpe.example'], {});
    expect(a.kind === 'run' && a.settings).toMatchObject({ udpCrBindAddr: '127.0.0.1:0', udpCrPublishHost: 'cpe.example' });
    const b = parseSimArgs(['--profile', 'p.yaml'], { CPE_SIM_UDP_CR_BIND_ADDR: ':7547' });
    expect(b.kind === 'run' && b.settings.udpCrBindAddr).toBe(':7547');
    expect(() => parseSimArgs(['--profile', 'p.yaml', '--udp-cr-bind-addr', 'nope'], {})).toThrow(/--udp-cr-bind-addr: invalid value "nope"/);
    expect(() => parseSimArgs(['--profile', 'p.yaml', '--udp-cr-publish-host', 'x'], {})).toThrow(ConfigError);
  });

  it('a daemon with --udp-cr-bind-addr logs the address and wakes the CPE a UDP CR names', async () => {
    const r = start(['--profile', DIGEST, '--udp-cr-bind-addr', '127.0.0.1:0']);
    try {
      const m = await r.waitFor(/udp connection request listener ready address=(127\.0\.0\.1:\d+)/, 'stderr');
      await r.waitFor(/DIG-003 acs->cpe 204/);
      await sendUdpConnectionRequest(m[1]!, { username: 'cr-cpe-3', password: 'secret' });
      await r.waitFor(/DIG-003 cpe->acs +Inform \[6 CONNECTION REQUEST\]/);
    } finally {
      r.stop();
      await r.done;
    }
  });
});
