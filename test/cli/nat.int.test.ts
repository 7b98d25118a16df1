import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createFakeAcs, sendUdpConnectionRequest } from '../../src/acs/index.js';
import { prosodyMissing, startProsody } from '../support/servers/prosody.js';
import { coturnMissing, startCoturn } from '../support/servers/coturn.js';
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

  it('--stun-* and --xmpp-* need their server; --xmpp-server needs domain and password; bad HOST:PORT named', () => {
    expect(() => parseSimArgs(['--profile', 'p.yaml', '--stun-username', 'u'], {})).toThrow(/--stun-username has no effect without --stun-server/);
    expect(() => parseSimArgs(['--profile', 'p.yaml', '--stun-server', 'nohost'], {})).toThrow(/--stun-server: invalid value "nohost": expected HOST:PORT/);
    expect(() => parseSimArgs(['--profile', 'p.yaml', '--xmpp-server', '127.0.0.1:5222', '--xmpp-domain', 'd'], {})).toThrow(/needs --xmpp-password/);
    expect(() => parseSimArgs(['--profile', 'p.yaml', '--xmpp-domain', 'd'], {})).toThrow(/--xmpp-domain has no effect without --xmpp-server/);
    const r = parseSimArgs(['--profile', 'p.yaml', '--xmpp-server', 'h:5222', '--xmpp-domain', 'd', '--xmpp-password', 'x', '--stun-server', '127.0.0.1:3478'], {});
    expect(r.kind === 'run' && r.settings).toMatchObject({ xmppServer: 'h:5222', xmppDomain: 'd', xmppUsername: '{cpe_id}', stunServer: '127.0.0.1:3478' });
  });

  it.skipIf(prosodyMissing !== undefined || coturnMissing !== undefined)(
    `a daemon with --xmpp-server and --stun-server: an XMPP CR through Prosody wakes the CPE${prosodyMissing ?? coturnMissing ? ` (skipped: ${prosodyMissing ?? coturnMissing})` : ''}`,
    async () => {
      await using prosody = await startProsody({ users: { 'cpe-1': 'Xmpp-S3cret', 'cpe-2': 'Xmpp-S3cret', 'cpe-3': 'Xmpp-S3cret', acs: 'ap' } });
      await using coturn = await startCoturn();
      const r = start(['--profile', DIGEST, '--xmpp-server', `127.0.0.1:${prosody.port}`, '--xmpp-domain', prosody.domain, '--xmpp-password', 'Xmpp-S3cret', '--stun-server', `127.0.0.1:${coturn.port}`]);
      await using acs = await createFakeAcs({ xmpp: { service: prosody.service, domain: prosody.domain, username: 'acs', password: 'ap' } });
      try {
        await r.waitFor(/xmpp logins done online=3 cpes=3/, 'stderr', 30_000);
        await r.waitFor(/DIG-002 acs->cpe 204/);
        const res = await acs.xmppConnectionRequest(`cpe-2@${prosody.domain}/cwmp`, { username: 'cr-cpe-2', password: 'secret' });
        expect(res.outcome).toBe('result');
        await r.waitFor(/DIG-002 cpe->acs +Inform \[6 CONNECTION REQUEST\]/);
        expect(r.stderr + r.stdout).not.toContain('Xmpp-S3cret'); // the XMPP password is never logged
      } finally {
        r.stop();
        await r.done;
      }
    },
    40_000,
  );
});
