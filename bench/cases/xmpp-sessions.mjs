// Case: a fleet whose every CPE keeps an XMPP session open (TR-069 Annex K, issue 16).
// Starts a throwaway Prosody (Debian `prosody`) on a free loopback port with N accounts,
// boots N tr181-digest CPEs without and then with `xmpp`, waits until every session is
// online, and reads memory after full GCs. Prosody's own RSS is read from /proc.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { round, settledMemory } from '../lib/harness.mjs';

export const measures =
  'XMPP sessions: N tr181-digest CPEs booted (waitFor bootstrap) without xmpp, then with xmpp against one local Prosody, every session online; heap/RSS per session = (with - without)/N after full GCs and a 0.5 s pause; Prosody RSS from /proc';

const require = createRequire(import.meta.url);
// The same throwaway server the tests start (config, accounts, readiness probe).
const { PROSODY_BINARIES, answersStream, writeProsodyFiles } = require('../../test/support/servers/prosody-files.cjs');
const PROSODY = PROSODY_BINARIES.find((b) => existsSync(b));
const freePort = () => new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const rssOfPid = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function startProsody(dir, n) {
  const port = await freePort();
  const users = Object.fromEntries(Array.from({ length: n }, (_, i) => [`cpe-${i + 1}`, 'pw']));
  const { config } = writeProsodyFiles({ dir, port, domain: 'localhost', users, logLevel: 'error' });
  const proc = spawn(PROSODY, ['--config', config, '-F'], { stdio: 'ignore' });
  for (let k = 0; k < 400; k++) {
    if (await answersStream(port, 'localhost')) return { proc, port };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGTERM');
  throw new Error(`Prosody did not answer on 127.0.0.1:${port} within 20 s`);
}

export async function run(lib, { n, onlineTimeoutMs = 600_000 }) {
  if (!PROSODY) throw new Error('Prosody is not installed: apt-get install -y prosody');
  lib.disableAllocationSitePretenuring();
  const profile = join(ROOT, 'fixtures/profiles/tr181-digest.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-xmpp-bench-'));
  const { proc, port } = await startProsody(dir, n);
  try {
    const prosodyIdleMiB = rssOfPid(proc.pid);
    const boot = async (xmpp) => {
      const t0 = Date.now();
      const fleet = await lib.startFleet({ profile, count: n, cr: false, ...(xmpp ? { xmpp: { server: `127.0.0.1:${port}`, domain: 'localhost', password: 'pw', onlineTimeoutMs } } : {}) });
      return { fleet, ms: Date.now() - t0 };
    };
    const base = await boot(false);
    const without = await settledMemory();
    await base.fleet.close();
    const withX = await boot(true);
    try {
      const online = withX.fleet.xmppAgents.filter((a) => a.status === 'online').length;
      if (online < n) throw new Error(`${online} of ${n} XMPP sessions online after ${withX.ms} ms`);
      const withMem = await settledMemory();
      // Still online after the GCs: the sessions were measured open, not half torn down.
      const stillOnline = withX.fleet.xmppAgents.filter((a) => a.status === 'online').length;
      return {
        n,
        online: stillOnline,
        loginAllMs: withX.ms,
        heapKiBPerSession: round((withMem.heapUsed - without.heapUsed) / 1024 / n),
        rssKiBPerSession: round((withMem.rss - without.rss) / 1024 / n),
        rssMiB: withMem.rssMiB,
        heapUsedMiB: withMem.heapUsedMiB,
        baseRssMiB: without.rssMiB,
        baseHeapUsedMiB: without.heapUsedMiB,
        prosodyIdleRssMiB: round(prosodyIdleMiB),
        prosodyRssMiB: round(rssOfPid(proc.pid)),
      };
    } finally {
      await withX.fleet.close();
    }
  } finally {
    proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
