// XMPP Connection Requests (TR-069 Annex K) under Jest 30's CommonJS runner on Node 20,
// against the BUILT dist/*.cjs: @xmpp/client is ESM-only, so the CJS build carries it
// bundled (tsdown.config.ts). Both sides use it here: the CPE's session and the fake
// ACS's sender. Runs against a real Prosody; skips with the install hint when absent.
const { spawn } = require('node:child_process');
const { accessSync, constants, mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { startFleet } = require('cpe-sim/jest');
const { PROSODY_BINARIES, answersStream, writeProsodyFiles } = require('../support/servers/prosody-files.cjs');

const binary = PROSODY_BINARIES.find((b) => {
  try {
    accessSync(b, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
const MS = 'Device.ManagementServer.';

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

(binary ? describe : describe.skip)(`XMPP Connection Request through Prosody from the CommonJS build${binary ? '' : ' (skipped: Prosody is not installed: apt-get install -y prosody)'}`, () => {
  let dir;
  let prosody;
  let fleet;
  let out = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cpe-sim-jest-prosody-'));
    const port = await freePort();
    const { config } = writeProsodyFiles({ dir, port, domain: 'localhost', users: { 'cpe-1': 'xmpp-pw', 'cpe-2': 'xmpp-pw', acs: 'acs-pw' }, logLevel: 'error' });
    prosody = spawn(binary, ['--config', config, '-F'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    prosody.stdout.on('data', (d) => (out += d));
    prosody.stderr.on('data', (d) => (out += d));
    for (let i = 0; !(await answersStream(port, 'localhost')); i++) {
      if (i > 300 || prosody.exitCode !== null) throw new Error(`Prosody did not start on 127.0.0.1:${port}:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const service = `xmpp://127.0.0.1:${port}`;
    fleet = await startFleet({
      profile: path.join(__dirname, '../../fixtures/profiles/tr181-digest.yaml'),
      count: 2,
      xmpp: { server: service, domain: 'localhost', password: 'xmpp-pw', allowedJabberIds: 'acs@localhost' },
      embeddedAcs: { xmpp: { service, domain: 'localhost', username: 'acs', password: 'acs-pw' } },
    });
  }, 60_000);

  afterAll(async () => {
    await fleet?.close();
    prosody?.kill('SIGTERM');
    if (prosody && prosody.exitCode === null) await new Promise((r) => prosody.once('exit', r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the CPEs are online and an XMPP CR wakes exactly the addressed one', async () => {
    expect(fleet.xmppAgents.map((a) => a.status)).toEqual(['online', 'online']);
    const jid = fleet.cpe(2).params.getValue(`${MS}ConnReqJabberID`);
    expect(jid).toBe('cpe-2@localhost/cwmp');
    const r = await fleet.acs.xmppConnectionRequest(jid, { username: 'cr-cpe-2', password: 'secret' });
    expect(r.outcome).toBe('result');
    await expect(fleet).toHaveWokenVia('xmpp', { cpe: 'cpe-2' });
    await expect(fleet.cpe(2)).toHaveInformed('6 CONNECTION REQUEST');
    expect(fleet.cpe(1).sessions.some((s) => s.events.some((e) => e.eventCode === '6 CONNECTION REQUEST'))).toBe(false);
  });

  test('wrong credentials are refused with not-authorized, as Annex K says', async () => {
    const jid = fleet.cpe(1).params.getValue(`${MS}ConnReqJabberID`);
    const r = await fleet.acs.xmppConnectionRequest(jid, { username: 'cr-cpe-1', password: 'wrong' });
    expect(r.outcome).toBe('not-authorized');
    expect(fleet.crRequests('cpe-1').at(-1)).toMatchObject({ via: 'xmpp', status: 401, reason: 'wrong-credentials' });
  });
});
