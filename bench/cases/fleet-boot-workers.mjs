// Case: `cpe-sim --workers W` (the built CLI, one process) boots N tr181-minimal CPEs
// against its embedded fake ACS, which runs in the main thread while the fleet's shards
// run in W worker threads. Wall time from spawning the process until the ACS printed N
// session ends (`acs->cpe 204`), so it includes process start and profile loading
// (`firstLineMs` shows that part). RSS of the whole process (all threads) after boot,
// read from /proc without a forced GC. W=1 runs the same CLI without worker threads.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { round } from '../lib/harness.mjs';

export const measures =
  'CLI boot with worker threads: `cpe-sim --profile tr181-minimal --count N --workers W` (built dist/, embedded fake ACS in the main thread printing every message, fleet shards in W threads); wall time from spawn until N bootstrap sessions ended; RSS of the process after boot (no forced GC)';

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024) : null;
}

export async function run(_lib, { n, workers }) {
  const bin = join(ROOT, 'bin', 'cpe-sim');
  if (!existsSync(join(ROOT, 'dist', 'cli.mjs'))) throw new Error('dist/cli.mjs is missing: run `npm run build` first (this case runs the built CLI)');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CPE_SIM_')));
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [bin, '--profile', join(ROOT, 'fixtures/profiles/tr181-minimal'), '--count', String(n), '--workers', String(workers), '--log-level', 'warn'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let ended = 0;
  let bootstraps = 0;
  let firstLineNs;
  let tail = '';
  const done = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      firstLineNs ??= process.hrtime.bigint();
      const text = tail + d.toString();
      const lines = text.split('\n');
      tail = lines.pop() ?? '';
      for (const l of lines) {
        if (l.includes('acs->cpe 204')) ended++;
        else if (l.includes('Inform [0 BOOTSTRAP')) bootstraps++;
      }
      if (ended >= n) resolve(process.hrtime.bigint());
    });
    void exited.then((e) => reject(new Error(`cpe-sim exited early (${JSON.stringify(e)}):\n${stderr}`)));
  });
  let tEnd;
  try {
    tEnd = await done;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const bootMs = Number(tEnd - t0) / 1e6;
  const rss = rssMiB(child.pid);
  child.kill('SIGTERM');
  const exit = await exited;
  if (exit.code !== 0) throw new Error(`cpe-sim did not exit 0 on SIGTERM: ${JSON.stringify(exit)}\n${stderr}`);
  if (bootstraps !== n) throw new Error(`expected ${n} bootstrap Informs, saw ${bootstraps}`);
  return {
    n,
    workers,
    bootMs: round(bootMs, 0),
    sessionsPerS: Math.round(n / (bootMs / 1000)),
    firstLineMs: round(Number(firstLineNs - t0) / 1e6, 0),
    rssMiB: rss,
  };
}
