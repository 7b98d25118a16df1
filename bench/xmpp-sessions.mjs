#!/usr/bin/env node
// Memory of a fleet whose every CPE keeps an XMPP session open (TR-069 Annex K).
//   npm run build && node --expose-gc bench/xmpp-sessions.mjs [N=1000]
// Starts a throwaway Prosody (Debian `prosody`) on a free loopback port with N accounts,
// boots N CPEs with and without `xmpp` (waiting until every session is online), and
// prints RSS and heap after a full GC. Results: docs/xmpp.md "Memory".
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disableAllocationSitePretenuring, startFleet } from '../dist/index.mjs';

const N = Number(process.argv[2] ?? 1000);
const enc = (s) => s.replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-xmpp-bench-'));
const port = await new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const acc = join(dir, 'data', 'localhost', 'accounts');
mkdirSync(acc, { recursive: true });
for (let i = 1; i <= N; i++) writeFileSync(join(acc, `${enc(`cpe-${i}`)}.dat`), 'return { ["password"] = "pw"; };\n');
writeFileSync(join(dir, 'p.cfg.lua'), `pidfile = "${dir}/p.pid"\ndata_path = "${dir}/data"\nrun_as_root = true\nlog = { error = "${dir}/p.log" }\nmodules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "posix" }\nmodules_disabled = { "s2s" }\nc2s_ports = { ${port} }\nc2s_interfaces = { "127.0.0.1" }\ns2s_ports = {}\nhttp_ports = {}\nhttps_ports = {}\nc2s_require_encryption = false\nallow_unencrypted_plain_auth = true\nauthentication = "internal_plain"\nlimits = { c2s = { rate = "100mb/s" } }\nVirtualHost "localhost"\n`);
const prosody = spawn('/usr/bin/prosody', ['--config', join(dir, 'p.cfg.lua'), '-F'], { stdio: 'ignore' });
for (let k = 0; k < 200; k++) {
  const ok = await new Promise((r) => { const s = connect(port, '127.0.0.1'); s.on('connect', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
  if (ok) break;
  await new Promise((r) => setTimeout(r, 50));
}
const profile = 'fixtures/profiles/tr181-digest.yaml';
async function measure(xmpp) {
  const t0 = Date.now();
  const fleet = await startFleet({ profile, count: N, cr: false, ...(xmpp ? { xmpp: { server: `127.0.0.1:${port}`, domain: 'localhost', password: 'pw', onlineTimeoutMs: 300_000 } } : {}) });
  const loginMs = Date.now() - t0;
  const online = fleet.xmppAgents.filter((a) => a.status === "online").length;
  for (let i = 0; i < 3; i++) { globalThis.gc?.(); await new Promise((r) => setTimeout(r, 100)); }
  const m = process.memoryUsage();
  await fleet.close();
  return { online, loginMs, rssMiB: +(m.rss / 2 ** 20).toFixed(1), heapUsedMiB: +(m.heapUsed / 2 ** 20).toFixed(1) };
}
disableAllocationSitePretenuring();
try {
  const base = await measure(false);
  const withXmpp = await measure(true);
  const perCpeKiB = ((withXmpp.heapUsedMiB - base.heapUsedMiB) * 1024) / N;
  console.log(JSON.stringify({ cpes: N, base, withXmpp, heapKiBPerSession: +perCpeKiB.toFixed(1), rssKiBPerSession: +(((withXmpp.rssMiB - base.rssMiB) * 1024) / N).toFixed(1) }, null, 2));
} finally {
  prosody.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
