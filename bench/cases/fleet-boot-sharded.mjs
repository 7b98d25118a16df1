// `--workers` design measurement: the same N-CPE fleet booted by W processes, each
// simulating `shard i/W` with its OWN CR listener port (the one-port-per-worker
// design), against one fake ACS in another process. Compared with fleet-boot
// n=N acs=child (one process), it shows what spreading over cores buys.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { round } from '../lib/harness.mjs';

export const measures =
  'Sharded boot: N tr181-minimal CPEs split over W processes (shard i/W, one CR port each) against one fake ACS child process; wall time until every shard reported bootstrap done; summed RSS of the shards';

const once = (child) => new Promise((resolve, reject) => {
  child.once('message', resolve);
  child.once('exit', (c) => reject(new Error(`child exited (${c}) before answering`)));
});

export async function run(_lib, { n, workers }) {
  const entry = process.argv[4];
  const acs = fork(join(ROOT, 'bench', 'lib', 'acs-process.mjs'), [entry], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const shards = [];
  try {
    const { url } = await once(acs);
    for (let index = 0; index < workers; index++) {
      shards.push(fork(join(ROOT, 'bench', 'lib', 'shard-process.mjs'), [JSON.stringify({ n, acsUrl: url, index, total: workers }), entry], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    }
    await Promise.all(shards.map(once)); // profiles loaded: start together
    const t0 = performance.now();
    const reports = await Promise.all(shards.map((s) => {
      const r = once(s);
      s.send('start');
      return r;
    }));
    const wallMs = performance.now() - t0;
    const cpes = reports.reduce((a, r) => a + r.cpes, 0);
    const failed = reports.reduce((a, r) => a + r.failed, 0);
    if (cpes !== n || failed > 0) throw new Error(`shards simulated ${cpes} CPEs (expected ${n}), ${failed} without a successful session`);
    if (new Set(reports.map((r) => r.port)).size !== workers) throw new Error('shards did not get distinct CR ports');
    acs.send('memory');
    const m = await once(acs);
    if (m.bootstraps < n) throw new Error(`ACS saw ${m.bootstraps} bootstrap Informs, expected ${n}`);
    return {
      n,
      workers,
      bootMs: round(wallMs, 0),
      sessionsPerS: Math.round(n / (wallMs / 1000)),
      slowestShardMs: round(Math.max(...reports.map((r) => r.bootMs)), 0),
      rssMiBTotal: round(reports.reduce((a, r) => a + r.memory.rssMiB, 0), 1),
      acsRssMiB: m.memory.rssMiB,
    };
  } finally {
    for (const s of shards) if (s.connected) s.send('close');
    if (acs.connected) acs.send('close');
  }
}
